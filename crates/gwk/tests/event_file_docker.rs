//! `--event-file`: GitHub's push event payload (a branch, a tag, a deleted
//! ref; the minimal fields and the full documented shape) for `gwk plan`,
//! `gwk trigger` and `gwk run`, and clear errors for malformed payloads.
//! `gwk run` needs the Docker test environment; plan and trigger do not.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

const COMMIT: &str = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
const URL: &str = "https://github.com/Codertocat/Hello-World.git";

/// GitHub's documented push payload, every top-level field ("push" in
/// GitHub's webhook events and payloads reference).
fn full_payload(git_ref: &str, after: &str, deleted: bool) -> String {
    format!(
        r#"{{
  "ref": "{git_ref}",
  "before": "0000000000000000000000000000000000000000",
  "after": "{after}",
  "created": {created},
  "deleted": {deleted},
  "forced": false,
  "base_ref": null,
  "compare": "https://github.com/Codertocat/Hello-World/compare/{git_ref}",
  "commits": [],
  "head_commit": null,
  "repository": {{
    "id": 186853002,
    "node_id": "MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=",
    "name": "Hello-World",
    "full_name": "Codertocat/Hello-World",
    "private": false,
    "owner": {{"name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com", "login": "Codertocat", "id": 21031067, "type": "User", "site_admin": false}},
    "html_url": "https://github.com/Codertocat/Hello-World",
    "description": null,
    "fork": false,
    "url": "https://github.com/Codertocat/Hello-World",
    "git_url": "git://github.com/Codertocat/Hello-World.git",
    "ssh_url": "git@github.com:Codertocat/Hello-World.git",
    "clone_url": "{URL}",
    "svn_url": "https://github.com/Codertocat/Hello-World",
    "homepage": null,
    "size": 0,
    "stargazers_count": 0,
    "watchers_count": 0,
    "language": "Ruby",
    "default_branch": "master",
    "master_branch": "master",
    "created_at": 1557933565,
    "updated_at": "2019-05-15T15:20:41Z",
    "pushed_at": 1557933657
  }},
  "pusher": {{"name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com"}},
  "sender": {{"login": "Codertocat", "id": 21031067, "type": "User", "site_admin": false}}
}}"#,
        created = !deleted,
    )
}

fn minimal_payload(git_ref: &str, after: &str) -> String {
    format!(r#"{{"ref": "{git_ref}", "after": "{after}", "repository": {{"clone_url": "{URL}"}}}}"#)
}

/// Only on main; clones what the event names (the URL and the commit).
const WF: &str = r#"on:
  github:
    branches:
      only: main
defaults:
  resources:
    instance-type: C4
jobs:
  clone:
    uses: git-checkout@v1
    with:
      url: context.event.github.url
      ref: context.event.github.ref
    outputs:
      repo: {type: volume}
  say:
    uses: container@v1
    needs: [clone]
    inputs:
      repo: clone.outputs.repo
    with: {image: bash:5, args: ["bash", "-c", "echo content=$(cat /inputs/repo/f.txt)"]}
"#;

fn gwk(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gwk"));
    c.current_dir(dir)
        .env("GWK_HOME", dir.join("home"))
        .env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn plan_json(dir: &Path, event: &str) -> serde_json::Value {
    let out = gwk(dir)
        .args(["plan", "wf.yaml", "--format", "json", "--event-file", event])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn plan_reads_branch_tag_and_deleted_pushes() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    write(dir, "wf.yaml", WF);
    for (name, payload) in [
        ("full", full_payload("refs/heads/main", COMMIT, false)),
        ("minimal", minimal_payload("refs/heads/main", COMMIT)),
    ] {
        let ev = write(dir, &format!("{name}.json"), &payload);
        let plan = plan_json(dir, &ev);
        let text = plan.to_string();
        assert_eq!(plan["trigger"]["starts"], true, "{name}: {text}");
        assert!(
            text.contains(COMMIT) && text.contains(URL),
            "{name}: {text}"
        );
    }
    // A tag: the workflow runs on main only.
    let ev = write(
        dir,
        "tag.json",
        &full_payload("refs/tags/v1.0", COMMIT, false),
    );
    let plan = plan_json(dir, &ev);
    assert_eq!(plan["trigger"]["starts"], false, "{plan}");
    // A deleted branch starts nothing, and says so.
    let ev = write(
        dir,
        "deleted.json",
        &full_payload(
            "refs/heads/main",
            "0000000000000000000000000000000000000000",
            true,
        ),
    );
    let plan = plan_json(dir, &ev);
    assert_eq!(plan["trigger"]["starts"], false, "{plan}");
    assert!(
        plan["trigger"]["reason"]
            .as_str()
            .unwrap()
            .contains("the push deleted refs/heads/main"),
        "{plan}"
    );
}

#[test]
fn malformed_event_files_are_refused_clearly() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    write(dir, "wf.yaml", WF);
    write(dir, ".gradient/workflows/wf.yaml", WF);
    for (payload, says) in [
        ("{\"ref\": \"refs/heads/main\",", "not JSON (line 1"),
        ("[]", "must be a JSON object"),
        ("{\"after\": \"abc1234\"}", "`ref` is missing"),
        ("{\"ref\": \"main\"}", "a full ref"),
        (
            "{\"ref\": \"refs/heads/main\", \"repository\": {\"clone_url\": 7}}",
            "`repository.clone_url` must be a string",
        ),
    ] {
        let ev = write(dir, "bad.json", payload);
        for cmd in [
            vec!["plan", "wf.yaml", "--event-file", &ev],
            vec!["trigger", "--event-file", &ev, "--dry-run"],
        ] {
            let out = gwk(dir).args(&cmd).output().unwrap();
            let shown = text(&out);
            assert!(!out.status.success(), "{cmd:?}: {shown}");
            assert!(
                shown.contains("bad.json"),
                "{cmd:?} names the file: {shown}"
            );
            assert!(shown.contains(says), "{cmd:?}: {shown}");
            assert!(!shown.contains("panicked"), "{shown}");
        }
    }
    let out = gwk(dir)
        .args(["plan", "wf.yaml", "--event-file", "nope.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("cannot read the event file nope.json"),
        "{}",
        text(&out)
    );
    // --ref and --event-file say two different pushes.
    let ev = write(dir, "ok.json", &minimal_payload("refs/heads/main", COMMIT));
    let out = gwk(dir)
        .args([
            "plan",
            "wf.yaml",
            "--event-file",
            &ev,
            "--ref",
            "refs/heads/x",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("cannot be used with"), "{}", text(&out));
}

#[test]
fn trigger_and_run_take_the_push_from_the_event_file() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    write(dir, ".gradient/workflows/wf.yaml", WF);
    write(dir, "wf.yaml", WF);
    let branch = write(
        dir,
        "branch.json",
        &full_payload("refs/heads/main", COMMIT, false),
    );
    let tag = write(dir, "tag.json", &minimal_payload("refs/tags/v1", COMMIT));
    let deleted = write(
        dir,
        "deleted.json",
        &full_payload(
            "refs/heads/main",
            "0000000000000000000000000000000000000000",
            true,
        ),
    );
    let dry = |ev: &str| {
        let out = gwk(dir)
            .args(["trigger", "--event-file", ev, "--dry-run"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        text(&out)
    };
    assert!(
        dry(&branch).contains("wf.yaml: triggered by refs/heads/main"),
        "{}",
        dry(&branch)
    );
    assert!(
        dry(&tag).contains("wf.yaml: not triggered by refs/tags/v1"),
        "{}",
        dry(&tag)
    );
    assert!(
        dry(&deleted).contains("the push deleted refs/heads/main"),
        "{}",
        dry(&deleted)
    );

    // gwk run: the job clones the URL at the commit the event names (the
    // first of two commits of a local repository); a deleted ref is refused.
    let Some(env) = Env::new() else { return };
    let repo = dir.join("src-repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("f.txt"), "first").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "one"]);
    let first = String::from_utf8(
        Command::new("git")
            .current_dir(&repo)
            .args(["rev-parse", "HEAD"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    std::fs::write(repo.join("f.txt"), "second").unwrap();
    git(&repo, &["commit", "-q", "-am", "two"]);
    let local = write(
        dir,
        "local.json",
        &full_payload("refs/heads/main", &first, false).replace(URL, repo.to_str().unwrap()),
    );
    let out = gwk(dir)
        .env("DOCKER_HOST", env.docker_host())
        .args([
            "run",
            "wf.yaml",
            "--network",
            "none",
            "--event-file",
            &local,
        ])
        .output()
        .unwrap();
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("content=first"), "{shown}");
    let out = gwk(dir)
        .env("DOCKER_HOST", env.docker_host())
        .args([
            "run",
            "wf.yaml",
            "--network",
            "none",
            "--event-file",
            &deleted,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("deleted refs/heads/main; there is no commit to run"),
        "{}",
        text(&out)
    );
    // Through gwk trigger, the run sees the same.
    let out = gwk(dir)
        .env("DOCKER_HOST", env.docker_host())
        .args([
            "trigger",
            "--event-file",
            &local,
            "--",
            "--network",
            "none",
            "--no-cache",
        ])
        .output()
        .unwrap();
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("content=first"), "{shown}");
    // The records say how each run started: only the trigger's names the push.
    let records: Vec<serde_json::Value> = std::fs::read_dir(dir.join("home/runs"))
        .unwrap()
        .filter_map(|e| std::fs::read(e.unwrap().path().join("run.json")).ok())
        .map(|b| serde_json::from_slice(&b).unwrap())
        .collect();
    assert!(records.len() >= 2, "{records:#?}");
    let triggered: Vec<&str> = records
        .iter()
        .filter_map(|r| r["triggered_by"].as_str())
        .collect();
    assert_eq!(triggered, ["refs/heads/main"], "{records:#?}");
}
