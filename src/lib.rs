//! pulumi-fix: codemods for Pulumi programs.
//!
//! Data flows one way: `walk` → `source` (read) → `lang` (parse) → `project` + `index` → `engine`
//! (match specs with `query`, collect edits, guard, fixed point) → `report` → `write`.

pub mod cli;
pub mod config;
pub mod engine;
pub mod index;
pub mod interrupt;
pub mod lang;
pub mod project;
pub mod query;
pub mod report;
pub mod source;
pub mod spec;
pub mod transforms;
pub mod walk;
pub mod write;
