//! Finding workflow files and the gwk.toml that applies to each: the
//! project model's rules (crates/gwk-project), which the language server
//! and the runner share.

pub use gwk_project::config::{Configs, find_upward, load};
pub use gwk_project::walk::{WORKFLOW_DIR, workflow_files};
