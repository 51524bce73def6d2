//! The spanned YAML tree: every key, value and collection with its byte range.
//!
//! gwk reads YAML 1.2 (so an unquoted `on:` is the string "on", as users
//! mean it), resolves plain scalars by the core schema, expands aliases and
//! `<<` merge keys, and reports duplicate keys instead of silently keeping one.

mod build;
mod line_index;
mod messages;

pub use build::{MAX_DEPTH, parse};
pub use line_index::{Encoding, LineCol, LineIndex};

use compact_str::CompactString;
use std::fmt;

/// A byte range into the source text, end exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }

    pub fn empty(at: usize) -> Span {
        Span { start: at, end: at }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// Like `contains`, but true at the end too: a cursor just after a word
    /// is still "in" it.
    pub fn touches(&self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }

    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The part `start..end` of this span, given in offsets relative to it.
    pub fn sub(self, start: usize, end: usize) -> Span {
        Span::new(self.start + start, self.start + end)
    }
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|`
    Literal,
    /// `>`
    Folded,
}

impl Style {
    pub fn is_quoted(self) -> bool {
        matches!(self, Style::SingleQuoted | Style::DoubleQuoted)
    }
}

/// What a scalar resolves to under the YAML 1.2 core schema.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScalarKind {
    Null,
    Bool(bool),
    Int,
    Float,
    Str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The value after unquoting, unescaping and folding. Short values (most
    /// keys and values) are stored inline, without an allocation of their own.
    pub text: CompactString,
    pub style: Style,
    pub kind: ScalarKind,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

impl Entry {
    /// The key as text, when it is a scalar (it nearly always is).
    pub fn key_str(&self) -> Option<&str> {
        match &self.key.value {
            Value::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Mapping(Vec<Entry>),
    Sequence(Vec<Node>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// A collection written in flow style (`[a, b]`, `{a: 1}`).
    pub flow: bool,
}

/// The broad YAML kinds, for messages and for matching against the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
    Mapping,
    Sequence,
}

impl Kind {
    /// "a string", "a list", ... as a message says it.
    pub fn described(self) -> &'static str {
        match self {
            Kind::Null => "nothing (null)",
            Kind::Bool => "a boolean",
            Kind::Int => "a number",
            Kind::Float => "a number",
            Kind::Str => "a string",
            Kind::Mapping => "a mapping",
            Kind::Sequence => "a list",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.described())
    }
}

impl Node {
    pub fn kind(&self) -> Kind {
        match &self.value {
            Value::Scalar(s) => match s.kind {
                ScalarKind::Null => Kind::Null,
                ScalarKind::Bool(_) => Kind::Bool,
                ScalarKind::Int => Kind::Int,
                ScalarKind::Float => Kind::Float,
                ScalarKind::Str => Kind::Str,
            },
            Value::Mapping(_) => Kind::Mapping,
            Value::Sequence(_) => Kind::Sequence,
        }
    }

    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar that resolves to a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) if s.kind == ScalarKind::Str => Some(&s.text),
            _ => None,
        }
    }

    /// The text of any scalar (a number's digits, `true`, ...).
    pub fn scalar_text(&self) -> Option<&str> {
        self.scalar().map(|s| s.text.as_str())
    }

    pub fn as_mapping(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Mapping(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        self.kind() == Kind::Null
    }

    /// The entry whose key is `key`, in a mapping.
    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        self.as_mapping()?.iter().find(|e| e.key_str() == Some(key))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|e| &e.value)
    }

    /// The innermost nodes from this one down to `offset`, outermost first,
    /// with the mapping keys passed on the way. Used by cursor queries.
    pub fn path_to(&self, offset: usize) -> Vec<PathStep<'_>> {
        let mut path = Vec::new();
        let mut node = self;
        loop {
            match &node.value {
                Value::Mapping(entries) => {
                    let hit = entries
                        .iter()
                        .find(|e| e.key.span.touches(offset) || e.value.span.touches(offset));
                    match hit {
                        Some(e) if e.key.span.touches(offset) => {
                            path.push(PathStep::Key(e));
                            return path;
                        }
                        Some(e) => {
                            path.push(PathStep::Value(e));
                            node = &e.value;
                        }
                        None => return path,
                    }
                }
                Value::Sequence(items) => match items.iter().position(|i| i.span.touches(offset)) {
                    Some(i) => {
                        path.push(PathStep::Item(i, &items[i]));
                        node = &items[i];
                    }
                    None => return path,
                },
                Value::Scalar(_) => return path,
            }
        }
    }
}

impl Node {
    /// The value as JSON, the way a YAML 1.2 loader hands it to a JSON Schema
    /// validator (keys as strings, scalars by their resolved kind).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Scalar(s) => match s.kind {
                ScalarKind::Null => J::Null,
                ScalarKind::Bool(b) => J::Bool(b),
                ScalarKind::Int | ScalarKind::Float => s
                    .text
                    .parse::<i64>()
                    .map(J::from)
                    .ok()
                    .or_else(|| {
                        s.text
                            .parse::<f64>()
                            .ok()
                            .and_then(serde_json::Number::from_f64)
                            .map(J::Number)
                    })
                    .unwrap_or_else(|| J::String(s.text.to_string())),
                ScalarKind::Str => J::String(s.text.to_string()),
            },
            Value::Sequence(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Mapping(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| {
                        let key = match &e.key.value {
                            Value::Scalar(s) => s.text.to_string(),
                            _ => e.key.to_json().to_string(),
                        };
                        (key, e.value.to_json())
                    })
                    .collect(),
            ),
        }
    }
}

/// One step of a path from the root to a position.
#[derive(Clone, Copy, Debug)]
pub enum PathStep<'a> {
    /// The position is on this entry's key.
    Key(&'a Entry),
    /// The position is inside this entry's value.
    Value(&'a Entry),
    /// The position is inside the n-th item of a list.
    Item(usize, &'a Node),
}

/// The result of parsing: the tree when the text is YAML, and the findings
/// the parser makes on its own (syntax errors, duplicate keys).
#[derive(Clone, Debug)]
pub struct Parsed {
    pub root: Option<Node>,
    pub diagnostics: Vec<crate::Diagnostic>,
}
