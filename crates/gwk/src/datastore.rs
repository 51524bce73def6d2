//! A read-only view of the local dataset store, for planning.
//!
//! The layout (the contract with gwk-run, which writes the store):
//!
//! ```text
//! $GWK_HOME/datasets/<name>/versions/<id>/   one directory per committed version
//! $GWK_HOME/datasets/<name>/tags/<tag>       a file holding a version id
//! ```
//!
//! `latest` is the newest committed version: the version directory changed
//! last (a commit is an atomic rename, so that is when it was committed),
//! the greatest id among equals. `GWK_HOME` defaults to
//! `~/.local/share/gwk`.

use gwk_spec::plan::{DatasetResolution, DatasetResolver};
use std::path::{Component, Path, PathBuf};

/// The local store under `root` (`$GWK_HOME`).
pub struct LocalDatasets {
    root: PathBuf,
}

impl LocalDatasets {
    /// The store of `$GWK_HOME`, or `~/.local/share/gwk`; `None` when
    /// neither can be found (no HOME).
    pub fn from_env() -> Option<LocalDatasets> {
        let home = match std::env::var_os("GWK_HOME") {
            Some(h) if !h.is_empty() => PathBuf::from(h),
            _ => PathBuf::from(std::env::var_os("HOME")?).join(".local/share/gwk"),
        };
        Some(LocalDatasets::at(&home))
    }

    pub fn at(gwk_home: &Path) -> LocalDatasets {
        LocalDatasets {
            root: gwk_home.join("datasets"),
        }
    }

    /// The directory of dataset `name`; `None` for a name that would leave
    /// the store (`..`, absolute paths).
    fn dir(&self, name: &str) -> Option<PathBuf> {
        let rel = Path::new(name);
        let plain = !name.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
        plain.then(|| self.root.join(rel))
    }

    fn versions(dir: &Path) -> Vec<(std::time::SystemTime, String)> {
        let Ok(entries) = std::fs::read_dir(dir.join("versions")) else {
            return Vec::new();
        };
        let mut out: Vec<_> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                // gwk-run stages a version under a dot-name before the
                // rename that commits it.
                if name.starts_with('.') {
                    return None;
                }
                let modified = e.metadata().and_then(|m| m.modified()).ok()?;
                Some((modified, name))
            })
            .collect();
        out.sort();
        out
    }
}

impl DatasetResolver for LocalDatasets {
    fn resolve(&self, name: &str, selector: Option<&str>) -> DatasetResolution {
        let Some(dir) = self.dir(name).filter(|d| d.is_dir()) else {
            return DatasetResolution::NotInStore;
        };
        let versions = Self::versions(&dir);
        match selector {
            None | Some("latest") => match versions.last() {
                Some((_, v)) => DatasetResolution::Resolved { version: v.clone() },
                None => DatasetResolution::NoVersions,
            },
            Some(s) if versions.iter().any(|(_, v)| v == s) => DatasetResolution::Resolved {
                version: s.to_string(),
            },
            Some(s) => {
                let tag = Path::new(s)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)))
                    .then(|| std::fs::read_to_string(dir.join("tags").join(s)).ok())
                    .flatten();
                match tag.map(|t| t.trim().to_string()) {
                    Some(v) if versions.iter().any(|(_, have)| *have == v) => {
                        DatasetResolution::Resolved { version: v }
                    }
                    _ => DatasetResolution::UnknownSelector,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_tags_and_latest() {
        let home = tempfile::tempdir().unwrap();
        let d = home.path().join("datasets/mnist");
        std::fs::create_dir_all(d.join("versions/v1")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::create_dir_all(d.join("versions/v2")).unwrap();
        std::fs::create_dir_all(d.join("versions/.staging-v3")).unwrap();
        std::fs::create_dir_all(d.join("tags")).unwrap();
        std::fs::write(d.join("tags/stable"), "v1\n").unwrap();
        std::fs::write(d.join("tags/broken"), "v9\n").unwrap();
        std::fs::create_dir_all(home.path().join("datasets/empty")).unwrap();
        let store = LocalDatasets::at(home.path());
        let r = |n: &str, s: Option<&str>| store.resolve(n, s);
        assert_eq!(r("mnist", None).version(), Some("v2"));
        assert_eq!(r("mnist", Some("latest")).version(), Some("v2"));
        assert_eq!(r("mnist", Some("v1")).version(), Some("v1"));
        assert_eq!(r("mnist", Some("stable")).version(), Some("v1"));
        assert_eq!(
            r("mnist", Some("broken")),
            DatasetResolution::UnknownSelector
        );
        assert_eq!(r("mnist", Some("../x")), DatasetResolution::UnknownSelector);
        assert_eq!(r("empty", None), DatasetResolution::NoVersions);
        assert_eq!(r("nope", None), DatasetResolution::NotInStore);
        assert_eq!(r("../mnist", None), DatasetResolution::NotInStore);
    }
}
