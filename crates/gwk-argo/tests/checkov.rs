//! Exported manifests pass checkov's Argo Workflows policies:
//! the export of every valid corpus file, by default and with the strict
//! setting (`[argo] run-as-user`).
//!
//! By default every workflow runs as a service account of its own
//! (CKV_ARGO_1 passes) and containers as their images' users, so
//! CKV_ARGO_2 (pods run as non-root) fails exactly there and nowhere else:
//! many Gradient images and scripts expect root (docs/argo.md,
//! "Security"). With `run-as-user` set, every policy passes.
//!
//! checkov is installed by scripts/setup/65-checkov.sh; it is always run
//! with `--skip-download` (it reaches for the network otherwise). The test
//! says SKIPPED only when checkov is absent and fails when it is there but
//! cannot be used.

mod common;

use common::*;
use gwk_argo::{Settings, to_yaml};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const DEFAULT_CHECKOV: &str = "/opt/gwk-test/checkov/bin/checkov";

/// The checkov to run: `$GWK_TEST_CHECKOV`, else where the setup script
/// puts it; `None` when neither exists.
fn checkov() -> Option<PathBuf> {
    let path = std::env::var_os("GWK_TEST_CHECKOV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CHECKOV));
    // Its presence decides; whether it works is the scan's to show (a
    // broken install fails there). Not `--version`: it asks PyPI for a
    // newer release and waits on the network.
    path.exists().then_some(path)
}

/// Per file, the ids of the Argo checks that passed and that failed.
type Verdicts = BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>;

/// Runs checkov's Argo Workflows policies over every file of `dir`.
fn scan(checkov: &Path, dir: &Path) -> Verdicts {
    let out = Command::new(checkov)
        .arg("--directory")
        .arg(dir)
        .args([
            "--framework",
            "argo_workflows",
            "--skip-download",
            "--output",
            "json",
            "--compact",
        ])
        .output()
        .expect("checkov runs");
    // Exit status 1 means "some check failed": the JSON says which.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "checkov failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov's output is not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut verdicts = Verdicts::new();
    let results = &report["results"];
    for (key, failed) in [("passed_checks", false), ("failed_checks", true)] {
        for c in results[key].as_array().into_iter().flatten() {
            let file = c["file_path"]
                .as_str()
                .unwrap()
                .trim_start_matches('/')
                .to_string();
            let id = c["check_id"].as_str().unwrap().to_string();
            let entry = verdicts.entry(file).or_default();
            if failed {
                entry.1.insert(id);
            } else {
                entry.0.insert(id);
            }
        }
    }
    verdicts
}

/// Exports every valid corpus file with `settings` into a new directory,
/// checking each manifest against Argo's schema on the way.
fn export_corpus(files: &[PathBuf], settings: &Settings) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        let (plan, ex) = export_text(&name, &text, settings);
        results.push((f.display().to_string(), problems(&plan, &ex)));
        std::fs::write(
            dir.path().join(format!("{name}.yaml")),
            to_yaml(&ex.workflow),
        )
        .unwrap();
    }
    assert_no_problems(&results);
    dir
}

fn ids(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_valid_corpus_export_passes_checkov_by_default_but_for_root_and_strictly_in_full() {
    let Some(files) = valid_corpus_files() else {
        eprintln!("SKIPPED: ../shared/corpus is absent; no export was given to checkov");
        return;
    };
    let Some(checkov) = checkov() else {
        eprintln!(
            "SKIPPED: checkov is absent ({DEFAULT_CHECKOV}; scripts/setup/65-checkov.sh installs it)"
        );
        return;
    };
    if schema().is_none() {
        skip_note("the corpus manifests");
    }
    assert!(files.len() >= 40, "only {} valid corpus files", files.len());

    // Default: a service account of its own; images run as their users.
    let default = export_corpus(&files, &Settings::default());
    let verdicts = scan(&checkov, default.path());
    assert_eq!(
        verdicts.len(),
        files.len(),
        "checkov did not read every manifest as an Argo Workflow: {:?}",
        verdicts.keys().collect::<Vec<_>>()
    );
    for (file, (passed, failed)) in &verdicts {
        assert!(
            passed.contains("CKV_ARGO_1"),
            "{file}: {passed:?} {failed:?}"
        );
        assert_eq!(
            *failed,
            ids(&["CKV_ARGO_2"]),
            "{file}: only the root policy may fail by default"
        );
    }

    // Strict: every pod runs as user 1000, never root.
    let strict = Settings {
        run_as_user: Some(1000),
        ..Settings::default()
    };
    let strict_dir = export_corpus(&files, &strict);
    let verdicts = scan(&checkov, strict_dir.path());
    assert_eq!(verdicts.len(), files.len());
    for (file, (passed, failed)) in &verdicts {
        assert!(
            failed.is_empty(),
            "{file} fails {failed:?} with run-as-user"
        );
        assert!(
            passed.is_superset(&ids(&["CKV_ARGO_1", "CKV_ARGO_2"])),
            "{file}: {passed:?}"
        );
    }
    eprintln!(
        "checkov: {} corpus exports pass CKV_ARGO_1 by default and every policy with run-as-user",
        files.len()
    );
}

#[test]
fn checkov_flags_the_default_service_account_and_root() {
    // The test above can only pass because gwk writes the fields: an
    // export told to use `default` and run as root fails both policies.
    let Some(checkov) = checkov() else {
        eprintln!(
            "SKIPPED: checkov is absent ({DEFAULT_CHECKOV}; scripts/setup/65-checkov.sh installs it)"
        );
        return;
    };
    let text = "jobs:\n  A:\n    uses: container@v1\n    with:\n      image: bash:5\n      args: [\"true\"]\n    resources:\n      instance-type: C5\n";
    let settings = Settings {
        service_account: "default".to_string(),
        ..Settings::default()
    };
    let (_, ex) = export_text("lax", text, &settings);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lax.yaml"), to_yaml(&ex.workflow)).unwrap();
    let verdicts = scan(&checkov, dir.path());
    let (_, failed) = &verdicts["lax.yaml"];
    assert_eq!(*failed, ids(&["CKV_ARGO_1", "CKV_ARGO_2"]));
}
