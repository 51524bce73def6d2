//! Where the cursor is, read from the text itself.
//!
//! Completion runs while the user types, when the YAML is often not YAML
//! yet (`    ne` on a line of its own is a syntax error until the `:`
//! comes). So the place is found from the lines around the cursor, the way
//! a person reads block YAML: the keys of the less indented lines above
//! make the path, and the cursor line says whether a key, a value or a list
//! item is being written. Flow lists (`needs: [a, b]`) are understood on
//! the cursor line; flow mappings and multi-line flow collections are not.

use crate::syntax::Span;

/// A key on the way from the root to the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub key: String,
    /// Where the key's line starts.
    pub line_start: usize,
    /// The key's column.
    pub indent: usize,
}

/// What is being written at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A key of the mapping inside the last segment (the root when there is
    /// none). `span` is the key written so far (to replace); `has_colon`
    /// when a `:` follows it already.
    Key {
        span: Span,
        prefix: String,
        has_colon: bool,
        indent: usize,
    },
    /// The value of the last segment's key. `space` when the cursor is
    /// right after the `:` (an inserted value needs a space first).
    Value {
        span: Span,
        prefix: String,
        quoted: bool,
        space: bool,
    },
    /// An item of the list that is the last segment's value.
    Item { span: Span, prefix: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub path: Vec<Segment>,
    pub place: Place,
}

impl Context {
    pub fn keys(&self) -> Vec<&str> {
        self.path.iter().map(|s| s.key.as_str()).collect()
    }

    /// The segment whose block holds the mapping that `path[level]` is a
    /// key of (`None` for the root).
    pub fn owner(&self, level: usize) -> Option<&Segment> {
        level.checked_sub(1).map(|l| &self.path[l])
    }
}

/// The place the cursor is at, or `None` inside a comment, a block scalar,
/// a multi-line plain scalar or a flow mapping.
pub fn context_at(text: &str, offset: usize) -> Option<Context> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |p| offset + p);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let before = &text[line_start..offset];
    if in_comment(before) {
        return None;
    }
    let indent = before.len() - before.trim_start_matches(' ').len();
    let mut pos = line_start + indent;
    let mut item = false;
    // `- ` list item markers (`- - x` nests; our schema never does).
    while pos < offset {
        let rest = &text[pos..offset];
        if rest == "-" {
            return None; // the cursor is right after the dash, no space yet
        }
        if let Some(r) = rest.strip_prefix("- ") {
            item = true;
            pos = offset - r.trim_start_matches(' ').len();
        } else {
            break;
        }
    }
    let rest_before = &text[pos..offset];
    let mut path = parents(text, line_start, indent)?;
    let line_rel_end = line_start + line.len();

    if let Some(colon) = separator(rest_before) {
        let key = unquote(rest_before[..colon].trim());
        if key.is_empty() {
            return None;
        }
        path.push(Segment {
            key: key.to_string(),
            line_start,
            indent: pos - line_start,
        });
        let after_colon = pos + colon + 1;
        let value_text = &text[after_colon..offset];
        let space = value_text.is_empty();
        let value_start = after_colon + (value_text.len() - value_text.trim_start().len());
        let value_before = &text[value_start..offset];
        if let Some(flow) = value_before.strip_prefix('[') {
            // `needs: [a, b|`
            let item_rel = flow.rfind(',').map_or(0, |c| c + 1);
            let item_text = &flow[item_rel..];
            let start =
                value_start + 1 + item_rel + (item_text.len() - item_text.trim_start().len());
            let end = token_end(text, offset, line_rel_end, ",]#");
            return Some(Context {
                path,
                place: Place::Item {
                    span: Span::new(start, end),
                    prefix: text[start..offset].to_string(),
                },
            });
        }
        if value_before.starts_with(['{', '|', '>', '&', '*', '!']) {
            return None;
        }
        let quote = value_before
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'');
        let (start, end) = match quote {
            Some(q) => {
                let start = value_start + 1;
                let end = text[start..line_rel_end]
                    .find(q)
                    .map_or(line_rel_end, |p| start + p);
                (start, end.max(offset))
            }
            None => (
                value_start,
                value_end(text, value_start, line_rel_end).max(offset),
            ),
        };
        if offset < start {
            return None;
        }
        return Some(Context {
            path,
            place: Place::Value {
                span: Span::new(start, end),
                prefix: text[start..offset].to_string(),
                quoted: quote.is_some(),
                space,
            },
        });
    }

    if item {
        if rest_before.starts_with(['{', '[', '|', '>', '&', '*', '!']) {
            return None;
        }
        let quoted = rest_before.starts_with(['"', '\'']);
        let start = pos + usize::from(quoted);
        let end = if quoted {
            token_end(text, offset, line_rel_end, "\"'")
        } else {
            value_end(text, start, line_rel_end).max(offset)
        };
        return Some(Context {
            path,
            place: Place::Item {
                span: Span::new(start, end),
                prefix: text[start..offset].to_string(),
            },
        });
    }

    // A key being written: only characters a plain key has.
    if rest_before
        .chars()
        .any(|c| c.is_whitespace() || "\"'{}[],#&*!|>%@`".contains(c))
    {
        return None;
    }
    let end = token_end(text, offset, line_rel_end, ": \t#");
    let has_colon = text[end..line_rel_end].trim_start().starts_with(':');
    Some(Context {
        path,
        place: Place::Key {
            span: Span::new(pos, end),
            prefix: rest_before.to_string(),
            has_colon,
            indent: pos - line_start,
        },
    })
}

/// The keys of the lines above `line_start` that hold a line indented by
/// `indent`, outermost first; `None` when the line is inside a scalar.
fn parents(text: &str, line_start: usize, indent: usize) -> Option<Vec<Segment>> {
    let mut out = Vec::new();
    let mut cur = indent;
    let mut end = line_start;
    while cur > 0 && end > 0 {
        let start = text[..end - 1].rfind('\n').map_or(0, |p| p + 1);
        let line = text[start..end - 1].trim_end_matches('\r');
        end = start;
        let trimmed = line.trim_start_matches(' ');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if line.starts_with("---") || line.starts_with("...") {
            break;
        }
        let ind = line.len() - trimmed.len();
        if ind >= cur {
            continue;
        }
        let content = trimmed.trim_start_matches("- ").trim_start();
        let Some(colon) = separator(content) else {
            // A line of a multi-line scalar: the key that owns it is above.
            continue;
        };
        let value = strip_comment(&content[colon + 1..]).trim();
        if value.starts_with(['|', '>']) {
            return None; // inside a block scalar
        }
        if !(value.is_empty() || value.starts_with('&')) {
            return None; // inside a multi-line plain scalar or flow value
        }
        out.push(Segment {
            key: unquote(content[..colon].trim()).to_string(),
            line_start: start,
            indent: ind,
        });
        cur = ind;
    }
    out.reverse();
    Some(out)
}

/// The entries `(key, value as written)` of the block mapping whose parent
/// key is `owner` (the root mapping for `None`), with each entry's line
/// start. Values are the rest of the line, unquoted, without comments.
pub(crate) fn block_entries(text: &str, owner: Option<&Segment>) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let (mut at, parent_indent) = match owner {
        Some(seg) => (
            text[seg.line_start..]
                .find('\n')
                .map_or(text.len(), |p| seg.line_start + p + 1),
            Some(seg.indent),
        ),
        None => (0, None),
    };
    let mut child: Option<usize> = None;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |p| at + p);
        let line = text[at..end].trim_end_matches('\r');
        let line_start = at;
        at = end + 1;
        let trimmed = line.trim_start_matches(' ');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let ind = line.len() - trimmed.len();
        if parent_indent.is_some_and(|p| ind <= p) {
            break;
        }
        let want = *child.get_or_insert(ind);
        if ind != want || trimmed.starts_with("- ") {
            continue;
        }
        if let Some(colon) = separator(trimmed) {
            let value = unquote(strip_comment(&trimmed[colon + 1..]).trim());
            out.push((
                unquote(trimmed[..colon].trim()).to_string(),
                value.to_string(),
                line_start,
            ));
        }
    }
    out
}

/// The `:` that ends a key: outside quotes and brackets, followed by a
/// space or the end.
fn separator(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut quote: Option<u8> = None;
    let mut depth = 0i32;
    for (i, &b) in bytes.iter().enumerate() {
        match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                }
            }
            None => match b {
                b'"' | b'\'' if i == 0 || bytes[i - 1] == b' ' => quote = Some(b),
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth -= 1,
                b'#' if i > 0 && bytes[i - 1] == b' ' => return None,
                b':' if depth <= 0
                    && bytes.get(i + 1).is_none_or(|n| *n == b' ' || *n == b'\t') =>
                {
                    return Some(i);
                }
                _ => {}
            },
        }
    }
    None
}

fn in_comment(before: &str) -> bool {
    let t = before.trim_start();
    t.starts_with('#') || strip_comment(before).len() < before.len()
}

/// The text before a ` #` comment (quotes respected).
fn strip_comment(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'#' if i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t' => {
                    return &s[..i];
                }
                _ => {}
            },
        }
    }
    s
}

fn unquote(s: &str) -> &str {
    let quoted = s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')));
    if quoted { &s[1..s.len() - 1] } else { s }
}

/// Where a token that starts before `offset` ends: at the first of `stops`
/// (or the line end) from `offset` on.
fn token_end(text: &str, offset: usize, line_end: usize, stops: &str) -> usize {
    text[offset..line_end]
        .find(|c: char| stops.contains(c))
        .map_or(line_end, |p| offset + p)
}

/// The end of a plain value: before a trailing comment and spaces.
fn value_end(text: &str, start: usize, line_end: usize) -> usize {
    let value = strip_comment(&text[start..line_end]);
    start + value.trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(fixture: &str) -> Option<Context> {
        let offset = fixture.find("$0").expect("cursor");
        let text = fixture.replace("$0", "");
        context_at(&text, offset)
    }

    fn keys(c: &Context) -> Vec<&str> {
        c.keys()
    }

    #[test]
    fn key_being_typed_in_a_broken_file() {
        let c = at("jobs:\n  A:\n    uses: script@v1\n    ne$0\n  B:\n    uses: x\n").unwrap();
        assert_eq!(keys(&c), ["jobs", "A"]);
        let Place::Key {
            prefix, has_colon, ..
        } = &c.place
        else {
            panic!("{c:?}")
        };
        assert_eq!(prefix, "ne");
        assert!(!has_colon);
    }

    #[test]
    fn empty_line_under_a_mapping_key() {
        let c = at("jobs:\n  A:\n    with:\n      $0\n").unwrap();
        assert_eq!(keys(&c), ["jobs", "A", "with"]);
        assert!(matches!(c.place, Place::Key { .. }));
        let c = at("$0").unwrap();
        assert!(c.path.is_empty());
    }

    #[test]
    fn values_items_and_flow_lists() {
        let c = at("jobs:\n  A:\n    uses: scr$0ipt@v1 # note\n").unwrap();
        assert_eq!(keys(&c), ["jobs", "A", "uses"]);
        let text = "jobs:\n  A:\n    uses: script@v1 # note\n";
        let Place::Value { span, prefix, .. } = &c.place else {
            panic!()
        };
        assert_eq!(prefix, "scr");
        assert_eq!(&text[span.start..span.end], "script@v1");

        let c = at("jobs:\n  B:\n    needs:\n      - A\n      - $0\n").unwrap();
        assert_eq!(keys(&c), ["jobs", "B", "needs"]);
        assert!(matches!(&c.place, Place::Item { prefix, .. } if prefix.is_empty()));

        let c = at("jobs:\n  B:\n    needs: [A, C$0]\n").unwrap();
        assert_eq!(keys(&c), ["jobs", "B", "needs"]);
        assert!(matches!(&c.place, Place::Item { prefix, .. } if prefix == "C"));

        let c = at("jobs:\n  B:\n    env:\n      T: \"secret:$0\"\n").unwrap();
        assert!(
            matches!(&c.place, Place::Value { prefix, quoted: true, .. } if prefix == "secret:")
        );
    }

    #[test]
    fn nothing_inside_scalars_and_comments() {
        assert!(at("jobs:\n  A:\n    with:\n      script: |-\n        echo $0\n").is_none());
        assert!(
            at("jobs:\n  A:\n    with:\n      script: |-\n        if x; then\n          $0\n")
                .is_none()
        );
        assert!(at("jobs: # a $0comment\n").is_none());
    }

    #[test]
    fn sibling_entries_of_a_block() {
        let text = "jobs:\n  A:\n    uses: container@v1\n    with:\n      image: x\n    env: {}\n  B:\n    uses: script@v1\n";
        let c = context_at(text, text.find("image").unwrap()).unwrap();
        let job = c.owner(2).unwrap();
        assert_eq!(job.key, "A");
        let entries: Vec<(String, String)> = block_entries(text, Some(job))
            .into_iter()
            .map(|(k, v, _)| (k, v))
            .collect();
        assert_eq!(
            entries,
            [
                ("uses".to_string(), "container@v1".to_string()),
                ("with".into(), String::new()),
                ("env".into(), "{}".into())
            ]
        );
    }
}
