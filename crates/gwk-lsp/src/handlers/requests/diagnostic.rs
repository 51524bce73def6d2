//! `textDocument/diagnostic` (pull): waits for the check of the text as it
//! was when asked (or a newer one), then answers with its findings, or
//! "unchanged" when the client has them already.

use crate::convert;
use crate::handlers::blocking;
use crate::state::{State, lock};
use std::sync::Arc;
use tower_lsp_server::ls_types::{DocumentDiagnosticParams, DocumentDiagnosticReportResult};

pub async fn run(
    state: Arc<State>,
    params: DocumentDiagnosticParams,
) -> DocumentDiagnosticReportResult {
    let uri = params.text_document.uri;
    let waiting = {
        let docs = lock(&state.docs);
        docs.get(&uri).map(|d| (d.checked.subscribe(), d.version))
    };
    let Some((mut rx, want)) = waiting else {
        return convert::full_report(None, Vec::new());
    };
    if rx.wait_for(|v| *v >= want).await.is_err() {
        return convert::full_report(None, Vec::new()); // closed meanwhile
    }
    let encoding = state.settings().encoding;
    let latest = lock(&state.docs).get(&uri).and_then(|d| d.latest.clone());
    let Some(latest) = latest else {
        return convert::full_report(None, Vec::new());
    };
    let id = latest.id.to_string();
    if params.previous_result_id.as_deref() == Some(id.as_str()) {
        return convert::unchanged_report(id);
    }
    let items = blocking(move || convert::checked_diagnostics(&latest, &uri, encoding)).await;
    convert::full_report(Some(id), items)
}
