//! `textDocument/references`.

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::query;
use tower_lsp_server::ls_types::{Location, ReferenceParams};

pub fn run(snap: &Snapshot, params: ReferenceParams) -> Option<Vec<Location>> {
    let pos = params.text_document_position.position;
    let (model, offset) = snap.model_at(snap.offset(pos))?;
    let spans = query::references(model, offset, params.context.include_declaration);
    Some(convert::locations(spans, &snap.moved()))
}
