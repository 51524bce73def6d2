//! More of `gwk run` against the real Docker engine: the workflow's
//! `timeout`, a refusal before any container exists, `command` replacing
//! the entrypoint, the labels on containers, git-checkout@v1 with
//! credentials over HTTP, the sweep at the start of a run, and the memory
//! limit with OOM detection.

mod common;

use common::*;
use std::io::{Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

fn docker(env: &Env, args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(["-H", env.docker_host()])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "docker {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A time for `docker events --since`, a second back.
fn since() -> String {
    (jiff::Timestamp::now().as_second() - 1).to_string()
}

/// `docker events` of containers created since `since` with `filter`
/// (a label), each as the `format` Go template gives it.
fn created(env: &Env, since: &str, filter: &str, format: &str) -> Vec<String> {
    let until = (jiff::Timestamp::now().as_second() + 1).to_string();
    let out = docker(
        env,
        &[
            "events",
            "--since",
            since,
            "--until",
            &until,
            "--filter",
            "type=container",
            "--filter",
            "event=create",
            "--filter",
            filter,
            "--format",
            format,
        ],
    );
    let mut v: Vec<String> = out.lines().map(str::to_string).collect();
    v.sort();
    v
}

/// The workflow's `timeout` (seconds, from the start of the run): the
/// running job is stopped and timed out, the rest is not started.
#[test]
fn workflow_timeout_stops_the_run() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "wf-timeout.yaml",
        r#"timeout: 2
defaults:
  resources:
    instance-type: C4
jobs:
  long:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "trap 'exit 143' TERM; sleep 30 & wait"]}
  after:
    uses: container@v1
    needs: [long]
    with: {image: bash:5, args: ["true"]}
"#,
    );
    let t0 = Instant::now();
    let (out, rec) = env.run(&wf, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(t0.elapsed() < Duration::from_secs(15), "{:?}", t0.elapsed());
    let rec = rec.unwrap();
    assert_eq!(rec["status"], "failed");
    assert_eq!(status(&rec, "long"), "timed_out");
    let msg = job(&rec, "long")["message"].as_str().unwrap();
    assert!(msg.contains("run timeout"), "{msg}");
    assert_eq!(status(&rec, "after"), "skipped");
    let took = job(&rec, "long")["duration_secs"].as_f64().unwrap();
    assert!((1.5..10.0).contains(&took), "{took}");
}

/// A workflow input without a value: refused (exit 2) before any
/// container exists, saying which input and where it is read.
#[test]
fn missing_workflow_input_is_refused_before_any_container() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "needs-input.yaml",
        r#"defaults:
  resources:
    instance-type: C4
inputs:
  epochs:
    type: string
jobs:
  first:
    uses: container@v1
    with: {image: bash:5, args: ["true"]}
  train:
    uses: container@v1
    with: {image: bash:5, args: ["cat", "/inputs/epochs"]}
    inputs:
      epochs: workflow.inputs.epochs
"#,
    );
    let t0 = since();
    let (out, rec) = env.run(&wf, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("`epochs`") && t.contains("train"), "{t}");
    assert!(rec.is_none(), "no run directory");
    let home = format!("label=gwk.home={}", env.home().display());
    assert_eq!(
        created(&env, &t0, &home, "{{.Actor.Attributes.name}}"),
        Vec::<String>::new(),
        "a container was created"
    );
    // With the value it runs.
    let (out, _) = env.run(&wf, &["--input", "epochs=3"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(logged(&text(&out), "train", "3"), "{}", text(&out));
}

/// `command` (one executable, as in Gradient's `command: bash`) replaces
/// the image's ENTRYPOINT (`args` alone keeps it), end to end with an
/// image that has one; every container carries `gwk.run`,
/// `gwk.job`, `gwk.home` and `gwk.pid`.
#[test]
fn command_replaces_the_entrypoint_and_containers_are_labelled() {
    let Some(env) = Env::new() else { return };
    let image = format!("gwk-test/entrypoint:{}", std::process::id());
    let ctx = env.dir.path().join("image");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!(
            "FROM {}\nENTRYPOINT [\"echo\", \"from-entrypoint\"]\n",
            env.vars["GWK_TEST_IMAGE"]
        ),
    )
    .unwrap();
    let built = Command::new("docker")
        .args(["-H", env.docker_host(), "build", "-q", "-t", &image])
        .arg(&ctx)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", text(&built));
    let wf = env.workflow(
        "entry.yaml",
        &format!(
            r#"defaults:
  resources:
    instance-type: C4
jobs:
  with-args:
    uses: container@v1
    with: {{image: "{image}", args: ["an-arg"]}}
  with-command:
    uses: container@v1
    with: {{image: "{image}", command: echo, args: ["from-command", "an-arg"]}}
"#
        ),
    );
    let t0 = since();
    let (out, rec) = env.run(&wf, &[]);
    let _ = Command::new("docker")
        .args(["-H", env.docker_host(), "rmi", "-f", &image])
        .output();
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(logged(&t, "with-args", "from-entrypoint an-arg"), "{t}");
    assert!(logged(&t, "with-command", "from-command an-arg"), "{t}");
    assert!(!t.contains("from-entrypoint from-command"), "{t}");
    assert_eq!(t.matches("from-entrypoint").count(), 1, "{t}");

    let id = rec.unwrap()["id"].as_str().unwrap().to_string();
    let labels = created(
        &env,
        &t0,
        &format!("label=gwk.run={id}"),
        r#"{{index .Actor.Attributes "gwk.job"}} {{index .Actor.Attributes "gwk.home"}} {{index .Actor.Attributes "gwk.pid"}} {{.Actor.Attributes.name}}"#,
    );
    assert_eq!(labels.len(), 2, "{labels:?}");
    for (line, job) in labels.iter().zip(["with-args", "with-command"]) {
        let f: Vec<&str> = line.split(' ').collect();
        assert_eq!(f[0], job, "{line}");
        assert_eq!(f[1], env.home().display().to_string(), "{line}");
        assert!(f[2].parse::<u32>().is_ok(), "{line}");
        assert_eq!(f[3], format!("gwk-{id}-{job}"), "{line}");
    }
}

/// Standard base64, for a Basic `Authorization` header.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A git repository served over HTTP on 127.0.0.1 (git's "dumb" protocol:
/// plain files) behind Basic authentication. Returns the port.
fn serve_git_with_auth(root: std::path::PathBuf, user: &str, password: &str) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let expected = format!("Basic {}", base64(format!("{user}:{password}").as_bytes()));
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                if conn.read(&mut byte).unwrap_or(0) != 1 {
                    break;
                }
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).to_string();
            let path = head.split(' ').nth(1).unwrap_or("/").to_string();
            let path = path.split('?').next().unwrap_or("/");
            let authorized = head
                .lines()
                .any(|l| l.strip_prefix("Authorization: ") == Some(expected.as_str()));
            let file = root.join(path.trim_start_matches('/'));
            let _ = if !authorized {
                conn.write_all(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            } else if path.contains("..") || !file.is_file() {
                conn.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
            } else {
                let body = std::fs::read(&file).unwrap();
                let _ = write!(
                    conn,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                conn.write_all(&body)
            };
        }
    });
    port
}

/// git-checkout@v1 with `username` and `password` from secrets, against a
/// repository that requires them: the clone works, and the password is
/// nowhere gwk writes — not in the clone's .git/config, the logs, the run
/// record or anything else under GWK_HOME, nor in gwk's output. A wrong
/// password fails the job with git's reason.
#[test]
fn git_checkout_with_credentials_from_secrets() {
    let Some(env) = Env::new() else { return };
    let work = env.dir.path().join("src");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    std::fs::write(work.join("hello.txt"), "hello from a private repo\n").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "one"]);
    let served = env.dir.path().join("served");
    std::fs::create_dir_all(&served).unwrap();
    git(
        &served,
        &["clone", "-q", "--bare", work.to_str().unwrap(), "repo.git"],
    );
    git(&served.join("repo.git"), &["repack", "-a", "-d", "-q"]);
    git(&served.join("repo.git"), &["update-server-info"]);
    let password = format!("pw-{}", gwk_run::ids::random_hex(8));
    let port = serve_git_with_auth(served, "gwk-user", &password);
    let wf = env.workflow(
        "private.yaml",
        &format!(
            r#"defaults:
  resources:
    instance-type: C4
jobs:
  Clone:
    uses: git-checkout@v1
    with:
      url: http://127.0.0.1:{port}/repo.git
      ref: main
      username: secret:GIT_USER
      password: secret:GIT_PASSWORD
    outputs:
      repo: {{type: volume}}
  Read:
    uses: container@v1
    needs: [Clone]
    with: {{image: bash:5, args: ["cat", "/inputs/repo/hello.txt"]}}
    inputs:
      repo: Clone.outputs.repo
"#
        ),
    );
    let (out, rec) = env.run(
        &wf,
        &[
            "--secret",
            "GIT_USER=gwk-user",
            "--secret",
            &format!("GIT_PASSWORD={password}"),
        ],
    );
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(logged(&t, "Read", "hello from a private repo"), "{t}");
    let id = rec.unwrap()["id"].as_str().unwrap().to_string();
    let config = env.run_dir(&id).join("jobs/Clone/outputs/repo/.git/config");
    let config = std::fs::read_to_string(config).unwrap();
    assert!(
        config.contains(&format!("url = http://127.0.0.1:{port}/repo.git")),
        "{config}"
    );

    let (bad, rec) = env.run(
        &wf,
        &[
            "--secret",
            "GIT_USER=gwk-user",
            "--secret",
            "GIT_PASSWORD=not-the-password",
        ],
    );
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    let rec = rec.unwrap();
    assert_eq!(status(&rec, "Clone"), "failed");
    let msg = job(&rec, "Clone")["message"].as_str().unwrap();
    assert!(
        msg.contains("git failed") && msg.contains("uthentication"),
        "{msg}"
    );
    assert_eq!(status(&rec, "Read"), "skipped");

    for (what, output) in [("good run", &t), ("bad run", &text(&bad))] {
        assert!(
            !output.contains(&password),
            "{what}: password in gwk's output"
        );
    }
    for f in files_under(&env.home()) {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&password),
            "the password is in {}",
            f.display()
        );
        assert!(!f.ends_with("git-askpass.sh"), "{} left", f.display());
    }
}

/// Every `gwk run` first sweeps what dead runs left: their containers,
/// abandoned staging directories, and records still saying `running`.
#[test]
fn run_sweeps_dead_runs_leftovers_first() {
    let Some(env) = Env::new() else { return };
    let home = env.home();
    let dead = "999999999";
    let old = "20200101-000000-000-d0d0d0";
    let dir = home.join("runs").join(old);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("run.json"),
        format!(
            r#"{{"id":"{old}","file":"x.yaml","status":"running","started":"2020-01-01T00:00:00Z","jobs":[{{"name":"j","status":"running"}}]}}"#
        ),
    )
    .unwrap();
    std::fs::write(dir.join("lock"), format!("{dead}\n")).unwrap();
    let name = format!("gwk-{old}-j");
    docker(
        &env,
        &[
            "create",
            "--name",
            &name,
            "--network",
            "none",
            "--label",
            &format!("gwk.run={old}"),
            "--label",
            "gwk.job=j",
            "--label",
            &format!("gwk.home={}", home.display()),
            "--label",
            &format!("gwk.pid={dead}"),
            "bash:5",
            "true",
        ],
    );
    let staging = home.join(format!("datasets/left/staging/{dead}-abcd"));
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::create_dir_all(home.join("datasets/left/versions")).unwrap();
    std::fs::write(staging.join("half"), "x").unwrap();

    let wf = env.workflow(
        "trivial.yaml",
        "defaults:\n  resources:\n    instance-type: C4\njobs:\n  t:\n    uses: container@v1\n    with: {image: bash:5, args: [\"true\"]}\n",
    );
    let (out, _) = env.run(&wf, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_no_containers(env.docker_host(), old);
    assert!(!staging.exists(), "the staging directory is left");
    let rec = env.record(old);
    assert_eq!(rec["status"], "cancelled");
    assert_eq!(status(&rec, "j"), "cancelled");
    assert!(!dir.join("lock").exists());
}

/// The instance type's memory is the container's memory limit (swap
/// included): a job that allocates more is killed, and gwk says it ran out
/// of memory. A private type from gwk.toml keeps the test small (1 GB).
#[test]
fn memory_limit_and_oom() {
    let Some(env) = Env::new() else { return };
    std::fs::write(
        env.dir.path().join("gwk.toml"),
        "[instance-types.tiny]\nmemory-gb = 1\n",
    )
    .unwrap();
    let wf = env.workflow(
        "oom.yaml",
        r#"defaults:
  resources:
    instance-type: tiny
jobs:
  limit:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes"]}
  hog:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "head -c 1500000000 /dev/zero | tail > /dev/null"]}
"#,
    );
    let (out, rec) = env.run(&wf, &["--keep-going"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let rec = rec.unwrap();
    let t = text(&out);
    assert!(logged(&t, "limit", &(1u64 << 30).to_string()), "{t}");
    assert_eq!(status(&rec, "hog"), "failed", "{rec:#}");
    let msg = job(&rec, "hog")["message"].as_str().unwrap();
    assert!(
        msg.contains("out of memory (OOM)") && msg.contains("1 GiB") && msg.contains("tiny"),
        "{msg}"
    );
}

/// On a terminal (util-linux's `script` gives gwk a pseudo-terminal) the
/// run draws its live view — a bar of jobs done and a spinner per running
/// job — and colours each job's prefix; in a pipe (every other test here)
/// it does neither.
#[test]
fn a_terminal_gets_the_live_view_and_coloured_prefixes() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "tty.yaml",
        "defaults:\n  resources:\n    instance-type: C4\njobs:\n  first:\n    uses: script@v1\n    with:\n      image: bash:5\n      script: |-\n        echo hello from first\n        sleep 1\n  second:\n    needs: [first]\n    uses: script@v1\n    with:\n      image: bash:5\n      script: echo hello from second\n",
    );
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let command = [
        env!("CARGO_BIN_EXE_gwk"),
        "run",
        wf.to_str().unwrap(),
        "--network",
        "none",
    ]
    .map(quote)
    .join(" ");
    let out = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .env("GWK_HOME", env.home())
        .env("DOCKER_HOST", env.docker_host())
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .current_dir(env.dir.path())
        .output()
        .expect("util-linux script runs");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    // The live view: the overall bar and a job's spinner.
    assert!(screen.contains("jobs done"), "no overall bar: {screen}");
    assert!(screen.contains("running"), "no spinner line: {screen}");
    // The first job's prefix in the palette's first colour (cyan), then
    // its line.
    assert!(
        screen.contains("\x1b[36mfirst  |\x1b[0m hello from first"),
        "{screen}"
    );
    assert!(screen.contains("hello from second"), "{screen}");
    let ids = env.run_ids();
    assert_eq!(ids.len(), 1, "one run");
    assert_no_containers(env.docker_host(), &ids[0]);
}
