//! gwk-spec's byte spans ↔ LSP positions, and gwk-spec's types → LSP
//! types: every conversion to and from the protocol's types is here, so the
//! handlers only choose what to ask gwk-spec.

use crate::state::Checked;
use gwk_spec::query::{self, Completion, EditLog, ItemKind};
use gwk_spec::syntax::{Encoding, LineCol, LineIndex, Span};
use gwk_spec::{Code, Severity};
use ropey::Rope;
use std::collections::HashMap;
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

/// The model's text (the last that parsed) seen from the text now: its
/// spans, moved by the edits made since, as ranges of the text now.
pub struct Moved<'a> {
    /// The text now.
    pub lines: Lines<'a>,
    /// From the model's text to the text now.
    pub log: &'a EditLog,
    pub uri: &'a lsp::Uri,
}

impl Moved<'_> {
    /// `None` while an edit covers the span.
    pub fn range(&self, span: Span) -> Option<lsp::Range> {
        Some(self.lines.range(self.log.forward(span)?))
    }

    pub fn location(&self, span: Span) -> Option<lsp::Location> {
        Some(lsp::Location::new(self.uri.clone(), self.range(span)?))
    }

    /// An offset of the model's text as a position in the text now.
    pub fn position(&self, offset: usize) -> Option<lsp::Position> {
        let at = self.log.forward(Span::empty(offset))?.start;
        Some(self.lines.position(at))
    }

    /// The line of the text now where line `line` of the model's text
    /// (indexed by `model`) starts.
    pub fn line(&self, model: &LineIndex, line: u32) -> Option<u32> {
        let at = self
            .log
            .forward(Span::empty(model.line_start(line as usize)))?
            .start;
        Some(self.lines.index.line_of(at) as u32)
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
        // A retired instance type was a `deprecated` finding before the split.
        c if c.answers_to(Code::Deprecated) => Some(vec![lsp::DiagnosticTag::DEPRECATED]),
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

/// The diagnostics a check shows, in the client's encoding.
pub fn checked_diagnostics(
    checked: &Checked,
    uri: &lsp::Uri,
    encoding: Encoding,
) -> Vec<lsp::Diagnostic> {
    if let Some(why) = &checked.skipped {
        return vec![not_checked(why)];
    }
    let lines = Lines {
        text: &checked.analysis.text,
        index: &checked.analysis.line_index,
        encoding,
    };
    checked
        .diagnostics
        .iter()
        .map(|(d, carried)| diagnostic(d, &lines, uri, *carried))
        .collect()
}

/// The one diagnostic of a document that was not checked, at its start.
fn not_checked(why: &str) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: lsp::Range::default(),
        severity: Some(lsp::DiagnosticSeverity::WARNING),
        source: Some("gwk".into()),
        message: why.to_string(),
        ..lsp::Diagnostic::default()
    }
}

/// A pull report with these diagnostics.
pub fn full_report(
    result_id: Option<String>,
    items: Vec<lsp::Diagnostic>,
) -> lsp::DocumentDiagnosticReportResult {
    lsp::DocumentDiagnosticReportResult::Report(lsp::DocumentDiagnosticReport::Full(
        lsp::RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport { result_id, items },
        },
    ))
}

/// A pull report saying the last one still holds.
pub fn unchanged_report(result_id: String) -> lsp::DocumentDiagnosticReportResult {
    lsp::DocumentDiagnosticReportResult::Report(lsp::DocumentDiagnosticReport::Unchanged(
        lsp::RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport {
                result_id,
            },
        },
    ))
}

pub fn completion_list(
    items: &[Completion],
    incomplete: bool,
    lines: &Lines,
    style: CompletionStyle,
) -> lsp::CompletionResponse {
    lsp::CompletionResponse::List(lsp::CompletionList {
        is_incomplete: incomplete,
        items: items.iter().map(|c| completion(c, lines, style)).collect(),
    })
}

pub fn hover(h: query::Hover, m: &Moved) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(markdown(h.markdown)),
        range: m.range(h.span),
    }
}

fn markdown(value: String) -> lsp::MarkupContent {
    lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value,
    }
}

pub fn definition(span: Span, m: &Moved) -> Option<lsp::GotoDefinitionResponse> {
    Some(lsp::GotoDefinitionResponse::Scalar(m.location(span)?))
}

/// The locations of the spans no edit covers now.
pub fn locations(spans: Vec<Span>, m: &Moved) -> Vec<lsp::Location> {
    spans.into_iter().filter_map(|s| m.location(s)).collect()
}

pub fn highlights(occurrences: Vec<query::Occurrence>, m: &Moved) -> Vec<lsp::DocumentHighlight> {
    occurrences
        .into_iter()
        .filter_map(|o| {
            Some(lsp::DocumentHighlight {
                range: m.range(o.span)?,
                kind: Some(if o.role == query::Role::Declaration {
                    lsp::DocumentHighlightKind::WRITE
                } else {
                    lsp::DocumentHighlightKind::READ
                }),
            })
        })
        .collect()
}

pub fn prepare_rename(span: Span, name: String, m: &Moved) -> Option<lsp::PrepareRenameResponse> {
    Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
        range: m.range(span)?,
        placeholder: name,
    })
}

/// The edits of a rename; `None` when an edit now covers a place it
/// changes.
pub fn rename(edits: &[gwk_spec::Edit], m: &Moved) -> Option<lsp::WorkspaceEdit> {
    let edits: Option<Vec<lsp::TextEdit>> = edits
        .iter()
        .map(|e| {
            Some(lsp::TextEdit {
                range: m.range(e.span)?,
                new_text: e.text.clone(),
            })
        })
        .collect();
    Some(lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(m.uri.clone(), edits?)])),
        ..lsp::WorkspaceEdit::default()
    })
}

pub fn symbol(s: &query::Symbol, m: &Moved) -> Option<lsp::DocumentSymbol> {
    #[allow(deprecated)]
    Some(lsp::DocumentSymbol {
        name: s.name.clone(),
        detail: s.detail.clone(),
        kind: match s.kind {
            query::SymbolKind::Section => lsp::SymbolKind::NAMESPACE,
            query::SymbolKind::WorkflowInput => lsp::SymbolKind::VARIABLE,
            query::SymbolKind::Job => lsp::SymbolKind::FUNCTION,
            query::SymbolKind::Output => lsp::SymbolKind::FIELD,
        },
        tags: None,
        deprecated: None,
        range: m.range(s.span)?,
        selection_range: m.range(s.selection)?,
        children: Some(s.children.iter().filter_map(|c| symbol(c, m)).collect()),
    })
}

/// A fold of the model (`index` is its text's), on the lines of the text
/// now.
pub fn folding_range(f: &query::Fold, index: &LineIndex, m: &Moved) -> Option<lsp::FoldingRange> {
    Some(lsp::FoldingRange {
        start_line: m.line(index, f.start_line)?,
        end_line: m.line(index, f.end_line)?,
        kind: Some(match f.kind {
            query::FoldKind::Comment => lsp::FoldingRangeKind::Comment,
            query::FoldKind::Region => lsp::FoldingRangeKind::Region,
        }),
        ..lsp::FoldingRange::default()
    })
}

pub fn inlay_hint(h: query::InlayHint, m: &Moved) -> Option<lsp::InlayHint> {
    Some(lsp::InlayHint {
        position: m.position(h.offset)?,
        label: lsp::InlayHintLabel::String(h.label),
        kind: Some(lsp::InlayHintKind::TYPE),
        text_edits: None,
        tooltip: Some(lsp::InlayHintTooltip::MarkupContent(markdown(h.tooltip))),
        padding_left: None,
        padding_right: None,
        data: None,
    })
}

/// A quick fix of `shown[a.diagnostic]`, in the text now (`lines`).
pub fn code_action(
    a: query::Action,
    shown: &[(gwk_spec::Diagnostic, bool)],
    lines: &Lines,
    uri: &lsp::Uri,
) -> lsp::CodeActionOrCommand {
    let (d, carried) = &shown[a.diagnostic];
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: a.title,
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(d, lines, uri, *carried)]),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(
                uri.clone(),
                a.edits.iter().map(|e| text_edit(e, lines)).collect(),
            )])),
            ..lsp::WorkspaceEdit::default()
        }),
        is_preferred: a.preferred.then_some(true),
        ..lsp::CodeAction::default()
    })
}

/// A graph node's position for `gwk/graph`: its `range` (null while an
/// edit covers the name).
pub fn graph_position(range: Option<lsp::Range>) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert(
        "range".into(),
        range
            .and_then(|r| serde_json::to_value(r).ok())
            .unwrap_or(serde_json::Value::Null),
    );
    m
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
