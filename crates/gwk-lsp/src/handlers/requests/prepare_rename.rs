//! `textDocument/prepareRename`.

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::query;
use tower_lsp_server::ls_types::{PrepareRenameResponse, TextDocumentPositionParams};

pub fn run(snap: &Snapshot, params: TextDocumentPositionParams) -> Option<PrepareRenameResponse> {
    let (model, offset) = snap.model_at(snap.offset(params.position))?;
    let (span, name) = query::prepare_rename(model, offset)?;
    convert::prepare_rename(span, name, &snap.moved())
}
