//! Edits made since the last analysis whose YAML parsed, and the mapping of
//! its spans into the text the editor shows now.
//!
//! While the user types, the YAML is often broken for a moment. The findings
//! that only a parsed file can give (references, the DAG, the shape) should
//! not vanish and reappear on every keystroke, so the last good findings are
//! carried forward: each span is moved by the edits made since, and a
//! finding whose span an edit touched is dropped (its text changed, so it
//! may no longer hold).

use crate::diagnostic::{Code, Diagnostic, Fix, Related};
use crate::syntax::Span;

/// One replacement: `span` of the text as it was just before this change
/// became `new_len` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    pub span: Span,
    pub new_len: usize,
}

/// The changes from one text to a later one, in the order they were made.
#[derive(Clone, Debug, Default)]
pub struct EditLog {
    changes: Vec<Change>,
}

impl EditLog {
    pub fn new() -> EditLog {
        EditLog::default()
    }

    /// Records that `span` (in the text as it is now) was replaced by
    /// `new_len` bytes.
    pub fn push(&mut self, span: Span, new_len: usize) {
        self.changes.push(Change { span, new_len });
    }

    pub fn clear(&mut self) {
        self.changes.clear();
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Where `span` of the old text is in the new one; `None` when a change
    /// touched it (overlapped it, or inserted right at its start or end).
    pub fn forward(&self, span: Span) -> Option<Span> {
        let mut s = span;
        for c in &self.changes {
            if c.span.start <= s.end && c.span.end >= s.start {
                return None;
            }
            if c.span.end < s.start {
                // Entirely before: shift by the change in length.
                s = Span::new(
                    s.start + c.new_len - c.span.len(),
                    s.end + c.new_len - c.span.len(),
                );
            }
        }
        Some(s)
    }

    /// Where `offset` of the new text was in the old one; `None` when it is
    /// inside text a change inserted.
    pub fn backward(&self, offset: usize) -> Option<usize> {
        let mut o = offset;
        for c in self.changes.iter().rev() {
            let new_end = c.span.start + c.new_len;
            if o < c.span.start {
                continue;
            }
            if o < new_end {
                return None;
            }
            o = o - c.new_len + c.span.len();
        }
        Some(o)
    }
}

/// The findings of the last good analysis that still hold in the text as it
/// is now: every one but the syntax errors, moved by `log`, without those an
/// edit touched. Related spans and fixes that an edit touched are left out.
pub fn carry_forward(good: &[Diagnostic], log: &EditLog) -> Vec<Diagnostic> {
    good.iter()
        .filter(|d| d.code != Code::YamlSyntax)
        .filter_map(|d| {
            let span = log.forward(d.span)?;
            let related = d
                .related
                .iter()
                .filter_map(|r| {
                    Some(Related {
                        span: log.forward(r.span)?,
                        message: r.message.clone(),
                    })
                })
                .collect();
            let fixes = d
                .fixes
                .iter()
                .filter_map(|f| {
                    let edits = f
                        .edits
                        .iter()
                        .map(|e| {
                            Some(crate::Edit {
                                span: log.forward(e.span)?,
                                text: e.text.clone(),
                            })
                        })
                        .collect::<Option<Vec<_>>>()?;
                    Some(Fix {
                        message: f.message.clone(),
                        edits,
                    })
                })
                .collect();
            Some(Diagnostic {
                code: d.code,
                severity: d.severity,
                span,
                message: d.message.clone(),
                related,
                fixes,
                // A credential whose range an edit touched is masked whole.
                mask: d
                    .mask
                    .iter()
                    .map(|&m| log.forward(m).unwrap_or(span))
                    .collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, start: usize, end: usize, new: &str, log: &mut EditLog) -> String {
        log.push(Span::new(start, end), new.len());
        let mut t = text.to_string();
        t.replace_range(start..end, new);
        t
    }

    #[test]
    fn spans_move_with_edits_before_them_and_drop_when_touched() {
        let old = "aaa bbb ccc ddd";
        let mut log = EditLog::new();
        let t = apply(old, 0, 0, "XX", &mut log); // insert before everything
        let t = apply(&t, 6, 9, "", &mut log); // delete "bbb" (now at 6..9)
        assert_eq!(t, "XXaaa  ccc ddd");
        let ccc = Span::new(8, 11);
        let moved = log.forward(ccc).unwrap();
        assert_eq!(&t[moved.start..moved.end], "ccc");
        assert_eq!(log.forward(Span::new(4, 7)), None, "bbb was deleted");
        assert_eq!(log.forward(Span::new(0, 3)), None, "insert at its start");
        let ddd = log.forward(Span::new(12, 15)).unwrap();
        assert_eq!(&t[ddd.start..ddd.end], "ddd");
    }

    #[test]
    fn offsets_map_back_unless_inserted() {
        let old = "key: value\n";
        let mut log = EditLog::new();
        let t = apply(old, 5, 5, "new ", &mut log);
        assert_eq!(t, "key: new value\n");
        assert_eq!(log.backward(9), Some(5)); // "value"
        assert_eq!(log.backward(6), None); // inside "new "
        assert_eq!(log.backward(2), Some(2));
    }

    #[test]
    fn carried_findings_keep_untouched_fixes() {
        let d = Diagnostic::new(Code::UnknownJob, Span::new(10, 13), "no job")
            .with_related(Span::new(0, 2), "here")
            .with_fix(Fix::replace("change", Span::new(10, 13), "abc"));
        let syntax = Diagnostic::new(Code::YamlSyntax, Span::new(20, 21), "bad");
        let mut log = EditLog::new();
        log.push(Span::new(0, 1), 3); // touches the related span only
        let carried = carry_forward(&[d, syntax], &log);
        assert_eq!(carried.len(), 1);
        assert_eq!(carried[0].span, Span::new(12, 15));
        assert!(carried[0].related.is_empty());
        assert_eq!(carried[0].fixes[0].edits[0].span, Span::new(12, 15));
    }
}
