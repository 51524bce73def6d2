//! `--format human`: rustc-style snippets with the exact range underlined.

use super::{FileReport, total};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use gwk_spec::syntax::Span;
use gwk_spec::{Diagnostic, Severity};
use std::borrow::Cow;

pub struct Human {
    pub color: bool,
}

/// The lines of `text` that hold `span`: (their text, the 1-based number of
/// the first, the byte offset where they start).
fn lines_of(report: &FileReport, span: Span) -> (&str, usize, usize) {
    let a = &report.analysis;
    let span = on_char_boundaries(&a.text, span);
    let first = a.line_index.line_of(span.start);
    let last = a.line_index.line_of(span.end.max(span.start));
    let start = a.line_index.line_start(first);
    let end = a.line_index.line_range(&a.text, last).end;
    (&a.text[start..end.max(start)], first + 1, start)
}

/// `src` (the text from byte `base`) with every masked credential byte
/// shown as `*`: a snippet never prints a credential whole.
fn masked<'a>(report: &FileReport, src: &'a str, base: usize) -> Cow<'a, str> {
    let end = base + src.len();
    let hits: Vec<Span> = report
        .analysis
        .masks
        .iter()
        .filter(|m| m.start < end && base < m.end)
        .copied()
        .collect();
    if hits.is_empty() {
        return Cow::Borrowed(src);
    }
    let mut out = String::with_capacity(src.len());
    for (i, c) in src.char_indices() {
        let at = base + i;
        if hits.iter().any(|m| m.start <= at && at < m.end) && c != '\n' {
            // One `*` per byte keeps every later offset on the line valid.
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `span` widened to whole characters (the renderer slices the text).
fn on_char_boundaries(text: &str, span: Span) -> Span {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end)
}

impl Human {
    fn level(sev: Severity) -> Level<'static> {
        match sev {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info => Level::INFO,
        }
    }

    fn one(&self, report: &FileReport, d: &Diagnostic) -> String {
        let (src, line, base) = lines_of(report, d.span);
        let src = masked(report, src, base);
        let src = src.as_ref();
        let relative = |s: Span, base: usize, len: usize| {
            let s = on_char_boundaries(&report.analysis.text, s);
            let start = s.start.saturating_sub(base).min(len);
            start..s.end.saturating_sub(base).clamp(start, len)
        };
        let mut title = Self::level(d.severity)
            .primary_title(d.message.as_str())
            .id(d.code.as_str())
            .element(
                Snippet::source(src)
                    .line_start(line)
                    .path(report.path.as_str())
                    .annotation(AnnotationKind::Primary.span(relative(d.span, base, src.len()))),
            );
        let related: Vec<(Cow<str>, usize, usize)> = d
            .related
            .iter()
            .map(|r| {
                let (rsrc, rline, rbase) = lines_of(report, r.span);
                (masked(report, rsrc, rbase), rline, rbase)
            })
            .collect();
        for (r, (rsrc, rline, rbase)) in d.related.iter().zip(&related) {
            let (rsrc, rline, rbase) = (rsrc.as_ref(), *rline, *rbase);
            title = title.element(
                Snippet::source(rsrc)
                    .line_start(rline)
                    .path(report.path.as_str())
                    .annotation(
                        AnnotationKind::Context
                            .span(relative(r.span, rbase, rsrc.len()))
                            .label(r.message.as_str()),
                    ),
            );
        }
        let mut groups = vec![title];
        for f in &d.fixes {
            groups.push(Group::with_title(
                Level::HELP.secondary_title(f.message.as_str()),
            ));
        }
        let renderer = if self.color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&groups).to_string()
    }

    pub fn render(&self, reports: &[FileReport]) -> String {
        let mut out = String::new();
        for report in reports {
            for d in &report.analysis.diagnostics {
                out.push_str(&self.one(report, d));
                out.push_str("\n\n");
            }
        }
        let t = total(reports);
        let files = reports.len();
        out.push_str(&format!(
            "{} error{}, {} warning{}, {} info{} in {files} file{}\n",
            t.errors,
            plural(t.errors),
            t.warnings,
            plural(t.warnings),
            t.infos,
            plural(t.infos),
            plural(files),
        ));
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
