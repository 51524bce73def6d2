//! Byte offsets ↔ lines and columns, in the three encodings gwk reports in.
//!
//! Spans inside gwk are byte ranges into the source. The CLI prints columns
//! counted in Unicode characters; language clients ask for UTF-8 or UTF-16
//! code units. The index keeps only line starts (and whether the text is pure
//! ASCII, the common case, where all three encodings agree), so it costs one
//! `u32` per line.

/// How columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (the LSP default).
    Utf16,
    /// Unicode scalar values (what a person counts; the CLI's unit).
    Chars,
}

/// A 0-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
    ascii: bool,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = Vec::with_capacity(text.len() / 24 + 1);
        line_starts.push(0);
        // `\n`, `\r\n` and a lone `\r` each end a line, as in YAML and the LSP.
        // memchr finds the breaks several bytes at a time: this index is
        // built for every check, and a byte loop was 3% of one.
        let bytes = text.as_bytes();
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                line_starts.push(i as u32 + 1);
            }
        }
        LineIndex {
            line_starts,
            len: text.len() as u32,
            ascii: text.is_ascii(),
        }
    }

    /// Whether the text is pure ASCII, where bytes, characters and UTF-16
    /// units are one and the same.
    pub fn is_ascii(&self) -> bool {
        self.ascii
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 0-based `line` starts (the text length past the end).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .map_or(self.len as usize, |&s| s as usize)
    }

    /// Byte range of 0-based `line`, without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }

    /// The 0-based line that holds byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&(offset as u32)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Line and column of byte `offset`, with the column counted in `enc`.
    pub fn line_col(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let col = if self.ascii || enc == Encoding::Utf8 {
            offset - start
        } else {
            let prefix = prefix_up_to(text, start, offset);
            match enc {
                Encoding::Chars => prefix.chars().count(),
                Encoding::Utf16 => prefix.encode_utf16().count(),
                Encoding::Utf8 => unreachable!("handled above"),
            }
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// Byte offset of a line and column counted in `enc`. Positions past the
    /// end of a line clamp to the line's end, as the LSP asks.
    pub fn offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return text.len();
        }
        if self.ascii {
            // Every encoding counts bytes here; only clamp to the line's end.
            let at = self.line_starts[line] as usize + pos.col as usize;
            let next = self
                .line_starts
                .get(line + 1)
                .map_or(text.len(), |&n| n as usize);
            if at + 1 < next {
                return at; // well inside the line: the common case
            }
            return at.min(self.line_range(text, line).end);
        }
        let range = self.line_range(text, line);
        let line_text = &text[range.clone()];
        let col = pos.col as usize;
        let within = if self.ascii {
            col.min(line_text.len())
        } else {
            match enc {
                Encoding::Utf8 => {
                    let mut c = col.min(line_text.len());
                    while !line_text.is_char_boundary(c) {
                        c -= 1;
                    }
                    c
                }
                Encoding::Chars => line_text
                    .char_indices()
                    .nth(col)
                    .map_or(line_text.len(), |(i, _)| i),
                Encoding::Utf16 => {
                    let mut units = 0;
                    let mut at = line_text.len();
                    for (i, ch) in line_text.char_indices() {
                        if units >= col {
                            at = i;
                            break;
                        }
                        units += ch.len_utf16();
                    }
                    at
                }
            }
        };
        range.start + within
    }
}

/// `text[start..offset]`, or the longest prefix that ends on a char boundary.
fn prefix_up_to(text: &str, start: usize, offset: usize) -> &str {
    let mut end = offset;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_round_trip() {
        let text = "a: 1\nbb: 2\n";
        let idx = LineIndex::new(text);
        let lc = idx.line_col(text, 6, Encoding::Chars);
        assert_eq!(lc, LineCol { line: 1, col: 1 });
        assert_eq!(idx.offset(text, lc, Encoding::Utf16), 6);
    }

    #[test]
    fn non_ascii_columns_differ_by_encoding() {
        // "é" is 2 bytes, 1 char, 1 UTF-16 unit; "𝄞" is 4 bytes, 1 char, 2 units.
        let text = "x: é𝄞z\n";
        let idx = LineIndex::new(text);
        let z = text.find('z').unwrap();
        assert_eq!(idx.line_col(text, z, Encoding::Utf8).col, 9);
        assert_eq!(idx.line_col(text, z, Encoding::Chars).col, 5);
        assert_eq!(idx.line_col(text, z, Encoding::Utf16).col, 6);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Chars] {
            let lc = idx.line_col(text, z, enc);
            assert_eq!(idx.offset(text, lc, enc), z, "{enc:?}");
        }
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let text = "a\rb\r\nc\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(
            idx.line_col(text, 2, Encoding::Utf8),
            LineCol { line: 1, col: 0 }
        );
        assert_eq!(idx.line_range(text, 1), 2..3);
        assert_eq!(
            idx.line_col(text, 5, Encoding::Utf8),
            LineCol { line: 2, col: 0 }
        );
    }

    #[test]
    fn past_end_clamps() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 99 }, Encoding::Utf16),
            2
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 9, col: 0 }, Encoding::Utf16),
            5
        );
    }
}
