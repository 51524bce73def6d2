//! `textDocument/codeAction`: the quick fixes of the findings shown in the
//! range, and "ignore this rule on this line".

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::query;
use tower_lsp_server::ls_types::{CodeActionParams, CodeActionResponse};

pub fn run(snap: &Snapshot, params: CodeActionParams) -> Option<CodeActionResponse> {
    let lines = snap.lines();
    let range = lines.span(params.range);
    let shown = snap.diagnostics();
    let diags: Vec<gwk_spec::Diagnostic> = shown.iter().map(|(d, _)| d.clone()).collect();
    // The tree tells comments from `#` in values; it must be of this very
    // text (else each line is read on its own).
    let root = snap
        .latest
        .as_ref()
        .filter(|_| snap.latest_log.is_empty())
        .and_then(|c| c.analysis.root.as_ref());
    let actions = query::code_actions(&snap.text, &snap.index, root, &diags, range);
    Some(
        actions
            .into_iter()
            .map(|a| convert::code_action(a, &shown, &lines, &snap.uri))
            .collect(),
    )
}
