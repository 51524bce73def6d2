//! Plain explanations of YAML parser errors.
//!
//! The parser's own words ("while parsing a block mapping, did not find
//! expected key") describe its state machine, not the mistake. Each pattern
//! below turns one family into what the user did and what to do.

use super::{LineIndex, Span};

/// The message and the span to underline for a parser error at byte `at`.
pub fn explain(info: &str, text: &str, index: &LineIndex, at: usize) -> (String, Span) {
    let (message, span) = describe(info, text, index, at);
    // At the end of the text there is nothing to underline past it, and a
    // span that starts or ends inside a character (a one-byte guess next to
    // a multi-byte one) is widened to whole characters: every consumer
    // slices the text with it.
    let start = text.floor_char_boundary(span.start);
    let end = text.ceil_char_boundary(span.end.max(start));
    (message, Span::new(start, end))
}

fn describe(info: &str, text: &str, index: &LineIndex, at: usize) -> (String, Span) {
    let at = at.min(text.len());
    let line = index.line_of(at);
    let line_range = index.line_range(text, line);

    // A tab in the indentation is the most common cause of trouble, whatever
    // state the parser was in when it noticed.
    if info.contains("tab") {
        let tab = text[line_range.clone()]
            .find('\t')
            .map_or(at, |p| line_range.start + p);
        return (
            "a tab character in the indentation: YAML indents with spaces only".into(),
            Span::new(tab, tab + 1),
        );
    }

    // A line that falls out of a `|` block above it confuses the parser a
    // few lines later; point at the line itself.
    if let Some((culprit, column)) = dedented_block_line(text, index, line) {
        let start = index.line_start(culprit);
        let indent = text[start..].len() - text[start..].trim_start_matches(' ').len();
        let end = index.line_range(text, culprit).end;
        return (
            format!(
                "this line is indented less than the block (`|` or `>`) above it, whose lines start \
                 in column {}: YAML ends the block before this line. Indent it like the rest of the block",
                column + 1
            ),
            Span::new(start + indent, end),
        );
    }

    let word = word_span(text, at);
    let message = if info.contains("mapping values are not allowed") {
        "`key: value` where YAML expects no key: this line is indented deeper than its \
         mapping allows, or a value that contains `: ` needs quotes"
            .to_string()
    } else if info.contains("did not find expected key") {
        "this line's indentation matches none of the mappings around it: keys of one \
         mapping start in the same column"
            .to_string()
    } else if info.contains("did not find expected '-' indicator") {
        "this line breaks off a list: items of one list start with `- ` in the same column"
            .to_string()
    } else if info.contains("quoted scalar") && !info.contains("escape") {
        let open = quote_start(text, at);
        return (
            "a quoted string starts here and is never closed: add the closing quote".into(),
            Span::new(open, open + 1),
        );
    } else if info.contains("document start") || info.contains("document-start") {
        "a top-level key is indented differently from the first one: all top-level keys \
         start in the same column (was a parent key above commented out?)"
            .to_string()
    } else if info.contains("flow sequence") || info.contains("misplaced bracket") {
        "a `[...]` list is not closed, or its items are not separated by commas".to_string()
    } else if info.contains("flow mapping") {
        "a `{...}` mapping is not closed, or its entries are not separated by commas".to_string()
    } else if info.contains("simple key") {
        "a key without a `:` after it, or a quote or bracket left open before it".to_string()
    } else if info.contains("block scalar") || info.contains("invalid indentation") {
        "a line inside a block is indented less than the block's first line: indent every \
         line of a `|` or `>` block at least as deep as its first"
            .to_string()
    } else if info.contains("unknown anchor") {
        "an alias (`*name`) whose anchor (`&name`) is not defined before it".to_string()
    } else if info.contains("unprintable character") {
        "a control character YAML does not allow in text (is this a binary file?)".to_string()
    } else if info.contains("unknown escape character") {
        "an escape that double-quoted YAML strings do not have: use single quotes, or \
         write the backslash as `\\\\`"
            .to_string()
    } else if info.contains("block sequence entries are not allowed") {
        "a `- ` list item on the same line as a key: start the list on the next line, \
         indented under the key"
            .to_string()
    } else if info.contains("recursion limit") {
        "brackets nest too deep here; gwk stops reading".to_string()
    } else if info.contains("did not find expected node content") {
        "a value is missing where YAML expects one (a stray `-`, `,` or `:`?)".to_string()
    } else {
        let mut m = info.to_string();
        if let Some(first) = m.get_mut(0..1) {
            first.make_ascii_lowercase();
        }
        format!("not valid YAML: {m}")
    };
    (message, word)
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Whether a line reads as `key:` or `key: value` (or a list item).
fn is_key_line(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with("- ") || t == "-" || t.starts_with('#') {
        return true;
    }
    let key_end = t.find(':').unwrap_or(t.len());
    key_end < t.len()
        && t[..key_end]
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.'\"".contains(c))
        && t[key_end + 1..].chars().next().is_none_or(|c| c == ' ')
}

/// Whether a line ends with a block scalar header (`key: |-`, `- >`).
fn opens_block(line: &str) -> bool {
    let code = line.split(" #").next().unwrap_or(line).trim_end();
    let indicator = code.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
    (indicator.ends_with(": |")
        || indicator.ends_with(": >")
        || indicator.ends_with("- |")
        || indicator.ends_with("- >"))
        || indicator.trim() == "|"
        || indicator.trim() == ">"
}

/// The first line (0-based, at or before `error_line`) that drops out of a
/// block scalar: less indented than the block's content but no key either.
/// Returns the line and the block's content column.
fn dedented_block_line(text: &str, index: &LineIndex, error_line: usize) -> Option<(usize, usize)> {
    let line = |n: usize| &text[index.line_range(text, n)];
    let lowest = error_line.saturating_sub(500);
    let header = (lowest..=error_line)
        .rev()
        .find(|&n| opens_block(line(n)))?;
    let key_indent = indent_of(line(header));
    let first = (header + 1..=error_line).find(|&n| !line(n).trim().is_empty())?;
    let content = indent_of(line(first));
    if content <= key_indent {
        return None;
    }
    (first + 1..=error_line)
        .find(|&n| {
            let l = line(n);
            !l.trim().is_empty() && indent_of(l) < content && !is_key_line(l)
        })
        .map(|n| (n, content))
}

/// The non-blank run of characters at `at`, or one character there.
fn word_span(text: &str, at: usize) -> Span {
    let bytes = text.as_bytes();
    let mut end = at;
    while end < bytes.len() && !matches!(bytes[end], b' ' | b'\n' | b'\r' | b'\t') {
        end += 1;
    }
    if end == at {
        // At a line end or a blank: mark one character (or nothing at EOF).
        let next = text[at..].chars().next().map_or(0, char::len_utf8);
        end = at + next;
    }
    while end > at && !text.is_char_boundary(end) {
        end -= 1;
    }
    Span::new(at, end)
}

/// Where the unclosed quote opened: the first quote that starts a value
/// (after `: ` or `- `, or first on its line) and is not closed on its line.
fn quote_start(text: &str, at: usize) -> usize {
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let opens = std::iter::once(indent).chain(
            line.match_indices(": ")
                .chain(line.match_indices("- "))
                .map(|(i, _)| i + 2),
        );
        for open in opens {
            let rest = &line[open..];
            let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if !closes(&rest[1..], q) {
                return line_start + open;
            }
        }
        line_start += line.len();
        if line_start > at {
            break;
        }
    }
    at
}

/// Whether `rest` (what follows an opening quote) holds its closing quote.
fn closes(rest: &str, quote: char) -> bool {
    let mut escaped = false;
    for c in rest.chars() {
        if quote == '"' && c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        if c == quote && !escaped {
            return true;
        }
        escaped = false;
    }
    false
}
