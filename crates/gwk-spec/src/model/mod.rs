//! The typed workflow: jobs, actions, io and references, each with its span.
//!
//! Lowering is lenient: it takes what has the right YAML kind and skips the
//! rest, because the shape check has already reported every wrong kind. So
//! rules and cursor queries work on a half-written file too.

pub(crate) mod lower;
mod reference;

pub use lower::lower;
pub use reference::{Reference, parse_reference};

use crate::syntax::{Node, Span};
use rustc_hash::FxHashMap;
use std::fmt;

/// A value and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

impl Spanned<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// The five Gradient actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Container,
    Script,
    GitCheckout,
    S3Download,
    CreateModel,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Container,
        Action::Script,
        Action::GitCheckout,
        Action::S3Download,
        Action::CreateModel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Container => "container@v1",
            Action::Script => "script@v1",
            Action::GitCheckout => "git-checkout@v1",
            Action::S3Download => "s3-download@v1",
            Action::CreateModel => "create-model@v1",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kinds of data that pass between jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IoType {
    Dataset,
    String,
    Volume,
}

impl IoType {
    pub fn as_str(self) -> &'static str {
        match self {
            IoType::Dataset => "dataset",
            IoType::String => "string",
            IoType::Volume => "volume",
        }
    }

    pub fn parse(s: &str) -> Option<IoType> {
        match s {
            "dataset" => Some(IoType::Dataset),
            "string" => Some(IoType::String),
            "volume" => Some(IoType::Volume),
            _ => None,
        }
    }
}

impl fmt::Display for IoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `{type, with}` io declaration (workflow input, inline input, output).
#[derive(Clone, Debug, PartialEq)]
pub struct IoSpec {
    /// The `type` value as written, when it is a string.
    pub type_name: Option<Spanned<String>>,
    /// `type_name` when it is a known type.
    pub io_type: Option<IoType>,
    /// A dataset's `with.ref` (or the older `with.id`).
    pub dataset: Option<Spanned<String>>,
    /// Whether `with.ref` (or `with.id`) is written, whatever its value.
    pub dataset_written: bool,
    /// Whether the dataset was named by the deprecated `with.id`.
    pub dataset_by_id: bool,
    /// A string's `with.value`.
    pub value: Option<Spanned<String>>,
    /// The `with` key, when present.
    pub with_key: Option<Span>,
    pub optional: bool,
    /// The whole mapping.
    pub span: Span,
}

/// A workflow-level input.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkflowInput {
    pub name: Spanned<String>,
    pub spec: IoSpec,
}

/// Where a job input comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum InputSource {
    /// `workflow.inputs.X` or `Job.outputs.X`.
    Reference(Reference),
    /// A string that is not a reference (a URL, a path, `secret:X`, ...).
    NotAReference(Spanned<String>),
    /// `{type: dataset, with: {ref: ...}}` written in place.
    Inline(IoSpec),
    /// Some other YAML kind (the shape check reports it).
    Invalid,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JobInput {
    pub name: Spanned<String>,
    pub source: InputSource,
    /// The value's span.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub name: Spanned<String>,
    /// None when the output is not a mapping (e.g. a bare string).
    pub spec: Option<IoSpec>,
    pub span: Span,
}

impl Output {
    pub fn io_type(&self) -> Option<IoType> {
        self.spec.as_ref().and_then(|s| s.io_type)
    }
}

/// An environment variable.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvVar {
    pub name: Spanned<String>,
    /// The value, when it is a string.
    pub value: Option<Spanned<String>>,
    /// The value node's span (also for non-strings).
    pub value_span: Span,
}

impl EnvVar {
    /// The secret name when the value is `secret:NAME`.
    pub fn secret(&self) -> Option<&str> {
        self.value.as_ref().and_then(|v| secret_name(&v.value))
    }
}

/// The name in a `secret:NAME` value (or `ephemeral:ID` for an ephemeral
/// secret), when the value is one.
pub fn secret_name(value: &str) -> Option<&str> {
    value.strip_prefix("secret:")
}

/// An action parameter under `with`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Spanned<String>,
    pub value: Node,
}

impl Param {
    pub fn as_str(&self) -> Option<&str> {
        self.value.as_str()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub name: Spanned<String>,
    /// From the name's start to the end of the job's mapping.
    pub span: Span,
    /// The job's mapping (empty at the name's end when it is not one).
    pub body: Span,
    pub uses: Option<Spanned<String>>,
    pub action: Option<Action>,
    pub with_key: Option<Span>,
    pub with: Vec<Param>,
    pub needs_key: Option<Span>,
    /// The `needs` value's span (list, or the string given instead).
    pub needs_value: Option<Span>,
    /// Whether `needs` is written `[a, b]`.
    pub needs_flow: bool,
    pub needs: Vec<Spanned<String>>,
    pub inputs_key: Option<Span>,
    pub inputs: Vec<JobInput>,
    pub outputs_key: Option<Span>,
    pub outputs: Vec<Output>,
    pub env: Vec<EnvVar>,
    pub instance_type: Option<Spanned<String>>,
    /// Whether the job writes an `instance-type` key (under `resources`, or
    /// misplaced on the job itself), whatever its value: a wrong value is
    /// reported as wrong, not also as missing.
    pub instance_type_written: bool,
    pub timeout: Option<Spanned<f64>>,
}

impl Job {
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.with.iter().find(|p| p.name.value == name)
    }

    pub fn param_str(&self, name: &str) -> Option<&str> {
        self.param(name).and_then(Param::as_str)
    }

    pub fn output(&self, name: &str) -> Option<&Output> {
        self.outputs.iter().find(|o| o.name.value == name)
    }

    pub fn input(&self, name: &str) -> Option<&JobInput> {
        self.inputs.iter().find(|i| i.name.value == name)
    }

    pub fn needs_job(&self, name: &str) -> bool {
        self.needs.iter().any(|n| n.value == name)
    }

    /// The references among the job's inputs.
    pub fn references(&self) -> impl Iterator<Item = (&JobInput, &Reference)> {
        self.inputs.iter().filter_map(|i| match &i.source {
            InputSource::Reference(r) => Some((i, r)),
            _ => None,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Defaults {
    pub env: Vec<EnvVar>,
    pub instance_type: Option<Spanned<String>>,
    /// Whether `defaults.resources.instance-type` is written, whatever its value.
    pub instance_type_written: bool,
    pub container_registries: Vec<Spanned<String>>,
    pub cluster_id: Option<Spanned<String>>,
}

/// A branch or tag filter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RefFilter {
    pub only: Option<Spanned<String>>,
    pub include: Vec<Spanned<String>>,
    pub ignore: Vec<Spanned<String>>,
    pub span: Span,
}

/// `on.github`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GithubTrigger {
    pub branches: Option<RefFilter>,
    pub tags: Option<RefFilter>,
    pub span: Span,
}

/// The `on` block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trigger {
    pub github: Option<GithubTrigger>,
    pub key: Span,
}

/// `context.event.github`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GithubContext {
    pub git_ref: Option<Spanned<String>>,
    pub url: Option<Spanned<String>>,
    pub key: Span,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Workflow {
    pub jobs_key: Option<Span>,
    pub jobs: Vec<Job>,
    /// Job name → position in `jobs` (the first job of a duplicated name).
    job_positions: FxHashMap<String, usize>,
    pub inputs: Vec<WorkflowInput>,
    pub defaults: Defaults,
    pub trigger: Option<Trigger>,
    pub context: Option<GithubContext>,
    pub timeout: Option<Spanned<f64>>,
}

impl Workflow {
    pub fn job(&self, name: &str) -> Option<&Job> {
        self.job_index(name).map(|i| &self.jobs[i])
    }

    pub fn job_index(&self, name: &str) -> Option<usize> {
        self.job_positions.get(name).copied()
    }

    /// Sets the jobs (and the name index that `job` looks names up in).
    pub fn set_jobs(&mut self, jobs: Vec<Job>) {
        self.job_positions = FxHashMap::with_capacity_and_hasher(jobs.len(), Default::default());
        for (i, j) in jobs.iter().enumerate() {
            self.job_positions.entry(j.name.value.clone()).or_insert(i);
        }
        self.jobs = jobs;
    }

    pub fn input(&self, name: &str) -> Option<&WorkflowInput> {
        self.inputs.iter().find(|i| i.name.value == name)
    }

    /// A job's instance type after defaults.
    pub fn instance_type<'a>(&'a self, job: &'a Job) -> Option<&'a Spanned<String>> {
        job.instance_type
            .as_ref()
            .or(self.defaults.instance_type.as_ref())
    }

    /// A job's environment after merging `defaults.env` under it, in the
    /// order a person reads them: defaults first, then the job's own.
    pub fn effective_env<'a>(&'a self, job: &'a Job) -> Vec<&'a EnvVar> {
        let mut env: Vec<&EnvVar> = self
            .defaults
            .env
            .iter()
            .filter(|d| !job.env.iter().any(|e| e.name.value == d.name.value))
            .collect();
        env.extend(job.env.iter());
        env
    }
}
