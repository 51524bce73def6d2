//! Where gwk keeps its state (`gwk run`'s stores): `$GWK_HOME`, else
//! `$XDG_DATA_HOME/gwk`, else `~/.local/share/gwk`. The runner writes
//! there, the CLI lists it, the language server reads dataset names from
//! it; all through this one rule.

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variable that moves gwk's state directory.
pub const GWK_HOME_VAR: &str = "GWK_HOME";

/// The dataset store's directory under gwk's home: one directory a dataset.
pub const DATASETS_DIR: &str = "datasets";

/// gwk's state directory in this process's environment. `None` only when
/// it cannot be known (no HOME at all).
pub fn gwk_home() -> Option<PathBuf> {
    gwk_home_in(|v| std::env::var_os(v))
}

/// The dataset store's directory in this process's environment.
pub fn store_dir() -> Option<PathBuf> {
    gwk_home().map(|h| h.join(DATASETS_DIR))
}

/// [`gwk_home`] with `var` looking a variable up (an empty value counts as
/// unset).
pub fn gwk_home_in(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let non_empty = |v: &str| var(v).filter(|s| !s.is_empty()).map(PathBuf::from);
    non_empty(GWK_HOME_VAR)
        .or_else(|| non_empty("XDG_DATA_HOME").map(|x| x.join("gwk")))
        .or_else(|| non_empty("HOME").map(|h| h.join(".local/share/gwk")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home(vars: &[(&str, &str)]) -> Option<PathBuf> {
        gwk_home_in(|v| {
            vars.iter()
                .find(|(k, _)| *k == v)
                .map(|(_, x)| OsString::from(x))
        })
    }

    #[test]
    fn gwk_home_then_xdg_then_home() {
        let all = [("GWK_HOME", "/g"), ("XDG_DATA_HOME", "/x"), ("HOME", "/h")];
        assert_eq!(home(&all), Some(PathBuf::from("/g")));
        assert_eq!(home(&all[1..]), Some(PathBuf::from("/x/gwk")));
        assert_eq!(
            home(&[("GWK_HOME", ""), ("HOME", "/h")]),
            Some(PathBuf::from("/h/.local/share/gwk"))
        );
        assert_eq!(home(&[]), None);
    }
}
