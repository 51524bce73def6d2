//! Every fix of every rule fixture, three ways: `gwk check --fix` (and
//! `--unsafe-fixes` for the rules whose fixes are unsafe), the server's
//! `source.fixAll.gwk` action, and the server's quick fixes applied one at
//! a time. All three must give the same text, and the text must be clean
//! of every finding of the fixture's rule that a fix could remove.

mod common;

use common::{Server, gwk_binary, uri};
use gwk_spec::check::registry::{self, Fixes};
use gwk_spec::fix::FixLevel;
use gwk_spec::{Code, Config, analyze};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> Vec<(Code, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gwk-spec/tests/fixtures/rules");
    let mut out = Vec::new();
    for &code in Code::ALL {
        if registry::owner(code).fixes == Fixes::None {
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(code.as_str()))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension().is_some_and(|x| x == "yaml")
                    && p.file_name().unwrap().to_string_lossy().starts_with("bad-")
            })
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (code, f)));
    }
    out
}

/// Byte offset of an LSP position in UTF-8 columns.
fn offset(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let col = pos["character"].as_u64().unwrap() as usize;
    let mut start = 0;
    let bytes = text.as_bytes();
    for _ in 0..line {
        let mut i = start;
        while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
            i += 1;
        }
        if i + 1 < bytes.len() && bytes[i] == b'\r' && bytes[i + 1] == b'\n' {
            i += 1;
        }
        start = (i + 1).min(bytes.len());
    }
    start + col
}

fn apply(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse((s.0, s.1)));
    let mut out = text.to_string();
    for (a, b, t) in spans {
        out.replace_range(a..b, &t);
    }
    out
}

fn whole(text: &str) -> Value {
    let lines = text.split('\n').count();
    json!({"start": {"line": 0, "character": 0}, "end": {"line": lines + 1, "character": 0}})
}

fn cli_fix(dir: &Path, text: &str, level: FixLevel) -> String {
    let path = dir.join("w.yaml");
    std::fs::write(&path, text).unwrap();
    let mut cmd = Command::new(gwk_binary());
    cmd.args(["check", "--fix"]);
    if level == FixLevel::Unsafe {
        cmd.arg("--unsafe-fixes");
    }
    let out = cmd.arg(&path).output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&path).unwrap()
}

#[test]
fn fix_all_and_the_quick_fixes_give_what_gwk_check_fix_writes() {
    let fixtures = fixtures();
    assert!(fixtures.len() > 20, "{}", fixtures.len());
    let root = tempfile::tempdir().unwrap();
    let mut s = Server::start(&[]);
    s.initialize(
        json!({"general": {"positionEncodings": ["utf-8"]}}),
        root.path(),
    );
    let mut compared = 0;
    for (n, (code, fixture)) in fixtures.iter().enumerate() {
        let name = fixture.display().to_string();
        let text = std::fs::read_to_string(fixture).unwrap();
        let dir = root.path().join(format!("f{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        let toml = fixture.with_extension("gwk.toml");
        let config = match std::fs::read_to_string(&toml) {
            Ok(t) => {
                std::fs::write(dir.join("gwk.toml"), &t).unwrap();
                Config::parse(&t).unwrap()
            }
            Err(_) => Config::default(),
        };
        let level = match registry::owner(*code).fixes {
            Fixes::Unsafe => FixLevel::Unsafe,
            _ => FixLevel::Safe,
        };
        let before = analyze(&text, &config);
        let fixable = |a: &gwk_spec::Analysis| {
            a.diagnostics
                .iter()
                .filter(|d| d.code == *code && !d.fixes.is_empty())
                .count()
        };
        if fixable(&before) == 0 {
            continue;
        }
        compared += 1;
        let cli_safe = cli_fix(&dir, &text, FixLevel::Safe);
        let cli = cli_fix(&dir, &text, level);
        let after = analyze(&cli, &config);
        assert_eq!(
            fixable(&after),
            0,
            "{name}: a fixable `{code}` is left:\n{cli}"
        );
        assert!(
            after.diagnostics.iter().filter(|d| d.code == *code).count()
                < before
                    .diagnostics
                    .iter()
                    .filter(|d| d.code == *code)
                    .count(),
            "{name}: no `{code}` was fixed"
        );

        // The server's fix-all: the safe fixes, as `--fix` writes them.
        let doc = uri(&dir.join("open.yaml"));
        s.open(&doc, &text);
        let mut diags = s.diagnostics(&doc, 1);
        let actions = s.call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": doc}, "range": whole(&text),
                   "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
        );
        let actions = actions.as_array().unwrap();
        let lsp_all = match actions.as_slice() {
            [] => text.clone(),
            [a] => {
                assert_eq!(a["kind"], "source.fixAll.gwk");
                apply(&text, a["edit"]["changes"][&doc].as_array().unwrap())
            }
            more => panic!("{name}: {more:?}"),
        };
        assert_eq!(lsp_all, cli_safe, "{name}: source.fixAll.gwk");

        // The quick fixes, the preferred one of a finding at a time.
        let mut current = text.clone();
        let mut version = 1;
        for _ in 0..40 {
            let actions = s.call(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": doc}, "range": whole(&current),
                       "context": {"diagnostics": diags}}),
            );
            let pick = actions.as_array().unwrap().iter().find(|a| {
                a["isPreferred"] == true
                    && Code::parse(a["diagnostics"][0]["code"].as_str().unwrap())
                        .is_some_and(|c| level.allows(c))
            });
            let Some(a) = pick else { break };
            current = apply(&current, a["edit"]["changes"][&doc].as_array().unwrap());
            version += 1;
            s.change(&doc, version, json!([{"text": current}]));
            diags = s.diagnostics(&doc, version);
        }
        assert_eq!(current, cli, "{name}: the quick fixes one by one");
    }
    assert!(compared > 20, "{compared} fixtures compared");
    assert_eq!(s.shutdown(), 0);
}
