//! `gwk graph --format mermaid`: a Mermaid flowchart (GitHub renders it in
//! Markdown). GPU jobs get the `gpu` class; edges that `needs` does not
//! declare are dotted.

use super::GraphView;

/// Mermaid's way to write `"` and other markup-significant characters
/// inside a quoted label.
fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn mermaid(view: &GraphView) -> String {
    let mut out = String::from("flowchart LR\n");
    let id = |name: &str| {
        view.nodes
            .iter()
            .position(|n| n.name == name)
            .map_or_else(|| "unknown".to_string(), |i| format!("j{i}"))
    };
    for (i, n) in view.nodes.iter().enumerate() {
        let mut label = escape(&n.name);
        let detail: Vec<String> = [n.action.clone(), Some(n.machine_label())]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .map(|s| escape(&s))
            .collect();
        if !detail.is_empty() {
            label.push_str("<br/>");
            label.push_str(&detail.join(" · "));
        }
        let class = if n.gpu { ":::gpu" } else { "" };
        out.push_str(&format!("  j{i}[\"{label}\"]{class}\n"));
    }
    for e in &view.edges {
        let (from, to) = (id(&e.from), id(&e.to));
        let label = e.label();
        let arrow = match (e.declared, label.is_empty()) {
            (true, true) => "-->".to_string(),
            (true, false) => format!("-->|\"{}\"|", escape(&label)),
            (false, true) => "-.->".to_string(),
            (false, false) => format!("-.->|\"{}\"|", escape(&label)),
        };
        out.push_str(&format!("  {from} {arrow} {to}\n"));
    }
    if view.nodes.iter().any(|n| n.gpu) {
        out.push_str("  classDef gpu fill:#fde68a,stroke:#b45309,stroke-width:2px\n");
    }
    out
}
