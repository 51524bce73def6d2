//! `workspace/didChangeWatchedFiles`: a changed gwk.toml re-reads every
//! open document's configuration and checks them again; a changed workflow
//! file empties the workspace scan's cache.

use crate::state::{State, lock};
use tower_lsp_server::ls_types::{DidChangeWatchedFilesParams, Uri};

/// What the server tells the client after a change.
#[derive(Default)]
pub struct Reloaded {
    /// gwk.toml was read again.
    pub configs: bool,
    /// The broken gwk.toml files, to show.
    pub errors: Vec<String>,
}

/// Runs in arrival order, before the handler's first await: a pull that
/// follows the event must wait for the check with the new gwk.toml. (The
/// reads are of a few small files, one per directory of open documents.)
pub fn run(state: &State, params: &DidChangeWatchedFilesParams) -> Reloaded {
    let config_changed = params.changes.iter().any(|c| {
        c.uri.to_file_path().is_some_and(|p| {
            p.file_name()
                .is_some_and(|n| n == gwk_spec::config::FILE_NAME)
        })
    });
    state.scan.forget();
    if !config_changed {
        return Reloaded::default();
    }
    lock(&state.configs).clear();
    let paths: Vec<(Uri, Option<std::path::PathBuf>)> = lock(&state.docs)
        .iter()
        .map(|(uri, doc)| (uri.clone(), doc.path.clone()))
        .collect();
    // Read off the documents' lock; a document closed meanwhile is skipped.
    let configs: Vec<_> = paths
        .into_iter()
        .map(|(uri, path)| (uri, state.config_for(path.as_deref())))
        .collect();
    let mut errors = Vec::new();
    let mut queued = Vec::new();
    {
        let mut docs = lock(&state.docs);
        for (uri, config) in configs {
            let Some(doc) = docs.get_mut(&uri) else {
                continue;
            };
            if let Some(e) = &config.error
                && !errors.contains(e)
            {
                errors.push(e.clone());
            }
            doc.config = config;
            doc.latest = None;
            // Pulls from now on wait for the check with the new config.
            doc.checked.send_replace(i32::MIN);
            queued.push(uri);
        }
    }
    for uri in queued {
        state.queue.push(uri);
    }
    Reloaded {
        configs: true,
        errors,
    }
}
