//! Reading a file into text the engine can edit, and giving back the exact bytes on write:
//! a UTF-8 byte-order mark is set aside and restored, line endings are kept as they are.

use crate::lang::Grammar;
use std::fmt;
use std::path::{Path, PathBuf};

/// Files above this size are skipped: they are generated code or data, not hand-written programs.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

const BOM: &str = "\u{feff}";

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as reports print it (relative to the working directory when possible).
    pub display: String,
    pub grammar: Grammar,
    pub has_bom: bool,
    /// The text without the byte-order mark.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub display: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.display, line, self.message),
            None => write!(f, "{}: {}", self.display, self.message),
        }
    }
}

impl SourceFile {
    pub fn read(path: &Path, display: String, grammar: Grammar) -> Result<SourceFile, ReadError> {
        let fail = |line: Option<usize>, message: String| ReadError { display: display.clone(), line, message };
        let metadata = std::fs::metadata(path).map_err(|e| fail(None, format!("cannot read: {e}")))?;
        if !metadata.is_file() {
            // A FIFO or a device would block the read or never end.
            return Err(fail(None, "skipped: not a regular file".into()));
        }
        if metadata.len() > MAX_FILE_BYTES {
            return Err(fail(
                None,
                format!(
                    "skipped: {} MiB is over the {} MiB limit for source files (generated code?); exclude it or split it",
                    metadata.len() / (1024 * 1024),
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| fail(None, format!("cannot read: {e}")))?;
        SourceFile::from_bytes(path, display, grammar, bytes)
    }

    pub fn from_bytes(path: &Path, display: String, grammar: Grammar, bytes: Vec<u8>) -> Result<SourceFile, ReadError> {
        let fail = |line: Option<usize>, message: String| ReadError { display: display.clone(), line, message };
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            let line = bytes[..nul].iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(fail(Some(line), "skipped: contains a NUL byte, so it is binary, not source code".into()));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
            fail(Some(line), "skipped: not valid UTF-8; re-save the file as UTF-8 to let pulumi-fix read it".into())
        })?;
        let (has_bom, text) = match text.strip_prefix(BOM) {
            Some(rest) => (true, rest.to_string()),
            None => (false, text),
        };
        Ok(SourceFile { path: path.to_path_buf(), display, grammar, has_bom, text })
    }

    /// The bytes to write for `text` (this file's text after edits).
    pub fn bytes_for(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.has_bom {
            out.extend_from_slice(BOM.as_bytes());
        }
        out.extend_from_slice(text.as_bytes());
        out
    }

    /// The original bytes, as read.
    pub fn original_bytes(&self) -> Vec<u8> {
        self.bytes_for(&self.text)
    }
}

/// The line ending a file uses: that of its first line (`\n` when it has one line).
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Rewrites the line endings of inserted text to the file's own.
pub fn with_line_ending(text: &str, eol: &str) -> String {
    let normalized = text.replace("\r\n", "\n");
    if eol == "\n" { normalized } else { normalized.replace('\n', eol) }
}

/// Byte offset of the start of the line holding `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// Byte offset just past the line ending of the line holding `offset` (or the end of the text).
pub fn line_end_inclusive(text: &str, offset: usize) -> usize {
    text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1)
}

/// Byte offset of the line ending of the line holding `offset` (before `\r\n` or `\n`).
pub fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > offset && text.as_bytes()[end - 1] == b'\r' { end - 1 } else { end }
}

/// Where a new line goes after a statement ending at `end`: the end of its line when only
/// whitespace, `;` or a comment (starting with `comment`) follows it there, else `end` itself
/// (`import json; u = ...`: the line's end may lie inside the next statement).
pub fn after_statement_line(text: &str, end: usize, comment: &str) -> usize {
    let line_end = line_end(text, end);
    let rest = text[end..line_end].trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix(';').unwrap_or(rest).trim_start_matches([' ', '\t']);
    if rest.is_empty() || rest.starts_with(comment) { line_end } else { end }
}

/// The whitespace that starts the line holding `offset`.
pub fn indentation_at(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let line = &text[start..];
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..width]
}

/// The text of `range` with its continuation lines made relative to the indentation of the line
/// it starts on, so that it can be placed at another indentation.
pub fn relative_text(text: &str, range: std::ops::Range<usize>) -> String {
    let indent = indentation_at(text, range.start);
    let mut lines = text[range].split('\n');
    let mut out = lines.next().unwrap_or_default().to_string();
    for line in lines {
        out.push('\n');
        out.push_str(line.strip_prefix(indent).unwrap_or(line));
    }
    out
}

/// One level of the file's indentation: the step from a line to the first more indented line
/// after it (four spaces when the file has no indented line).
pub fn indent_unit(text: &str) -> String {
    let mut previous: Option<&str> = None;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        if let Some(step) = previous.and_then(|before| indent.strip_prefix(before)).filter(|s| !s.is_empty()) {
            return step.to_string();
        }
        previous = Some(indent);
    }
    "    ".to_string()
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let start = line_start(text, offset);
    let line = text.as_bytes()[..start].iter().filter(|&&b| b == b'\n').count() + 1;
    (line, text[start..offset].chars().count() + 1)
}

/// The quote character most string literals of the file use (`"` on a tie).
pub fn preferred_quote(text: &str) -> char {
    let singles = text.bytes().filter(|&b| b == b'\'').count();
    let doubles = text.bytes().filter(|&b| b == b'"').count();
    if singles > doubles { '\'' } else { '"' }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_set_aside_and_restored() {
        let bytes = "\u{feff}import pulumi\r\n".as_bytes().to_vec();
        let file = SourceFile::from_bytes(Path::new("a.py"), "a.py".into(), Grammar::Python, bytes.clone()).unwrap();
        assert!(file.has_bom);
        assert_eq!(file.text, "import pulumi\r\n");
        assert_eq!(file.original_bytes(), bytes);
    }

    #[test]
    fn binary_and_invalid_utf8_name_the_line() {
        let nul = SourceFile::from_bytes(Path::new("a.py"), "a.py".into(), Grammar::Python, b"x = 1\n\0".to_vec());
        assert_eq!(nul.unwrap_err().line, Some(2));
        let bad = SourceFile::from_bytes(Path::new("a.py"), "a.py".into(), Grammar::Python, b"a\nb\n\xff".to_vec());
        let err = bad.unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.to_string().starts_with("a.py:3: skipped: not valid UTF-8"));
    }

    #[test]
    fn line_helpers() {
        let text = "a\r\n  b\r\nc";
        assert_eq!(line_ending(text), "\r\n");
        assert_eq!(with_line_ending("x\ny\r\nz", "\r\n"), "x\r\ny\r\nz");
        assert_eq!(indentation_at(text, 5), "  ");
        assert_eq!(line_end(text, 4), 6);
        assert_eq!(line_col(text, 6), (2, 4));
        assert_eq!(indent_unit("class A:\n  def f(self):\n    pass\n"), "  ");
        assert_eq!(indent_unit("x = 1\n"), "    ");
    }
}
