//! The local, versioned dataset store.
//!
//! Layout (a contract: `gwk plan` and the language server read it too;
//! docs/datasets.md describes it):
//!
//! ```text
//! $GWK_HOME/datasets/<name>/versions/<id>/   committed versions, never changed after commit
//! $GWK_HOME/datasets/<name>/meta/<id>.json   what gwk knows of a version (hash, size, source)
//! $GWK_HOME/datasets/<name>/tags/<tag>       a file holding one version id
//! $GWK_HOME/datasets/<name>/staging/<pid>-<rand>/   versions being written
//! $GWK_HOME/datasets/.journal/<pid>-<rand>.json     commits in progress (commit.rs)
//! $GWK_HOME/datasets/.holds/<pid>-<rand>      versions live runs read (holds.rs)
//! ```
//!
//! `latest` is the newest committed version: ids start with the UTC commit
//! time, so it is the greatest id. A version exists once its directory is
//! under `versions/`; it gets there by one `rename` from `staging/`, so a
//! reader never sees a half-written version. A crash leaves at most
//! staging directories and a journal, which `gwk gc` rolls forward or back
//! (commit.rs).

mod commit;
mod holds;

pub use holds::Hold;

use crate::fsutil;
use crate::ids;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error(
        "`{0}` is not a valid dataset name (use letters, digits, `-`, `_` and `.`, not starting with `.` or `-`)"
    )]
    BadName(String),
    #[error(
        "`{0}` is not a valid tag (use letters, digits, `-`, `_` and `.`; `latest` is reserved)"
    )]
    BadTag(String),
    #[error(
        "no dataset `{0}` (see `gwk datasets list`, or create it with `gwk datasets create {0}`)"
    )]
    NoDataset(String),
    #[error("dataset `{0}` already exists")]
    Exists(String),
    #[error("dataset `{0}` has no committed version yet")]
    Empty(String),
    #[error("dataset `{name}` has no version or tag `{selector}`{hint}")]
    NoVersion {
        name: String,
        selector: String,
        hint: String,
    },
    #[error(
        "`{version}` is in use: a running gwk (pid {pid}) reads it; remove it once that run has ended (or cancel the run)"
    )]
    InUse { version: String, pid: i32 },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> DatasetError {
    let context = context.into();
    move |source| DatasetError::Io { context, source }
}

/// Where a committed version came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The directory a `gwk datasets import` read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported_from: Option<String>,
}

/// What the store knows of one committed version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub dataset: String,
    pub id: String,
    /// RFC 3339, UTC.
    pub created: String,
    /// `sha256:...` over the version's content (see `fsutil::hash_tree`).
    pub hash: String,
    pub files: u64,
    pub bytes: u64,
    #[serde(default)]
    pub source: VersionSource,
    /// Tags pointing at this version (filled in when listing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// One dataset in `gwk datasets list`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DatasetSummary {
    pub name: String,
    pub versions: usize,
    pub latest: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// A resolved `name[:version|:tag|:latest]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedVersion {
    pub dataset: String,
    pub id: String,
    pub path: PathBuf,
}

/// A version being written; commit or discard it.
#[derive(Debug)]
pub struct Staging {
    pub dataset: String,
    pub path: PathBuf,
}

/// Splits `name:selector`; the selector defaults to `latest`.
pub fn parse_reference(reference: &str) -> (&str, &str) {
    match reference.split_once(':') {
        Some((name, sel)) if !sel.is_empty() => (name, sel),
        Some((name, _)) => (name, "latest"),
        None => (reference, "latest"),
    }
}

#[derive(Clone, Debug)]
pub struct DatasetStore {
    root: PathBuf,
}

impl DatasetStore {
    /// The store under `$GWK_HOME` (`home`); nothing is created until used.
    pub fn new(home: &Path) -> DatasetStore {
        DatasetStore {
            root: home.join(gwk_project::home::DATASETS_DIR),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn dir(&self, name: &str) -> Result<PathBuf, DatasetError> {
        // The one dataset name rule (gwk-spec), as check and plan apply it.
        if gwk_spec::plan::check_dataset_name(name).is_err() {
            return Err(DatasetError::BadName(name.to_string()));
        }
        Ok(self.root.join(name))
    }

    fn existing(&self, name: &str) -> Result<PathBuf, DatasetError> {
        let dir = self.dir(name)?;
        if !gwk_project::store::has_dataset(&self.root, name) {
            return Err(DatasetError::NoDataset(name.to_string()));
        }
        Ok(dir)
    }

    pub fn exists(&self, name: &str) -> bool {
        self.existing(name).is_ok()
    }

    /// Creates an empty dataset; an error if it exists.
    pub fn create(&self, name: &str) -> Result<(), DatasetError> {
        if self.exists(name) {
            return Err(DatasetError::Exists(name.to_string()));
        }
        self.ensure(name).map(|_| ())
    }

    /// Creates the dataset if it does not exist; true when it was created.
    pub fn ensure(&self, name: &str) -> Result<bool, DatasetError> {
        let dir = self.dir(name)?;
        let created = !dir.join("versions").is_dir();
        for sub in ["versions", "meta", "tags", "staging"] {
            fs::create_dir_all(dir.join(sub))
                .map_err(io_err(format!("cannot create {}", dir.join(sub).display())))?;
        }
        Ok(created)
    }

    /// Every dataset, by name.
    pub fn list(&self) -> Result<Vec<DatasetSummary>, DatasetError> {
        let mut out = Vec::new();
        // The names every gwk binary counts as datasets (the project model's
        // rule, which the language server's completion uses too).
        let names = gwk_project::store::dataset_names(&self.root)
            .map_err(io_err(format!("cannot read {}", self.root.display())))?;
        for name in names {
            let ids = self.version_ids(&name)?;
            out.push(DatasetSummary {
                latest: ids.last().cloned(),
                versions: ids.len(),
                tags: self.tags(&name)?,
                name,
            });
        }
        Ok(out)
    }

    /// Committed version ids, oldest first.
    pub fn version_ids(&self, name: &str) -> Result<Vec<String>, DatasetError> {
        let dir = self.existing(name)?.join("versions");
        let mut ids: Vec<String> = fs::read_dir(&dir)
            .map_err(io_err(format!("cannot read {}", dir.display())))?
            .flatten()
            .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| ids::is_safe_name(n))
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// `(tag, version id)` pairs, by tag.
    pub fn tags(&self, name: &str) -> Result<Vec<(String, String)>, DatasetError> {
        let dir = self.existing(name)?.join("tags");
        let mut out = Vec::new();
        if let Ok(entries) = fs::read_dir(&dir) {
            for e in entries.flatten() {
                let Ok(tag) = e.file_name().into_string() else {
                    continue;
                };
                if !ids::is_safe_name(&tag) {
                    continue; // temporaries of an atomic write
                }
                if let Ok(id) = fs::read_to_string(e.path()) {
                    out.push((tag, id.trim().to_string()));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Every committed version with what is known of it, oldest first.
    pub fn versions(&self, name: &str) -> Result<Vec<VersionInfo>, DatasetError> {
        let tags = self.tags(name)?;
        self.version_ids(name)?
            .into_iter()
            .map(|id| {
                let mut info = self.version_info(name, &id)?;
                info.tags = tags
                    .iter()
                    .filter(|(_, v)| *v == id)
                    .map(|(t, _)| t.clone())
                    .collect();
                Ok(info)
            })
            .collect()
    }

    /// The metadata of one committed version; rebuilt from the content when
    /// its file is missing.
    pub fn version_info(&self, name: &str, id: &str) -> Result<VersionInfo, DatasetError> {
        let dir = self.existing(name)?;
        let meta = dir.join("meta").join(format!("{id}.json"));
        if let Ok(text) = fs::read_to_string(&meta)
            && let Ok(info) = serde_json::from_str::<VersionInfo>(&text)
        {
            return Ok(info);
        }
        let path = dir.join("versions").join(id);
        let summary =
            fsutil::hash_tree(&path).map_err(io_err(format!("cannot read {}", path.display())))?;
        let created = fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| jiff::Timestamp::try_from(t).ok())
            .map(|t| t.to_string())
            .unwrap_or_default();
        Ok(VersionInfo {
            dataset: name.to_string(),
            id: id.to_string(),
            created,
            hash: summary.hash,
            files: summary.files,
            bytes: summary.bytes,
            source: VersionSource::default(),
            tags: Vec::new(),
        })
    }

    /// Resolves `name`, `name:version`, `name:tag` or `name:latest`.
    pub fn resolve(&self, reference: &str) -> Result<ResolvedVersion, DatasetError> {
        let (name, selector) = parse_reference(reference);
        let dir = self.existing(name)?;
        let ids = self.version_ids(name)?;
        let id = if selector == "latest" {
            ids.last()
                .cloned()
                .ok_or_else(|| DatasetError::Empty(name.to_string()))?
        } else if ids.iter().any(|i| i == selector) {
            selector.to_string()
        } else if let Some((_, id)) = self.tags(name)?.into_iter().find(|(t, _)| t == selector) {
            if !ids.contains(&id) {
                return Err(DatasetError::NoVersion {
                    name: name.to_string(),
                    selector: selector.to_string(),
                    hint: format!(" (tag `{selector}` points at `{id}`, which was removed)"),
                });
            }
            id
        } else {
            let tags: Vec<String> = self.tags(name)?.into_iter().map(|(t, _)| t).collect();
            let hint = if ids.is_empty() {
                " (it has no version yet)".to_string()
            } else {
                format!(
                    " (versions: {}{}{})",
                    ids.iter()
                        .rev()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                    if ids.len() > 3 { ", ..." } else { "" },
                    if tags.is_empty() {
                        String::new()
                    } else {
                        format!("; tags: {}", tags.join(", "))
                    }
                )
            };
            return Err(DatasetError::NoVersion {
                name: name.to_string(),
                selector: selector.to_string(),
                hint,
            });
        };
        Ok(ResolvedVersion {
            dataset: name.to_string(),
            path: dir.join("versions").join(&id),
            id,
        })
    }

    /// Points `tag` at the version `reference` resolves to.
    pub fn tag(&self, name: &str, tag: &str, selector: &str) -> Result<String, DatasetError> {
        if !ids::is_safe_name(tag) || tag == "latest" {
            return Err(DatasetError::BadTag(tag.to_string()));
        }
        let v = self.resolve(&format!("{name}:{selector}"))?;
        let path = self.existing(name)?.join("tags").join(tag);
        fsutil::write_atomic(&path, format!("{}\n", v.id).as_bytes())
            .map_err(io_err(format!("cannot write {}", path.display())))?;
        Ok(v.id)
    }

    /// Removes a tag; false when there was none.
    pub fn untag(&self, name: &str, tag: &str) -> Result<bool, DatasetError> {
        if !ids::is_safe_name(tag) {
            return Err(DatasetError::BadTag(tag.to_string()));
        }
        let path = self.existing(name)?.join("tags").join(tag);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err(format!("cannot remove {}", path.display()))(e)),
        }
    }

    /// A new, empty staging directory for the next version of `name`
    /// (creating the dataset if needed). Its name starts with this
    /// process's id, so `gwk gc` can tell when it was abandoned.
    pub fn stage(&self, name: &str) -> Result<Staging, DatasetError> {
        self.ensure(name)?;
        let path = self.dir(name)?.join("staging").join(format!(
            "{}-{}",
            std::process::id(),
            ids::random_hex(4)
        ));
        fs::create_dir_all(&path).map_err(io_err(format!("cannot create {}", path.display())))?;
        Ok(Staging {
            dataset: name.to_string(),
            path,
        })
    }

    /// Commits a staging directory as a new version (see [`Self::commit_all`]).
    pub fn commit(
        &self,
        staging: Staging,
        source: VersionSource,
    ) -> Result<VersionInfo, DatasetError> {
        let mut infos = self.commit_all(vec![(staging, source)])?;
        Ok(infos.remove(0))
    }

    /// Throws a staging directory away.
    pub fn discard(&self, staging: Staging) {
        let _ = fs::remove_dir_all(&staging.path);
    }

    /// Copies a directory (or a single file) into a new version.
    pub fn import(
        &self,
        name: &str,
        from: &Path,
        source: VersionSource,
    ) -> Result<VersionInfo, DatasetError> {
        let meta = fs::metadata(from).map_err(io_err(format!("cannot read {}", from.display())))?;
        let staging = self.stage(name)?;
        let copied = if meta.is_dir() {
            fs::read_dir(from).and_then(|rd| {
                for e in rd {
                    let e = e?;
                    fsutil::copy_tree(&e.path(), &staging.path.join(e.file_name()))?;
                }
                Ok(())
            })
        } else {
            fsutil::copy_tree(
                from,
                &staging.path.join(from.file_name().unwrap_or_default()),
            )
        };
        if let Err(e) = copied {
            self.discard(staging);
            return Err(io_err(format!("cannot copy {}", from.display()))(e));
        }
        self.commit(staging, source)
    }

    /// Copies a version's content into `to` (created if missing).
    pub fn export(&self, reference: &str, to: &Path) -> Result<ResolvedVersion, DatasetError> {
        let v = self.resolve(reference)?;
        fsutil::copy_tree(&v.path, to)
            .map_err(io_err(format!("cannot copy to {}", to.display())))?;
        Ok(v)
    }

    /// Removes one version (and the tags pointing at it); returns the tags
    /// removed.
    pub fn remove_version(&self, name: &str, id: &str) -> Result<Vec<String>, DatasetError> {
        let v = self.resolve(&format!("{name}:{id}"))?;
        let dir = self.existing(name)?;
        self.check_not_held(name, Some(&v.id))?;
        let mut removed = Vec::new();
        for (tag, target) in self.tags(name)? {
            if target == v.id {
                self.untag(name, &tag)?;
                removed.push(tag);
            }
        }
        fsutil::remove_tree_atomically(&v.path, &dir.join("staging"))
            .map_err(io_err(format!("cannot remove {}", v.path.display())))?;
        let _ = fs::remove_file(dir.join("meta").join(format!("{}.json", v.id)));
        Ok(removed)
    }

    /// Removes a dataset with all its versions.
    pub fn remove_dataset(&self, name: &str) -> Result<(), DatasetError> {
        let dir = self.existing(name)?;
        self.check_not_held(name, None)?;
        fsutil::remove_tree_atomically(&dir, &self.root.join(".trash"))
            .map_err(io_err(format!("cannot remove {}", dir.display())))
    }

    /// Staging directories whose writer process is gone, across datasets.
    /// (A staging directory named by a commit's journal is left to
    /// [`Self::recover`].)
    pub fn abandoned_staging(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let Ok(entries) = fs::read_dir(&self.root) else {
            return out;
        };
        let journaled = self.journaled_staging();
        for e in entries.flatten() {
            let staging = e.path().join("staging");
            let Ok(stages) = fs::read_dir(&staging) else {
                continue;
            };
            for s in stages.flatten() {
                let name = s.file_name().to_string_lossy().to_string();
                let pid = name.split('-').next().and_then(|p| p.parse::<i32>().ok());
                if !pid.is_some_and(crate::process::alive) && !journaled.contains(&s.path()) {
                    out.push(s.path());
                }
            }
        }
        // Leftovers of an interrupted `remove_dataset`.
        if let Ok(trash) = fs::read_dir(self.root.join(".trash")) {
            out.extend(trash.flatten().map(|e| e.path()));
        }
        out.sort();
        out
    }

    /// `meta/<id>.json` files without their version (left by a version
    /// removal that was interrupted, or by an earlier gwk, which wrote the
    /// metadata before the rename). A commit writes metadata only after
    /// its rename, so such a file is never a commit in progress.
    pub fn orphan_meta(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let Ok(entries) = fs::read_dir(&self.root) else {
            return out;
        };
        for e in entries.flatten() {
            let dir = e.path();
            let Ok(metas) = fs::read_dir(dir.join("meta")) else {
                continue;
            };
            for m in metas.flatten() {
                let name = m.file_name().to_string_lossy().to_string();
                if let Some(id) = name.strip_suffix(".json")
                    && ids::is_safe_name(id)
                    && !dir.join("versions").join(id).exists()
                {
                    out.push(m.path());
                }
            }
        }
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty store in a directory of its own (also for commit's tests).
    pub(super) fn store() -> (tempfile::TempDir, DatasetStore) {
        let t = tempfile::tempdir().unwrap();
        let s = DatasetStore::new(t.path());
        (t, s)
    }

    fn commit_text(s: &DatasetStore, name: &str, text: &str) -> VersionInfo {
        let st = s.stage(name).unwrap();
        fs::write(st.path.join("data.txt"), text).unwrap();
        s.commit(st, VersionSource::default()).unwrap()
    }

    #[test]
    fn versions_tags_and_latest_resolve() {
        let (_t, s) = store();
        s.create("mnist").unwrap();
        assert!(matches!(s.create("mnist"), Err(DatasetError::Exists(_))));
        assert!(matches!(s.resolve("mnist"), Err(DatasetError::Empty(_))));
        let v1 = commit_text(&s, "mnist", "one");
        let v2 = commit_text(&s, "mnist", "two");
        assert!(v1.id < v2.id);
        assert_eq!(s.resolve("mnist").unwrap().id, v2.id);
        assert_eq!(s.resolve("mnist:latest").unwrap().id, v2.id);
        assert_eq!(s.resolve(&format!("mnist:{}", v1.id)).unwrap().id, v1.id);
        assert_eq!(s.tag("mnist", "golden", &v1.id).unwrap(), v1.id);
        let r = s.resolve("mnist:golden").unwrap();
        assert_eq!(fs::read_to_string(r.path.join("data.txt")).unwrap(), "one");
        assert!(matches!(
            s.tag("mnist", "latest", "latest"),
            Err(DatasetError::BadTag(_))
        ));
        let err = s.resolve("mnist:nope").unwrap_err().to_string();
        assert!(
            err.contains("no version or tag `nope`") && err.contains("golden"),
            "{err}"
        );
        let vs = s.versions("mnist").unwrap();
        assert_eq!(vs.len(), 2);
        assert_eq!(vs[0].tags, ["golden"]);
        assert_eq!(vs[1].bytes, 3);
        let list = s.list().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].latest.as_deref(), Some(v2.id.as_str()));
        assert!(matches!(s.resolve("nope"), Err(DatasetError::NoDataset(_))));
        assert!(matches!(s.resolve("../x"), Err(DatasetError::BadName(_))));
    }

    #[test]
    fn discarded_staging_adds_no_version_and_removal_cleans_tags() {
        let (_t, s) = store();
        let v1 = commit_text(&s, "d", "x");
        let st = s.stage("d").unwrap();
        fs::write(st.path.join("half"), "partial").unwrap();
        s.discard(st);
        assert_eq!(s.version_ids("d").unwrap(), vec![v1.id.clone()]);
        s.tag("d", "t", "latest").unwrap();
        assert_eq!(s.remove_version("d", "t").unwrap(), ["t"]);
        assert!(s.version_ids("d").unwrap().is_empty());
        assert!(s.tags("d").unwrap().is_empty());
        s.remove_dataset("d").unwrap();
        assert!(!s.exists("d"));
        assert!(s.abandoned_staging().is_empty());
    }

    #[test]
    fn import_and_export_round_trip() {
        let (t, s) = store();
        let src = t.path().join("src");
        fs::create_dir_all(src.join("a")).unwrap();
        fs::write(src.join("a/b.txt"), "bee").unwrap();
        let v = s.import("imp", &src, VersionSource::default()).unwrap();
        assert_eq!(v.files, 1);
        let out = t.path().join("out");
        s.export("imp:latest", &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/b.txt")).unwrap(), "bee");
        assert_eq!(
            fsutil::hash_tree(&out).unwrap().hash,
            s.version_info("imp", &v.id).unwrap().hash
        );
    }

    #[test]
    fn staging_of_a_dead_process_is_abandoned() {
        let (_t, s) = store();
        s.ensure("d").unwrap();
        let dead = s.root().join("d/staging/999999999-abcd");
        fs::create_dir_all(&dead).unwrap();
        let live = s.stage("d").unwrap();
        assert_eq!(s.abandoned_staging(), [dead]);
        s.discard(live);
    }
}

/// The store as `gwk plan` and `gwk run` see it when they resolve a
/// workflow's dataset references.
impl gwk_spec::plan::DatasetResolver for DatasetStore {
    fn resolve(&self, name: &str, selector: Option<&str>) -> gwk_spec::plan::DatasetResolution {
        use gwk_spec::plan::DatasetResolution as R;
        let reference = format!("{name}:{}", selector.unwrap_or("latest"));
        match DatasetStore::resolve(self, &reference) {
            Ok(v) => R::Resolved { version: v.id },
            Err(DatasetError::NoDataset(_) | DatasetError::BadName(_)) => R::NotInStore,
            Err(DatasetError::Empty(_)) => R::NoVersions,
            Err(_) => R::UnknownSelector,
        }
    }
}

#[cfg(test)]
mod resolver_tests {
    use super::*;
    use gwk_spec::plan::{DatasetResolution as R, DatasetResolver};

    #[test]
    fn resolves_for_the_plan() {
        let t = tempfile::tempdir().unwrap();
        let s = DatasetStore::new(t.path());
        let r: &dyn DatasetResolver = &s;
        assert_eq!(r.resolve("d", None), R::NotInStore);
        assert_eq!(r.resolve("../etc", None), R::NotInStore);
        s.create("d").unwrap();
        assert_eq!(r.resolve("d", None), R::NoVersions);
        let st = s.stage("d").unwrap();
        let v = s.commit(st, VersionSource::default()).unwrap();
        s.tag("d", "gold", "latest").unwrap();
        assert_eq!(
            r.resolve("d", Some("gold")),
            R::Resolved {
                version: v.id.clone()
            }
        );
        assert_eq!(
            r.resolve("d", Some("latest")),
            R::Resolved { version: v.id }
        );
        assert_eq!(r.resolve("d", Some("nope")), R::UnknownSelector);
    }
}
