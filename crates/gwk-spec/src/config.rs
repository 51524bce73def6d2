//! `gwk.toml`: what a project tells gwk that its workflow files cannot —
//! rule severities, private-cluster instance types, dataset and secret
//! names — plus the sections that `gwk run` and `gwk export argo` read.
//!
//! Finding the file (upward from a workflow) is the caller's job; this
//! module only reads its text.

use crate::catalog::{self, InstanceType, Status};
use crate::diagnostic::{Code, Severity};
use crate::select::{Selection, UnknownName, codes_of};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The file name gwk looks for, upward from a workflow file.
pub const FILE_NAME: &str = "gwk.toml";

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Dataset names the project uses. When any are declared, a dataset
    /// reference outside the list is reported (`unknown-dataset`).
    #[serde(default)]
    pub datasets: Vec<String>,
    /// Secret names the project defines. When any are declared, a
    /// `secret:NAME` outside the list is reported (`unknown-secret`).
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Severity per rule code: "error", "warning", "info" or "off".
    #[serde(default)]
    pub rules: BTreeMap<String, String>,
    /// Machine types of private clusters, by name.
    #[serde(default)]
    pub instance_types: BTreeMap<String, CustomInstanceType>,
    /// Settings of `gwk export argo` (read by gwk-argo).
    #[serde(default)]
    pub argo: toml::Table,
    /// Settings of `gwk run` (read by gwk-run).
    #[serde(default)]
    pub run: toml::Table,
    /// How strict the rules are: `regular` (the default) or `pedantic`.
    #[serde(default)]
    pub persona: Persona,
    /// Only these rules are reported: codes or families (`security`).
    #[serde(default)]
    pub select: Option<Vec<String>>,
    /// These rules are never reported: codes or families.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Findings below this severity ("error", "warning" or "info") are
    /// not reported.
    #[serde(default)]
    pub min_severity: Option<String>,
    /// `select`, `ignore` and `min-severity` read ([`Config::parse`] sets
    /// it; `gwk check`'s flags replace it).
    #[serde(skip)]
    pub selection: Selection,
    /// Skips the security rules: only for the benchmark that measures what
    /// they cost (`scripts/bench-check.sh`), never set from gwk.toml.
    #[serde(skip)]
    #[doc(hidden)]
    pub bench_without_security: bool,
}

/// How strict the rules are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Persona {
    /// What most projects want: findings that need acting on.
    #[default]
    Regular,
    /// Also what a careful reviewer would raise (an image tag without a
    /// digest).
    Pedantic,
}

impl Persona {
    pub fn parse(s: &str) -> Option<Persona> {
        match s {
            "regular" => Some(Persona::Regular),
            "pedantic" => Some(Persona::Pedantic),
            _ => None,
        }
    }
}

/// A private-cluster machine declared in gwk.toml.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CustomInstanceType {
    #[serde(default)]
    pub gpus: u32,
    pub gpu_model: Option<String>,
    pub gpu_memory_gb: Option<u32>,
    pub cpus: Option<u32>,
    pub memory_gb: Option<u32>,
}

/// Why gwk.toml could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Toml(String),
    #[error("unknown rule `{0}` in [rules] (see docs/rules.md for the codes)")]
    UnknownRule(String),
    #[error("rule `{code}` set to `{level}`; use \"error\", \"warning\", \"info\" or \"off\"")]
    BadLevel { code: String, level: String },
    #[error("`{key}`: {source}")]
    UnknownName {
        key: &'static str,
        source: UnknownName,
    },
    #[error("`min-severity` is `{0}`; use \"error\", \"warning\" or \"info\"")]
    BadMinSeverity(String),
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        for (code, level) in &config.rules {
            if Code::parse(code).is_none() {
                return Err(ConfigError::UnknownRule(code.clone()));
            }
            if level != "off" && Severity::parse(level).is_none() {
                return Err(ConfigError::BadLevel {
                    code: code.clone(),
                    level: level.clone(),
                });
            }
        }
        config.selection = Selection {
            select: match &config.select {
                Some(names) => {
                    Some(codes_of(names).map_err(|source| ConfigError::UnknownName {
                        key: "select",
                        source,
                    })?)
                }
                None => None,
            },
            ignore: codes_of(&config.ignore).map_err(|source| ConfigError::UnknownName {
                key: "ignore",
                source,
            })?,
            min_severity: match &config.min_severity {
                Some(s) => {
                    Some(Severity::parse(s).ok_or_else(|| ConfigError::BadMinSeverity(s.clone()))?)
                }
                None => None,
            },
        };
        Ok(config)
    }

    /// The severity of `code` in this project; `None` when it is off. A
    /// code split from an older one follows the older one's setting unless
    /// it has its own.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        let set = std::iter::once(code)
            .chain(code.formerly().iter().copied())
            .find_map(|c| self.rules.get(c.as_str()));
        match set.map(String::as_str) {
            Some("off") => None,
            Some(level) => Severity::parse(level),
            None => Some(code.default_severity()),
        }
    }

    /// The severity `[rules]` sets for `code` (or for the code it was
    /// split from): `None` when it sets none, `Some(None)` for "off".
    pub fn configured(&self, code: Code) -> Option<Option<Severity>> {
        let set = std::iter::once(code)
            .chain(code.formerly().iter().copied())
            .find_map(|c| self.rules.get(c.as_str()))?;
        Some(match set.as_str() {
            "off" => None,
            level => Severity::parse(level),
        })
    }

    /// An instance type by name: declared here, or from Paperspace's catalog.
    pub fn instance_type(&self, name: &str) -> Option<InstanceType> {
        if let Some(c) = self.instance_types.get(name) {
            return Some(InstanceType {
                name: name.to_string(),
                gpus: c.gpus,
                gpu_model: c.gpu_model.clone(),
                gpu_memory_gb: c.gpu_memory_gb,
                cpus: c.cpus,
                memory_gb: c.memory_gb,
                status: Status::Current,
                custom: true,
            });
        }
        catalog::lookup(name).cloned()
    }

    /// Every instance type name known: the catalog's and the declared ones.
    pub fn instance_type_names(&self) -> Vec<String> {
        catalog::catalog()
            .iter()
            .map(|t| t.name.clone())
            .chain(self.instance_types.keys().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rules_types_and_names() {
        let c = Config::parse(
            "secrets = [\"HF_TOKEN\"]\n[rules]\nunknown-instance-type = \"off\"\nunused-output = \"warning\"\n[instance-types.metal-gpu]\ngpus = 2\n",
        )
        .unwrap();
        assert_eq!(c.severity(Code::UnknownInstanceType), None);
        assert_eq!(c.severity(Code::UnusedOutput), Some(Severity::Warning));
        assert_eq!(c.severity(Code::UnknownJob), Some(Severity::Error));
        let t = c.instance_type("metal-gpu").unwrap();
        assert!(t.custom && t.gpus == 2);
        assert_eq!(c.secrets, ["HF_TOKEN"]);
    }

    #[test]
    fn a_split_code_follows_its_old_code_unless_set_itself() {
        let c = Config::parse("[rules]\ninvalid-value = \"warning\"\n").unwrap();
        assert_eq!(c.severity(Code::InvalidName), Some(Severity::Warning));
        assert_eq!(c.severity(Code::InvalidValue), Some(Severity::Warning));
        let c =
            Config::parse("[rules]\ninvalid-value = \"off\"\ninvalid-name = \"info\"\n").unwrap();
        assert_eq!(c.severity(Code::InvalidName), Some(Severity::Info));
        assert_eq!(c.severity(Code::InvalidFilter), None);
    }

    #[test]
    fn reads_the_rule_selection() {
        let c = Config::parse(
            "select = [\"security\", \"unknown-job\"]\nignore = [\"unpinned-image\"]\nmin-severity = \"warning\"\n",
        )
        .unwrap();
        let s = &c.selection;
        assert!(s.keeps(Code::UnknownJob, Severity::Error));
        assert!(s.keeps(Code::RemoteScript, Severity::Warning));
        assert!(!s.keeps(Code::UnpinnedImage, Severity::Warning));
        assert!(!s.keeps(Code::MissingNeeds, Severity::Error));
        assert!(!s.keeps(Code::OversharedSecret, Severity::Info));
        let e = Config::parse("ignore = [\"unknown-jbo\"]\n").unwrap_err();
        assert!(e.to_string().contains("did you mean `unknown-job`"), "{e}");
        assert!(matches!(
            Config::parse("min-severity = \"loud\"\n"),
            Err(ConfigError::BadMinSeverity(_))
        ));
    }

    #[test]
    fn reads_the_persona() {
        assert_eq!(Config::default().persona, Persona::Regular);
        let c = Config::parse("persona = \"pedantic\"\n").unwrap();
        assert_eq!(c.persona, Persona::Pedantic);
        assert!(Config::parse("persona = \"paranoid\"\n").is_err());
    }

    #[test]
    fn rejects_unknown_rules_levels_and_keys() {
        assert!(matches!(
            Config::parse("[rules]\nno-such-rule = \"off\"\n"),
            Err(ConfigError::UnknownRule(_))
        ));
        assert!(matches!(
            Config::parse("[rules]\nunknown-job = \"loud\"\n"),
            Err(ConfigError::BadLevel { .. })
        ));
        assert!(Config::parse("[rulez]\n").is_err());
    }
}
