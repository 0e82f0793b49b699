//! Edit templates: text with `{{capture}}`, `{{capture|transform|...}}` and `{{'literal'|transform}}`.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSource {
    /// The source text of a query capture.
    Capture(String),
    /// A literal written in the template, e.g. `{{'vpc'|quote}}`.
    Literal(String),
    /// `{{$pulumi}}`: the local name of the rule's `ensure_import` whose binding is `pulumi`
    /// (an existing `import * as p from "@pulumi/pulumi"` gives `p`).
    Binding(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePart {
    Text(String),
    Expr { source: TemplateSource, transforms: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub parts: Vec<TemplatePart>,
}

impl Template {
    pub fn literal(text: &str) -> Template {
        Template { parts: vec![TemplatePart::Text(text.to_string())] }
    }

    pub fn parse(source: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = source;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(TemplatePart::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 2..];
            let close = after.find("}}").ok_or_else(|| format!("`{{{{` at `{}` is never closed with `}}}}`", excerpt(&rest[open..])))?;
            parts.push(parse_expr(after[..close].trim())?);
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            parts.push(TemplatePart::Text(rest.to_string()));
        }
        Ok(Template { parts })
    }

    /// Import bindings the template reads (`{{$name}}`).
    pub fn bindings(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            TemplatePart::Expr { source: TemplateSource::Binding(name), .. } => Some(name.as_str()),
            _ => None,
        })
    }

    /// Names of the transforms the template applies.
    pub fn transforms(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().flat_map(|p| match p {
            TemplatePart::Expr { transforms, .. } => transforms.iter().map(String::as_str).collect::<Vec<_>>(),
            TemplatePart::Text(_) => Vec::new(),
        })
    }

    /// Capture names the template reads.
    pub fn captures(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            TemplatePart::Expr { source: TemplateSource::Capture(name), .. } => Some(name.as_str()),
            _ => None,
        })
    }
}

fn parse_expr(expr: &str) -> Result<TemplatePart, String> {
    let mut pieces = expr.split('|').map(str::trim);
    let head = pieces.next().unwrap_or_default();
    let source = if let Some(inner) = head.strip_prefix('\'').and_then(|h| h.strip_suffix('\'')) {
        TemplateSource::Literal(inner.to_string())
    } else if let Some(binding) = head.strip_prefix('$').filter(|b| !b.is_empty()) {
        TemplateSource::Binding(binding.to_string())
    } else if !head.is_empty() && head.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.') {
        TemplateSource::Capture(head.to_string())
    } else {
        return Err(format!("`{{{{{expr}}}}}` must start with a capture name, a 'quoted literal' or a $binding"));
    };
    let transforms: Vec<String> = pieces.map(str::to_string).collect();
    for name in &transforms {
        if !crate::transforms::is_known(name) {
            return Err(format!("unknown transform `{name}`; known: {}", crate::transforms::NAMES.join(", ")));
        }
    }
    Ok(TemplatePart::Expr { source, transforms })
}

fn excerpt(text: &str) -> &str {
    let end = text.char_indices().nth(24).map(|(i, _)| i).unwrap_or(text.len());
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_captures_literals_and_transforms() {
        let t = Template::parse("domain={{'vpc'|quote}} x={{subject}}").unwrap();
        assert_eq!(
            t.parts,
            vec![
                TemplatePart::Text("domain=".into()),
                TemplatePart::Expr { source: TemplateSource::Literal("vpc".into()), transforms: vec!["quote".into()] },
                TemplatePart::Text(" x=".into()),
                TemplatePart::Expr { source: TemplateSource::Capture("subject".into()), transforms: vec![] },
            ]
        );
        assert_eq!(t.captures().collect::<Vec<_>>(), vec!["subject"]);
    }

    #[test]
    fn rejects_unclosed_and_unknown_transform() {
        assert!(Template::parse("a {{b").unwrap_err().contains("never closed"));
        assert!(Template::parse("{{b|nope}}").unwrap_err().contains("unknown transform `nope`"));
    }
}
