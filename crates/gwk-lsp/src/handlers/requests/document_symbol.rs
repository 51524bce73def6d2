//! `textDocument/documentSymbol`: the outline.

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::query;
use tower_lsp_server::ls_types::{DocumentSymbolParams, DocumentSymbolResponse};

pub fn run(snap: &Snapshot, _: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let good = snap.good.as_ref()?;
    let moved = snap.moved();
    let symbols = query::document_symbols(&good.analysis);
    Some(DocumentSymbolResponse::Nested(
        symbols
            .iter()
            .filter_map(|s| convert::symbol(s, &moved))
            .collect(),
    ))
}
