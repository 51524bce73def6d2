//! Versions a live run reads: a run holds them (one file per gwk process,
//! `datasets/.holds/<pid>-<rand>`, naming its owner and the versions), and
//! removing a held version (or its dataset) is refused until the run ends.
//! A hold whose process is gone holds nothing (and is removed by the next
//! hold).

use super::{DatasetError, DatasetStore, io_err};
use crate::process::Owner;
use std::fs;
use std::path::PathBuf;

const HOLDS_DIR: &str = ".holds";

/// Versions held while this value lives.
#[derive(Debug)]
pub struct Hold {
    path: Option<PathBuf>,
}

impl Drop for Hold {
    fn drop(&mut self) {
        if let Some(p) = &self.path {
            let _ = fs::remove_file(p);
        }
    }
}

/// A hold file, with its holder and versions when the holder lives.
type HoldFile = (PathBuf, Option<(Holder, Vec<String>)>);

/// A live holder of a version: its pid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub pid: i32,
}

impl DatasetStore {
    fn holds_dir(&self) -> PathBuf {
        self.root().join(HOLDS_DIR)
    }

    /// Holds the versions `(dataset, version id)` until the [`Hold`] is
    /// dropped (or this process ends).
    pub fn hold(&self, versions: &[(String, String)]) -> Result<Hold, DatasetError> {
        if versions.is_empty() {
            return Ok(Hold { path: None });
        }
        let dir = self.holds_dir();
        fs::create_dir_all(&dir).map_err(io_err(format!("cannot create {}", dir.display())))?;
        for (path, _) in self.read_holds().into_iter().filter(|(_, h)| h.is_none()) {
            let _ = fs::remove_file(path);
        }
        let mut text = Owner::current().to_line();
        for (d, v) in versions {
            text.push_str(&format!("{d}:{v}\n"));
        }
        let path = dir.join(format!(
            "{}-{}",
            std::process::id(),
            crate::ids::random_hex(4)
        ));
        crate::fsutil::write_atomic(&path, text.as_bytes())
            .map_err(io_err(format!("cannot write {}", path.display())))?;
        Ok(Hold { path: Some(path) })
    }

    /// Every hold file, with its versions when its owner lives (`None`
    /// when it is gone).
    fn read_holds(&self) -> Vec<HoldFile> {
        let Ok(rd) = fs::read_dir(self.holds_dir()) else {
            return Vec::new();
        };
        rd.flatten()
            .filter(|e| crate::fsutil::temp_owner(&e.file_name().to_string_lossy()).is_none())
            .filter_map(|e| {
                let text = fs::read_to_string(e.path()).ok()?;
                let mut lines = text.lines();
                let owner = Owner::parse(lines.next()?)?;
                let live = owner.alive().then(|| {
                    (
                        Holder { pid: owner.pid },
                        lines.map(str::to_string).collect(),
                    )
                });
                Some((e.path(), live))
            })
            .collect()
    }

    /// Refuses when a live run holds `dataset:version` (any version of
    /// the dataset when `version` is `None`).
    pub(super) fn check_not_held(
        &self,
        dataset: &str,
        version: Option<&str>,
    ) -> Result<(), DatasetError> {
        for (_, held) in self.read_holds() {
            let Some((holder, versions)) = held else {
                continue;
            };
            for v in versions {
                let Some((d, id)) = v.split_once(':') else {
                    continue;
                };
                if d == dataset && version.is_none_or(|want| want == id) {
                    return Err(DatasetError::InUse {
                        version: format!("{d}:{id}"),
                        pid: holder.pid,
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::VersionSource;
    use crate::datasets::tests::store;

    #[test]
    fn a_held_version_cannot_be_removed_until_released() {
        let (_t, s) = store();
        let mut ids = Vec::new();
        for _ in 0..2 {
            let st = s.stage("d").unwrap();
            fs::write(st.path.join("f"), ids.len().to_string()).unwrap();
            ids.push(
                s.commit_all(vec![(st, VersionSource::default())]).unwrap()[0]
                    .id
                    .clone(),
            );
        }
        let hold = s.hold(&[("d".into(), ids[0].clone())]).unwrap();
        let err = s.remove_version("d", &ids[0]).unwrap_err();
        assert!(matches!(err, DatasetError::InUse { .. }), "{err}");
        assert!(err.to_string().contains(&format!("d:{}", ids[0])), "{err}");
        assert!(s.remove_dataset("d").is_err(), "the dataset holds it");
        // Another version is free.
        s.remove_version("d", &ids[1]).unwrap();
        drop(hold);
        s.remove_version("d", &ids[0]).unwrap();

        // A hold whose process is gone holds nothing.
        fs::write(
            s.holds_dir().join("999999999-dead"),
            "999999999 5\nd:anything\n",
        )
        .unwrap();
        assert!(s.check_not_held("d", None).is_ok());
    }
}
