//! The project model every gwk binary shares: where a Gradient project's
//! files are and what is read from them. The CLI (`gwk check`, `gwk plan`,
//! `gwk run`), the language server and the runner all ask this crate, so
//! they cannot disagree about which gwk.toml applies, which workflow files
//! a directory holds, which secrets file is read and which names it
//! defines, where gwk keeps its state, or which datasets the store has.
//!
//! Files and the environment only: no Docker, no async, no network.

pub mod config;
pub mod home;
pub mod secrets;
pub mod store;
pub mod walk;
