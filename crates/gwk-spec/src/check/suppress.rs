//! `# gwk: ignore[code, ...]` comments.
//!
//! At the end of a line, the comment silences the named rules on that line;
//! on a line of its own, on the next line. Without `[...]` it silences every
//! rule there. A code that names no rule is reported (`unknown-ignore`):
//! dropping it silently would leave the user believing a finding is
//! silenced when the comment does nothing.
//!
//! Only a real YAML comment counts: a `#` at the start of a line or after
//! white space, outside every scalar. So `url: https://x/repo#readme` and
//! `args: ["echo #"]` hold no comment until the `#` that follows them, and a
//! `# gwk: ignore` line inside a `script: |` block is part of the script.

use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::suggest::best;
use crate::syntax::{LineIndex, Node, Span, Style, Value};
use std::collections::HashMap;

/// Which codes are silenced on which (0-based) lines; `None` means all.
#[derive(Debug, Default)]
pub struct Ignores {
    lines: HashMap<usize, Option<Vec<Code>>>,
    /// Comments that name no rule, as `unknown-ignore` findings.
    pub unknown: Vec<Diagnostic>,
}

impl Ignores {
    /// Reads the ignore comments of `text`; `root` (the YAML tree, when the
    /// text is YAML) tells comments from `#` inside scalars.
    pub fn scan(text: &str, index: &LineIndex, root: Option<&Node>) -> Ignores {
        let mut ignores = Ignores::default();
        if !text.contains("gwk:") {
            return ignores; // the common case: nothing to scan for
        }
        let inside = root.map(|r| Covered::new(scalar_ranges(r, text)));
        for n in 0..index.line_count() {
            let range = index.line_range(text, n);
            let line = &text[range.clone()];
            if !line.contains("gwk:") {
                continue;
            }
            let Some(hash) = line_comment(line, range.start, inside.as_ref()) else {
                continue;
            };
            let body_start = range.start + hash + 1;
            let Some(comment) = parse_comment(&text[body_start..range.end], body_start) else {
                continue;
            };
            let own_line = line[..hash].trim().is_empty();
            let target = if own_line { n + 1 } else { n };
            ignores.unknown.extend(comment.unknown);
            ignores.add(target, comment.codes);
        }
        ignores
    }

    fn add(&mut self, line: usize, codes: Option<Vec<Code>>) {
        let entry = self.lines.entry(line).or_insert(Some(Vec::new()));
        match (entry.as_mut(), codes) {
            (Some(existing), Some(more)) => existing.extend(more),
            _ => *entry = None,
        }
    }

    pub fn silences(&self, line: usize, code: Code) -> bool {
        match self.lines.get(&line) {
            None => false,
            Some(None) => true,
            Some(Some(codes)) => codes.iter().any(|&named| code.answers_to(named)),
        }
    }
}

/// Where a comment could go on one line, for the quick fix that writes
/// an ignore comment: read with the same rules as [`Ignores::scan`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentSlot {
    /// The line has a comment; its `#` is at this byte offset of the text.
    At(usize),
    /// The line has no comment; one can be added at its end.
    Free,
    /// The line ends inside a scalar (a block scalar's body, a quoted
    /// string that goes on): a `#` there would be text, not a comment.
    InsideScalar,
}

/// Where a comment is, or could go, on 0-based `line` of `text`. `root` is
/// the tree of `text` (when it is YAML): without it the line is read on its
/// own, quotes included.
pub fn comment_slot(
    text: &str,
    index: &LineIndex,
    root: Option<&Node>,
    line: usize,
) -> CommentSlot {
    let range = index.line_range(text, line);
    let content = &text[range.clone()];
    let inside = root.map(|r| Covered::new(scalar_ranges(r, text)));
    if let Some(hash) = line_comment(content, range.start, inside.as_ref()) {
        return CommentSlot::At(range.start + hash);
    }
    // Text written at the end of the line lands inside a scalar when one
    // holds the whole line (a block scalar's body, the rest of a multi-line
    // string) or goes on past the line's end (a quoted string left open).
    let end = range.start + content.trim_end().len();
    let in_scalar = |c: &Covered| c.reaches(range.start, end) || c.covers(end);
    if end > range.start && inside.as_ref().is_some_and(in_scalar) {
        return CommentSlot::InsideScalar;
    }
    CommentSlot::Free
}

/// The offset in `line` (which starts at byte `start` of the text) of the
/// `#` that starts its comment: outside the ranges scalars cover when the
/// tree is known, else read from the line alone.
fn line_comment(line: &str, start: usize, inside: Option<&Covered>) -> Option<usize> {
    match inside {
        Some(ranges) => comment_outside(line, start, ranges),
        None => comment_lexically(line),
    }
}

/// The byte ranges no comment can start in: the text of every scalar, keys
/// included, with the quotes of quoted ones; a block scalar from the line
/// after its `|` or `>` (a comment may follow the indicator).
fn scalar_ranges(root: &Node, text: &str) -> Vec<Span> {
    fn walk(node: &Node, text: &str, text_ranges: &mut Vec<Span>) {
        match &node.value {
            Value::Scalar(s) => {
                let span = node.span;
                let r = match s.style {
                    Style::Literal | Style::Folded => {
                        let body = text[span.start..]
                            .find(['\n', '\r'])
                            .map_or(span.end, |p| span.start + p + 1);
                        Span::new(body, span.end)
                    }
                    Style::SingleQuoted | Style::DoubleQuoted => quoted_extent(text, span),
                    Style::Plain => span,
                };
                if !r.is_empty() {
                    text_ranges.push(r);
                }
            }
            Value::Mapping(entries) => {
                for e in entries {
                    walk(&e.key, text, text_ranges);
                    walk(&e.value, text, text_ranges);
                }
            }
            Value::Sequence(items) => items.iter().for_each(|i| walk(i, text, text_ranges)),
        }
    }
    let mut out = Vec::new();
    walk(root, text, &mut out);
    out
}

/// From the opening quote to the closing one. The parser's span of a quoted
/// scalar starts at its quote but may run on to the end of the line, over
/// a comment, so the closing quote is found here.
fn quoted_extent(text: &str, span: Span) -> Span {
    let bytes = text.as_bytes();
    let Some(&quote) = bytes.get(span.start).filter(|b| matches!(b, b'"' | b'\'')) else {
        return span;
    };
    let mut i = span.start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 1,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == quote => return Span::new(span.start, i + 1),
            _ => {}
        }
        i += 1;
    }
    Span::new(span.start, bytes.len())
}

/// The offset in `line` (which starts at byte `start` of the text) of the
/// first `#` that starts a comment, given the ranges scalars cover.
fn comment_outside(line: &str, start: usize, inside: &Covered) -> Option<usize> {
    candidates(line).find(|&i| !inside.covers(start + i))
}

/// Byte ranges, sorted, answering "does any hold this offset" by binary
/// search: a file may have a million scalars and as many comment lines.
struct Covered {
    starts: Vec<usize>,
    /// The largest end among the ranges up to each one (ranges of aliased
    /// nodes repeat and may overlap).
    max_ends: Vec<usize>,
}

impl Covered {
    fn new(mut ranges: Vec<Span>) -> Covered {
        ranges.sort_unstable();
        let mut max_end = 0;
        let max_ends = ranges
            .iter()
            .map(|r| {
                max_end = max_end.max(r.end);
                max_end
            })
            .collect();
        Covered {
            starts: ranges.iter().map(|r| r.start).collect(),
            max_ends,
        }
    }

    fn covers(&self, at: usize) -> bool {
        let n = self.starts.partition_point(|&s| s <= at);
        n > 0 && self.max_ends[n - 1] > at
    }

    /// Whether a range that starts at or before `from` ends at or after `to`.
    fn reaches(&self, from: usize, to: usize) -> bool {
        let n = self.starts.partition_point(|&s| s <= from);
        n > 0 && self.max_ends[n - 1] >= to
    }
}

/// The `#`s of a line that could start a comment: at the start, or after a
/// space or a tab.
fn candidates(line: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = line.as_bytes();
    line.match_indices('#')
        .map(|(i, _)| i)
        .filter(move |&i| i == 0 || matches!(bytes[i - 1], b' ' | b'\t'))
}

/// The comment of a line of text that is not YAML (no tree to ask): the
/// first candidate `#` outside a quoted scalar on that line.
fn comment_lexically(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let after_space = i == 0 || matches!(bytes[i - 1], b' ' | b'\t');
        match quote {
            None if b == b'#' && after_space => return Some(i),
            // A quote opens a scalar only where one can start.
            None if (b == b'"' || b == b'\'')
                && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'[' | b'{' | b',')) =>
            {
                quote = Some(b)
            }
            Some(b'"') if b == b'\\' => i += 1,
            Some(b'\'') if b == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            Some(q) if b == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// An ignore comment: what it silences (`None`: every rule) and the codes
/// in it that name no rule.
struct Comment {
    codes: Option<Vec<Code>>,
    unknown: Vec<Diagnostic>,
}

/// Reads a comment body like ` gwk: ignore[unknown-job]` that starts at
/// byte `at` of the text; `None` when it is no ignore comment.
fn parse_comment(body: &str, at: usize) -> Option<Comment> {
    let rest = body.trim_start().strip_prefix("gwk:")?.trim_start();
    let rest = rest.strip_prefix("ignore")?;
    let Some(list) = rest.strip_prefix('[') else {
        return rest
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
            .then_some(Comment {
                codes: None,
                unknown: Vec::new(),
            });
    };
    let list_at = at + (body.len() - list.len());
    let mut unknown = Vec::new();
    let Some(close) = list.find(']') else {
        unknown.push(Diagnostic::new(
            Code::UnknownIgnore,
            Span::new(list_at - 1, at + body.trim_end().len()),
            "this `gwk: ignore[` has no closing `]`, so it silences nothing",
        ));
        return Some(Comment {
            codes: Some(Vec::new()),
            unknown,
        });
    };
    let mut codes = Vec::new();
    let mut offset = 0;
    for item in list[..close].split(',') {
        let name = item.trim();
        let start = list_at + offset + (item.len() - item.trim_start().len());
        offset += item.len() + 1;
        if name.is_empty() {
            continue;
        }
        match Code::parse(name) {
            Some(c) => codes.push(c),
            None => unknown.push(unknown_code(name, Span::new(start, start + name.len()))),
        }
    }
    if codes.is_empty() && unknown.is_empty() {
        unknown.push(Diagnostic::new(
            Code::UnknownIgnore,
            Span::new(list_at - 1, list_at + close + 1),
            "`ignore[]` names no rule, so it silences nothing; name the codes to silence, \
             or write `gwk: ignore` for every rule",
        ));
    }
    Some(Comment {
        codes: Some(codes),
        unknown,
    })
}

fn unknown_code(name: &str, span: Span) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::UnknownIgnore,
        span,
        format!("`{name}` is not a gwk rule, so this comment silences nothing for it"),
    );
    match best(name, Code::ALL.iter().map(|c| c.as_str())) {
        Some(s) => {
            d.message.push_str(&format!("; did you mean `{s}`?"));
            d = d.with_fix(Fix::replace(format!("write `{s}`"), span, s));
        }
        None => d.message.push_str("; docs/rules.md lists the codes"),
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    #[test]
    fn an_old_code_silences_the_codes_split_from_it() {
        let ig = scan("a: 1 # gwk: ignore[invalid-value]\n");
        assert!(ig.silences(0, Code::InvalidValue));
        assert!(ig.silences(0, Code::InvalidName));
        assert!(!ig.silences(0, Code::MissingKey));
        let ig = scan("a: 1 # gwk: ignore[invalid-name]\n");
        assert!(ig.silences(0, Code::InvalidName));
        assert!(!ig.silences(0, Code::InvalidValue));
    }

    fn scan(text: &str) -> Ignores {
        let index = LineIndex::new(text);
        let parsed = parse(text, &index);
        Ignores::scan(text, &index, parsed.root.as_ref())
    }

    #[test]
    fn trailing_and_own_line_comments() {
        let text = "a: 1 # gwk: ignore[unknown-key]\n# gwk: ignore[unknown-job, missing-needs]\nb: 2\nc: 3 # gwk: ignore\nd: 4 # gwk: ignored\n";
        let i = scan(text);
        assert!(i.silences(0, Code::UnknownKey));
        assert!(!i.silences(0, Code::UnknownJob));
        assert!(i.silences(2, Code::UnknownJob));
        assert!(i.silences(2, Code::MissingNeeds));
        assert!(!i.silences(2, Code::UnknownKey));
        assert!(i.silences(3, Code::DependencyCycle));
        assert!(!i.silences(4, Code::UnknownKey));
        assert!(i.unknown.is_empty());
    }

    #[test]
    fn a_hash_inside_a_value_is_not_the_comment() {
        let text = "url: https://x/repo#readme # gwk: ignore[unknown-key]\n\
                    a: \"echo #\" # gwk: ignore[unknown-job]\n\
                    b: 'it''s # not' # gwk: ignore[missing-key]\n\
                    c: [\"x # y\", z] # gwk: ignore[invalid-type]\n";
        let i = scan(text);
        assert!(i.silences(0, Code::UnknownKey));
        assert!(i.silences(1, Code::UnknownJob));
        assert!(i.silences(2, Code::MissingKey));
        assert!(i.silences(3, Code::InvalidType));
    }

    #[test]
    fn a_quoted_value_that_looks_like_an_ignore_is_no_comment() {
        let text = "a: \"x # gwk: ignore\"\nb: 2\n";
        let i = scan(text);
        assert!(!i.silences(0, Code::UnknownKey));
        assert!(!i.silences(1, Code::UnknownKey));
    }

    #[test]
    fn a_block_scalar_holds_no_comment_but_its_indicator_line_may() {
        let text = "script: |- # gwk: ignore[folded-script]\n  # gwk: ignore[unknown-key]\n  echo hi\nnext: 1\n";
        let i = scan(text);
        assert!(i.silences(0, Code::FoldedScript));
        // The second line is the script's own text, not an ignore comment.
        assert!(!i.silences(2, Code::UnknownKey));
    }

    #[test]
    fn text_that_is_not_yaml_is_read_line_by_line() {
        let text = "a: \"echo #\" # gwk: ignore[yaml-syntax]\nb: [\n";
        let index = LineIndex::new(text);
        let i = Ignores::scan(text, &index, None);
        assert!(i.silences(0, Code::YamlSyntax));
        assert_eq!(comment_lexically("x: 'a # b' # c"), Some(11));
        assert_eq!(comment_lexically("x: don't # c"), Some(9));
        assert_eq!(comment_lexically("x: a#b"), None);
    }

    #[test]
    fn lines_end_at_a_lone_carriage_return_as_in_line_index() {
        // Line 0 ends at the lone `\r`; the comment on line 1 is on its own
        // line and silences line 2.
        let text = "a: 1\r# gwk: ignore[unknown-key]\rb: 2\r\nc: 3\n";
        let i = scan(text);
        assert!(i.silences(2, Code::UnknownKey));
        assert!(!i.silences(1, Code::UnknownKey));
        assert!(!i.silences(3, Code::UnknownKey));
    }

    #[test]
    fn covered_ranges_overlap_and_repeat() {
        let c = Covered::new(vec![Span::new(10, 20), Span::new(2, 30), Span::new(40, 41)]);
        let hits: Vec<usize> = [0, 2, 15, 25, 30, 35, 40, 41]
            .into_iter()
            .filter(|&at| c.covers(at))
            .collect();
        assert_eq!(hits, [2, 15, 25, 40]);
    }

    #[test]
    fn unknown_codes_are_reported_with_a_suggestion() {
        let text = "a: 1 # gwk: ignore[unknown-keys, unknown-job, nonsense]\nb: 2 # gwk: ignore[]\nc: 3 # gwk: ignore[unknown-job\n";
        let i = scan(text);
        assert!(i.silences(0, Code::UnknownJob));
        let got: Vec<(&str, &str)> = i
            .unknown
            .iter()
            .map(|d| (&text[d.span.start..d.span.end], d.message.as_str()))
            .collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(got[0].0, "unknown-keys");
        assert!(
            got[0].1.contains("did you mean `unknown-key`?"),
            "{}",
            got[0].1
        );
        assert_eq!(i.unknown[0].fixes[0].edits[0].text, "unknown-key");
        assert_eq!(got[1].0, "nonsense");
        assert!(i.unknown[1].fixes.is_empty());
        assert_eq!(got[2].0, "[]");
        assert_eq!(got[3].0, "[unknown-job");
    }
}
