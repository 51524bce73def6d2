//! Dataset references (`name`, `name:version`, `name:tag`, `name:latest`)
//! and the trait through which the plan asks a dataset store what they
//! resolve to. gwk-spec does no I/O: the local store lives in gwk-run, and
//! tests use [`MemoryResolver`].

use serde::Serialize;
use std::collections::BTreeMap;

/// How a dataset is used, for [`check_dataset_ref`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatasetUse {
    /// Read: Gradient's `namespace/name` (its public `gradient/<name>`
    /// datasets) is a reference, though no local store has it.
    Input,
    /// Written: the new version goes to the local store, whose datasets
    /// have plain names.
    Output,
}

/// The one rule for a dataset name, the same for `gwk check`, `gwk plan`,
/// `gwk run`, `--dataset` values and the local store: letters, digits,
/// `-`, `_` and `.`, not starting with `.` or `-`, at most 128 characters
/// (a name is one path component of the store and part of container
/// names). `Err` says what is wrong.
pub fn check_dataset_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("a dataset name cannot be empty");
    }
    if name.len() > 128 {
        return Err("a dataset name has at most 128 characters");
    }
    if name.starts_with('.') || name.starts_with('-') {
        return Err("a dataset name does not start with `.` or `-`");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("a dataset name has only letters, digits, `-`, `_` and `.`");
    }
    Ok(())
}

/// A dataset reference, `name[:version|:tag|:latest]` (and, for an input,
/// `namespace/name[:…]`), checked by the one name rule
/// ([`check_dataset_name`], which versions and tags follow too). `Err`
/// says what is wrong, in a sentence.
pub fn check_dataset_ref(reference: &str, usage: DatasetUse) -> Result<(), String> {
    if reference.contains("://") {
        return Err("a dataset is named by its name or ID, not a URL".into());
    }
    let (path, selector) = match reference.split_once(':') {
        Some((p, s)) => (p, Some(s)),
        None => (reference, None),
    };
    let name = match (path.split_once('/'), usage) {
        (None, _) => path,
        (Some((ns, name)), DatasetUse::Input) => {
            check_dataset_name(ns).map_err(|e| format!("namespace `{ns}`: {e}"))?;
            name
        }
        (Some(_), DatasetUse::Output) => {
            return Err(format!(
                "a job writes new versions to a dataset of the local store, whose names have no namespace: write `{}`",
                path.replace('/', "-")
            ));
        }
    };
    check_dataset_name(name).map_err(|e| {
        if name.contains('/') {
            "write `name`, `ID` or `namespace/name`".to_string()
        } else {
            e.to_string()
        }
    })?;
    if let Some(s) = selector {
        check_dataset_name(s)
            .map_err(|_| "after `:` comes a version, a tag or `latest`".to_string())?;
    }
    Ok(())
}

/// What a dataset store says about a reference.
///
/// JSON (flattened into [`DatasetRef`]): `{"status": "resolved",
/// "version": "v3"}`, `{"status": "not-in-store"}`,
/// `{"status": "unknown-selector"}`, `{"status": "no-versions"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum DatasetResolution {
    /// The version the run would mount.
    Resolved { version: String },
    /// The store has no dataset of that name: it must exist before the run.
    NotInStore,
    /// The dataset exists, but the selector names no version or tag of it.
    UnknownSelector,
    /// The dataset exists but has no committed version yet.
    NoVersions,
}

impl DatasetResolution {
    pub fn version(&self) -> Option<&str> {
        match self {
            DatasetResolution::Resolved { version } => Some(version),
            _ => None,
        }
    }
}

/// A dataset store, as the plan sees it.
pub trait DatasetResolver {
    /// Resolves dataset `name` at `selector`: `None` or `latest` (the newest
    /// committed version), a version id, or a tag. A version id wins over a
    /// tag of the same name.
    fn resolve(&self, name: &str, selector: Option<&str>) -> DatasetResolution;

    /// Whether the store has dataset `name` at all.
    fn exists(&self, name: &str) -> bool {
        self.resolve(name, None) != DatasetResolution::NotInStore
    }
}

/// A dataset reference in the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DatasetRef {
    /// As written in the file, or given with `--dataset`.
    pub reference: String,
    /// The dataset name (or Gradient id, or `namespace/name`).
    pub name: String,
    /// After `:`: a version id, a tag or `latest`; `None` means latest.
    pub selector: Option<String>,
    /// Whether `--dataset` replaced what the file says.
    pub overridden: bool,
    #[serde(flatten)]
    pub resolution: DatasetResolution,
}

impl DatasetRef {
    /// "demo-dataset (version abc123)" or "demo-dataset:v2 (not in the
    /// local store: it must exist before the run)".
    pub fn describe(&self) -> String {
        format!("dataset {} ({})", self.reference, self.status_text())
    }

    /// "version abc123", "not in the local store: it must exist before
    /// the run", ...
    pub fn status_text(&self) -> String {
        match &self.resolution {
            DatasetResolution::Resolved { version } => format!("version {version}"),
            DatasetResolution::NotInStore => {
                "not in the local store: it must exist before the run".to_string()
            }
            DatasetResolution::UnknownSelector => format!(
                "the local store has no version or tag `{}`",
                self.selector.as_deref().unwrap_or("latest")
            ),
            DatasetResolution::NoVersions => {
                "no committed version in the local store yet".to_string()
            }
        }
    }
}

/// Splits `name[:selector]` and resolves it.
pub fn parse_dataset_ref(
    reference: &str,
    overridden: bool,
    resolver: &dyn DatasetResolver,
) -> DatasetRef {
    let (name, selector) = match reference.split_once(':') {
        Some((n, s)) if !s.is_empty() => (n, Some(s)),
        Some((n, _)) => (n, None),
        None => (reference, None),
    };
    DatasetRef {
        reference: reference.to_string(),
        name: name.to_string(),
        selector: selector.map(str::to_string),
        overridden,
        resolution: resolver.resolve(name, selector),
    }
}

#[cfg(test)]
mod name_rule_tests {
    use super::*;

    #[test]
    fn one_rule_for_dataset_names_and_references() {
        for ok in [
            "demo-dataset",
            "dsr8k5qzn401lb5",
            "test-one:qdwlyje",
            "my_data.v2",
            "d:latest",
        ] {
            assert!(check_dataset_ref(ok, DatasetUse::Output).is_ok(), "{ok}");
            assert!(check_dataset_ref(ok, DatasetUse::Input).is_ok(), "{ok}");
        }
        // Gradient's public datasets are read, never written.
        assert!(check_dataset_ref("gradient/voxpt", DatasetUse::Input).is_ok());
        let out = check_dataset_ref("ns/name", DatasetUse::Output).unwrap_err();
        assert!(out.contains("write `ns-name`"), "{out}");
        for bad in [
            "", "a b", "s3://x/y", "a/b/c", "name:", "name:v 1", ":v1", "-x", ".x", "x/.y",
        ] {
            assert!(check_dataset_ref(bad, DatasetUse::Input).is_err(), "{bad}");
        }
        assert!(check_dataset_name(&"a".repeat(129)).is_err());
        assert!(check_dataset_name(&"a".repeat(128)).is_ok());
    }
}

/// A store that has nothing (every dataset must exist before the run).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoStore;

impl DatasetResolver for NoStore {
    fn resolve(&self, _: &str, _: Option<&str>) -> DatasetResolution {
        DatasetResolution::NotInStore
    }
}

/// An in-memory store, for tests and for callers that list a store up
/// front.
#[derive(Clone, Debug, Default)]
pub struct MemoryResolver {
    datasets: BTreeMap<String, MemoryDataset>,
}

#[derive(Clone, Debug, Default)]
struct MemoryDataset {
    /// Committed versions, oldest first.
    versions: Vec<String>,
    tags: BTreeMap<String, String>,
}

impl MemoryResolver {
    pub fn new() -> MemoryResolver {
        MemoryResolver::default()
    }

    /// Adds dataset `name` with no versions.
    pub fn dataset(mut self, name: &str) -> MemoryResolver {
        self.datasets.entry(name.to_string()).or_default();
        self
    }

    /// Commits `version` of `name` (the newest so far).
    pub fn version(mut self, name: &str, version: &str) -> MemoryResolver {
        let d = self.datasets.entry(name.to_string()).or_default();
        d.versions.push(version.to_string());
        self
    }

    /// Tags `version` of `name`.
    pub fn tag(mut self, name: &str, tag: &str, version: &str) -> MemoryResolver {
        let d = self.datasets.entry(name.to_string()).or_default();
        d.tags.insert(tag.to_string(), version.to_string());
        self
    }
}

impl DatasetResolver for MemoryResolver {
    fn resolve(&self, name: &str, selector: Option<&str>) -> DatasetResolution {
        let Some(d) = self.datasets.get(name) else {
            return DatasetResolution::NotInStore;
        };
        let found = match selector {
            None | Some("latest") => match d.versions.last() {
                Some(v) => Some(v.clone()),
                None => return DatasetResolution::NoVersions,
            },
            Some(s) if d.versions.iter().any(|v| v == s) => Some(s.to_string()),
            Some(s) => d.tags.get(s).cloned(),
        };
        match found {
            Some(version) => DatasetResolution::Resolved { version },
            None => DatasetResolution::UnknownSelector,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_names_versions_tags_and_latest() {
        let store = MemoryResolver::new()
            .version("mnist", "a1")
            .version("mnist", "b2")
            .tag("mnist", "stable", "a1")
            .dataset("empty");
        let r = |s: &str| parse_dataset_ref(s, false, &store).resolution;
        assert_eq!(r("mnist").version(), Some("b2"));
        assert_eq!(r("mnist:latest").version(), Some("b2"));
        assert_eq!(r("mnist:a1").version(), Some("a1"));
        assert_eq!(r("mnist:stable").version(), Some("a1"));
        assert_eq!(r("mnist:nope"), DatasetResolution::UnknownSelector);
        assert_eq!(r("empty"), DatasetResolution::NoVersions);
        assert_eq!(r("other:v1"), DatasetResolution::NotInStore);
        let d = parse_dataset_ref("gradient/voxpt:v2", true, &store);
        assert_eq!(
            (d.name.as_str(), d.selector.as_deref()),
            ("gradient/voxpt", Some("v2"))
        );
        assert!(store.exists("empty") && !store.exists("other"));
    }
}
