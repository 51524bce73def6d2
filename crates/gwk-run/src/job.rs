//! What the runner executes: the jobs of a plan, each with its action,
//! environment, inputs, outputs, GPUs and timeout already decided. Built
//! from `gwk_spec::plan::Plan` (see `from_plan`); the runner never goes
//! back to the workflow file.

use std::time::Duration;

/// One run's work.
#[derive(Clone, Debug, Default)]
pub struct RunInput {
    /// The workflow file, as the user named it.
    pub workflow_file: String,
    /// The file's text, saved with the run.
    pub spec_text: String,
    /// The plan as JSON, saved with the run.
    pub plan_json: Option<serde_json::Value>,
    /// The selected jobs, in file order; `needs` name jobs of this list.
    pub jobs: Vec<JobSpec>,
    /// The workflow's `timeout`.
    pub workflow_timeout: Option<Duration>,
    /// Secret values, masked in everything gwk prints or saves.
    pub secret_values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JobSpec {
    pub name: String,
    pub needs: Vec<String>,
    pub action: ActionSpec,
    /// The final environment (defaults merged under the job's own, secrets
    /// resolved), in order.
    pub env: Vec<(String, String)>,
    pub inputs: Vec<InputSpec>,
    pub outputs: Vec<OutputSpec>,
    pub instance_type: Option<String>,
    /// GPUs the instance type has.
    pub gpus: u32,
    /// The instance type's memory, in bytes: the container's memory limit
    /// (Gradient ran the job on a machine with that much); `None` when the
    /// type does not say.
    pub memory_bytes: Option<u64>,
    /// The job's `timeout`.
    pub timeout: Option<Duration>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ActionSpec {
    /// `container@v1` and `script@v1`: a container from `image`.
    Container {
        image: String,
        /// Replaces the image's ENTRYPOINT (`command`, or the script runner).
        entrypoint: Option<Vec<String>>,
        /// Replaces the image's CMD (`args`, or the script).
        cmd: Option<Vec<String>>,
    },
    /// `git-checkout@v1`, run with the host's `git`.
    GitCheckout {
        url: String,
        git_ref: Option<String>,
        /// Where to clone, as written (`/outputs/<name>[/sub]`); the single
        /// output when unset.
        path: Option<String>,
        username: Option<String>,
        password: Option<String>,
    },
    /// `create-model@v1`: registers the dataset version behind the `model`
    /// input in the local model registry; writes the id to the string output.
    CreateModel {
        name: Option<String>,
        model_type: Option<String>,
    },
    /// `s3-download@v1`: downloads an `s3://bucket/prefix` into the output.
    S3Download {
        url: String,
        region: Option<String>,
        endpoint: Option<String>,
        access_key: Option<String>,
        secret_access_key: Option<String>,
        /// As for git-checkout: under `/outputs/<name>`; the single output
        /// when unset.
        path: Option<String>,
    },
    /// An action this version cannot run; the run is refused with `reason`.
    Unsupported { action: String, reason: String },
}

impl ActionSpec {
    pub fn image(&self) -> Option<&str> {
        match self {
            ActionSpec::Container { image, .. } => Some(image),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct InputSpec {
    pub name: String,
    pub source: InputSource,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InputSource {
    /// A string value (a workflow string input, `--input`, or `with.value`).
    String { value: String },
    /// A committed dataset version, resolved before the run.
    Dataset { dataset: String, version: String },
    /// Another job's output (volume, string or dataset, as it declares).
    JobOutput { job: String, output: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutputSpec {
    pub name: String,
    pub kind: OutputKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OutputKind {
    Volume,
    String,
    /// A new version of `dataset`, tagged `tag` when the workflow names one
    /// (`ref: name:gold`).
    Dataset {
        dataset: String,
        tag: Option<String>,
    },
}

impl OutputKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            OutputKind::Volume => "volume",
            OutputKind::String => "string",
            OutputKind::Dataset { .. } => "dataset",
        }
    }
}
