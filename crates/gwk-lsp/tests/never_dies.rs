//! A panic anywhere never ends the server: in a request, in a notification,
//! in the checker thread. The server is started with `GWK_LSP_DEBUG=1`,
//! whose hooks (src/debug.rs) panic where a real bug would.

mod common;

use common::*;
use serde_json::{Value, json};

const PANIC_IN_CHECK: &str = "# gwk-lsp-debug: panic in check\n";
const PANIC_IN_CHANGE: &str = "# gwk-lsp-debug: panic in didChange\n";

fn typo() -> String {
    PIPELINE.replace(
        "data: Prepare.outputs.prepared",
        "data: Prepare.outputs.prepard",
    )
}

fn debug_server() -> Server {
    Server::start(&[("GWK_LSP_DEBUG", "1")])
}

/// A debug server with [`typo`] open (its one finding in) under a
/// workspace, initialized with `capabilities`.
fn opened_typo(capabilities: Value) -> (Workspace, Server, String, String) {
    let ws = Workspace::new();
    let text = typo();
    let uri = uri(&ws.write(".gradient/workflows/p.yaml", &text));
    let mut s = debug_server();
    s.initialize(capabilities, ws.root());
    s.open(&uri, &text);
    (ws, s, uri, text)
}

fn top() -> Value {
    json!({"line": 0, "character": 0})
}

/// Inserts the marker line at the top (version `v`).
fn insert_marker(s: &mut Server, uri: &str, v: i64, marker: &str) {
    s.change(
        uri,
        v,
        json!([{"range": {"start": top(), "end": top()}, "text": marker}]),
    );
}

/// Removes the marker line inserted at the top (version `v`).
fn remove_marker(s: &mut Server, uri: &str, v: i64) {
    s.change(
        uri,
        v,
        json!([{"range": {"start": top(), "end": {"line": 1, "character": 0}}, "text": ""}]),
    );
}

fn hover_train(s: &mut Server, uri: &str, text: &str) -> Value {
    s.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position_after(text, "  Tra")}),
    )
}

fn method_is(m: &Value, method: &str) -> bool {
    m["method"] == method
}

fn message(m: &Value) -> &str {
    m["params"]["message"].as_str().unwrap_or("")
}

#[test]
fn a_panic_in_a_request_is_an_error_response() {
    let ws = Workspace::new();
    let mut s = debug_server();
    s.initialize(json!({}), ws.root());
    // The handler panics outside any catch of its own: the service's catch
    // answers.
    let id = s.request("gwk/debug/panic", json!({}));
    let r = s.response(id);
    assert_eq!(r["error"]["code"], -32603, "{r}");
    let text = r["error"]["message"].as_str().unwrap();
    assert!(text.contains("gwk/debug/panic failed"), "{text}");
    assert!(text.contains("asked for by gwk/debug/panic"), "{text}");
    assert!(text.contains("the server goes on"), "{text}");
    // And it goes on.
    let path = ws.write(".gradient/workflows/p.yaml", PIPELINE);
    let uri = uri(&path);
    s.open(&uri, PIPELINE);
    assert!(s.diagnostics(&uri, 1).is_empty());
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn a_panic_in_a_notification_is_logged_and_the_server_goes_on() {
    let (_ws, mut s, uri, text) = opened_typo(json!({}));
    assert_eq!(codes(&s.diagnostics(&uri, 1)), ["unknown-output"]);

    insert_marker(&mut s, &uri, 2, PANIC_IN_CHANGE);
    let log = s.wait("the log of the panic", |m| {
        method_is(m, "window/logMessage")
    });
    assert!(
        message(&log).contains("textDocument/didChange failed"),
        "{log}"
    );
    assert_eq!(log["params"]["type"], 1, "an error");
    let shown = s.wait("the message to reopen", |m| {
        method_is(m, "window/showMessage")
    });
    assert!(message(&shown).contains("close and reopen"), "{shown}");
    // The half-changed document is forgotten, its findings cleared.
    let cleared = s.wait("the cleared diagnostics", |m| {
        method_is(m, "textDocument/publishDiagnostics") && m["params"]["version"].is_null()
    });
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
    assert_eq!(hover_train(&mut s, &uri, &text), Value::Null);

    // Reopened, it is checked again.
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    s.open(&uri, &text);
    assert_eq!(codes(&s.diagnostics(&uri, 1)), ["unknown-output"]);
    assert!(
        hover_train(&mut s, &uri, &text)["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("job `Train`")
    );
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn the_checker_survives_a_panic_and_diagnostics_resume() {
    let (_ws, mut s, uri, text) = opened_typo(json!({}));
    assert_eq!(codes(&s.diagnostics(&uri, 1)), ["unknown-output"]);

    // The check of v2 panics: the user is told, requests are answered.
    insert_marker(&mut s, &uri, 2, PANIC_IN_CHECK);
    let shown = s.wait("the message about the check", |m| {
        method_is(m, "window/showMessage")
    });
    assert!(message(&shown).contains("a check failed"), "{shown}");
    let marked = format!("{PANIC_IN_CHECK}{text}");
    assert!(
        hover_train(&mut s, &uri, &marked)["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("job `Train`")
    );

    // The next text is checked as ever.
    remove_marker(&mut s, &uri, 3);
    assert_eq!(codes(&s.diagnostics(&uri, 3)), ["unknown-output"]);

    // A second failure is logged but not shown again.
    insert_marker(&mut s, &uri, 4, PANIC_IN_CHECK);
    let log = s.wait("the log of the second failure", |m| {
        method_is(m, "window/logMessage") && message(m).contains(" v4 failed")
    });
    remove_marker(&mut s, &uri, 5);
    assert_eq!(codes(&s.diagnostics(&uri, 5)), ["unknown-output"]);

    // The checker sends in order: all it sent before v5's diagnostics has
    // been read by now.
    let logs: Vec<String> = s
        .seen(|m| method_is(m, "window/logMessage"))
        .iter()
        .map(|m| message(m).to_string())
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(logs[0].contains(" v2 failed") && logs[0].contains("panics, as the text asks"));
    assert!(message(&log).contains(&uri));
    assert!(s.seen(|m| method_is(m, "window/showMessage")).is_empty());
    let pushed_for_failed = s.seen(|m| {
        method_is(m, "textDocument/publishDiagnostics")
            && (m["params"]["version"] == 2 || m["params"]["version"] == 4)
    });
    assert!(pushed_for_failed.is_empty(), "{pushed_for_failed:?}");
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn a_pull_after_a_failed_check_gets_the_last_findings() {
    let (_ws, mut s, uri, _) =
        opened_typo(json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}}));
    let pull = |s: &mut Server, previous: Option<&str>| {
        s.call(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}, "previousResultId": previous}),
        )
    };
    let first = pull(&mut s, None);
    assert_eq!(
        codes(first["items"].as_array().unwrap()),
        ["unknown-output"]
    );
    let id = first["resultId"].as_str().unwrap().to_string();

    // The pull for the version whose check panics is answered (it would
    // wait for that check forever otherwise) with the last findings.
    insert_marker(&mut s, &uri, 2, PANIC_IN_CHECK);
    let r = pull(&mut s, None);
    assert_eq!(r["kind"], "full");
    assert_eq!(r["resultId"], id.as_str());
    assert_eq!(codes(r["items"].as_array().unwrap()), ["unknown-output"]);
    assert_eq!(pull(&mut s, Some(&id))["kind"], "unchanged");

    remove_marker(&mut s, &uri, 3);
    let r = pull(&mut s, Some(&id));
    assert_eq!(r["kind"], "full");
    assert_ne!(r["resultId"], id.as_str());
    assert_eq!(codes(r["items"].as_array().unwrap()), ["unknown-output"]);
    assert_eq!(s.shutdown(), 0);
}

// Malformed messages: each gets its JSON-RPC error, and the server goes
// on (the next request is answered). Before the transport layer
// (src/transport/), the first of these ended the server.

/// A body in a frame with the right length.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Sends `bytes`, expects one error reply with `code` (and `id`), whose
/// message contains `says`; then a request is still answered.
fn refused_and_goes_on(bytes: &[u8], code: i64, id: Value, says: &str) {
    let ws = Workspace::new();
    let mut s = Server::start(&[]);
    s.initialize(json!({}), ws.root());
    s.send_raw(bytes);
    let r = s.wait("the error reply", |m| {
        m.get("error").is_some() && m.get("method").is_none()
    });
    assert_eq!(r["error"]["code"], code, "{r}");
    assert_eq!(r["id"], id, "{r}");
    let text = r["error"]["message"].as_str().unwrap();
    assert!(text.contains(says), "{text}");
    // The next valid request gets its answer.
    let path = ws.write(".gradient/workflows/p.yaml", PIPELINE);
    let uri = uri(&path);
    s.open(&uri, PIPELINE);
    assert!(s.diagnostics(&uri, 1).is_empty());
    let symbols = s.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(
        symbols.as_array().is_some_and(|a| !a.is_empty()),
        "{symbols}"
    );
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn bad_json_is_a_parse_error() {
    refused_and_goes_on(
        &framed(b"{not json at all"),
        -32700,
        Value::Null,
        "not JSON",
    );
}

#[test]
fn a_truncated_object_is_a_parse_error() {
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hov"#;
    refused_and_goes_on(&framed(body), -32700, Value::Null, "EOF");
}

#[test]
fn invalid_utf8_is_a_parse_error() {
    let body = b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":\"\xff\xfe\"}";
    refused_and_goes_on(&framed(body), -32700, Value::Null, "not UTF-8");
}

#[test]
fn an_empty_array_is_an_invalid_request() {
    refused_and_goes_on(&framed(b"[]"), -32600, Value::Null, "batch");
}

#[test]
fn a_number_is_an_invalid_request() {
    refused_and_goes_on(&framed(b"5"), -32600, Value::Null, "not a number");
}

#[test]
fn a_message_without_jsonrpc_is_an_invalid_request() {
    let body = br#"{"id":41,"method":"textDocument/hover","params":{}}"#;
    refused_and_goes_on(&framed(body), -32600, json!(41), "jsonrpc");
}

#[test]
fn an_object_as_id_is_an_invalid_request() {
    let body = br#"{"jsonrpc":"2.0","id":{"n":1},"method":"shutdown"}"#;
    refused_and_goes_on(&framed(body), -32600, Value::Null, "`id`");
}

#[test]
fn a_deep_array_is_a_parse_error() {
    let body = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    refused_and_goes_on(&framed(body.as_bytes()), -32700, Value::Null, "deeper than");
}

#[test]
fn a_header_line_that_is_no_header_loses_the_frame_and_the_next_one_is_found() {
    let mut bytes = b"this is not a header\r\n\r\n{\"half\": ".to_vec();
    // The next message follows the garbage directly: found by its header.
    bytes.extend(framed(br#"{"jsonrpc":"2.0","id":77,"method":"shutdown"}"#));
    let ws = Workspace::new();
    let mut s = Server::start(&[]);
    s.initialize(json!({}), ws.root());
    s.send_raw(&bytes);
    let r = s.wait("the error reply", |m| m.get("error").is_some());
    assert_eq!(r["error"]["code"], -32700, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("next Content-Length")
    );
    let r = s.response(77);
    assert_eq!(r["result"], Value::Null, "shutdown answered: {r}");
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(std::time::Duration::from_secs(10)), Some(0));
}

#[test]
fn an_unknown_header_is_ignored_and_its_message_answered() {
    // Unknown headers carry nothing gwk-lsp needs: the base protocol's
    // headers are Content-Length and Content-Type, and a client adding
    // its own is no reason to refuse the message.
    let ws = Workspace::new();
    let mut s = Server::start(&[]);
    s.initialize(json!({}), ws.root());
    let body = br#"{"jsonrpc":"2.0","id":5,"method":"shutdown"}"#;
    let mut bytes = format!(
        "X-Unknown-Header: 1\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    s.send_raw(&bytes);
    assert_eq!(s.response(5)["result"], Value::Null);
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(std::time::Duration::from_secs(10)), Some(0));
}

#[test]
fn the_input_ending_inside_a_message_is_logged_before_exiting() {
    let mut cmd = std::process::Command::new(binary());
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"Content-Length: 500\r\n\r\n{\"jsonrpc\":")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the input ended 11 bytes into a message of 500 bytes"),
        "{err}"
    );
}
