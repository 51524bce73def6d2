//! `textDocument/documentHighlight`: the declaration is written, the rest
//! read.

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::query;
use tower_lsp_server::ls_types::{DocumentHighlight, DocumentHighlightParams};

pub fn run(snap: &Snapshot, params: DocumentHighlightParams) -> Option<Vec<DocumentHighlight>> {
    let pos = params.text_document_position_params.position;
    let (model, offset) = snap.model_at(snap.offset(pos))?;
    let wf = model.workflow.as_ref()?;
    let hit = query::symbol_at(wf, &model.text, offset)?;
    let occurrences = query::occurrences(wf, &model.text, &hit.sym);
    Some(convert::highlights(occurrences, &snap.moved()))
}
