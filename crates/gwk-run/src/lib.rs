//! gwk-run: run a Gradient workflow's plan on the local Docker engine.
//!
//! [`runner::run`] takes a [`job::RunInput`] (the plan's jobs with
//! everything decided) and runs it: each job in its own container (or the
//! host's `git` for `git-checkout@v1`), data passed through `/inputs` and
//! `/outputs`, dataset outputs committed to the local [`datasets`] store
//! only when their job succeeds, everything recorded under
//! `$GWK_HOME/runs/<id>/` ([`rundir`]) and reported as [`events`].

pub mod cache;
pub mod datasets;
pub mod docker;
pub mod events;
mod exec;
mod executor;
pub mod fsutil;
pub mod gc;
mod git;
pub mod gpu;
pub mod ids;
pub mod job;
pub mod models;
pub mod process;
pub mod redact;
pub mod rundir;
pub mod runner;
mod s3;
mod scheduler;
pub mod why;

pub use docker::{Control, Engine, EngineError, PullPolicy};
pub use events::{Event, EventSink, JobStatus, RunStatus};
pub use job::{ActionSpec, InputSource, JobSpec, OutputKind, OutputSpec, RunInput};
pub use runner::{FailureHook, RunError, RunOptions, RunSummary, run};
