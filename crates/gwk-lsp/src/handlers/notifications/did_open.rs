//! `textDocument/didOpen`: the document is kept and queued for a check.

use crate::state::{Doc, State, lock};
use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

/// Returns why the document's gwk.toml cannot be used, to show the user.
pub fn run(state: &State, params: DidOpenTextDocumentParams) -> Option<String> {
    let doc = params.text_document;
    let path = doc.uri.to_file_path().map(|p| p.into_owned());
    let config = state.config_for(path.as_deref());
    let error = config.error.clone();
    let opened = state.next_id();
    lock(&state.docs).insert(
        doc.uri.clone(),
        Doc::new(opened, &doc.text, doc.version, path, config),
    );
    state.queue.push(doc.uri);
    error
}
