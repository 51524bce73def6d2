//! The soak: 10,000 random edits (characters and lines inserted and
//! deleted) on a real workflow over stdio, with requests in between (every
//! cursor query, rename and prepareRename included). Every request must be
//! answered without an internal error, the server must
//! never crash, and after the last edit its diagnostics must be those of
//! `gwk check --format json` on the final text.
//!
//! Slightly more than half of the edits undo an earlier one, as people do: without that a
//! random edit stream turns any file into lasting garbage after a few
//! dozen edits, and the comparison would only ever see one syntax error.
//! The diagnostics are also compared at checkpoints along the way, so both
//! texts that parse and texts that do not are checked.
//!
//! The workflow is the largest file of ../shared/corpus when it is there,
//! else the project's own examples/stylegan2-generate.yaml.
//! `GWK_SOAK_SEED` picks another random sequence.

mod common;

use common::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const EDITS: usize = 10_000;
/// A request after every this many edits.
const REQUEST_EVERY: usize = 20;
/// The diagnostics are compared with `gwk check` every this many edits.
const CHECKPOINT_EVERY: usize = 250;

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn workflow() -> (PathBuf, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = root.join("../shared/corpus/gradient-ai__StyleGAN2-with-Workflows__.gradient__workflows__stylegan2-train-and-evaluate-model.yaml");
    let path = if corpus.is_file() {
        corpus
    } else {
        eprintln!("soak: ../shared/corpus is absent; using examples/stylegan2-generate.yaml");
        root.join("examples/stylegan2-generate.yaml")
    };
    let text = std::fs::read_to_string(&path).expect("the soak's workflow");
    (path, text)
}

fn gwk() -> PathBuf {
    common::gwk_binary()
}

fn position(text: &str, byte: usize) -> Value {
    let line_start = text[..byte].rfind('\n').map_or(0, |p| p + 1);
    json!({
        "line": text[..byte].matches('\n').count(),
        "character": text[line_start..byte].encode_utf16().count(),
    })
}

/// A random character boundary.
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let n = text.chars().count();
    let i = rng.below(n + 1);
    text.char_indices().nth(i).map_or(text.len(), |(b, _)| b)
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect()
}

/// One random edit: (start, end, new text) in bytes of `text`.
fn random_edit(rng: &mut Rng, text: &str) -> (usize, usize, String) {
    const ALPHABET: &[&str] = &[
        "a", "e", "x", "J", "0", "7", ":", " ", " ", "-", ".", "_", "[", "]", "{", "}", "#", "'",
        "\"", "\n", "\n", "|", ">", "é", "𝄞", "\t", "&", "*",
    ];
    match rng.below(100) {
        0..=34 => {
            let at = boundary(rng, text);
            (at, at, ALPHABET[rng.below(ALPHABET.len())].to_string())
        }
        35..=69 => {
            let start = boundary(rng, text);
            let mut end = start;
            for _ in 0..=rng.below(3) {
                if let Some(c) = text[end..].chars().next() {
                    end += c.len_utf8();
                }
            }
            (start, end, String::new())
        }
        70..=84 => {
            let starts = line_starts(text);
            if starts.is_empty() {
                return (0, 0, "jobs:\n".into());
            }
            let from = starts[rng.below(starts.len())];
            let line_end = text[from..].find('\n').map_or(text.len(), |p| from + p + 1);
            let line = text[from..line_end].to_string();
            let at = starts[rng.below(starts.len())];
            (
                at,
                at,
                if line.ends_with('\n') {
                    line
                } else {
                    line + "\n"
                },
            )
        }
        _ => {
            let starts = line_starts(text);
            if starts.is_empty() {
                return (0, text.len(), String::new());
            }
            let from = starts[rng.below(starts.len())];
            let end = text[from..].find('\n').map_or(text.len(), |p| from + p + 1);
            (from, end, String::new())
        }
    }
}

fn random_request(rng: &mut Rng, text: &str, uri: &str) -> (String, Value) {
    let pos = position(text, boundary(rng, text));
    let doc = json!({ "uri": uri });
    let end = position(text, text.len());
    match rng.below(14) {
        0 | 1 => (
            "textDocument/completion".into(),
            json!({"textDocument": doc, "position": pos, "context": {"triggerKind": 2, "triggerCharacter": "."}}),
        ),
        2 => (
            "textDocument/completion".into(),
            json!({"textDocument": doc, "position": pos}),
        ),
        3 => (
            "textDocument/hover".into(),
            json!({"textDocument": doc, "position": pos}),
        ),
        4 => (
            "textDocument/definition".into(),
            json!({"textDocument": doc, "position": pos}),
        ),
        5 => (
            "textDocument/references".into(),
            json!({"textDocument": doc, "position": pos, "context": {"includeDeclaration": true}}),
        ),
        6 => (
            "textDocument/documentSymbol".into(),
            json!({"textDocument": doc}),
        ),
        7 => (
            "textDocument/codeAction".into(),
            json!({"textDocument": doc, "range": {"start": {"line": 0, "character": 0}, "end": end}, "context": {"diagnostics": []}}),
        ),
        8 => (
            "textDocument/inlayHint".into(),
            json!({"textDocument": doc, "range": {"start": {"line": 0, "character": 0}, "end": end}}),
        ),
        9 => ("gwk/graph".into(), json!({"textDocument": doc})),
        10 => (
            "textDocument/prepareRename".into(),
            json!({"textDocument": doc, "position": pos}),
        ),
        11 => (
            "textDocument/rename".into(),
            json!({"textDocument": doc, "position": pos, "newName": format!("renamed{}", rng.below(100))}),
        ),
        12 => (
            "textDocument/foldingRange".into(),
            json!({"textDocument": doc}),
        ),
        _ => (
            "textDocument/documentHighlight".into(),
            json!({"textDocument": doc, "position": pos}),
        ),
    }
}

/// `(code, severity, message, line, column, end line, end column,
/// related)` with 1-based lines and columns counted in characters, as
/// `gwk check --format json` writes them.
type Finding = (
    String,
    String,
    String,
    u64,
    u64,
    u64,
    u64,
    Vec<(u64, u64, String)>,
);

fn char_column(text: &str, line: u64, utf16: u64) -> u64 {
    let l = text.split('\n').nth(line as usize).unwrap_or("");
    let mut units = 0;
    let mut chars = 0;
    for c in l.chars() {
        if units >= utf16 {
            break;
        }
        units += c.len_utf16() as u64;
        chars += 1;
    }
    chars + 1
}

fn from_lsp(text: &str, d: &Value) -> Finding {
    let at = |p: &Value| {
        let line = p["line"].as_u64().unwrap();
        (
            line + 1,
            char_column(text, line, p["character"].as_u64().unwrap()),
        )
    };
    let (l, c) = at(&d["range"]["start"]);
    let (el, ec) = at(&d["range"]["end"]);
    let severity = match d["severity"].as_u64() {
        Some(1) => "error",
        Some(2) => "warning",
        _ => "info",
    };
    let related = d["relatedInformation"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|x| {
                    let (l, c) = at(&x["location"]["range"]["start"]);
                    (l, c, x["message"].as_str().unwrap().to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    (
        d["code"].as_str().unwrap().into(),
        severity.into(),
        d["message"].as_str().unwrap().into(),
        l,
        c,
        el,
        ec,
        related,
    )
}

fn from_cli(d: &Value) -> Finding {
    let n = |k: &str| d[k].as_u64().unwrap();
    let related = d["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["column"].as_u64().unwrap(),
                r["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (
        d["code"].as_str().unwrap().into(),
        d["severity"].as_str().unwrap().into(),
        d["message"].as_str().unwrap().into(),
        n("line"),
        n("column"),
        n("end_line"),
        n("end_column"),
        related,
    )
}

/// Checks the server's diagnostics of `text` against `gwk check`'s;
/// returns whether the text is not YAML.
fn compare(ws: &Workspace, text: &str, diags: &[Value]) -> bool {
    let mut child = Command::new(gwk())
        .args(["check", "--format", "json", "-"])
        .current_dir(ws.root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gwk runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).expect("gwk check --format json");
    let expected: Vec<Finding> = report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(from_cli)
        .collect();
    let (carried, own): (Vec<&Value>, Vec<&Value>) =
        diags.iter().partition(|d| d["data"]["carried"] == true);
    let got: Vec<Finding> = own.iter().map(|d| from_lsp(text, d)).collect();
    assert_eq!(got, expected, "text:\n{text}");
    let broken = expected.iter().any(|f| f.0 == "yaml-syntax");
    assert!(
        carried.is_empty() || broken,
        "findings are carried only while the text is not YAML"
    );
    broken
}

#[test]
fn ten_thousand_random_edits() {
    let seed: u64 = std::env::var("GWK_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    let (source, mut text) = workflow();
    eprintln!(
        "soak: {} ({} bytes), seed {seed}",
        source.display(),
        text.len()
    );
    let ws = Workspace::new();
    let path = ws.write(".gradient/workflows/soak.yaml", &text);
    let uri = uri(&path);
    let mut s = Server::start(&[]);
    s.initialize(json!({}), ws.root());
    s.open(&uri, &text);
    let mut rng = Rng(seed | 1);
    let mut requests: Vec<(i64, String)> = Vec::new();
    let mut undo: Vec<(usize, usize, String)> = Vec::new();
    let mut version = 1;
    let (mut parsed, mut broken) = (0, 0);
    for n in 0..EDITS {
        version += 1;
        if rng.below(100) == 0 {
            // Now and then the whole text, as full-sync clients send it.
            s.change(&uri, version, json!([{"text": text}]));
        } else {
            let undoing = !undo.is_empty() && rng.below(20) < 11;
            let (start, end, new) = match undo.pop() {
                Some(inverse) if undoing => inverse,
                other => {
                    undo.extend(other);
                    random_edit(&mut rng, &text)
                }
            };
            let range = json!({"start": position(&text, start), "end": position(&text, end)});
            s.change(&uri, version, json!([{"range": range, "text": new}]));
            let old = text[start..end].to_string();
            text.replace_range(start..end, &new);
            if !undoing {
                undo.push((start, start + new.len(), old));
            }
        }
        if n % REQUEST_EVERY == REQUEST_EVERY - 1 {
            let (method, params) = random_request(&mut rng, &text, &uri);
            requests.push((s.request(&method, params), method));
        }
        if n % CHECKPOINT_EVERY == CHECKPOINT_EVERY - 1 || n == EDITS - 1 {
            let diags = s.diagnostics(&uri, version);
            if compare(&ws, &text, &diags) {
                broken += 1;
            } else {
                parsed += 1;
            }
        }
    }
    for (id, method) in &requests {
        let r = s.response(*id);
        // A rename may be refused (InvalidParams: the name is taken, the
        // text there is being edited); nothing may fail.
        let refused = method == "textDocument/rename" && r["error"]["code"] == -32602;
        assert!(
            r.get("error").is_none() || refused,
            "{method} (request {id}) answered with an error: {r}"
        );
    }
    let kinds: std::collections::BTreeSet<&str> =
        requests.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(kinds.len(), 12, "every kind of request was sent: {kinds:?}");
    eprintln!(
        "soak: {EDITS} edits, {} requests answered; compared with gwk check at {} checkpoints \
         ({parsed} texts parsed, {broken} did not); final text {} bytes",
        requests.len(),
        parsed + broken,
        text.len(),
    );
    assert!(
        parsed > 0 && broken > 0,
        "the soak saw both texts that parse and texts that do not"
    );
    assert_eq!(s.shutdown(), 0, "the server ends cleanly");
}
