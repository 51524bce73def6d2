//! `textDocument/rename`: the edits, or why they cannot be made now (an
//! `InvalidParams` error the editor shows).

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::query;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{RenameParams, WorkspaceEdit};

pub fn run(snap: &Snapshot, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let pos = params.text_document_position.position;
    let Some((model, offset)) = snap.model_at(snap.offset(pos)) else {
        return Err(Error::invalid_params(
            "the file has changed where the cursor is and is not YAML yet: finish the edit first",
        ));
    };
    let edits = query::rename(model, offset, &params.new_name)
        .map_err(|e| Error::invalid_params(e.to_string()))?;
    let edit = convert::rename(&edits, &snap.moved()).ok_or_else(|| {
        Error::invalid_params(
            "a place the rename must change is being edited; finish the edit first",
        )
    })?;
    Ok(Some(edit))
}
