//! `textDocument/codeAction`: the quick fixes of the findings shown in the
//! range, "ignore this rule on this line", and `source.fixAll.gwk`: every
//! safe fix of the file at once, the very text `gwk check --fix` writes.

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::fix::{FixLevel, edits_between, fix_text};
use gwk_spec::query;
use std::collections::HashMap;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    WorkspaceEdit,
};

/// The kind of "fix all safe fixes in this file" (advertised in
/// `initialize`; editors run it on save with `source.fixAll`).
pub const FIX_ALL: &str = "source.fixAll.gwk";

/// Whether the client asked for actions of `kind` (`only` lists kinds or
/// their parents: `source` asks for `source.fixAll.gwk` too). With no
/// `only` (a light bulb, asked on every cursor move) the quick fixes are
/// wanted, but not fix-all: it checks the file again after each pass.
fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    let Some(kinds) = only else {
        return kind != FIX_ALL;
    };
    kinds.iter().any(|k| {
        let k = k.as_str();
        kind == k
            || kind
                .strip_prefix(k)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

pub fn run(snap: &Snapshot, params: CodeActionParams) -> Option<CodeActionResponse> {
    let only = params.context.only.as_deref();
    let mut out = Vec::new();
    if wanted(only, CodeActionKind::QUICKFIX.as_str()) {
        out.extend(quick_fixes(snap, &params));
    }
    if wanted(only, FIX_ALL)
        && let Some(action) = fix_all(snap)
    {
        out.push(action);
    }
    Some(out)
}

fn quick_fixes(snap: &Snapshot, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
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
    actions
        .into_iter()
        .map(|a| convert::code_action(a, &shown, &lines, &snap.uri))
        .collect()
}

/// Every safe fix of the document, in as many passes as `--fix` takes,
/// as one edit of the part that changes; `None` when nothing would.
fn fix_all(snap: &Snapshot) -> Option<CodeActionOrCommand> {
    if snap.too_large {
        return None;
    }
    let fixed = fix_text(&snap.text, &snap.config.config, FixLevel::Safe);
    let edits = edits_between(&snap.text, &fixed.text);
    if edits.is_empty() {
        return None;
    }
    let lines = snap.lines();
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("Fix all safe fixes in this file ({})", fixed.applied),
        kind: Some(CodeActionKind::new(FIX_ALL)),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(
                snap.uri.clone(),
                edits
                    .iter()
                    .map(|e| convert::text_edit(e, &lines))
                    .collect(),
            )])),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parent_kind_asks_for_its_children() {
        let k = |s: &'static str| CodeActionKind::new(s);
        assert!(!wanted(None, FIX_ALL));
        assert!(wanted(None, "quickfix"));
        assert!(wanted(Some(&[k("source")]), FIX_ALL));
        assert!(wanted(Some(&[k("source.fixAll")]), FIX_ALL));
        assert!(wanted(Some(&[k(FIX_ALL)]), FIX_ALL));
        assert!(!wanted(Some(&[k("quickfix")]), FIX_ALL));
        assert!(!wanted(Some(&[k("source.fix")]), FIX_ALL));
        assert!(!wanted(Some(&[k("source")]), "quickfix"));
    }
}
