//! `gwk/graph`: the document's job graph for editors (docs/lsp.md) — the
//! object `gwk graph --format json` prints, with LSP ranges for positions
//! and the document's identity.

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::graph_view::{self, GRAPH_VERSION};
use gwk_spec::query;
use serde_json::{Value, json};
use tower_lsp_server::ls_types::TextDocumentIdentifier;

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphParams {
    pub text_document: TextDocumentIdentifier,
}

pub fn run(snap: &Snapshot) -> Value {
    // The last check found the text is not YAML (or did not check it): the
    // graph is that of the last text that parsed (empty when none did).
    let stale = snap.latest.as_ref().is_some_and(|l| !l.parsed());
    let graph = snap.good.as_ref().and_then(|good| {
        Some((
            good,
            graph_view::of_analysis(&good.analysis, &snap.config.config)?,
        ))
    });
    let mut doc = match graph {
        Some((good, graph)) => {
            let moved = snap.moved();
            let json = graph.json(|span| {
                convert::graph_position(moved.range(query::unquoted(&good.analysis.text, span)))
            });
            serde_json::to_value(json).unwrap_or(Value::Null)
        }
        None => json!({"version": GRAPH_VERSION, "nodes": [], "edges": [], "cycles": []}),
    };
    if let Some(m) = doc.as_object_mut() {
        m.insert("uri".into(), snap.uri.as_str().into());
        m.insert("documentVersion".into(), snap.version.into());
        m.insert("stale".into(), stale.into());
    }
    doc
}
