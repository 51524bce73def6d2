//! Helpers of the `gwk ui` tests: a run store made with gwk-run's own
//! types, a console started on it, and a plain HTTP/1.1 client (hand-made
//! so a test can send any `Host`, `Origin` or undecoded path it likes).
#![allow(dead_code)]

use gwk_run::JobStatus;
use gwk_run::RunStatus;
use gwk_run::rundir::{JobRecord, OutputRecord, RunDir, RunRecord};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const WORKFLOW: &str = "inputs:
  greeting:
    type: string
    with:
      value: hello
jobs:
  Make:
    inputs:
      greeting: workflow.inputs.greeting
    uses: container@v1
    env:
      TOKEN: secret:HF_TOKEN
    with:
      image: bash:5
      args: [bash, -c, 'echo hi']
    outputs:
      notes:
        type: volume
      size:
        type: string
    resources:
      instance-type: C4
  Use:
    needs: [Make]
    inputs:
      notes: Make.outputs.notes
      size: Make.outputs.size
    uses: container@v1
    with:
      image: bash:5
      args: [bash, -c, 'cat /inputs/size']
    resources:
      instance-type: C4
";

pub struct Store {
    pub dir: tempfile::TempDir,
}

impl Store {
    pub fn new() -> Store {
        let s = Store {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(s.home().join("runs")).unwrap();
        std::fs::create_dir_all(s.project().join(".gradient/workflows")).unwrap();
        std::fs::write(s.project().join(".gradient/workflows/good.yaml"), WORKFLOW).unwrap();
        std::fs::write(
            s.project().join(".gradient/workflows/broken.yaml"),
            "jobs:\n  A:\n    uses: container@v1\n    need: [B]\n    with:\n      image: bash:5\n",
        )
        .unwrap();
        // Something outside every root the console serves.
        std::fs::write(s.dir.path().join("secret.txt"), "TOP-SECRET-CONTENT\n").unwrap();
        s
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn project(&self) -> PathBuf {
        self.dir.path().join("project")
    }

    /// A run of WORKFLOW with jobs Make and Use, its files written: the
    /// spec, a plan, a log, a volume (with a link out), a string output.
    pub fn run(&self, id: &str, status: RunStatus, started: &str) -> RunDir {
        let dir = RunDir::create(&self.home(), id).unwrap();
        std::fs::write(dir.path.join("spec.yaml"), WORKFLOW).unwrap();
        let plan = serde_json::json!({"jobs": [
            {"name": "Make", "action": "container@v1", "image": "bash:5", "command": null,
             "args": ["bash", "-c", "echo hi"], "instance_type": "C4", "gpus": 0,
             "env": [{"name": "TOKEN", "secret": "HF_TOKEN", "from": "job"}, {"name": "EPOCHS", "value": "10", "from": "job"}],
             "mounts": [{"name": "notes", "target": "/outputs/notes", "kind": "volume", "read_only": false, "from": "new volume"}]},
            {"name": "Use", "action": "container@v1", "image": "bash:5", "gpus": 0, "env": [], "mounts": []}
        ]});
        std::fs::write(
            dir.path.join("plan.json"),
            serde_json::to_vec(&plan).unwrap(),
        )
        .unwrap();
        let outputs = dir.job_outputs("Make");
        std::fs::create_dir_all(outputs.join("notes/sub")).unwrap();
        std::fs::write(outputs.join("notes/greeting.txt"), "hello\n").unwrap();
        std::fs::write(outputs.join("notes/sub/deep.txt"), "deep\n").unwrap();
        std::os::unix::fs::symlink(
            self.dir.path().join("secret.txt"),
            outputs.join("notes/escape"),
        )
        .unwrap();
        std::fs::write(outputs.join("size"), "6").unwrap();
        let mut log = String::new();
        for i in 0..2000 {
            log.push_str(&format!(
                "line {i} {}\n",
                if i == 1234 { "FINDME" } else { "text" }
            ));
        }
        std::fs::write(dir.job_log("Make"), log).unwrap();
        let done = status != RunStatus::Running;
        let job_status = if done {
            JobStatus::Succeeded
        } else {
            JobStatus::Running
        };
        let mut make = JobRecord::new("Make");
        make.status = job_status;
        make.exit_code = done.then_some(0);
        make.duration_secs = done.then_some(1.5);
        make.outputs = vec![
            OutputRecord {
                name: "notes".into(),
                kind: "volume".into(),
                path: outputs.join("notes").display().to_string(),
                hash: "sha256:x".into(),
                ..Default::default()
            },
            OutputRecord {
                name: "size".into(),
                kind: "string".into(),
                path: outputs.join("size").display().to_string(),
                hash: "sha256:y".into(),
                value: Some("6".into()),
                ..Default::default()
            },
        ];
        let mut use_ = JobRecord::new("Use");
        use_.status = if done {
            JobStatus::Succeeded
        } else {
            JobStatus::Pending
        };
        let record = RunRecord {
            id: id.into(),
            file: ".gradient/workflows/good.yaml".into(),
            status,
            started: started.into(),
            finished: done.then(|| started.to_string()),
            duration_secs: done.then_some(3.0),
            resumed_from: None,
            triggered_by: None,
            jobs: vec![make, use_],
        };
        dir.write_record(&record).unwrap();
        dir
    }

    /// A bare record (no files), for stores of many runs.
    pub fn bare_run(&self, id: &str, file: &str, status: RunStatus) {
        self.bare_run_started_by(id, file, status, None);
    }

    /// A bare record of a run `gwk trigger` started for a push to `git_ref`.
    pub fn bare_run_started_by(
        &self,
        id: &str,
        file: &str,
        status: RunStatus,
        triggered_by: Option<&str>,
    ) {
        let dir = RunDir::create(&self.home(), id).unwrap();
        let record = RunRecord {
            id: id.into(),
            file: file.into(),
            status,
            started: "2026-01-01T00:00:00Z".into(),
            finished: None,
            duration_secs: Some(1.0),
            resumed_from: None,
            triggered_by: triggered_by.map(String::from),
            jobs: vec![],
        };
        dir.write_record(&record).unwrap();
    }
}

/// A running `gwk ui`, stopped when dropped.
pub struct Console {
    pub child: Child,
    pub port: u16,
    pub token: String,
    pub first_line: String,
}

impl Console {
    pub fn start(store: &Store, extra: &[&str]) -> Console {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gwk"))
            .args(["ui", "--port", "0", "--project"])
            .arg(store.project())
            .args(extra)
            .env("GWK_HOME", store.home())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let first_line = line.trim_end().to_string();
        let rest = first_line
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("first line is not the URL: {first_line:?}"));
        let (port, token) = rest.split_once("/?token=").unwrap();
        Console {
            child,
            port: port.parse().unwrap(),
            token: token.to_string(),
            first_line,
        }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn cookie(&self) -> String {
        format!("gwk_ui_{}={}", self.port, self.token)
    }

    /// GET with the cookie.
    pub fn get(&self, path: &str) -> Response {
        let cookie = self.cookie();
        self.request("GET", path, &[("Cookie", &cookie)], "")
    }

    /// A request with `Host` set to the console's own (unless `headers`
    /// has one).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        let host = self.host();
        let mut all: Vec<(&str, &str)> = Vec::new();
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            all.push(("Host", &host));
        }
        all.extend_from_slice(headers);
        raw(self.port, method, path, &all, body)
    }

    /// The first `n` bytes of a streamed body (server-sent events).
    pub fn stream(&self, path: &str, until: &str, timeout: Duration) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(timeout)).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.host(),
            self.cookie()
        )
        .unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 8192];
        while !String::from_utf8_lossy(&got).contains(until) {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        String::from_utf8_lossy(&got).into_owned()
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request, the path sent exactly as given.
pub fn raw(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).unwrap();
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut raw_body = bytes[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        raw_body = dechunk(&raw_body);
    }
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&raw_body).into_owned(),
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
    out
}

pub fn wait_for(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}
