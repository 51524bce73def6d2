//! Runs that last, against the real Docker engine: history and
//! logs, resume, the cache, create-model, the S3 download, `kill -9` and
//! `gwk gc`, and the JSON event stream.

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Containers started on the engine for a run, counted from Docker's own
/// event log.
fn containers_started(host: &str, run_id: &str, since: &str) -> usize {
    let until = jiff::Timestamp::now().as_second() + 1;
    let out = Command::new("docker")
        .args([
            "-H",
            host,
            "events",
            "--since",
            since,
            "--until",
            &until.to_string(),
        ])
        .args([
            "--filter",
            "event=start",
            "--filter",
            &format!("label=gwk.run={run_id}"),
        ])
        .args(["--format", "{{.Actor.Attributes.name}}"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .count()
}

fn since() -> String {
    (jiff::Timestamp::now().as_second() - 1).to_string()
}

const CHAIN: &str = r#"defaults:
  resources:
    instance-type: C4
inputs:
  mode:
    type: string
    with:
      value: fail
jobs:
  first:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "echo first; echo one > /outputs/v/a.txt"]}
    outputs:
      v: {type: volume}
  middle:
    uses: container@v1
    needs: [first]
    with: {image: bash:5, args: ["bash", "-c", "cat /inputs/v/a.txt; grep -q ok /inputs/mode || { echo 'mode says fail' >&2; exit 4; }; echo -n two > /outputs/s"]}
    inputs:
      v: first.outputs.v
      mode: workflow.inputs.mode
    outputs:
      s: {type: string}
  last:
    uses: container@v1
    needs: [middle]
    with: {image: bash:5, args: ["bash", "-c", "echo last got $(cat /inputs/s)"]}
    inputs:
      s: middle.outputs.s
"#;

/// History and logs after a failure, then `--resume`: only the failed job
/// and its dependents start containers.
#[test]
fn history_logs_and_resume_after_a_failure() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow("chain.yaml", CHAIN);
    let (out, rec) = env.run(&wf, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let rec = rec.unwrap();
    let failed_id = rec["id"].as_str().unwrap().to_string();
    assert_eq!(status(&rec, "first"), "succeeded");
    assert_eq!(status(&rec, "middle"), "failed");
    assert_eq!(job(&rec, "middle")["exit_code"], 4);
    assert_eq!(status(&rec, "last"), "skipped");

    let list = env.gwk().args(["runs", "list"]).output().unwrap();
    let t = text(&list);
    assert!(
        t.contains(&failed_id) && t.contains("failed") && t.contains("chain.yaml"),
        "{t}"
    );
    let show = env
        .gwk()
        .args(["runs", "show", &failed_id[..15]])
        .output()
        .unwrap();
    let t = text(&show);
    assert!(show.status.success(), "{t}");
    assert!(
        t.contains("middle") && t.contains("exit code 4") && t.contains("first"),
        "{t}"
    );
    let logs = env
        .gwk()
        .args(["runs", "logs", "last", "middle"])
        .output()
        .unwrap();
    // stdout and stderr are separate streams: their lines may interleave
    // either way.
    let mut lines: Vec<String> = String::from_utf8_lossy(&logs.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    assert_eq!(lines, ["mode says fail", "one"]);
    let all = env
        .gwk()
        .args(["runs", "logs", &failed_id])
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&all.stdout).to_string();
    assert!(
        logged(&t, "first", "first") && logged(&t, "middle", "mode says fail"),
        "{t}"
    );
    let bad = env.gwk().args(["runs", "show", "nope"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));

    // Resume with the input fixed: `first` is reused, `middle` and `last` run.
    let t0 = since();
    let (out, rec) = env.run(
        &wf,
        &["--resume", &failed_id, "--input", "mode=ok", "--no-cache"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let rec = rec.unwrap();
    let id = rec["id"].as_str().unwrap();
    assert_eq!(rec["resumed_from"], failed_id.as_str());
    assert_eq!(status(&rec, "first"), "cached");
    assert!(
        job(&rec, "first")["message"]
            .as_str()
            .unwrap()
            .contains(&failed_id)
    );
    assert_eq!(status(&rec, "middle"), "succeeded");
    assert_eq!(status(&rec, "last"), "succeeded");
    assert_eq!(
        containers_started(env.docker_host(), id, &t0),
        2,
        "only middle and last start containers"
    );
    assert!(
        logged(&text(&out), "last", "last got two"),
        "{}",
        text(&out)
    );

    // A changed output of the resumed run means that job runs again.
    let failed_dir = env.run_dir(&failed_id);
    std::fs::write(failed_dir.join("jobs/first/outputs/v/a.txt"), "tampered\n").unwrap();
    let t0 = since();
    let (out, rec) = env.run(
        &wf,
        &["--resume", &failed_id, "--input", "mode=ok", "--no-cache"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let rec = rec.unwrap();
    assert_eq!(status(&rec, "first"), "succeeded");
    assert_eq!(
        containers_started(env.docker_host(), rec["id"].as_str().unwrap(), &t0),
        3
    );

    // Outputs, like Gradient's Data tab.
    let outs = env.gwk().args(["runs", "outputs", id]).output().unwrap();
    let t = text(&outs);
    assert!(
        t.contains("middle") && t.contains("string") && t.contains("two"),
        "{t}"
    );
    let copy = env.dir.path().join("copied");
    let out = env
        .gwk()
        .args(["runs", "outputs", id, "--copy"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(copy.join("middle/s")).unwrap(),
        "two"
    );
    assert_eq!(
        std::fs::read_to_string(copy.join("first/v/a.txt")).unwrap(),
        "one\n"
    );
}

/// `--resume` reruns a job that succeeded but whose definition changed
/// since (here its command and its env), and the jobs after it.
#[test]
fn resume_reruns_a_job_whose_definition_changed() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow("chain.yaml", CHAIN);
    let (out, rec) = env.run(&wf, &["--no-cache"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let failed_id = rec.unwrap()["id"].as_str().unwrap().to_string();
    let changes = [
        ("echo first; echo one", "echo first; echo uno"),
        (
            "  first:\n    uses: container@v1\n",
            "  first:\n    uses: container@v1\n    env: {EXTRA: \"1\"}\n",
        ),
    ];
    for (from, to) in changes {
        assert!(CHAIN.contains(from), "{from}");
        let wf = env.workflow("chain.yaml", &CHAIN.replace(from, to));
        let t0 = since();
        let (out, rec) = env.run(
            &wf,
            &["--resume", &failed_id, "--input", "mode=ok", "--no-cache"],
        );
        assert!(out.status.success(), "{}", text(&out));
        let rec = rec.unwrap();
        assert_eq!(status(&rec, "first"), "succeeded", "{to}: {rec:#}");
        assert_eq!(
            containers_started(env.docker_host(), rec["id"].as_str().unwrap(), &t0),
            3,
            "{to}: every job ran"
        );
    }
    // Unchanged, it is reused.
    let wf = env.workflow("chain.yaml", CHAIN);
    let (out, rec) = env.run(
        &wf,
        &["--resume", &failed_id, "--input", "mode=ok", "--no-cache"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(status(&rec.unwrap(), "first"), "cached");
}

const CACHED: &str = r#"defaults:
  resources:
    instance-type: C4
inputs:
  left:
    type: string
    with: {value: "L1"}
  right:
    type: string
    with: {value: "R1"}
jobs:
  a:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "cat /inputs/left > /outputs/o"]}
    inputs: {left: workflow.inputs.left}
    outputs: {o: {type: string}}
  b:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "cat /inputs/right > /outputs/o"]}
    inputs: {right: workflow.inputs.right}
    outputs: {o: {type: string}}
  after-a:
    uses: container@v1
    needs: [a]
    with: {image: bash:5, args: ["bash", "-c", "cat /inputs/x > /outputs/d/x"]}
    inputs: {x: a.outputs.o}
    outputs: {d: {type: volume}}
  join:
    uses: container@v1
    needs: [after-a, b]
    with: {image: bash:5, args: ["bash", "-c", "cat /inputs/d/x /inputs/y"]}
    inputs: {d: after-a.outputs.d, y: b.outputs.o}
"#;

/// The cache: a second identical run starts no container; changing one
/// input reruns exactly the jobs downstream of it; `--no-cache` and
/// gwk.toml's `[run] no-cache` turn it off.
#[test]
fn cache_skips_unchanged_jobs() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow("cached.yaml", CACHED);
    let (out, rec) = env.run(&wf, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let first = rec.unwrap()["id"].as_str().unwrap().to_string();

    let t0 = since();
    let (out, rec) = env.run(&wf, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let rec = rec.unwrap();
    let id = rec["id"].as_str().unwrap();
    for j in ["a", "b", "after-a", "join"] {
        assert_eq!(status(&rec, j), "cached", "{j}");
    }
    assert!(
        job(&rec, "join")["message"]
            .as_str()
            .unwrap()
            .contains(&first)
    );
    assert_eq!(containers_started(env.docker_host(), id, &t0), 0);

    let t0 = since();
    let (out, rec) = env.run(&wf, &["--input", "left=L2"]);
    assert!(out.status.success(), "{}", text(&out));
    let rec = rec.unwrap();
    let id = rec["id"].as_str().unwrap();
    assert_eq!(status(&rec, "a"), "succeeded");
    assert_eq!(status(&rec, "after-a"), "succeeded");
    assert_eq!(status(&rec, "join"), "succeeded");
    assert_eq!(status(&rec, "b"), "cached");
    assert_eq!(containers_started(env.docker_host(), id, &t0), 3);
    assert!(logged(&text(&out), "join", "L2R1"), "{}", text(&out));

    let t0 = since();
    let (_, rec) = env.run(&wf, &["--no-cache"]);
    assert_eq!(
        containers_started(env.docker_host(), rec.unwrap()["id"].as_str().unwrap(), &t0),
        4
    );

    std::fs::write(
        env.dir.path().join("gwk.toml"),
        "[run]\nno-cache = [\"b\"]\n",
    )
    .unwrap();
    let (_, rec) = env.run(&wf, &[]);
    let rec = rec.unwrap();
    assert_eq!(status(&rec, "b"), "succeeded");
    assert_eq!(status(&rec, "a"), "cached");
}

/// create-model@v1 registers the dataset version behind its `model` input
/// and writes the model id to its string output.
#[test]
fn create_model_end_to_end() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "model.yaml",
        r#"defaults:
  resources:
    instance-type: C4
jobs:
  Train:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "echo weights > /outputs/model/model.bin"]}
    outputs:
      model:
        type: dataset
        with: {ref: trained}
  Register:
    uses: create-model@v1
    needs: [Train]
    with:
      name: my-model
      type: ONNX
    inputs:
      model: Train.outputs.model
    outputs:
      model-id:
        type: string
  Use:
    uses: container@v1
    needs: [Register]
    with: {image: bash:5, args: ["bash", "-c", "echo model is $(cat /inputs/id)"]}
    inputs:
      id: Register.outputs.model-id
"#,
    );
    let (out, rec) = env.run(&wf, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let rec = rec.unwrap();
    let model_id = string_output(&rec, "Register", "model-id");
    assert!(model_id.starts_with("mo-"), "{model_id}");
    assert!(
        logged(&text(&out), "Use", &format!("model is {model_id}")),
        "{}",
        text(&out)
    );
    let version = job(&rec, "Train")["outputs"][0]["version"]
        .as_str()
        .unwrap()
        .to_string();
    let list = env
        .gwk()
        .args(["models", "list", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], model_id.as_str());
    assert_eq!(list[0]["name"], "my-model");
    assert_eq!(list[0]["type"], "ONNX");
    assert_eq!(list[0]["dataset"], "trained");
    assert_eq!(list[0]["version"], version.as_str());
    let show = env
        .gwk()
        .args(["models", "show", &model_id])
        .output()
        .unwrap();
    assert!(
        text(&show).contains(&format!("trained:{version}")),
        "{}",
        text(&show)
    );

    // A type Gradient did not know fails the job with a clear message.
    let bad = env.workflow(
        "bad-model.yaml",
        &std::fs::read_to_string(&wf)
            .unwrap()
            .replace("type: ONNX", "type: PyTorch"),
    );
    let (out, rec) = env.run(&bad, &["--no-cache"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    match rec {
        // The checker knows the types: the file is refused before running.
        None => assert!(text(&out).contains("PyTorch"), "{}", text(&out)),
        Some(rec) => {
            assert_eq!(status(&rec, "Register"), "failed");
            let m = job(&rec, "Register")["message"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(m.contains("Tensorflow, ONNX, Custom"), "{m}");
        }
    }
}

struct Moto {
    child: std::process::Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_python() -> String {
    std::env::var("GWK_TEST_MOTO_DIR").unwrap_or_else(|_| "/opt/gwk-test/moto".into())
}

fn start_moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = format!("{}/bin/moto_server", moto_python());
    assert!(
        std::path::Path::new(&server).exists(),
        "{server} is missing: run scripts/setup/20-moto.sh"
    );
    let child = Command::new(server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto { child, port }
}

/// s3-download@v1 from a local S3-compatible server (moto) on 127.0.0.1,
/// with the secret key from secrets only.
#[test]
fn s3_download_from_a_local_server() {
    let Some(env) = Env::new() else { return };
    let moto = start_moto();
    let endpoint = format!("http://127.0.0.1:{}", moto.port);
    let py = format!(
        "import boto3\ns3 = boto3.client('s3', endpoint_url='{endpoint}', region_name='eu-west-1', aws_access_key_id='AKIDTEST', aws_secret_access_key='s3cr3t-key-value')\ns3.create_bucket(Bucket='data', CreateBucketConfiguration={{'LocationConstraint': 'eu-west-1'}})\ns3.put_object(Bucket='data', Key='mnist/train/a.csv', Body=b'1,2,3\\n')\ns3.put_object(Bucket='data', Key='mnist/test/b.csv', Body=b'4,5\\n')\ns3.put_object(Bucket='data', Key='other/c.csv', Body=b'no')\n"
    );
    let out = Command::new(format!("{}/bin/python", moto_python()))
        .arg("-c")
        .arg(&py)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let wf = env.workflow(
        "s3.yaml",
        &format!(
            r#"defaults:
  resources:
    instance-type: C4
jobs:
  Fetch:
    uses: s3-download@v1
    with:
      url: s3://data/mnist
      region: eu-west-1
      endpoint: {endpoint}
      access-key: AKIDTEST
      secret-access-key: secret:S3_SECRET
    outputs:
      data:
        type: volume
  Count:
    uses: container@v1
    needs: [Fetch]
    with: {{image: bash:5, args: ["bash", "-c", "cat /inputs/data/train/a.csv /inputs/data/test/b.csv"]}}
    inputs:
      data: Fetch.outputs.data
"#
        ),
    );
    let (out, rec) = env.run(&wf, &["--secret", "S3_SECRET=s3cr3t-key-value"]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        logged(&t, "Count", "1,2,3") && logged(&t, "Count", "4,5"),
        "{t}"
    );
    assert!(!t.contains("s3cr3t-key-value"));
    let rec = rec.unwrap();
    let v = std::path::PathBuf::from(job(&rec, "Fetch")["outputs"][0]["path"].as_str().unwrap());
    assert!(v.join("train/a.csv").is_file() && !v.join("c.csv").exists());
    // A prefix with no object fails the job, saying so.
    let empty = env.workflow(
        "s3-empty.yaml",
        &std::fs::read_to_string(&wf)
            .unwrap()
            .replace("s3://data/mnist", "s3://data/nothing"),
    );
    let (out, rec) = env.run(&empty, &["--secret", "S3_SECRET=s3cr3t-key-value"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let rec = rec.unwrap();
    assert_eq!(status(&rec, "Fetch"), "failed");
    assert!(
        job(&rec, "Fetch")["message"]
            .as_str()
            .unwrap()
            .contains("no object under s3://data/nothing")
    );
}

/// `--events json`: the stream parses back and agrees with the run record.
#[test]
fn json_events_match_the_run_record() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow("chain.yaml", CHAIN);
    let (out, rec) = env.run(&wf, &["--events", "json", "--keep-going"]);
    assert_eq!(out.status.code(), Some(1));
    let rec = rec.unwrap();
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    let started = kinds.iter().position(|k| *k == "run_started").unwrap();
    assert_eq!(*kinds.last().unwrap(), "run_finished");
    assert_eq!(events[started]["run_id"], rec["id"]);
    assert_eq!(events[started]["schema"], 1);
    assert_eq!(events.last().unwrap()["status"], rec["status"]);
    for j in rec["jobs"].as_array().unwrap() {
        let name = j["name"].as_str().unwrap();
        let fin: Vec<&serde_json::Value> = events
            .iter()
            .filter(|e| e["event"] == "job_finished" && e["job"] == name)
            .collect();
        assert_eq!(fin.len(), 1, "{name}");
        assert_eq!(fin[0]["status"], j["status"]);
        assert_eq!(
            fin[0].get("exit_code"),
            j.get("exit_code").filter(|v| !v.is_null()).or(None),
            "{name}"
        );
        let queued = events
            .iter()
            .any(|e| e["event"] == "job_queued" && e["job"] == name);
        assert!(queued, "{name}");
    }
    let logs: Vec<String> = events
        .iter()
        .filter(|e| e["event"] == "log" && e["job"] == "middle")
        .map(|e| e["line"].as_str().unwrap().to_string())
        .collect();
    let saved = std::fs::read_to_string(
        env.run_dir(rec["id"].as_str().unwrap())
            .join("jobs/middle/log"),
    )
    .unwrap();
    assert_eq!(logs.join("\n") + "\n", saved);
    let committed = events
        .iter()
        .filter(|e| e["event"] == "output_committed" && e["job"] == "first")
        .count();
    assert_eq!(committed, 1);
    // The run's own events.jsonl holds the same run events but `log`
    // (job output is kept once, in the job logs).
    let file = std::fs::read_to_string(
        env.run_dir(rec["id"].as_str().unwrap())
            .join("events.jsonl"),
    )
    .unwrap();
    let logged = events[started..]
        .iter()
        .filter(|e| e["event"] == "log")
        .count();
    assert!(logged > 0);
    assert!(!file.contains("\"event\":\"log\""), "{file}");
    assert_eq!(file.lines().count(), events.len() - started - logged);
}

/// `kill -9` in the middle of a run that commits dataset versions: no
/// committed version is lost, no half-written one is visible, and `gwk
/// gc` cleans up the rest.
#[test]
fn kill_9_then_gc_leaves_a_consistent_store() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "kill.yaml",
        r#"defaults:
  resources:
    instance-type: C4
jobs:
  fast:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "for i in $(seq 1 300); do echo $i > /outputs/d/f$i; done"]}
    outputs:
      d: {type: dataset, with: {ref: killed}}
  slow:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "for i in $(seq 1 300); do echo $i > /outputs/d/f$i; done; sleep 60"]}
    outputs:
      d: {type: dataset, with: {ref: killed}}
"#,
    );
    let mut child = env
        .gwk()
        .args(["run", "--network", "none", "--parallel", "2"])
        .arg(&wf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for `fast` to commit, then kill gwk while `slow` writes.
    let versions = env.home().join("datasets/killed/versions");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_dir(&versions).map(|d| d.count()).unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline, "fast never committed");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let id = env.run_ids().pop().unwrap();
    assert!(
        !containers_of_run(env.docker_host(), &id).is_empty(),
        "the slow container outlives gwk"
    );

    let dry = env.gwk().args(["gc", "--dry-run"]).output().unwrap();
    let t = text(&dry);
    assert!(
        t.contains("would remove container") && t.contains("staging") && t.contains(&id),
        "{t}"
    );
    assert!(
        !containers_of_run(env.docker_host(), &id).is_empty(),
        "--dry-run removes nothing"
    );
    let gc = env.gwk().arg("gc").output().unwrap();
    assert!(gc.status.success(), "{}", text(&gc));
    assert_no_containers(env.docker_host(), &id);
    let again = env.gwk().args(["gc", "--dry-run"]).output().unwrap();
    assert!(
        text(&again).contains("nothing to clean up"),
        "{}",
        text(&again)
    );

    // The store: one committed, complete version; no staging left.
    let store = env.home().join("datasets/killed");
    assert_eq!(std::fs::read_dir(store.join("staging")).unwrap().count(), 0);
    let ids: Vec<String> = std::fs::read_dir(&versions)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(
        std::fs::read_dir(versions.join(&ids[0])).unwrap().count(),
        300
    );
    let vs = env
        .gwk()
        .args(["datasets", "versions", "killed", "--json"])
        .output()
        .unwrap();
    let vs: serde_json::Value = serde_json::from_slice(&vs.stdout).unwrap();
    assert_eq!(vs[0]["files"], 300);
    let rec = env.record(&id);
    assert_eq!(rec["status"], "cancelled");
    assert_eq!(status(&rec, "fast"), "succeeded");
    assert_eq!(status(&rec, "slow"), "cancelled");
    assert_store_consistent(&env.home());
}

/// The dataset store as gwk must leave it after `gwk gc`: no commit in
/// progress, no staging directory, no temporary; every version has its
/// metadata, every metadata file its version, and the recorded hash is
/// the content's.
fn assert_store_consistent(home: &std::path::Path) {
    let root = home.join("datasets");
    let names = |dir: std::path::PathBuf| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    assert_eq!(
        names(root.join(".journal")),
        Vec::<String>::new(),
        "journal"
    );
    for d in names(root.clone()).iter().filter(|n| !n.starts_with('.')) {
        let dir = root.join(d);
        assert_eq!(
            names(dir.join("staging")),
            Vec::<String>::new(),
            "{d}: staging"
        );
        for sub in ["meta", "tags"] {
            let tmp: Vec<String> = names(dir.join(sub))
                .into_iter()
                .filter(|n| n.starts_with('.'))
                .collect();
            assert!(tmp.is_empty(), "{d}/{sub}: temporaries {tmp:?}");
        }
        let versions = names(dir.join("versions"));
        let metas: Vec<String> = names(dir.join("meta"))
            .iter()
            .map(|m| m.trim_end_matches(".json").to_string())
            .collect();
        assert_eq!(versions, metas, "{d}: versions and their metadata");
        for v in &versions {
            let meta: serde_json::Value = serde_json::from_slice(
                &std::fs::read(dir.join("meta").join(format!("{v}.json"))).unwrap(),
            )
            .unwrap();
            let hash = gwk_run::fsutil::hash_tree(&dir.join("versions").join(v))
                .unwrap()
                .hash;
            assert_eq!(meta["hash"], hash, "{d}:{v}");
        }
    }
}

const TWO_DATASETS: &str = r#"defaults:
  resources:
    instance-type: C4
jobs:
  two:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "echo a > /outputs/a/f; echo b > /outputs/b/f"]}
    outputs:
      a: {type: dataset, with: {ref: window-a}}
      b: {type: dataset, with: {ref: window-b}}
"#;

/// Runs TWO_DATASETS with gwk stopped at a point of its dataset commit
/// (the test-only `GWK_TEST_PAUSE_IN_COMMIT`, debug builds), `kill -9`s it
/// there, and runs `gwk gc`.
fn kill_inside_the_commit(env: &Env, point: &str) {
    let wf = env.workflow("two.yaml", TWO_DATASETS);
    let marker = env.dir.path().join(format!("paused-{point}"));
    let mut child = env
        .gwk()
        .args(["run", "--network", "none", "--no-cache"])
        .arg(&wf)
        .env(
            "GWK_TEST_PAUSE_IN_COMMIT",
            format!("{point}:{}", marker.display()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        assert!(
            Instant::now() < deadline,
            "the commit never reached {point}"
        );
        assert!(child.try_wait().unwrap().is_none(), "gwk ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let dry = env.gwk().args(["gc", "--dry-run"]).output().unwrap();
    assert!(
        text(&dry).contains("interrupted dataset commit"),
        "{}",
        text(&dry)
    );
    let gc = env.gwk().arg("gc").output().unwrap();
    assert!(gc.status.success(), "{}", text(&gc));
    let id = env.run_ids().pop().unwrap();
    assert_no_containers(env.docker_host(), &id);
    assert_store_consistent(&env.home());
}

fn version_count(env: &Env, dataset: &str) -> usize {
    std::fs::read_dir(env.home().join("datasets").join(dataset).join("versions"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// `kill -9` inside a dataset commit: past its first rename, `gwk gc`
/// finishes it (both of the job's versions, with their metadata); before
/// it, `gwk gc` undoes it (no version). The store is consistent after each.
#[test]
fn kill_9_inside_a_dataset_commit() {
    let Some(env) = Env::new() else { return };
    kill_inside_the_commit(&env, "rename");
    assert_eq!(version_count(&env, "window-a"), 1);
    assert_eq!(version_count(&env, "window-b"), 1, "rolled forward");
    let out = env
        .gwk()
        .args(["datasets", "export", "window-b", "out-b"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(env.dir.path().join("out-b/f")).unwrap(),
        "b\n"
    );
    let vs = env
        .gwk()
        .args(["datasets", "versions", "window-b", "--json"])
        .output()
        .unwrap();
    let vs: serde_json::Value = serde_json::from_slice(&vs.stdout).unwrap();
    assert_eq!(vs[0]["source"]["job"], "two", "the metadata was written");

    kill_inside_the_commit(&env, "journal");
    assert_eq!(version_count(&env, "window-a"), 1, "rolled back");
    assert_eq!(version_count(&env, "window-b"), 1, "rolled back");
}

/// What a killed gwk leaves besides containers of its run: a GPU probe
/// container, temporaries of atomic writes, metadata without its version.
/// `gwk gc` lists them (`--dry-run`), then removes them.
#[test]
fn gc_removes_a_dead_gwks_probe_and_stale_files() {
    let Some(env) = Env::new() else { return };
    let home = env.home();
    let dead = 999_999_999;
    let probe = format!("gwk-probe-test-{}", std::process::id());
    let out = Command::new("docker")
        .args(["-H", env.docker_host(), "create", "--name", &probe])
        .args(["--label", "gwk.run=probe"])
        .arg("--label")
        .arg(format!("gwk.home={}", home.display()))
        .args(["--label", &format!("gwk.pid={dead}")])
        .args(["--network", "none", "bash:5", "true"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let run = home.join("runs/20200101-000000-000-abcdef");
    let meta = home.join("datasets/left/meta");
    std::fs::create_dir_all(&run).unwrap();
    std::fs::create_dir_all(home.join("datasets/left/versions")).unwrap();
    std::fs::create_dir_all(&meta).unwrap();
    let files = [
        run.join(format!(".run.json.tmp-{dead}-a1b2c3")),
        meta.join(format!(".x.json.tmp-{dead}-a1b2c3")),
        meta.join("20200101-000000-000-abcdef.json"),
    ];
    for f in &files {
        std::fs::write(f, "{}").unwrap();
    }
    let dry = env.gwk().args(["gc", "--dry-run"]).output().unwrap();
    let t = text(&dry);
    assert!(
        t.contains(&format!("would remove container {probe} (a GPU probe")),
        "{t}"
    );
    for f in &files {
        assert!(t.contains(&f.display().to_string()), "{t}");
        assert!(f.exists(), "--dry-run removes nothing");
    }
    let gc = env.gwk().arg("gc").output().unwrap();
    assert!(gc.status.success(), "{}", text(&gc));
    for f in &files {
        assert!(!f.exists(), "{} left", f.display());
    }
    let left = Command::new("docker")
        .args(["-H", env.docker_host(), "ps", "-aq", "--filter"])
        .arg(format!("name={probe}"))
        .output()
        .unwrap();
    assert!(left.stdout.is_empty(), "the probe container is left");
    assert_store_consistent(&home);
}

/// `gwk trigger --ref` runs the workflows whose trigger matches;
/// `gwk hooks install` adds a pre-push hook that does it, `uninstall`
/// removes it.
#[test]
fn trigger_and_pre_push_hook() {
    let Some(env) = Env::new() else { return };
    let repo = env.dir.path();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(repo.join(".gradient/workflows")).unwrap();
    for (name, filter, word) in [
        ("main.yaml", "branches:\n      only: main", "on-main"),
        ("tags.yaml", "tags:\n      only: v*", "on-tag"),
    ] {
        std::fs::write(
            repo.join(".gradient/workflows").join(name),
            format!("on:\n  github:\n    {filter}\ndefaults:\n  resources:\n    instance-type: C4\njobs:\n  say:\n    uses: container@v1\n    with: {{image: bash:5, args: [\"echo\", \"{word}\"]}}\n"),
        )
        .unwrap();
    }
    let out = env
        .gwk()
        .args([
            "trigger",
            "--ref",
            "refs/tags/v1.0",
            "--",
            "--network",
            "none",
        ])
        .output()
        .unwrap();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("tags.yaml: triggered") && t.contains("main.yaml: not triggered"),
        "{t}"
    );
    assert!(logged(&t, "say", "on-tag") && !t.contains("on-main"), "{t}");
    for id in env.run_ids() {
        assert_no_containers(env.docker_host(), &id);
    }

    let out = env
        .gwk()
        // As `gwk hooks install --help` shows it: run options, no `--`.
        .args(["hooks", "install", "--options", "--network none --quiet"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let hook = repo.join(".git/hooks/pre-push");
    assert!(
        std::fs::read_to_string(&hook)
            .unwrap()
            .contains("trigger --ref")
    );
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "wf"]);
    let remote = env.dir.path().join("remote.git");
    let out = Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&remote)
        .output()
        .unwrap();
    assert!(out.status.success());
    git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    let before = env.run_ids().len();
    let out = Command::new("git")
        .current_dir(repo)
        .env("GWK_HOME", env.home())
        .env("DOCKER_HOST", env.docker_host())
        .args(["push", "-q", "origin", "main"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        env.run_ids().len(),
        before + 1,
        "the push ran main.yaml: {}",
        text(&out)
    );
    let out = env.gwk().args(["hooks", "uninstall"]).output().unwrap();
    assert!(out.status.success() && !hook.exists(), "{}", text(&out));
}

/// `gwk runs logs --follow` prints a job's lines as they come and returns
/// when the run ends.
#[test]
fn logs_follow_a_live_run() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "talk.yaml",
        r#"defaults:
  resources:
    instance-type: C4
jobs:
  talk:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "for i in 1 2 3 4; do echo line $i; sleep 0.5; done"]}
"#,
    );
    let mut child = env
        .gwk()
        .args(["run", "--network", "none", "--quiet"])
        .arg(&wf)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let id = loop {
        if let Some(id) = env.run_ids().pop()
            && env.run_dir(&id).join("run.json").exists()
        {
            break id;
        }
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(50));
    };
    let follow = env
        .gwk()
        .args(["runs", "logs", &id, "talk", "--follow"])
        .output()
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        String::from_utf8_lossy(&follow.stdout),
        "line 1\nline 2\nline 3\nline 4\n"
    );
    assert_no_containers(env.docker_host(), &id);
}
