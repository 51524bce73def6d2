//! Clean-up of what runs leave when gwk dies (`kill -9`, a crash, a lost
//! machine): containers whose run is no longer alive (GPU probes
//! included), dataset commits cut short (finished or undone), staging
//! directories of dataset versions never committed, temporaries of atomic
//! writes, metadata without its version, and run records still marked
//! running. `gwk gc` does it (or lists it with `--dry-run`); every
//! `gwk run` sweeps such leftovers when it starts.
//!
//! A run is alive while its `lock` file names a live process. Containers
//! carry `gwk.home=<GWK_HOME>`, so a sweep only ever touches containers of
//! runs from its own state directory.

use crate::datasets::DatasetStore;
use crate::docker::{Engine, LABEL_HOME, LABEL_PID, LABEL_PID_START, LABEL_RUN};
use crate::events::{JobStatus, RunStatus};
use crate::process::Owner;
use crate::rundir::{RunDir, run_ids};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Leftovers {
    /// (container name, run id).
    pub containers: Vec<(String, String)>,
    /// Journals of dataset commits whose gwk died (finished or undone).
    pub commits: Vec<PathBuf>,
    pub staging: Vec<PathBuf>,
    /// Temporaries of atomic writes whose writer is gone.
    pub temporaries: Vec<PathBuf>,
    /// Dataset metadata files without their version.
    pub orphan_meta: Vec<PathBuf>,
    /// Runs recorded as running whose gwk is gone.
    pub stale_runs: Vec<String>,
    /// Finished runs the retention settings let go ([`expired_runs`]).
    pub expired_runs: Vec<String>,
    /// Why the engine could not be asked, if it could not.
    pub engine_error: Option<String>,
}

impl Leftovers {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty()
            && self.commits.is_empty()
            && self.staging.is_empty()
            && self.temporaries.is_empty()
            && self.orphan_meta.is_empty()
            && self.stale_runs.is_empty()
            && self.expired_runs.is_empty()
    }
}

/// The value of the `gwk.home` label for a state directory.
pub fn home_label(home: &Path) -> String {
    std::path::absolute(home)
        .unwrap_or_else(|_| home.to_path_buf())
        .display()
        .to_string()
}

/// A run is alive while its lock names a live gwk (a run directory being
/// created has its lock before its record).
fn run_alive(home: &Path, run: &str) -> bool {
    crate::ids::is_safe_name(run)
        && crate::rundir::live_lock_owner(&RunDir::runs_root(home).join(run).join("lock")).is_some()
}

/// The gwk that created a container, from its `gwk.pid` and
/// `gwk.pid-start` labels.
fn container_owner(labels: &std::collections::HashMap<String, String>) -> Option<Owner> {
    Some(Owner {
        pid: labels.get(LABEL_PID)?.parse().ok()?,
        start: labels.get(LABEL_PID_START).and_then(|s| s.parse().ok()),
    })
}

/// What a clean-up would remove.
pub async fn find(home: &Path, docker_host: Option<&str>) -> Leftovers {
    let mut out = Leftovers::default();
    match Engine::connect(docker_host).await {
        Ok(engine) => match engine.gwk_containers().await {
            Ok(list) => {
                let mine = home_label(home);
                for (name, labels) in list {
                    if labels.get(LABEL_HOME) != Some(&mine) {
                        continue;
                    }
                    let run = labels.get(LABEL_RUN).cloned().unwrap_or_default();
                    let owner_alive = container_owner(&labels).is_some_and(|o| o.alive());
                    if !run_alive(home, &run) && !owner_alive {
                        out.containers.push((name, run));
                    }
                }
            }
            Err(e) => out.engine_error = Some(e.to_string()),
        },
        Err(e) => out.engine_error = Some(e.to_string()),
    }
    let store = DatasetStore::new(home);
    out.commits = store.interrupted_commits();
    out.staging = store.abandoned_staging();
    out.orphan_meta = store.orphan_meta();
    out.temporaries = stale_temporaries(home);
    for id in run_ids(home) {
        if let Some(dir) = RunDir::open(home, &id)
            && let Ok(r) = dir.read_record()
            && r.status == RunStatus::Running
            && dir.live_owner().is_none()
        {
            out.stale_runs.push(id);
        }
    }
    out
}

/// Removes the leftovers; returns what could not be removed.
pub async fn remove(home: &Path, docker_host: Option<&str>, l: &Leftovers) -> Vec<String> {
    let mut errors = Vec::new();
    if !l.containers.is_empty() {
        match Engine::connect(docker_host).await {
            Ok(engine) => {
                for (name, _) in &l.containers {
                    if let Err(e) = engine.remove_container(name).await {
                        errors.push(e.to_string());
                    }
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    // Commits first: they need their staging directories.
    let store = DatasetStore::new(home);
    for j in &l.commits {
        if let Err(e) = store.recover(j) {
            errors.push(format!("cannot recover the commit {}: {e}", j.display()));
        }
    }
    for p in &l.staging {
        if let Err(e) = std::fs::remove_dir_all(p)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            errors.push(format!("cannot remove {}: {e}", p.display()));
        }
    }
    for p in l.temporaries.iter().chain(&l.orphan_meta) {
        if let Err(e) = std::fs::remove_file(p)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            errors.push(format!("cannot remove {}: {e}", p.display()));
        }
    }
    for id in &l.expired_runs {
        if let Some(dir) = RunDir::open(home, id)
            && let Err(e) = crate::rundir::remove_run(&dir)
        {
            errors.push(format!("cannot remove run {id}: {e}"));
        }
    }
    for id in &l.stale_runs {
        if let Some(dir) = RunDir::open(home, id)
            && let Ok(mut r) = dir.read_record()
        {
            r.status = RunStatus::Cancelled;
            r.finished.get_or_insert_with(crate::events::now);
            for j in &mut r.jobs {
                if !j.status.is_done() {
                    j.status = JobStatus::Cancelled;
                    j.message =
                        Some("gwk stopped before the job finished (found by gwk gc)".into());
                }
            }
            if let Err(e) = dir.write_record(&r) {
                errors.push(format!("cannot update run {id}: {e}"));
            }
            dir.unlock();
        }
    }
    errors
}

/// How many finished runs `gwk gc` keeps, and for how long.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// Keep the newest N finished runs.
    pub keep_runs: Option<usize>,
    /// Keep finished runs started less than this many days ago.
    pub keep_days: Option<u64>,
}

/// Finished runs (not running, and whose gwk is gone) beyond the newest
/// `keep_runs` or started more than `keep_days` ago, newest first. A run
/// recorded as running is never expired (gc marks it cancelled first; the
/// next gc may expire it).
pub fn expired_runs(home: &Path, r: &Retention) -> Vec<String> {
    if r.keep_runs.is_none() && r.keep_days.is_none() {
        return Vec::new();
    }
    let now = jiff::Timestamp::now();
    let mut kept = 0usize;
    let mut out = Vec::new();
    for id in run_ids(home) {
        let Some(dir) = RunDir::open(home, &id) else {
            continue;
        };
        let Ok(rec) = dir.read_record() else {
            continue;
        };
        if rec.status == RunStatus::Running || dir.live_owner().is_some() {
            continue;
        }
        let too_old = r.keep_days.is_some_and(|days| {
            rec.started
                .parse::<jiff::Timestamp>()
                .is_ok_and(|t| now.duration_since(t).as_secs() > days as i64 * 86_400)
        });
        let too_many = r.keep_runs.is_some_and(|n| kept >= n);
        if too_old || too_many {
            out.push(id);
        } else {
            kept += 1;
        }
    }
    out
}

/// Temporaries of [`crate::fsutil::write_atomic`] whose writer is gone, in
/// the directories gwk writes that way: run directories, the dataset
/// store's metadata, tags and journal, the cache and the model registry.
/// (Never inside a dataset version or a job's outputs: those hold the
/// user's files.)
pub fn stale_temporaries(home: &Path) -> Vec<PathBuf> {
    let subdirs = |dir: PathBuf| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut dirs = vec![
        home.join("cache"),
        home.join("models"),
        home.join("datasets/.journal"),
        home.join("datasets/.holds"),
    ];
    dirs.extend(subdirs(RunDir::runs_root(home)));
    for d in subdirs(home.join("datasets")) {
        dirs.push(d.join("meta"));
        dirs.push(d.join("tags"));
    }
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if crate::fsutil::temp_owner(&name).is_some_and(|pid| !crate::process::alive(pid)) {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// The sweep at the start of `gwk run`: quiet, and never fatal.
pub async fn sweep_quietly(home: &Path, docker_host: Option<&str>) {
    let l = find(home, docker_host).await;
    if !l.is_empty() {
        let _ = remove(home, docker_host, &l).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A pid no process has (above Linux's pid_max).
    const DEAD: i32 = 999_999_999;

    /// Retention: the newest N finished runs, or those younger than D
    /// days, stay; a running run is never expired; removal leaves no
    /// directory behind.
    #[tokio::test]
    async fn retention_expires_old_finished_runs_only() {
        use crate::rundir::{JobRecord, RunRecord};
        let t = tempfile::tempdir().unwrap();
        let home = t.path();
        let record = |id: &str, status: RunStatus, started: &str| {
            let dir = RunDir::create(home, id).unwrap();
            dir.write_record(&RunRecord {
                id: id.into(),
                file: "wf.yaml".into(),
                status,
                started: started.into(),
                finished: None,
                duration_secs: None,
                resumed_from: None,
                triggered_by: None,
                jobs: vec![JobRecord::new("a")],
            })
            .unwrap();
            dir
        };
        let old = "2020-01-01T00:00:00Z";
        let now = crate::events::now();
        record("r1", RunStatus::Succeeded, old);
        record("r2", RunStatus::Failed, old);
        let live = record("r3", RunStatus::Running, old);
        live.lock().unwrap();
        record("r4", RunStatus::Succeeded, &now);
        let none = Retention::default();
        assert!(
            expired_runs(home, &none).is_empty(),
            "no setting, no expiry"
        );
        let two = Retention {
            keep_runs: Some(2),
            keep_days: None,
        };
        assert_eq!(expired_runs(home, &two), ["r1"]);
        let week = Retention {
            keep_runs: None,
            keep_days: Some(7),
        };
        assert_eq!(expired_runs(home, &week), ["r2", "r1"]);
        let l = Leftovers {
            expired_runs: expired_runs(home, &week),
            ..Default::default()
        };
        assert!(
            remove(home, Some("unix:///nonexistent"), &l)
                .await
                .is_empty()
        );
        assert_eq!(run_ids(home), ["r4", "r3"]);
        assert!(!home.join("runs/.removing-r1").exists());
        live.unlock();
    }

    #[tokio::test]
    async fn finds_and_removes_what_a_killed_gwk_leaves_in_the_home() {
        let t = tempfile::tempdir().unwrap();
        let home = t.path();
        let store = DatasetStore::new(home);
        let st = store.stage("d").unwrap();
        fs::write(st.path.join("f"), "x").unwrap();
        let v = store.commit(st, Default::default()).unwrap();
        let run = home.join("runs/r1");
        fs::create_dir_all(&run).unwrap();
        let dead_tmp = |dir: &Path, name: &str| {
            let p = dir.join(format!(".{name}.tmp-{DEAD}-a1b2c3"));
            fs::create_dir_all(dir).unwrap();
            fs::write(&p, "half").unwrap();
            p
        };
        let mut temporaries = vec![
            dead_tmp(&run, "run.json"),
            dead_tmp(&home.join("datasets/d/meta"), "x.json"),
            dead_tmp(&home.join("datasets/d/tags"), "gold"),
            dead_tmp(&home.join("cache"), "k.json"),
            dead_tmp(&home.join("models"), "m.json"),
        ];
        temporaries.sort();
        // Not leftovers: a live writer's temporary, and a user's file that
        // looks like one inside a version.
        let live = run.join(format!(".run.json.tmp-{}-abcdef", std::process::id()));
        fs::write(&live, "").unwrap();
        let version = home.join("datasets/d/versions").join(&v.id);
        let users = version.join(format!(".f.tmp-{DEAD}-ab"));
        fs::write(&users, "").unwrap();
        let orphan = home.join("datasets/d/meta/20200101-000000-000-abcdef.json");
        fs::write(&orphan, "{}").unwrap();

        let l = find(home, Some("unix:///nonexistent/docker.sock")).await;
        assert!(l.engine_error.is_some());
        assert_eq!(l.temporaries, temporaries);
        assert_eq!(l.orphan_meta, std::slice::from_ref(&orphan));
        assert!(remove(home, None, &l).await.is_empty());
        assert!(temporaries.iter().all(|p| !p.exists()) && !orphan.exists());
        assert!(live.exists() && users.exists());
        assert!(
            home.join("datasets/d/meta")
                .join(format!("{}.json", v.id))
                .exists()
        );
        assert!(
            find(home, Some("unix:///nonexistent/docker.sock"))
                .await
                .is_empty()
        );
    }
}
