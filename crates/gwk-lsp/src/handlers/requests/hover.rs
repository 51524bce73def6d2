//! `textDocument/hover`.

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::query;
use tower_lsp_server::ls_types::{Hover, HoverParams};

pub fn run(snap: &Snapshot, params: HoverParams) -> Option<Hover> {
    let pos = params.text_document_position_params.position;
    let (model, offset) = snap.model_at(snap.offset(pos))?;
    let h = query::hover(model, offset, &snap.config.config)?;
    Some(convert::hover(h, &snap.moved()))
}
