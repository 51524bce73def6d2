//! A small LSP client that drives the built `gwk-lsp` over stdio.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Server {
    pub child: Child,
    stdin: ChildStdin,
    inbox: Receiver<Value>,
    next_id: i64,
    /// Messages read but not asked for yet, in arrival order.
    pending: Vec<Value>,
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_gwk-lsp")
}

/// The `gwk` binary beside `gwk-lsp`, built when it is not there yet (for
/// tests that compare the server with the CLI).
pub fn gwk_binary() -> PathBuf {
    let dir = Path::new(binary()).parent().unwrap();
    let exe = dir.join(format!("gwk{}", std::env::consts::EXE_SUFFIX));
    if !exe.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "gwk", "--bin", "gwk"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cannot build gwk for the comparison");
    }
    exe
}

impl Server {
    pub fn start(env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(binary());
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("gwk-lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, inbox) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("Content-Length")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let msg: Value = serde_json::from_slice(&body).expect("JSON body");
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            stdin,
            inbox,
            next_id: 0,
            pending: Vec::new(),
        }
    }

    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).unwrap();
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend(body);
        self.stdin.write_all(&out).expect("server reads");
        self.stdin.flush().unwrap();
    }

    /// Writes bytes as they are (for malformed messages).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("server reads");
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request; returns its id.
    pub fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The next message that matches `pred`, answering the server's own
    /// requests on the way and keeping the rest for later.
    pub fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&pred) {
            return self.pending.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = match self.inbox.recv_timeout(left) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => panic!("timed out waiting for {what}"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("server exited while waiting for {what}")
                }
            };
            if msg.get("method").is_some() && msg.get("id").is_some() {
                // A request from the server (registerCapability, ...):
                // answered, and kept like any other message.
                let id = msg["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
            }
            if pred(&msg) {
                return msg;
            }
            self.pending.push(msg);
        }
    }

    pub fn response(&mut self, id: i64) -> Value {
        self.wait(&format!("the response to request {id}"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })
    }

    /// Sends a request and returns its `result` (panics on an error).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        let r = self.response(id);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// The diagnostics pushed for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let m = self.wait(&format!("diagnostics of {uri} v{version}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    pub fn initialize(&mut self, capabilities: Value, root: &Path) -> Value {
        let r = self.call(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": uri(root),
                "capabilities": capabilities,
                "clientInfo": {"name": "gwk-lsp tests"},
            }),
        );
        self.notify("initialized", json!({}));
        r
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// The messages read so far that no `wait` took, which match `pred`.
    pub fn seen(&self, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
        self.pending.iter().filter(|m| pred(m)).cloned().collect()
    }

    /// shutdown and exit; the exit status and every message the server
    /// sent that no `wait` took, up to the end of its output.
    pub fn finish(mut self) -> (i32, Vec<Value>) {
        let r = self.call("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.inbox.recv_timeout(left) {
                Ok(m) => self.pending.push(m),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => panic!("the server's output did not end"),
            }
        }
        let code = self
            .exit_code(Duration::from_secs(10))
            .expect("server exits after `exit`");
        (code, std::mem::take(&mut self.pending))
    }

    /// shutdown, exit, and the exit status.
    pub fn shutdown(mut self) -> i32 {
        let r = self.call("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        self.exit_code(Duration::from_secs(10))
            .expect("server exits after `exit`")
    }

    /// Waits up to `limit` for the process to end; its status code.
    pub fn exit_code(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Never leave a server behind, whatever the test did.
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A workspace in a temporary directory with a workflow under
/// `.gradient/workflows/`.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".gradient/workflows")).unwrap();
        Workspace { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
}

/// The pipeline fixture the gwk-spec query tests use too.
pub const PIPELINE: &str = include_str!("../../../gwk-spec/tests/fixtures/pipeline.yaml");

/// 0-based line and UTF-16 column of the end of the first `needle`.
pub fn position_after(text: &str, needle: &str) -> Value {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle}")) + needle.len();
    let line_start = text[..at].rfind('\n').map_or(0, |p| p + 1);
    let line = text[..at].matches('\n').count();
    let col: usize = text[line_start..at].encode_utf16().count();
    json!({"line": line, "character": col})
}

pub fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}
