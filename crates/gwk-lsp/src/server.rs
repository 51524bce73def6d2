//! The LSP methods: documents in, gwk-spec queries, LSP types out.
//!
//! Handlers that change documents do all their work before their first
//! await, so changes apply strictly in the order they arrive even though
//! tower-lsp runs handlers concurrently. Queries run as plain functions;
//! a panic anywhere in a handler is caught around the whole service
//! (panics.rs) and becomes an error response.

use crate::checker::Outbox;
use crate::convert::{self, CompletionStyle, Lines};
use crate::sources::{self, ProjectConfig};
use crate::state::{Checked, Doc, Settings, State, lock};
use gwk_spec::query::{self, EditLog, Sources};
use gwk_spec::syntax::{Encoding, LineIndex, Span};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

pub struct Backend {
    client: Client,
    state: Arc<State>,
}

/// A query's answer: `f` may stop early with `?` when there is none.
fn answer<T>(f: impl FnOnce() -> Option<T>) -> Result<Option<T>> {
    Ok(f())
}

/// A document as the queries see it: the text now, and the model (the last
/// check whose YAML parsed) with the edits made since.
struct View {
    uri: Uri,
    text: Arc<String>,
    index: Arc<LineIndex>,
    version: i32,
    good: Option<Arc<Checked>>,
    /// From `good`'s text to `text`.
    log: EditLog,
    latest: Option<Arc<Checked>>,
    /// From `latest`'s text to `text`.
    latest_log: EditLog,
    config: ProjectConfig,
    path: Option<PathBuf>,
    encoding: Encoding,
}

impl View {
    fn lines(&self) -> Lines<'_> {
        Lines {
            text: &self.text,
            index: &self.index,
            encoding: self.encoding,
        }
    }

    fn offset(&self, pos: Position) -> usize {
        self.lines().offset(pos)
    }

    /// The model, and the cursor moved into its text.
    fn model_at(&self, offset: usize) -> Option<(&gwk_spec::Analysis, usize)> {
        let good = self.good.as_ref()?;
        Some((&good.analysis, self.log.backward(offset)?))
    }

    /// A span of the model's text as an LSP range of the text now.
    fn range(&self, span: Span) -> Option<Range> {
        Some(self.lines().range(self.log.forward(span)?))
    }

    fn location(&self, span: Span) -> Option<Location> {
        Some(Location::new(self.uri.clone(), self.range(span)?))
    }

    /// The findings shown now, moved into the current text.
    fn diagnostics(&self) -> Vec<(gwk_spec::Diagnostic, bool)> {
        let Some(latest) = &self.latest else {
            return Vec::new();
        };
        if self.latest_log.is_empty() {
            return latest.diagnostics.clone();
        }
        latest
            .diagnostics
            .iter()
            .flat_map(|(d, carried)| {
                query::carry_forward(std::slice::from_ref(d), &self.latest_log)
                    .into_iter()
                    .map(|d| (d, *carried))
            })
            .collect()
    }
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

    fn view(&self, uri: &Uri) -> Option<View> {
        let encoding = self.state.settings().encoding;
        let mut docs = lock(&self.state.docs);
        let doc = docs.get_mut(uri)?;
        let (text, index) = doc.text();
        let good = doc.good.clone();
        let latest = doc.latest.clone();
        let log = doc.log_between(good.as_ref().map_or(i32::MAX, |g| g.version), doc.version);
        let latest_log =
            doc.log_between(latest.as_ref().map_or(i32::MAX, |l| l.version), doc.version);
        Some(View {
            uri: uri.clone(),
            text,
            index,
            version: doc.version,
            good,
            log,
            latest,
            latest_log,
            config: doc.config.clone(),
            path: doc.path.clone(),
            encoding,
        })
    }

    /// Everything completion may list from outside the file.
    fn sources(&self, view: &View) -> Sources {
        let settings = self.state.settings();
        let store_datasets = sources::store_dir()
            .map(|d| sources::store_datasets(&d))
            .unwrap_or_default();
        let mut sources = Sources {
            config: (*view.config.config).clone(),
            store_datasets,
            ..Sources::default()
        };
        let Some(path) = &view.path else {
            return sources;
        };
        let root = sources::workspace_root(path, &view.config, &settings.folders);
        if let Some(file) = sources::secrets_file(&view.config, path) {
            sources.secret_file_names = sources::secret_names(&file);
            sources.secrets_file = Some(
                root.as_ref()
                    .and_then(|r| file.strip_prefix(r).ok())
                    .unwrap_or(&file)
                    .display()
                    .to_string(),
            );
        }
        if let Some(root) = root {
            let open: HashMap<PathBuf, Vec<String>> = lock(&self.state.docs)
                .values()
                .filter_map(|d| {
                    let wf = d.good.as_ref()?.analysis.workflow.as_ref()?;
                    Some((d.path.clone()?, query::dataset_refs(wf)))
                })
                .collect();
            sources.workspace_datasets = lock(&self.state.scan).datasets(&root, path, &open);
        }
        sources
    }

    fn open(&self, uri: Uri, text: &str, version: i32) {
        let path = uri.to_file_path().map(|p| p.into_owned());
        let config = self.state.config_for(path.as_deref());
        lock(&self.state.docs).insert(uri.clone(), Doc::new(text, version, path, config));
        self.state.queue.push(uri);
    }

    /// Reads gwk.toml again for every open document and checks them all.
    async fn reload_configs(&self) {
        lock(&self.state.configs).clear();
        lock(&self.state.scan).forget();
        let mut errors = Vec::new();
        let uris: Vec<Uri> = {
            let mut docs = lock(&self.state.docs);
            for doc in docs.values_mut() {
                doc.config = self.state.config_for(doc.path.as_deref());
                doc.latest = None;
                // Pulls from now on wait for the check with the new config.
                doc.checked.send_replace(i32::MIN);
                if let Some(e) = &doc.config.error
                    && !errors.contains(e)
                {
                    errors.push(e.clone());
                }
            }
            docs.keys().cloned().collect()
        };
        for uri in uris {
            self.state.queue.push(uri);
        }
        for e in errors {
            self.client.show_message(MessageType::WARNING, e).await;
        }
        let settings = self.state.settings();
        if settings.pull && settings.refresh {
            let _ = self.client.workspace_diagnostic_refresh().await;
        }
    }

    /// `gwk/graph`: the DAG of a document for editors (docs/lsp.md).
    pub async fn graph(&self, params: GraphParams) -> Result<Value> {
        let Some(view) = self.view(&params.text_document.uri) else {
            return Err(Error::invalid_params("the document is not open"));
        };
        Ok(graph_json(&view))
    }

    /// `gwk/debug/panic`: panics, so tests can see the server survive it.
    /// Registered only when `GWK_LSP_DEBUG=1` (debug.rs).
    pub async fn debug_panic(&self, _: Value) -> Result<Value> {
        panic!("a panic asked for by gwk/debug/panic")
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphParams {
    pub text_document: TextDocumentIdentifier,
}

fn graph_json(view: &View) -> Value {
    // The last check found the text is not YAML: the graph is that of the
    // last text that parsed (empty when none did).
    let stale = view.latest.as_ref().is_some_and(|l| !l.parsed());
    let empty = json!({
        "version": gwk_spec::graph_view::GRAPH_VERSION,
        "uri": view.uri.as_str(),
        "documentVersion": view.version,
        "stale": stale,
        "nodes": [],
        "edges": [],
        "cycles": [],
    });
    let Some(good) = &view.good else {
        return empty;
    };
    let Some(wf) = good.analysis.workflow.as_ref() else {
        return empty;
    };
    let graph = gwk_spec::graph_view::graph_view(wf, &view.config.config);
    let json = graph.json(|span| {
        let mut m = serde_json::Map::new();
        m.insert(
            "range".into(),
            view.range(query_name_span(&good.analysis.text, span))
                .map_or(Value::Null, |r| {
                    serde_json::to_value(r).unwrap_or(Value::Null)
                }),
        );
        // Findings per job: those whose span starts inside the job.
        if let Some(job) = wf.jobs.iter().find(|j| j.name.span == span) {
            let mut counts = gwk_spec::Counts::default();
            for d in &good.analysis.diagnostics {
                if job.span.touches(d.span.start) {
                    counts.add(d.severity);
                }
            }
            m.insert("errors".into(), counts.errors.into());
            m.insert("warnings".into(), counts.warnings.into());
            m.insert("infos".into(), counts.infos.into());
        }
        m
    });
    let mut doc = serde_json::to_value(json).unwrap_or(Value::Null);
    if let Some(m) = doc.as_object_mut() {
        m.insert("uri".into(), view.uri.as_str().into());
        m.insert("documentVersion".into(), view.version.into());
        m.insert("stale".into(), stale.into());
    }
    doc
}

/// A job name's span without quotes.
fn query_name_span(text: &str, span: Span) -> Span {
    let s = text.get(span.start..span.end).unwrap_or("");
    if s.len() >= 2 && (s.starts_with('"') || s.starts_with('\'')) {
        Span::new(span.start + 1, span.end - 1)
    } else {
        span
    }
}

fn negotiate(params: &InitializeParams) -> Settings {
    let caps = &params.capabilities;
    let offered = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.clone())
        .unwrap_or_default();
    let encoding = if offered.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let td = caps.text_document.as_ref();
    let ws = caps.workspace.as_ref();
    let client = params
        .client_info
        .as_ref()
        .map(|c| c.name.to_ascii_lowercase())
        .unwrap_or_default();
    let options = params.initialization_options.as_ref();
    let mode = options
        .and_then(|o| o.get("diagnostics"))
        .and_then(Value::as_str)
        .unwrap_or("auto");
    let can_pull = td.and_then(|t| t.diagnostic.as_ref()).is_some();
    let mut folders: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    #[allow(deprecated)]
    if folders.is_empty()
        && let Some(root) = params.root_uri.as_ref().and_then(|u| u.to_file_path())
    {
        folders.push(root.into_owned());
    }
    Settings {
        encoding,
        pull: match mode {
            "push" => false,
            "pull" => true,
            _ => can_pull,
        },
        refresh: ws
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false),
        watch_dynamic: ws
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        watch_relative: ws
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.relative_pattern_support)
            .unwrap_or(false),
        style: CompletionStyle {
            retrigger_command: client.contains("code") || client.contains("vscodium"),
            deprecated_tag: td
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.tag_support.as_ref())
                .is_some_and(|t| t.value_set.contains(&CompletionItemTag::DEPRECATED)),
        },
        folders,
        inlay_hints: options
            .and_then(|o| o.get("inlayHints"))
            .and_then(Value::as_bool)
            .unwrap_or(true),
        completion_limit: options
            .and_then(|o| o.get("completionLimit"))
            .and_then(Value::as_u64)
            .map_or(crate::state::DEFAULT_COMPLETION_LIMIT, |n| n as usize),
    }
}

fn capabilities(settings: &Settings) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match settings.encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            _ => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), ":".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        inlay_hint_provider: settings.inlay_hints.then_some(OneOf::Left(true)),
        diagnostic_provider: settings.pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("gwk".into()),
                inter_file_dependencies: false,
                workspace_diagnostics: false,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        experimental: Some(json!({ "gwkGraph": true })),
        ..ServerCapabilities::default()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let settings = negotiate(&params);
        let caps = capabilities(&settings);
        *self
            .state
            .settings
            .write()
            .unwrap_or_else(|e| e.into_inner()) = settings;
        if let Some(pid) = params.process_id {
            crate::lifecycle::watch_parent(pid);
        }
        let offset_encoding = Some(
            match self.state.settings().encoding {
                Encoding::Utf8 => "utf-8",
                _ => "utf-16",
            }
            .to_string(),
        );
        Ok(InitializeResult {
            // The clangd extension some older clients (Neovim 0.7) read.
            offset_encoding,
            capabilities: caps,
            server_info: Some(ServerInfo {
                name: "gwk-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let settings = self.state.settings();
        if !settings.watch_dynamic {
            return;
        }
        let mut watchers = vec![
            json!({ "globPattern": "**/gwk.toml" }),
            json!({ "globPattern": "**/.gradient/workflows/**/*.{yaml,yml}" }),
        ];
        if let Some(store) = sources::store_dir()
            && settings.watch_relative
            && let Some(base) = Uri::from_file_path(&store)
        {
            watchers.push(json!({ "globPattern": { "baseUri": base.as_str(), "pattern": "*" } }));
        }
        let registration = Registration {
            id: "gwk-watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: Some(json!({ "watchers": watchers })),
        };
        let _ = self.client.register_capability(vec![registration]).await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.open(doc.uri.clone(), &doc.text, doc.version);
        let error = lock(&self.state.docs)
            .get(&doc.uri)
            .and_then(|d| d.config.error.clone());
        if let Some(e) = error {
            self.client.show_message(MessageType::WARNING, e).await;
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // All of it before any await: changes apply in arrival order.
        let _t = std::time::Instant::now();
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let encoding = self.state.settings().encoding;
        let applied = catch_unwind(AssertUnwindSafe(|| {
            let mut docs = lock(&self.state.docs);
            let Some(doc) = docs.get_mut(&uri) else {
                return false;
            };
            for change in params.content_changes {
                crate::debug::in_change(&change.text);
                match change.range {
                    Some(range) => {
                        let start = convert::rope_offset(&doc.rope, range.start, encoding);
                        let end = convert::rope_offset(&doc.rope, range.end, encoding).max(start);
                        doc.replace(Span::new(start, end), &change.text, version);
                    }
                    None => doc.set_text(&change.text, version),
                }
            }
            true
        }));
        match applied {
            Ok(true) => self.state.queue.push(uri.clone()),
            Ok(false) => return,
            Err(panic) => {
                // The text may be half changed: no longer the editor's.
                // Forget the document rather than answer from a wrong text;
                // reopening it starts afresh. The panic goes on to the
                // service's catch (panics.rs), which logs it.
                lock(&self.state.docs).remove(&uri);
                let message = format!(
                    "gwk-lsp: an edit of {} could not be applied; close and reopen the file \
                     to check it again",
                    uri.as_str()
                );
                self.client.show_message(MessageType::ERROR, message).await;
                if !self.state.settings().pull {
                    self.client.publish_diagnostics(uri, Vec::new(), None).await;
                }
                std::panic::resume_unwind(panic);
            }
        }
        if crate::trace::enabled() {
            eprintln!(
                "gwk-lsp: didChange v{version} applied in {:.2} ms (at {:.1} ms)",
                _t.elapsed().as_secs_f64() * 1000.0,
                crate::trace::now_ms()
            );
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        lock(&self.state.docs).remove(&uri);
        if !self.state.settings().pull {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let config_changed = params.changes.iter().any(|c| {
            c.uri.to_file_path().is_some_and(|p| {
                p.file_name()
                    .is_some_and(|n| n == gwk_spec::config::FILE_NAME)
            })
        });
        if config_changed {
            self.reload_configs().await;
        } else {
            lock(&self.state.scan).forget();
        }
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let waiting = {
            let docs = lock(&self.state.docs);
            docs.get(&uri).map(|d| (d.checked.subscribe(), d.version))
        };
        let full = |id: Option<String>, items: Vec<Diagnostic>| {
            DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
                RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: id,
                        items,
                    },
                },
            ))
        };
        let Some((mut rx, want)) = waiting else {
            return Ok(full(None, Vec::new()));
        };
        // Wait for the check of the text as it was when asked (or newer).
        if rx.wait_for(|v| *v >= want).await.is_err() {
            return Ok(full(None, Vec::new())); // closed meanwhile
        }
        let encoding = self.state.settings().encoding;
        let latest = lock(&self.state.docs)
            .get(&uri)
            .and_then(|d| d.latest.clone());
        let Some(latest) = latest else {
            return Ok(full(None, Vec::new()));
        };
        let id = latest.id.to_string();
        if params.previous_result_id.as_deref() == Some(id.as_str()) {
            return Ok(DocumentDiagnosticReportResult::Report(
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: id,
                    },
                }),
            ));
        }
        let lines = Lines {
            text: &latest.analysis.text,
            index: &latest.analysis.line_index,
            encoding,
        };
        let items = latest
            .diagnostics
            .iter()
            .map(|(d, carried)| convert::diagnostic(d, &lines, &uri, *carried))
            .collect();
        Ok(full(Some(id), items))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position;
        let Some(view) = self.view(&pos.text_document.uri) else {
            return Ok(None);
        };
        let trigger = params
            .context
            .and_then(|c| c.trigger_character)
            .and_then(|t| t.chars().next());
        let sources = crate::trace::timed(|| "completion: sources".into(), || self.sources(&view));
        let settings = self.state.settings();
        let (style, max) = (settings.style, settings.completion_limit);
        let list = crate::trace::timed(
            || "completion".into(),
            || {
                let offset = view.offset(pos.position);
                let model = view.good.as_ref().map(|g| &g.analysis);
                let items =
                    query::complete(&view.text, offset, model, &view.log, &sources, trigger);
                let (items, cut) = query::limit(&view.text, offset, items, max);
                let lines = view.lines();
                CompletionList {
                    is_incomplete: cut,
                    items: items
                        .iter()
                        .map(|c| convert::completion(c, &lines, style))
                        .collect(),
                }
            },
        );
        Ok(Some(CompletionResponse::List(list)))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let Some(view) = self.view(&pos.text_document.uri) else {
            return Ok(None);
        };
        answer(|| {
            let (model, offset) = view.model_at(view.offset(pos.position))?;
            let h = query::hover(model, offset, &view.config.config)?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: h.markdown,
                }),
                range: view.range(h.span),
            })
        })
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let pos = params.text_document_position_params;
        let Some(view) = self.view(&pos.text_document.uri) else {
            return Ok(None);
        };
        answer(|| {
            let (model, offset) = view.model_at(view.offset(pos.position))?;
            let span = query::definition(model, offset)?;
            Some(GotoDefinitionResponse::Scalar(view.location(span)?))
        })
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pos = params.text_document_position;
        let Some(view) = self.view(&pos.text_document.uri) else {
            return Ok(None);
        };
        answer(|| {
            let (model, offset) = view.model_at(view.offset(pos.position))?;
            let spans = query::references(model, offset, params.context.include_declaration);
            Some(spans.into_iter().filter_map(|s| view.location(s)).collect())
        })
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let pos = params.text_document_position_params;
        let Some(view) = self.view(&pos.text_document.uri) else {
            return Ok(None);
        };
        answer(|| {
            let (model, offset) = view.model_at(view.offset(pos.position))?;
            let wf = model.workflow.as_ref()?;
            let hit = query::symbol_at(wf, &model.text, offset)?;
            Some(
                query::occurrences(wf, &model.text, &hit.sym)
                    .into_iter()
                    .filter_map(|o| {
                        Some(DocumentHighlight {
                            range: view.range(o.span)?,
                            kind: Some(if o.role == query::Role::Declaration {
                                DocumentHighlightKind::WRITE
                            } else {
                                DocumentHighlightKind::READ
                            }),
                        })
                    })
                    .collect(),
            )
        })
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let Some(view) = self.view(&params.text_document.uri) else {
            return Ok(None);
        };
        answer(|| {
            let (model, offset) = view.model_at(view.offset(params.position))?;
            let (span, name) = query::prepare_rename(model, offset)?;
            Some(PrepareRenameResponse::RangeWithPlaceholder {
                range: view.range(span)?,
                placeholder: name,
            })
        })
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let pos = params.text_document_position;
        let Some(view) = self.view(&pos.text_document.uri) else {
            return Ok(None);
        };
        rename_edit(&view, pos.position, &params.new_name)
            .map(Some)
            .map_err(Error::invalid_params)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some(view) = self.view(&params.text_document.uri) else {
            return Ok(None);
        };
        answer(|| {
            let good = view.good.as_ref()?;
            let symbols = query::document_symbols(&good.analysis);
            Some(DocumentSymbolResponse::Nested(
                symbols.iter().filter_map(|s| symbol(&view, s)).collect(),
            ))
        })
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some(view) = self.view(&params.text_document.uri) else {
            return Ok(None);
        };
        answer(|| {
            let good = view.good.as_ref()?;
            let a = &good.analysis;
            Some(
                query::folding_ranges(a)
                    .into_iter()
                    .filter_map(|f| {
                        // Lines of the model, moved into the text now.
                        let start = a.line_index.line_start(f.start_line as usize);
                        let end = a.line_index.line_start(f.end_line as usize);
                        let start = view.log.forward(Span::empty(start))?.start;
                        let end = view.log.forward(Span::empty(end))?.start;
                        Some(FoldingRange {
                            start_line: view.index.line_of(start) as u32,
                            end_line: view.index.line_of(end) as u32,
                            kind: Some(match f.kind {
                                query::FoldKind::Comment => FoldingRangeKind::Comment,
                                query::FoldKind::Region => FoldingRangeKind::Region,
                            }),
                            ..FoldingRange::default()
                        })
                    })
                    .collect(),
            )
        })
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(view) = self.view(&params.text_document.uri) else {
            return Ok(None);
        };
        answer(|| {
            let lines = view.lines();
            let range = lines.span(params.range);
            let shown = view.diagnostics();
            let diags: Vec<gwk_spec::Diagnostic> = shown.iter().map(|(d, _)| d.clone()).collect();
            // The tree tells comments from `#` in values; it must be of this
            // very text (else each line is read on its own).
            let root = view
                .latest
                .as_ref()
                .filter(|_| view.latest_log.is_empty())
                .and_then(|c| c.analysis.root.as_ref());
            let actions = query::code_actions(&view.text, &view.index, root, &diags, range);
            Some(
                actions
                    .into_iter()
                    .map(|a| {
                        let (d, carried) = &shown[a.diagnostic];
                        CodeActionOrCommand::CodeAction(CodeAction {
                            title: a.title,
                            kind: Some(CodeActionKind::QUICKFIX),
                            diagnostics: Some(vec![convert::diagnostic(
                                d, &lines, &view.uri, *carried,
                            )]),
                            edit: Some(WorkspaceEdit {
                                changes: Some(HashMap::from([(
                                    view.uri.clone(),
                                    a.edits
                                        .iter()
                                        .map(|e| convert::text_edit(e, &lines))
                                        .collect(),
                                )])),
                                ..WorkspaceEdit::default()
                            }),
                            is_preferred: a.preferred.then_some(true),
                            ..CodeAction::default()
                        })
                    })
                    .collect(),
            )
        })
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let Some(view) = self.view(&params.text_document.uri) else {
            return Ok(None);
        };
        answer(|| {
            let good = view.good.as_ref()?;
            let range = view.lines().span(params.range);
            // The range in the model's text (its ends may be in new text).
            let start = view.log.backward(range.start).unwrap_or(0);
            let end = view
                .log
                .backward(range.end)
                .unwrap_or(good.analysis.text.len());
            Some(
                query::inlay_hints(&good.analysis, Span::new(start, end))
                    .into_iter()
                    .filter_map(|h| {
                        let at = view.log.forward(Span::empty(h.offset))?.start;
                        Some(InlayHint {
                            position: view.lines().position(at),
                            label: InlayHintLabel::String(h.label),
                            kind: Some(InlayHintKind::TYPE),
                            text_edits: None,
                            tooltip: Some(InlayHintTooltip::MarkupContent(MarkupContent {
                                kind: MarkupKind::Markdown,
                                value: h.tooltip,
                            })),
                            padding_left: None,
                            padding_right: None,
                            data: None,
                        })
                    })
                    .collect(),
            )
        })
    }
}

/// The edits of a rename, or why it cannot be made now.
fn rename_edit(
    view: &View,
    pos: Position,
    new_name: &str,
) -> std::result::Result<WorkspaceEdit, String> {
    let Some((model, offset)) = view.model_at(view.offset(pos)) else {
        return Err(
            "the file has changed where the cursor is and is not YAML yet: finish the edit first"
                .to_string(),
        );
    };
    let edits = query::rename(model, offset, new_name).map_err(|e| e.to_string())?;
    let edits: Option<Vec<TextEdit>> = edits
        .iter()
        .map(|e| {
            Some(TextEdit {
                range: view.range(e.span)?,
                new_text: e.text.clone(),
            })
        })
        .collect();
    let edits = edits.ok_or_else(|| {
        "a place the rename must change is being edited; finish the edit first".to_string()
    })?;
    Ok(WorkspaceEdit {
        changes: Some(HashMap::from([(view.uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    })
}

fn symbol(view: &View, s: &query::Symbol) -> Option<DocumentSymbol> {
    #[allow(deprecated)]
    Some(DocumentSymbol {
        name: s.name.clone(),
        detail: s.detail.clone(),
        kind: match s.kind {
            query::SymbolKind::Section => SymbolKind::NAMESPACE,
            query::SymbolKind::WorkflowInput => SymbolKind::VARIABLE,
            query::SymbolKind::Job => SymbolKind::FUNCTION,
            query::SymbolKind::Output => SymbolKind::FIELD,
        },
        tags: None,
        deprecated: None,
        range: view.range(s.span)?,
        selection_range: view.range(s.selection)?,
        children: Some(s.children.iter().filter_map(|c| symbol(view, c)).collect()),
    })
}
