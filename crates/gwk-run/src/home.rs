//! Where gwk keeps its state: `$GWK_HOME`, by default
//! `$XDG_DATA_HOME/gwk` or `~/.local/share/gwk`.

use std::path::PathBuf;

/// The environment variable that moves gwk's state directory.
pub const GWK_HOME_VAR: &str = "GWK_HOME";

/// `$GWK_HOME`, else `$XDG_DATA_HOME/gwk`, else `~/.local/share/gwk`.
/// `None` only when none of these can be known (no HOME at all).
pub fn gwk_home() -> Option<PathBuf> {
    let non_empty = |v: &str| std::env::var_os(v).filter(|s| !s.is_empty());
    if let Some(h) = non_empty(GWK_HOME_VAR) {
        return Some(PathBuf::from(h));
    }
    if let Some(x) = non_empty("XDG_DATA_HOME") {
        return Some(PathBuf::from(x).join("gwk"));
    }
    non_empty("HOME").map(|h| PathBuf::from(h).join(".local/share/gwk"))
}
