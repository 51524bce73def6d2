//! Committing staged versions, all or none, in a way `kill -9` cannot
//! leave half done.
//!
//! 1. Every staging directory is hashed; its version id and metadata are
//!    decided.
//! 2. A journal, `datasets/.journal/<pid>-<random>.json`, lists them
//!    (written atomically).
//! 3. Each staging directory is renamed to `versions/<id>`. The first
//!    rename is the commit point: from then on the commit is finished, by
//!    this process or, if it dies, by `gwk gc`.
//! 4. Each version's `meta/<id>.json` is written; then the journal is
//!    removed.
//!
//! A journal left by a dead process is recovered by [`DatasetStore::recover`]:
//! when any of its versions is under `versions/`, the rest are renamed
//! into place and the metadata written (roll forward); otherwise the
//! staging directories are removed (roll back). Either way no reader ever
//! sees a version without its content, and a `meta/` file never exists
//! without its version.

use super::{DatasetError, DatasetStore, Staging, VersionInfo, VersionSource, io_err};
use crate::fsutil;
use crate::ids;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

/// The directory of journals, under the store's root (a name no dataset
/// can have).
const JOURNAL_DIR: &str = ".journal";

/// One version of a commit: where its staging directory goes, and what
/// its metadata says.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct PlannedCommit {
    staging: PathBuf,
    version: PathBuf,
    meta: PathBuf,
    info: VersionInfo,
}

impl PlannedCommit {
    /// After the rename: the metadata, and the commit time as the
    /// directory's modification time (readers that order versions by time,
    /// like gwk plan, see the commit, not the job's last write). False when
    /// the metadata could not be written.
    fn finish(&self) -> bool {
        let json = serde_json::to_vec_pretty(&self.info).expect("version info serialises");
        let written = fsutil::write_atomic(&self.meta, &json).is_ok();
        if let Ok(d) = fs::File::open(&self.version) {
            let _ = d.set_modified(std::time::SystemTime::now());
        }
        written
    }
}

impl DatasetStore {
    /// Commits several staging directories as new versions, all or none
    /// (a job's dataset outputs). When a step fails before the commit is
    /// complete, the versions already renamed are moved back and every
    /// staging directory is discarded.
    pub fn commit_all(
        &self,
        stagings: Vec<(Staging, VersionSource)>,
    ) -> Result<Vec<VersionInfo>, DatasetError> {
        if stagings.is_empty() {
            return Ok(Vec::new());
        }
        let discard_all = |stagings: Vec<(Staging, VersionSource)>| {
            for (s, _) in stagings {
                self.discard(s);
            }
        };
        let planned: Vec<PlannedCommit> = match stagings
            .iter()
            .map(|(s, src)| self.plan_commit(s, src.clone()))
            .collect()
        {
            Ok(p) => p,
            Err(e) => {
                discard_all(stagings);
                return Err(e);
            }
        };
        let journal = match self.write_journal(&planned) {
            Ok(j) => j,
            Err(e) => {
                discard_all(stagings);
                return Err(e);
            }
        };
        test_pause("journal");
        for (i, p) in planned.iter().enumerate() {
            if let Err(e) = fs::rename(&p.staging, &p.version) {
                // Undo: nothing of this commit may stay visible.
                for r in planned[..i].iter().rev() {
                    let _ = fs::rename(&r.version, &r.staging);
                }
                discard_all(stagings);
                let _ = fs::remove_file(&journal);
                return Err(io_err(format!(
                    "cannot commit {} as {}",
                    p.staging.display(),
                    p.version.display()
                ))(e));
            }
            test_pause("rename");
        }
        let mut complete = true;
        for p in &planned {
            complete &= p.finish();
        }
        // Metadata that could not be written: the journal stays, and `gwk
        // gc` writes it once this process is gone (a version without its
        // metadata still counts meanwhile).
        if complete {
            let _ = fs::remove_file(&journal);
        }
        Ok(planned.into_iter().map(|p| p.info).collect())
    }

    /// Hashes a staging directory and decides the version it becomes.
    fn plan_commit(
        &self,
        staging: &Staging,
        source: VersionSource,
    ) -> Result<PlannedCommit, DatasetError> {
        let dir = self.dir(&staging.dataset)?;
        let summary = fsutil::hash_tree(&staging.path)
            .map_err(io_err(format!("cannot read {}", staging.path.display())))?;
        let id = ids::time_id();
        Ok(PlannedCommit {
            staging: staging.path.clone(),
            version: dir.join("versions").join(&id),
            meta: dir.join("meta").join(format!("{id}.json")),
            info: VersionInfo {
                dataset: staging.dataset.clone(),
                id,
                created: jiff::Timestamp::now().to_string(),
                hash: summary.hash,
                files: summary.files,
                bytes: summary.bytes,
                source,
                tags: Vec::new(),
            },
        })
    }

    fn journal_dir(&self) -> PathBuf {
        self.root().join(JOURNAL_DIR)
    }

    fn write_journal(&self, planned: &[PlannedCommit]) -> Result<PathBuf, DatasetError> {
        let dir = self.journal_dir();
        fs::create_dir_all(&dir).map_err(io_err(format!("cannot create {}", dir.display())))?;
        let path = dir.join(format!(
            "{}-{}.json",
            std::process::id(),
            ids::random_hex(4)
        ));
        let json = serde_json::to_vec_pretty(planned).expect("journal serialises");
        fsutil::write_atomic(&path, &json)
            .map_err(io_err(format!("cannot write {}", path.display())))?;
        Ok(path)
    }

    /// Journals of commits whose process is gone: to [`Self::recover`].
    pub fn interrupted_commits(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = fs::read_dir(self.journal_dir())
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .filter(|p| !writer_alive(p))
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// The staging directories named by journals (live or not): they are
    /// a commit's, not abandoned. A journal's temporary file (its atomic
    /// write cut short) is no journal: no commit started from it, and its
    /// writer's staging directories are kept while it lives by their pid.
    pub(super) fn journaled_staging(&self) -> Vec<PathBuf> {
        let Ok(rd) = fs::read_dir(self.journal_dir()) else {
            return Vec::new();
        };
        rd.flatten()
            .filter(|e| fsutil::temp_owner(&e.file_name().to_string_lossy()).is_none())
            .filter_map(|e| read_journal(&e.path()).ok())
            .flatten()
            .map(|p| p.staging)
            .collect()
    }

    /// Finishes or undoes an interrupted commit (see the module docs);
    /// returns true when it was finished (its versions exist now).
    pub fn recover(&self, journal: &Path) -> Result<bool, DatasetError> {
        let planned =
            read_journal(journal).map_err(io_err(format!("cannot read {}", journal.display())))?;
        let committed = planned.iter().any(|p| p.version.exists());
        for p in &planned {
            if committed {
                if !p.version.exists() {
                    fs::rename(&p.staging, &p.version).map_err(io_err(format!(
                        "cannot commit {} as {}",
                        p.staging.display(),
                        p.version.display()
                    )))?;
                }
                if !p.meta.exists() && !p.finish() {
                    return Err(io_err(format!("cannot write {}", p.meta.display()))(
                        std::io::Error::other("write failed"),
                    ));
                }
            } else if let Err(e) = fs::remove_dir_all(&p.staging)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                return Err(io_err(format!("cannot remove {}", p.staging.display()))(e));
            }
        }
        fs::remove_file(journal).map_err(io_err(format!("cannot remove {}", journal.display())))?;
        Ok(committed)
    }
}

fn read_journal(path: &Path) -> std::io::Result<Vec<PlannedCommit>> {
    let text = fs::read(path)?;
    serde_json::from_slice(&text)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Whether the process named at the start of a journal's file name lives.
fn writer_alive(journal: &Path) -> bool {
    journal
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('-').next())
        .and_then(|p| p.parse::<i32>().ok())
        .is_some_and(crate::process::alive)
}

/// A test-only fault injection point (debug builds only): with
/// `GWK_TEST_PAUSE_IN_COMMIT=<point>:<marker file>`, a commit reaching
/// `<point>` (`journal`: journal written, nothing renamed; `rename`: the
/// first version renamed) creates the marker file and stops there, so a
/// test can `kill -9` gwk inside the commit. Release builds have no such
/// hook.
fn test_pause(point: &str) {
    #[cfg(debug_assertions)]
    if let Ok(v) = std::env::var("GWK_TEST_PAUSE_IN_COMMIT")
        && let Some((p, marker)) = v.split_once(':')
        && p == point
    {
        let _ = fs::write(marker, point);
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = point;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::tests::store;

    #[test]
    fn commit_all_is_all_or_nothing() {
        let (_t, s) = store();
        let a = s.stage("a").unwrap();
        fs::write(a.path.join("x"), "a").unwrap();
        let b = s.stage("b").unwrap();
        fs::write(b.path.join("x"), "b").unwrap();
        let (a_path, b_path) = (a.path.clone(), b.path.clone());
        // `b` cannot be renamed into place: its versions/ is a file.
        fs::remove_dir(s.root().join("b/versions")).unwrap();
        fs::write(s.root().join("b/versions"), "").unwrap();
        let err = s
            .commit_all(vec![
                (a, VersionSource::default()),
                (b, VersionSource::default()),
            ])
            .unwrap_err();
        assert!(err.to_string().contains("cannot commit"), "{err}");
        assert!(s.version_ids("a").unwrap().is_empty(), "a was rolled back");
        assert_eq!(fs::read_dir(s.root().join("a/meta")).unwrap().count(), 0);
        assert!(!a_path.exists() && !b_path.exists(), "staging discarded");

        // A staging directory that cannot be read fails before any rename.
        let a = s.stage("a").unwrap();
        let gone = s.stage("a").unwrap();
        fs::remove_dir(&gone.path).unwrap();
        assert!(
            s.commit_all(vec![
                (a, VersionSource::default()),
                (gone, VersionSource::default()),
            ])
            .is_err()
        );
        assert!(s.version_ids("a").unwrap().is_empty());
        assert_eq!(fs::read_dir(s.root().join("a/staging")).unwrap().count(), 0);

        let a = s.stage("a").unwrap();
        let c = s.stage("c").unwrap();
        let vs = s
            .commit_all(vec![
                (a, VersionSource::default()),
                (c, VersionSource::default()),
            ])
            .unwrap();
        assert_eq!(s.version_ids("a").unwrap(), [vs[0].id.clone()]);
        assert_eq!(s.version_info("c", &vs[1].id).unwrap(), vs[1]);
    }

    /// A journal as a killed process leaves it: planned, written, with
    /// `renamed` of its versions already renamed into place.
    fn interrupted(s: &DatasetStore, renamed: usize) -> (PathBuf, Vec<PlannedCommit>) {
        let mut planned = Vec::new();
        for name in ["a", "b"] {
            s.ensure(name).unwrap();
            let dead = s.root().join(name).join("staging/999999999-abcd");
            fs::create_dir_all(&dead).unwrap();
            fs::write(dead.join("f"), name).unwrap();
            let st = Staging {
                dataset: name.into(),
                path: dead,
            };
            planned.push(s.plan_commit(&st, VersionSource::default()).unwrap());
        }
        let journal = s.write_journal(&planned).unwrap();
        let dead_name = s.journal_dir().join("999999999-abcd.json");
        fs::rename(&journal, &dead_name).unwrap();
        for p in &planned[..renamed] {
            fs::rename(&p.staging, &p.version).unwrap();
        }
        (dead_name, planned)
    }

    /// gwk killed while writing the journal's temporary file: the
    /// temporary, whole as JSON, protects nothing, so one gc pass removes
    /// both it and the staging directories it names.
    #[test]
    fn a_journal_cut_short_in_its_temporary_protects_nothing() {
        let (_t, s) = store();
        let (journal, planned) = interrupted(&s, 0);
        let temp = s
            .journal_dir()
            .join(".999999999-abcd.json.tmp-999999999-abc123");
        fs::rename(&journal, &temp).unwrap();
        assert!(s.interrupted_commits().is_empty());
        let mut expected: Vec<PathBuf> = planned.iter().map(|p| p.staging.clone()).collect();
        expected.sort();
        assert_eq!(s.abandoned_staging(), expected);
        let home = s.root().parent().unwrap();
        assert!(crate::gc::stale_temporaries(home).contains(&temp));
    }

    #[test]
    fn an_interrupted_commit_past_its_first_rename_is_finished() {
        let (_t, s) = store();
        let (journal, planned) = interrupted(&s, 1);
        assert_eq!(s.interrupted_commits(), std::slice::from_ref(&journal));
        assert!(s.abandoned_staging().is_empty(), "its staging is journaled");
        assert!(s.recover(&journal).unwrap());
        for p in &planned {
            let id = &p.info.id;
            assert_eq!(
                s.version_ids(&p.info.dataset).unwrap(),
                std::slice::from_ref(id)
            );
            assert_eq!(s.version_info(&p.info.dataset, id).unwrap(), p.info);
            assert!(p.meta.exists());
        }
        assert!(s.interrupted_commits().is_empty());
        assert!(!journal.exists());
    }

    #[test]
    fn an_interrupted_commit_before_its_first_rename_is_undone() {
        let (_t, s) = store();
        let (journal, planned) = interrupted(&s, 0);
        assert!(!s.recover(&journal).unwrap());
        for p in &planned {
            assert!(s.version_ids(&p.info.dataset).unwrap().is_empty());
            assert!(!p.staging.exists() && !p.meta.exists());
        }
        assert!(!journal.exists());
    }

    #[test]
    fn a_live_commit_is_not_interrupted_and_leaves_no_journal() {
        let (_t, s) = store();
        let st = s.stage("d").unwrap();
        s.commit(st, VersionSource::default()).unwrap();
        assert_eq!(fs::read_dir(s.journal_dir()).unwrap().count(), 0);
        fs::write(
            s.journal_dir()
                .join(format!("{}-x.json", std::process::id())),
            "[]",
        )
        .unwrap();
        assert!(s.interrupted_commits().is_empty());
    }
}
