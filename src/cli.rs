//! Command line: arguments and configuration → a run plan → walk, fix in parallel, write,
//! report, exit code.

mod settings;

use crate::config::TargetVersion;
use crate::engine::{Engine, EngineOptions, FileOutcome, Problem};
use crate::interrupt;
use crate::report::{self, EXIT_CLEAN, EXIT_ERROR, FileReport, Mode, RunReport};
use crate::lang::parse;
use crate::source::{ReadError, SourceFile};
use crate::spec::{self, Purpose, Spec, SpecError, SpecLanguage};
use crate::walk;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

pub use settings::Settings;

#[derive(Parser, Debug)]
#[command(
    name = "pulumi-fix",
    version,
    about = "Fixes the mistakes that make Pulumi programs fail `pulumi preview`, `pulumi up`, `tsc` or CI.",
    args_conflicts_with_subcommands = true,
    after_help = "Configuration: the nearest pulumi-fix.toml, or [tool.pulumi-fix] in pyproject.toml, above the paths; the command line wins.\nExit codes: 0 nothing left to do; 1 fixes pending (dry-run) or findings without a fix; 2 usage, configuration, spec or I/O errors."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Files or directories to fix [default: .]
    pub paths: Vec<PathBuf>,

    /// Show the fixes as unified diffs without changing files (the default).
    #[arg(long, conflicts_with = "write")]
    pub dry_run: bool,

    /// Apply the fixes in place (atomically).
    #[arg(long)]
    pub write: bool,

    /// Only run these codemods (comma-separated ids); replaces the configuration's `select`.
    /// Opt-in codemods run only when named here, in `--extend-select` or in the configuration's
    /// `select` / `extend-select`.
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub select: Vec<String>,

    /// Also run these codemods, opt-in ones included (comma-separated ids); adds to the
    /// configuration's `extend-select`.
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub extend_select: Vec<String>,

    /// Do not run these codemods (comma-separated ids); adds to the configuration's `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub ignore: Vec<String>,

    /// Also apply fixes marked `review` (they change the resource graph or need a human look).
    #[arg(long, overrides_with = "no_unsafe_fixes")]
    pub unsafe_fixes: bool,

    /// Do not apply `review` fixes, even when the configuration says `unsafe-fixes = true`.
    #[arg(long, overrides_with = "unsafe_fixes")]
    pub no_unsafe_fixes: bool,

    /// List the codemods and exit.
    #[arg(long)]
    pub list: bool,

    /// A directory of extra codemod specs (may be repeated); adds to `extend-codemods`.
    #[arg(long = "codemods", value_name = "DIR")]
    pub codemod_dirs: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Also write the Markdown summary (a pull-request body) to this file.
    #[arg(long, value_name = "PATH")]
    pub summary_file: Option<PathBuf>,

    /// Color the diffs: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    /// Use this configuration file (pulumi-fix.toml, or a pyproject.toml with [tool.pulumi-fix]).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Ignore every configuration file.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,

    /// Skip files and directories matching this gitignore-style pattern (may be repeated); adds to `exclude`.
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,

    /// The pulumi-aws version the programs target, like 7 or 6.83; replaces `target.pulumi-aws`.
    #[arg(long, value_name = "VERSION", value_parser = TargetVersion::parse)]
    pub target_pulumi_aws: Option<TargetVersion>,

    /// Run the provider upgrade pack for this major-version jump, e.g. aws@7: its codemods only
    /// (plus `--extend-select`), with the programs' pulumi-aws target set to that major.
    #[arg(long, value_name = "PACKAGE@MAJOR", value_parser = crate::spec::UpgradePack::parse, conflicts_with = "target_pulumi_aws")]
    pub upgrade: Option<crate::spec::UpgradePack>,

    /// Report `pulumi-fix: ignore` comments that silence nothing.
    #[arg(long)]
    pub report_unused_suppressions: bool,

    /// Print counts per codemod instead of the diffs.
    #[arg(long, conflicts_with = "format")]
    pub statistics: bool,

    /// Print the files that would be read, and exit.
    #[arg(long)]
    pub show_files: bool,

    /// Worker threads [default: number of CPUs].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Print only diffs, findings and errors; no summary, no progress bar.
    #[arg(long, short)]
    pub quiet: bool,

    /// Benchmark floor: read and parse every file, match nothing, report nothing (bench/run.sh).
    #[arg(long, hide = true)]
    pub parse_only: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Explain a codemod: what it fixes, why, the failure report it comes from, and its examples.
    Explain {
        /// The codemod id (see --list).
        id: String,
    },
    /// Print a shell completion script, e.g. `pulumi-fix completions bash > /etc/bash_completion.d/pulumi-fix`.
    Completions {
        shell: clap_complete::Shell,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Diffs on stdout, findings and a summary on stderr.
    Text,
    /// One JSON document (schemas/report-v1.schema.json).
    Json,
    /// A SARIF 2.1.0 log, for code scanning.
    Sarif,
    /// GitHub Actions annotations.
    Github,
    /// A Markdown pull-request body.
    Markdown,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Runs of at least this many files show a progress bar (on a terminal, outside CI).
const PROGRESS_MIN_FILES: usize = 200;

pub fn main() -> i32 {
    if let Err(e) = interrupt::install() {
        eprintln!("warning: cannot catch interrupts ({e}); Ctrl-C during --write may leave a .pulumi-fix-* temporary file");
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { EXIT_CLEAN };
        }
    };
    let stdout = std::io::stdout();
    // Not locked for the whole run: the progress bar writes to stderr from the worker threads.
    run(cli, &mut stdout.lock(), &mut std::io::stderr())
}

fn print_spec_errors(errors: &[SpecError], err: &mut dyn Write) -> i32 {
    for e in errors {
        let _ = writeln!(err, "error: {e}");
    }
    EXIT_ERROR
}

/// Built-in specs of `languages` plus those of the configured directories, filtered by
/// `select` / `ignore`. The settings' ids and the user specs' ids are checked against the whole
/// catalog: when the built-in specs of `languages` do not settle them, all are loaded.
pub fn load_specs(settings: &Settings, languages: &[SpecLanguage], purpose: Purpose) -> Result<Vec<Spec>, Vec<SpecError>> {
    let whole = languages.len() == SpecLanguage::ALL.len() || !settings.codemod_dirs.is_empty();
    let mut specs = spec::builtin_specs_for(if whole { &SpecLanguage::ALL } else { languages }, purpose)?;
    for dir in &settings.codemod_dirs {
        specs.extend(spec::load_dir(dir)?);
    }
    spec::check_unique_ids(&specs)?;
    let known: BTreeSet<&str> = specs.iter().map(|s| s.id.as_str()).collect();
    let unknown = settings.unknown_ids(&known);
    if !unknown.is_empty() {
        return if whole { Err(unknown) } else { load_specs(settings, &SpecLanguage::ALL, purpose) };
    }
    if let Some(pack) = settings.upgrade {
        let in_pack: Vec<&Spec> = specs.iter().filter(|s| s.upgrade.is_some_and(|u| u.package == pack.package && u.major <= pack.major)).collect();
        if in_pack.is_empty() {
            if !whole {
                return load_specs(settings, &SpecLanguage::ALL, purpose);
            }
            return Err(vec![SpecError { path: "<command line>".into(), line: 0, message: format!("--upgrade {pack}: no codemod belongs to that upgrade; packs: aws@6, aws@7") }]);
        }
    }
    specs.retain(|s| settings.runs(s));
    Ok(specs)
}

pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if let Some(Command::Completions { shell }) = cli.command {
        clap_complete::generate(shell, &mut Cli::command(), "pulumi-fix", out);
        return EXIT_CLEAN;
    }
    let roots = if cli.paths.is_empty() { vec![PathBuf::from(".")] } else { cli.paths.clone() };
    let settings = match Settings::resolve(&cli, &roots) {
        Ok(settings) => settings,
        Err(errors) => return print_spec_errors(&errors, err),
    };
    if cli.list || matches!(cli.command, Some(Command::Explain { .. })) {
        let specs = match load_specs(&settings, &SpecLanguage::ALL, Purpose::Describe) {
            Ok(specs) => specs,
            Err(errors) => return print_spec_errors(&errors, err),
        };
        if let Some(Command::Explain { id }) = &cli.command {
            return explain(&specs, id, out, err);
        }
        print_list(&specs, out);
        return EXIT_CLEAN;
    }

    let threads = cli.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let (files, walk_problems) = walk::walk(&roots, threads, &|path, is_dir| settings.excluded(path, is_dir));
    if cli.show_files {
        for file in &files {
            let _ = writeln!(out, "{}", file.display);
        }
        for problem in &walk_problems {
            let _ = writeln!(err, "{}: {}", problem.display, problem.message);
        }
        return if walk_problems.iter().any(|p| p.is_error) { EXIT_ERROR } else { EXIT_CLEAN };
    }
    // One pool for the whole run: loading the catalog runs on it too, so a run starts no more
    // threads than it asked for.
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool,
        Err(e) => {
            let _ = writeln!(err, "error: cannot start {threads} worker threads: {e}");
            return EXIT_ERROR;
        }
    };
    let mode = if cli.write { Mode::Write } else { Mode::DryRun };
    let want_diff = mode == Mode::DryRun && cli.format == Format::Text && !cli.statistics;
    let options = EngineOptions {
        unsafe_fixes: settings.unsafe_fixes,
        target_aws_major: settings.target_pulumi_aws.map(|v| v.major),
        report_unused_suppressions: cli.report_unused_suppressions,
        // Texts serve writes, the dry run's diffs and SARIF's fix regions only.
        drop_texts: mode == Mode::DryRun && !want_diff && cli.format != Format::Sarif,
    };
    // Only the languages of the files found: the engine holds no other language's specs.
    let languages: Vec<SpecLanguage> = SpecLanguage::ALL.into_iter().filter(|l| files.iter().any(|f| f.grammar.spec_language() == *l)).collect();
    let build_engine = || -> Result<Engine, Vec<SpecError>> { Ok(Engine::new(settings.chosen(load_specs(&settings, &languages, Purpose::Run)?), options)) };
    // A run of no more files than threads (pre-commit) parses them while the engine is built
    // and reads the specs they may need; a larger one leaves each file to the engine, which
    // parses only those a rule may match.
    let parse_ahead = files.len() <= threads && !cli.parse_only;
    let (engine, read) = pool.install(|| {
        if !parse_ahead {
            return (build_engine(), None);
        }
        let sources: Vec<Result<SourceFile, ReadError>> = files.iter().map(|file| SourceFile::read(&file.path, file.display.clone(), file.grammar)).collect();
        let (engine, trees) = rayon::join(
            || build_engine().inspect(|engine| sources.iter().flatten().for_each(|source| engine.prepare_for(source))),
            || sources.par_iter().map(|read| read.as_ref().ok().map(|source| parse(source.grammar, &source.text))).collect::<Vec<_>>(),
        );
        (engine, Some(sources.into_iter().zip(trees).map(|(read, tree)| read.map(|source| (source, tree))).collect::<Vec<_>>()))
    });
    let engine = match engine {
        Ok(engine) => engine,
        Err(errors) => return print_spec_errors(&errors, err),
    };
    let grammars: BTreeSet<_> = files.iter().map(|f| f.grammar).collect();
    let spec_errors: Vec<SpecError> = grammars.iter().filter_map(|g| engine.prepare(*g).err()).collect();
    if !spec_errors.is_empty() {
        return print_spec_errors(&spec_errors, err);
    }

    if cli.parse_only {
        let (parsed, bytes) = pool.install(|| parse_only(&files));
        let _ = writeln!(err, "Parsed {parsed} of {} files, {bytes} bytes.", files.len());
        return EXIT_CLEAN;
    }
    let progress = progress_bar(files.len(), cli.quiet);
    // Every file is fixed in memory before any is written, so that a mistake of a user's spec seen
    // on one file (or an interrupt) stops the run with nothing written.
    // Only the outcomes with something to report are kept: memory grows with the findings, not
    // with the tree.
    let outcomes: Vec<FileOutcome> = pool.install(|| {
        let process = |file: &walk::WalkedFile, read: Option<_>| {
            let outcome = interrupt::received().is_none().then(|| {
                let ignored = settings.ignored_in(&file.path);
                match read {
                    Some(read) => engine.process_read(read, &ignored),
                    None => engine.process_path(&file.path, file.display.clone(), file.grammar, &ignored),
                }
            });
            progress.inc(1);
            outcome.filter(FileOutcome::has_news)
        };
        match read {
            Some(read) => files.par_iter().zip(read).filter_map(|(file, read)| process(file, Some(read))).collect(),
            None => files.par_iter().filter_map(|file| process(file, None)).collect(),
        }
    });
    progress.finish_and_clear();
    if let Some(signal) = interrupt::received() {
        let _ = writeln!(err, "interrupted before any file was written; nothing was changed");
        return interrupt::exit_code(signal);
    }
    let files_scanned = files.len();
    drop(files);
    let mut spec_errors: Vec<SpecError> = outcomes.iter().flat_map(|o| o.spec_errors.iter().cloned()).collect();
    spec_errors.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    spec_errors.dedup_by(|a, b| (&a.path, a.line) == (&b.path, b.line));
    if !spec_errors.is_empty() {
        let code = print_spec_errors(&spec_errors, err);
        let _ = writeln!(err, "no file was changed: fix the codemod spec first");
        return code;
    }

    let writes: Vec<Option<Result<(), String>>> = if mode == Mode::Write { pool.install(|| outcomes.par_iter().map(write_outcome).collect()) } else { Vec::new() };
    if let Some(signal) = interrupt::received() {
        let attempted: Vec<_> = writes.iter().flatten().collect();
        let done = attempted.iter().filter(|w| w.is_ok()).count();
        let _ = writeln!(
            err,
            "interrupted: wrote {done} of {} fixed files, each completely; the others are unchanged. Run pulumi-fix again to finish",
            attempted.len()
        );
        return interrupt::exit_code(signal);
    }

    let mut reports: Vec<FileReport> = Vec::new();
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let mut report = FileReport {
            display: outcome.display,
            diff: None,
            changed: outcome.changed,
            written: false,
            text: None,
            findings: outcome.findings,
            problems: outcome.problems,
            suppressed: outcome.suppressed,
        };
        if let Some(source) = outcome.source {
            if let (true, Some(fixed)) = (want_diff, &outcome.fixed) {
                report.diff = Some(report::unified_diff(&report.display, &String::from_utf8_lossy(&source.original_bytes()), &String::from_utf8_lossy(&source.bytes_for(fixed))));
            }
            if !report.findings.is_empty() {
                report.text = Some(source.text);
            }
        }
        match writes.get(i).cloned().flatten() {
            Some(Ok(())) => report.written = true,
            Some(Err(message)) => report.problems.push(Problem { line: None, message, is_error: true }),
            None => {}
        }
        if report.changed || !report.findings.is_empty() || !report.problems.is_empty() || !report.suppressed.is_empty() {
            reports.push(report);
        }
    }

    // SARIF describes every codemod; the other reports need their ids and safety, which a
    // deferred spec knows without being read.
    let codemods: Vec<Arc<Spec>> = if cli.format == Format::Sarif {
        match pool.install(|| engine.whole_specs()) {
            Ok(specs) => specs,
            Err(e) => return print_spec_errors(&[e], err),
        }
    } else {
        engine.specs().to_vec()
    };
    let report = RunReport { mode, codemods, files_scanned, files: reports, walk_problems };
    let color = match cli.color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never,
    };
    let written = match cli.format {
        Format::Text if cli.statistics => out.write_all(report::render_statistics(&report).as_bytes()),
        Format::Text => report::print_text(&report, cli.quiet, color, out, err),
        Format::Json => out.write_all(report::render_json(&report).as_bytes()),
        Format::Sarif => out.write_all(report::render_sarif(&report).as_bytes()),
        Format::Github => out.write_all(report::render_github(&report).as_bytes()).and_then(|()| if cli.quiet { Ok(()) } else { report::print_summary(&report, err) }),
        Format::Markdown => out.write_all(report::render_markdown(&report).as_bytes()),
    };
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(err, "error: cannot write the report: {e}");
        return EXIT_ERROR;
    }
    if let Some(path) = &cli.summary_file
        && let Err(e) = std::fs::write(path, report::render_markdown(&report))
    {
        let _ = writeln!(err, "error: cannot write the summary to {}: {e}; check that its directory exists and is writable", path.display());
        return EXIT_ERROR;
    }
    report.exit_code()
}

/// A progress bar on stderr for long runs on a terminal; hidden in CI, when piped, or with `--quiet`.
fn progress_bar(files: usize, quiet: bool) -> ProgressBar {
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    if quiet || in_ci || files < PROGRESS_MIN_FILES || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}") {
        bar.set_style(style);
    }
    bar
}

/// Writes a fixed file, unless a stop was asked for: `None` when there is nothing to write.
fn write_outcome(outcome: &FileOutcome) -> Option<Result<(), String>> {
    let (source, fixed) = (outcome.source.as_ref()?, outcome.fixed.as_ref()?);
    if interrupt::received().is_some() {
        return Some(Err("not written: the run was interrupted".into()));
    }
    Some(crate::write::write_atomically(&source.path, &source.original_bytes(), &source.bytes_for(fixed)))
}

/// Reads and parses every file as a fixing run would: the files parsed and their bytes.
fn parse_only(files: &[walk::WalkedFile]) -> (usize, usize) {
    files
        .par_iter()
        .filter_map(|file| SourceFile::read(&file.path, file.display.clone(), file.grammar).ok())
        .map(|source| {
            crate::lang::parse(source.grammar, &source.text);
            (1, source.text.len())
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

fn print_list(specs: &[Spec], out: &mut dyn Write) {
    let width = specs.iter().map(|s| s.id.len()).max().unwrap_or(2).max(2);
    let _ = writeln!(out, "{:width$}  {:10}  {:6}  SUMMARY", "ID", "LANGUAGE", "SAFETY");
    let mut sorted: Vec<&Spec> = specs.iter().collect();
    sorted.sort_by(|a, b| (a.language.name(), &a.id).cmp(&(b.language.name(), &b.id)));
    for spec in sorted {
        let opt_in = if spec.opt_in { "(opt-in, --select it) " } else { "" };
        let _ = writeln!(out, "{:width$}  {:10}  {:6}  {opt_in}{}", spec.id, spec.language.name(), spec.safety.name(), spec.summary);
    }
}

fn explain(specs: &[Spec], id: &str, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some(spec) = specs.iter().find(|s| s.id == id) else {
        let _ = writeln!(err, "error: unknown codemod id `{id}`; run `pulumi-fix --list`");
        return EXIT_ERROR;
    };
    let _ = writeln!(out, "# {} ({}, {})\n", spec.id, spec.language.name(), spec.safety.name());
    let _ = writeln!(out, "{}\n", spec.summary);
    let _ = writeln!(out, "{}\n", spec.explanation.trim_end());
    let _ = writeln!(out, "Seed: {}\n", spec.seed.join("; "));
    for example in &spec.examples {
        let _ = writeln!(out, "## {}\n\nBefore:\n\n{}", example.name, indent_block(&example.before));
        match &example.after {
            Some(after) => {
                let _ = writeln!(out, "After:\n\n{}", indent_block(after));
            }
            None => {
                let _ = writeln!(out, "Left unchanged.\n");
            }
        }
    }
    EXIT_CLEAN
}

fn indent_block(code: &str) -> String {
    code.lines().map(|l| format!("    {l}\n")).collect()
}
