//! Which pulumi-aws major version a file's program uses, read from the nearest package manifest
//! above the file that names the provider: lock files first (what is installed), then the
//! declared requirement (its lower bound). Python files read Python manifests, TypeScript files
//! npm ones.

use regex::Regex;
use std::path::Path;
use std::sync::LazyLock;

/// The package ecosystem whose manifests describe a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ecosystem {
    Python,
    Node,
}

impl Ecosystem {
    pub fn of(path: &Path) -> Option<Ecosystem> {
        match path.extension()?.to_str()? {
            "py" | "pyi" => Some(Ecosystem::Python),
            "ts" | "tsx" | "mts" | "cts" | "js" | "mjs" | "cjs" => Some(Ecosystem::Node),
            _ => None,
        }
    }

    /// Manifest file names, most authoritative first.
    fn manifests(self) -> &'static [&'static str] {
        match self {
            Ecosystem::Python => &["poetry.lock", "uv.lock", "Pipfile.lock", "requirements.txt", "pyproject.toml", "Pipfile", "setup.cfg", "setup.py"],
            Ecosystem::Node => &["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "package.json"],
        }
    }
}

/// The major version `dir`'s manifests give pulumi-aws, when one of them names it.
pub fn aws_major_in(dir: &Path, ecosystem: Ecosystem) -> Option<u32> {
    ecosystem.manifests().iter().find_map(|name| {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        aws_major_of(name, &text)
    })
}

/// The pulumi-aws major version that the manifest `name` (a file name) holding `text` gives.
pub fn aws_major_of(name: &str, text: &str) -> Option<u32> {
    match name {
        "package-lock.json" | "npm-shrinkwrap.json" => {
            let lock: serde_json::Value = serde_json::from_str(text).ok()?;
            let version = lock["packages"]["node_modules/@pulumi/aws"]["version"].as_str().or_else(|| lock["dependencies"]["@pulumi/aws"]["version"].as_str())?;
            leading_major(version)
        }
        "Pipfile.lock" => {
            let lock: serde_json::Value = serde_json::from_str(text).ok()?;
            ["default", "develop"].iter().find_map(|section| lock[section]["pulumi-aws"]["version"].as_str().and_then(requirement_major))
        }
        "poetry.lock" | "uv.lock" => captured(&LOCKED_PYTHON, text),
        "yarn.lock" => captured(&YARN_LOCK, text),
        "pnpm-lock.yaml" => captured(&PNPM_LOCK, text),
        "package.json" => {
            let manifest: serde_json::Value = serde_json::from_str(text).ok()?;
            ["dependencies", "devDependencies", "peerDependencies"]
                .iter()
                .find_map(|section| manifest[section]["@pulumi/aws"].as_str().and_then(requirement_major))
        }
        _ => PYTHON_REQUIREMENT.captures_iter(text).find_map(|c| requirement_major(&c[1])),
    }
}

/// `version = "6.83.4"` right after `name = "pulumi-aws"` (poetry.lock, uv.lock).
static LOCKED_PYTHON: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"name = "pulumi[-_]aws"\s*\nversion = "(\d+)"#).unwrap());
/// `"@pulumi/aws@^6.0.0":` followed by its `version "6.83.4"` (yarn v1) or `version: 6.83.4` (berry).
static YARN_LOCK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"(?m)^"?@pulumi/aws@[^\n]*:\s*\n\s+version:? "?(\d+)"#).unwrap());
/// `/@pulumi/aws@6.83.4:` or `@pulumi/aws@6.83.4:` package keys (pnpm 6–9).
static PNPM_LOCK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"(?m)^\s+'?/?@pulumi/aws@(\d+)"#).unwrap());
/// `pulumi-aws>=6.0.0,<7`, `pulumi_aws == 6.*`, `pulumi-aws = "^6.0"` (requirements, PEP 621,
/// Poetry, Pipfile, setup.py/cfg): the constraint after the name.
static PYTHON_REQUIREMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?im)(?:^|["'\s,\[])pulumi[-_]aws(?:\[[^\]]*\])?\s*(?:=\s*["'{]?\s*(?:version\s*=\s*["'])?)?([<>=!~^]*\s*v?\d[^"'\n;#]*)"#).unwrap());

fn captured(regex: &Regex, text: &str) -> Option<u32> {
    regex.captures(text).and_then(|c| c[1].parse().ok())
}

/// The major version of `6.83.4`.
fn leading_major(version: &str) -> Option<u32> {
    version.trim().trim_start_matches('v').split('.').next()?.parse().ok()
}

/// The lowest major version a requirement allows: `^6.0.0`, `>=6,<7`, `~=6.1`, `==6.*` give 6;
/// `<7` gives 6; `<=7.2` gives 7. `*` or `latest` say nothing.
fn requirement_major(requirement: &str) -> Option<u32> {
    let first = requirement.split([',', '|']).map(str::trim).find(|part| !part.is_empty())?;
    let number_at = first.find(|c: char| c.is_ascii_digit())?;
    let (operator, version) = first.split_at(number_at);
    let major = leading_major(version)?;
    let only_below_major = operator.trim() == "<" && version.trim_start_matches(|c: char| c.is_ascii_digit()).trim_matches(['.', '0']).is_empty();
    match only_below_major {
        true => major.checked_sub(1),
        false => Some(major),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_requirements_in_every_spelling() {
        let cases = [
            ("requirements.txt", "pulumi>=3.0.0,<4.0.0\npulumi-aws>=6.0.2,<7.0.0\n", Some(6)),
            ("requirements.txt", "pulumi_aws==7.51.1  # pinned\n", Some(7)),
            ("requirements.txt", "pulumi-aws-native==1.0\n", None),
            ("requirements.txt", "pulumi-aws<7\n", Some(6)),
            ("pyproject.toml", "[project]\ndependencies = [\"pulumi>=3\", \"pulumi-aws>=7.0.0\"]\n", Some(7)),
            ("pyproject.toml", "[tool.poetry.dependencies]\npulumi-aws = \"^6.83\"\n", Some(6)),
            ("pyproject.toml", "[tool.poetry.dependencies]\npulumi-aws = { version = \"^7.2\" }\n", Some(7)),
            ("Pipfile", "[packages]\npulumi-aws = \"==6.5.0\"\n", Some(6)),
            ("Pipfile", "[packages]\npulumi-aws = \"*\"\n", None),
            ("setup.py", "install_requires=['pulumi>=3', 'pulumi-aws>=7,<8']\n", Some(7)),
            ("setup.cfg", "[options]\ninstall_requires =\n    pulumi_aws ~= 6.1\n", Some(6)),
            ("poetry.lock", "[[package]]\nname = \"pulumi-aws\"\nversion = \"6.83.4\"\n", Some(6)),
            ("Pipfile.lock", r#"{"default": {"pulumi-aws": {"version": "==7.51.1"}}}"#, Some(7)),
        ];
        for (name, text, expected) in cases {
            assert_eq!(aws_major_of(name, text), expected, "{name}: {text}");
        }
    }

    #[test]
    fn npm_manifests_and_locks() {
        let cases = [
            ("package.json", r#"{"dependencies": {"@pulumi/pulumi": "^3.0.0", "@pulumi/aws": "^6.0.0"}}"#, Some(6)),
            ("package.json", r#"{"devDependencies": {"@pulumi/aws": "7.48.0"}}"#, Some(7)),
            ("package.json", r#"{"dependencies": {"@pulumi/awsx": "^2.0.0"}}"#, None),
            ("package-lock.json", r#"{"packages": {"node_modules/@pulumi/aws": {"version": "6.83.4"}}}"#, Some(6)),
            ("yarn.lock", "\"@pulumi/aws@^7.0.0\":\n  version \"7.48.0\"\n", Some(7)),
            ("yarn.lock", "\"@pulumi/aws@npm:^6.0.0\":\n  version: 6.83.4\n", Some(6)),
            ("pnpm-lock.yaml", "packages:\n\n  '@pulumi/aws@7.48.0':\n    resolution: {}\n", Some(7)),
            ("pnpm-lock.yaml", "packages:\n  /@pulumi/aws@6.83.4:\n    resolution: {}\n", Some(6)),
        ];
        for (name, text, expected) in cases {
            assert_eq!(aws_major_of(name, text), expected, "{name}: {text}");
        }
    }

    #[test]
    fn the_lock_file_wins_over_the_declared_range() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("package.json"), r#"{"dependencies": {"@pulumi/aws": ">=6.0.0"}}"#).unwrap();
        assert_eq!(aws_major_in(dir.path(), Ecosystem::Node), Some(6));
        std::fs::write(dir.path().join("package-lock.json"), r#"{"packages": {"node_modules/@pulumi/aws": {"version": "7.48.0"}}}"#).unwrap();
        assert_eq!(aws_major_in(dir.path(), Ecosystem::Node), Some(7));
        assert_eq!(aws_major_in(dir.path(), Ecosystem::Python), None, "npm manifests say nothing about Python files");
    }
}
