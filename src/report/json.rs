//! `--format json`: one stable document, `"version": 1`, described by
//! `schemas/report-v1.schema.json` (tests check every report against it).

use super::{Mode, RunReport};
use serde_json::{Value, json};

pub fn render_json(report: &RunReport) -> String {
    let findings: Vec<Value> = report
        .files
        .iter()
        .flat_map(|file| {
            file.findings.iter().map(move |f| {
                let edits: Vec<Value> = f
                    .fix
                    .iter()
                    .flat_map(|fix| &fix.edits)
                    .map(|e| json!({"start": e.range.start, "end": e.range.end, "replacement": e.replacement}))
                    .collect();
                let mut finding = json!({
                    "file": file.display,
                    "codemod": f.spec.id,
                    "safety": f.spec.safety.name(),
                    "seed": f.spec.seed,
                    "message": f.message,
                    "range": {
                        "start": {"line": f.location.start.0, "column": f.location.start.1},
                        "end": {"line": f.location.end.0, "column": f.location.end.1},
                        "byte_start": f.location.byte_range.0,
                        "byte_end": f.location.byte_range.1,
                    },
                    "fix": match &f.fix {
                        Some(fix) => json!({"applied": f.applied, "pass": fix.pass, "edits": edits}),
                        None => Value::Null,
                    },
                });
                if let Some(creates) = &f.creates {
                    finding["creates"] = json!(creates);
                }
                finding
            })
        })
        .collect();
    let problems: Vec<Value> =
        report.problems().map(|p| json!({"file": p.file, "line": p.line, "message": p.message, "is_error": p.is_error})).collect();
    let document = json!({
        "version": 1,
        "mode": match report.mode { Mode::DryRun => "dry-run", Mode::Write => "write" },
        "files_scanned": report.files_scanned,
        "files_changed": report.files.iter().filter(|f| f.changed).map(|f| f.display.clone()).collect::<Vec<_>>(),
        "findings": findings,
        "suppressed": report.suppressed(),
        "problems": problems,
        "exit_code": report.exit_code(),
    });
    serde_json::to_string_pretty(&document).expect("JSON values always serialize") + "\n"
}
