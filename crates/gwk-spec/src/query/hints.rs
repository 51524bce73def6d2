//! Inlay hints: the type of the input or output each reference reads.

use super::parsed;
use crate::Analysis;
use crate::model::Reference;
use crate::syntax::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint goes (right after the reference).
    pub offset: usize,
    /// `: volume`
    pub label: String,
    /// Markdown, for the hint's tooltip.
    pub tooltip: String,
}

/// `: TYPE` after each reference in `range` whose target declares a type.
pub fn inlay_hints(a: &Analysis, range: Span) -> Vec<InlayHint> {
    let Some((_, wf)) = parsed(a) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for job in &wf.jobs {
        if job.span.end < range.start || job.span.start > range.end {
            continue;
        }
        for (input, r) in job.references() {
            let span = r.span();
            if span.end < range.start || span.start > range.end {
                continue;
            }
            let (ty, what) = match r {
                Reference::JobOutput {
                    job: from, output, ..
                } => (
                    wf.job(&from.value)
                        .and_then(|p| p.output(&output.value))
                        .and_then(|o| o.io_type()),
                    format!("output `{}` of job `{}`", output.value, from.value),
                ),
                Reference::WorkflowInput { name, .. } => (
                    wf.input(&name.value).and_then(|i| i.spec.io_type),
                    format!("workflow input `{}`", name.value),
                ),
            };
            let Some(ty) = ty else { continue };
            // After a closing quote too, so the hint never splits a string.
            let end = input.span.end.max(span.end);
            out.push(InlayHint {
                offset: end,
                label: format!(": {ty}"),
                tooltip: format!(
                    "{what} is a {ty}, mounted at `/inputs/{}`",
                    input.name.value
                ),
            });
        }
    }
    out
}
