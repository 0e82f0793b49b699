//! The bot and CI integrations end to end: the GitHub Action's script (`scripts/action.sh`, what
//! `action.yml` runs) in fix mode on a git repository of broken programs, committed on a branch
//! as `create-pull-request` would; its check mode; and the pre-commit hooks as declared.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

/// Runs `scripts/action.sh run` in `repo` with the action's environment; returns the run and
/// the step outputs it wrote to `$GITHUB_OUTPUT`.
fn action(repo: &Path, mode: &str, summary: &Path) -> (Run, BTreeMap<String, String>) {
    let outputs = tempfile::NamedTempFile::new().unwrap();
    let step_summary = tempfile::NamedTempFile::new().unwrap();
    let run: Run = Command::new("bash")
        .arg(repo_root().join("scripts/action.sh"))
        .arg("run")
        .current_dir(repo)
        .env("PULUMI_FIX_BIN", binary())
        .env("PULUMI_FIX_MODE", mode)
        .env("PULUMI_FIX_SUMMARY", summary)
        .env("GITHUB_OUTPUT", outputs.path())
        .env("GITHUB_STEP_SUMMARY", step_summary.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run scripts/action.sh")
        .into();
    let outputs = fs::read_to_string(outputs.path()).unwrap().lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(fs::read_to_string(step_summary.path()).unwrap(), fs::read_to_string(summary).unwrap_or_default(), "the job summary shows the Markdown body");
    (run, outputs)
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let run = git(dir, args);
    assert_eq!(run.code, 0, "git {args:?}: {}", run.stderr);
    run.stdout
}

#[test]
fn the_bot_fixes_commits_on_a_branch_and_describes_every_fix() {
    let repo = fixture_copy("bot-repo");
    let vendored = fs::read(repo.path().join("vendor/thirdparty.py")).unwrap();
    git_ok(repo.path(), &["init", "-q", "-b", "main"]);
    git_ok(repo.path(), &["add", "-A"]);
    git_ok(repo.path(), &["commit", "-q", "-m", "Pulumi programs written for pulumi-aws 6"]);

    // What the bot will fix, as the JSON report tells it before anything is written.
    let before = run_in(repo.path(), &["--dry-run", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&before.stdout).unwrap();
    let expected: Vec<(String, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["fix"]["applied"], true, "every finding of this repository has a safe fix: {f}");
            (f["file"].as_str().unwrap().to_string(), f["range"]["start"]["line"].as_u64().unwrap(), f["codemod"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(expected.len(), 6, "{}", before.stdout);

    let scratch_dir = tempfile::tempdir().unwrap();
    let body_path = scratch_dir.path().join("body.md");
    let (run, outputs) = action(repo.path(), "fix", &body_path);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(outputs["exit-code"], "0");
    assert_eq!(outputs["changed"], "true");
    assert_eq!(outputs["summary-file"], body_path.display().to_string());

    // What create-pull-request does: commit everything on a new branch.
    git_ok(repo.path(), &["checkout", "-q", "-b", "pulumi-fix/fixes"]);
    git_ok(repo.path(), &["add", "-A"]);
    git_ok(repo.path(), &["commit", "-q", "-m", "Fix Pulumi programs with pulumi-fix"]);
    let committed = git_ok(repo.path(), &["diff", "--name-only", "main", "pulumi-fix/fixes"]);
    assert_eq!(committed, "network/Pulumi.yaml\nnetwork/__main__.py\nweb/index.ts\n", "the summary stays outside the commit, vendor/ is excluded");
    assert_eq!(fs::read(repo.path().join("vendor/thirdparty.py")).unwrap(), vendored);

    // The committed tree, checked out fresh, has nothing left to fix.
    let clone = tempfile::tempdir().unwrap();
    let cloned = Command::new("git").args(["clone", "-q", "-b", "pulumi-fix/fixes"]).arg(repo.path()).arg(clone.path()).output().unwrap();
    assert!(cloned.status.success(), "{}", String::from_utf8_lossy(&cloned.stderr));
    let after = run_in(clone.path(), &["--dry-run"]);
    assert_eq!((after.code, after.stdout.as_str()), (0, ""), "{}", after.stderr);
    let (check, _) = action(clone.path(), "check", &scratch_dir.path().join("check.md"));
    assert_eq!((check.code, check.stdout.as_str()), (0, ""), "check mode passes on the fixed tree: {}", check.stderr);

    // The pull request body lists every fix that was applied, under its codemod.
    let body = fs::read_to_string(&body_path).unwrap();
    assert!(body.starts_with("## pulumi-fix: 6 fixes in 3 files\n"), "{body}");
    for (file, line, codemod) in &expected {
        let section = body.split("\n### ").find(|s| s.starts_with(&format!("`{codemod}`"))).unwrap_or_else(|| panic!("no section for {codemod}:\n{body}"));
        assert!(section.contains(&format!("- `{file}:{line}` ")), "{file}:{line} missing under {codemod}:\n{body}");
    }
    assert!(!body.contains("Needs review") && !body.contains("Not fixed automatically"), "{body}");
}

#[test]
fn check_mode_annotates_and_fails_while_fixes_are_pending() {
    let repo = fixture_copy("bot-repo");
    let summary = tempfile::tempdir().unwrap();
    let before = snapshot_tree(repo.path());
    let (run, outputs) = action(repo.path(), "check", &summary.path().join("check.md"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!((outputs["exit-code"].as_str(), outputs["changed"].as_str()), ("1", "false"));
    let annotations: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(annotations.len(), 6, "{}", run.stdout);
    assert!(annotations.iter().all(|a| a.starts_with("::warning file=")), "{}", run.stdout);
    assert!(run.stdout.contains("::warning file=web/index.ts,line=3,col=19,"), "{}", run.stdout);
    assert_eq!(snapshot_tree(repo.path()), before, "check mode writes nothing");

    let bad_mode = Command::new("bash").arg(repo_root().join("scripts/action.sh")).arg("run").current_dir(repo.path()).env("PULUMI_FIX_BIN", binary()).env("PULUMI_FIX_MODE", "fixx").output().unwrap();
    assert_eq!(bad_mode.status.code(), Some(2));
}

#[test]
fn action_yml_runs_the_script_and_hands_the_summary_to_create_pull_request() {
    let action = fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let doc = &yaml_rust2::YamlLoader::load_from_str(&action).unwrap()[0];
    assert_eq!(doc["runs"]["using"].as_str(), Some("composite"));
    let steps = doc["runs"]["steps"].as_vec().unwrap();
    let run_lines: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert_eq!(run_lines, ["bash \"$GITHUB_ACTION_PATH/scripts/action.sh\" install", "bash \"$GITHUB_ACTION_PATH/scripts/action.sh\" run"]);
    let run_step = steps.iter().find(|s| s["id"].as_str() == Some("run")).unwrap();
    for (variable, input) in [("PULUMI_FIX_MODE", "mode"), ("PULUMI_FIX_PATHS", "paths"), ("PULUMI_FIX_ARGS", "args")] {
        assert_eq!(run_step["env"][variable].as_str(), Some(format!("${{{{ inputs.{input} }}}}").as_str()));
        assert!(!doc["inputs"][input]["description"].is_badvalue(), "input {input} is documented");
    }
    let pr = steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("peter-evans/create-pull-request@"))).expect("a create-pull-request step");
    assert_eq!(pr["with"]["body-path"].as_str(), Some("${{ steps.run.outputs.summary-file }}"));
    assert_eq!(pr["if"].as_str(), Some("inputs.mode == 'fix' && steps.run.outputs.changed == 'true'"));
}

#[test]
fn pre_commit_hooks_select_pulumi_files_and_fix_or_check_them() {
    let hooks_yaml = fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks = yaml_rust2::YamlLoader::load_from_str(&hooks_yaml).unwrap().remove(0);
    let hooks: BTreeMap<&str, &yaml_rust2::Yaml> = hooks.as_vec().unwrap().iter().map(|h| (h["id"].as_str().unwrap(), h)).collect();
    assert_eq!(hooks.keys().copied().collect::<Vec<_>>(), ["pulumi-fix", "pulumi-fix-check"]);

    let names = ["network/__main__.py", "network/Pulumi.yaml", "web/index.ts", "web/Pulumi.yaml", "vendor/thirdparty.py", "pulumi-fix.toml", "types/index.d.ts", "docker-compose.yaml", "Pulumi.dev.yml", "app/page.tsx"];
    for (id, hook) in &hooks {
        assert_eq!(hook["language"].as_str(), Some("rust"), "{id}: pre-commit builds it with cargo");
        let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
        let exclude = regex::Regex::new(hook["exclude"].as_str().unwrap()).unwrap();
        let selected: Vec<&str> = names.iter().copied().filter(|n| files.is_match(n) && !exclude.is_match(n)).collect();
        assert_eq!(selected, ["network/__main__.py", "network/Pulumi.yaml", "web/index.ts", "web/Pulumi.yaml", "vendor/thirdparty.py", "Pulumi.dev.yml", "app/page.tsx"], "{id}");
    }

    // Run each entry as pre-commit does: the entry's words, then the staged file names.
    let entry = |id: &str, repo: &Path| {
        let words: Vec<&str> = hooks[id]["entry"].as_str().unwrap().split_whitespace().collect();
        assert_eq!(words[0], "pulumi-fix");
        let files = ["network/__main__.py", "network/Pulumi.yaml", "web/index.ts", "web/Pulumi.yaml", "vendor/thirdparty.py"];
        run_in(repo, &[&words[1..], &files[..]].concat())
    };
    let repo = fixture_copy("bot-repo");
    let check = entry("pulumi-fix-check", repo.path());
    assert_eq!(check.code, 1, "the check hook fails while fixes are pending: {}", check.stderr);
    let fix = entry("pulumi-fix", repo.path());
    assert_eq!(fix.code, 0, "{}", fix.stderr);
    assert!(fs::read_to_string(repo.path().join("web/index.ts")).unwrap().contains("domain: \"vpc\""));
    assert!(fs::read_to_string(repo.path().join("vendor/thirdparty.py")).unwrap().contains("vpc=True"), "the configuration's exclude holds for named files");
    assert_eq!(entry("pulumi-fix-check", repo.path()).code, 0, "and passes once they are applied");
}
