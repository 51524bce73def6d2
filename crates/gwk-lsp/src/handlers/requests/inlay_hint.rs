//! `textDocument/inlayHint`: the type of what each reference reads.

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::query;
use gwk_spec::syntax::Span;
use tower_lsp_server::ls_types::{InlayHint, InlayHintParams};

pub fn run(snap: &Snapshot, params: InlayHintParams) -> Option<Vec<InlayHint>> {
    let good = snap.good.as_ref()?;
    let range = snap.lines().span(params.range);
    // The range in the model's text (its ends may be in new text).
    let start = snap.log.backward(range.start).unwrap_or(0);
    let end = snap
        .log
        .backward(range.end)
        .unwrap_or(good.analysis.text.len());
    let moved = snap.moved();
    Some(
        query::inlay_hints(&good.analysis, Span::new(start, end))
            .into_iter()
            .filter_map(|h| convert::inlay_hint(h, &moved))
            .collect(),
    )
}
