//! The built server over stdio, as an editor drives it.

mod common;

use common::*;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

fn typo() -> String {
    PIPELINE.replace(
        "data: Prepare.outputs.prepared",
        "data: Prepare.outputs.prepard",
    )
}

#[test]
fn open_change_complete_hover_and_exit() {
    let ws = Workspace::new();
    let path = ws.write(".gradient/workflows/pipeline.yaml", PIPELINE);
    let uri = uri(&path);
    let mut s = Server::start(&[]);
    let init = s.initialize(json!({}), ws.root());
    let caps = &init["capabilities"];
    assert_eq!(
        caps["positionEncoding"], "utf-16",
        "UTF-16 unless UTF-8 is offered"
    );
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!([".", ":", " "])
    );
    assert!(
        caps.get("diagnosticProvider").is_none(),
        "push when the client cannot pull"
    );
    assert_eq!(init["serverInfo"]["name"], "gwk-lsp");

    s.open(&uri, PIPELINE);
    assert_eq!(s.diagnostics(&uri, 1), Vec::<Value>::new());

    // An incremental edit: `prepared` → `prepard`.
    let at = position_after(PIPELINE, "data: Prepare.outputs.prepar");
    s.change(
        &uri,
        2,
        json!([{"range": {"start": at, "end": {"line": at["line"], "character": at["character"].as_u64().unwrap() + 1}}, "text": ""}]),
    );
    let diags = s.diagnostics(&uri, 2);
    assert_eq!(codes(&diags), ["unknown-output"]);
    let d = &diags[0];
    assert_eq!(d["source"], "gwk");
    assert_eq!(d["severity"], 1);
    assert_eq!(
        d["codeDescription"]["href"],
        "https://github.com/gwk-dev/gwk/blob/main/docs/rules.md#unknown-output"
    );
    assert_eq!(
        d["message"],
        "job `Prepare` has no output `prepard`; did you mean `prepared`?"
    );
    let start = position_after(&typo(), "data: Prepare.outputs.");
    assert_eq!(d["range"]["start"], start);
    assert_eq!(
        d["relatedInformation"][0]["message"],
        "job `Prepare` is declared here"
    );

    // The quick fix puts the name right.
    let actions = s.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    assert_eq!(actions[0]["title"], "Change to `prepared`");
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(
        actions[0]["edit"]["changes"][&uri][0]["newText"],
        "prepared"
    );
    assert!(
        actions[1]["title"]
            .as_str()
            .unwrap()
            .starts_with("Ignore `unknown-output`")
    );

    // Completion at the reference (after the dot).
    let text = typo();
    let items = s.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position_after(&text, "data: Prepare.outputs."),
               "context": {"triggerKind": 1}}),
    );
    let labels: Vec<&str> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["prepared"]);

    // Hover on a job name.
    let hover = s.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position_after(&text, "  Tra")}),
    );
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**job `Train`** — `container@v1`"), "{md}");
    assert!(md.contains("A100x2"), "{md}");

    // Definition of a needs entry.
    let def = s.call(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": position_after(&text, "      - Prep")}),
    );
    assert_eq!(def["range"]["start"], json!({"line": 24, "character": 2}));

    assert_eq!(s.shutdown(), 0);
}

#[test]
fn utf8_is_used_when_offered_and_non_ascii_counts_right() {
    // Non-ASCII before the reference on its line: `é` is 2 bytes and 1
    // UTF-16 unit, `𝄞` 4 bytes and 2 units.
    let text = PIPELINE.replace("      data: Prepare", "      dé𝄞: Prepare");
    for (offered, want) in [
        (json!(["utf-8", "utf-16"]), "utf-8"),
        (json!(["utf-16"]), "utf-16"),
    ] {
        let ws = Workspace::new();
        let path = ws.write(".gradient/workflows/p.yaml", &text);
        let uri = uri(&path);
        let mut s = Server::start(&[]);
        let init = s.initialize(
            json!({"general": {"positionEncodings": offered}}),
            ws.root(),
        );
        assert_eq!(init["capabilities"]["positionEncoding"], want);
        s.open(&uri, &text);
        assert!(s.diagnostics(&uri, 1).is_empty());
        let line = text[..text.find("dé𝄞").unwrap()].matches('\n').count();
        // The column of `prepared`'s last `d`, in the negotiated unit.
        let prefix = "      dé𝄞: Prepare.outputs.prepare";
        let col = if want == "utf-8" {
            prefix.len()
        } else {
            prefix.encode_utf16().count()
        };
        // Delete that `d`: an incremental edit at a non-ASCII column.
        let at = json!({"line": line, "character": col});
        let end = json!({"line": line, "character": col + 1});
        s.change(
            &uri,
            2,
            json!([{"range": {"start": at, "end": end}, "text": ""}]),
        );
        let diags = s.diagnostics(&uri, 2);
        assert_eq!(codes(&diags), ["unknown-output"], "{want}");
        let start = if want == "utf-8" {
            "      dé𝄞: Prepare.outputs.".len()
        } else {
            "      dé𝄞: Prepare.outputs.".encode_utf16().count()
        };
        assert_eq!(
            diags[0]["range"]["start"],
            json!({"line": line, "character": start}),
            "{want}"
        );
        assert_eq!(
            diags[0]["range"]["end"]["character"],
            start + "prepare".len(),
            "{want}"
        );
        // Completion at the end of `prepare` replaces exactly it.
        let items = s.call(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": at}),
        );
        let item = &items["items"][0];
        assert_eq!(item["label"], "prepared");
        assert_eq!(
            item["textEdit"]["range"]["start"]["character"], start,
            "{want}"
        );
        assert_eq!(s.shutdown(), 0);
    }
}

#[test]
fn pull_diagnostics_when_the_client_asks() {
    let ws = Workspace::new();
    let text = typo();
    let path = ws.write(".gradient/workflows/p.yaml", &text);
    let uri = uri(&path);
    let mut s = Server::start(&[]);
    let init = s.initialize(
        json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}}),
        ws.root(),
    );
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["identifier"],
        "gwk"
    );
    s.open(&uri, &text);
    let r = s.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(r["kind"], "full");
    let id = r["resultId"].as_str().unwrap().to_string();
    assert_eq!(codes(r["items"].as_array().unwrap()), ["unknown-output"]);
    let r = s.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": id}),
    );
    assert_eq!(r["kind"], "unchanged");
    s.change(&uri, 2, json!([{"text": PIPELINE}]));
    let r = s.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": id}),
    );
    assert_eq!(r["kind"], "full");
    assert_eq!(r["items"], json!([]));
    // Nothing was pushed to a pulling client, up to the server's last
    // word.
    let (code, rest) = s.finish();
    assert_eq!(code, 0);
    let pushed: Vec<&Value> = rest
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(pushed.is_empty(), "{pushed:?}");
}

#[test]
fn findings_stay_while_the_yaml_is_broken() {
    let ws = Workspace::new();
    let text = typo();
    let path = ws.write(".gradient/workflows/p.yaml", &text);
    let uri = uri(&path);
    let mut s = Server::start(&[]);
    s.initialize(json!({}), ws.root());
    s.open(&uri, &text);
    assert_eq!(codes(&s.diagnostics(&uri, 1)), ["unknown-output"]);
    // Start typing a key in CloneRepo (far from the typo): not YAML.
    let at = position_after(&text, "    uses: git-checkout@v1\n");
    s.change(
        &uri,
        2,
        json!([{"range": {"start": at, "end": at}, "text": "    ne\n"}]),
    );
    let diags = s.diagnostics(&uri, 2);
    assert_eq!(codes(&diags), ["yaml-syntax", "unknown-output"]);
    assert_eq!(diags[1]["data"]["carried"], true);
    assert!(diags[0].get("data").is_none());
    // The carried finding moved down one line with the text.
    let moved = text.replace(
        "    uses: git-checkout@v1\n",
        "    uses: git-checkout@v1\n    ne\n",
    );
    assert_eq!(
        diags[1]["range"]["start"],
        position_after(&moved, "data: Prepare.outputs.")
    );
    // Completion and hover still work from the last good model.
    let items = s.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position_after(&moved, "    ne")}),
    );
    assert!(
        items["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["label"] == "needs")
    );
    let hover = s.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position_after(&moved, "  Tra")}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("job `Train`")
    );
    // Editing the typo's own line drops it until the text parses again.
    let at = position_after(&moved, "data: Prepare.outputs.prepar");
    s.change(
        &uri,
        3,
        json!([{"range": {"start": at, "end": at}, "text": "e"}]),
    );
    assert_eq!(codes(&s.diagnostics(&uri, 3)), ["yaml-syntax"]);
    // Finishing the key makes it YAML again: the checker's own findings.
    let at = position_after(&moved, "    ne");
    s.change(
        &uri,
        4,
        json!([{"range": {"start": at, "end": at}, "text": "eds: [Prepare]"}]),
    );
    let diags = s.diagnostics(&uri, 4);
    assert_eq!(codes(&diags), ["dependency-cycle"]);
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn exits_when_the_editor_is_gone() {
    let ws = Workspace::new();
    let mut editor = std::process::Command::new("sleep")
        .arg("1")
        .spawn()
        .unwrap();
    let mut s = Server::start(&[]);
    s.call(
        "initialize",
        json!({"processId": editor.id(), "rootUri": uri(ws.root()), "capabilities": {}}),
    );
    s.notify("initialized", json!({}));
    editor.wait().unwrap();
    let code = s.exit_code(Duration::from_secs(10));
    assert_eq!(code, Some(1), "the server outlived its editor");
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let ws = Workspace::new();
    let mut s = Server::start(&[]);
    s.initialize(json!({}), ws.root());
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_code(Duration::from_secs(10)), Some(1));
}

#[test]
fn rapid_changes_end_in_the_diagnostics_of_the_last_text() {
    let ws = Workspace::new();
    let path = ws.write(".gradient/workflows/p.yaml", PIPELINE);
    let uri = uri(&path);
    let mut s = Server::start(&[]);
    s.initialize(json!({}), ws.root());
    s.open(&uri, PIPELINE);
    // Type `Ghost` into Train's needs, one character per change.
    let mut text = PIPELINE.to_string();
    let mut at = text.find("      - Prepare\n").unwrap() + "      - Prepare\n".len();
    text.insert_str(at, "      - \n");
    at += "      - ".len();
    let pos = position_after(&text, "      - Prepare\n");
    s.change(
        &uri,
        2,
        json!([{"range": {"start": pos, "end": pos}, "text": "      - \n"}]),
    );
    for (i, ch) in "Ghost".chars().enumerate() {
        let p = position_after(&text[..at], &text[..at]);
        s.change(
            &uri,
            3 + i as i64,
            json!([{"range": {"start": p, "end": p}, "text": ch.to_string()}]),
        );
        text.insert(at, ch);
        at += 1;
    }
    let diags = s.diagnostics(&uri, 7);
    assert_eq!(codes(&diags), ["unknown-job"]);
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("no job `Ghost`")
    );
    assert_eq!(s.shutdown(), 0);
}

/// Versions that arrive while a check runs are not checked one by one: the
/// next check takes the newest text, and only results for the current
/// text are pushed. The check of the opened text is held (a debug hook,
/// src/debug.rs) until all the changes have arrived, so this is certain
/// rather than likely.
#[test]
fn changes_during_a_check_are_coalesced() {
    const LAST: i64 = 21;
    let ws = Workspace::new();
    let text = format!("# gwk-lsp-debug: hold check until v{LAST}\n{PIPELINE}");
    let path = ws.write(".gradient/workflows/p.yaml", &text);
    let uri = uri(&path);
    let mut s = Server::start(&[("GWK_LSP_DEBUG", "1")]);
    s.initialize(json!({}), ws.root());
    s.open(&uri, &text);
    // Type a job name into Train's needs, one character per version.
    let name = "NoSuchJobAnywhere12";
    let line = position_after(&text, "      - Prepare\n")["line"].clone();
    let start = json!({"line": line, "character": 0});
    s.change(
        &uri,
        2,
        json!([{"range": {"start": start, "end": start}, "text": "      - \n"}]),
    );
    for (i, ch) in name.chars().enumerate() {
        let at = json!({"line": line, "character": 8 + i});
        s.change(
            &uri,
            3 + i as i64,
            json!([{"range": {"start": at, "end": at}, "text": ch.to_string()}]),
        );
    }
    assert_eq!(2 + name.len() as i64, LAST);
    let diags = s.diagnostics(&uri, LAST);
    assert_eq!(codes(&diags), ["unknown-job"]);
    let message = diags[0]["message"].as_str().unwrap();
    assert!(message.contains(&format!("no job `{name}`")), "{message}");
    let (code, rest) = s.finish();
    assert_eq!(code, 0);
    let versions: Vec<&Value> = rest
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .map(|m| &m["params"]["version"])
        .collect();
    // Nothing else: not v1 (outdated when its check ended), not v2 to v20
    // (they arrived during it), not v21 twice.
    assert_eq!(versions, Vec::<&Value>::new());
}

/// `gwk graph --format json` and `gwk/graph` answer with the same object
/// (docs/graph.md): the same nodes, each job's findings counted, edges and
/// cycles. Only the form of the positions differs (1-based line/column
/// there, an LSP range here), and the server adds the document's identity.
#[test]
fn gwk_graph_json_and_the_graph_request_are_the_same_object() {
    let gwk = Path::new(binary()).with_file_name("gwk");
    assert!(
        gwk.is_file(),
        "{} is needed: `cargo build -p gwk` (a workspace test run builds it)",
        gwk.display()
    );
    let ws = Workspace::new();
    let text = typo();
    let path = ws.write(".gradient/workflows/p.yaml", &text);
    let out = std::process::Command::new(&gwk)
        .args(["graph", "--format", "json"])
        .arg(&path)
        .current_dir(ws.root())
        .output()
        .unwrap();
    // The typo is an error: the graph is printed, and the exit status says so.
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let mut cli: Value = serde_json::from_slice(&out.stdout).unwrap();

    let uri = uri(&path);
    let mut s = Server::start(&[]);
    s.initialize(json!({}), ws.root());
    s.open(&uri, &text);
    s.diagnostics(&uri, 1);
    let mut lsp = s.call("gwk/graph", json!({"textDocument": {"uri": uri}}));
    assert_eq!(s.shutdown(), 0);

    let lsp_doc = lsp.as_object_mut().unwrap();
    assert_eq!(lsp_doc.remove("uri"), Some(json!(uri)));
    assert_eq!(lsp_doc.remove("documentVersion"), Some(json!(1)));
    assert_eq!(lsp_doc.remove("stale"), Some(json!(false)));
    let cli_nodes = cli["nodes"].as_array_mut().unwrap();
    let lsp_nodes = lsp["nodes"].as_array_mut().unwrap();
    assert_eq!(cli_nodes.len(), lsp_nodes.len());
    for (c, l) in cli_nodes.iter_mut().zip(lsp_nodes.iter_mut()) {
        let (c, l) = (c.as_object_mut().unwrap(), l.as_object_mut().unwrap());
        let range = l.remove("range").unwrap();
        let mut place = |key: &str| c.remove(key).unwrap().as_u64().unwrap();
        let (line, column) = (place("line"), place("column"));
        let (end_line, end_column) = (place("end_line"), place("end_column"));
        // The fixture is ASCII: characters, UTF-16 units and bytes agree.
        assert_eq!(
            range,
            json!({"start": {"line": line - 1, "character": column - 1},
                   "end": {"line": end_line - 1, "character": end_column - 1}}),
            "{}",
            c["name"]
        );
    }
    assert_eq!(cli, lsp);
    let train = cli["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "Train")
        .unwrap();
    assert_eq!(train["errors"], 1, "the typo is counted in both: {train}");
}

#[test]
fn graph_request_gives_nodes_edges_and_counts() {
    let ws = Workspace::new();
    let text = typo();
    let path = ws.write(".gradient/workflows/p.yaml", &text);
    let uri = uri(&path);
    let mut s = Server::start(&[]);
    s.initialize(json!({}), ws.root());
    s.open(&uri, &text);
    s.diagnostics(&uri, 1);
    let g = s.call("gwk/graph", json!({"textDocument": {"uri": uri}}));
    assert_eq!(g["version"], 1);
    assert_eq!(g["documentVersion"], 1);
    assert_eq!(g["stale"], false);
    let names: Vec<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["CloneRepo", "Prepare", "Train"]);
    let train = &g["nodes"][2];
    assert_eq!(train["instance_type"], "A100x2");
    assert_eq!(train["gpus"], 2);
    assert_eq!(train["stage"], 2);
    assert_eq!(train["errors"], 1, "the typo is in Train");
    assert_eq!(g["nodes"][0]["errors"], 0);
    assert_eq!(train["range"]["start"], json!({"line": 39, "character": 2}));
    let edge = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == "CloneRepo" && e["to"] == "Prepare")
        .unwrap();
    assert_eq!(
        edge["io"],
        json!([{"output": "repo", "input": "repo", "type": "volume"}])
    );

    // Not YAML now: the graph of the last text that parsed, said to be
    // stale, its ranges moved with the edit.
    let top = json!({"line": 0, "character": 0});
    s.change(
        &uri,
        2,
        json!([{"range": {"start": top, "end": top}, "text": "oops\n"}]),
    );
    assert_eq!(codes(&s.diagnostics(&uri, 2))[0], "yaml-syntax");
    let g = s.call("gwk/graph", json!({"textDocument": {"uri": uri}}));
    assert_eq!(g["documentVersion"], 2);
    assert_eq!(g["stale"], true);
    assert_eq!(g["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(
        g["nodes"][2]["range"]["start"],
        json!({"line": 40, "character": 2})
    );
    // YAML again: fresh.
    let line2 = json!({"line": 1, "character": 0});
    s.change(
        &uri,
        3,
        json!([{"range": {"start": top, "end": line2}, "text": ""}]),
    );
    s.diagnostics(&uri, 3);
    let g = s.call("gwk/graph", json!({"textDocument": {"uri": uri}}));
    assert_eq!(
        (g["documentVersion"].clone(), g["stale"].clone()),
        (json!(3), json!(false))
    );

    let err = s.request(
        "gwk/graph",
        json!({"textDocument": {"uri": "file:///not/open.yaml"}}),
    );
    assert!(s.response(err).get("error").is_some());
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn gwk_toml_changes_are_picked_up() {
    let ws = Workspace::new();
    let path = ws.write(".gradient/workflows/p.yaml", PIPELINE);
    let uri = uri(&path);
    let mut s = Server::start(&[]);
    s.initialize(
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        ws.root(),
    );
    s.open(&uri, PIPELINE);
    assert!(s.diagnostics(&uri, 1).is_empty());
    // The project now lists its secrets: `hf-token` is not among them.
    let toml = ws.write("gwk.toml", "secrets = [\"other\"]\n");
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&toml), "type": 1}]}),
    );
    let diags = s.diagnostics(&uri, 1);
    assert_eq!(codes(&diags), ["unknown-secret"]);
    // A broken gwk.toml: the defaults apply and the user is told.
    std::fs::write(&toml, "secrets = [\n").unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&toml), "type": 2}]}),
    );
    let msg = s.wait("a message about gwk.toml", |m| {
        m["method"] == "window/showMessage"
    });
    assert!(
        msg["params"]["message"]
            .as_str()
            .unwrap()
            .contains("is not a valid gwk.toml")
    );
    assert!(s.diagnostics(&uri, 1).is_empty());
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn a_pull_after_a_gwk_toml_change_waits_for_the_new_check() {
    let ws = Workspace::new();
    let path = ws.write(".gradient/workflows/p.yaml", PIPELINE);
    let uri = uri(&path);
    let mut s = Server::start(&[]);
    s.initialize(
        json!({"textDocument": {"diagnostic": {}},
               "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        ws.root(),
    );
    s.open(&uri, PIPELINE);
    let pull = |s: &mut Server| {
        let r = s.call(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        );
        codes(r["items"].as_array().unwrap())
    };
    assert!(pull(&mut s).is_empty());
    let toml = ws.write("gwk.toml", "secrets = [\"other\"]\n");
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&toml), "type": 1}]}),
    );
    // Not the empty answer of the time between the change and the check.
    assert_eq!(pull(&mut s), ["unknown-secret"]);
    assert_eq!(s.shutdown(), 0);
}

fn uri_of(p: &std::path::Path) -> String {
    uri(p)
}

#[test]
fn completion_reads_the_store_the_secrets_file_and_other_workflows() {
    let ws = Workspace::new();
    let home = tempfile::tempdir().unwrap();
    for d in ["imagenet", "coco"] {
        // A dataset of the store is a directory with `versions/`.
        std::fs::create_dir_all(home.path().join("datasets").join(d).join("versions")).unwrap();
    }
    // The default secrets file is at the top of the git repository.
    std::fs::create_dir(ws.root().join(".git")).unwrap();
    ws.write(
        ".secrets",
        "# local secrets\nHF_TOKEN=hunter2\nexport WANDB_KEY=abc\n",
    );
    ws.write(
        ".gradient/workflows/other.yaml",
        "jobs:\n  A:\n    uses: container@v1\n    outputs:\n      d:\n        type: dataset\n        with:\n          ref: shared-features\n",
    );
    let text = PIPELINE
        .replace("ref: my-model", "ref: ")
        .replace("LR: \"0.001\"", "TOKEN: \"secret:\"");
    let path = ws.write(".gradient/workflows/p.yaml", &text);
    let uri = uri(&path);
    let home_dir = home.path().to_str().unwrap().to_string();
    let mut s = Server::start(&[("GWK_HOME", &home_dir)]);
    s.initialize(json!({}), ws.root());
    s.open(&uri, &text);
    s.diagnostics(&uri, 1);
    let items = s.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position_after(&text, "          ref: ")}),
    );
    let got: Vec<(String, String)> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["label"].as_str().unwrap().into(),
                i["detail"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        got.contains(&("imagenet".into(), "local dataset store".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("coco".into(), "local dataset store".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "shared-features".into(),
            "used in .gradient/workflows/other.yaml".into()
        )),
        "{got:?}"
    );
    let items = s.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position_after(&text, "TOKEN: \"secret:")}),
    );
    let labels: Vec<&str> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["HF_TOKEN", "WANDB_KEY", "hf-token"]);
    assert!(
        !items.to_string().contains("hunter2"),
        "a secret's value leaked"
    );
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn a_dataset_added_to_the_store_later_is_completed() {
    let ws = Workspace::new();
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("datasets");
    std::fs::create_dir_all(store.join("imagenet/versions")).unwrap();
    let text = PIPELINE.replace("ref: my-model", "ref: ");
    let path = ws.write(".gradient/workflows/p.yaml", &text);
    let uri = uri(&path);
    let mut s = Server::start(&[("GWK_HOME", home.path().to_str().unwrap())]);
    s.initialize(
        json!({"workspace": {"didChangeWatchedFiles": {
            "dynamicRegistration": true, "relativePatternSupport": true}}}),
        ws.root(),
    );
    // The server asks to watch the store.
    let registration = s.wait("the watch registration", |m| {
        m["method"] == "client/registerCapability"
    });
    let watchers = &registration["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert!(
        watchers
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["globPattern"]["baseUri"] == common::uri(&store)),
        "{watchers}"
    );
    s.open(&uri, &text);
    s.diagnostics(&uri, 1);
    let at = position_after(&text, "          ref: ");
    let store_names = |s: &mut Server| -> Vec<String> {
        let items = s.call(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": at}),
        );
        items["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["detail"] == "local dataset store")
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(store_names(&mut s), ["imagenet"]);
    // `gwk run` commits a new dataset; the editor reports the change.
    let fresh = store.join("fresh-features");
    std::fs::create_dir_all(fresh.join("versions/v1")).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": common::uri(&fresh), "type": 1}]}),
    );
    assert_eq!(store_names(&mut s), ["fresh-features", "imagenet"]);
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn long_completion_lists_are_cut_and_marked_incomplete() {
    let mut text = String::from("defaults:\n  resources:\n    instance-type: C5\njobs:\n");
    for i in 0..150 {
        text.push_str(&format!(
            "  s{i:03}:\n    uses: container@v1\n    with:\n      image: bash:5\n    outputs:\n      a:\n        type: volume\n      b:\n        type: string\n"
        ));
    }
    text.push_str(
        "  last:\n    uses: container@v1\n    with:\n      image: bash:5\n    inputs:\n      x: \n",
    );
    let ws = Workspace::new();
    let path = ws.write(".gradient/workflows/big.yaml", &text);
    let uri = uri(&path);
    let at = position_after(&text, "      x: ");
    for (options, count, incomplete) in [
        (json!({}), 200, true),
        (json!({"completionLimit": 0}), 300, false),
    ] {
        let mut s = Server::start(&[]);
        s.call(
            "initialize",
            json!({"processId": null, "rootUri": common::uri(ws.root()), "capabilities": {},
                   "initializationOptions": options}),
        );
        s.notify("initialized", json!({}));
        s.open(&uri, &text);
        s.diagnostics(&uri, 1);
        let r = s.call(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": at}),
        );
        assert_eq!(r["items"].as_array().unwrap().len(), count, "{options}");
        assert_eq!(r["isIncomplete"], incomplete, "{options}");
        assert_eq!(s.shutdown(), 0);
    }
}

#[test]
fn navigation_outline_and_hints_over_stdio() {
    let ws = Workspace::new();
    let path = ws.write(".gradient/workflows/p.yaml", PIPELINE);
    let uri = uri(&path);
    let mut s = Server::start(&[]);
    s.initialize(json!({}), ws.root());
    s.open(&uri, PIPELINE);
    s.diagnostics(&uri, 1);
    let doc = json!({"uri": uri});
    let at = |needle: &str| position_after(PIPELINE, needle);

    let refs = s.call(
        "textDocument/references",
        json!({"textDocument": doc, "position": at("  Prep"), "context": {"includeDeclaration": true}}),
    );
    let lines: Vec<u64> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [24, 42, 51]);

    let prep = s.call(
        "textDocument/prepareRename",
        json!({"textDocument": doc, "position": at("data: Prepare.outputs.pre")}),
    );
    assert_eq!(prep["placeholder"], "prepared");
    assert_eq!(prep["range"]["start"], at("data: Prepare.outputs."));

    let edit = s.call(
        "textDocument/rename",
        json!({"textDocument": doc, "position": at("  Prep"), "newName": "Preprocess"}),
    );
    assert_eq!(edit["changes"][&uri].as_array().unwrap().len(), 3);
    let id = s.request(
        "textDocument/rename",
        json!({"textDocument": doc, "position": at("  Prep"), "newName": "Train"}),
    );
    let r = s.response(id);
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("job `Train` exists already"),
        "{r}"
    );

    let highlights = s.call(
        "textDocument/documentHighlight",
        json!({"textDocument": doc, "position": at("      - Prep")}),
    );
    assert_eq!(highlights.as_array().unwrap().len(), 3);
    assert_eq!(highlights[0]["kind"], 3, "the declaration is a write");

    let symbols = s.call("textDocument/documentSymbol", json!({"textDocument": doc}));
    assert_eq!(symbols[1]["name"], "jobs");
    assert_eq!(symbols[1]["children"][2]["name"], "Train");
    assert_eq!(symbols[1]["children"][2]["children"][0]["name"], "model");
    assert_eq!(
        symbols[1]["children"][2]["selectionRange"]["start"],
        json!({"line": 39, "character": 2})
    );

    let folds = s.call("textDocument/foldingRange", json!({"textDocument": doc}));
    assert!(
        folds
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["startLine"] == 39 && f["endLine"] == 57),
        "{folds}"
    );

    let hints = s.call(
        "textDocument/inlayHint",
        json!({"textDocument": doc, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 60, "character": 0}}}),
    );
    let labels: Vec<&str> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, [": volume", ": dataset", ": volume", ": string"]);
    assert_eq!(hints[2]["position"], at("data: Prepare.outputs.prepared"));

    // While the YAML is broken above them, the answers move with the text.
    let top = json!({"line": 1, "character": 0});
    s.change(
        &uri,
        2,
        json!([{"range": {"start": top, "end": top}, "text": "oops\n"}]),
    );
    assert_eq!(codes(&s.diagnostics(&uri, 2)), ["yaml-syntax"]);
    let moved = PIPELINE.replacen("defaults:", "oops\ndefaults:", 1);
    let def = s.call(
        "textDocument/definition",
        json!({"textDocument": doc, "position": position_after(&moved, "      - Prep")}),
    );
    assert_eq!(def["range"]["start"], json!({"line": 25, "character": 2}));
    assert_eq!(s.shutdown(), 0);
}

#[test]
fn a_document_over_max_file_size_gets_one_diagnostic_until_it_shrinks() {
    let ws = Workspace::new();
    let big = format!("{PIPELINE}{}", "# padding\n".repeat(2_000));
    let path = ws.write(".gradient/workflows/p.yaml", &big);
    let doc = uri(&path);
    let mut s = Server::start(&[]);
    s.call(
        "initialize",
        json!({"processId": null, "rootUri": uri(ws.root()), "capabilities": {},
               "initializationOptions": {"maxFileSize": 0.01}}),
    );
    s.notify("initialized", json!({}));
    s.open(&doc, &big);
    let d = s.diagnostics(&doc, 1);
    assert_eq!(d.len(), 1, "{d:?}");
    let message = d[0]["message"].as_str().unwrap();
    assert!(
        message.contains("over the gwk.maxFileSize limit of 10 KB; not checked"),
        "{message}"
    );
    // No model of it either: nothing to hover.
    let hover = s.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": position_after(&big, "  Tra")}),
    );
    assert_eq!(hover, Value::Null);
    // Under the limit again: checked as ever.
    s.change(&doc, 2, json!([{"text": PIPELINE}]));
    assert!(s.diagnostics(&doc, 2).is_empty());
    assert_eq!(s.shutdown(), 0);
}
