//! The shape of a Gradient workflow spec, as Rust types.
//!
//! These types exist to *describe* the spec: the JSON Schema is generated
//! from them (doc comments become descriptions), and gwk's own shape check,
//! completion and hover read that schema. The typed model that rules work on
//! is built from the spanned YAML tree in `model`, not deserialized here.
//!
//! Source tags in the docs (DOCS-SPEC, API, ...) refer to
//! shared/spec/gradient-spec.md.

#![allow(dead_code)] // fields are read only by the schema derive

use schemars::JsonSchema;
use std::collections::BTreeMap;

/// A Paperspace Gradient workflow spec: a DAG of jobs, each running one
/// action in its own container, passing data through `/inputs` and
/// `/outputs`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Gradient workflow")]
pub struct Workflow {
    /// When Gradient started this workflow by itself: a push to the linked
    /// GitHub repository that matches the branch or tag filter. Without `on`
    /// the workflow runs only when started by hand.
    #[serde(rename = "on")]
    pub on: Option<On>,
    /// Settings every job inherits: environment variables, the instance type,
    /// private container registries, the cluster.
    pub defaults: Option<Defaults>,
    /// Workflow-level inputs: datasets and strings that jobs read as
    /// `workflow.inputs.<name>`. An input without a value in `with` must be
    /// given when the run starts.
    pub inputs: Option<BTreeMap<String, WorkflowInput>>,
    /// The jobs of the workflow, by name. Order does not matter: a job runs
    /// after the jobs in its `needs`. A job name has no `.` in it (references
    /// are dotted paths).
    #[schemars(extend("propertyNames" = { "pattern": "^[^.\\s]+$" }))]
    pub jobs: BTreeMap<String, JobFields>,
    /// The GitHub event behind a triggered run, normally filled in by
    /// Gradient. Setting it by hand lets `context.event.github.url` and
    /// `.ref` resolve in runs started by hand.
    pub context: Option<Context>,
    /// The longest the whole run may take, in seconds (gwk's reading;
    /// Gradient never documented the unit).
    #[schemars(range(min = 0))]
    pub timeout: Option<f64>,
}

/// Triggers.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct On {
    /// Start a run when the linked GitHub repository receives a push whose
    /// branch or tag matches.
    pub github: Option<GithubTrigger>,
}

/// Branch and tag filters for pushes to the linked GitHub repository.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GithubTrigger {
    /// Which branches start a run.
    pub branches: Option<RefFilter>,
    /// Which tags start a run.
    pub tags: Option<RefFilter>,
}

/// A filter on branch or tag names. `only` names exactly one; `include`
/// lists several; `ignore` excludes. Names may use `*` wildcards.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefFilter {
    /// The one branch (or tag) that starts a run, e.g. `main`.
    pub only: Option<String>,
    /// Branches (or tags) that start a run.
    pub include: Option<Vec<String>>,
    /// Branches (or tags) that never start a run.
    pub ignore: Option<Vec<String>>,
}

/// Settings every job inherits.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Environment variables for every job; a job's own `env` wins. Values
    /// are strings; `secret:NAME` reads a Gradient secret.
    pub env: Option<BTreeMap<String, String>>,
    /// The default machine and private registries.
    pub resources: Option<DefaultResources>,
    /// The cluster to run on (default: Gradient's public NY2 cluster). gwk
    /// runs locally and ignores it.
    #[serde(rename = "clusterId")]
    pub cluster_id: Option<String>,
}

/// The default machine and private registries.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefaultResources {
    /// The machine every job runs on unless it sets its own, e.g. `C5`
    /// (CPU) or `P4000` (one GPU).
    #[serde(rename = "instance-type")]
    pub instance_type: Option<String>,
    /// Names of the team's container-registry entries used to pull private
    /// images.
    #[serde(rename = "container-registries")]
    pub container_registries: Option<Vec<String>>,
}

/// The GitHub event behind a run.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// The event.
    pub event: Option<ContextEvent>,
}

/// The event.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextEvent {
    /// The GitHub push.
    pub github: Option<ContextGithub>,
}

/// What `context.event.github.*` resolves to.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextGithub {
    /// The pushed commit (a 40-hex SHA) or ref.
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    /// The repository, e.g. `https://github.com/owner/repo`.
    pub url: Option<String>,
}

/// The kinds of data that pass between jobs.
#[derive(JsonSchema)]
pub enum IoType {
    /// A versioned Gradient dataset: read from an existing version, or
    /// written as a new version when the job succeeds.
    #[serde(rename = "dataset")]
    Dataset,
    /// A small UTF-8 string in a file.
    #[serde(rename = "string")]
    String,
    /// A directory that lives for the run (at most 5 GB), written by one job
    /// and read by later ones.
    #[serde(rename = "volume")]
    Volume,
}

/// A workflow-level input.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowInput {
    /// `dataset` or `string` (a volume cannot come from outside the run).
    #[serde(rename = "type")]
    pub io_type: IoType,
    /// For a dataset, `ref` names it; for a string, `value` is its default.
    /// Without `with`, the run must supply the input when it starts.
    pub with: Option<BTreeMap<String, serde_json::Value>>,
    /// Whether the run may leave this input out (in Gradient's API; never
    /// documented).
    pub optional: Option<bool>,
}

/// An input a job declares itself, without a producer in the workflow.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlineInput {
    /// `dataset` (an existing dataset version) or `string`.
    #[serde(rename = "type")]
    pub io_type: IoType,
    /// For a dataset, `ref` names it; for a string, `value` is it. Required:
    /// nothing else can give an input declared in a job its data.
    pub with: Option<BTreeMap<String, serde_json::Value>>,
    /// Whether the run may leave this input out (in Gradient's API; never
    /// documented).
    pub optional: Option<bool>,
}

/// A job input: a reference to data made elsewhere (`workflow.inputs.NAME`
/// or `JOB.outputs.NAME`), or an inline dataset or string. Mounted
/// read-only at `/inputs/<input name>`.
#[derive(JsonSchema)]
#[serde(untagged)]
pub enum JobInput {
    /// `workflow.inputs.NAME` or `JOB.outputs.NAME`; the job named must be
    /// in `needs`.
    Reference(String),
    Inline(InlineInput),
}

/// A job output, written by the job at `/outputs/<output name>`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// `volume` (a directory for later jobs), `string` (a file holding a
    /// small string) or `dataset` (a new version of an existing dataset).
    #[serde(rename = "type")]
    pub io_type: IoType,
    /// For a dataset, `ref` names the dataset the new version belongs to.
    pub with: Option<BTreeMap<String, serde_json::Value>>,
}

/// `with` of a dataset input or output.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatasetWith {
    /// The dataset: a name or 15-character ID, optionally with `:version`,
    /// `:tag` or `:latest`, or `namespace/name` (public ones are
    /// `gradient/<name>`). An output writes a new version of it.
    #[serde(rename = "ref")]
    pub dataset_ref: Option<String>,
    /// The name `ref` had before August 2021.
    #[deprecated(note = "use `ref`")]
    pub id: Option<String>,
}

/// `with` of a string input.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StringWith {
    /// The string. At a workflow input it is the default a run may
    /// override.
    pub value: Option<String>,
}

/// `with` of a string input declared in a job.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InlineStringWith {
    /// The string.
    pub value: String,
}

/// A type that takes no parameters in `with`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoParameters {}

/// The action a job runs.
#[derive(JsonSchema)]
pub enum Action {
    /// Run a container image: its entrypoint with `args`, or `command`.
    #[serde(rename = "container@v1")]
    Container,
    /// Run a multi-line bash script inside an image that has `bash`.
    #[serde(rename = "script@v1")]
    Script,
    /// Clone a git repository into the job's output.
    #[serde(rename = "git-checkout@v1")]
    GitCheckout,
    /// Copy an S3 prefix into the job's output.
    #[serde(rename = "s3-download@v1")]
    S3Download,
    /// Register a model from the dataset in input `model`; writes the model
    /// id to the job's string output.
    #[serde(rename = "create-model@v1")]
    CreateModel,
}

/// A job: one action in one container.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Job")]
pub struct JobFields {
    /// The action this job runs: `container@v1`, `script@v1`,
    /// `git-checkout@v1`, `s3-download@v1` or `create-model@v1`.
    pub uses: Action,
    /// The action's parameters.
    pub with: Option<BTreeMap<String, serde_json::Value>>,
    /// Jobs that must succeed before this one starts. A job that reads
    /// `JOB.outputs.X` must list JOB here.
    pub needs: Option<Vec<String>>,
    /// Data the job reads, each mounted read-only at `/inputs/<name>`.
    pub inputs: Option<BTreeMap<String, JobInput>>,
    /// Data the job writes, each at `/outputs/<name>`.
    pub outputs: Option<BTreeMap<String, Output>>,
    /// Environment variables, over `defaults.env`. Values are strings;
    /// `secret:NAME` reads a Gradient secret.
    pub env: Option<BTreeMap<String, String>>,
    /// The machine this job runs on.
    pub resources: Option<JobResources>,
    /// The longest this job may run, in seconds (gwk's reading; Gradient
    /// never documented the unit).
    #[schemars(range(min = 0))]
    pub timeout: Option<f64>,
}

/// The machine a job runs on.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobResources {
    /// The machine, e.g. `C5` (CPU) or `A100x2` (two GPUs); over
    /// `defaults.resources.instance-type`.
    #[serde(rename = "instance-type")]
    pub instance_type: String,
}

/// Parameters of `container@v1`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerWith {
    /// The image to run, e.g. `bash:5` or `tensorflow/tensorflow:2.9.1-gpu`.
    pub image: String,
    /// Arguments for the image's entrypoint (or for `command`). Every item is
    /// a string: quote numbers, and never leave a bare `-`.
    pub args: Option<Vec<String>>,
    /// Replaces the image's entrypoint, e.g. `bash`.
    pub command: Option<String>,
}

/// Parameters of `script@v1`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScriptWith {
    /// The script, run by `bash` in the image. Write it as a literal block
    /// (`script: |-`) so its lines stay lines.
    pub script: String,
    /// The image to run the script in; it must have `bash`.
    pub image: String,
}

/// Parameters of `git-checkout@v1`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GitCheckoutWith {
    /// The HTTPS URL to clone, or `context.event.github.url` for the
    /// repository whose push started the run.
    pub url: String,
    /// The commit, branch or tag to check out, or `context.event.github.ref`.
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    /// Where to clone to; needed when the job has more than one output
    /// (e.g. `/outputs/repo/subdir`).
    pub path: Option<String>,
    /// The git user name, for private repositories.
    pub username: Option<String>,
    /// The password or access token, as a secret: `secret:NAME`.
    pub password: Option<String>,
    /// Not a parameter of `git-checkout@v1`: Gradient ignored it. Use `ref`.
    #[deprecated(note = "not a git-checkout@v1 parameter; use `ref`")]
    pub branch: Option<String>,
}

/// Parameters of `s3-download@v1`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3DownloadWith {
    /// What to download: `s3://bucket/prefix/`.
    pub url: String,
    /// The access key id.
    #[serde(rename = "access-key")]
    pub access_key: String,
    /// The secret access key, as a secret: `secret:NAME`.
    #[serde(rename = "secret-access-key")]
    pub secret_access_key: String,
    /// The AWS region of the bucket.
    pub region: Option<String>,
    /// The endpoint of an S3-compatible service that is not AWS.
    pub endpoint: Option<String>,
    /// Where to download to, when the job has several outputs.
    pub path: Option<String>,
}

/// Parameters of `create-model@v1`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateModelWith {
    /// The model's name.
    pub name: String,
    /// The model's format.
    #[serde(rename = "type")]
    pub model_type: ModelType,
}

/// A model format.
#[derive(JsonSchema)]
pub enum ModelType {
    /// A TensorFlow SavedModel.
    Tensorflow,
    /// An ONNX model.
    #[serde(rename = "ONNX")]
    Onnx,
    /// Any other format.
    Custom,
}
