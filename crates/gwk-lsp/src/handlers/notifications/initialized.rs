//! `initialized`: asks the client to watch the files the server caches
//! (gwk.toml, the workflow files, the dataset store), when it can.

use crate::sources;
use crate::state::Settings;
use serde_json::json;
use tower_lsp_server::ls_types::{Registration, Uri};

/// The registration to ask for; `None` when the client cannot watch.
pub fn registration(settings: &Settings) -> Option<Registration> {
    if !settings.watch_dynamic {
        return None;
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
    Some(Registration {
        id: "gwk-watch".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: Some(json!({ "watchers": watchers })),
    })
}
