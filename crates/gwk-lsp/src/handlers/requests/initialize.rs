//! `initialize`: what the client can do and asked for (its capabilities,
//! `initializationOptions`) becomes the server's [`Settings`]; the answer
//! says what the server offers in return.

use crate::convert::CompletionStyle;
use crate::state::{Settings, State};
use gwk_spec::syntax::Encoding;
use serde_json::{Value, json};
use std::path::PathBuf;
use tower_lsp_server::ls_types::*;

pub fn run(state: &State, params: InitializeParams) -> InitializeResult {
    let settings = negotiate(&params);
    let capabilities = capabilities(&settings);
    let offset_encoding = Some(
        match settings.encoding {
            Encoding::Utf8 => "utf-8",
            _ => "utf-16",
        }
        .to_string(),
    );
    *state.settings.write().unwrap_or_else(|e| e.into_inner()) = settings;
    if let Some(pid) = params.process_id {
        crate::lifecycle::watch_parent(pid);
    }
    InitializeResult {
        // The clangd extension some older clients (Neovim 0.7) read.
        offset_encoding,
        capabilities,
        server_info: Some(ServerInfo {
            name: "gwk-lsp".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    }
}

pub fn negotiate(params: &InitializeParams) -> Settings {
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
        max_file_size: options
            .and_then(|o| o.get("maxFileSize"))
            .and_then(Value::as_f64)
            .filter(|mb| *mb >= 0.0)
            .map_or(crate::state::DEFAULT_MAX_FILE_SIZE, |mb| {
                (mb * crate::state::MB as f64) as usize
            }),
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
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(super::code_action::FIX_ALL),
            ]),
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
