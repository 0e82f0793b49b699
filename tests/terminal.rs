//! What a person at a terminal gets besides the reports: shell completions, and no progress bar
//! where it would get in the way (piped output, CI).

mod common;

use common::*;

#[test]
fn completions_for_each_shell() {
    let dir = scratch(&[]);
    for (shell, marker) in [("bash", "complete -F"), ("zsh", "#compdef pulumi-fix"), ("fish", "complete -c pulumi-fix"), ("powershell", "Register-ArgumentCompleter")] {
        let run = run_in(dir.path(), &["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains(marker), "{shell}: {}", &run.stdout[..run.stdout.len().min(300)]);
        assert!(run.stdout.contains("summary-file"), "{shell} completes the options");
    }
    assert_eq!(run_in(dir.path(), &["completions", "tcsh"]).code, 2);
}

/// 250 programs with one fix each: a run long enough for the progress bar.
fn many_programs() -> tempfile::TempDir {
    let files: Vec<(String, &str)> = (0..250).map(|i| (format!("stack{i:03}.py"), "import pulumi_aws as aws\n\naws.ec2.Eip('e', vpc=True)\n")).collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    scratch(&files)
}

#[test]
fn no_progress_bar_when_piped_or_in_ci() {
    let dir = many_programs();
    let expected = "Scanned 250 files: would apply 250 fixes in 250 files.\n  eip-vpc-domain  250\nRun with --write to apply.\n";
    for ci in [None, Some("true")] {
        let run = run_with_env(dir.path(), &["--dry-run"], &[("CI", ci)]);
        assert_eq!(run.code, 1);
        assert_eq!(run.stderr, expected, "stderr holds the summary only (CI={ci:?})");
    }
}

#[test]
fn progress_bar_on_a_terminal_for_long_runs() {
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` (a pseudo-terminal) is not installed");
        return;
    }
    let dir = many_programs();
    // `timeout` turns a hang (the bar waiting on a locked stderr) into a failure.
    let output = std::process::Command::new("timeout")
        .args(["120", "script", "-qec", &format!("'{}' --dry-run --threads 2 > /dev/null", binary()), "/dev/null"])
        .current_dir(dir.path())
        .env_remove("CI")
        .env("TERM", "xterm-256color")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let terminal = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "the run finishes with its own exit code: {terminal}");
    assert!(terminal.contains("/250 files"), "the bar is drawn: {terminal:?}");
    assert!(terminal.contains("Scanned 250 files"), "{terminal:?}");
}
