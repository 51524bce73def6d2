//! `gwk graph --format dot`: Graphviz DOT (`dot -Tpng`). GPU jobs are
//! filled amber with a thick border; edges `needs` does not declare are
//! dashed, edges that close a cycle red.

use super::{GraphView, layout};

/// A DOT double-quoted string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn dot(view: &GraphView) -> String {
    let back = layout(view).back_edges;
    let mut out = String::from("digraph workflow {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f1f5f9\", fontname=\"Helvetica\"];\n",
    );
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for n in &view.nodes {
        let mut label = n.name.clone();
        for line in [n.action.clone().unwrap_or_default(), n.machine_label()] {
            if !line.is_empty() {
                label.push('\n');
                label.push_str(&line);
            }
        }
        let gpu = if n.gpu {
            ", fillcolor=\"#fde68a\", color=\"#b45309\", penwidth=2"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {} [label={}{gpu}];\n",
            quote(&n.name),
            quote(&label)
        ));
    }
    for (i, e) in view.edges.iter().enumerate() {
        let mut attrs = Vec::new();
        let label = e.label();
        if !label.is_empty() {
            attrs.push(format!("label={}", quote(&label)));
        }
        if !e.declared {
            attrs.push("style=dashed".to_string());
        }
        if back.contains(&i) {
            attrs.push("color=\"#dc2626\"".to_string());
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        out.push_str(&format!(
            "  {} -> {}{attrs};\n",
            quote(&e.from),
            quote(&e.to)
        ));
    }
    out.push_str("}\n");
    out
}
