//! `gwk runs why` against the real Docker engine: a job that ran for the
//! first time, one taken from the cache, one that ran again for each part
//! of its key (image, script, env, input content, instance type), a
//! skipped and a resumed job; the reason on `--events json` start events
//! and in `gwk run`'s lines; a secret in the key never stored.

mod common;

use common::*;

struct Wf<'a> {
    image: &'a str,
    script: &'a str,
    mode: &'a str,
    instance: &'a str,
}

const BASE: Wf = Wf {
    image: "bash:5",
    script: "echo trained > /outputs/m/model.txt",
    mode: "fast",
    instance: "C4",
};

/// prep → train (script@v1, reads prep's output and a secret) → report.
fn workflow(w: &Wf) -> String {
    format!(
        r#"defaults:
  resources:
    instance-type: C4
inputs:
  level:
    type: string
    with:
      value: one
jobs:
  prep:
    uses: container@v1
    with: {{image: bash:5, args: ["bash", "-c", "cat /inputs/level > /outputs/p/level.txt"]}}
    inputs:
      level: workflow.inputs.level
    outputs:
      p: {{type: volume}}
  train:
    uses: script@v1
    needs: [prep]
    env:
      MODE: {mode}
      TOKEN: secret:token
    resources:
      instance-type: {instance}
    inputs:
      p: prep.outputs.p
    outputs:
      m: {{type: volume}}
    with:
      image: {image}
      script: |-
        test "${{#TOKEN}}" -eq 18
        {script}
  report:
    uses: container@v1
    needs: [train]
    with: {{image: bash:5, args: ["bash", "-c", "cat /inputs/m/model.txt"]}}
    inputs:
      m: train.outputs.m
"#,
        image = w.image,
        script = w.script,
        mode = w.mode,
        instance = w.instance,
    )
}

const SECRET: &str = "sup3r-s3cret-value";

/// `gwk runs why RUN --json`, as (job → explanation).
fn why(env: &Env, run: &str) -> serde_json::Value {
    let out = env
        .gwk()
        .args(["runs", "why", run, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut map = serde_json::Map::new();
    for e in list.as_array().unwrap() {
        map.insert(e["job"].as_str().unwrap().to_string(), e.clone());
    }
    serde_json::Value::Object(map)
}

fn run_ok(env: &Env, w: &Wf, args: &[&str]) -> (String, serde_json::Value) {
    let wf = env.workflow("wf.yaml", &workflow(w));
    let mut all = vec!["--secret", "token=sup3r-s3cret-value"];
    all.extend_from_slice(args);
    let (out, rec) = env.run(&wf, &all);
    let rec = rec.expect("a run record");
    (text(&out), rec)
}

fn parts(e: &serde_json::Value) -> Vec<String> {
    e["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["part"].as_str().unwrap().to_string())
        .collect()
}

/// An image of this test's own (bash:5 with a label: another id), removed
/// when the test ends. The test images all share one id, and the key
/// holds the image's id.
struct OwnImage {
    host: String,
    tag: String,
}

impl OwnImage {
    /// `docker commit` of a stopped bash:5 container with a label: no
    /// builder, no registry.
    fn build(host: &str) -> OwnImage {
        let tag = format!("gwk-test/why-{}:1", std::process::id());
        let scratch = format!("gwk-test-why-{}", std::process::id());
        let docker = |args: &[&str]| {
            let out = std::process::Command::new("docker")
                .args(["-H", host])
                .args(args)
                .output()
                .unwrap();
            assert!(out.status.success(), "docker {args:?}: {}", text(&out));
        };
        docker(&["create", "--name", &scratch, "bash:5", "true"]);
        docker(&[
            "commit",
            "--change",
            &format!("LABEL gwk.test.why={tag}"),
            &scratch,
            &tag,
        ]);
        docker(&["rm", &scratch]);
        OwnImage {
            host: host.to_string(),
            tag,
        }
    }
}

impl Drop for OwnImage {
    fn drop(&mut self) {
        let _ = std::process::Command::new("docker")
            .args(["-H", &self.host, "rmi", &self.tag])
            .output();
    }
}

#[test]
fn runs_why_tells_each_cause() {
    let Some(env) = Env::new() else { return };
    let own = OwnImage::build(env.docker_host());

    // First run: nothing to compare with.
    let (out, r1) = run_ok(&env, &BASE, &[]);
    assert_eq!(r1["status"], "succeeded", "{out}");
    let id1 = r1["id"].as_str().unwrap();
    let w = why(&env, id1);
    for j in ["prep", "train", "report"] {
        assert_eq!(w[j]["verdict"], "ran", "{w}");
        assert_eq!(w[j]["reason"], "ran: no earlier run of this job", "{w}");
    }
    assert!(
        out.contains("(ran: no earlier run of this job)"),
        "one line per job says why: {out}"
    );

    // The same again: every job from the cache.
    let (out, r2) = run_ok(&env, &BASE, &[]);
    let w = why(&env, r2["id"].as_str().unwrap());
    for j in ["prep", "train", "report"] {
        assert_eq!(w[j]["verdict"], "cached", "{w}");
        assert!(
            w[j]["reason"]
                .as_str()
                .unwrap()
                .starts_with("cached: same as job"),
            "{w}"
        );
    }
    assert!(out.contains("cached"), "{out}");

    // Each part of train's key in turn: train runs again and says which.
    let script = Wf {
        script: "echo trained again > /outputs/m/model.txt",
        ..BASE
    };
    let image = Wf {
        image: &own.tag,
        ..BASE
    };
    let mode = Wf {
        mode: "slow",
        ..BASE
    };
    let instance = Wf {
        instance: "C5",
        ..BASE
    };
    let cases: [(&Wf, &str, &str); 4] = [
        (&script, "script", "ran: the script changed"),
        (&image, "image", "ran: the image changed"),
        (&mode, "env", "ran: env MODE changed"),
        (&instance, "instance_type", "ran: the instance type changed"),
    ];
    let mut script_run = String::new();
    for (wf, part, reason) in cases {
        // Compared with a run of the base workflow (from the cache).
        let (out, r) = run_ok(&env, &BASE, &[]);
        assert_eq!(r["jobs"][1]["status"], "cached", "{out}");
        let (out, r) = run_ok(&env, wf, &["--events", "json"]);
        if part == "script" {
            script_run = r["id"].as_str().unwrap().to_string();
        }
        assert_eq!(r["status"], "succeeded", "{part}: {out}");
        let w = why(&env, r["id"].as_str().unwrap());
        assert_eq!(w["prep"]["verdict"], "cached", "{part}: {w}");
        assert_eq!(w["train"]["verdict"], "ran", "{part}: {w}");
        assert_eq!(w["train"]["reason"], reason, "{part}: {w}");
        assert_eq!(parts(&w["train"]), [part], "{part}: {w}");
        // The start event carries the same reason.
        let started = out
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|e| e["event"] == "job_started" && e["job"] == "train")
            .unwrap_or_else(|| panic!("no start event for train: {out}"));
        assert_eq!(started["reason"], reason, "{out}");
    }

    // The human diff of the script.
    let out = env
        .gwk()
        .args(["runs", "why", &script_run, "train"])
        .output()
        .unwrap();
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("ran: the script changed"), "{shown}");
    assert!(
        shown.contains("- echo trained > /outputs/m/model.txt")
            && shown.contains("+ echo trained again > /outputs/m/model.txt"),
        "{shown}"
    );
    assert!(!shown.contains("prep"), "only the job asked for: {shown}");

    // An input's content: prep's output changes, so train's input does.
    run_ok(&env, &BASE, &[]);
    let (out, r) = run_ok(&env, &BASE, &["--input", "level=two"]);
    assert_eq!(r["status"], "succeeded", "{out}");
    let w = why(&env, r["id"].as_str().unwrap());
    assert_eq!(w["prep"]["reason"], "ran: input level changed", "{w}");
    assert_eq!(w["train"]["reason"], "ran: input p changed", "{w}");
    assert_eq!(parts(&w["train"]), ["input"], "{w}");

    // A secret's value changed: told, never shown, never stored.
    run_ok(&env, &BASE, &[]);
    let wf = env.workflow("wf.yaml", &workflow(&BASE));
    let (out, r) = env.run(
        &wf,
        &["--secret", "token=another-s3cret-value", "--no-cache"],
    );
    let r = r.unwrap();
    assert_eq!(
        r["status"],
        "failed",
        "the script checks the token: {}",
        text(&out)
    );
    let w = why(&env, r["id"].as_str().unwrap());
    assert!(
        w["train"]["reason"]
            .as_str()
            .unwrap()
            .contains("env TOKEN changed"),
        "{w}"
    );
    assert_eq!(w["report"]["verdict"], "skipped", "{w}");
    assert!(
        w["report"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("skipped: not started: `train` failed"),
        "{w}"
    );
    let failed_id = r["id"].as_str().unwrap().to_string();
    for id in env.run_ids() {
        let record = std::fs::read_to_string(env.run_dir(&id).join("run.json")).unwrap();
        assert!(!record.contains(SECRET), "run {id} stored the secret");
        assert!(
            !record.contains("another-s3cret"),
            "run {id} stored the secret"
        );
        let events = std::fs::read_to_string(env.run_dir(&id).join("events.jsonl")).unwrap();
        assert!(
            !events.contains(SECRET),
            "run {id}'s events hold the secret"
        );
    }

    // Resumed: prep and train succeeded before? No: train failed. Resume
    // with the right secret: prep is reused from the failed run, train
    // runs again and says where it was compared.
    let out = env
        .gwk()
        .args(["run", "--resume", &failed_id, "--network", "none"])
        .args(["--secret", "token=sup3r-s3cret-value", "--no-cache"])
        .output()
        .unwrap();
    let last = env.run_ids().pop().unwrap();
    let w = why(&env, &last);
    assert_eq!(w["prep"]["verdict"], "resumed", "{}\n{w}", text(&out));
    assert_eq!(
        w["prep"]["reason"],
        format!("reused from run {failed_id}"),
        "{w}"
    );
    assert_eq!(w["train"]["verdict"], "ran", "{w}");
    assert_eq!(w["train"]["compared_with"], failed_id.as_str(), "{w}");
    assert!(
        w["train"]["reason"]
            .as_str()
            .unwrap()
            .contains("env TOKEN changed"),
        "{w}"
    );

    // A run id that does not exist, a job that does not.
    let out = env.gwk().args(["runs", "why", "nope"]).output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("no run `nope`"), "{}", text(&out));
    let out = env
        .gwk()
        .args(["runs", "why", &last, "nojob"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("has no job `nojob`"), "{}", text(&out));
}
