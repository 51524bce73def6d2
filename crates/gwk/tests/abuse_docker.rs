//! Abuse tests of `gwk run` (and of the secrets the runner must not leak),
//! against the Docker engine of the test environment: a reader that never
//! reads, logs followed live, SIGTERM and SIGHUP, secrets and their hashes,
//! escape sequences, a 2 MB script, credentials in a git URL. docs/testing.md
//! ("Abuse tests") lists what each covers.

mod common;

use common::*;
use std::io::{BufRead, Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The first run id of `env`, once its run directory exists.
fn wait_for_run(env: &Env) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(id) = env.run_ids().first()
            && env.run_dir(id).join("run.json").is_file()
        {
            return id.clone();
        }
        assert!(Instant::now() < deadline, "no run started");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the run's first container exists.
fn wait_for_container(env: &Env, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while containers_of_run(env.docker_host(), id).is_empty() {
        assert!(Instant::now() < deadline, "no container started");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until run.json says the run ended; returns the record.
fn wait_for_end(env: &Env, id: &str, limit: Duration) -> serde_json::Value {
    let deadline = Instant::now() + limit;
    loop {
        let rec = env.record(id);
        if rec["status"] != "running" {
            return rec;
        }
        assert!(
            Instant::now() < deadline,
            "run {id} still running after {limit:?}: {rec:#}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A chatty job and a stdout nobody reads (a paused pager): `--timeout 4`
/// still stops the container within the stop grace period, the run is
/// recorded, no container is left, the job's log has every line, and once
/// someone reads, the view says how many lines it did not show.
#[test]
fn blocked_stdout_does_not_hold_up_the_timeout() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "chatty.yaml",
        r#"defaults:
  resources:
    instance-type: C4
jobs:
  chatty:
    uses: container@v1
    with:
      image: bash:5
      args: ["bash", "-c", "trap 'exit 143' TERM; i=0; while :; do i=$((i+1)); echo \"chatter line $i of a job that talks a lot\"; if [ $((i % 500)) = 0 ]; then sleep 0.01; fi; done"]
"#,
    );
    let mut child = env
        .gwk()
        .args(["run", "--network", "none", "--timeout", "4"])
        .arg(&wf)
        .stdout(Stdio::piped()) // never read until the run has ended
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let id = wait_for_run(&env);
    wait_for_container(&env, &id);
    // 4 s of timeout, 10 s of stop grace, and slack for a loaded machine.
    let rec = wait_for_end(&env, &id, Duration::from_secs(4 + 10 + 10));
    assert_no_containers(env.docker_host(), &id);
    assert_eq!(status(&rec, "chatty"), "timed_out", "{rec:#}");
    assert_eq!(rec["status"], "failed");
    let log = std::fs::read_to_string(env.run_dir(&id).join("jobs/chatty/log")).unwrap();
    let lines = log.lines().count();
    assert!(
        lines > 15_000,
        "the log holds every line ({lines}); the test needs more than the view's queue"
    );
    // Now read: what was queued, the note about the rest, the summary.
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(
        out.contains("not shown") && out.contains(&format!("gwk runs logs {id}")),
        "{}",
        &out[out.len().saturating_sub(2000)..]
    );
}

/// `gwk runs logs --follow` shows a line while the job that printed it
/// is still running (the log is written as lines come, not at the end).
#[test]
fn follow_shows_lines_while_the_job_runs() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "slow.yaml",
        r#"defaults:
  resources:
    instance-type: C4
jobs:
  talks:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "echo first-line; sleep 8; echo second-line"]}
"#,
    );
    let mut run = env
        .gwk()
        .args(["run", "--network", "none"])
        .arg(&wf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let id = wait_for_run(&env);
    wait_for_container(&env, &id);
    let mut follow = env
        .gwk()
        .args(["runs", "logs", &id, "--follow"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = follow.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(stdout).lines() {
            let Ok(l) = l else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(6));
    let rec = env.record(&id);
    assert_eq!(
        first.as_deref().ok(),
        Some("talks | first-line"),
        "--follow showed nothing while the job ran"
    );
    assert_eq!(status(&rec, "talks"), "running", "{rec:#}");
    let second = rx.recv_timeout(Duration::from_secs(30));
    assert_eq!(second.as_deref().ok(), Some("talks | second-line"));
    assert!(run.wait().unwrap().success());
    assert!(
        follow.wait().unwrap().success(),
        "--follow ends with the run"
    );
    assert_no_containers(env.docker_host(), &id);
}

/// SIGTERM (`kill`, `timeout`, a CI cancel) and SIGHUP (a closed terminal)
/// stop a run as Ctrl-C does: containers stopped and removed, the run
/// marked cancelled, exit status 130.
fn a_signal_cancels_the_run(signal: i32) {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow(
        "wait.yaml",
        r#"defaults:
  resources:
    instance-type: C4
jobs:
  waits:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "trap 'echo got TERM; exit 143' TERM; echo waiting; sleep 60 & wait"]}
  later:
    uses: container@v1
    needs: [waits]
    with: {image: bash:5, args: ["true"]}
"#,
    );
    let child = env
        .gwk()
        .args(["run", "--network", "none"])
        .arg(&wf)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = wait_for_run(&env);
    wait_for_container(&env, &id);
    // The job's trap is set once it printed.
    let log = env.run_dir(&id).join("jobs/waits/log");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&log).is_ok_and(|l| l.contains("waiting")) {
        assert!(Instant::now() < deadline, "the job never printed");
        std::thread::sleep(Duration::from_millis(100));
    }
    // SAFETY: sending a signal to a child we started.
    unsafe { libc::kill(child.id() as i32, signal) };
    let (tx, rx) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let out = child.wait_with_output().unwrap();
        let _ = tx.send(());
        out
    });
    if rx.recv_timeout(Duration::from_secs(30)).is_err() {
        panic!("gwk did not end within 30 s of signal {signal}");
    }
    let out = waiter.join().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert_no_containers(env.docker_host(), &id);
    let rec = env.record(&id);
    assert_eq!(rec["status"], "cancelled", "{rec:#}");
    assert_eq!(status(&rec, "waits"), "cancelled");
    assert_eq!(status(&rec, "later"), "cancelled");
    assert!(std::fs::read_to_string(&log).unwrap().contains("got TERM"));
    assert!(!env.run_dir(&id).join("lock").exists());
}

#[test]
fn sigterm_cancels_the_run() {
    a_signal_cancels_the_run(libc::SIGTERM);
}

#[test]
fn sighup_cancels_the_run() {
    a_signal_cancels_the_run(libc::SIGHUP);
}

/// A secret that a job prints (plainly, split by an escape sequence) and
/// writes to a string output: masked in every log line and event, and its
/// plain sha256 is nowhere under the store (the output's hash is keyed
/// with the store's key, a 0600 file); nor in `--events json` or `gwk runs
/// outputs --json`. Escape sequences other than colour never reach the
/// screen.
#[test]
fn secrets_are_masked_and_never_hashed_plainly() {
    let Some(env) = Env::new() else { return };
    let secret = "s3cr3t-Value-42";
    let plain_hash = gwk_run::fsutil::sha256_hex(secret.as_bytes());
    let wf = env.workflow(
        "leak.yaml",
        r#"defaults:
  resources:
    instance-type: C4
jobs:
  leaks:
    uses: container@v1
    env:
      TOKEN: secret:token
    with:
      image: bash:5
      args: ["bash", "-c", "printf %s \"$TOKEN\" > /outputs/tok; echo \"plain $TOKEN\"; printf 'split %s\\033[0m%s end\\n' \"${TOKEN:0:4}\" \"${TOKEN:4}\"; printf 'title \\033]0;owned\\007 clear \\033[2J\\033[31mred\\033[0m\\n'"]
    outputs:
      tok: {type: string}
"#,
    );
    let secret_arg = format!("token={secret}");
    // Human view (colour on: colour stays, the rest goes).
    let (out, rec) = env.run(&wf, &["--secret", &secret_arg, "--color", "always"]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    let rec = rec.unwrap();
    let id = rec["id"].as_str().unwrap().to_string();
    assert!(t.contains("plain ***"), "{t}");
    assert!(t.contains("split *** end"), "{t}");
    assert!(!t.contains(secret) && !t.contains("s3cr"), "{t}");
    assert!(
        !t.contains("\x1b]") && !t.contains("\x1b[2J") && t.contains("\x1b[31mred"),
        "{t:?}"
    );
    let hash = job(&rec, "leaks")["outputs"][0]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(hash.starts_with("hmac-sha256:"), "{hash}");
    assert_eq!(string_output(&rec, "leaks", "tok"), "***");
    let log = std::fs::read_to_string(env.run_dir(&id).join("jobs/leaks/log")).unwrap();
    assert!(
        log.contains("plain ***") && log.contains("split *** end"),
        "{log}"
    );

    // --events json and runs outputs --json.
    let (out, _) = env.run(
        &wf,
        &["--secret", &secret_arg, "--events", "json", "--no-cache"],
    );
    let events = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}", text(&out));
    assert!(events.contains("plain ***"), "{events}");
    let outputs = env
        .gwk()
        .args(["runs", "outputs", "last", "--json"])
        .output()
        .unwrap();
    let outputs = String::from_utf8_lossy(&outputs.stdout).to_string();
    assert!(outputs.contains("hmac-sha256:"), "{outputs}");
    for (what, text) in [("events", &events), ("runs outputs", &outputs)] {
        assert!(!text.contains(&plain_hash), "{what} holds sha256(secret)");
        assert!(!text.contains(secret), "{what} holds the secret");
    }
    // The whole store: no sha256 of the secret anywhere; the secret itself
    // only in the job's own string output file.
    for f in files_under(&env.home()) {
        let bytes = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).to_string();
        assert!(
            !bytes.contains(&plain_hash),
            "{} holds sha256(secret)",
            f.display()
        );
        if !f.ends_with("outputs/tok") {
            assert!(!bytes.contains(secret), "{} holds the secret", f.display());
        }
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.home().join("hash-key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // A one-character secret is refused, not used to mask every `e`.
    let (out, rec) = env.run(&wf, &["--secret", "token=e"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("secret `token` is one character long"),
        "{}",
        text(&out)
    );
    assert!(rec.is_none());
}

/// A script@v1 script of 2 MB runs (one `bash -c` argument is limited to
/// 128 KiB).
#[test]
fn a_two_megabyte_script_runs() {
    let Some(env) = Env::new() else { return };
    let mut script = String::new();
    while script.len() < 2 << 20 {
        script.push_str("        : padding line of a very long generated script\n");
    }
    script.push_str("        echo -n big-script-ran > /outputs/done\n");
    let wf = env.workflow(
        "big.yaml",
        &format!(
            r#"defaults:
  resources:
    instance-type: C4
jobs:
  big:
    uses: script@v1
    with:
      image: bash:5
      script: |-
{script}    outputs:
      done: {{type: string}}
"#
        ),
    );
    let (out, rec) = env.run(&wf, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        string_output(&rec.unwrap(), "big", "done"),
        "big-script-ran"
    );
}

/// A tiny HTTP server for a bare repository (git's "dumb" protocol) that
/// asks for Basic credentials; returns its port and the Authorization
/// headers it received.
fn serve_repo(root: std::path::PathBuf) -> (u16, mpsc::Receiver<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = std::io::BufReader::new(conn.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut auth = None;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("authorization")
                {
                    auth = Some(v.trim().to_string());
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let path = path.split('?').next().unwrap_or("/");
            let reply = match &auth {
                None => "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"t\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".as_bytes().to_vec(),
                Some(a) => {
                    let _ = tx.send(a.clone());
                    let file = root.join(path.trim_start_matches('/'));
                    match std::fs::read(&file) {
                        Ok(body) if !path.contains("..") => {
                            let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
                            r.extend(body);
                            r
                        }
                        _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                    }
                }
            };
            let _ = conn.write_all(&reply);
        }
    });
    (port, rx)
}

/// git-checkout with a token in the URL, and with `password: secret:…`:
/// the clone works (the server got the credentials) and the token is in
/// no file of the cloned tree (`.git/config` holds the URL without it) nor
/// of the run.
#[test]
fn git_credentials_never_land_in_the_clone() {
    let Some(env) = Env::new() else { return };
    let work = env.dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    std::fs::write(work.join("hello.txt"), "hello\n").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "one"]);
    let served = env.dir.path().join("served");
    std::fs::create_dir_all(&served).unwrap();
    let bare = served.join("repo.git");
    let out = std::process::Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(&work)
        .arg(&bare)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    git(&bare, &["update-server-info"]);
    let (port, auths) = serve_repo(served);
    let token = "ghp_T0kenInTheUrl0123456789";
    let password = "pw-From-A-Secret-987";
    let wf = env.workflow(
        "clone.yaml",
        &format!(
            r#"defaults:
  resources:
    instance-type: C4
jobs:
  InUrl:
    uses: git-checkout@v1
    with:
      url: http://bob:{token}@127.0.0.1:{port}/repo.git  # gwk: ignore[hardcoded-credential]
    outputs:
      repo: {{type: volume}}
  WithPassword:
    uses: git-checkout@v1
    with:
      url: http://127.0.0.1:{port}/repo.git
      username: alice
      password: secret:gitpw
    outputs:
      repo: {{type: volume}}
"#
        ),
    );
    let (out, rec) = env.run(&wf, &["--secret", &format!("gitpw={password}")]);
    assert!(out.status.success(), "{}", text(&out));
    let rec = rec.unwrap();
    let id = rec["id"].as_str().unwrap();
    let got: Vec<String> = auths.try_iter().collect();
    let b64 = |s: &str| {
        let mut c = std::process::Command::new("base64")
            .arg("-w0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        String::from_utf8(c.wait_with_output().unwrap().stdout).unwrap()
    };
    assert!(
        got.contains(&format!("Basic {}", b64(&format!("bob:{token}")))),
        "{got:?}"
    );
    assert!(
        got.contains(&format!("Basic {}", b64(&format!("alice:{password}")))),
        "{got:?}"
    );
    for j in ["InUrl", "WithPassword"] {
        let tree = env.run_dir(id).join(format!("jobs/{j}/outputs/repo"));
        assert_eq!(
            std::fs::read_to_string(tree.join("hello.txt")).unwrap(),
            "hello\n"
        );
        let config = std::fs::read_to_string(tree.join(".git/config")).unwrap();
        assert!(
            config.contains(&format!("url = http://127.0.0.1:{port}/repo.git")),
            "{config}"
        );
        for f in files_under(&tree) {
            let bytes = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).to_string();
            for s in [token, password] {
                assert!(!bytes.contains(s), "{} holds a credential", f.display());
            }
        }
    }
    for f in files_under(&env.run_dir(id)) {
        let bytes = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).to_string();
        assert!(
            !bytes.contains(password),
            "{} holds the secret",
            f.display()
        );
    }
}

/// `gwk datasets rm NAME:VERSION` (and `rm NAME --all`) refuse a version a
/// live run reads, and the job's input stays whole; once the run has
/// ended, the removal goes through.
#[test]
fn a_dataset_version_in_use_is_not_removed() {
    let Some(env) = Env::new() else { return };
    let src = env.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.txt"), "alpha").unwrap();
    let import = env
        .gwk()
        .args(["datasets", "import", "held"])
        .arg(&src)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", text(&import));
    let wf = env.workflow(
        "reads.yaml",
        r#"defaults:
  resources:
    instance-type: C4
inputs:
  data:
    type: dataset
    with:
      ref: held
jobs:
  reads:
    uses: container@v1
    inputs:
      data: workflow.inputs.data
    with: {image: bash:5, args: ["bash", "-c", "echo started; sleep 4; cat /inputs/data/a.txt > /outputs/got"]}
    outputs:
      got: {type: string}
"#,
    );
    let child = env
        .gwk()
        .args(["run", "--network", "none"])
        .arg(&wf)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = wait_for_run(&env);
    wait_for_container(&env, &id);
    for args in [vec!["held:latest"], vec!["held", "--all"]] {
        let rm = env
            .gwk()
            .args(["datasets", "rm"])
            .args(&args)
            .output()
            .unwrap();
        assert!(!rm.status.success(), "rm {args:?} went through");
        assert!(text(&rm).contains("is in use"), "{}", text(&rm));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let rec = env.record(&id);
    assert_eq!(string_output(&rec, "reads", "got"), "alpha");
    let rm = env
        .gwk()
        .args(["datasets", "rm", "held:latest"])
        .output()
        .unwrap();
    assert!(rm.status.success(), "{}", text(&rm));
}
