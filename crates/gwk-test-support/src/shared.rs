//! `../shared` beside the repository, and the skip rule.

use std::path::PathBuf;

/// The repository's root (this crate is `crates/gwk-test-support`).
pub fn repo_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.join("../..")
}

/// `../shared` beside the repository, when it is there (a fresh clone has
/// none; CI always has it: .ci/run refuses to start without it).
pub fn shared_dir() -> Option<PathBuf> {
    let dir = repo_root().join("../shared");
    dir.is_dir().then_some(dir)
}

/// Says that a test did not check `what` because `why` is absent. Only for
/// things that are absent: a thing that is there but broken fails its test.
pub fn skipped(what: &str, why: &str) {
    eprintln!("SKIPPED: {why} is absent; {what}");
}
