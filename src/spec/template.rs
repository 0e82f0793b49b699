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
    Expr { source: TemplateSource, transforms: Vec<TransformCall> },
}

/// One transform of a template expression: `name` or `name('arg', ...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformCall {
    pub name: String,
    pub args: Vec<String>,
}

impl TransformCall {
    /// `name` or `name('a', 'b')`: arguments are single-quoted strings, separated by commas.
    fn parse(text: &str) -> Result<TransformCall, String> {
        let Some((name, rest)) = text.split_once('(') else {
            return Ok(TransformCall { name: text.to_string(), args: Vec::new() });
        };
        let inner = rest.trim_end().strip_suffix(')').ok_or_else(|| format!("`{text}`: the arguments are not closed with `)`"))?;
        let mut args = Vec::new();
        let mut rest = inner.trim();
        while !rest.is_empty() {
            let body = rest.strip_prefix('\'').ok_or_else(|| format!("`{text}`: each argument is a 'single-quoted' string"))?;
            let close = body.find('\'').ok_or_else(|| format!("`{text}`: an argument's quote is never closed"))?;
            args.push(body[..close].to_string());
            rest = body[close + 1..].trim_start();
            rest = match rest.strip_prefix(',') {
                Some(after) => after.trim_start(),
                None if rest.is_empty() => rest,
                None => return Err(format!("`{text}`: arguments are separated by commas")),
            };
        }
        Ok(TransformCall { name: name.trim().to_string(), args })
    }
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
            TemplatePart::Expr { transforms, .. } => transforms.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
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
    let transforms: Vec<TransformCall> = pieces.map(TransformCall::parse).collect::<Result<_, _>>()?;
    for call in &transforms {
        if !crate::transforms::is_known(&call.name) {
            return Err(format!("unknown transform `{}`; known: {}", call.name, crate::transforms::NAMES.join(", ")));
        }
        crate::transforms::check_arguments(call)?;
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
                TemplatePart::Expr {
                    source: TemplateSource::Literal("vpc".into()),
                    transforms: vec![TransformCall { name: "quote".into(), args: vec![] }]
                },
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

    #[test]
    fn parses_transform_arguments() {
        let t = Template::parse("{{name|with_suffix('-logs')}}").unwrap();
        let TemplatePart::Expr { transforms, .. } = &t.parts[0] else { panic!() };
        assert_eq!(transforms[0], TransformCall { name: "with_suffix".into(), args: vec!["-logs".into()] });
        assert!(Template::parse("{{name|with_suffix(-logs)}}").unwrap_err().contains("single-quoted"));
        assert!(Template::parse("{{name|with_suffix}}").unwrap_err().contains("argument"));
    }
}
