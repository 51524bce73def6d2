//! One dataset name rule for `gwk check`, `gwk plan`, `gwk run` and
//! `--dataset` values: a namespaced dataset cannot be
//! written, and a bad `--dataset` value is refused before anything else.

use std::process::Command;

const NAMESPACED_OUTPUT: &str = r#"defaults:
  resources:
    instance-type: C4
jobs:
  writes:
    uses: container@v1
    with: {image: bash:5, args: ["true"]}
    outputs:
      out:
        type: dataset
        with:
          ref: team/model
"#;

const READS: &str = r#"defaults:
  resources:
    instance-type: C4
inputs:
  data:
    type: dataset
    with:
      ref: gradient/voxpt
jobs:
  reads:
    uses: container@v1
    inputs:
      data: workflow.inputs.data
    with: {image: bash:5, args: ["true"]}
"#;

fn gwk(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gwk"));
    c.current_dir(dir)
        .env("GWK_HOME", dir.join("home"))
        .env("NO_COLOR", "1");
    c
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_namespaced_output_fails_at_check_plan_and_run() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("wf.yaml"), NAMESPACED_OUTPUT).unwrap();
    for cmd in [
        vec!["check"],
        vec!["plan"],
        vec!["run", "--network", "none"],
    ] {
        let out = gwk(t.path()).args(&cmd).arg("wf.yaml").output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{cmd:?}: {}", text(&out));
        assert!(
            text(&out).contains("write `team-model`"),
            "{cmd:?}: {}",
            text(&out)
        );
    }
    // No run was made.
    assert!(!t.path().join("home/runs").exists());
}

#[test]
fn a_public_input_passes_check_and_a_bad_dataset_value_is_refused() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("wf.yaml"), READS).unwrap();
    let out = gwk(t.path()).args(["check", "wf.yaml"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    for bad in ["a/b/c", "-x", "s3://b/k", "d:"] {
        let out = gwk(t.path())
            .args(["plan", "wf.yaml", "--dataset"])
            .arg(format!("data={bad}"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out));
        assert!(
            text(&out).contains(&format!("--dataset data={bad}:")),
            "{bad}: {}",
            text(&out)
        );
    }
}

/// A `--dataset` or `--input` value that would leave the store (or names
/// a dataset input as a string) is refused by `plan`, `run` and `export
/// argo` alike, with the flag and what is wrong, before anything is written:
/// `datasets/../../etc` never reaches a manifest or a run.
#[test]
fn plan_run_and_export_refuse_dataset_and_input_values_that_leave_the_store() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("wf.yaml"), READS).unwrap();
    let manifest = t.path().join("out.yaml");
    let cases: &[(&str, &str, &str)] = &[
        (
            "--dataset",
            "x=../../etc",
            "a dataset name does not start with `.`",
        ),
        (
            "--dataset",
            "data=../../etc",
            "a dataset name does not start with `.`",
        ),
        (
            "--dataset",
            "data=..",
            "a dataset name does not start with `.`",
        ),
        ("--dataset", "data=voxpt:../x", "after `:` comes a version"),
        ("--input", "data=../../etc", "is a dataset, not a string"),
        ("--input", "../x=1", "the workflow has no input `../x`"),
    ];
    for cmd in [
        vec!["plan", "wf.yaml"],
        vec!["run", "--network", "none", "wf.yaml"],
        vec![
            "export",
            "argo",
            "wf.yaml",
            "-o",
            manifest.to_str().unwrap(),
        ],
    ] {
        for (flag, value, why) in cases {
            let out = gwk(t.path())
                .args(&cmd)
                .args([flag, value])
                .output()
                .unwrap();
            let said = text(&out);
            assert_eq!(out.status.code(), Some(2), "{cmd:?} {flag} {value}: {said}");
            let name = value.split_once('=').unwrap().0;
            assert!(
                said.contains(&format!("{flag} {name}")) && said.contains(why),
                "{cmd:?} {flag} {value}: {said}"
            );
            assert!(!said.contains("datasets/.."), "{said}");
        }
    }
    assert!(
        !manifest.exists(),
        "a refused export wrote {}",
        manifest.display()
    );
    assert!(
        !t.path().join("home/runs").exists(),
        "a refused run was made"
    );
}
