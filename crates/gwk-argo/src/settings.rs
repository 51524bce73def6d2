//! The `[argo]` table of gwk.toml: what a cluster knows that a Gradient
//! file cannot (secret name, artifact repository, node labels, storage),
//! each with a default that works on a stock Argo installation.
//!
//! gwk-spec keeps the table raw (`Config.argo`); this module reads it,
//! refusing unknown keys and malformed quantities with the key's name.

use crate::names;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The Kubernetes secret `secret:NAME` values read from by default.
pub const DEFAULT_SECRET_NAME: &str = "gwk-secrets";

/// The service account every pod of an exported workflow runs as: one of
/// its own rather than the namespace's `default` (checkov CKV_ARGO_1), so
/// the workflow gets only the rights given to it. docs/argo.md shows the
/// account and the role Argo's executor needs.
pub const DEFAULT_SERVICE_ACCOUNT: &str = "gwk-workflow";

/// The share of a machine's CPUs and memory a job requests by default:
/// what a node of that size can give a pod once the kubelet, the system and
/// the daemon sets have their part (about 10-25% on common clusters).
pub const DEFAULT_REQUEST_FRACTION: f64 = 0.75;

/// The label NVIDIA's GPU Feature Discovery (part of the GPU Operator) puts
/// on nodes with a GPU: GPU jobs go to those nodes by default.
pub const GPU_PRESENT_LABEL: &str = "nvidia.com/gpu.present";

/// Settings of `gwk export argo`, after defaults.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Settings {
    /// The Kubernetes secret that holds every `secret:NAME` as key `NAME`.
    pub secret_name: String,
    /// `metadata.namespace` of the workflow (and `-n` of `--submit`).
    pub namespace: Option<String>,
    /// `spec.serviceAccountName`.
    pub service_account: String,
    /// When set, every pod runs as this user id (and group, and owns its
    /// volumes through `fsGroup`), with `runAsNonRoot: true` (checkov
    /// CKV_ARGO_2). Unset, containers run as their image's user: many ML
    /// images and scripts expect root (docs/argo.md, "Security").
    pub run_as_user: Option<u64>,
    /// Image pull secrets added to those named by
    /// `defaults.resources.container-registries`.
    pub image_pull_secrets: Vec<String>,
    /// The ConfigMap of the artifact repository (`artifactRepositoryRef`);
    /// unset, Argo uses its default repository.
    pub artifact_repository: Option<String>,
    /// The key inside that ConfigMap.
    pub artifact_repository_key: Option<String>,
    /// Key prefix of datasets in the artifact repository:
    /// `<prefix>/<dataset>/<version>`.
    pub dataset_prefix: String,
    /// Also write every dataset output to `<prefix>/<dataset>/latest`, so a
    /// later run that names the dataset without a version reads it.
    pub dataset_latest: bool,
    /// Key prefix of models made by `create-model@v1`.
    pub model_prefix: String,
    /// The size of each per-run volume claim (Gradient's limit was 5 GB).
    pub volume_size: String,
    /// The access mode of volume claims.
    pub volume_access_mode: String,
    /// The storage class of volume claims; unset, the cluster's default.
    pub storage_class: Option<String>,
    /// The image that runs `git-checkout@v1` (needs `git` and `sh`).
    pub git_image: String,
    /// The image that runs `s3-download@v1` (its entrypoint is `aws`).
    pub s3_image: String,
    /// The image of the small steps gwk adds (`create-model@v1`): `sh`,
    /// `cp`, `mkdir` and `printf`.
    pub helper_image: String,
    /// The extended resource name of a GPU.
    pub gpu_resource: String,
    /// Request the CPUs and memory of Paperspace's machine (from the
    /// instance-type catalog or gwk.toml's `[instance-types]`).
    pub catalog_resources: bool,
    /// The share of the machine's CPUs and memory a job requests (its limit
    /// is the whole machine): a node can give a pod less than its capacity.
    pub request_fraction: f64,
    /// When set, every job gets `nodeSelector: {<label>: <instance type>}`.
    pub instance_type_label: Option<String>,
    /// A node selector for every job.
    pub node_selector: BTreeMap<String, String>,
    /// A node selector for jobs with GPUs, over `node_selector`.
    pub gpu_node_selector: BTreeMap<String, String>,
    /// `spec.parallelism`: the most pods at once.
    pub parallelism: Option<u64>,
    /// Labels on the Workflow.
    pub labels: BTreeMap<String, String>,
    /// Per instance type: resources and node selector, over the defaults.
    pub instance_types: BTreeMap<String, InstanceTypeSettings>,
}

/// `[argo.instance-types.NAME]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct InstanceTypeSettings {
    /// CPU request, a Kubernetes quantity (`"7"`, `"7500m"`) or a number.
    pub cpu: Option<Quantity>,
    /// Memory request and limit (`"28Gi"`).
    pub memory: Option<Quantity>,
    /// GPUs (requests and limits of the GPU resource).
    pub gpus: Option<u32>,
    /// Node selector of jobs on this instance type, over the global one.
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
}

/// A quantity written as a string or a number in gwk.toml; always a
/// string in the manifest.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Quantity {
    Text(String),
    Int(i64),
    Float(f64),
}

impl Quantity {
    pub fn as_string(&self) -> String {
        match self {
            Quantity::Text(s) => s.clone(),
            Quantity::Int(i) => i.to_string(),
            Quantity::Float(f) => f.to_string(),
        }
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            secret_name: DEFAULT_SECRET_NAME.to_string(),
            namespace: None,
            service_account: DEFAULT_SERVICE_ACCOUNT.to_string(),
            run_as_user: None,
            image_pull_secrets: Vec::new(),
            artifact_repository: None,
            artifact_repository_key: None,
            dataset_prefix: "datasets".to_string(),
            dataset_latest: true,
            model_prefix: "models".to_string(),
            volume_size: "5Gi".to_string(),
            volume_access_mode: "ReadWriteOnce".to_string(),
            storage_class: None,
            git_image: "alpine/git:latest".to_string(),
            s3_image: "amazon/aws-cli:latest".to_string(),
            helper_image: "busybox:1.36".to_string(),
            gpu_resource: "nvidia.com/gpu".to_string(),
            catalog_resources: true,
            request_fraction: DEFAULT_REQUEST_FRACTION,
            instance_type_label: None,
            node_selector: BTreeMap::new(),
            gpu_node_selector: BTreeMap::from([(
                GPU_PRESENT_LABEL.to_string(),
                "true".to_string(),
            )]),
            parallelism: None,
            labels: BTreeMap::new(),
            instance_types: BTreeMap::new(),
        }
    }
}

/// Why the `[argo]` table cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SettingsError {
    #[error("[argo]: {0}")]
    Toml(String),
    #[error(
        "[argo] {key} = {value:?} is not a Kubernetes quantity (e.g. \"4\", \"500m\", \"16Gi\")"
    )]
    Quantity { key: String, value: String },
    #[error("[argo] {key} = {value:?} is not a valid Kubernetes name ({what})")]
    Name {
        key: String,
        value: String,
        what: &'static str,
    },
    #[error(
        "[argo] run-as-user = 0 is root, which the setting exists to avoid: use a user id above 0 (e.g. 1000)"
    )]
    RootUser,
    #[error("[argo] request-fraction = {0}: use a number above 0 and at most 1 (e.g. 0.75)")]
    Fraction(f64),
    #[error(
        "[argo] volume-access-mode = {0:?}: use \"ReadWriteOnce\", \"ReadWriteMany\", \"ReadOnlyMany\" or \"ReadWriteOncePod\""
    )]
    AccessMode(String),
}

impl Settings {
    /// Reads gwk.toml's `[argo]` table.
    pub fn from_table(table: &toml::Table) -> Result<Settings, SettingsError> {
        let settings: Settings = toml::Value::Table(table.clone())
            .try_into()
            .map_err(|e: toml::de::Error| SettingsError::Toml(e.message().to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let subdomain = |key: &str, value: &str| {
            if is_dns_subdomain(value) {
                Ok(())
            } else {
                Err(SettingsError::Name {
                    key: key.to_string(),
                    value: value.to_string(),
                    what: "lower-case letters, digits, `-` and `.`, at most 253 characters",
                })
            }
        };
        subdomain("secret-name", &self.secret_name)?;
        if let Some(ns) = &self.namespace
            && !names::is_dns_label(ns)
        {
            return Err(SettingsError::Name {
                key: "namespace".into(),
                value: ns.clone(),
                what: "lower-case letters, digits and `-`, at most 63 characters",
            });
        }
        subdomain("service-account", &self.service_account)?;
        if self.run_as_user == Some(0) {
            return Err(SettingsError::RootUser);
        }
        for (key, value) in [
            ("artifact-repository", &self.artifact_repository),
            ("storage-class", &self.storage_class),
        ] {
            if let Some(v) = value {
                subdomain(key, v)?;
            }
        }
        for s in &self.image_pull_secrets {
            subdomain("image-pull-secrets", s)?;
        }
        quantity("volume-size", &self.volume_size)?;
        if !(self.request_fraction > 0.0 && self.request_fraction <= 1.0) {
            return Err(SettingsError::Fraction(self.request_fraction));
        }
        if !matches!(
            self.volume_access_mode.as_str(),
            "ReadWriteOnce" | "ReadWriteMany" | "ReadOnlyMany" | "ReadWriteOncePod"
        ) {
            return Err(SettingsError::AccessMode(self.volume_access_mode.clone()));
        }
        for (name, t) in &self.instance_types {
            if let Some(cpu) = &t.cpu {
                quantity(&format!("instance-types.{name}.cpu"), &cpu.as_string())?;
            }
            if let Some(mem) = &t.memory {
                quantity(&format!("instance-types.{name}.memory"), &mem.as_string())?;
            }
        }
        Ok(())
    }
}

fn quantity(key: &str, value: &str) -> Result<(), SettingsError> {
    if is_quantity(value) {
        Ok(())
    } else {
        Err(SettingsError::Quantity {
            key: key.to_string(),
            value: value.to_string(),
        })
    }
}

/// Whether `s` is a Kubernetes quantity: a decimal number with an optional
/// binary (`Ki`..`Ei`) or decimal (`m`, `k`, `M`..`E`) suffix or exponent.
pub fn is_quantity(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let digits_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(digits_end);
    let dots = number.matches('.').count();
    if number.is_empty() || number == "." || dots > 1 {
        return false;
    }
    match suffix {
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" | "m" | "k" | "M" | "G" | "T" | "P" | "E" => {
            true
        }
        exp => {
            let Some(e) = exp.strip_prefix(['e', 'E']) else {
                return false;
            };
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        }
    }
}

/// Whether `s` is a DNS-1123 subdomain (the names of most Kubernetes
/// objects).
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && !s.is_empty() && s.split('.').all(names::is_dns_label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, SettingsError> {
        let table: toml::Table = toml::from_str(text).unwrap();
        Settings::from_table(&table)
    }

    #[test]
    fn an_empty_table_gives_the_defaults() {
        let s = parse("").unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.secret_name, "gwk-secrets");
        assert_eq!(s.volume_size, "5Gi");
        assert_eq!(s.request_fraction, 0.75);
        assert_eq!(s.gpu_node_selector["nvidia.com/gpu.present"], "true");
        assert_eq!(s.service_account, "gwk-workflow");
        assert_eq!(s.run_as_user, None);
        // An empty table turns the GPU node selector off.
        let s = parse("[gpu-node-selector]").unwrap();
        assert!(s.gpu_node_selector.is_empty());
    }

    #[test]
    fn reads_every_kind_of_setting() {
        let s = parse(
            r#"
secret-name = "team-secrets"
namespace = "ml"
volume-access-mode = "ReadWriteMany"
instance-type-label = "gwk.dev/instance-type"
parallelism = 4
[node-selector]
pool = "gpu"
[instance-types.P4000]
cpu = 7
memory = "28Gi"
node-selector = { "nvidia.com/gpu.product" = "Quadro-P4000" }
"#,
        )
        .unwrap();
        assert_eq!(s.secret_name, "team-secrets");
        assert_eq!(s.parallelism, Some(4));
        let p = &s.instance_types["P4000"];
        assert_eq!(p.cpu.as_ref().unwrap().as_string(), "7");
        assert_eq!(p.node_selector["nvidia.com/gpu.product"], "Quadro-P4000");
        assert_eq!(s.node_selector["pool"], "gpu");
    }

    #[test]
    fn refuses_unknown_keys_bad_quantities_and_names() {
        let e = parse("secret-nme = \"x\"").unwrap_err().to_string();
        assert!(e.contains("secret-nme"), "{e}");
        let e = parse("[instance-types.A100]\nmemory = \"90 GB\"")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("instance-types.A100.memory") && e.contains("90 GB"),
            "{e}"
        );
        let e = parse("secret-name = \"My_Secrets\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("secret-name"), "{e}");
        assert!(matches!(
            parse("volume-access-mode = \"RWX\""),
            Err(SettingsError::AccessMode(_))
        ));
        assert!(parse("parallelism = \"four\"").is_err());
        for bad in ["0", "1.5", "-0.5", "nan"] {
            let e = parse(&format!("request-fraction = {bad}")).unwrap_err();
            assert!(matches!(e, SettingsError::Fraction(_)), "{bad}: {e}");
            assert!(e.to_string().contains("request-fraction"), "{e}");
        }
        assert_eq!(parse("request-fraction = 1").unwrap().request_fraction, 1.0);
        assert_eq!(parse("run-as-user = 0"), Err(SettingsError::RootUser));
        assert!(parse("run-as-user = -5").is_err());
        assert_eq!(parse("run-as-user = 1000").unwrap().run_as_user, Some(1000));
        let e = parse("service-account = \"Team SA\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("service-account"), "{e}");
    }

    #[test]
    fn quantities() {
        for ok in ["4", "500m", "16Gi", "1.5", "1e3", "+2", "0.5Gi", ".5"] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in ["", "GB", "16 Gi", "16GB", "1.2.3", "e3", "4x", "."] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }
}
