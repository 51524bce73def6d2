//! Text edits that fixes are made of, written to fit the file's own style.

use crate::diagnostic::{Edit, Fix};
use crate::model::Job;
use crate::syntax::{LineIndex, Span};

/// Applies non-overlapping edits to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let mut out = text.to_string();
    for e in sorted {
        let start = e.span.start.min(out.len());
        let end = e.span.end.min(out.len()).max(start);
        out.replace_range(start..end, &e.text);
    }
    out
}

/// The column (in bytes) where the text at `offset` starts on its line.
pub fn column(index: &LineIndex, offset: usize) -> usize {
    offset - index.line_start(index.line_of(offset))
}

/// The offset just after the line that holds `offset` (after its `\n`).
fn end_of_line(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |p| offset + p + 1)
}

/// A double-quoted YAML string holding `s`.
pub fn quoted(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

/// The fix that adds `needed` to `job`'s `needs`, in the list's own style.
pub fn add_to_needs(text: &str, index: &LineIndex, job: &Job, needed: &str) -> Option<Fix> {
    let message = format!("add `{needed}` to `needs` of `{}`", job.name.value);
    let edit = match (job.needs_key, job.needs_value) {
        (Some(_), Some(value)) if job.needs_flow => {
            // `[a, b]` → `[a, b, needed]`; `[]` → `[needed]`.
            let close = value.end.checked_sub(1)?;
            let sep = if job.needs.is_empty() { "" } else { ", " };
            Edit {
                span: Span::empty(close),
                text: format!("{sep}{needed}"),
            }
        }
        (Some(_), Some(value)) if text[value.start..value.end].starts_with('-') => {
            // A block list: a new item under the last one.
            let last = job.needs.last()?;
            let dash = text[..last.span.start].rfind('-')?;
            let indent = column(index, dash);
            Edit {
                span: Span::empty(end_of_line(text, last.span.end)),
                text: format!("{}- {needed}\n", " ".repeat(indent)),
            }
        }
        (Some(_), Some(value)) => {
            // `needs: a` (a string where a list belongs) → `needs: [a, needed]`.
            let current = job.needs.first().map(|n| n.value.as_str()).or_else(|| {
                let t = text[value.start..value.end].trim();
                (!t.is_empty()).then_some(t)
            });
            Edit {
                span: value,
                text: match current {
                    Some(c) => format!("[{c}, {needed}]"),
                    None => format!("[{needed}]"),
                },
            }
        }
        _ => {
            // No `needs` yet: add one in the job's block, before `inputs`.
            let anchor = job.inputs_key?;
            if text[job.body.start..job.body.end].starts_with('{') {
                return None; // a flow-style job: leave it to the user
            }
            let indent = column(index, anchor.start);
            let line_start = anchor.start - indent;
            let pad = " ".repeat(indent);
            Edit {
                span: Span::empty(line_start),
                text: format!("{pad}needs:\n{pad}  - {needed}\n"),
            }
        }
    };
    Some(Fix {
        message,
        edits: vec![edit],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lower;
    use crate::syntax::parse;

    fn fixed(text: &str, job: &str, needed: &str) -> String {
        let index = LineIndex::new(text);
        let wf = lower(&parse(text, &index).root.unwrap());
        let fix = add_to_needs(text, &index, wf.job(job).unwrap(), needed).unwrap();
        apply_edits(text, &fix.edits)
    }

    #[test]
    fn adds_to_a_flow_list() {
        let t = "jobs:\n  B:\n    needs: [A]\n    inputs:\n      x: C.outputs.x\n";
        assert!(fixed(t, "B", "C").contains("needs: [A, C]"));
        let t = "jobs:\n  B:\n    needs: []\n    inputs:\n      x: C.outputs.x\n";
        assert!(fixed(t, "B", "C").contains("needs: [C]"));
    }

    #[test]
    fn adds_to_a_block_list() {
        let t = "jobs:\n  B:\n    needs:\n      - A\n    inputs:\n      x: C.outputs.x\n";
        assert_eq!(
            fixed(t, "B", "C"),
            "jobs:\n  B:\n    needs:\n      - A\n      - C\n    inputs:\n      x: C.outputs.x\n"
        );
    }

    #[test]
    fn adds_a_needs_key() {
        let t = "jobs:\n  B:\n    uses: script@v1\n    inputs:\n      x: C.outputs.x\n";
        assert_eq!(
            fixed(t, "B", "C"),
            "jobs:\n  B:\n    uses: script@v1\n    needs:\n      - C\n    inputs:\n      x: C.outputs.x\n"
        );
    }

    #[test]
    fn turns_a_string_into_a_list() {
        let t = "jobs:\n  B:\n    needs: A\n    inputs:\n      x: C.outputs.x\n";
        assert!(fixed(t, "B", "C").contains("needs: [A, C]"));
    }
}
