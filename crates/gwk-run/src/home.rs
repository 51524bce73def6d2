//! Where gwk keeps its state: `$GWK_HOME`, by default
//! `$XDG_DATA_HOME/gwk` or `~/.local/share/gwk` (the rule is gwk-spec's,
//! shared with the language server).

use std::path::PathBuf;

pub use gwk_spec::home::GWK_HOME_VAR;

/// gwk's state directory in this process's environment. `None` only when
/// it cannot be known (no HOME at all).
pub fn gwk_home() -> Option<PathBuf> {
    gwk_spec::home::gwk_home(|v| std::env::var_os(v))
}
