//! Requests: each answers from a [`Snapshot`](crate::snapshot::Snapshot)
//! (or the state, for the lifecycle ones).

pub mod code_action;
pub mod completion;
pub mod debug_panic;
pub mod definition;
pub mod diagnostic;
pub mod document_highlight;
pub mod document_symbol;
pub mod folding_range;
pub mod graph;
pub mod hover;
pub mod initialize;
pub mod inlay_hint;
pub mod prepare_rename;
pub mod references;
pub mod rename;
pub mod shutdown;
