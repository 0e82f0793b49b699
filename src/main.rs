fn main() {
    std::process::exit(pulumi_fix::cli::main());
}
