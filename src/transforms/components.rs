//! `register_outputs`: the `self.register_outputs({...})` / `this.registerOutputs({...});`
//! statement a component resource's constructor ends with, listing its public members: the id
//! (or ARN, for resources whose identity is their ARN) of each resource it holds, and each Output.

use super::{TransformContext, camel};
use crate::lang::{FieldChild, Grammar, KindName, named_descendants};
use crate::source::indent_unit;
use tree_sitter::Node;

/// Resources referred to by ARN rather than id (Python spells `aws.lambda_`: `aws:lambda_/...`).
const ARN_RESOURCES: &[&str] = &[
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/user:User",
    "aws:iam/group:Group",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:lambda/function:Function",
    "aws:sns/topic:Topic",
    "aws:sqs/queue:Queue",
    "aws:kms/key:Key",
    "aws:dynamodb/table:Table",
    "aws:kinesis/stream:Stream",
    "aws:secretsmanager/secret:Secret",
    "aws:sfn/stateMachine:StateMachine",
    "aws:ecs/cluster:Cluster",
    "aws:eks/cluster:Cluster",
    "aws:eks/addon:Addon",
    "aws:ecr/repository:Repository",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:acm/certificate:Certificate",
    "aws:cognito/userPool:UserPool",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup",
    "aws:alb/loadBalancer:LoadBalancer",
    "aws:alb/targetGroup:TargetGroup",
];

/// Nodes whose bodies run at another time than the constructor.
const NESTED_SCOPES: &[&str] =
    &["function_definition", "class_definition", "lambda", "arrow_function", "function_expression", "function_declaration", "class_declaration", "class"];

fn text<'a>(node: Node, context: &'a TransformContext) -> &'a str {
    &context.source[node.byte_range()]
}

/// `self.x = value` / `this.x = value`: (`x`, value).
fn member_assignment<'t>(node: Node<'t>, context: &TransformContext) -> Option<(String, Node<'t>)> {
    let (member, property) = match node.kind_name() {
        "assignment" => ("attribute", "attribute"),
        "assignment_expression" => ("member_expression", "property"),
        _ => return None,
    };
    let left = node.field("left").filter(|l| l.kind_name() == member)?;
    let object = left.field("object")?;
    if !matches!(text(object, context), "self" | "this") {
        return None;
    }
    let name = left.field(property).filter(|p| matches!(p.kind_name(), "identifier" | "property_identifier"))?;
    Some((text(name, context).to_string(), node.field("right")?))
}

/// Is the TypeScript class field `name` declared `private` or `protected`?
fn is_hidden_field(constructor: Node, name: &str, context: &TransformContext) -> bool {
    let Some(class_body) = constructor.parent() else { return false };
    let mut cursor = class_body.walk();
    class_body.named_children(&mut cursor).filter(|f| f.kind_name() == "public_field_definition").any(|field| {
        let mut parts = field.walk();
        let declares = field.field("name").is_some_and(|n| text(n, context) == name);
        declares && field.children(&mut parts).any(|p| p.kind_name() == "accessibility_modifier" && text(p, context) != "public")
    })
}

pub(super) fn register_outputs(constructor: Node, context: &TransformContext) -> Result<String, String> {
    let python = context.index.grammar() == Grammar::Python;
    let body = constructor.field("body").ok_or("a constructor without a body")?;
    let mut members: Vec<(String, String)> = Vec::new();
    let mut assignments: Vec<_> = named_descendants(body, |n| !NESTED_SCOPES.contains(&n.kind_name())).filter_map(|n| member_assignment(n, context)).collect();
    assignments.sort_by_key(|(_, value)| value.start_byte());
    let this = if python { "self" } else { "this" };
    for (name, value) in assignments {
        let public = if python { !name.starts_with('_') } else { !is_hidden_field(constructor, &name, context) };
        if !public || members.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let member = if context.index.is_resource_construction(value) {
            let callee = value.field("function").or_else(|| value.field("constructor"));
            let token = callee.and_then(|c| context.index.type_token(c)).unwrap_or_default().replace("_/", "/");
            let property = if ARN_RESOURCES.contains(&token.as_str()) { "arn" } else { "id" };
            let key = if python { format!("{name}_{property}") } else { camel(&format!("{name}_{property}")) };
            (key, format!("{this}.{name}.{property}"))
        } else if context.index.is_output(value) {
            (name.clone(), format!("{this}.{name}"))
        } else {
            continue;
        };
        members.push((name, format!("{}: {}", if python { super::quote(&member.0, context.quote) } else { member.0 }, member.1)));
    }
    let call = if python { "self.register_outputs" } else { "this.registerOutputs" };
    let semicolon = if !python && body.named_child(body.named_child_count().saturating_sub(1)).is_some_and(|s| text(s, context).ends_with(';')) {
        ";"
    } else {
        ""
    };
    if members.is_empty() {
        return Ok(format!("{call}({{}}){semicolon}"));
    }
    let unit = indent_unit(context.source);
    let lines: String = members.iter().map(|(_, entry)| format!("{unit}{entry},\n")).collect();
    Ok(format!("{call}({{\n{lines}}}){semicolon}"))
}
