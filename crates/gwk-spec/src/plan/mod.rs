//! The dry-run plan: what a run of a workflow would do, job by job, without
//! running anything.
//!
//! [`plan`] turns a checked workflow, the run's options (input values,
//! dataset overrides, which secrets have a value, the push event) and a
//! [`DatasetResolver`] into a [`Plan`]. `gwk plan` prints it, `gwk run`
//! executes it, `gwk export argo` translates it: the plan a user reads is
//! the plan that runs.
//!
//! The plan never holds a secret's value: a secret is always
//! [`Value::Secret`] with its name, and the caller keeps the values apart.
//!
//! The JSON form (serde) is a stable, documented contract (docs/plan.md):
//! fields are only ever added, and `version` changes if one ever has to
//! change meaning.

mod build;
mod dataset;
mod secrets;
mod trigger;

pub use build::{PlanError, SCRIPT_SHELL, env_suffix, plan};
pub use dataset::{
    DatasetRef, DatasetResolution, DatasetResolver, DatasetUse, MemoryResolver, NoStore,
    check_dataset_name, check_dataset_ref, parse_dataset_ref,
};
pub use secrets::Secrets;
pub use trigger::{evaluate_trigger, glob_match};

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The version of the plan's JSON form.
pub const PLAN_VERSION: u32 = 1;

/// What the caller knows beyond the file.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// Values of workflow string inputs (`--input NAME=VALUE`).
    pub inputs: BTreeMap<String, String>,
    /// Dataset overrides (`--dataset NAME=REF`): NAME is a workflow input
    /// (`data`) or a job's inline input (`Train.data`); REF a dataset
    /// reference (`name`, `name:version`, `name:tag`, `name:latest`).
    pub datasets: BTreeMap<String, String>,
    /// The names of the secrets that have a value (never the values).
    pub secrets: BTreeSet<String>,
    /// The event to evaluate the `on` trigger against; `None` when the run
    /// is started by hand.
    pub event: Option<Event>,
    /// What `context.event.github.url` resolves to, when the caller knows
    /// (given on the command line, or read from the local git repository).
    /// The file's own `context.event.github.url` wins over a value read
    /// from git, but not over one given on the command line.
    pub github_url: Option<Resolved>,
    /// Same for `context.event.github.ref`.
    pub github_ref: Option<Resolved>,
}

/// An event that may start the workflow. Gradient only has GitHub pushes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Always `push`.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// The pushed ref: `refs/heads/main`, `refs/tags/v1.0`; a bare name
    /// is taken as a branch.
    #[serde(rename = "ref")]
    pub git_ref: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Push,
}

/// A value the caller resolved, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolved {
    pub value: String,
    /// For people: `--github-url`, `the file's context block`,
    /// `git remote origin`, `git HEAD`, ...
    pub source: String,
}

impl Resolved {
    pub fn new(value: impl Into<String>, source: impl Into<String>) -> Resolved {
        Resolved {
            value: value.into(),
            source: source.into(),
        }
    }
}

/// The dry-run plan of one workflow.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// [`PLAN_VERSION`].
    pub version: u32,
    /// Job names by stage: stage N holds the jobs whose longest chain of
    /// `needs` has N jobs before them (the earliest moment each can start).
    /// Jobs in a stage are in file order.
    pub stages: Vec<Vec<String>>,
    /// Every job, in stage order, file order within a stage.
    pub jobs: Vec<JobPlan>,
    /// The workflow inputs and the values they take in this run.
    pub inputs: Vec<InputPlan>,
    /// Whether the event starts the workflow.
    pub trigger: TriggerVerdict,
    /// The longest chain of jobs, first to last.
    pub critical_path: Vec<String>,
    /// The stage with the most jobs (the first such), if any job.
    pub widest_stage: Option<WidestStage>,
    /// The workflow's `timeout`, in seconds (see docs/plan.md).
    pub timeout: Option<u64>,
    /// What the run lacks: required inputs, secrets and datasets with no
    /// value. `gwk run` refuses a plan with anything missing.
    pub missing: Vec<Missing>,
}

impl Plan {
    pub fn job(&self, name: &str) -> Option<&JobPlan> {
        self.jobs.iter().find(|j| j.name == name)
    }

    /// Every secret name the run reads (env, credentials), sorted.
    pub fn secret_names(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        for job in &self.jobs {
            for e in &job.env {
                if let Value::Secret(n) = &e.value {
                    out.insert(n.as_str());
                }
            }
            for v in job.credentials() {
                if let Value::Secret(n) = v {
                    out.insert(n.as_str());
                }
            }
        }
        out
    }
}

/// The widest stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WidestStage {
    /// Its index in [`Plan::stages`].
    pub stage: usize,
    pub jobs: Vec<String>,
}

/// A workflow input in this run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputPlan {
    pub name: String,
    /// `string`, `dataset`, `volume`, or the type as written when unknown.
    #[serde(rename = "type")]
    pub io_type: String,
    /// A string input's value: from `--input`, else the file's `with.value`.
    pub value: Option<String>,
    /// A dataset input's dataset: from `--dataset`, else `with.ref`.
    pub dataset: Option<DatasetRef>,
    /// Where the value comes from: `option`, `file`, or `none`.
    pub source: InputSource,
    pub optional: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputSource {
    /// `--input` / `--dataset`.
    Option,
    /// The default written in the file.
    File,
    /// No value.
    None,
}

/// One job of the plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobPlan {
    pub name: String,
    /// Index into [`Plan::stages`].
    pub stage: usize,
    /// The jobs it needs, as written (known jobs only).
    pub needs: Vec<String>,
    /// `uses`: `container@v1`, `script@v1`, `git-checkout@v1`, ...
    pub action: String,
    /// The image the container runs (container@v1, script@v1); `None` for
    /// actions gwk carries out itself (see `git`, `s3`, `model`).
    pub image: Option<String>,
    /// The container's entrypoint, replacing the image's; `None` keeps the
    /// image's ENTRYPOINT. script@v1 is `["bash", "-e", "-c", SCRIPT]`.
    pub command: Option<Vec<String>>,
    /// The container's arguments (Docker `Cmd`); `None` keeps the image's
    /// CMD.
    pub args: Option<Vec<String>>,
    /// The environment after merging `defaults.env` under the job's `env`.
    pub env: Vec<EnvVar>,
    /// The instance type after defaults, as written.
    pub instance_type: Option<String>,
    /// What the catalog (or gwk.toml) says of the instance type; `None`
    /// when it names no known machine.
    pub machine: Option<Machine>,
    /// GPUs the job asks for (0 for CPU machines and unknown types).
    pub gpus: u32,
    /// The device request that follows (Docker `DeviceRequests`, Argo
    /// `nvidia.com/gpu`); `None` without GPUs.
    pub gpu_request: Option<GpuRequest>,
    /// Every `/inputs/<name>` and `/outputs/<name>` of the job.
    pub mounts: Vec<Mount>,
    /// The job's `timeout`, in seconds.
    pub timeout: Option<u64>,
    /// git-checkout@v1: what it clones.
    pub git: Option<GitCheckout>,
    /// s3-download@v1: what it downloads.
    pub s3: Option<S3Download>,
    /// create-model@v1: the model it registers.
    pub model: Option<CreateModel>,
}

impl JobPlan {
    /// The credentials the action takes (git username/password, S3 keys).
    pub fn credentials(&self) -> Vec<&Value> {
        let mut out = Vec::new();
        if let Some(g) = &self.git {
            out.extend(g.username.iter().chain(g.password.iter()));
        }
        if let Some(s) = &self.s3 {
            out.extend(s.access_key.iter().chain(s.secret_access_key.iter()));
        }
        out
    }

    pub fn mount(&self, target: &str) -> Option<&Mount> {
        self.mounts.iter().find(|m| m.target == target)
    }
}

/// A string that is either written out or read from a secret.
///
/// JSON: `{"value": "text"}` or `{"secret": "NAME"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Value {
    Value(String),
    /// The secret's name (`secret:NAME` in the file); never its value.
    Secret(String),
}

impl Value {
    /// Reads `secret:NAME` as a secret, anything else as text.
    pub fn parse(s: &str) -> Value {
        match crate::model::secret_name(s) {
            Some(name) => Value::Secret(name.to_string()),
            None => Value::Value(s.to_string()),
        }
    }

    /// How the value is shown: the text, or `secret:NAME → ***`.
    pub fn display(&self) -> String {
        match self {
            Value::Value(v) => v.clone(),
            Value::Secret(n) => format!("secret:{n} → ***"),
        }
    }
}

/// An environment variable of a job.
///
/// JSON: `{"name": "EPOCHS", "value": "10", "from": "job"}` or
/// `{"name": "TOKEN", "secret": "HF_TOKEN", "from": "defaults"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    #[serde(flatten)]
    pub value: Value,
    /// `defaults` (from `defaults.env`) or `job`.
    pub from: EnvOrigin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvOrigin {
    Defaults,
    Job,
}

/// An instance type's resources.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Machine {
    pub cpus: Option<u32>,
    pub memory_gb: Option<u32>,
    pub gpus: u32,
    pub gpu_model: Option<String>,
    /// Memory of one GPU.
    pub gpu_memory_gb: Option<u32>,
    /// Declared in gwk.toml rather than taken from Paperspace's catalog.
    pub custom: bool,
    /// "2 × A100 (40 GB each), 24 vCPU, 180 GB RAM".
    pub summary: String,
}

/// The GPU device request a job implies: Docker's
/// `DeviceRequest { count, capabilities: [["gpu"]] }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GpuRequest {
    pub count: u32,
    pub capabilities: Vec<Vec<String>>,
}

/// The kind of data at a mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MountKind {
    /// A directory that lives for the run.
    Volume,
    /// A file holding a small UTF-8 string.
    String,
    /// A directory holding a dataset version.
    Dataset,
}

/// One `/inputs/<name>` or `/outputs/<name>` of a job.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mount {
    /// The input or output name.
    pub name: String,
    /// `/inputs/<name>` or `/outputs/<name>`.
    pub target: String,
    /// `None` when the type is unknown (an input from an output with no
    /// valid type).
    pub kind: Option<MountKind>,
    /// Inputs are read-only, outputs writable.
    pub read_only: bool,
    /// For people: `CloneRepo.outputs.repo`, `workflow.inputs.data`,
    /// `dataset demo-dataset, version abc1234`, `new volume`, ...
    pub from: String,
    /// For programs: where the data comes from or what it becomes.
    pub source: MountSource,
}

/// Where an input comes from, or what an output becomes.
///
/// JSON: an object with a `type` field naming the variant in kebab-case.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum MountSource {
    /// An output of a job in an earlier stage.
    JobOutput { job: String, output: String },
    /// A string workflow input: `value` is `None` when the run has none
    /// (it is then in [`Plan::missing`]).
    WorkflowString {
        input: String,
        value: Option<String>,
    },
    /// A dataset, named by a workflow input (`input`) or by the job's
    /// inline input (`input` is `None`).
    Dataset {
        input: Option<String>,
        dataset: Option<DatasetRef>,
    },
    /// A job's inline string input (`{type: string, with: {value: …}}`).
    InlineString { value: Option<String> },
    /// An input the plan cannot back (an inline volume, an unknown
    /// workflow input, a reference to no job): only in files with errors.
    Unresolved { reason: String },
    /// This job's output: a volume created for the run.
    NewVolume,
    /// This job's output: the string the job leaves in the file.
    NewString,
    /// This job's output: a new version of `dataset`, committed when the
    /// job succeeds. `exists` says whether the local store has it already;
    /// `tag` is the tag the new version gets (`ref: name:gold`), absent
    /// when the output names none (or `latest`, which every new version is).
    NewDatasetVersion {
        dataset: String,
        exists: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
    },
}

/// git-checkout@v1's parameters, resolved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GitCheckout {
    pub url: ContextValue,
    /// `None`: the remote's default branch.
    #[serde(rename = "ref")]
    pub git_ref: Option<ContextValue>,
    /// Where the clone lands: `with.path`, else the job's only output.
    pub path: Option<String>,
    pub username: Option<Value>,
    pub password: Option<Value>,
}

/// A parameter that may be one of the `context.event.github.*` values.
///
/// JSON: `{"written": "context.event.github.url", "value":
/// "https://github.com/o/r", "source": "git remote origin"}`; `value` and
/// `source` are null when it is unresolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContextValue {
    /// The parameter as the file writes it.
    pub written: String,
    /// What it resolves to; `None` when unresolved.
    pub value: Option<String>,
    /// Where the value came from (`file` for a literal).
    pub source: Option<String>,
}

impl ContextValue {
    pub fn is_resolved(&self) -> bool {
        self.value.is_some()
    }
}

/// s3-download@v1's parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct S3Download {
    pub url: Option<String>,
    pub access_key: Option<Value>,
    pub secret_access_key: Option<Value>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    /// Where the download lands: `with.path`, else the job's only output.
    pub path: Option<String>,
}

/// create-model@v1's parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CreateModel {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub model_type: Option<String>,
}

/// Whether the event starts the workflow.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TriggerVerdict {
    /// Whether the file has an `on.github` trigger.
    pub has_trigger: bool,
    /// The event evaluated; `None` when none was given.
    pub event: Option<Event>,
    /// Whether the event starts the workflow; `None` without an event.
    pub starts: Option<bool>,
    /// Why, in one sentence.
    pub reason: String,
}

/// Something the run lacks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Missing {
    pub kind: MissingKind,
    /// The input, secret or dataset name.
    pub name: String,
    /// The jobs that read it.
    pub jobs: Vec<String>,
    /// What to do about it, for people.
    pub hint: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MissingKind {
    /// A workflow input with no value and no default.
    Input,
    /// A secret with no value.
    Secret,
    /// A dataset the local store does not have (or not that version).
    /// Only a local run needs it there; an Argo export does not.
    Dataset,
    /// A `context.event.github.*` value that did not resolve (name is
    /// `context.event.github.url` or `.ref`).
    Context,
}

#[cfg(test)]
mod tests;
