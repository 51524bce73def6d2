//! `gwk export argo`: output to stdout or a file (whole or not at all),
//! refusals that leave nothing behind, secrets kept out, and `--submit`
//! with and without `argo`/`kubectl` (stand-in scripts record how gwk calls
//! them; no cluster is reached).

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const WORKFLOW: &str = r#"defaults:
  resources:
    instance-type: C5
  env:
    HF_TOKEN: secret:HF_TOKEN
inputs:
  run-label:
    type: string
jobs:
  CloneRepo:
    uses: git-checkout@v1
    with:
      url: https://github.com/example/repo.git
    outputs:
      repo:
        type: volume
  Train:
    needs: [CloneRepo]
    resources:
      instance-type: A100x2
    inputs:
      repo: CloneRepo.outputs.repo
      label: workflow.inputs.run-label
    uses: script@v1
    with:
      image: bash:5
      script: |-
        ls /inputs/repo
        cat /inputs/label
"#;

fn gwk() -> Command {
    Command::cargo_bin("gwk").unwrap()
}

/// A temporary project directory holding `train.yaml`.
fn project(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("train.yaml");
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn writes_yaml_to_stdout_and_the_same_manifest_to_a_file() {
    let (dir, file) = project(WORKFLOW);
    let stdout = gwk()
        .args(["export", "argo"])
        .arg(&file)
        .args(["--input", "run-label=nightly"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let yaml = String::from_utf8(stdout).unwrap();
    assert!(
        yaml.starts_with("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n"),
        "{yaml}"
    );
    assert!(yaml.contains("generateName: train-"), "{yaml}");
    assert!(yaml.contains("value: nightly"), "{yaml}");
    assert!(yaml.ends_with('\n'));

    let out = dir.path().join("train.argo.yaml");
    gwk()
        .args(["export", "argo"])
        .arg(&file)
        .args(["--input", "run-label=nightly", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), yaml);
    // Only the manifest was added: no temporary file is left beside it.
    assert_eq!(entries(dir.path()), ["train.argo.yaml", "train.yaml"]);

    // JSON by extension, and by --format.
    let json_out = dir.path().join("train.json");
    gwk()
        .args(["export", "argo"])
        .arg(&file)
        .arg("-o")
        .arg(&json_out)
        .assert()
        .success();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap()).unwrap();
    assert_eq!(doc["kind"], "Workflow");
    assert_eq!(doc["spec"]["templates"][0]["name"], "main");
    let stdout = gwk()
        .args(["export", "argo", "--format", "json"])
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc2: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(doc, doc2);
}

#[test]
fn notes_go_to_stderr() {
    let (_dir, file) = project(WORKFLOW);
    gwk()
        .args(["export", "argo"])
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: workflow input `run-label` has no value",
        ));
}

#[test]
fn a_file_with_errors_is_refused_and_nothing_is_written() {
    let (dir, file) = project(&WORKFLOW.replace("needs: [CloneRepo]", "needs: [CloneRepoo]"));
    let out = dir.path().join("out.yaml");
    gwk()
        .args(["export", "argo"])
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("CloneRepoo"));
    assert_eq!(entries(dir.path()), ["train.yaml"]);

    // An existing OUT is left as it was.
    std::fs::write(&out, "previous\n").unwrap();
    gwk()
        .args(["export", "argo"])
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous\n");
    assert_eq!(entries(dir.path()), ["out.yaml", "train.yaml"]);
}

#[test]
fn a_job_the_export_cannot_map_is_refused_by_name_and_nothing_is_written() {
    let text = WORKFLOW.replace("HF_TOKEN: secret:HF_TOKEN", "HF_TOKEN: secret:ephemeral:x1");
    let (dir, file) = project(&text);
    let out = dir.path().join("out.yaml");
    gwk()
        .args(["export", "argo"])
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("cannot export").and(predicate::str::contains(
                "job `CloneRepo`: `HF_TOKEN` reads `secret:ephemeral:x1`",
            )),
        );
    assert_eq!(entries(dir.path()), ["train.yaml"]);
}

#[test]
fn secret_values_never_reach_the_manifest() {
    let (_dir, file) = project(WORKFLOW);
    let value = "sup3r-s3cret-value-8d1f";
    let assert = gwk()
        .args(["export", "argo"])
        .arg(&file)
        .env("GWK_SECRET_HF_TOKEN", value)
        .assert()
        .success();
    let out = assert.get_output();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(value));
    assert!(
        all.contains("secretKeyRef:\n            name: gwk-secrets\n            key: HF_TOKEN"),
        "{all}"
    );
}

#[test]
fn the_export_reads_no_secret_value_so_a_broken_secrets_file_does_not_stop_it() {
    // A git project whose `.secrets` holds a value and then a broken line:
    // `gwk plan` reads it (and refuses it), `gwk export argo` must not.
    let (dir, file) = project(WORKFLOW);
    let git = std::process::Command::new("git")
        .arg("init")
        .arg("--quiet")
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(git.success());
    let value = "fr0m-the-secrets-file-41c9";
    let env_value = "fr0m-the-environment-77ab";
    std::fs::write(
        dir.path().join(".secrets"),
        format!("HF_TOKEN={value}\nthis line is no pair\n"),
    )
    .unwrap();
    gwk()
        .arg("plan")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".secrets"));

    let assert = gwk()
        .args(["export", "argo"])
        .arg(&file)
        .env("GWK_SECRET_HF_TOKEN", env_value)
        .assert()
        .success();
    let out = assert.get_output();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(value), "{all}");
    assert!(!all.contains(env_value), "{all}");
    assert!(all.contains("key: HF_TOKEN"), "{all}");
}

#[test]
fn a_bad_argo_table_in_gwk_toml_is_reported_by_key() {
    let (dir, file) = project(WORKFLOW);
    std::fs::write(
        dir.path().join("gwk.toml"),
        "[argo]\nvolume-size = \"5 GB\"\n",
    )
    .unwrap();
    gwk()
        .args(["export", "argo"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("volume-size").and(predicate::str::contains("5 GB")));
}

/// A directory holding stand-ins for `argo` and/or `kubectl`: each writes
/// its arguments (one a line) to `args`, copies the manifest it is given to
/// `manifest`, and prints what a real one prints. Builtins only, so PATH
/// can hold just this directory.
fn stand_ins(tools: &[(&str, &str, i32)]) -> tempfile::TempDir {
    let bin = tempfile::tempdir().unwrap();
    for (name, prints, code) in tools {
        let manifest_arg = if *name == "argo" { "$2" } else { "$3" };
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$GWK_TEST_DIR/args\"\n\
             while IFS= read -r l || [ -n \"$l\" ]; do printf '%s\\n' \"$l\"; done < \"{manifest_arg}\" > \"$GWK_TEST_DIR/manifest\"\n\
             printf '%s\\n' '{prints}'\nexit {code}\n"
        );
        let path = bin.path().join(name);
        std::fs::write(&path, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

#[test]
fn submit_without_argo_or_kubectl_says_what_to_install_and_writes_nothing() {
    let (dir, file) = project(WORKFLOW);
    let empty = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.yaml");
    gwk()
        .args(["export", "argo", "--submit"])
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .env("PATH", empty.path())
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("Argo Workflows CLI (`argo`)")
                .and(predicate::str::contains("kubectl"))
                .and(predicate::str::contains("install").or(predicate::str::contains("Install"))),
        );
    assert_eq!(entries(dir.path()), ["train.yaml"]);
}

#[test]
fn submit_with_argo_prints_the_workflow_name() {
    let (dir, file) = project(WORKFLOW);
    std::fs::write(dir.path().join("gwk.toml"), "[argo]\nnamespace = \"ml\"\n").unwrap();
    let bin = stand_ins(&[("argo", "train-x7k2p", 0), ("kubectl", "never", 0)]);
    let record = tempfile::tempdir().unwrap();
    gwk()
        .args(["export", "argo", "--submit"])
        .arg(&file)
        .env("PATH", bin.path())
        .env("GWK_TEST_DIR", record.path())
        .assert()
        .success()
        .stdout("train-x7k2p\n");
    let args = std::fs::read_to_string(record.path().join("args")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(args[0], "submit");
    assert_eq!(&args[2..], ["--output", "name", "--namespace", "ml"]);
    // The manifest it got is the export, and its temporary file is gone.
    let submitted = std::fs::read_to_string(record.path().join("manifest")).unwrap();
    assert!(submitted.contains("generateName: train-"), "{submitted}");
    assert!(submitted.contains("namespace: ml"), "{submitted}");
    assert!(!Path::new(args[1]).exists(), "{} was left behind", args[1]);
}

#[test]
fn submit_with_only_kubectl_creates_and_strips_the_kind() {
    let (dir, file) = project(WORKFLOW);
    let bin = stand_ins(&[("kubectl", "workflow.argoproj.io/train-q9z8w", 0)]);
    let record = tempfile::tempdir().unwrap();
    let out = dir.path().join("train.argo.yaml");
    gwk()
        .args(["export", "argo", "--submit"])
        .arg(&file)
        .arg("-o")
        .arg(&out)
        .env("PATH", bin.path())
        .env("GWK_TEST_DIR", record.path())
        .assert()
        .success()
        .stdout("train-q9z8w\n");
    let args = std::fs::read_to_string(record.path().join("args")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(args[..2], ["create", "-f"]);
    assert_eq!(Path::new(args[2]), out, "kubectl gets the written file");
    assert_eq!(&args[3..], ["--output", "name"]);
    assert_eq!(
        std::fs::read_to_string(record.path().join("manifest")).unwrap(),
        std::fs::read_to_string(&out).unwrap()
    );
}

#[test]
fn a_failed_submission_is_an_error() {
    let (_dir, file) = project(WORKFLOW);
    let bin = stand_ins(&[("argo", "Error: namespace not found", 1)]);
    let record = tempfile::tempdir().unwrap();
    gwk()
        .args(["export", "argo", "--submit"])
        .arg(&file)
        .env("PATH", bin.path())
        .env("GWK_TEST_DIR", record.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("argo submit failed"));
}
