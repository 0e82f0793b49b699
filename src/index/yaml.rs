//! Pulumi YAML facts: the project name of a `Pulumi.yaml`.

use crate::lang::{FieldChild, KindName};
use tree_sitter::Node;

/// A scalar's value without its quotes.
pub(super) fn scalar_text<'a>(node: Node, source: &'a str) -> &'a str {
    source[node.byte_range()].trim().trim_matches(['"', '\''])
}

/// The value of a top-level `key:` of the document, when it is a scalar.
pub(super) fn top_level_value(root: Node, source: &str, key: &str) -> Option<String> {
    let mut cursor = root.walk();
    let mut pending = vec![root];
    // stream > document > block_node > block_mapping > block_mapping_pair
    while let Some(node) = pending.pop() {
        match node.kind_name() {
            "stream" | "document" | "block_node" => pending.extend(node.named_children(&mut cursor)),
            "block_mapping" => {
                let mut pairs = node.walk();
                for pair in node.named_children(&mut pairs).filter(|p| p.kind_name() == "block_mapping_pair") {
                    let (Some(k), Some(v)) = (pair.field("key"), pair.field("value")) else { continue };
                    if scalar_text(k, source) == key && v.kind_name() == "flow_node" {
                        return Some(scalar_text(v, source).to_string());
                    }
                }
                return None;
            }
            _ => {}
        }
    }
    None
}
