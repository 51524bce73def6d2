//! A run's directory, `$GWK_HOME/runs/<id>/`, and its record `run.json`.
//!
//! ```text
//! run.json        the record: status, times, each job's status, exit code, outputs
//! spec.yaml       the workflow file as it ran
//! plan.json       the plan that ran
//! events.jsonl    every event of the run (secrets masked)
//! lock            `<pid> <start time>` of the gwk that runs it, while it runs
//! jobs/<job>/log          the job's output (stdout and stderr, secrets masked)
//! jobs/<job>/outputs/     mounted at /outputs: volumes (directories), strings (files)
//! jobs/<job>/inputs/<name>   string inputs given to the job, as files
//! ```

use crate::events::{JobStatus, RunStatus};
use crate::fsutil;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OutputRecord {
    pub name: String,
    /// `volume`, `string` or `dataset`.
    pub kind: String,
    /// Where the content is on the host.
    pub path: String,
    /// Content hash (`sha256:...`), for resume and the cache.
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// A string output's value (secrets masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    pub name: String,
    pub status: JobStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gpus: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(default)]
    pub outputs: Vec<OutputRecord>,
    /// The cache key this job ran with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_key: Option<String>,
    /// The readable parts of that key (why.rs), to tell what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_parts: Option<crate::why::KeyRecord>,
    /// Why it ran or did not, in one line (`ran: the script changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The earlier run it was compared with to find `reason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compared_with: Option<String>,
}

impl JobRecord {
    pub fn new(name: &str) -> JobRecord {
        JobRecord {
            name: name.to_string(),
            status: JobStatus::Pending,
            exit_code: None,
            started: None,
            finished: None,
            duration_secs: None,
            message: None,
            gpus: Vec::new(),
            container: None,
            outputs: Vec::new(),
            cache_key: None,
            key_parts: None,
            reason: None,
            compared_with: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: String,
    pub file: String,
    pub status: RunStatus,
    pub started: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_secs: Option<f64>,
    /// The run this one resumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumed_from: Option<String>,
    /// The pushed ref, when `gwk trigger` started the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggered_by: Option<String>,
    pub jobs: Vec<JobRecord>,
}

impl RunRecord {
    pub fn job(&self, name: &str) -> Option<&JobRecord> {
        self.jobs.iter().find(|j| j.name == name)
    }

    pub fn job_mut(&mut self, name: &str) -> Option<&mut JobRecord> {
        self.jobs.iter_mut().find(|j| j.name == name)
    }
}

/// A directory name for a job (job names are free text in a spec).
pub fn job_dir_name(job: &str) -> String {
    job.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[derive(Clone, Debug)]
pub struct RunDir {
    pub id: String,
    pub path: PathBuf,
}

impl RunDir {
    pub fn runs_root(home: &Path) -> PathBuf {
        home.join("runs")
    }

    /// Creates the directory of a new run.
    pub fn create(home: &Path, id: &str) -> io::Result<RunDir> {
        let path = Self::runs_root(home).join(id);
        fs::create_dir_all(path.join("jobs"))?;
        Ok(RunDir {
            id: id.to_string(),
            path,
        })
    }

    /// An existing run's directory.
    pub fn open(home: &Path, id: &str) -> Option<RunDir> {
        if !crate::ids::is_safe_name(id) {
            return None;
        }
        let path = Self::runs_root(home).join(id);
        path.join("run.json").is_file().then(|| RunDir {
            id: id.to_string(),
            path,
        })
    }

    /// The `$GWK_HOME` this run belongs to.
    pub fn home(&self) -> &Path {
        self.path
            .parent()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."))
    }

    pub fn record_path(&self) -> PathBuf {
        self.path.join("run.json")
    }

    pub fn lock_path(&self) -> PathBuf {
        self.path.join("lock")
    }

    pub fn job_dir(&self, job: &str) -> PathBuf {
        self.path.join("jobs").join(job_dir_name(job))
    }

    pub fn job_log(&self, job: &str) -> PathBuf {
        self.job_dir(job).join("log")
    }

    pub fn job_outputs(&self, job: &str) -> PathBuf {
        self.job_dir(job).join("outputs")
    }

    pub fn events_path(&self) -> PathBuf {
        self.path.join("events.jsonl")
    }

    pub fn write_record(&self, record: &RunRecord) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(record).expect("record serialises");
        fsutil::write_atomic(&self.record_path(), &json)
    }

    pub fn read_record(&self) -> io::Result<RunRecord> {
        let text = fs::read_to_string(self.record_path())?;
        serde_json::from_str(&text).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// Marks the run as alive: the lock file holds this process's pid and
    /// start time (process.rs).
    pub fn lock(&self) -> io::Result<()> {
        fs::write(self.lock_path(), crate::process::Owner::current().to_line())
    }

    pub fn unlock(&self) {
        let _ = fs::remove_file(self.lock_path());
    }

    /// The pid holding the lock, when its process is alive (and is the
    /// one that took the lock, not a process that got its pid since).
    pub fn live_owner(&self) -> Option<i32> {
        live_lock_owner(&self.lock_path())
    }
}

/// The pid holding the lock file at `path`, when that process is alive.
pub fn live_lock_owner(path: &Path) -> Option<i32> {
    let owner = crate::process::Owner::parse(&fs::read_to_string(path).ok()?)?;
    owner.alive().then_some(owner.pid)
}

/// Removes a run's directory (`gwk runs rm`, retention in `gwk gc`),
/// refused while the run lives. The directory is first renamed aside
/// (`runs/.removing-<id>`), so nobody sees a half-removed run.
pub fn remove_run(dir: &RunDir) -> io::Result<()> {
    if let Some(pid) = dir.live_owner() {
        return Err(io::Error::other(format!(
            "run {} is still running (gwk pid {pid}); cancel it first",
            dir.id
        )));
    }
    let aside = dir.path.with_file_name(format!(".removing-{}", dir.id));
    fs::rename(&dir.path, &aside)?;
    fs::remove_dir_all(&aside)
}

/// Every run id under `$GWK_HOME/runs`, newest first.
pub fn run_ids(home: &Path) -> Vec<String> {
    let mut ids: Vec<String> = fs::read_dir(RunDir::runs_root(home))
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| crate::ids::is_safe_name(n))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids.reverse();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_whose_pid_was_reused_has_no_live_owner() {
        let t = tempfile::tempdir().unwrap();
        let dir = RunDir::create(t.path(), "r1").unwrap();
        assert_eq!(dir.live_owner(), None, "no lock yet");
        dir.lock().unwrap();
        let me = std::process::id() as i32;
        assert_eq!(dir.live_owner(), Some(me));
        let line = fs::read_to_string(dir.lock_path()).unwrap();
        let start: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        // This pid, but a process that started at another time: the gwk
        // that took the lock is gone and its pid went to someone else.
        fs::write(dir.lock_path(), format!("{me} {}\n", start + 1)).unwrap();
        assert_eq!(dir.live_owner(), None);
        // A lock of an older gwk (pid only) still counts by pid.
        fs::write(dir.lock_path(), format!("{me}\n")).unwrap();
        assert_eq!(dir.live_owner(), Some(me));
        dir.unlock();
        assert_eq!(dir.live_owner(), None);
    }
}
