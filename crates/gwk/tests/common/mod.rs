//! Helpers of the `gwk run` tests: the Docker test environment, a scratch
//! GWK_HOME, running gwk, reading run records, and checking that a run
//! left no container behind.
#![allow(dead_code)]

pub use gwk_test_support::docker::test_env;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Env {
    pub vars: HashMap<String, String>,
    pub dir: tempfile::TempDir,
}

impl Env {
    /// `None` (after saying why) when the Docker test environment is down.
    pub fn new() -> Option<Env> {
        Some(Env {
            vars: test_env()?,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    pub fn docker_host(&self) -> &str {
        &self.vars["GWK_TEST_DOCKER_HOST"]
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Writes a workflow file into the scratch directory.
    pub fn workflow(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// `gwk ARGS` with this GWK_HOME and the test engine.
    pub fn gwk(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_gwk"));
        c.env("GWK_HOME", self.home())
            .env("DOCKER_HOST", self.docker_host())
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path());
        c
    }

    /// `gwk run FILE --network none ARGS...`, its output, and the record
    /// of the run it made (if any).
    pub fn run(&self, file: &Path, args: &[&str]) -> (Output, Option<serde_json::Value>) {
        let before = self.run_ids();
        let out = self
            .gwk()
            .arg("run")
            .arg(file)
            .args(["--network", "none"])
            .args(args)
            .output()
            .unwrap();
        let new: Vec<String> = self
            .run_ids()
            .into_iter()
            .filter(|id| !before.contains(id))
            .collect();
        let record = new.first().map(|id| self.record(id));
        if let Some(r) = &record {
            assert_no_containers(self.docker_host(), r["id"].as_str().unwrap());
        }
        (out, record)
    }

    pub fn run_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = std::fs::read_dir(self.home().join("runs"))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids
    }

    pub fn record(&self, id: &str) -> serde_json::Value {
        let text =
            std::fs::read_to_string(self.home().join("runs").join(id).join("run.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    pub fn run_dir(&self, id: &str) -> PathBuf {
        self.home().join("runs").join(id)
    }
}

/// Runs git in `dir` (with a committer identity), failing the test with
/// git's message when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@t"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn job<'a>(record: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    record["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == name)
        .unwrap_or_else(|| panic!("no job {name} in {record:#}"))
}

pub fn status<'a>(record: &'a serde_json::Value, name: &str) -> &'a str {
    job(record, name)["status"].as_str().unwrap()
}

/// A string output's value.
pub fn string_output(record: &serde_json::Value, job_name: &str, output: &str) -> String {
    job(record, job_name)["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == output)
        .and_then(|o| o["value"].as_str())
        .unwrap_or_else(|| panic!("no string output {job_name}.{output}"))
        .to_string()
}

/// Containers carrying `gwk.run=<id>` on the engine at `host`.
pub fn containers_of_run(host: &str, run_id: &str) -> Vec<String> {
    let out = Command::new("docker")
        .args(["-H", host, "ps", "-a", "--format", "{{.Names}}", "--filter"])
        .arg(format!("label=gwk.run={run_id}"))
        .output()
        .expect("docker CLI");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

pub fn assert_no_containers(host: &str, run_id: &str) {
    let left = containers_of_run(host, run_id);
    assert!(left.is_empty(), "run {run_id} left containers: {left:?}");
}

/// Every file under `dir`.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.file_type().unwrap().is_dir() {
                out.extend(files_under(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

/// RFC 3339 to seconds since the epoch.
pub fn secs(t: &serde_json::Value) -> f64 {
    let ts: jiff::Timestamp = t.as_str().unwrap().parse().unwrap();
    ts.as_millisecond() as f64 / 1000.0
}

/// Whether `gwk run` printed `line` as output of `job` (`job | line`, the
/// job name padded).
pub fn logged(out: &str, job: &str, line: &str) -> bool {
    out.lines().any(|l| {
        l.split_once(" | ")
            .is_some_and(|(j, rest)| j.trim() == job && rest == line)
    })
}
