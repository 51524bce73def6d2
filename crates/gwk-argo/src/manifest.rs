//! The part of Argo's `Workflow` resource that gwk writes, as serde types.
//!
//! Field names follow Argo's schema (`io.argoproj.workflow.v1alpha1.*` and
//! the Kubernetes core types it embeds). Argo's schema accepts unknown keys,
//! so a misspelled field would pass validation and be ignored by the
//! controller: typed structs make such a typo a compile error instead.
//!
//! Two schema traps are encoded in the types: Kubernetes quantities
//! (`cpu: "4"`, `nvidia.com/gpu: "1"`) and a template's
//! `activeDeadlineSeconds` (an IntOrString) are strings, while the
//! workflow-level `activeDeadlineSeconds` is an integer.

use serde::Serialize;
use std::collections::BTreeMap;

pub const API_VERSION: &str = "argoproj.io/v1alpha1";
pub const KIND: &str = "Workflow";

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: WorkflowSpec,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowSpec {
    pub entrypoint: String,
    #[serde(skip_serializing_if = "Arguments::is_empty")]
    pub arguments: Arguments,
    /// The whole run's deadline in seconds (an integer here, unlike on
    /// templates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// The pod security context of every pod of the workflow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<LocalObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_repository_ref: Option<ArtifactRepositoryRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volume_claim_templates: Vec<PersistentVolumeClaim>,
    #[serde(rename = "volumeClaimGC", skip_serializing_if = "Option::is_none")]
    pub volume_claim_gc: Option<VolumeClaimGc>,
    pub templates: Vec<Template>,
}

/// The part of Kubernetes' `PodSecurityContext` gwk sets: who the
/// containers run as, and the group that owns the pod's volumes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSecurityContext {
    pub run_as_non_root: bool,
    pub run_as_user: u64,
    pub run_as_group: u64,
    pub fs_group: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LocalObjectReference {
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRepositoryRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_map: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VolumeClaimGc {
    pub strategy: &'static str,
}

/// A workflow's or task's `arguments`: the same shape as a template's
/// `inputs` and `outputs`.
pub type Arguments = Io;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ValueFrom>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueFrom {
    pub path: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `{{tasks.T.outputs.artifacts.A}}`: the artifact another task made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<RawArtifact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Artifact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveStrategy>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RawArtifact {
    pub data: String,
}

/// A key-only S3 artifact: bucket, endpoint and credentials come from the
/// artifact repository the workflow uses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct S3Artifact {
    pub key: String,
}

/// `archive: {none: {}}`: store a directory as plain objects under its key
/// rather than one tarball, so data put there by other tools reads the
/// same way.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArchiveStrategy {
    pub none: Empty,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Empty {}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<TemplateMetadata>,
    #[serde(skip_serializing_if = "Io::is_empty")]
    pub inputs: Io,
    #[serde(skip_serializing_if = "Io::is_empty")]
    pub outputs: Io,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    /// Seconds, written as a string: the schema types it IntOrString.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<Script>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dag: Option<Dag>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TemplateMetadata {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// A template's `inputs` or `outputs`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Io {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
}

impl Io {
    pub fn is_empty(&self) -> bool {
        self.parameters.is_empty() && self.artifacts.is_empty()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub image: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    #[serde(skip_serializing_if = "Resources::is_empty")]
    pub resources: Resources,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<VolumeMount>,
}

/// A script template: Argo writes `source` to a file and runs `command`
/// with that file as its last argument.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Script {
    pub image: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    pub source: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    #[serde(skip_serializing_if = "Resources::is_empty")]
    pub resources: Resources,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<VolumeMount>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_from: Option<EnvVarSource>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarSource {
    pub secret_key_ref: SecretKeySelector,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretKeySelector {
    pub name: String,
    pub key: String,
}

/// Kubernetes `ResourceRequirements`; every quantity is a string.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Resources {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, String>,
}

impl Resources {
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty() && self.limits.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    pub name: String,
    pub mount_path: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

/// A pod volume. gwk only declares `emptyDir` volumes on templates; the
/// per-workflow claims are declared in `volumeClaimTemplates`, which Argo
/// makes available to every pod by name.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub name: String,
    pub empty_dir: Empty,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeClaim {
    pub metadata: ClaimMeta,
    pub spec: ClaimSpec,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClaimMeta {
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimSpec {
    pub access_modes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    pub resources: ClaimResources,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClaimResources {
    pub requests: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Dag {
    pub tasks: Vec<DagTask>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DagTask {
    pub name: String,
    pub template: String,
    /// `a.Succeeded && b.Succeeded`: start only when every need succeeded
    /// (a bare `a` would also accept a skipped task).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depends: Option<String>,
    #[serde(skip_serializing_if = "Arguments::is_empty")]
    pub arguments: Arguments,
}
