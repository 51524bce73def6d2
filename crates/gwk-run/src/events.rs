//! What happens during a run, as events: the human view, the JSON-lines
//! stream (`--events json`) and the run's `events.jsonl` all read these.

use serde::Serialize;

/// Version of the event format; bumped when a field changes meaning.
pub const EVENTS_SCHEMA: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Pending,
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Cancelled,
    Skipped,
    Cached,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::TimedOut => "timed_out",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Skipped => "skipped",
            JobStatus::Cached => "cached",
        }
    }

    /// Its outputs can be used by the jobs that need it.
    pub fn is_success(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Cached)
    }

    pub fn is_done(self) -> bool {
        !matches!(self, JobStatus::Pending | JobStatus::Running)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Before anything runs; `jobs` in file order.
    RunStarted {
        schema: u32,
        run_id: String,
        file: String,
        run_dir: String,
        jobs: Vec<String>,
        time: String,
    },
    /// Progress of an image pull (bytes over all layers).
    ImagePull {
        image: String,
        current: u64,
        total: u64,
        status: String,
    },
    /// An image is on the host (`pulled`: it was pulled now).
    ImageReady { image: String, pulled: bool },
    /// A job waits for its needs, a free slot or GPUs.
    JobQueued { job: String, time: String },
    JobStarted {
        job: String,
        time: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        container: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        gpus: Vec<String>,
        /// Why it runs (not from the cache): `ran: the script changed`.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// One line of a job's output (stdout or stderr), secrets masked.
    Log {
        job: String,
        stream: &'static str,
        line: String,
    },
    /// An output was produced and kept (a dataset version committed, a
    /// volume or string written).
    OutputCommitted {
        job: String,
        output: String,
        kind: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        dataset: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        value: Option<String>,
        hash: String,
    },
    JobFinished {
        job: String,
        status: JobStatus,
        #[serde(skip_serializing_if = "Option::is_none")]
        exit_code: Option<i64>,
        duration_secs: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        time: String,
    },
    /// Something the user should know that does not stop the run.
    Warning { message: String },
    RunFinished {
        run_id: String,
        status: RunStatus,
        duration_secs: f64,
        time: String,
    },
}

/// Where events go. Called from several tasks; must not block for long.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: &Event);
}

/// Drops every event (for library callers that only want the summary).
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&self, _: &Event) {}
}

/// RFC 3339 time now, UTC, to the millisecond.
pub fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Millisecond)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
