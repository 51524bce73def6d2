//! The dispatch: each LSP method goes to its handler (handlers/).
//!
//! A request takes its document's snapshot when it is first polled, in
//! arrival order, and the query runs on the blocking pool over that
//! snapshot. Notifications that change documents do all their work before
//! their first await, so changes apply strictly in the order they arrive
//! even though tower-lsp runs handlers concurrently. A panic anywhere in a
//! handler is caught around the whole service (panics.rs) and becomes an
//! error response.

use crate::checker::Outbox;
use crate::handlers::blocking;
use crate::handlers::notifications::{
    did_change, did_change_watched_files, did_close, did_open, initialized,
};
use crate::handlers::requests::graph::GraphParams;
use crate::handlers::requests::{
    code_action, completion, debug_panic, definition, diagnostic, document_highlight,
    document_symbol, folding_range, graph, hover, initialize, inlay_hint, prepare_rename,
    references, rename, shutdown,
};
use crate::snapshot::Snapshot;
use crate::state::State;
use serde_json::Value;
use std::sync::Arc;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

pub struct Backend {
    client: Client,
    state: Arc<State>,
}

impl Backend {
    pub fn new(client: Client, state: Arc<State>) -> Backend {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        crate::checker::spawn(state.clone(), tx);
        let c = client.clone();
        // One task sends what the checker found, in order.
        tokio::spawn(async move {
            while let Some(msg) = rx.recv().await {
                match msg {
                    Outbox::Publish {
                        uri,
                        version,
                        diagnostics,
                    } => {
                        let n = diagnostics.len();
                        crate::trace::timed_async(
                            move || format!("publish {n} diagnostics of v{version}"),
                            c.publish_diagnostics(uri, diagnostics, Some(version)),
                        )
                        .await
                    }
                    Outbox::Show(m) => c.show_message(MessageType::ERROR, m).await,
                    Outbox::Log(m) => c.log_message(MessageType::ERROR, m).await,
                }
            }
        });
        Backend { client, state }
    }

    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// Runs `query` on the blocking pool over the snapshot of `uri` taken
    /// now; no answer when the document is not open.
    async fn query<T, F>(&self, uri: &Uri, query: F) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot) -> Option<T> + Send + 'static,
    {
        let Some(taken) = Snapshot::take(&self.state, uri) else {
            return Ok(None);
        };
        let state = self.state.clone();
        Ok(blocking(move || query(&taken.finish(&state))).await)
    }

    /// Clears the diagnostics of a document, when they are pushed.
    async fn clear(&self, uri: Uri) {
        if !self.state.settings().pull {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    /// `gwk/graph`: the DAG of a document for editors (docs/lsp.md).
    pub async fn graph(&self, params: GraphParams) -> Result<Value> {
        let uri = params.text_document.uri;
        self.query(&uri, |snap| Some(graph::run(snap)))
            .await?
            .ok_or_else(|| Error::invalid_params("the document is not open"))
    }

    /// `gwk/debug/panic` (only with `GWK_LSP_DEBUG=1`).
    pub async fn debug_panic(&self, _: Value) -> Result<Value> {
        debug_panic::run()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        Ok(initialize::run(&self.state, params))
    }

    async fn initialized(&self, _: InitializedParams) {
        if let Some(registration) = initialized::registration(&self.state.settings()) {
            let _ = self.client.register_capability(vec![registration]).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        shutdown::run(&self.state);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        if let Some(error) = did_open::run(&self.state, params) {
            self.client.show_message(MessageType::WARNING, error).await;
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        if let Err(failed) = did_change::run(&self.state, params) {
            self.client
                .show_message(MessageType::ERROR, failed.message())
                .await;
            self.clear(failed.uri).await;
            // On to the service's catch (panics.rs), which logs it.
            std::panic::resume_unwind(failed.panic);
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = did_close::run(&self.state, params);
        self.clear(uri).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let reloaded = did_change_watched_files::run(&self.state, &params);
        for e in reloaded.errors {
            self.client.show_message(MessageType::WARNING, e).await;
        }
        let settings = self.state.settings();
        if reloaded.configs && settings.pull && settings.refresh {
            let _ = self.client.workspace_diagnostic_refresh().await;
        }
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        Ok(diagnostic::run(self.state.clone(), params).await)
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let uri = params.text_document_position.text_document.uri.clone();
        let state = self.state.clone();
        self.query(&uri, move |snap| completion::run(snap, &state, params))
            .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.query(&uri, |snap| hover::run(snap, params)).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.query(&uri, |snap| definition::run(snap, params)).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.query(&uri, |snap| references::run(snap, params)).await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.query(&uri, |snap| document_highlight::run(snap, params))
            .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let uri = params.text_document.uri.clone();
        self.query(&uri, |snap| prepare_rename::run(snap, params))
            .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let uri = &params.text_document_position.text_document.uri;
        // The query's own answer is a Result: an error says why not.
        self.query(&uri.clone(), |snap| Some(rename::run(snap, params)))
            .await?
            .unwrap_or(Ok(None))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri.clone();
        self.query(&uri, |snap| document_symbol::run(snap, params))
            .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let uri = params.text_document.uri.clone();
        self.query(&uri, |snap| folding_range::run(snap, params))
            .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        self.query(&uri, |snap| code_action::run(snap, params))
            .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri.clone();
        self.query(&uri, |snap| inlay_hint::run(snap, params)).await
    }
}
