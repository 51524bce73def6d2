//! Clean-up of what runs leave when gwk dies (`kill -9`, a crash, a lost
//! machine): containers whose run is no longer alive, staging directories
//! of dataset versions never committed, and run records still marked
//! running. `gwk gc` does it (or lists it with `--dry-run`); every
//! `gwk run` sweeps such leftovers when it starts.
//!
//! A run is alive while its `lock` file names a live process. Containers
//! carry `gwk.home=<GWK_HOME>`, so a sweep only ever touches containers of
//! runs from its own state directory.

use crate::datasets::DatasetStore;
use crate::docker::{Engine, LABEL_HOME, LABEL_RUN};
use crate::events::{JobStatus, RunStatus};
use crate::rundir::{RunDir, run_ids};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Leftovers {
    /// (container name, run id).
    pub containers: Vec<(String, String)>,
    pub staging: Vec<PathBuf>,
    /// Runs recorded as running whose gwk is gone.
    pub stale_runs: Vec<String>,
    /// Why the engine could not be asked, if it could not.
    pub engine_error: Option<String>,
}

impl Leftovers {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.staging.is_empty() && self.stale_runs.is_empty()
    }
}

/// The value of the `gwk.home` label for a state directory.
pub fn home_label(home: &Path) -> String {
    std::path::absolute(home)
        .unwrap_or_else(|_| home.to_path_buf())
        .display()
        .to_string()
}

fn run_alive(home: &Path, run: &str) -> bool {
    RunDir::open(home, run).is_some_and(|d| d.live_owner().is_some())
        // A run directory being created has no record yet, but its lock.
        || {
            let dir = RunDir::runs_root(home).join(run);
            std::fs::read_to_string(dir.join("lock"))
                .ok()
                .and_then(|p| p.trim().parse::<i32>().ok())
                .is_some_and(crate::process::alive)
        }
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
                    let owner_alive = labels
                        .get(crate::docker::LABEL_PID)
                        .and_then(|p| p.parse::<i32>().ok())
                        .is_some_and(crate::process::alive);
                    if !run_alive(home, &run) && !owner_alive {
                        out.containers.push((name, run));
                    }
                }
            }
            Err(e) => out.engine_error = Some(e.to_string()),
        },
        Err(e) => out.engine_error = Some(e.to_string()),
    }
    out.staging = DatasetStore::new(home).abandoned_staging();
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
    for p in &l.staging {
        if let Err(e) = std::fs::remove_dir_all(p)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            errors.push(format!("cannot remove {}: {e}", p.display()));
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

/// The sweep at the start of `gwk run`: quiet, and never fatal.
pub async fn sweep_quietly(home: &Path, docker_host: Option<&str>) {
    let l = find(home, docker_host).await;
    if !l.is_empty() {
        let _ = remove(home, docker_host, &l).await;
    }
}
