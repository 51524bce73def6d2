//! The language server and the CLI see one project: on the
//! same fixture, the secrets and datasets the server completes are those
//! `gwk plan` resolves, and the workflow files the server scans are those
//! `gwk check` walks. The fixture is built where the two used to disagree:
//! a git repository whose `.secrets` is above the project folder (which
//! has a `.secrets` of its own), a dotenv name the checker rejects
//! (`DB.pass`), store directories that are not datasets, and workflow
//! files deeper than four levels and under `node_modules`.

mod common;

use common::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const DOC: &str = "jobs:
  Main:
    uses: container@v1
    with:
      image: bash:5
      args: [\"true\"]
    resources:
      instance-type: C5
    env:
      TOKEN: \"secret:\"
    inputs:
      data:
        type: dataset
        with:
          ref: 
";

/// A workflow whose only dataset reference is `name`.
fn uses_dataset(name: &str) -> String {
    format!(
        "jobs:\n  A:\n    uses: container@v1\n    with:\n      image: bash:5\n      args: [\"true\"]\n    resources:\n      instance-type: C5\n    inputs:\n      d:\n        type: dataset\n        with:\n          ref: {name}\n"
    )
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// (label, detail) of each completion item at the end of `after` in DOC.
fn complete(s: &mut Server, uri: &str, after: &str) -> Vec<(String, String)> {
    let items = s.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position_after(DOC, after)}),
    );
    items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["label"].as_str().unwrap().to_string(),
                i["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn position_after(text: &str, marker: &str) -> Value {
    let at = text.find(marker).unwrap() + marker.len();
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col})
}

/// `gwk plan --format json` of `text`, written into the project.
fn plan(project: &Path, home: &Path, text: &str) -> Value {
    write(project, ".gradient/plan-probe.yaml", text);
    let out = Command::new(gwk_binary())
        .args(["plan", "--format", "json", ".gradient/plan-probe.yaml"])
        .current_dir(project)
        .env("GWK_HOME", home)
        .output()
        .unwrap();
    std::fs::remove_file(project.join(".gradient/plan-probe.yaml")).unwrap();
    assert!(
        out.status.success(),
        "gwk plan refused the probe:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn missing(plan: &Value, kind: &str) -> BTreeSet<String> {
    plan["missing"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == kind)
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_server_completes_and_scans_what_the_cli_resolves_and_walks() {
    let top = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let repo = top.path();
    std::fs::create_dir(repo.join(".git")).unwrap();
    let project = repo.join("proj");
    write(
        repo,
        ".secrets",
        "HF_TOKEN=v-hf-3141\nexport WANDB_KEY=v-wandb-2718\nDB.pass=\"v-db-1618\"\nlower_case=v-lower-1414\n",
    );
    // The folder holding `.gradient` is not where `gwk plan` looks.
    write(&project, ".secrets", "PROJECT_ONLY=v-project-1732\n");

    let store = home.path().join("datasets");
    for d in [
        "committed/versions/20260101-000000-000-abcdef",
        "empty/versions",
        "half-made",
        ".journal/versions",
    ] {
        std::fs::create_dir_all(store.join(d)).unwrap();
    }

    for (rel, dataset) in [
        (".gradient/workflows/other.yaml", "from-other"),
        (".gradient/workflows/a/b/c/d/e/deep.yml", "from-deep"),
        (
            ".gradient/workflows/node_modules/pkg.yaml",
            "from-node-modules",
        ),
        (".gradient/workflows/target/built.yaml", "from-target"),
        (".gradient/elsewhere.yaml", "from-elsewhere"),
    ] {
        write(&project, rel, &uses_dataset(dataset));
    }
    let doc = project.join(".gradient/workflows/main.yaml");
    write(&project, ".gradient/workflows/main.yaml", DOC);

    let mut s = Server::start(&[("GWK_HOME", home.path().to_str().unwrap())]);
    s.initialize(json!({}), &project);
    let doc_uri = uri(&doc);
    s.open(&doc_uri, DOC);
    s.diagnostics(&doc_uri, 1);
    let secrets = complete(&mut s, &doc_uri, "TOKEN: \"secret:");
    let datasets = complete(&mut s, &doc_uri, "          ref: ");
    assert_eq!(s.shutdown(), 0);

    let shown = |items: &[(String, String)], detail: &dyn Fn(&str) -> bool| -> BTreeSet<String> {
        items
            .iter()
            .filter(|(_, d)| detail(d))
            .map(|(l, _)| l.clone())
            .collect()
    };

    // Secrets: every name the server offers from the secrets file is one
    // `gwk check` accepts (the plan would refuse the probe otherwise) and
    // `gwk plan` resolves; every name the file defines that a workflow can
    // spell is offered.
    let from_file = shown(&secrets, &|d| d.ends_with(".secrets"));
    let candidates = ["HF_TOKEN", "WANDB_KEY", "lower_case", "PROJECT_ONLY"];
    let mut probe = String::from(
        "jobs:\n  A:\n    uses: container@v1\n    with:\n      image: bash:5\n      args: [\"true\"]\n    resources:\n      instance-type: C5\n    env:\n",
    );
    for (i, name) in candidates
        .iter()
        .chain(
            from_file
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .iter(),
        )
        .enumerate()
    {
        probe.push_str(&format!("      S{i}: secret:{name}\n"));
    }
    let unresolved = missing(&plan(&project, home.path(), &probe), "secret");
    let resolved: BTreeSet<String> = candidates
        .iter()
        .chain(
            from_file
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .iter(),
        )
        .filter(|n| !unresolved.contains(**n))
        .map(|n| n.to_string())
        .collect();
    assert_eq!(from_file, resolved, "completed {secrets:?}");
    assert_eq!(
        from_file,
        ["HF_TOKEN", "WANDB_KEY", "lower_case"]
            .map(String::from)
            .into(),
        "the server read another secrets file, or a name the checker rejects"
    );
    assert!(
        !format!("{secrets:?}").contains("v-"),
        "a secret value reached the editor"
    );

    // Datasets: the store's datasets the server offers are those the plan
    // finds in the store.
    let from_store = shown(&datasets, &|d| d.contains("local dataset store"));
    let candidates = ["committed", "empty", "half-made"];
    let mut probe = String::from("jobs:\n");
    for (i, name) in candidates.iter().enumerate() {
        probe.push_str(&format!(
            "  J{i}:\n    uses: container@v1\n    with:\n      image: bash:5\n      args: [\"true\"]\n    resources:\n      instance-type: C5\n    inputs:\n      d:\n        type: dataset\n        with:\n          ref: {name}\n"
        ));
    }
    let plan_json = plan(&project, home.path(), &probe);
    let not_in_store: BTreeSet<String> = plan_json["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|j| j["mounts"].as_array().unwrap().clone())
        .map(|m| m["source"]["dataset"].clone())
        .filter(|d| d["status"] == "not-in-store")
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect();
    let in_store: BTreeSet<String> = candidates
        .iter()
        .filter(|n| !not_in_store.contains(**n))
        .map(|n| n.to_string())
        .collect();
    assert_eq!(from_store, in_store, "completed {datasets:?}");
    assert_eq!(from_store, ["committed", "empty"].map(String::from).into());

    // Workflow files: those whose datasets the server offers, with the
    // document itself, are those `gwk check` walks in the project folder.
    let scanned: BTreeSet<String> = datasets
        .iter()
        .filter_map(|(_, d)| d.strip_prefix("used in "))
        .map(str::to_string)
        .chain([".gradient/workflows/main.yaml".to_string()])
        .collect();
    let out = Command::new(gwk_binary())
        .args(["check", "--format", "json"])
        .current_dir(&project)
        .env("GWK_HOME", home.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let walked: BTreeSet<String> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(scanned, walked);
    assert_eq!(
        walked,
        [
            ".gradient/workflows/a/b/c/d/e/deep.yml",
            ".gradient/workflows/main.yaml",
            ".gradient/workflows/other.yaml",
        ]
        .map(String::from)
        .into()
    );
}
