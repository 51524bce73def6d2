//! `gwk run` against the real Docker engine of the test environment
//! (scripts/docker-test-env.sh; docs/testing.md). Every run is checked to
//! leave no container with its `gwk.run` label.

mod common;

use common::*;
use std::process::Command;
use std::time::{Duration, Instant};

/// The seed tutorial's shape: clone a repository, train on it into a
/// dataset, a side job, and a fan-in reading both. Then the dataset's
/// versioning: two runs make two versions, a tag resolves, a failed job
/// adds none.
#[test]
fn tutorial_shape_clone_train_dataset_fan_in() {
    let Some(env) = Env::new() else { return };
    let repo = env.dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("train.py"), "print('training')\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "one"]);
    git(&repo, &["tag", "v1"]);
    std::fs::write(repo.join("train.py"), "print('training v2')\n").unwrap();
    git(&repo, &["commit", "-q", "-am", "two"]);
    let wf = env.workflow(
        "tutorial.yaml",
        r#"defaults:
  resources:
    instance-type: C5
jobs:
  CloneRepo:
    uses: git-checkout@v1
    with:
      url: context.event.github.url
      ref: v1
    outputs:
      repo:
        type: volume
  Train:
    uses: script@v1
    needs: [CloneRepo]
    with:
      image: bash:5
      script: |-
        cp /inputs/repo/train.py /outputs/model/
        echo "epochs=$EPOCHS" > /outputs/model/meta.txt
    env:
      EPOCHS: "3"
    inputs:
      repo: CloneRepo.outputs.repo
    outputs:
      model:
        type: dataset
        with:
          ref: demo-model:nightly
  Stats:
    uses: container@v1
    with:
      image: bash:5
      args: ["bash", "-c", "echo -n 42 > /outputs/count"]
    outputs:
      count:
        type: string
  Report:
    uses: script@v1
    needs: [Train, Stats]
    with:
      image: bash:5
      script: |-
        cat /inputs/model/train.py /inputs/model/meta.txt
        echo "count=$(cat /inputs/count)"
        ls /inputs/repo >/dev/null 2>&1 || echo "no repo here"
    inputs:
      model: Train.outputs.model
      count: Stats.outputs.count
"#,
    );
    let url = format!("file://{}", repo.display());
    let (out, rec) = env.run(&wf, &["--github-url", &url]);
    let rec = rec.expect("a run record");
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(logged(&t, "Report", "print('training')"), "{t}");
    assert!(logged(&t, "Report", "epochs=3"), "{t}");
    assert!(logged(&t, "Report", "count=42"), "{t}");
    for j in ["CloneRepo", "Train", "Stats", "Report"] {
        assert_eq!(status(&rec, j), "succeeded", "{j}: {rec:#}");
    }
    let v1 = job(&rec, "Train")["outputs"][0]["version"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        t.contains(&format!("dataset demo-model, new version {v1}")),
        "{t}"
    );

    // A second run: a second version; tag the first and read it back.
    let (out, _) = env.run(&wf, &["--github-url", &url, "--quiet", "--no-cache"]);
    assert!(out.status.success(), "{}", text(&out));
    let versions = env
        .gwk()
        .args(["datasets", "versions", "demo-model", "--json"])
        .output()
        .unwrap();
    let versions: serde_json::Value = serde_json::from_slice(&versions.stdout).unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 2, "{versions:#}");
    // `ref: demo-model:nightly`: each new version takes the tag.
    assert!(versions[0].get("tags").is_none(), "{versions:#}");
    assert_eq!(
        versions[1]["tags"],
        serde_json::json!(["nightly"]),
        "{versions:#}"
    );
    let tag = env
        .gwk()
        .args(["datasets", "tag", "demo-model", "gold", &v1])
        .output()
        .unwrap();
    assert!(tag.status.success(), "{}", text(&tag));
    let reader = env.workflow(
        "reader.yaml",
        r#"defaults:
  resources:
    instance-type: C4
inputs:
  model:
    type: dataset
    with:
      ref: demo-model:gold
jobs:
  Read:
    uses: container@v1
    with:
      image: bash:5
      args: ["bash", "-c", "cat /inputs/model/meta.txt > /outputs/meta"]
    inputs:
      model: workflow.inputs.model
    outputs:
      meta:
        type: string
"#,
    );
    let (out, rec) = env.run(&reader, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(string_output(&rec.unwrap(), "Read", "meta"), "epochs=3\n");

    // A failing job adds no version and leaves no staging directory.
    let failing = env.workflow(
        "failing.yaml",
        r#"defaults:
  resources:
    instance-type: C4
jobs:
  Broken:
    uses: container@v1
    with:
      image: bash:5
      args: ["bash", "-c", "echo half > /outputs/model/part; exit 1"]
    outputs:
      model:
        type: dataset
        with:
          ref: demo-model
"#,
    );
    let (out, rec) = env.run(&failing, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(status(&rec.unwrap(), "Broken"), "failed");
    let versions = env
        .gwk()
        .args(["datasets", "versions", "demo-model", "--json"])
        .output()
        .unwrap();
    let versions: serde_json::Value = serde_json::from_slice(&versions.stdout).unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let staging = env.home().join("datasets/demo-model/staging");
    assert_eq!(std::fs::read_dir(staging).unwrap().count(), 0);
}

/// The seed docs' examples: a volume from job-1 to job-2, a string
/// workflow input, a string passed between jobs; and a secret that
/// appears in no output, log or record.
#[test]
fn docs_examples_volume_and_strings_and_secrets_stay_hidden() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "docs.yaml",
        r#"defaults:
  resources:
    instance-type: C4
  env:
    HELLO: secret:hello
inputs:
  echo:
    type: string
    with:
      value: "hello world"
jobs:
  job-1:
    uses: container@v1
    with:
      image: bash:5
      args: ["bash", "-c", "cat /inputs/echo > /outputs/data2/echo.txt; echo ENV $HELLO $TSTVAR > /outputs/echo2; echo \"id=$GWK_RUN_ID name=$GWK_JOB_NAME\"; echo leaked: $HELLO >&2"]
    env:
      TSTVAR: test
    inputs:
      echo: workflow.inputs.echo
    outputs:
      data2:
        type: volume
      echo2:
        type: string
  job-2:
    uses: container@v1
    needs: [job-1]
    with:
      image: bash:5
      args: ["bash", "-c", "cat /inputs/data2/echo.txt; echo; cat /inputs/echo2; echo x > /inputs/data2/w 2>/dev/null || echo read-only"]
    inputs:
      data2: job-1.outputs.data2
      echo2: job-1.outputs.echo2
"#,
    );
    let secret = "pa55-w0rd-xyz";
    let (out, rec) = env.run(
        &wf,
        &[
            "--input",
            "echo=from the option",
            "--secret",
            &format!("hello={secret}"),
        ],
    );
    let rec = rec.unwrap();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let id = rec["id"].as_str().unwrap();
    assert!(logged(&t, "job-1", &format!("id={id} name=job-1")), "{t}");
    assert!(logged(&t, "job-1", "leaked: ***"), "{t}");
    assert!(logged(&t, "job-2", "from the option"), "{t}");
    assert!(logged(&t, "job-2", "ENV *** test"), "{t}");
    assert!(logged(&t, "job-2", "read-only"), "{t}");
    assert_eq!(string_output(&rec, "job-1", "echo2"), "ENV *** test\n");
    assert!(!t.contains(secret));
    for f in files_under(&env.run_dir(id)) {
        let bytes = std::fs::read(&f).unwrap();
        // The string output the job wrote holds the value (it is the job's
        // own data); everything gwk wrote must not.
        if f.ends_with("outputs/echo2") {
            continue;
        }
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret),
            "{} holds the secret",
            f.display()
        );
    }

    // A missing secret is refused before any container exists.
    let (out, rec) = env.run(&wf, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("hello"), "{}", text(&out));
    assert!(rec.is_none(), "a refused run has no record");
}

/// Two independent jobs that sleep 2 s run at the same time; the join
/// starts after both.
#[test]
fn independent_jobs_overlap() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "par.yaml",
        r#"defaults:
  resources:
    instance-type: C4
jobs:
  a:
    uses: container@v1
    with: {image: bash:5, args: ["sleep", "2"]}
  b:
    uses: container@v1
    with: {image: bash:5, args: ["sleep", "2"]}
  join:
    uses: container@v1
    needs: [a, b]
    with: {image: bash:5, args: ["true"]}
"#,
    );
    let (out, rec) = env.run(&wf, &["--parallel", "4"]);
    assert!(out.status.success(), "{}", text(&out));
    let rec = rec.unwrap();
    let (a, b, j) = (job(&rec, "a"), job(&rec, "b"), job(&rec, "join"));
    assert!(
        secs(&a["started"]) < secs(&b["finished"]) && secs(&b["started"]) < secs(&a["finished"]),
        "a and b did not overlap: {rec:#}"
    );
    // The overlap above is the claim; a wall-clock bound on the whole run
    // would only measure the machine's load.
    assert!(secs(&j["started"]) >= secs(&a["finished"]).max(secs(&b["finished"])) - 0.01);
}

const FAILING: &str = r#"defaults:
  resources:
    instance-type: C4
jobs:
  fails:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "echo about to fail; exit 3"]}
  after:
    uses: container@v1
    needs: [fails]
    with: {image: bash:5, args: ["true"]}
  independent:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "echo ran"]}
  big:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "echo fine > /outputs/d/ok.txt; head -c 1100000 /dev/zero > /outputs/s"]}
    outputs:
      d:
        type: dataset
        with:
          ref: big-data
      s:
        type: string
  slow:
    uses: container@v1
    timeout: 1
    with: {image: bash:5, args: ["bash", "-c", "trap 'exit 143' TERM; sleep 30 & wait"]}
  stops:
    uses: script@v1
    with:
      image: bash:5
      script: |-
        echo first
        false
        echo after-false
"#;

/// A failure skips its dependents and, by default, starts nothing new;
/// `--keep-going` runs what does not depend on it; timeouts, oversized
/// string outputs and a failing command inside a script fail their job.
#[test]
fn failure_propagation_keep_going_and_timeout() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow("fail.yaml", FAILING);
    let (out, rec) = env.run(&wf, &["--parallel", "1"]);
    let rec = rec.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(status(&rec, "fails"), "failed");
    assert_eq!(job(&rec, "fails")["exit_code"], 3);
    assert_eq!(status(&rec, "after"), "skipped");
    assert_eq!(
        status(&rec, "independent"),
        "skipped",
        "fail-fast starts nothing new"
    );
    let t = text(&out);
    let row = t
        .lines()
        .find(|l| l.starts_with("fails ") && !l.contains('|'))
        .unwrap_or_default();
    assert_eq!(
        row.split_whitespace().take(3).collect::<Vec<_>>(),
        ["fails", "failed", "3"],
        "{t}"
    );

    let t0 = Instant::now();
    let (out, rec) = env.run(&wf, &["--keep-going"]);
    let rec = rec.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(status(&rec, "after"), "skipped");
    assert_eq!(status(&rec, "independent"), "succeeded");
    assert_eq!(status(&rec, "slow"), "timed_out");
    // script@v1 stops at its first failing command (`false`), as Gradient did.
    assert_eq!(status(&rec, "stops"), "failed");
    assert_eq!(job(&rec, "stops")["exit_code"], 1);
    assert!(!text(&out).contains("after-false"), "{}", text(&out));
    assert_eq!(status(&rec, "big"), "failed");
    assert!(
        job(&rec, "big")["message"]
            .as_str()
            .unwrap()
            .contains("at most 1 MiB"),
        "{rec:#}"
    );
    // Its good dataset output is not committed either: all or nothing.
    let versions = env.home().join("datasets/big-data/versions");
    assert_eq!(
        std::fs::read_dir(&versions).map(|d| d.count()).unwrap_or(0),
        0,
        "a failed job added a dataset version"
    );
    assert!(job(&rec, "big")["outputs"].as_array().unwrap().is_empty());
    assert!(t0.elapsed() < Duration::from_secs(20));

    // The whole-run --timeout.
    let (out, rec) = env.run(&wf, &["--keep-going", "--timeout", "1", "--job", "slow"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(status(&rec.unwrap(), "slow"), "timed_out");
}

fn sigint(pid: u32) {
    // SAFETY: sending a signal to a child we started.
    unsafe { libc::kill(pid as i32, libc::SIGINT) };
}

/// Waits until the run's first container exists; returns the run id.
fn wait_for_container(env: &Env) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(id) = env.run_ids().first()
            && !containers_of_run(env.docker_host(), id).is_empty()
        {
            return id.clone();
        }
        assert!(Instant::now() < deadline, "no container started");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Ctrl-C (a real SIGINT to a real `gwk run`): the containers are
/// stopped and removed, the run is marked cancelled, the exit status is
/// 130. A second Ctrl-C kills at once.
#[test]
fn ctrl_c_stops_removes_and_exits_130() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "long.yaml",
        r#"defaults:
  resources:
    instance-type: C4
jobs:
  polite:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "trap 'echo got TERM; exit 143' TERM; echo waiting; sleep 60 & wait"]}
  stubborn:
    uses: container@v1
    with: {image: bash:5, args: ["sleep", "60"]}
  later:
    uses: container@v1
    needs: [polite]
    with: {image: bash:5, args: ["true"]}
"#,
    );
    let child = env
        .gwk()
        .args(["run", "--network", "none"])
        .arg(&wf)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let id = wait_for_container(&env);
    // Both containers running.
    let deadline = Instant::now() + Duration::from_secs(30);
    while containers_of_run(env.docker_host(), &id).len() < 2 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    let t0 = Instant::now();
    sigint(child.id());
    // `sleep` as PID 1 ignores SIGTERM: only the second Ctrl-C ends it
    // before the 10 s grace.
    std::thread::sleep(Duration::from_millis(1500));
    sigint(child.id());
    let out = child.wait_with_output().unwrap();
    assert!(
        t0.elapsed() < Duration::from_secs(8),
        "took {:?}",
        t0.elapsed()
    );
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert_no_containers(env.docker_host(), &id);
    let rec = env.record(&id);
    assert_eq!(rec["status"], "cancelled");
    assert_eq!(status(&rec, "polite"), "cancelled");
    assert_eq!(status(&rec, "stubborn"), "cancelled");
    assert_eq!(status(&rec, "later"), "cancelled");
    let log = std::fs::read_to_string(env.run_dir(&id).join("jobs/polite/log")).unwrap();
    assert!(log.contains("got TERM"), "{log}");
    assert!(!env.run_dir(&id).join("lock").exists());
}

/// Ctrl-C under `--events json`: stdout stays JSON lines, the Ctrl-C is a
/// `warning` event (also in the run's events.jsonl), the run ends
/// cancelled with 130.
#[test]
fn ctrl_c_with_json_events_keeps_stdout_json() {
    use std::io::BufRead;
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "wait.yaml",
        r#"defaults:
  resources:
    instance-type: C4
jobs:
  waits:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "trap 'exit 143' TERM; echo waiting; sleep 60 & wait"]}
"#,
    );
    let mut child = env
        .gwk()
        .args(["run", "--network", "none", "--events", "json"])
        .arg(&wf)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    // Until the job prints: its container runs.
    for l in lines.by_ref() {
        let l = l.unwrap();
        let done = l.contains("\"event\":\"log\"");
        seen.push(l);
        if done {
            break;
        }
    }
    sigint(child.id());
    seen.extend(lines.map(|l| l.unwrap()));
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen:#?}");
    let events: Vec<serde_json::Value> = seen
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    let warning = events
        .iter()
        .position(|e| e["event"] == "warning")
        .expect("a warning event for the Ctrl-C");
    assert!(
        events[warning]["message"]
            .as_str()
            .unwrap()
            .contains("stopping the run"),
        "{:#}",
        events[warning]
    );
    let last = events.last().unwrap();
    assert_eq!(last["event"], "run_finished");
    assert_eq!(last["status"], "cancelled");
    let id = last["run_id"].as_str().unwrap();
    assert_no_containers(env.docker_host(), id);
    let saved = std::fs::read_to_string(env.run_dir(id).join("events.jsonl")).unwrap();
    assert!(saved.contains("\"event\":\"warning\""), "{saved}");
}

const GPU_WF: &str = r#"defaults:
  resources:
    instance-type: C4
jobs:
  two:
    uses: container@v1
    resources:
      instance-type: A100x2
    with: {image: bash:5, args: ["bash", "-c", "sleep 1; echo -n \"$NVIDIA_VISIBLE_DEVICES\" > /outputs/dev"]}
    outputs:
      dev: {type: string}
  one-a:
    uses: container@v1
    resources:
      instance-type: P4000
    with: {image: bash:5, args: ["bash", "-c", "sleep 1; echo -n \"$NVIDIA_VISIBLE_DEVICES\" > /outputs/dev"]}
    outputs:
      dev: {type: string}
  one-b:
    uses: container@v1
    resources:
      instance-type: P4000
    with: {image: bash:5, args: ["bash", "-c", "sleep 1; echo -n \"$NVIDIA_VISIBLE_DEVICES\" > /outputs/dev"]}
    outputs:
      dev: {type: string}
"#;

/// GPUs through the daemon's own NVIDIA code path (a stand-in hook): each
/// job gets its own devices; `--gpus none` gives none; a daemon without
/// the hook gives the clear message and leaves nothing.
#[test]
fn gpu_jobs_get_their_own_devices() {
    let Some(env) = Env::new() else { return };
    let Some(gpu_host) = env.vars.get("GWK_TEST_GPU_DOCKER_HOST").cloned() else {
        panic!(
            "the GPU test daemon is not up (scripts/docker-test-env.sh without --no-gpu-daemon)"
        );
    };
    let wf = env.workflow("gpu.yaml", GPU_WF);
    let run = |args: &[&str]| {
        let before = env.run_ids();
        let out = env
            .gwk()
            .env("DOCKER_HOST", &gpu_host)
            .args(["run", "--network", "none", "--no-cache"])
            .arg(&wf)
            .args(args)
            .output()
            .unwrap();
        let id = env.run_ids().into_iter().find(|i| !before.contains(i));
        if let Some(id) = &id {
            assert_no_containers(&gpu_host, id);
        }
        (out, id.map(|i| env.record(&i)))
    };
    let (out, rec) = run(&["--gpus", "0,1,2,3", "--parallel", "3"]);
    assert!(out.status.success(), "{}", text(&out));
    let rec = rec.unwrap();
    let two = string_output(&rec, "two", "dev");
    let a = string_output(&rec, "one-a", "dev");
    let b = string_output(&rec, "one-b", "dev");
    assert_eq!(two.split(',').count(), 2, "A100x2 sees two devices: {two}");
    let mut all: Vec<&str> = two.split(',').chain([a.as_str(), b.as_str()]).collect();
    all.sort();
    assert_eq!(all, ["0", "1", "2", "3"], "devices are not shared");
    let (ja, jb) = (job(&rec, "one-a"), job(&rec, "one-b"));
    assert!(
        secs(&ja["started"]) < secs(&jb["finished"])
            && secs(&jb["started"]) < secs(&ja["finished"]),
        "the GPU jobs ran at once"
    );

    // With one GPU known, the jobs take turns, and the 2-GPU job is refused.
    let (out, rec) = run(&["--gpus", "3", "--job", "one-a", "--job", "one-b"]);
    assert!(out.status.success(), "{}", text(&out));
    let rec = rec.unwrap();
    assert_eq!(string_output(&rec, "one-a", "dev"), "3");
    assert_eq!(string_output(&rec, "one-b", "dev"), "3");
    let (ja, jb) = (job(&rec, "one-a"), job(&rec, "one-b"));
    assert!(
        secs(&jb["started"]) >= secs(&ja["finished"]) - 0.01
            || secs(&ja["started"]) >= secs(&jb["finished"]) - 0.01,
        "one GPU, one job at a time"
    );
    let (out, _) = run(&["--gpus", "3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("needs 2 GPUs"), "{}", text(&out));

    let (out, rec) = run(&["--gpus", "none", "--job", "two"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("without GPUs"), "{}", text(&out));
    assert_eq!(string_output(&rec.unwrap(), "two", "dev"), "");

    // The main daemon has no NVIDIA hook: refused with the way out.
    let before = env.run_ids();
    let out = env
        .gwk()
        .args(["run", "--network", "none"])
        .arg(&wf)
        .output()
        .unwrap();
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(
        t.contains("no NVIDIA GPU support")
            && t.contains("NVIDIA Container Toolkit")
            && t.contains("--gpus none"),
        "{t}"
    );
    assert_eq!(env.run_ids(), before, "no run was started");
    assert!(containers_of_run(env.docker_host(), "probe").is_empty());
}

/// `gwk doctor` tells whether GPU jobs can start.
#[test]
fn doctor_reports_gpu_support() {
    let Some(env) = Env::new() else { return };
    let gpu_host = env.vars["GWK_TEST_GPU_DOCKER_HOST"].clone();
    let out = env
        .gwk()
        .args(["doctor", "--image", "bash:5"])
        .output()
        .unwrap();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("Docker engine") && t.contains("API 1.41"), "{t}");
    assert!(
        t.contains("GPU jobs cannot start") && t.contains("NVIDIA Container Toolkit"),
        "{t}"
    );
    let out = env
        .gwk()
        .args(["doctor", "--image", "bash:5", "--gpu"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = env
        .gwk()
        .env("DOCKER_HOST", &gpu_host)
        .args(["doctor", "--image", "bash:5", "--gpu"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("GPU jobs can start"));
    let out = env
        .gwk()
        .env("DOCKER_HOST", "unix:///nonexistent.sock")
        .arg("doctor")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("cannot reach the Docker engine"),
        "{}",
        text(&out)
    );
}

/// A stand-in registry on 127.0.0.1 serving one made-up image whose only
/// layer never finishes downloading: after 64 KiB of its 10 MB it holds
/// the connection. A pull that lasts as long as the test wants; `held`
/// says when the layer download is under way.
struct SlowRegistry {
    port: u16,
    held: std::sync::mpsc::Receiver<()>,
}

fn slow_registry() -> SlowRegistry {
    use gwk_run::fsutil::sha256_hex;
    use gwk_run::ids::random_hex;
    use std::io::{Read, Write};
    let layer = format!("sha256:{}", random_hex(32));
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["sha256:{}"]}},"config":{{}}}}"#,
        random_hex(32)
    );
    let config_digest = format!("sha256:{}", sha256_hex(config.as_bytes()));
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","size":{},"digest":"{config_digest}"}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":10000000,"digest":"{layer}"}}]}}"#,
        config.len()
    );
    let manifest_digest = format!("sha256:{}", sha256_hex(manifest.as_bytes()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (held_tx, held) = std::sync::mpsc::channel();
    let shared = std::sync::Arc::new((layer, config, config_digest, manifest, manifest_digest));
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let (held_tx, img) = (held_tx.clone(), shared.clone());
            std::thread::spawn(move || {
                let (layer, config, config_digest, manifest, manifest_digest) = &*img;
                let answer = |conn: &mut std::net::TcpStream,
                              ctype: &str,
                              extra: &str,
                              body: &str,
                              head: bool| {
                    let _ = write!(
                        conn,
                        "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{extra}Docker-Distribution-API-Version: registry/2.0\r\n\r\n{}",
                        body.len(),
                        if head { "" } else { body }
                    );
                };
                loop {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        match conn.read(&mut byte) {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                        // A TLS hello: the engine tries https first, then http.
                        if head == [0x16] {
                            return;
                        }
                    }
                    let head = String::from_utf8_lossy(&head).to_string();
                    let mut words = head.split(' ');
                    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                    if path == "/v2/" {
                        answer(&mut conn, "application/json", "", "{}", false);
                    } else if path.contains("/manifests/") {
                        let extra = format!("Docker-Content-Digest: {manifest_digest}\r\n");
                        let ctype = "application/vnd.docker.distribution.manifest.v2+json";
                        answer(&mut conn, ctype, &extra, manifest, method == "HEAD");
                    } else if path.ends_with(config_digest.as_str()) {
                        answer(&mut conn, "application/octet-stream", "", config, false);
                    } else if path.ends_with(layer.as_str()) {
                        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 10000000\r\n\r\n");
                        let _ = conn.write_all(&[0u8; 65536]);
                        let _ = held_tx.send(());
                        let mut rest = [0u8; 512];
                        while matches!(conn.read(&mut rest), Ok(n) if n > 0) {}
                        return;
                    } else {
                        let _ =
                            conn.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                    }
                }
            });
        }
    });
    SlowRegistry { port, held }
}

/// Ctrl-C while an image is being pulled: gwk stops at once (exit 130),
/// no run starts and no container is left. The pull would never end by
/// itself: the registry holds the layer download.
#[test]
fn ctrl_c_during_a_pull_cancels_at_once() {
    let Some(env) = Env::new() else { return };
    let reg = slow_registry();
    let image = format!("127.0.0.1:{}/gwk-test/slow:1", reg.port);
    let wf = env.workflow(
        "slow-pull.yaml",
        &format!(
            "defaults:\n  resources:\n    instance-type: C4\njobs:\n  j:\n    uses: container@v1\n    with: {{image: \"{image}\", args: [\"true\"]}}\n"
        ),
    );
    let mut child = env
        .gwk()
        .args(["run", "--network", "none", "--events", "json"])
        .arg(&wf)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    reg.held
        .recv_timeout(Duration::from_secs(60))
        .expect("the engine never downloaded the layer");
    std::thread::sleep(Duration::from_millis(500));
    let t0 = Instant::now();
    sigint(child.id());
    while child.try_wait().unwrap().is_none() {
        if t0.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("gwk still runs 10 s after Ctrl-C during a pull");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t0.elapsed()
    );
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cancelled before the run started"),
        "{}",
        text(&out)
    );
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert!(kinds.contains(&"image_pull"), "{kinds:?}");
    assert!(kinds.contains(&"warning"), "{kinds:?}");
    assert!(
        !kinds.contains(&"image_ready") && !kinds.contains(&"run_started"),
        "{kinds:?}"
    );
    assert!(env.run_ids().is_empty(), "no run was started");
    let left = Command::new("docker")
        .args(["-H", env.docker_host(), "ps", "-aq", "--filter"])
        .arg(format!("label=gwk.home={}", env.home().display()))
        .output()
        .unwrap();
    assert!(left.stdout.is_empty(), "containers left");
}

/// Pulls from the local registry, with progress; `--pull never` refuses
/// before anything starts.
#[test]
fn pull_policy_with_local_registry() {
    let Some(env) = Env::new() else { return };
    let image = env.vars["GWK_TEST_REGISTRY_IMAGE"].clone();
    let rmi = || {
        let _ = Command::new("docker")
            .args(["-H", env.docker_host(), "rmi", "-f", &image])
            .output();
    };
    rmi();
    let wf = env.workflow(
        "pull.yaml",
        &format!(
            "defaults:\n  resources:\n    instance-type: C4\njobs:\n  j:\n    uses: container@v1\n    with: {{image: \"{image}\", args: [\"echo\", \"pulled fine\"]}}\n"
        ),
    );
    let (out, rec) = env.run(&wf, &["--pull", "never"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("`{image}` is not on this Docker host")),
        "{}",
        text(&out)
    );
    assert!(rec.is_none());
    let (out, rec) = env.run(&wf, &[]);
    let t = text(&out);
    rmi();
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains(&format!("pulling {image}")) && t.contains(&format!("pulled {image}")),
        "{t}"
    );
    assert!(logged(&t, "j", "pulled fine"), "{t}");
    assert_eq!(status(&rec.unwrap(), "j"), "succeeded");
}
