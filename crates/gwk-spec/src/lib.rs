//! gwk-spec: the pure core of gwk.
//!
//! text → [`syntax`] (spanned YAML) → [`model`] (typed, spanned workflow) →
//! [`check`] (rules) → [`Diagnostic`]s. No I/O, no async, no global state
//! beyond lazily built constant tables.

pub mod diagnostic;
pub mod model;
pub mod schema;
pub mod syntax;

pub use diagnostic::{Code, Counts, Diagnostic, Edit, Fix, Related, Severity};
pub mod catalog;
pub mod check;
pub mod config;
pub mod fingerprint;
pub mod fix;
pub mod graph;
pub mod graph_view;
pub mod plan;
pub mod query;
pub mod select;
pub mod suggest;

pub use check::{Analysis, analyze, analyze_bytes};
pub use config::Config;
