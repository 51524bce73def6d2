//! What gwk's tests share, so that each rule is written once:
//!
//! - [`shared`]: where `../shared` is, and the skip rule — a test that needs
//!   something the machine may lack says `SKIPPED: …` only when that thing
//!   is absent, and fails when it is there but unusable;
//! - [`corpus`]: the one reader of `../shared/corpus/SOURCES.md` and the
//!   verdict each of its sections gives;
//! - [`docker`]: the Docker test environment's addresses
//!   (`/run/gwk-test/env`, written by scripts/docker-test-env.sh).
//!
//! A dev-dependency of the crates' tests only; never published.

pub mod corpus;
pub mod docker;
pub mod shared;

pub use shared::{repo_root, shared_dir, skipped};
