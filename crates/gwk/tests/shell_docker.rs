//! `gwk runs shell` against the real Docker engine, driven through a
//! pseudo-terminal (rexpect): the shell sees the failed job's inputs
//! read-only, its outputs (a copy), its env with a secret that is usable
//! but stored nowhere; Ctrl-C reaches the shell, not gwk; exiting, a
//! SIGTERM to gwk and `gwk gc` after a `kill -9` leave no container; the
//! run's records are unchanged. `--command` runs one command.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const SECRET: &str = "tok-5ecret-42";

const FAILING: &str = r#"defaults:
  resources:
    instance-type: C4
jobs:
  prep:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "echo data-from-prep > /outputs/p/d.txt"]}
    outputs:
      p: {type: volume}
  train:
    uses: script@v1
    needs: [prep]
    env:
      TOKEN: secret:token
      MODE: fast
    inputs:
      p: prep.outputs.p
    outputs:
      m: {type: volume}
    with:
      image: bash:5
      script: |-
        echo partial-model > /outputs/m/half.txt
        exit 3
"#;

/// Every file of the run's directory with its content.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = files_under(dir)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// Containers of the run (shells included), running or not.
fn shells(host: &str, run: &str) -> Vec<String> {
    let out = Command::new("docker")
        .args(["-H", host, "ps", "-a", "--filter"])
        .arg(format!("label=gwk.run={run}"))
        .args(["--filter", "label=gwk.shell=1", "--format", "{{.Names}}"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The `gwk.pid` label of the run's one shell container: the gwk that
/// opened it.
fn shell_owner(host: &str, run: &str) -> i32 {
    let name = shells(host, run).pop().expect("a shell container");
    let out = Command::new("docker")
        .args([
            "-H",
            host,
            "inspect",
            "--format",
            "{{index .Config.Labels \"gwk.pid\"}}",
        ])
        .arg(&name)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn shell_cmd(env: &Env, run: &str) -> Command {
    let mut c = env.gwk();
    c.args(["runs", "shell", run, "train", "--network", "none"])
        .args(["--secret", &format!("token={SECRET}")])
        .env("TERM", "dumb");
    c
}

/// The failed run, and a snapshot of its directory.
fn failed_run(env: &Env) -> (String, Vec<(String, Vec<u8>)>) {
    let wf = env.workflow("wf.yaml", FAILING);
    let (out, rec) = env.run(&wf, &["--secret", &format!("token={SECRET}")]);
    let rec = rec.expect("a run");
    assert_eq!(rec["status"], "failed", "{}", text(&out));
    let id = rec["id"].as_str().unwrap().to_string();
    let snap = snapshot(&env.run_dir(&id));
    (id, snap)
}

#[test]
fn a_shell_in_the_failed_job_has_its_world_and_leaves_nothing() {
    let Some(env) = Env::new() else { return };
    let host = env.docker_host().to_string();
    let (run, before) = failed_run(&env);

    let mut p = rexpect::session::spawn_command(shell_cmd(&env, &run), Some(30_000)).unwrap();
    p.exp_string("exit the shell to end it").unwrap();
    assert_eq!(
        shells(&host, &run).len(),
        1,
        "the shell's container, labelled"
    );
    // The terminal echoes what is typed: markers are computed by the shell.
    p.send_line("cat /inputs/p/d.txt; echo IN-$((40+2))")
        .unwrap();
    p.exp_string("data-from-prep").unwrap();
    p.exp_string("IN-42").unwrap();
    p.send_line("touch /inputs/p/new 2>/dev/null || echo RO-$((1+1))")
        .unwrap();
    p.exp_string("RO-2").unwrap();
    p.send_line("cat /outputs/m/half.txt; echo changed > /outputs/m/half.txt; touch /outputs/m/added; echo OUT-$((3+4))").unwrap();
    p.exp_string("partial-model").unwrap();
    p.exp_string("OUT-7").unwrap();
    // The secret is there and usable, the env as the job had it.
    p.send_line("[ \"$(printf %s \"$TOKEN\" | wc -c)\" -eq 13 ] && [ \"$MODE\" = fast ] && [ \"$GWK_RUN_ID\" != \"\" ] && echo ENV-$((5*5))").unwrap();
    p.exp_string("ENV-25").unwrap();
    p.send_line("bash -e /.gwk/script; echo SCRIPT-$?").unwrap();
    p.exp_string("SCRIPT-3").unwrap();
    // Ctrl-C goes to the shell: it ends the sleep, not gwk.
    p.send_line("sleep 60").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    p.send_control('c').unwrap();
    p.send_line("echo AFTER-$((2+3))").unwrap();
    p.exp_string("AFTER-5").unwrap();
    p.send_line("exit 7").unwrap();
    p.exp_eof().unwrap();
    let status = format!("{:?}", p.process().wait().unwrap());
    assert!(
        status.ends_with(", 7)"),
        "gwk exits with the shell's status: {status}"
    );

    assert!(shells(&host, &run).is_empty(), "no container after exit");
    assert_no_containers(&host, &run);
    let after = snapshot(&env.run_dir(&run));
    assert!(before == after, "the run's directory changed");
    for (path, bytes) in &after {
        assert!(
            !String::from_utf8_lossy(bytes).contains(SECRET),
            "{path} holds the secret"
        );
    }
    let shells_dir = env.home().join("shells");
    assert!(
        std::fs::read_dir(&shells_dir).unwrap().next().is_none(),
        "the scratch copy is removed"
    );

    // A SIGTERM or a SIGINT (Ctrl-C sent to gwk itself, not typed in the
    // shell) ends the shell and removes its container.
    for sig in [libc::SIGTERM, libc::SIGINT] {
        let mut p = rexpect::session::spawn_command(shell_cmd(&env, &run), Some(30_000)).unwrap();
        p.exp_string("exit the shell to end it").unwrap();
        let pid = shell_owner(&host, &run);
        // SAFETY: a signal to the gwk this test started.
        unsafe { libc::kill(pid, sig) };
        p.exp_eof().unwrap();
        let _ = p.process().wait();
        wait_until(
            &format!("the shell's container is removed after signal {sig}"),
            || shells(&host, &run).is_empty(),
        );
    }

    // After a kill -9, the container stays until `gwk gc`.
    let mut p = rexpect::session::spawn_command(shell_cmd(&env, &run), Some(30_000)).unwrap();
    p.exp_string("exit the shell to end it").unwrap();
    let pid = shell_owner(&host, &run);
    // SAFETY: as above.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    // Reaped: a zombie would still count as a live owner.
    let _ = p.process().wait();
    assert_eq!(shells(&host, &run).len(), 1, "left behind by kill -9");
    let out = env.gwk().arg("gc").output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        shells(&host, &run).is_empty(),
        "gwk gc removes it: {}",
        text(&out)
    );
    assert!(
        before == snapshot(&env.run_dir(&run)),
        "the run's directory changed"
    );
}

#[test]
fn shell_command_runs_one_command_with_the_jobs_world() {
    let Some(env) = Env::new() else { return };
    let (run, before) = failed_run(&env);
    let out = shell_cmd(&env, &run)
        .args([
            "--command",
            "cat /inputs/p/d.txt; echo token=$TOKEN; touch /inputs/p/x || exit 9",
        ])
        .output()
        .unwrap();
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(9), "{shown}");
    assert!(shown.contains("data-from-prep"), "{shown}");
    assert!(shown.contains("token=***"), "masked: {shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shells(env.docker_host(), &run).is_empty());
    assert!(before == snapshot(&env.run_dir(&run)));

    // Without the secret the shell is refused, as `gwk run` would be.
    let out = env
        .gwk()
        .args(["runs", "shell", &run, "train", "--command", "true"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("token"), "{}", text(&out));
    // A job the run does not have.
    let out = env
        .gwk()
        .args(["runs", "shell", &run, "nojob", "--command", "true"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("has no job `nojob`"), "{}", text(&out));
}

#[test]
fn shell_on_failure_opens_at_the_first_failure_and_the_run_waits() {
    let Some(env) = Env::new() else { return };
    let wf = env.workflow("wf.yaml", FAILING);
    let mut c = env.gwk();
    c.arg("run")
        .arg(&wf)
        .args([
            "--network",
            "none",
            "--shell-on-failure",
            "--color",
            "never",
        ])
        .args(["--secret", &format!("token={SECRET}")])
        .env("TERM", "dumb");
    let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
    p.exp_string("opening a shell in its world").unwrap();
    p.exp_string("exit the shell to end it").unwrap();
    let run = env.run_ids().pop().expect("the run");
    // The run waits: its record says the job failed, and the run is still on.
    let rec = env.record(&run);
    assert_eq!(status(&rec, "train"), "failed");
    assert_eq!(rec["status"], "running");
    p.send_line("cat /outputs/m/half.txt; cat /inputs/p/d.txt; echo W-$((6+6))")
        .unwrap();
    p.exp_string("partial-model").unwrap();
    p.exp_string("data-from-prep").unwrap();
    p.exp_string("W-12").unwrap();
    p.send_line("exit").unwrap();
    p.exp_string("failed in").unwrap();
    p.exp_eof().unwrap();
    let status_ = format!("{:?}", p.process().wait().unwrap());
    assert!(status_.ends_with(", 1)"), "the run failed: {status_}");
    let rec = env.record(&run);
    assert_eq!(rec["status"], "failed");
    assert!(shells(env.docker_host(), &run).is_empty());
    assert_no_containers(env.docker_host(), &run);

    // Without a terminal, it says so and runs as usual.
    let (out, rec) = env.run(
        &wf,
        &["--shell-on-failure", "--secret", &format!("token={SECRET}")],
    );
    assert!(
        text(&out).contains("--shell-on-failure needs a terminal"),
        "{}",
        text(&out)
    );
    assert_eq!(rec.unwrap()["status"], "failed");
}

/// A dataset input whose `latest` moved since the run: the shell reads the
/// version the job read, found by the content hash in the run's record.
#[test]
fn the_shell_reads_the_dataset_version_the_job_read() {
    let Some(env) = Env::new() else { return };
    let data = env.dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let import = |content: &str| {
        std::fs::write(data.join("f.txt"), content).unwrap();
        let out = env
            .gwk()
            .args(["datasets", "import", "shelldata"])
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
    };
    let create = env
        .gwk()
        .args(["datasets", "create", "shelldata"])
        .output()
        .unwrap();
    assert!(create.status.success(), "{}", text(&create));
    import("first-version");
    let wf = env.workflow(
        "ds.yaml",
        r#"defaults:
  resources:
    instance-type: C4
inputs:
  d:
    type: dataset
    with:
      ref: shelldata
jobs:
  read:
    uses: container@v1
    with: {image: bash:5, args: ["bash", "-c", "cat /inputs/d/f.txt; exit 5"]}
    inputs:
      d: workflow.inputs.d
"#,
    );
    let (out, rec) = env.run(&wf, &[]);
    let run = rec.expect("a run")["id"].as_str().unwrap().to_string();
    assert!(text(&out).contains("first-version"), "{}", text(&out));
    import("second-version");
    let out = env
        .gwk()
        .args(["runs", "shell", &run, "read", "--network", "none"])
        .args(["--command", "cat /inputs/d/f.txt"])
        .output()
        .unwrap();
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("first-version") && !shown.contains("second-version"),
        "{shown}"
    );
}
