//! `textDocument/didClose`: the document and everything made from it go,
//! so a huge file gives its memory back.

use crate::state::{State, lock};
use tower_lsp_server::ls_types::{DidCloseTextDocumentParams, Uri};

/// Forgets the document; returns its URI (whose diagnostics are cleared).
pub fn run(state: &State, params: DidCloseTextDocumentParams) -> Uri {
    let uri = params.text_document.uri;
    let doc = lock(&state.docs).remove(&uri);
    // Dropped here, off the lock: the rope, the text and the checks.
    if doc.is_some_and(|d| d.len() > crate::state::MB) {
        // mimalloc keeps freed pages until their thread allocates again;
        // after a big document, give them back now (a few ms).
        // SAFETY: mi_collect only walks the allocator's own structures.
        unsafe { libmimalloc_sys::mi_collect(true) };
    }
    uri
}
