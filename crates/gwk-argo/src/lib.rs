//! gwk-argo: a Gradient workflow's plan as an Argo Workflows `Workflow`.
//!
//! Pure: no I/O. The CLI (`gwk export argo`) reads the file, refuses it
//! when it has errors, builds the plan and writes what this crate returns.
//! docs/argo.md describes the mapping field by field.

mod actions;
pub mod emit;
mod export;
pub mod manifest;
pub mod names;
mod resources;
pub mod settings;

pub use actions::{GIT_SCRIPT, MODEL_SCRIPT};
pub use emit::{to_json, to_value, to_yaml};
pub use export::{ENTRYPOINT, Export, ExportError, JOB_ANNOTATION, Source, export, generate_name};
pub use manifest::Workflow;
pub use settings::{Settings, SettingsError};
