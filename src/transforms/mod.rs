//! The named transforms a template can apply to a value: `{{capture|transform}}`.
//!
//! | name      | does                                                                    |
//! |-----------|-------------------------------------------------------------------------|
//! | `quote`   | makes a string literal of the value, in the file's usual quote style    |
//! | `unquote` | the content of a plain string literal (`'abc'` → `abc`)                  |
//! | `camel`   | `snake_case` → `camelCase`                                               |
//! | `snake`   | `camelCase` → `snake_case`                                               |
//!
//! A transform that cannot apply (e.g. `unquote` on an f-string) fails the fix, which is then
//! reported instead of applied.

pub const NAMES: &[&str] = &["quote", "unquote", "camel", "snake"];

pub fn is_known(name: &str) -> bool {
    NAMES.contains(&name)
}

/// Facts about the file a transform may need.
pub struct TransformContext {
    pub quote: char,
}

pub fn apply(name: &str, value: &str, context: &TransformContext) -> Result<String, String> {
    match name {
        "quote" => Ok(quote(value, context.quote)),
        "unquote" => unquote(value).ok_or_else(|| format!("`{value}` is not a plain string literal")),
        "camel" => Ok(camel(value)),
        "snake" => Ok(snake(value)),
        other => Err(format!("unknown transform `{other}`")),
    }
}

fn quote(value: &str, quote: char) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push(quote);
    for c in value.chars() {
        if c == quote || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(quote);
    out
}

fn unquote(literal: &str) -> Option<String> {
    let quote = literal.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let inner = literal.strip_prefix(quote)?.strip_suffix(quote)?;
    if inner.contains('\\') || inner.contains(quote) {
        return None;
    }
    Some(inner.to_string())
}

/// `snake_case` → `camelCase`; names without underscores are kept.
pub fn camel(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut upper = false;
    for c in value.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn snake(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for (i, c) in value.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_transform() {
        let single = TransformContext { quote: '\'' };
        assert_eq!(apply("quote", "vpc", &single).unwrap(), "'vpc'");
        assert_eq!(apply("quote", "it's", &single).unwrap(), "'it\\'s'");
        assert_eq!(apply("quote", "vpc", &TransformContext { quote: '"' }).unwrap(), "\"vpc\"");
        assert_eq!(apply("unquote", "'base64'", &single).unwrap(), "base64");
        assert!(apply("unquote", "f'{x}'", &single).is_err());
        assert_eq!(apply("camel", "replication_group_description", &single).unwrap(), "replicationGroupDescription");
        assert_eq!(apply("snake", "replicationGroupDescription", &single).unwrap(), "replication_group_description");
    }
}
