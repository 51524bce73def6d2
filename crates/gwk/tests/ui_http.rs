//! `gwk ui` over HTTP: every page and endpoint, and every refusal (no
//! token, a wrong one, a foreign Host or Origin, a path that leaves its
//! directory). The console runs as the real binary on a store made with
//! gwk-run's own types; requests are sent byte for byte.

mod ui_support;

use gwk_run::RunStatus;
use std::time::Duration;
use ui_support::{Console, Store, raw, wait_for};

const RUN: &str = "20261203-101500-abcd";

fn console() -> (Store, Console) {
    let store = Store::new();
    store.run(RUN, RunStatus::Succeeded, "2026-12-03T10:15:00.000Z");
    let c = Console::start(&store, &[]);
    (store, c)
}

#[test]
fn the_first_line_is_the_url_with_a_fresh_token() {
    let (store, c) = console();
    assert!(c.port != 0);
    assert_eq!(c.token.len(), 64, "{}", c.first_line);
    let other = Console::start(&store, &[]);
    assert_ne!(c.token, other.token, "each console has its own token");
}

#[test]
fn without_the_token_every_endpoint_says_401_and_reads_nothing() {
    let (_s, c) = console();
    let paths = [
        "/".to_string(),
        "/runs".into(),
        format!("/runs/{RUN}"),
        format!("/runs/{RUN}/events"),
        format!("/runs/{RUN}/jobs/Make"),
        format!("/runs/{RUN}/jobs/Make/log"),
        format!("/runs/{RUN}/jobs/Make/log/search?q=FINDME"),
        format!("/runs/{RUN}/jobs/Make/files/notes?path=greeting.txt"),
        "/runs/live".into(),
        "/datasets".into(),
        "/models".into(),
        "/workflows".into(),
        "/workflows/view?file=.gradient/workflows/good.yaml".into(),
        "/assets/app.js".into(),
        "/no/such/page".into(),
    ];
    for p in &paths {
        let r = c.request("GET", p, &[], "");
        assert_eq!(r.status, 401, "{p}: {r:?}");
        assert!(
            !r.body.contains("FINDME") && !r.body.contains("hello") && !r.body.contains("Make"),
            "{p}: {}",
            r.body
        );
        let wrong = format!("gwk_ui_{}={}", c.port, "0".repeat(64));
        let r = c.request("GET", p, &[("Cookie", &wrong)], "");
        assert_eq!(r.status, 403, "{p} with a wrong cookie");
        let sep = if p.contains('?') { '&' } else { '?' };
        let r = c.request("GET", &format!("{p}{sep}token=nope"), &[], "");
        assert_eq!(r.status, 403, "{p} with a wrong token");
    }
    let r = c.request(
        "POST",
        &format!("/runs/{RUN}/cancel"),
        &[("Origin", &format!("http://{}", c.host()))],
        "",
    );
    assert_eq!(r.status, 401, "POST without a token");
}

#[test]
fn the_token_in_the_url_becomes_a_cookie_and_leaves_the_url() {
    let (_s, c) = console();
    let r = c.request(
        "GET",
        &format!("/runs?status=succeeded&token={}", c.token),
        &[],
        "",
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/runs?status=succeeded"));
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.starts_with(&c.cookie()), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let r = c.get("/runs?status=succeeded");
    assert_eq!(r.status, 200);
    assert!(r.body.contains(RUN));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert!(
        r.header("content-security-policy")
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(r.header("referrer-policy"), Some("same-origin"));
    // Another console's cookie (another port) is not this one's.
    let other = format!("gwk_ui_{}={}", c.port + 1, c.token);
    assert_eq!(
        c.request("GET", "/runs", &[("Cookie", &other)], "").status,
        401
    );
}

#[test]
fn a_foreign_host_is_refused_before_the_token_is_looked_at() {
    let (_s, c) = console();
    let cookie = c.cookie();
    for host in [
        "evil.example",
        "evil.example:80",
        &format!("rebind.example:{}", c.port),
        "127.0.0.1",
        &format!("127.0.0.1:{}", c.port + 1),
    ] {
        // Even with the right token: DNS rebinding gives the attacker's
        // page the right address, never the right Host.
        let r = c.request("GET", "/runs", &[("Host", host), ("Cookie", &cookie)], "");
        assert_eq!(r.status, 403, "Host {host}");
        assert!(!r.body.contains(RUN));
        // And without one: 403 (the Host), not 401 (the token).
        let r = c.request("GET", "/runs", &[("Host", host)], "");
        assert_eq!(r.status, 403, "Host {host} without a token");
    }
    // No Host at all (HTTP/1.0 style) is refused too.
    let r = raw(c.port, "GET", "/runs", &[("Cookie", &cookie)], "");
    assert!((400..500).contains(&r.status), "{r:?}");
    let r = c.request(
        "GET",
        "/runs",
        &[
            ("Host", &format!("localhost:{}", c.port)),
            ("Cookie", &cookie),
        ],
        "",
    );
    assert_eq!(r.status, 200, "localhost is this machine");
}

#[test]
fn a_foreign_origin_is_refused_and_changes_need_the_own_origin() {
    let (store, c) = console();
    let cookie = c.cookie();
    for origin in [
        "http://evil.example",
        "null",
        &format!("https://{}", c.host()),
        &format!("http://{}.evil.example", c.host()),
    ] {
        let r = c.request(
            "GET",
            "/runs",
            &[("Origin", origin), ("Cookie", &cookie)],
            "",
        );
        assert_eq!(r.status, 403, "GET with Origin {origin}");
        let r = c.request(
            "POST",
            &format!("/runs/{RUN}/cancel"),
            &[("Origin", origin), ("Cookie", &cookie)],
            "",
        );
        assert_eq!(r.status, 403, "POST with Origin {origin}");
    }
    // A POST without Origin: refused before anything runs.
    let body = "file=.gradient%2Fworkflows%2Fgood.yaml";
    let r = c.request(
        "POST",
        "/workflows/run",
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body,
    );
    assert_eq!(r.status, 403, "{r:?}");
    assert_eq!(
        gwk_run::rundir::run_ids(&store.home()),
        [RUN],
        "no run was started"
    );
    // With the own Origin the request gets through the guard: the run is
    // finished, so there is nothing to cancel.
    let own = format!("http://{}", c.host());
    let r = c.request(
        "POST",
        &format!("/runs/{RUN}/cancel"),
        &[("Origin", &own), ("Cookie", &cookie)],
        "",
    );
    assert_eq!(r.status, 409, "{r:?}");
}

#[test]
fn file_paths_never_leave_the_output() {
    let (_s, c) = console();
    let base = format!("/runs/{RUN}/jobs/Make/files/notes");
    let ok = c.get(&format!("{base}?path=greeting.txt"));
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, "hello\n");
    assert!(
        ok.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    for (path, status) in [
        ("..%2F..%2F..%2F..%2Fsecret.txt", 403),
        ("../../../../secret.txt", 403),
        ("%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt", 403),
        ("sub%2F..%2F..%2F..%2F..%2F..%2Fsecret.txt", 403),
        ("sub/../../size", 403),
        ("escape", 403),
        ("%2Fetc%2Fpasswd", 404),
        ("..%5C..%5Csecret.txt", 403),
        ("a%00b", 403),
    ] {
        let r = c.get(&format!("{base}?path={path}"));
        assert_eq!(r.status, status, "path={path}: {}", r.body);
        assert!(
            !r.body.contains("TOP-SECRET") && !r.body.contains("root:"),
            "path={path} leaked"
        );
    }
    // In the URL's path: an encoded slash is one segment (an unknown
    // output or job), and `..` segments are not a way out either.
    for p in [
        format!("/runs/{RUN}/jobs/Make/files/..%2F..%2F..%2F..%2Fsecret.txt"),
        format!("/runs/{RUN}/jobs/..%2F..%2F..%2Fsecret.txt/log"),
        "/runs/..%2F..%2Fsecret.txt".to_string(),
        "/runs/../../secret.txt".to_string(),
        "/datasets/..%2F..%2F/x".to_string(),
        format!("/runs/{RUN}/jobs/Make/files/notes/../../../../secret.txt"),
    ] {
        let r = c.get(&p);
        assert!((400..500).contains(&r.status), "{p}: {}", r.status);
        assert!(!r.body.contains("TOP-SECRET"), "{p} leaked");
    }
    // A string output is shown by its (masked) value, never as its file.
    let r = c.get(&format!("/runs/{RUN}/jobs/Make/files/size"));
    assert_eq!(r.status, 404, "{}", r.body);
    // The listing shows the link as a link, not what it points to.
    let r = c.get(&base);
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("greeting.txt") && r.body.contains("sub/"),
        "{}",
        r.body
    );
    assert!(r.body.contains("escape") && r.body.contains("not followed"));
    let r = c.get(&format!("{base}?path=sub"));
    assert!(r.body.contains("deep.txt"));
    // Workflow files: inside the project only.
    for p in ["..%2Fsecret.txt", "../secret.txt", "%2E%2E/secret.txt"] {
        let r = c.get(&format!("/workflows/view?file={p}"));
        assert_eq!(r.status, 403, "{p}");
        assert!(!r.body.contains("TOP-SECRET"));
    }
}

#[test]
fn the_runs_page_lists_newest_first_filters_and_pages() {
    let store = Store::new();
    for i in 0..120 {
        let status = if i % 3 == 0 {
            RunStatus::Failed
        } else {
            RunStatus::Succeeded
        };
        let file = if i % 2 == 0 { "a.yaml" } else { "b.yaml" };
        // How each run started: the last by a push (gwk trigger), the rest by hand.
        let triggered = (i == 119).then_some("refs/heads/main");
        store.bare_run_started_by(&format!("20260101-000000-{i:04}"), file, status, triggered);
    }
    let c = Console::start(&store, &[]);
    let r = c.get("/runs");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("120 runs"));
    assert!(
        r.body.contains("trigger: <code>refs/heads/main</code>") && r.body.contains(">gwk run<"),
        "{}",
        r.body
    );
    let run = c.get("/runs/20260101-000000-0119");
    assert!(
        run.body.contains("a push to <code>refs/heads/main</code>"),
        "{}",
        run.body
    );
    let first = r.body.find("20260101-000000-0119").unwrap();
    let second = r.body.find("20260101-000000-0118").unwrap();
    assert!(first < second, "newest first");
    assert!(!r.body.contains("20260101-000000-0069"), "50 a page");
    assert!(r.body.contains("page 1 of 3"));
    let r = c.get("/runs?page=2");
    assert!(r.body.contains("20260101-000000-0000") && r.body.contains("page 3 of 3"));
    let r = c.get("/runs?status=failed&file=a.yaml");
    // i % 3 == 0 and i even: i % 6 == 0, 20 runs.
    assert!(r.body.contains("20 runs"), "{}", r.body);
    assert!(r.body.contains("20260101-000000-0114") && !r.body.contains("20260101-000000-0113"));
}

#[test]
fn the_run_page_draws_the_graph_with_states_and_labelled_edges() {
    let (_s, c) = console();
    let r = c.get(&format!("/runs/{RUN}"));
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<svg"));
    assert!(
        r.body.contains(r#"data-job="Make" data-state="succeeded""#),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(r#"class="edge-label""#) && r.body.contains("notes"),
        "edges say what they carry"
    );
    assert!(r.body.contains(&format!("/runs/{RUN}/events")));
    assert!(
        !r.body.contains("Cancel run"),
        "a finished run cannot be cancelled"
    );
    assert_eq!(c.get("/runs/20990101-000000-none").status, 404);
}

#[test]
fn run_events_stream_states_then_follow_the_event_file() {
    let store = Store::new();
    let dir = store.run(RUN, RunStatus::Running, "2026-12-03T10:15:00.000Z");
    // This test process holds the lock: the run is alive.
    dir.lock().unwrap();
    let c = Console::start(&store, &[]);
    let page = c.get(&format!("/runs/{RUN}"));
    assert!(page.body.contains("Cancel run"));
    let events = dir.events_path();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        let lines = [
            r#"{"event":"log","job":"Make","stream":"stdout","line":"job_finished in a log line"}"#,
            r#"{"event":"job_finished","job":"Make","status":"succeeded","exit_code":0,"duration_secs":1.0,"time":"t"}"#,
            r#"{"event":"job_started","job":"Use","time":"t"}"#,
            r#"{"event":"job_finished","job":"Use","status":"failed","exit_code":2,"duration_secs":1.0,"time":"t"}"#,
            r#"{"event":"run_finished","run_id":"x","status":"failed","duration_secs":2.0,"time":"t"}"#,
        ];
        let mut text = String::new();
        for l in lines {
            text.push_str(l);
            text.push('\n');
        }
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(events)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    });
    let got = c.stream(
        &format!("/runs/{RUN}/events"),
        "event: run",
        Duration::from_secs(20),
    );
    writer.join().unwrap();
    let make_running = got.find(r#""job":"Make","state":"running""#).expect(&got);
    let make_done = got.find(r#""job":"Make","state":"succeeded""#).expect(&got);
    let use_failed = got.find(r#""job":"Use","state":"failed""#).expect(&got);
    let run_done = got.find(r#""status":"failed""#).expect(&got);
    assert!(
        make_running < make_done && make_done < use_failed && use_failed < run_done,
        "{got}"
    );
    dir.unlock();
}

#[test]
fn the_runs_stream_shows_a_new_run() {
    let (store, c) = console();
    let new = "20261203-111111-new1";
    let s2 = store.home();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        let dir = gwk_run::rundir::RunDir::create(&s2, new).unwrap();
        let rec = gwk_run::rundir::RunRecord {
            id: new.into(),
            file: "x.yaml".into(),
            status: RunStatus::Succeeded,
            started: "2026-12-03T11:11:11Z".into(),
            finished: None,
            duration_secs: None,
            resumed_from: None,
            triggered_by: None,
            jobs: vec![],
        };
        dir.write_record(&rec).unwrap();
    });
    let got = c.stream("/runs/live", new, Duration::from_secs(20));
    writer.join().unwrap();
    assert!(got.contains("event: rows"), "{got}");
    assert!(got.contains(RUN) && got.contains(new), "{got}");
}

#[test]
fn the_log_is_served_in_ranges_and_searched() {
    let (_s, c) = console();
    let base = format!("/runs/{RUN}/jobs/Make");
    let page = c.get(&base);
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("data-src=\"{base}/log\"")));
    assert!(
        !page.body.contains("line 1999"),
        "the page itself carries no log"
    );
    let tail: serde_json::Value =
        serde_json::from_str(&c.get(&format!("{base}/log?len=100")).body).unwrap();
    let text = tail["text"].as_str().unwrap();
    assert!(
        text.ends_with("line 1999 text\n") && text.len() <= 100,
        "{text:?}"
    );
    assert!(text.starts_with("line "), "whole lines: {text:?}");
    let size = tail["size"].as_u64().unwrap();
    assert_eq!(tail["end"].as_u64(), Some(size));
    let head: serde_json::Value =
        serde_json::from_str(&c.get(&format!("{base}/log?start=0&len=20")).body).unwrap();
    assert_eq!(
        head["text"], "line 0 text\n",
        "a cut line is left for the next range"
    );
    let big: serde_json::Value =
        serde_json::from_str(&c.get(&format!("{base}/log?start=0&len=999999999")).body).unwrap();
    assert!(big["end"].as_u64().unwrap() <= 1 << 20, "capped");
    let found: serde_json::Value =
        serde_json::from_str(&c.get(&format!("{base}/log/search?q=FINDME")).body).unwrap();
    assert_eq!(found["matches"][0]["line"], "line 1234 FINDME");
    let off = found["matches"][0]["offset"].as_u64().unwrap();
    let at: serde_json::Value =
        serde_json::from_str(&c.get(&format!("{base}/log?start={off}&len=17")).body).unwrap();
    assert_eq!(at["text"], "line 1234 FINDME\n");
    assert_eq!(c.get(&format!("{base}/log/search?q=")).status, 400);
    assert_eq!(c.get(&format!("/runs/{RUN}/jobs/Nope/log")).status, 404);
}

#[test]
fn the_data_tab_shows_outputs_and_the_definition_hides_secrets() {
    let (store, c) = console();
    // A dataset version and a model made by this job.
    let ds = gwk_run::datasets::DatasetStore::new(&store.home());
    ds.create("weights").unwrap();
    let src = store.dir.path().join("w");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("model.bin"), "0101").unwrap();
    let v = ds
        .import(
            "weights",
            &src,
            gwk_run::datasets::VersionSource {
                run: Some(RUN.into()),
                job: Some("Make".into()),
                ..Default::default()
            },
        )
        .unwrap();
    gwk_run::models::ModelStore::new(&store.home())
        .register(gwk_run::models::Model {
            id: String::new(),
            name: "my-model".into(),
            model_type: "Custom".into(),
            dataset: "weights".into(),
            version: v.id.clone(),
            path: String::new(),
            created: String::new(),
            run: Some(RUN.into()),
            job: Some("Make".into()),
        })
        .unwrap();
    let r = c.get(&format!("/runs/{RUN}/jobs/Make?tab=data"));
    assert_eq!(r.status, 200);
    assert!(r.body.contains(r#"data-output="notes""#) && r.body.contains("Browse files"));
    assert!(
        r.body.contains(r#"<pre class="value">6</pre>"#),
        "{}",
        r.body
    );
    assert!(r.body.contains("my-model"));
    let r = c.get(&format!("/runs/{RUN}/jobs/Make?tab=definition"));
    assert!(r.body.contains("bash:5") && r.body.contains("/outputs/notes"));
    assert!(r.body.contains("secret:HF_TOKEN → ***"), "{}", r.body);
    assert!(r.body.contains("EPOCHS"));
    // Datasets and models pages.
    let r = c.get("/datasets");
    assert!(r.body.contains("weights") && r.body.contains(&v.id));
    let r = c.get("/datasets/weights");
    assert!(r.body.contains(&v.id) && r.body.contains(RUN));
    let r = c.get(&format!("/datasets/weights/{}", v.id));
    assert!(r.body.contains("model.bin"), "{}", r.body);
    let r = c.get(&format!("/datasets/weights/{}?path=model.bin", v.id));
    assert_eq!(r.body, "0101");
    let r = c.get(&format!(
        "/datasets/weights/{}?path=..%2F..%2F..%2F..%2F..%2Fsecret.txt",
        v.id
    ));
    assert_eq!(r.status, 403);
    assert_eq!(c.get("/datasets/weights/nope").status, 404);
    assert_eq!(c.get("/datasets/..%2Fweights").status, 404);
    let r = c.get("/models");
    assert!(r.body.contains("my-model") && r.body.contains("Custom"));
}

#[test]
fn the_workflows_page_checks_plans_and_refuses_a_broken_file() {
    let (store, c) = console();
    let r = c.get("/workflows");
    assert!(
        r.body.contains("good.yaml") && r.body.contains("broken.yaml"),
        "{}",
        r.body
    );
    let r = c.get("/workflows/view?file=.gradient/workflows/good.yaml");
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("Plan of .gradient/workflows/good.yaml"),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"name="input.greeting""#) && r.body.contains("Start a run"));
    let r = c.get("/workflows/view?file=.gradient/workflows/broken.yaml");
    assert!(
        r.body.contains("unknown-key") && r.body.contains("cannot be planned"),
        "{}",
        r.body
    );
    // Starting the broken one goes through gwk run, which refuses it with
    // gwk check's findings.
    let own = format!("http://{}", c.host());
    let cookie = c.cookie();
    let r = c.request(
        "POST",
        "/workflows/run",
        &[
            ("Origin", &own),
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "file=.gradient%2Fworkflows%2Fbroken.yaml",
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.body.contains("unknown-key"), "{}", r.body);
    // A form field that is not an input is refused before anything runs.
    let r = c.request(
        "POST",
        "/workflows/run",
        &[
            ("Origin", &own),
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "file=.gradient%2Fworkflows%2Fgood.yaml&docker-host=tcp%3A%2F%2Fevil",
    );
    assert_eq!(r.status, 400);
    let r = c.request(
        "POST",
        "/workflows/run",
        &[
            ("Origin", &own),
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "file=..%2Fsecret.txt",
    );
    assert_eq!(r.status, 403);
    assert_eq!(gwk_run::rundir::run_ids(&store.home()), [RUN]);
}

#[test]
fn cancel_interrupts_the_gwk_that_holds_the_run() {
    let store = Store::new();
    let dir = store.run(RUN, RunStatus::Running, "2026-12-03T10:15:00.000Z");
    // A stand-in for the run's gwk: it reports SIGINT by its exit.
    let mut holder = std::process::Command::new("bash")
        .args(["-c", "trap 'exit 42' INT; while :; do sleep 0.05; done"])
        .spawn()
        .unwrap();
    let pid = holder.id() as i32;
    std::thread::sleep(Duration::from_millis(200));
    let start = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let start: u64 = start
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .nth(19)
        .unwrap()
        .parse()
        .unwrap();
    std::fs::write(dir.lock_path(), format!("{pid} {start}\n")).unwrap();
    assert_eq!(dir.live_owner(), Some(pid), "the lock names a live process");
    let c = Console::start(&store, &[]);
    let own = format!("http://{}", c.host());
    let cookie = c.cookie();
    let r = c.request(
        "POST",
        &format!("/runs/{RUN}/cancel"),
        &[("Origin", &own), ("Cookie", &cookie)],
        "",
    );
    assert_eq!(r.status, 303, "{r:?}");
    let mut code = None;
    wait_for("the holder to exit", Duration::from_secs(10), || {
        code = holder.try_wait().unwrap().and_then(|s| s.code());
        code.is_some()
    });
    assert_eq!(code, Some(42), "it got SIGINT");
}

#[test]
fn a_non_loopback_host_is_warned_about() {
    let store = Store::new();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gwk"))
        .args(["ui", "--port", "0", "--host", "0.0.0.0", "--project"])
        .arg(store.project())
        .env("GWK_HOME", store.home())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.contains("warning") && line.contains("0.0.0.0"),
        "{line}"
    );
}
