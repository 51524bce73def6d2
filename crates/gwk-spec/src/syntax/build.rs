//! Builds the spanned tree from saphyr's event stream.
//!
//! The builder keeps an explicit stack instead of recursing, so no input can
//! exhaust the call stack; nesting deeper than [`MAX_DEPTH`] is refused (no
//! workflow comes near it, and the tree's own drop would otherwise recurse).

use super::messages::explain;
use super::{Entry, LineCol, LineIndex, Node, Parsed, Scalar, ScalarKind, Span, Style, Value};
use crate::diagnostic::{Code, Diagnostic};
use compact_str::CompactString;
use rustc_hash::FxHashMap;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::collections::HashMap;

/// The deepest nesting of mappings and lists gwk accepts.
pub const MAX_DEPTH: usize = 200;

/// How many nodes alias expansion may copy in one file, against "billion
/// laughs" documents.
const MAX_ALIAS_NODES: usize = 200_000;

/// Parses `text` into a spanned tree.
pub fn parse(text: &str, index: &LineIndex) -> Parsed {
    let mut b = Builder {
        text,
        index,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: MAX_ALIAS_NODES,
        root: None,
        diagnostics: Vec::new(),
        documents: 0,
    };
    match b.run() {
        Ok(()) => {}
        Err(d) => {
            b.root = None;
            b.diagnostics.push(*d);
        }
    }
    Parsed {
        root: b.root,
        diagnostics: b.diagnostics,
    }
}

struct Frame {
    /// Where the collection starts (the first child's start for block style).
    start: usize,
    /// Flow collections end at their closing bracket; block ones at their last child.
    flow: bool,
    anchor: usize,
    kind: FrameKind,
}

enum FrameKind {
    Mapping {
        entries: Vec<Entry>,
        key: Option<Node>,
    },
    Sequence(Vec<Node>),
}

struct Builder<'a> {
    text: &'a str,
    index: &'a LineIndex,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_budget: usize,
    root: Option<Node>,
    diagnostics: Vec<Diagnostic>,
    documents: usize,
}

type BuildResult = Result<(), Box<Diagnostic>>;

impl<'a> Builder<'a> {
    fn offset(&self, m: &saphyr_parser::Marker) -> usize {
        // saphyr counts characters from the start: in ASCII text, bytes.
        if self.index.is_ascii() {
            return m.index().min(self.text.len());
        }
        let pos = LineCol {
            line: m.line().saturating_sub(1) as u32,
            col: m.col() as u32,
        };
        self.index.offset(self.text, pos, super::Encoding::Chars)
    }

    fn span(&self, s: &saphyr_parser::Span) -> Span {
        Span::new(self.offset(&s.start), self.offset(&s.end))
    }

    fn run(&mut self) -> BuildResult {
        if let Some(at) = forbidden_control(self.text) {
            let c = self.text[at..].chars().next().unwrap_or_default();
            return Err(Box::new(Diagnostic::new(
                Code::YamlSyntax,
                Span::new(at, at + c.len_utf8()),
                format!(
                    "a control character (U+{:04X}) that YAML does not allow in text (is this a binary file?)",
                    c as u32
                ),
            )));
        }
        let mut parser = Parser::new_from_str(self.text);
        loop {
            let (event, span) = match parser.next_event() {
                None => return Ok(()),
                Some(Ok(ev)) => ev,
                Some(Err(e)) => {
                    let at = self.offset(e.marker());
                    let (message, span) = explain(e.info(), self.text, self.index, at);
                    return Err(Box::new(Diagnostic::new(Code::YamlSyntax, span, message)));
                }
            };
            let span = self.span(&span);
            match event {
                Event::StreamEnd => return Ok(()),
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
                Event::DocumentStart(_) => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return Err(Box::new(Diagnostic::new(
                            Code::YamlSyntax,
                            Span::new(span.start, self.text.ceil_char_boundary(span.start + 3)),
                            "a second YAML document starts here: a workflow file holds exactly one document",
                        )));
                    }
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let node = self.scalar(CompactString::from(value), style, tag.as_deref(), span);
                    self.finish(node, anchor)?;
                }
                Event::Alias(id) => {
                    let node = self.alias(id, span)?;
                    self.finish(node, 0)?;
                }
                Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(Box::new(Diagnostic::new(
                            Code::YamlSyntax,
                            span,
                            format!(
                                "mappings and lists nest deeper than {MAX_DEPTH} levels here; gwk stops reading"
                            ),
                        )));
                    }
                    let flow = !span.is_empty();
                    let kind = if matches!(event, Event::MappingStart(..)) {
                        FrameKind::Mapping {
                            entries: Vec::new(),
                            key: None,
                        }
                    } else {
                        FrameKind::Sequence(Vec::new())
                    };
                    self.stack.push(Frame {
                        start: span.start,
                        flow,
                        anchor,
                        kind,
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    let frame = self.stack.pop().expect("parser balances collections");
                    let node = self.close(frame, span);
                    let anchor = node.1;
                    self.finish(node.0, anchor)?;
                }
            }
        }
    }

    fn scalar(
        &self,
        text: CompactString,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Node {
        let style = match style {
            ScalarStyle::Plain => Style::Plain,
            ScalarStyle::SingleQuoted => Style::SingleQuoted,
            ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
            ScalarStyle::Literal => Style::Literal,
            ScalarStyle::Folded => Style::Folded,
        };
        let kind = match tag.and_then(core_tag) {
            Some(kind) => kind,
            None if style == Style::Plain => resolve_plain(&text),
            None => ScalarKind::Str,
        };
        let span = if matches!(style, Style::Literal | Style::Folded) {
            block_scalar_span(self.text, span)
        } else {
            span
        };
        Node {
            value: Value::Scalar(Scalar { text, style, kind }),
            span,
            flow: false,
        }
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<Node, Box<Diagnostic>> {
        let Some(target) = self.anchors.get(&id) else {
            return Err(Box::new(Diagnostic::new(
                Code::YamlSyntax,
                span,
                "this alias refers to no anchor defined before it",
            )));
        };
        let cost = count_nodes(target);
        if cost > self.alias_budget {
            return Err(Box::new(Diagnostic::new(
                Code::YamlSyntax,
                span,
                "aliases in this file expand to too many nodes; gwk stops reading",
            )));
        }
        self.alias_budget -= cost;
        Ok(target.clone())
    }

    fn close(&mut self, frame: Frame, end_marker: Span) -> (Node, usize) {
        let (value, last_end) = match frame.kind {
            FrameKind::Mapping { mut entries, key } => {
                if let Some(key) = key {
                    // A key with no value event cannot happen in a balanced
                    // stream; keep it as a key with a null value just in case.
                    let at = key.span.end;
                    entries.push(Entry {
                        key,
                        value: null_at(at),
                    });
                }
                let entries = self.merge_keys(entries);
                self.report_duplicates(&entries);
                let end = entries.last().map(|e| e.value.span.end.max(e.key.span.end));
                (Value::Mapping(entries), end)
            }
            FrameKind::Sequence(items) => {
                let end = items.last().map(|n| n.span.end);
                (Value::Sequence(items), end)
            }
        };
        let end = if frame.flow {
            end_marker.end
        } else {
            last_end.unwrap_or(frame.start)
        };
        let node = Node {
            value,
            span: Span::new(frame.start, end),
            flow: frame.flow,
        };
        (node, frame.anchor)
    }

    /// Adds the entries of `<<: *alias` (or a list of aliases) that the
    /// mapping does not set itself, as YAML merge keys do.
    fn merge_keys(&self, entries: Vec<Entry>) -> Vec<Entry> {
        if !entries.iter().any(is_merge_entry) {
            return entries;
        }
        let (merges, mut own): (Vec<Entry>, Vec<Entry>) =
            entries.into_iter().partition(is_merge_entry);
        for merge in merges {
            let sources: Vec<&Node> = match &merge.value.value {
                Value::Mapping(_) => vec![&merge.value],
                Value::Sequence(items) => items.iter().collect(),
                Value::Scalar(_) => vec![],
            };
            for source in sources {
                for e in source.as_mapping().unwrap_or_default() {
                    let present = own.iter().any(|o| o.key_str() == e.key_str());
                    if !present {
                        own.push(e.clone());
                    }
                }
            }
        }
        own
    }

    fn report_duplicates(&mut self, entries: &[Entry]) {
        // Most mappings are small: comparing pairs beats hashing them.
        if entries.len() <= 16 {
            for (i, e) in entries.iter().enumerate() {
                let Some(k) = e.key_str() else { continue };
                let first = entries[..i].iter().find(|p| p.key_str() == Some(k));
                if let Some(prev) = first {
                    self.duplicate(k, prev, e);
                }
            }
            return;
        }
        let mut first: FxHashMap<&str, &Entry> =
            FxHashMap::with_capacity_and_hasher(entries.len(), Default::default());
        for e in entries {
            let Some(k) = e.key_str() else { continue };
            match first.get(k) {
                Some(prev) => self.duplicate(k, prev, e),
                None => {
                    first.insert(k, e);
                }
            }
        }
    }

    fn duplicate(&mut self, key: &str, first: &Entry, again: &Entry) {
        if first.key.span == again.key.span {
            return; // the same key brought in twice by merges
        }
        self.diagnostics.push(
            Diagnostic::new(
                Code::DuplicateKey,
                again.key.span,
                format!("`{key}` is given twice in this mapping; YAML keeps only one of them"),
            )
            .with_related(first.key.span, format!("`{key}` first given here")),
        );
    }

    /// Hands a finished node to its parent (or makes it the root).
    fn finish(&mut self, node: Node, anchor: usize) -> BuildResult {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut top.kind {
            FrameKind::Sequence(items) => items.push(node),
            FrameKind::Mapping { entries, key } => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push(Entry {
                    key: k,
                    value: node,
                }),
            },
        }
        Ok(())
    }
}

/// The first C0 control character other than tab, line feed and carriage
/// return, or DEL: YAML's printable set leaves them out.
fn forbidden_control(text: &str) -> Option<usize> {
    text.bytes()
        .position(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f)
}

fn is_merge_entry(e: &Entry) -> bool {
    matches!(&e.key.value, Value::Scalar(s) if s.text == "<<" && s.style == Style::Plain)
}

fn null_at(at: usize) -> Node {
    Node {
        value: Value::Scalar(Scalar {
            text: CompactString::default(),
            style: Style::Plain,
            kind: ScalarKind::Null,
        }),
        span: Span::empty(at),
        flow: false,
    }
}

fn count_nodes(node: &Node) -> usize {
    let mut n = 0;
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        n += 1;
        match &node.value {
            Value::Mapping(entries) => {
                for e in entries {
                    stack.push(&e.key);
                    stack.push(&e.value);
                }
            }
            Value::Sequence(items) => stack.extend(items.iter()),
            Value::Scalar(_) => {}
        }
    }
    n
}

fn core_tag(tag: &Tag) -> Option<ScalarKind> {
    if tag.handle != "!!" && tag.handle != "tag:yaml.org,2002:" {
        return None;
    }
    match tag.suffix.as_str() {
        "str" => Some(ScalarKind::Str),
        "int" => Some(ScalarKind::Int),
        "float" => Some(ScalarKind::Float),
        "null" => Some(ScalarKind::Null),
        "bool" => Some(ScalarKind::Bool(true)),
        _ => None,
    }
}

/// The YAML 1.2 core schema's resolution of a plain scalar.
pub(crate) fn resolve_plain(s: &str) -> ScalarKind {
    // Most plain scalars are words (`bash:5`, job names): a letter that
    // starts none of YAML's null, bool, inf or nan forms makes a string.
    if let Some(&c) = s.as_bytes().first()
        && c.is_ascii_alphabetic()
        && !matches!(c, b'n' | b'N' | b't' | b'T' | b'f' | b'F')
    {
        return ScalarKind::Str;
    }
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarKind::Null,
        "true" | "True" | "TRUE" => return ScalarKind::Bool(true),
        "false" | "False" | "FALSE" => return ScalarKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return ScalarKind::Float,
        _ => {}
    }
    let b = s.as_bytes();
    if let Some(rest) = s.strip_prefix("0o")
        && !rest.is_empty()
        && rest.bytes().all(|c| (b'0'..=b'7').contains(&c))
    {
        return ScalarKind::Int;
    }
    if let Some(rest) = s.strip_prefix("0x")
        && !rest.is_empty()
        && rest.bytes().all(|c| c.is_ascii_hexdigit())
    {
        return ScalarKind::Int;
    }
    let digits = match b.first() {
        Some(b'-' | b'+') => &b[1..],
        _ => b,
    };
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        return ScalarKind::Int;
    }
    if is_float(digits) {
        return ScalarKind::Float;
    }
    ScalarKind::Str
}

/// `( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_float(b: &[u8]) -> bool {
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

/// saphyr's span of a block scalar starts at its first content line; widen it
/// back to the `|` or `>` indicator and end it after the last content
/// character, so an underline or a fix covers exactly what the user wrote.
fn block_scalar_span(text: &str, span: Span) -> Span {
    let bytes = text.as_bytes();
    let mut start = span.start.min(bytes.len());
    // Walk back to the indicator: the last '|' or '>' before the content.
    let mut i = start;
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b'|' | b'>' => {
                start = i;
                break;
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'-' | b'+' | b'0'..=b'9' => continue,
            _ => {
                // A comment after the indicator: skip back over it to the
                // indicator on the same line, if any.
                let line_start = text[..i].rfind('\n').map_or(0, |p| p + 1);
                if let Some(p) = text[line_start..=i].rfind(['|', '>']) {
                    start = line_start + p;
                }
                break;
            }
        }
    }
    let mut end = span.end.min(bytes.len());
    while end > start && matches!(bytes[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    Span::new(start, end.max(start + 1).min(bytes.len().max(start)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Parsed {
        parse(text, &LineIndex::new(text))
    }

    #[test]
    fn plain_scalars_resolve_by_the_core_schema() {
        for (s, k) in [
            ("", ScalarKind::Null),
            ("~", ScalarKind::Null),
            ("true", ScalarKind::Bool(true)),
            ("on", ScalarKind::Str),
            ("yes", ScalarKind::Str),
            ("50", ScalarKind::Int),
            ("-3", ScalarKind::Int),
            ("0x1F", ScalarKind::Int),
            ("1.5", ScalarKind::Float),
            ("1e3", ScalarKind::Float),
            (".5", ScalarKind::Float),
            ("1.", ScalarKind::Float),
            ("1e", ScalarKind::Str),
            ("v1", ScalarKind::Str),
            (".", ScalarKind::Str),
            ("-", ScalarKind::Str),
        ] {
            assert_eq!(resolve_plain(s), k, "{s:?}");
        }
    }

    #[test]
    fn spans_are_byte_ranges() {
        let text = "a: é\nb: [x, \"y\"]\n";
        let p = tree(text);
        let root = p.root.unwrap();
        let b = root.get("b").unwrap();
        assert_eq!(&text[b.span.start..b.span.end], "[x, \"y\"]");
        let y = &b.as_sequence().unwrap()[1];
        assert_eq!(&text[y.span.start..y.span.end], "\"y\"");
        let a = root.get("a").unwrap();
        assert_eq!(&text[a.span.start..a.span.end], "é");
    }

    #[test]
    fn block_scalar_span_covers_indicator_and_content() {
        let text = "s: |-  # note\n  echo a\n  echo b\n\nt: 1\n";
        let root = tree(text).root.unwrap();
        let s = root.get("s").unwrap();
        assert_eq!(
            &text[s.span.start..s.span.end],
            "|-  # note\n  echo a\n  echo b"
        );
    }

    #[test]
    fn duplicate_keys_are_reported_with_the_first() {
        let p = tree("jobs:\n  a: 1\n  a: 2\n");
        assert_eq!(p.diagnostics.len(), 1);
        let d = &p.diagnostics[0];
        assert_eq!(d.code, Code::DuplicateKey);
        assert_eq!(d.span, Span::new(15, 16));
        assert_eq!(d.related[0].span, Span::new(8, 9));
    }

    #[test]
    fn aliases_and_merge_keys_expand() {
        let text = "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n";
        let root = tree(text).root.unwrap();
        let u = root.get("use").unwrap();
        assert_eq!(u.get("x").unwrap().scalar_text(), Some("1"));
        assert_eq!(u.get("y").unwrap().scalar_text(), Some("3"));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let mut text = String::new();
        for i in 0..10_000 {
            text.push_str(&" ".repeat(i));
            text.push_str("a:\n");
        }
        let p = tree(&text);
        assert!(p.root.is_none());
        assert_eq!(p.diagnostics[0].code, Code::YamlSyntax);
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let p = tree(&text);
        assert!(p.root.is_none());
        assert!(p.diagnostics[0].message.contains("too many"));
    }

    #[test]
    fn second_document_is_an_error() {
        let p = tree("a: 1\n---\nb: 2\n");
        assert_eq!(p.diagnostics[0].code, Code::YamlSyntax);
        assert!(p.diagnostics[0].message.contains("second YAML document"));
    }
}
