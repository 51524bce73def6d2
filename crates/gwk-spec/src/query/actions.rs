//! Code actions: the fixes findings carry, and `# gwk: ignore[code]`.

use crate::check::{CommentSlot, comment_slot};
use crate::diagnostic::{Code, Diagnostic, Edit};
use crate::syntax::{LineIndex, Node, Span};

/// A code action: a title and the edits it makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub edits: Vec<Edit>,
    /// The finding it fixes or silences (an index into the list given).
    pub diagnostic: usize,
    /// The ranked best fix of its finding (editors apply it on "fix").
    pub preferred: bool,
    /// "ignore" actions are not fixes.
    pub is_fix: bool,
}

/// The actions for the findings among `diagnostics` whose span meets
/// `range`: each of their fixes (the first is preferred), then one "ignore
/// on this line" per rule. `root` is the tree of `text` when it is YAML
/// (it tells a comment from a `#` inside a value).
pub fn code_actions(
    text: &str,
    index: &LineIndex,
    root: Option<&Node>,
    diagnostics: &[Diagnostic],
    range: Span,
) -> Vec<Action> {
    let mut fixes = Vec::new();
    let mut ignores: Vec<Action> = Vec::new();
    for (n, d) in diagnostics.iter().enumerate() {
        let meets = d.span.start <= range.end && range.start <= d.span.end;
        if !meets {
            continue;
        }
        for (i, f) in d.fixes.iter().enumerate() {
            fixes.push(Action {
                title: capitalized(&f.message),
                edits: f.edits.clone(),
                diagnostic: n,
                preferred: i == 0,
                is_fix: true,
            });
        }
        if d.code == Code::YamlSyntax {
            continue; // a syntax error cannot be ignored: the file is not read
        }
        let line = index.line_of(d.span.start);
        let dup = ignores.iter().any(|a| {
            a.title.contains(&format!("[{}]", d.code))
                && diagnostics[a.diagnostic].span.start == d.span.start
        });
        if !dup && let Some(edit) = ignore_comment(text, index, root, line, d.code) {
            ignores.push(Action {
                title: format!(
                    "Ignore `{}` on this line (# gwk: ignore[{}])",
                    d.code, d.code
                ),
                edits: vec![edit],
                diagnostic: n,
                preferred: false,
                is_fix: false,
            });
        }
    }
    fixes.extend(ignores);
    fixes
}

/// The edit that silences `code` on 0-based `line`: the code added to the
/// line's `# gwk: ignore[...]` comment, a new comment at its end, or (when
/// the line has another comment already) an ignore comment on a line of
/// its own above it. `None` when the rule is silenced there already, or
/// when the line is inside a scalar (a script's body), where no comment
/// can go.
pub fn ignore_comment(
    text: &str,
    index: &LineIndex,
    root: Option<&Node>,
    line: usize,
    code: Code,
) -> Option<Edit> {
    let range = index.line_range(text, line);
    let content = &text[range.clone()];
    match comment_slot(text, index, root, line) {
        CommentSlot::InsideScalar => None,
        CommentSlot::Free => {
            let end = range.start + content.trim_end().len();
            Some(Edit {
                span: Span::empty(end),
                text: format!(" # gwk: ignore[{code}]"),
            })
        }
        CommentSlot::At(hash) => {
            let body = text[hash + 1..range.end].trim_start();
            if let Some(rest) = body.strip_prefix("gwk:").map(str::trim_start)
                && let Some(rest) = rest.strip_prefix("ignore")
            {
                let rest_at = range.end - rest.len();
                let Some(list) = rest.strip_prefix('[') else {
                    return None; // a bare `gwk: ignore` silences every rule already
                };
                let close = list.find(']')?;
                let codes = &list[..close];
                if codes.split(',').any(|c| c.trim() == code.as_str()) {
                    return None; // already silenced
                }
                let sep = if codes.trim().is_empty() { "" } else { ", " };
                return Some(Edit {
                    span: Span::empty(rest_at + 1 + close),
                    text: format!("{sep}{code}"),
                });
            }
            // Another comment: a comment of its own on the line above.
            let indent = content.len() - content.trim_start().len();
            Some(Edit {
                span: Span::empty(range.start),
                text: format!("{}# gwk: ignore[{code}]\n", &content[..indent]),
            })
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
