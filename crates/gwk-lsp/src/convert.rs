//! gwk-spec's byte spans ↔ LSP positions, and gwk-spec's types → LSP types.

use gwk_spec::query::{Completion, ItemKind};
use gwk_spec::syntax::{Encoding, LineCol, LineIndex, Span};
use gwk_spec::{Code, Severity};
use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

/// Text with its line index: what spans are converted against.
pub struct Lines<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub encoding: Encoding,
}

impl Lines<'_> {
    pub fn position(&self, offset: usize) -> lsp::Position {
        let lc = self.index.line_col(self.text, offset, self.encoding);
        lsp::Position::new(lc.line, lc.col)
    }

    pub fn range(&self, span: Span) -> lsp::Range {
        lsp::Range::new(self.position(span.start), self.position(span.end))
    }

    pub fn offset(&self, pos: lsp::Position) -> usize {
        self.index.offset(
            self.text,
            LineCol {
                line: pos.line,
                col: pos.character,
            },
            self.encoding,
        )
    }

    pub fn span(&self, range: lsp::Range) -> Span {
        Span::new(self.offset(range.start), self.offset(range.end))
    }
}

/// The byte offset of an LSP position in a rope. Lines end at `\n`,
/// `\r\n` or a lone `\r`, as in the protocol and in gwk-spec's
/// `LineIndex` (ropey's `cr_lines`); a column past the line's end clamps to
/// it, a line past the end to the end of the text.
pub fn rope_offset(rope: &Rope, pos: lsp::Position, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_byte(line);
    let slice = rope.line(line);
    let mut len = slice.len_bytes();
    // The line's own break is not a place a column can point into.
    if len > 0 && slice.byte(len - 1) == b'\n' {
        len -= 1;
    }
    if len > 0 && slice.byte(len - 1) == b'\r' {
        len -= 1;
    }
    let col = pos.character as usize;
    let within = match enc {
        Encoding::Utf8 => {
            let mut c = col.min(len);
            while c > 0 && !is_boundary(&slice, c) {
                c -= 1;
            }
            c
        }
        Encoding::Utf16 | Encoding::Chars => {
            let mut units = 0;
            let mut at = len;
            for (bytes, ch) in slice.chars().scan(0usize, |b, ch| {
                let here = *b;
                *b += ch.len_utf8();
                Some((here, ch))
            }) {
                if bytes >= len {
                    break;
                }
                if units >= col {
                    at = bytes;
                    break;
                }
                units += if enc == Encoding::Utf16 {
                    ch.len_utf16()
                } else {
                    1
                };
            }
            at
        }
    };
    start + within
}

fn is_boundary(slice: &ropey::RopeSlice, byte: usize) -> bool {
    byte >= slice.len_bytes() || (slice.byte(byte) & 0xC0) != 0x80
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// A gwk diagnostic as the LSP shows it. `carried` marks a finding kept
/// from the last text that parsed while the current one does not.
pub fn diagnostic(
    d: &gwk_spec::Diagnostic,
    lines: &Lines,
    uri: &lsp::Uri,
    carried: bool,
) -> lsp::Diagnostic {
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .map(|r| lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), lines.range(r.span)),
            message: r.message.clone(),
        })
        .collect();
    let tags = match d.code {
        Code::UnusedOutput | Code::UnusedWorkflowInput => {
            Some(vec![lsp::DiagnosticTag::UNNECESSARY])
        }
        Code::Deprecated => Some(vec![lsp::DiagnosticTag::DEPRECATED]),
        _ => None,
    };
    lsp::Diagnostic {
        range: lines.range(d.span),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        code_description: d
            .code
            .docs_url()
            .parse()
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        source: Some("gwk".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags,
        data: carried.then(|| serde_json::json!({ "carried": true })),
    }
}

pub fn text_edit(e: &gwk_spec::Edit, lines: &Lines) -> lsp::TextEdit {
    lsp::TextEdit {
        range: lines.range(e.span),
        new_text: e.text.clone(),
    }
}

fn item_kind(k: ItemKind) -> lsp::CompletionItemKind {
    match k {
        ItemKind::Key => lsp::CompletionItemKind::PROPERTY,
        ItemKind::Choice => lsp::CompletionItemKind::ENUM_MEMBER,
        ItemKind::Job => lsp::CompletionItemKind::MODULE,
        ItemKind::Reference => lsp::CompletionItemKind::REFERENCE,
        ItemKind::InstanceType => lsp::CompletionItemKind::VALUE,
        ItemKind::Dataset => lsp::CompletionItemKind::FOLDER,
        ItemKind::Secret => lsp::CompletionItemKind::CONSTANT,
    }
}

/// How completion items are written for this client.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompletionStyle {
    /// Send `editor.action.triggerSuggest` after `Job.` → `outputs.`
    /// (a VS Code command; other clients would try to run it on the server).
    pub retrigger_command: bool,
    /// The client shows the `deprecated` tag.
    pub deprecated_tag: bool,
}

pub fn completion(c: &Completion, lines: &Lines, style: CompletionStyle) -> lsp::CompletionItem {
    lsp::CompletionItem {
        label: c.label.clone(),
        kind: Some(item_kind(c.kind)),
        detail: c.detail.clone(),
        documentation: c.documentation.as_ref().map(|d| {
            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: d.clone(),
            })
        }),
        sort_text: Some(c.sort_text.clone()),
        filter_text: None,
        text_edit: Some(lsp::CompletionTextEdit::Edit(text_edit(&c.edit, lines))),
        additional_text_edits: (!c.additional_edits.is_empty()).then(|| {
            c.additional_edits
                .iter()
                .map(|e| text_edit(e, lines))
                .collect()
        }),
        tags: (c.deprecated && style.deprecated_tag)
            .then(|| vec![lsp::CompletionItemTag::DEPRECATED]),
        #[allow(deprecated)]
        deprecated: (c.deprecated && !style.deprecated_tag).then_some(true),
        command: (c.retrigger && style.retrigger_command).then(|| lsp::Command {
            title: "complete again".into(),
            command: "editor.action.triggerSuggest".into(),
            arguments: None,
        }),
        ..lsp::CompletionItem::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rope_offsets_agree_with_the_line_index() {
        let text = "a: é𝄞z\r\nb: x\n\nc: y\rd: 𝄞\r\rlast";
        let rope = Rope::from_str(text);
        let index = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Chars] {
            for line in 0..8u32 {
                for col in 0..12u32 {
                    let pos = lsp::Position::new(line, col);
                    let lines = Lines {
                        text,
                        index: &index,
                        encoding: enc,
                    };
                    assert_eq!(
                        rope_offset(&rope, pos, enc),
                        lines.offset(pos),
                        "{enc:?} {line}:{col}"
                    );
                }
            }
        }
    }
}
