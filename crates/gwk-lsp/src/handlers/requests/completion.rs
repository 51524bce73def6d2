//! `textDocument/completion`, with what it lists from outside the file:
//! the dataset store, the secrets file and the other workflow files (read
//! here, on the blocking pool).

use crate::convert;
use crate::snapshot::Snapshot;
use crate::sources;
use crate::state::{State, lock};
use gwk_spec::query::{self, Sources};
use std::collections::HashMap;
use std::path::PathBuf;
use tower_lsp_server::ls_types::{CompletionParams, CompletionResponse};

pub fn run(snap: &Snapshot, state: &State, params: CompletionParams) -> Option<CompletionResponse> {
    if snap.too_large {
        return None;
    }
    let pos = params.text_document_position.position;
    let trigger = params
        .context
        .and_then(|c| c.trigger_character)
        .and_then(|t| t.chars().next());
    let sources = crate::trace::timed(|| "completion: sources".into(), || outside(snap, state));
    let settings = state.settings();
    let (style, max) = (settings.style, settings.completion_limit);
    let list = crate::trace::timed(
        || "completion".into(),
        || {
            let offset = snap.offset(pos);
            let model = snap.good.as_ref().map(|g| &g.analysis);
            let items = query::complete(&snap.text, offset, model, &snap.log, &sources, trigger);
            let (items, cut) = query::limit(&snap.text, offset, items, max);
            convert::completion_list(&items, cut, &snap.lines(), style)
        },
    );
    Some(list)
}

/// Everything completion may list from outside the file.
fn outside(snap: &Snapshot, state: &State) -> Sources {
    let settings = state.settings();
    let store_datasets = sources::store_dir()
        .map(|d| sources::store_datasets(&d))
        .unwrap_or_default();
    let mut out = Sources {
        config: (*snap.config.config).clone(),
        store_datasets,
        ..Sources::default()
    };
    let Some(path) = &snap.path else {
        return out;
    };
    let root = sources::workspace_root(path, &snap.config, &settings.folders);
    if let Some(file) = sources::secrets_file(&snap.config, path) {
        out.secret_file_names = sources::secret_names(&file);
        out.secrets_file = Some(
            root.as_ref()
                .and_then(|r| file.strip_prefix(r).ok())
                .unwrap_or(&file)
                .display()
                .to_string(),
        );
    }
    if let Some(root) = root {
        // Open documents count as they are in the editor.
        let open: HashMap<PathBuf, Vec<String>> = lock(&state.docs)
            .values()
            .filter_map(|d| {
                let wf = d.good.as_ref()?.analysis.workflow.as_ref()?;
                Some((d.path.clone()?, query::dataset_refs(wf)))
            })
            .collect();
        // The cache is lent, not locked, while the files are read.
        let (mut scan, generation) = state.scan.lend();
        out.workspace_datasets = scan.datasets(&root, path, &open);
        state.scan.give_back(scan, generation);
    }
    out
}
