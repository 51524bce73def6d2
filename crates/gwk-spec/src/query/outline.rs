//! The outline: document symbols and folding ranges.

use super::{parsed, unquoted};
use crate::Analysis;
use crate::model::lower::top_key;
use crate::syntax::{Node, Span, Style, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A top-level section (`inputs`, `jobs`).
    Section,
    WorkflowInput,
    Job,
    Output,
}

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    /// The action of a job, the type of an input or output.
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// From the key to the end of its value.
    pub span: Span,
    /// The name.
    pub selection: Span,
    pub children: Vec<Symbol>,
}

/// Workflow inputs, jobs, and each job's outputs, under their sections.
pub fn document_symbols(a: &Analysis) -> Vec<Symbol> {
    let Some((root, wf)) = parsed(a) else {
        return Vec::new();
    };
    let section = |key: &str, children: Vec<Symbol>| {
        let e = root
            .as_mapping()?
            .iter()
            .find(|e| top_key(e) == Some(key))?;
        Some(Symbol {
            name: key.to_string(),
            detail: None,
            kind: SymbolKind::Section,
            span: e.key.span.cover(e.value.span),
            selection: e.key.span,
            children,
        })
    };
    let inputs = wf
        .inputs
        .iter()
        .map(|i| Symbol {
            name: i.name.value.clone(),
            detail: i.spec.type_name.as_ref().map(|t| t.value.clone()),
            kind: SymbolKind::WorkflowInput,
            span: i.name.span.cover(i.spec.span),
            selection: unquoted(&a.text, i.name.span),
            children: Vec::new(),
        })
        .collect();
    let jobs = wf
        .jobs
        .iter()
        .map(|j| Symbol {
            name: j.name.value.clone(),
            detail: j.uses.as_ref().map(|u| u.value.clone()),
            kind: SymbolKind::Job,
            span: j.span,
            selection: unquoted(&a.text, j.name.span),
            children: j
                .outputs
                .iter()
                .map(|o| Symbol {
                    name: o.name.value.clone(),
                    detail: o
                        .spec
                        .as_ref()
                        .and_then(|s| s.type_name.as_ref())
                        .map(|t| t.value.clone()),
                    kind: SymbolKind::Output,
                    span: o.name.span.cover(o.span),
                    selection: unquoted(&a.text, o.name.span),
                    children: Vec::new(),
                })
                .collect(),
        })
        .collect();
    [section("inputs", inputs), section("jobs", jobs)]
        .into_iter()
        .flatten()
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    /// A mapping or list under its key, or a block scalar.
    Region,
    /// Consecutive comment lines.
    Comment,
}

/// A range of 0-based lines that folds to its first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub start_line: u32,
    pub end_line: u32,
    pub kind: FoldKind,
}

/// Every key whose value spans lines (mappings, lists, block scalars), and
/// runs of comment lines.
pub fn folding_ranges(a: &Analysis) -> Vec<Fold> {
    let mut out = Vec::new();
    if let Some(root) = &a.root {
        let mut stack: Vec<&Node> = vec![root];
        while let Some(node) = stack.pop() {
            match &node.value {
                Value::Mapping(entries) => {
                    for e in entries {
                        region(a, e.key.span.start, &e.value, &mut out);
                        stack.push(&e.value);
                    }
                }
                Value::Sequence(items) => {
                    for i in items {
                        stack.push(i);
                    }
                }
                Value::Scalar(_) => {}
            }
        }
    }
    comments(a, &mut out);
    out.sort_by_key(|f| (f.start_line, f.end_line));
    out
}

fn region(a: &Analysis, from: usize, value: &Node, out: &mut Vec<Fold>) {
    let folds = match &value.value {
        Value::Mapping(_) | Value::Sequence(_) => true,
        Value::Scalar(s) => matches!(s.style, Style::Literal | Style::Folded),
    };
    if !folds {
        return;
    }
    let start = a.line_index.line_of(from) as u32;
    // A block scalar's span takes in the line break after it.
    let end_offset = a.text[..value.span.end].trim_end().len();
    let end = a.line_index.line_of(end_offset.max(from)) as u32;
    if end > start {
        out.push(Fold {
            start_line: start,
            end_line: end,
            kind: FoldKind::Region,
        });
    }
}

fn comments(a: &Analysis, out: &mut Vec<Fold>) {
    let mut run: Option<(u32, u32)> = None;
    for (n, line) in a.text.lines().enumerate() {
        let n = n as u32;
        if line.trim_start().starts_with('#') {
            run = Some(match run {
                Some((s, _)) => (s, n),
                None => (n, n),
            });
        } else if let Some((s, e)) = run.take()
            && e > s
        {
            out.push(Fold {
                start_line: s,
                end_line: e,
                kind: FoldKind::Comment,
            });
        }
    }
    if let Some((s, e)) = run
        && e > s
    {
        out.push(Fold {
            start_line: s,
            end_line: e,
            kind: FoldKind::Comment,
        });
    }
}
