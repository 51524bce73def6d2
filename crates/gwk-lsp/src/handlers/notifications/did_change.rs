//! `textDocument/didChange`: the changes are applied to the rope (all of
//! it before any await: changes apply in arrival order) and the document
//! is queued for a check.

use crate::convert;
use crate::state::{State, lock};
use gwk_spec::syntax::Span;
use std::panic::{AssertUnwindSafe, catch_unwind};
use tower_lsp_server::ls_types::{DidChangeTextDocumentParams, Uri};

/// A change that panicked while being applied: its document is forgotten.
pub struct Failed {
    pub uri: Uri,
    pub panic: Box<dyn std::any::Any + Send>,
}

impl Failed {
    /// What the user is told.
    pub fn message(&self) -> String {
        format!(
            "gwk-lsp: an edit of {} could not be applied; close and reopen the file to check \
             it again",
            self.uri.as_str()
        )
    }
}

pub fn run(state: &State, params: DidChangeTextDocumentParams) -> Result<(), Failed> {
    let started = std::time::Instant::now();
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let encoding = state.settings().encoding;
    let applied = catch_unwind(AssertUnwindSafe(|| {
        let mut docs = lock(&state.docs);
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
        Ok(true) => state.queue.push(uri),
        Ok(false) => return Ok(()),
        Err(panic) => {
            // The text may be half changed: no longer the editor's. Forget
            // the document rather than answer from a wrong text; reopening
            // it starts afresh.
            lock(&state.docs).remove(&uri);
            return Err(Failed { uri, panic });
        }
    }
    if crate::trace::enabled() {
        eprintln!(
            "gwk-lsp: didChange v{version} applied in {:.2} ms (at {:.1} ms)",
            started.elapsed().as_secs_f64() * 1000.0,
            crate::trace::now_ms()
        );
    }
    Ok(())
}
