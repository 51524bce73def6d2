//! `textDocument/definition`.

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::query;
use tower_lsp_server::ls_types::{GotoDefinitionParams, GotoDefinitionResponse};

pub fn run(snap: &Snapshot, params: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let pos = params.text_document_position_params.position;
    let (model, offset) = snap.model_at(snap.offset(pos))?;
    convert::definition(query::definition(model, offset)?, &snap.moved())
}
