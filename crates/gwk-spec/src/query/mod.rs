//! Cursor queries: what an editor asks about one position of a workflow.
//!
//! Every query is a pure function of an [`Analysis`] (or the text the editor
//! shows plus the last analysis whose YAML parsed) and a byte offset, and
//! answers in byte spans of that text. The language server only converts
//! positions and types; tests drive these functions directly with fixture
//! text holding a `$0` cursor marker.
//!
//! - [`complete`]: completion items (keys from the schema, values, job
//!   names, references, dataset and secret names);
//! - [`hover`]: docs for keys and values, job summaries, reference targets;
//! - [`definition`], [`references`], [`prepare_rename`], [`rename`]: jobs,
//!   outputs and workflow inputs, and every place that names them;
//! - [`document_symbols`], [`folding_ranges`]: the outline;
//! - [`code_actions`]: the fixes diagnostics carry, and ignore comments;
//! - [`inlay_hints`]: the type of each referenced input or output;
//! - [`EditLog`] and [`carry_forward`]: keep findings in place while the
//!   text is not YAML.

mod actions;
mod complete;
mod context;
mod hints;
mod hover;
mod navigate;
mod outline;
mod shift;
mod symbol;

pub use actions::{Action, code_actions, ignore_comment};
pub use complete::{
    Completion, ItemKind, Sources, WorkspaceDataset, complete, dataset_refs, limit,
};
pub use context::{Context, Place, context_at};
pub use hints::{InlayHint, inlay_hints};
pub use hover::{Hover, hover};
pub use navigate::{RenameError, definition, prepare_rename, references, rename};
pub use outline::{Fold, FoldKind, Symbol, SymbolKind, document_symbols, folding_ranges};
pub use shift::{Change, EditLog, carry_forward};
pub use symbol::{Hit, Occurrence, Role, Sym, occurrences, symbol_at};

use crate::Analysis;
use crate::model::Workflow;
use crate::syntax::Node;

/// The parts of an analysis a query needs, when the text parsed.
pub(crate) fn parsed(a: &Analysis) -> Option<(&Node, &Workflow)> {
    Some((a.root.as_ref()?, a.workflow.as_ref()?))
}

/// The span of a key or scalar without its quotes.
pub fn unquoted(text: &str, span: crate::syntax::Span) -> crate::syntax::Span {
    let s = text.get(span.start..span.end).unwrap_or("");
    let quoted = s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')));
    if quoted {
        crate::syntax::Span::new(span.start + 1, span.end - 1)
    } else {
        span
    }
}
