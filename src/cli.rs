//! Command line: arguments → a run plan → walk, fix in parallel, write, report, exit code.

use crate::engine::{Engine, EngineOptions, FileOutcome, Problem};
use crate::interrupt;
use crate::report::{self, EXIT_CLEAN, EXIT_ERROR, FileReport, Mode, RunReport};
use crate::spec::{self, Spec, SpecError};
use crate::walk;
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "pulumi-fix",
    version,
    about = "Fixes the mistakes that make Pulumi programs fail `pulumi preview`, `pulumi up`, `tsc` or CI.",
    args_conflicts_with_subcommands = true,
    after_help = "Exit codes: 0 nothing left to do; 1 fixes pending (dry-run) or findings without a fix; 2 usage, spec or I/O errors."
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

    /// Only run these codemods (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub select: Vec<String>,

    /// Do not run these codemods (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub ignore: Vec<String>,

    /// Also apply fixes marked `review` (they change the resource graph or need a human look).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// List the codemods and exit.
    #[arg(long)]
    pub list: bool,

    /// A directory of extra codemod specs (may be repeated).
    #[arg(long = "codemods", value_name = "DIR")]
    pub codemod_dirs: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Worker threads [default: number of CPUs].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Print only diffs, findings and errors; no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Explain a codemod: what it fixes, why, the failure report it comes from, and its examples.
    Explain {
        /// The codemod id (see --list).
        id: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

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
    let stderr = std::io::stderr();
    run(cli, &mut stdout.lock(), &mut stderr.lock())
}

fn print_spec_errors(errors: &[SpecError], err: &mut dyn Write) -> i32 {
    for e in errors {
        let _ = writeln!(err, "error: {e}");
    }
    EXIT_ERROR
}

/// Built-in specs plus those of `--codemods` directories, filtered by `--select` / `--ignore`.
pub fn load_specs(cli: &Cli) -> Result<Vec<Spec>, Vec<SpecError>> {
    let mut specs = spec::builtin_specs()?;
    for dir in &cli.codemod_dirs {
        specs.extend(spec::load_dir(dir)?);
    }
    spec::check_unique_ids(&specs)?;
    let known: BTreeSet<&str> = specs.iter().map(|s| s.id.as_str()).collect();
    let unknown: Vec<SpecError> = cli
        .select
        .iter()
        .chain(&cli.ignore)
        .filter(|id| !known.contains(id.as_str()))
        .map(|id| SpecError { path: "<command line>".into(), line: 0, message: format!("unknown codemod id `{id}`; run `pulumi-fix --list`") })
        .collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    specs.retain(|s| (cli.select.is_empty() || cli.select.contains(&s.id)) && !cli.ignore.contains(&s.id));
    Ok(specs)
}

pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let specs = match load_specs(&cli) {
        Ok(specs) => specs,
        Err(errors) => return print_spec_errors(&errors, err),
    };
    if let Some(Command::Explain { id }) = &cli.command {
        return explain(&specs, id, out, err);
    }
    if cli.list {
        print_list(&specs, out);
        return EXIT_CLEAN;
    }

    let threads = cli.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let roots = if cli.paths.is_empty() { vec![PathBuf::from(".")] } else { cli.paths.clone() };
    let (files, walk_problems) = walk::walk(&roots, threads);

    let engine = Engine::new(specs, EngineOptions { unsafe_fixes: cli.unsafe_fixes });
    let grammars: BTreeSet<_> = files.iter().map(|f| f.grammar).collect();
    let spec_errors: Vec<SpecError> = grammars.iter().filter_map(|g| engine.prepare(*g).err()).collect();
    if !spec_errors.is_empty() {
        return print_spec_errors(&spec_errors, err);
    }

    let mode = if cli.write { Mode::Write } else { Mode::DryRun };
    let want_diff = mode == Mode::DryRun && cli.format == Format::Text;
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool,
        Err(e) => {
            let _ = writeln!(err, "error: cannot start {threads} worker threads: {e}");
            return EXIT_ERROR;
        }
    };
    // Every file is fixed in memory before any is written, so that a spec mistake seen on one file
    // (or an interrupt) stops the run with nothing written.
    let outcomes: Vec<Option<FileOutcome>> = pool.install(|| {
        files
            .par_iter()
            .map(|file| interrupt::received().is_none().then(|| engine.process_path(&file.path, file.display.clone(), file.grammar)))
            .collect()
    });
    if let Some(signal) = interrupt::received() {
        let _ = writeln!(err, "interrupted before any file was written; nothing was changed");
        return interrupt::exit_code(signal);
    }
    let outcomes: Vec<FileOutcome> = outcomes.into_iter().flatten().collect();
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
            changed: outcome.fixed.is_some(),
            written: false,
            findings: outcome.findings,
            problems: outcome.problems,
        };
        if let (true, Some(source), Some(fixed)) = (want_diff, &outcome.source, &outcome.fixed) {
            report.diff = Some(report::unified_diff(&report.display, &String::from_utf8_lossy(&source.original_bytes()), &String::from_utf8_lossy(&source.bytes_for(fixed))));
        }
        match writes.get(i).cloned().flatten() {
            Some(Ok(())) => report.written = true,
            Some(Err(message)) => report.problems.push(Problem { line: None, message, is_error: true }),
            None => {}
        }
        if report.changed || !report.findings.is_empty() || !report.problems.is_empty() {
            reports.push(report);
        }
    }

    let report = RunReport { mode, files_scanned: files.len(), files: reports, walk_problems };
    let written = match cli.format {
        Format::Text => report::print_text(&report, cli.quiet, out, err),
        Format::Json => out.write_all(report::render_json(&report).as_bytes()),
    };
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(err, "error: cannot write the report: {e}");
        return EXIT_ERROR;
    }
    report.exit_code()
}

/// Writes a fixed file, unless a stop was asked for: `None` when there is nothing to write.
fn write_outcome(outcome: &FileOutcome) -> Option<Result<(), String>> {
    let (source, fixed) = (outcome.source.as_ref()?, outcome.fixed.as_ref()?);
    if interrupt::received().is_some() {
        return Some(Err("not written: the run was interrupted".into()));
    }
    Some(crate::write::write_atomically(&source.path, &source.original_bytes(), &source.bytes_for(fixed)))
}

fn print_list(specs: &[Spec], out: &mut dyn Write) {
    let width = specs.iter().map(|s| s.id.len()).max().unwrap_or(2).max(2);
    let _ = writeln!(out, "{:width$}  {:10}  {:6}  SUMMARY", "ID", "LANGUAGE", "SAFETY");
    let mut sorted: Vec<&Spec> = specs.iter().collect();
    sorted.sort_by(|a, b| (a.language.name(), &a.id).cmp(&(b.language.name(), &b.id)));
    for spec in sorted {
        let _ = writeln!(out, "{:width$}  {:10}  {:6}  {}", spec.id, spec.language.name(), spec.safety.name(), spec.summary);
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
