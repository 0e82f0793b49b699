//! The settings of one run: the configuration file merged with the command line, which wins.
//!
//! `--select` replaces the file's `select` and `ignore` (the selection starts afresh);
//! `--ignore`, `--exclude` and `--codemods` add to its `ignore`, `exclude` and `extend-codemods`;
//! `--unsafe-fixes` / `--no-unsafe-fixes` and `--target-pulumi-aws` replace its values.

use super::Cli;
use crate::config::{self, Config, TargetVersion};
use crate::spec::{Spec, SpecError, UpgradePack};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A codemod id, with where it was written (for "unknown id" errors).
#[derive(Debug, Clone)]
pub struct IdRef {
    pub id: String,
    pub origin: String,
    pub line: usize,
}

const COMMAND_LINE: &str = "<command line>";

#[derive(Debug)]
pub struct Settings {
    /// The configuration file in effect, if any.
    pub config_file: Option<PathBuf>,
    /// Empty: every codemod.
    pub select: Vec<IdRef>,
    /// Run on top of `select`, opt-in codemods included.
    pub extend_select: Vec<IdRef>,
    pub ignore: Vec<IdRef>,
    pub codemod_dirs: Vec<PathBuf>,
    pub unsafe_fixes: bool,
    pub target_pulumi_aws: Option<TargetVersion>,
    /// `--upgrade aws@7`: only that pack's codemods (and earlier jumps') run, targeting its major.
    pub upgrade: Option<UpgradePack>,
    excludes: Vec<Gitignore>,
    per_file_ignores: Vec<(Gitignore, Vec<IdRef>)>,
    /// The working directory, once: patterns match absolute paths, and the walk asks per entry.
    cwd: PathBuf,
}

impl Settings {
    pub fn resolve(cli: &Cli, roots: &[PathBuf]) -> Result<Settings, Vec<SpecError>> {
        let config = if cli.isolated {
            None
        } else if let Some(path) = &cli.config {
            Some(config::load(path).map_err(|e| vec![e])?)
        } else {
            discover_one(roots)?
        };
        let from_cli = |ids: &[String]| ids.iter().map(|id| IdRef { id: id.clone(), origin: COMMAND_LINE.into(), line: 0 }).collect::<Vec<_>>();
        let mut settings = Settings {
            config_file: None,
            select: from_cli(&cli.select),
            extend_select: from_cli(&cli.extend_select),
            ignore: from_cli(&cli.ignore),
            codemod_dirs: Vec::new(),
            unsafe_fixes: cli.unsafe_fixes,
            target_pulumi_aws: cli.target_pulumi_aws,
            upgrade: cli.upgrade,
            excludes: Vec::new(),
            per_file_ignores: Vec::new(),
            cwd: config::absolute(Path::new(".")),
        };
        let mut errors = Vec::new();
        if let Some(config) = config {
            let origin = config::shown(&config.file);
            let from_file = |ids: &[config::Located<String>]| {
                ids.iter().map(|l| IdRef { id: l.value.clone(), origin: origin.clone(), line: l.line }).collect::<Vec<_>>()
            };
            // A `--select` starts the selection afresh, as a later layer: the file's lists go.
            if cli.select.is_empty() {
                settings.select = config.select.as_deref().map(from_file).unwrap_or_default();
                settings.ignore.extend(from_file(&config.ignore));
            }
            settings.extend_select.extend(from_file(&config.extend_select));
            settings.codemod_dirs.extend(config.extend_codemods.iter().map(|d| PathBuf::from(crate::walk::display_path(d))));
            if !cli.unsafe_fixes && !cli.no_unsafe_fixes {
                settings.unsafe_fixes = config.unsafe_fixes.unwrap_or(false);
            }
            settings.target_pulumi_aws = cli.target_pulumi_aws.or(config.target_pulumi_aws);
            match patterns(&config.dir, config.exclude.iter().map(|l| (l.value.as_str(), l.line)), &origin) {
                Ok(excludes) => settings.excludes.push(excludes),
                Err(e) => errors.push(e),
            }
            for (pattern, ids) in &config.per_file_ignores {
                match patterns(&config.dir, [(pattern.value.as_str(), pattern.line)], &origin) {
                    Ok(matcher) => settings.per_file_ignores.push((matcher, from_file(ids))),
                    Err(e) => errors.push(e),
                }
            }
            settings.config_file = Some(config.file);
        }
        settings.codemod_dirs.extend(cli.codemod_dirs.iter().cloned());
        if let Some(pack) = settings.upgrade {
            settings.target_pulumi_aws = Some(TargetVersion { major: pack.major, minor: None, patch: None });
        }
        match patterns(&settings.cwd, cli.exclude.iter().map(|p| (p.as_str(), 0)), COMMAND_LINE) {
            Ok(excludes) => settings.excludes.push(excludes),
            Err(e) => errors.push(e),
        }
        if errors.is_empty() { Ok(settings) } else { Err(errors) }
    }

    /// Whether the configuration excludes `path` (a directory when `is_dir`).
    pub fn excluded(&self, path: &Path, is_dir: bool) -> bool {
        if self.excludes.iter().all(Gitignore::is_empty) {
            return false;
        }
        let path = config::absolute(&self.cwd.join(path));
        self.excludes.iter().any(|matcher| matches(matcher, &path, is_dir))
    }

    /// The codemods the per-file ignores turn off for the file at `path`.
    pub fn ignored_in(&self, path: &Path) -> Vec<String> {
        if self.per_file_ignores.is_empty() {
            return Vec::new();
        }
        let path = config::absolute(&self.cwd.join(path));
        self.per_file_ignores.iter().filter(|(matcher, _)| matches(matcher, &path, false)).flat_map(|(_, ids)| ids.iter().map(|i| i.id.clone())).collect()
    }

    /// Whether a codemod runs at all (opt-in ones: see [`Settings::chosen`]). With `--upgrade`,
    /// the pack (every jump up to its major) is the selection, and `extend-select` adds to it.
    pub fn runs(&self, spec: &Spec) -> bool {
        let id = spec.id.as_str();
        let selected = match self.upgrade {
            Some(pack) => spec.upgrade.is_some_and(|u| u.package == pack.package && u.major <= pack.major) || self.extend_select.iter().any(|s| s.id == id),
            None => self.select.is_empty() || self.names(id),
        };
        selected && !self.ignore.iter().any(|s| s.id == id)
    }

    /// Whether `select` or `extend-select` names `id`.
    fn names(&self, id: &str) -> bool {
        self.select.iter().chain(&self.extend_select).any(|s| s.id == id)
    }

    /// The specs that run: opt-in ones only when named, and without those that a running spec
    /// `replaces` (an opt-in alternative turns the default off).
    pub fn chosen(&self, specs: Vec<Spec>) -> Vec<Spec> {
        let running: Vec<Spec> = specs.into_iter().filter(|s| !s.opt_in || self.names(&s.id)).collect();
        let replaced: BTreeSet<String> = running.iter().flat_map(|s| s.replaces.iter().cloned()).collect();
        running.into_iter().filter(|s| !replaced.contains(&s.id)).collect()
    }

    /// Every id the settings name that is not a codemod.
    pub fn unknown_ids(&self, known: &BTreeSet<&str>) -> Vec<SpecError> {
        let named = self.select.iter().chain(&self.extend_select).chain(&self.ignore).chain(self.per_file_ignores.iter().flat_map(|(_, ids)| ids));
        named
            .filter(|r| !known.contains(r.id.as_str()))
            .map(|r| SpecError { path: r.origin.clone(), line: r.line, message: format!("unknown codemod id `{}`; run `pulumi-fix --list`", r.id) })
            .collect()
    }
}

/// The one configuration for all `roots`; paths under different configurations are an error,
/// since one run has one set of codemods.
fn discover_one(roots: &[PathBuf]) -> Result<Option<Config>, Vec<SpecError>> {
    let mut found: Option<Config> = None;
    for root in roots {
        let Some(config) = config::discover(root).map_err(|e| vec![e])? else { continue };
        match &found {
            Some(first) if first.file != config.file => {
                return Err(vec![SpecError {
                    path: config::shown(&config.file),
                    line: 0,
                    message: format!(
                        "`{}` is under this configuration, but an earlier path is under {}; run pulumi-fix once per project, or name one with --config",
                        root.display(),
                        config::shown(&first.file)
                    ),
                }]);
            }
            Some(_) => {}
            None => found = Some(config),
        }
    }
    Ok(found)
}

/// Gitignore-style patterns relative to `dir`, each error located to its line.
fn patterns<'a>(dir: &Path, lines: impl IntoIterator<Item = (&'a str, usize)>, origin: &str) -> Result<Gitignore, SpecError> {
    let mut builder = GitignoreBuilder::new(dir);
    for (pattern, line) in lines {
        builder.add_line(None, pattern).map_err(|e| SpecError { path: origin.into(), line, message: format!("bad pattern `{pattern}`: {e}") })?;
    }
    builder.build().map_err(|e| SpecError { path: origin.into(), line: 0, message: format!("bad patterns: {e}") })
}

fn matches(matcher: &Gitignore, path: &Path, is_dir: bool) -> bool {
    path.starts_with(matcher.path()) && matcher.matched_path_or_any_parents(path, is_dir).is_ignore()
}
