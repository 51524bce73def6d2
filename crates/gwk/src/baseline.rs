//! Baselines: the findings a project accepted on the day it adopted gwk
//! (`gwk check --write-baseline FILE`), so that `--baseline FILE` reports
//! only new ones. A finding is recorded by file, code and fingerprint
//! ([`gwk_spec::fingerprint`]: no line numbers, so inserting lines or
//! editing elsewhere keeps it recognised). The same finding twice in one
//! file is recorded twice: a third copy is new.
//!
//! Paths are written relative to the baseline file's directory, with `/`,
//! so the file can be committed and used from any working directory.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file's format version.
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub file: String,
    pub code: String,
    pub fingerprint: String,
}

/// The path of `file` as a baseline at `baseline` records it.
pub fn key_path(baseline: &Path, file: &str) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let dir = abs(baseline)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let file = abs(Path::new(file));
    let rel: PathBuf = file
        .strip_prefix(&dir)
        .map(Path::to_path_buf)
        .unwrap_or(file);
    rel.to_string_lossy().replace('\\', "/")
}

/// Writes `entries` to `path` (sorted, so the file diffs well in git).
pub fn write(path: &Path, mut entries: Vec<Entry>) -> Result<()> {
    entries.sort();
    let doc = File {
        version: VERSION,
        findings: entries,
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON serializes");
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// A baseline read back: how many of each finding it accepts.
pub struct Baseline {
    left: BTreeMap<Entry, usize>,
}

impl Baseline {
    pub fn read(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the baseline {}", path.display()))?;
        let doc: File = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a gwk baseline", path.display()))?;
        if doc.version != VERSION {
            bail!(
                "{} is a baseline of version {}; this gwk reads version {VERSION}",
                path.display(),
                doc.version
            );
        }
        let mut left = BTreeMap::new();
        for e in doc.findings {
            *left.entry(e).or_insert(0) += 1;
        }
        Ok(Baseline { left })
    }

    /// Whether `entry` is one the baseline accepted (and counts it used).
    pub fn accepts(&mut self, entry: &Entry) -> bool {
        match self.left.get_mut(entry) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(file: &str, fp: &str) -> Entry {
        Entry {
            file: file.into(),
            code: "unknown-job".into(),
            fingerprint: fp.into(),
        }
    }

    #[test]
    fn accepts_each_recorded_finding_as_often_as_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gwk-baseline.json");
        write(&path, vec![entry("a.yaml", "1"), entry("a.yaml", "1")]).unwrap();
        let mut b = Baseline::read(&path).unwrap();
        assert!(b.accepts(&entry("a.yaml", "1")));
        assert!(b.accepts(&entry("a.yaml", "1")));
        assert!(!b.accepts(&entry("a.yaml", "1")));
        assert!(!b.accepts(&entry("b.yaml", "1")));
    }

    #[test]
    fn paths_are_relative_to_the_baseline() {
        let dir = tempfile::tempdir().unwrap();
        let baseline = dir.path().join("gwk-baseline.json");
        let file = dir.path().join("wf/x.yaml");
        assert_eq!(key_path(&baseline, file.to_str().unwrap()), "wf/x.yaml");
    }

    #[test]
    fn a_broken_or_newer_baseline_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        std::fs::write(&path, "{\"version\": 9, \"findings\": []}").unwrap();
        let e = Baseline::read(&path).err().unwrap().to_string();
        assert!(e.contains("version 9"), "{e}");
        std::fs::write(&path, "not json").unwrap();
        let e = Baseline::read(&path).err().unwrap().to_string();
        assert!(e.contains("is not a gwk baseline"), "{e}");
    }
}
