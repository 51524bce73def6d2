//! gwk-argo: a Gradient workflow's plan as an Argo Workflows `Workflow`.
//!
//! Pure: no I/O. The CLI (`gwk export argo`) reads the file, refuses it
//! when it has errors, builds the plan and writes what this crate returns.
//! docs/argo.md describes the mapping field by field.

pub mod emit;
pub mod manifest;
pub mod names;
pub mod settings;

pub use emit::{to_json, to_value, to_yaml};
pub use manifest::Workflow;
pub use settings::{Settings, SettingsError};
