//! Bad input, bad specs, faults and interrupts: every one gives a message naming the path (and
//! line), the run goes on for the other files, and no file is ever half-written or changed when it
//! should not be.

mod common;

use common::*;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const EIP: &str = "import pulumi_aws as aws\n\neip = aws.ec2.Eip(\"e\", vpc=True)\n";
const EIP_FIXED: &str = "import pulumi_aws as aws\n\neip = aws.ec2.Eip(\"e\", domain=\"vpc\")\n";
const TS_EIP: &str = "import * as aws from \"@pulumi/aws\";\n\nnew aws.ec2.Eip(\"e\", { vpc: true });\n";

fn assert_mentions(run: &Run, expected: &str) {
    assert!(run.stderr.contains(expected), "expected `{expected}` in:\n{}", run.stderr);
}

#[test]
fn bad_input_is_reported_with_path_and_line_and_left_byte_for_byte() {
    let dir = scratch(&[("good.py", EIP), ("bad/syntax.py", "import pulumi_aws as aws\neip = aws.ec2.Eip(\"e\", vpc=True\n"), ("bad/syntax.ts", "new aws.ec2.Eip(\"e\", { vpc: true );\n")]);
    let mut big = "# generated\n".repeat(10 * 1024 * 1024 / 12);
    big.push_str(EIP);
    let bad_files: &[(&str, &[u8])] = &[
        ("bad/latin1.py", b"import pulumi_aws as aws\nx = '\xe9'\n"),
        ("bad/binary.py", b"\x7fELF\x00\x01\x02"),
        ("bad/nul.ts", b"import * as aws from \"@pulumi/aws\";\n\nnew aws.ec2.Eip(\"e\", { vpc: true });\x00\n"),
        ("bad/big.py", big.as_bytes()),
        // CPython rejects a vertical tab outside strings, tree-sitter reads past it (fuzz find).
        ("bad/vertical_tab.py", b"import pulumi_aws as aws\nif True:\x0b\n    eip = aws.ec2.Eip(\"e\", vpc=True)\n"),
    ];
    for (path, bytes) in bad_files {
        write(dir.path(), path, bytes);
    }
    write(dir.path(), "empty.py", b"");
    let before = snapshot_tree(&dir.path().join("bad"));

    let run = run_in(dir.path(), &["--write", ".", "missing.py"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_mentions(&run, "missing.py: cannot read");
    assert_mentions(&run, "bad/syntax.py:2: syntax error; the file is left untouched");
    assert_mentions(&run, "bad/syntax.ts:1: syntax error; the file is left untouched");
    assert_mentions(&run, "bad/latin1.py:2: skipped: not valid UTF-8");
    assert_mentions(&run, "bad/binary.py:1: skipped: contains a NUL byte");
    assert_mentions(&run, "bad/nul.ts:3: skipped: contains a NUL byte");
    assert_mentions(&run, "bad/big.py: skipped: 10 MiB is over the 4 MiB limit");
    assert_mentions(&run, "bad/vertical_tab.py:2: syntax error: invalid non-printable character U+000B; the file is left untouched");
    assert!(!run.stderr.contains("empty.py"), "an empty file is fine:\n{}", run.stderr);
    assert_eq!(snapshot_tree(&dir.path().join("bad")), before, "bad input is left byte for byte");
    assert_eq!(fs::read(dir.path().join("empty.py")).unwrap(), b"");
    assert_eq!(fs::read_to_string(dir.path().join("good.py")).unwrap(), EIP_FIXED, "the run goes on for the good file");
}

#[test]
fn mixed_line_endings_lone_carriage_returns_bom_and_tabs_are_kept() {
    // A CRLF file whose later lines end in LF: untouched lines keep theirs, new lines take the
    // file's (its first line's) ending.
    let mixed = "import os\r\nx = y.encode('base64')\nif x:\n\tz = 1\r\n";
    let dir = scratch(&[("mixed.py", mixed), ("cr.py", "import pulumi_aws as aws\reip = aws.ec2.Eip(\"e\", vpc=True)\n")]);
    write(dir.path(), "bom.ts", format!("\u{feff}{}", TS_EIP.replace('\n', "\r\n").replace("  ", "\t")).as_bytes());
    let run = run_in(dir.path(), &["--write"]);
    // tree-sitter's Python grammar does not take a lone CR as a line break: left alone, said so.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_mentions(&run, "cr.py:1: syntax error; the file is left untouched");
    assert_eq!(
        fs::read_to_string(dir.path().join("mixed.py")).unwrap(),
        "import base64\r\nimport os\r\nx = base64.b64encode(y.encode('utf-8')).decode('ascii')\nif x:\n\tz = 1\r\n"
    );
    assert_eq!(fs::read_to_string(dir.path().join("cr.py")).unwrap(), "import pulumi_aws as aws\reip = aws.ec2.Eip(\"e\", vpc=True)\n");
    assert_eq!(fs::read(dir.path().join("bom.ts")).unwrap(), format!("\u{feff}{}", TS_EIP.replace("vpc: true", "domain: \"vpc\"").replace('\n', "\r\n")).as_bytes());
    assert_eq!(run_in(dir.path(), &["--dry-run"]).stdout, "", "a second run changes nothing");
}

#[test]
fn symlinks_are_never_followed_or_written_through() {
    let outside = scratch(&[("target.py", EIP), ("dir/inner.py", EIP)]);
    let dir = scratch(&[("src/good.py", EIP)]);
    let root = dir.path();
    symlink(root, root.join("src/loop")).unwrap();
    symlink(root.join("src/self.py"), root.join("src/self.py")).unwrap();
    symlink(outside.path().join("target.py"), root.join("src/outside.py")).unwrap();
    symlink(outside.path().join("dir"), root.join("src/outside-dir")).unwrap();

    let run = run_in(root, &["--write", "src"]);
    assert_eq!(run.code, 0, "links inside a walked tree are skipped without noise:\n{}", run.stderr);
    assert!(!run.stderr.contains("loop") && !run.stderr.contains("self.py"), "no error spam:\n{}", run.stderr);
    assert_eq!(fs::read_to_string(root.join("src/good.py")).unwrap(), EIP_FIXED);
    assert_eq!(snapshot_tree(outside.path()), vec![("dir/inner.py".into(), EIP.into()), ("target.py".into(), EIP.into())], "nothing written outside the tree");
    assert!(fs::symlink_metadata(root.join("src/outside.py")).unwrap().file_type().is_symlink(), "the link is still a link");

    let named = run_in(root, &["--write", "src/outside.py", "src/loop"]);
    assert_mentions(&named, "src/outside.py: is a symbolic link; pulumi-fix never reads or writes through links");
    assert_mentions(&named, "src/loop: is a symbolic link");
    assert_eq!(fs::read_to_string(outside.path().join("target.py")).unwrap(), EIP);
}

#[test]
fn read_only_files_and_directories_are_not_written() {
    let dir = scratch(&[("ro-file.py", EIP), ("ro-dir/a.py", EIP), ("rw.py", EIP)]);
    let set_mode = |path: &str, mode: u32| fs::set_permissions(dir.path().join(path), fs::Permissions::from_mode(mode)).unwrap();
    set_mode("ro-file.py", 0o444);
    set_mode("ro-dir", 0o555);
    let run = run_in(dir.path(), &["--write"]);
    set_mode("ro-dir", 0o755);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_mentions(&run, "ro-file.py: not written: the file is read-only");
    assert_mentions(&run, "ro-dir/a.py: not written: its directory is read-only");
    assert_eq!(fs::read_to_string(dir.path().join("ro-file.py")).unwrap(), EIP);
    assert_eq!(fs::read_to_string(dir.path().join("ro-dir/a.py")).unwrap(), EIP);
    assert_eq!(fs::read_to_string(dir.path().join("rw.py")).unwrap(), EIP_FIXED, "the run goes on");
    assert_mentions(&run, "applied 1 fix in 1 file.");
    assert_eq!(fs::metadata(dir.path().join("ro-file.py")).unwrap().permissions().mode() & 0o777, 0o444);
}

/// Runs the binary as an ordinary user, so that permissions apply even when the tests run as
/// root: as `nobody`, owning `dir`, when we are root; as ourselves otherwise.
fn run_unprivileged(dir: &Path, args: &[&str]) -> Run {
    let am_root = fs::metadata("/proc/self").unwrap().uid() == 0;
    if !am_root {
        return run_in(dir, args);
    }
    assert!(Command::new("chown").args(["-R", "65534:65534"]).arg(dir).status().unwrap().success());
    let mut command = Command::new("setpriv");
    command.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary()]).args(args);
    command.current_dir(dir).output().expect("run pulumi-fix through setpriv").into()
}

#[test]
fn unreadable_directories_and_files_are_reported_and_the_run_goes_on() {
    let dir = scratch(&[("locked/a.py", EIP), ("secret.py", EIP), ("good.py", EIP)]);
    let set_mode = |path: &str, mode: u32| fs::set_permissions(dir.path().join(path), fs::Permissions::from_mode(mode)).unwrap();
    set_mode("", 0o755);
    set_mode("locked", 0o000);
    set_mode("secret.py", 0o000);
    let run = run_unprivileged(dir.path(), &["--write"]);
    set_mode("locked", 0o755);
    set_mode("secret.py", 0o644);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_mentions(&run, "locked: cannot read");
    assert_mentions(&run, "secret.py: cannot read");
    assert_eq!(fs::read_to_string(dir.path().join("locked/a.py")).unwrap(), EIP);
    assert_eq!(fs::read_to_string(dir.path().join("secret.py")).unwrap(), EIP);
    assert_eq!(fs::read_to_string(dir.path().join("good.py")).unwrap(), EIP_FIXED, "the run goes on");
}

#[test]
fn fifos_and_devices_named_like_source_are_skipped() {
    let dir = scratch(&[("good.py", EIP)]);
    assert!(Command::new("mkfifo").arg(dir.path().join("pipe.py")).status().unwrap().success());
    // Named on the command line (the walk itself only ever yields regular files).
    let run = run_in(dir.path(), &["--write", "pipe.py", "good.py"]);
    assert_eq!(run.code, 0, "a notice, not an error: {}", run.stderr);
    assert_mentions(&run, "pipe.py: not a regular file");
    assert_eq!(fs::read_to_string(dir.path().join("good.py")).unwrap(), EIP_FIXED);
}

#[test]
fn a_file_edited_between_read_and_write_keeps_the_edit() {
    use pulumi_fix::engine::{Engine, EngineOptions};
    use pulumi_fix::lang::Grammar;
    let dir = scratch(&[("a.py", EIP)]);
    let path = dir.path().join("a.py");
    let engine = Engine::new(pulumi_fix::spec::builtin_specs().unwrap(), EngineOptions::default());
    let outcome = engine.process_path(&path, "a.py".into(), Grammar::Python, &[]);
    let (source, fixed) = (outcome.source.unwrap(), outcome.fixed.unwrap());
    // The user saves the file while pulumi-fix works on it.
    let edited = format!("{EIP}# the user's edit\n");
    fs::write(&path, &edited).unwrap();
    let refused = pulumi_fix::write::write_atomically(&path, &source.original_bytes(), &source.bytes_for(&fixed)).unwrap_err();
    assert!(refused.contains("changed on disk since pulumi-fix read it (your edit is kept)"), "{refused}");
    assert_eq!(fs::read_to_string(&path).unwrap(), edited);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left behind");
}

#[test]
fn bad_specs_are_errors_naming_file_and_line_and_touch_nothing() {
    let header = "id = \"bad\"\nlanguage = \"python\"\nsummary = \"s\"\nexplanation = \"e\"\nseed = \"t\"\nsafety = \"safe\"\n";
    let rule = |query: &str, edits: &str| format!("{header}\n[[rule]]\nquery = '{query}'\n{edits}");
    let cases = [
        (format!("{header}colour = \"red\"\n"), "bad.toml:7: invalid codemod spec: unknown field `colour`"),
        (format!("{header}[[rule]\n"), "bad.toml:7: invalid codemod spec"),
        (format!("{header}\n[[rule]]\nquery = \'\'\'\n(call\n  function: (nonsense_node) @f)\n\'\'\'\n"), "bad.toml:11: query does not compile"),
        (rule("(call) @call", "[[rule.edit]]\nreplace = \"call\"\nwith = \"{{callee}}\"\n"), "bad.toml:10: unknown capture `@callee`"),
        (
            rule("((call arguments: (argument_list (_) @arg)) @call)", "[[rule.edit]]\nreplace = \"call\"\nwith = \"f()\"\n[[rule.edit]]\ndelete = \"arg\"\n"),
            "bad.toml:9: the edits of this rule overlap each other",
        ),
        (rule("(list) @list", "[[rule.edit]]\nreplace = \"list\"\nwith = \"{{list}} + [0]\"\n"), "bad.toml:9: this rule's fix still fires after 8 passes, so it never converges"),
    ];
    for (spec, expected) in cases {
        // `a.py` has a fix of the built-in catalog: it must not be written either.
        let dir = scratch(&[("specs/bad.toml", &spec), ("a.py", EIP), ("b.py", "x = [1]\nprint(1)\n")]);
        let run = run_in(dir.path(), &["--codemods", "specs", "--write", "a.py", "b.py"]);
        assert_eq!(run.code, 2, "{spec}\n{}", run.stderr);
        assert!(run.stderr.contains(expected), "expected `{expected}` in:\n{}", run.stderr);
        assert_eq!(fs::read_to_string(dir.path().join("a.py")).unwrap(), EIP, "nothing written after a spec error");
        assert_eq!(fs::read_to_string(dir.path().join("b.py")).unwrap(), "x = [1]\nprint(1)\n");
    }
}

#[test]
fn a_built_in_codemod_that_never_converges_leaves_only_that_file_alone() {
    use pulumi_fix::engine::{Engine, EngineOptions};
    use pulumi_fix::lang::Grammar;
    use pulumi_fix::source::SourceFile;
    let spec = "id = \"grows\"\nlanguage = \"python\"\nsummary = \"s\"\nexplanation = \"e\"\nseed = \"t\"\nsafety = \"safe\"\n\n[[rule]]\nquery = '(list) @list'\n[[rule.edit]]\nreplace = \"list\"\nwith = \"{{list}} + [0]\"\n";
    let dir = scratch(&[("specs/grows.toml", spec)]);
    let mut specs = pulumi_fix::spec::load_dir(&dir.path().join("specs")).unwrap();
    // As if it were embedded: a bug of ours, which must not stop the user's run.
    specs[0].builtin = true;
    let engine = Engine::new(specs, EngineOptions::default());
    let process = |text: &str| engine.process_source(SourceFile::from_bytes(Path::new("a.py"), "a.py".into(), Grammar::Python, text.as_bytes().to_vec()).unwrap(), &[]);
    let odd = process("x = 1\ny = [1]\n");
    assert!(odd.spec_errors.is_empty(), "{:?}", odd.spec_errors);
    assert!(odd.fixed.is_none() && odd.findings.is_empty());
    let [problem] = odd.problems.as_slice() else { panic!("one problem expected: {:?}", odd.problems) };
    assert!(problem.is_error && problem.line == Some(2), "{problem:?}");
    assert!(problem.message.starts_with("internal error in built-in codemod `grows` (this rule's fix still fires after 8 passes"), "{}", problem.message);
    let plain = process("x = 1\n");
    assert!(plain.problems.is_empty() && plain.spec_errors.is_empty());
}

/// Sends `signal` to a `--write` run over many files once `wait_for_writes` says so (at the first
/// sign of writing, or at once), then checks that every file is exactly old or exactly new and
/// that no temporary file is left, whenever the signal landed.
fn interrupt_a_write(signal: &str, wait_for_writes: bool) {
    const FILES: usize = 2000;
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    fs::create_dir(&code).unwrap();
    for i in 0..FILES {
        // Distinct files: the fix of each is recognisable and cannot be confused with another's.
        fs::write(code.join(format!("m{i:04}.py")), EIP.replace("\"e\"", &format!("\"e{i}\""))).unwrap();
    }
    let started_at = fs::metadata(&code).unwrap().modified().unwrap();
    let mut child = Command::new(binary()).args(["--write", "--threads", "2", "code"]).current_dir(dir.path()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    if wait_for_writes {
        // A temporary file or a rename changes the directory's modification time.
        let deadline = Instant::now() + Duration::from_secs(60);
        while fs::metadata(&code).unwrap().modified().unwrap() == started_at && child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    assert!(Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap().success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);

    let mut written = 0;
    for i in 0..FILES {
        let text = fs::read_to_string(code.join(format!("m{i:04}.py"))).unwrap();
        let old = EIP.replace("\"e\"", &format!("\"e{i}\""));
        let new = EIP_FIXED.replace("\"e\"", &format!("\"e{i}\""));
        assert!(text == old || text == new, "m{i:04}.py is neither old nor new:\n{text}");
        written += usize::from(text == new);
    }
    let leftovers: Vec<_> = fs::read_dir(&code).unwrap().flatten().map(|e| e.file_name()).filter(|n| n.to_string_lossy().starts_with(".pulumi-fix-")).collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
    let expected_code = if signal == "-INT" { 130 } else { 143 };
    match output.status.code() {
        // The signal came after the run.
        Some(0) => assert_eq!(written, FILES),
        Some(code) => {
            assert_eq!(code, expected_code, "{stderr}");
            assert!(stderr.contains("interrupted"), "{stderr}");
            if stderr.contains("nothing was changed") {
                assert_eq!(written, 0);
            } else {
                assert!(stderr.contains(&format!("interrupted: wrote {written} of {FILES} fixed files")), "{stderr}");
            }
        }
        // The signal came before the handler was installed: the process ended before any work.
        None => assert_eq!(written, 0, "killed by the signal after writing: {stderr}"),
    }
}

#[test]
fn an_interrupted_write_leaves_every_file_old_or_new_and_no_temporary_file() {
    interrupt_a_write("-INT", true);
    interrupt_a_write("-TERM", true);
    interrupt_a_write("-INT", false);
}
