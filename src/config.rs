//! The configuration file: `pulumi-fix.toml`, or a `[tool.pulumi-fix]` table in `pyproject.toml`,
//! found upward from the paths being fixed. Parsing and validation only; merging it with the
//! command line is the CLI's job.
//!
//! Errors are located to `file:line` like spec errors, so they reuse [`SpecError`].

use crate::spec::{SpecError, line_of};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use toml::Spanned;

pub const CONFIG_FILE: &str = "pulumi-fix.toml";
pub const PYPROJECT_FILE: &str = "pyproject.toml";

/// A value from the configuration file, with the line it is on (for error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
}

/// The pulumi-aws version a program targets: `"7"`, `"6.83"` or `"6.83.1"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TargetVersion {
    pub major: u32,
    pub minor: Option<u32>,
    pub patch: Option<u32>,
}

impl TargetVersion {
    pub fn parse(text: &str) -> Result<TargetVersion, String> {
        let bad = || format!("`{text}` is not a pulumi-aws version; write it like \"7\" or \"6.83\"");
        let parts: Vec<&str> = text.trim().split('.').collect();
        if parts.len() > 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(bad());
        }
        let number = |i: usize| parts.get(i).map(|p| p.parse::<u32>().map_err(|_| bad())).transpose();
        Ok(TargetVersion { major: number(0)?.ok_or_else(bad)?, minor: number(1)?, patch: number(2)? })
    }
}

impl std::fmt::Display for TargetVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.major)?;
        for part in [self.minor, self.patch].into_iter().flatten() {
            write!(f, ".{part}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from.
    pub file: PathBuf,
    /// Its directory: relative paths and globs in the file are relative to it.
    pub dir: PathBuf,
    pub select: Option<Vec<Located<String>>>,
    pub ignore: Vec<Located<String>>,
    /// Codemods run on top of `select` (opt-in ones included).
    pub extend_select: Vec<Located<String>>,
    /// Gitignore-style patterns, relative to `dir`.
    pub exclude: Vec<Located<String>>,
    /// Directories of extra codemod specs, resolved against `dir`.
    pub extend_codemods: Vec<PathBuf>,
    pub unsafe_fixes: Option<bool>,
    pub target_pulumi_aws: Option<TargetVersion>,
    /// Gitignore-style pattern → codemod ids not to run on the files it matches.
    pub per_file_ignores: Vec<(Located<String>, Vec<Located<String>>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    extend_codemods: Vec<Spanned<String>>,
    unsafe_fixes: Option<bool>,
    target: Option<RawTarget>,
    #[serde(default)]
    per_file_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    #[serde(rename = "pulumi-aws")]
    pulumi_aws: Option<Spanned<RawVersion>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawVersion {
    Text(String),
    Integer(i64),
    Float(f64),
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTools>,
}

#[derive(Deserialize)]
struct PyprojectTools {
    #[serde(rename = "pulumi-fix")]
    pulumi_fix: Option<RawConfig>,
}

/// `path` made absolute against the working directory, with `.` and `..` resolved lexically
/// (links are not followed, so a path and the configuration's directory compare as written).
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The configuration that applies to `path` (a file or directory): the nearest
/// `pulumi-fix.toml`, or `pyproject.toml` with a `[tool.pulumi-fix]` table, in its directory or
/// above. In one directory `pulumi-fix.toml` wins.
pub fn discover(path: &Path) -> Result<Option<Config>, SpecError> {
    let start = absolute(path);
    let start = if start.is_dir() { start } else { start.parent().map(Path::to_path_buf).unwrap_or(start) };
    for dir in start.ancestors() {
        let own = dir.join(CONFIG_FILE);
        if own.is_file() {
            return load(&own).map(Some);
        }
        let pyproject = dir.join(PYPROJECT_FILE);
        if pyproject.is_file() {
            let text = read(&pyproject)?;
            // Only a pyproject that mentions us is parsed: a broken one that does not is none of our business.
            if text.contains("pulumi-fix")
                && let Some(config) = parse_pyproject(&pyproject, &text)?
            {
                return Ok(Some(config));
            }
        }
    }
    Ok(None)
}

/// Reads a configuration file named on the command line (`--config`).
pub fn load(path: &Path) -> Result<Config, SpecError> {
    let path = absolute(path);
    let text = read(&path)?;
    if path.file_name().is_some_and(|n| n == PYPROJECT_FILE) {
        return parse_pyproject(&path, &text)?.ok_or_else(|| SpecError {
            path: shown(&path),
            line: 1,
            message: "no [tool.pulumi-fix] table in this pyproject.toml; add one or name a pulumi-fix.toml".into(),
        });
    }
    let raw: RawConfig = toml::from_str(&text).map_err(|e| toml_error(&path, &text, &e))?;
    validate(&path, &text, raw)
}

fn read(path: &Path) -> Result<String, SpecError> {
    std::fs::read_to_string(path).map_err(|e| SpecError { path: shown(path), line: 0, message: format!("cannot read the configuration: {e}") })
}

fn parse_pyproject(path: &Path, text: &str) -> Result<Option<Config>, SpecError> {
    let project: Pyproject = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    match project.tool.and_then(|t| t.pulumi_fix) {
        Some(raw) => validate(path, text, raw).map(Some),
        None => Ok(None),
    }
}

/// How a configuration file is named in messages: relative to the working directory when below it.
pub fn shown(path: &Path) -> String {
    crate::walk::display_path(path)
}

fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> SpecError {
    let line = error.span().map_or(1, |s| line_of(text, s.start));
    SpecError { path: shown(path), line, message: format!("invalid pulumi-fix configuration: {}", error.message().trim()) }
}

fn validate(path: &Path, text: &str, raw: RawConfig) -> Result<Config, SpecError> {
    let located = |s: Spanned<String>| Located { line: line_of(text, s.span().start), value: s.into_inner() };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let target_pulumi_aws = match raw.target.and_then(|t| t.pulumi_aws) {
        None => None,
        Some(spanned) => {
            let line = line_of(text, spanned.span().start);
            let parsed = match spanned.into_inner() {
                RawVersion::Text(s) => TargetVersion::parse(&s),
                RawVersion::Integer(n) => TargetVersion::parse(&n.to_string()),
                RawVersion::Float(n) => Err(format!("write the version as a string, \"{n}\", so that a minor version like \"6.10\" keeps its zero")),
            };
            let version = parsed.map_err(|message| SpecError { path: shown(path), line, message: format!("`target.pulumi-aws`: {message}") })?;
            Some(version)
        }
    };
    let mut extend_codemods = Vec::new();
    for spanned in raw.extend_codemods {
        let codemods = dir.join(spanned.get_ref());
        if !codemods.is_dir() {
            let line = line_of(text, spanned.span().start);
            let message = format!("`extend-codemods`: `{}` is not a directory (paths are relative to this file)", spanned.get_ref());
            return Err(SpecError { path: shown(path), line, message });
        }
        extend_codemods.push(codemods);
    }
    Ok(Config {
        file: path.to_path_buf(),
        select: raw.select.map(|ids| ids.into_iter().map(located).collect()),
        ignore: raw.ignore.into_iter().map(located).collect(),
        extend_select: raw.extend_select.into_iter().map(located).collect(),
        exclude: raw.exclude.into_iter().map(located).collect(),
        extend_codemods,
        unsafe_fixes: raw.unsafe_fixes,
        target_pulumi_aws,
        per_file_ignores: raw.per_file_ignores.into_iter().map(|(pattern, ids)| (located(pattern), ids.into_iter().map(located).collect())).collect(),
        dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn target_versions() {
        assert_eq!(TargetVersion::parse("7").unwrap(), TargetVersion { major: 7, minor: None, patch: None });
        assert_eq!(TargetVersion::parse("6.83").unwrap().to_string(), "6.83");
        assert_eq!(TargetVersion::parse("6.83.1").unwrap().patch, Some(1));
        for bad in ["", "v7", "7.", "seven", "7.0.0.1", "-1", "99999999999"] {
            assert!(TargetVersion::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn absolute_resolves_dots_lexically() {
        assert_eq!(absolute(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }

    #[test]
    fn full_file_parses() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(CONFIG_FILE);
        fs::create_dir(dir.path().join("specs")).unwrap();
        fs::write(
            &file,
            "select = [\"eip-vpc-domain\"]\nignore = [\"base64-codec\"]\nexclude = [\"generated/\"]\nextend-codemods = [\"specs\"]\nunsafe-fixes = true\n\n[target]\npulumi-aws = \"6.83\"\n\n[per-file-ignores]\n\"tests/**\" = [\"output-misuse\"]\n",
        )
        .unwrap();
        let config = load(&file).unwrap();
        assert_eq!(config.select.unwrap()[0], Located { value: "eip-vpc-domain".into(), line: 1 });
        assert_eq!(config.ignore[0].line, 2);
        assert_eq!(config.extend_codemods, vec![dir.path().join("specs")]);
        assert_eq!(config.unsafe_fixes, Some(true));
        assert_eq!(config.target_pulumi_aws.unwrap().major, 6);
        assert_eq!(config.per_file_ignores[0].0, Located { value: "tests/**".into(), line: 11 });
        assert_eq!(config.per_file_ignores[0].1[0].line, 11);
    }

    #[test]
    fn errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(CONFIG_FILE);
        let cases = [
            ("select = []\ncolour = \"red\"\n", 2, "unknown field `colour`"),
            ("\n\n[target]\npulumi-aws = \"seven\"\n", 4, "`target.pulumi-aws`: `seven` is not a pulumi-aws version"),
            ("[target]\npulumi-aws = 6.1\n", 2, "write the version as a string"),
            ("unsafe-fixes = \"yes\"\n", 1, "invalid pulumi-fix configuration"),
        ];
        for (text, line, message) in cases {
            fs::write(&file, text).unwrap();
            let error = load(&file).unwrap_err();
            assert_eq!(error.line, line, "{text}: {error}");
            assert!(error.message.contains(message), "{text}: {error}");
            assert!(error.path.ends_with(CONFIG_FILE));
        }
    }

    #[test]
    fn discovery_walks_up_and_prefers_our_file() {
        let root = tempfile::tempdir().unwrap();
        let deep = root.path().join("a/b/c");
        fs::create_dir_all(&deep).unwrap();
        assert!(discover(&deep).unwrap().is_none_or(|c| !c.file.starts_with(root.path())), "no config yet");

        fs::write(root.path().join(PYPROJECT_FILE), "[project]\nname = \"x\"\n\n[tool.pulumi-fix]\nignore = [\"x\"]\n").unwrap();
        let found = discover(&deep.join("main.py")).unwrap().unwrap();
        assert_eq!(found.file, root.path().join(PYPROJECT_FILE));
        assert_eq!(found.ignore[0].line, 5, "lines count from the top of pyproject.toml");

        fs::write(root.path().join("a/pyproject.toml"), "[project]\nname = \"no section here\"\n").unwrap();
        assert_eq!(discover(&deep).unwrap().unwrap().file, root.path().join(PYPROJECT_FILE), "a pyproject without our table is skipped");

        fs::write(root.path().join(CONFIG_FILE), "").unwrap();
        assert_eq!(discover(&deep).unwrap().unwrap().file, root.path().join(CONFIG_FILE), "pulumi-fix.toml wins in one directory");

        fs::write(root.path().join("a/b").join(CONFIG_FILE), "unsafe-fixes = true\n").unwrap();
        let nearest = discover(&deep).unwrap().unwrap();
        assert_eq!((nearest.dir, nearest.unsafe_fixes), (root.path().join("a/b"), Some(true)), "the nearest wins");
    }
}
