//! Query tests as data: each `cases/<name>.yaml` is a workflow with a `$0`
//! cursor and a first line `# query: KIND [ARGS]`; `cases/<name>.out` is what
//! the query answers, rendered as text. `GWK_BLESS=1` rewrites the `.out`
//! files (the same switch as the rule fixtures); review the diff.
//!
//! Kinds and their arguments:
//! - `hover`: the hovered span and the markdown.
//! - `complete [trigger=C] [choose=LABEL]`: one line per item (label, kind,
//!   detail), then the lines that choosing LABEL changes, if given.
//! - `definition`, `references`: each span as `line:col "text"`.
//! - `rename NEW`: the lines the rename changes, or the refusal.
//! - `actions`: the code actions for the findings under the cursor, then the
//!   lines the preferred one changes.
//! - `symbols`: the outline.
//! - `hints`: the inlay hints of the whole document.

use super::*;
use gwk_spec::query::{
    Symbol, code_actions, complete, definition, document_symbols, hover, inlay_hints, references,
    rename,
};
use gwk_spec::syntax::{Encoding, Span};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/query/cases")
}

/// `line:col "text"` of a span, 1-based.
fn at(text: &str, a: &Analysis, span: Span) -> String {
    let lc = a.line_index.line_col(text, span.start, Encoding::Utf8);
    format!(
        "{}:{} {:?}",
        lc.line + 1,
        lc.col + 1,
        &text[span.start..span.end]
    )
}

/// The lines `after` changes of `before`, as `-N old` and `+N new` (N the
/// line's number in its own text), by a longest-common-subsequence diff.
fn changes(before: &str, after: &str) -> String {
    let (b, a): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    // lcs[i][j]: the longest common subsequence of b[i..] and a[j..].
    let mut lcs = vec![vec![0usize; a.len() + 1]; b.len() + 1];
    for i in (0..b.len()).rev() {
        for j in (0..a.len()).rev() {
            lcs[i][j] = if b[i] == a[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < b.len() || j < a.len() {
        if i < b.len() && j < a.len() && b[i] == a[j] {
            (i, j) = (i + 1, j + 1);
        } else if j == a.len() || (i < b.len() && lcs[i + 1][j] >= lcs[i][j + 1]) {
            let _ = writeln!(out, "-{} {}", i + 1, b[i]);
            i += 1;
        } else {
            let _ = writeln!(out, "+{} {}", j + 1, a[j]);
            j += 1;
        }
    }
    if out.is_empty() {
        out.push_str("(no change)\n");
    }
    out
}

/// The query `kind` with `args` at `offset` of `text`, rendered.
fn answer(text: &str, offset: usize, kind: &str, args: &[&str]) -> String {
    let a = analyze(text, &Config::default());
    let arg = |key: &str| {
        args.iter()
            .find_map(|x| x.strip_prefix(key)?.strip_prefix('='))
    };
    let mut out = String::new();
    match kind {
        "hover" => match hover(&a, offset, &Config::default()) {
            Some(h) => {
                let _ = writeln!(out, "span: {}\n---\n{}", at(text, &a, h.span), h.markdown);
            }
            None => out.push_str("no hover\n"),
        },
        "complete" => {
            let trigger = arg("trigger").and_then(|t| t.chars().next());
            let model = a.root.is_some().then_some(&a);
            let items = complete(text, offset, model, &no_log(), &no_sources(), trigger);
            for i in &items {
                let detail = i.detail.as_deref().unwrap_or("");
                let _ = writeln!(out, "{} · {:?} · {detail}", i.label, i.kind);
            }
            if items.is_empty() {
                out.push_str("no items\n");
            }
            if let Some(label) = arg("choose") {
                let it = items
                    .iter()
                    .find(|i| i.label == label)
                    .unwrap_or_else(|| panic!("no item `{label}` to choose"));
                let mut edits = vec![it.edit.clone()];
                edits.extend(it.additional_edits.clone());
                let after = applied(text, &edits);
                let _ = write!(
                    out,
                    "--- after choosing `{label}`\n{}",
                    changes(text, &after)
                );
            }
        }
        "definition" => match definition(&a, offset) {
            Some(span) => out.push_str(&format!("{}\n", at(text, &a, span))),
            None => out.push_str("no definition\n"),
        },
        "references" => {
            for span in references(&a, offset, true) {
                let _ = writeln!(out, "{}", at(text, &a, span));
            }
            if out.is_empty() {
                out.push_str("no references\n");
            }
        }
        "rename" => {
            let new = args.first().expect("rename NEW");
            match rename(&a, offset, new) {
                Ok(edits) => out.push_str(&changes(text, &applied(text, &edits))),
                Err(e) => {
                    let _ = writeln!(out, "refused: {e}");
                }
            }
        }
        "actions" => {
            let span = Span::new(offset, offset);
            let actions = code_actions(text, &a.line_index, a.root.as_ref(), &a.diagnostics, span);
            for x in &actions {
                let code = a.diagnostics[x.diagnostic].code.as_str();
                let flags = match (x.preferred, x.is_fix) {
                    (true, _) => " (preferred)",
                    (false, false) => " (ignore)",
                    _ => "",
                };
                let _ = writeln!(out, "[{code}] {}{flags}", x.title);
            }
            match actions.iter().find(|x| x.preferred) {
                Some(x) => {
                    let after = applied(text, &x.edits);
                    let _ = write!(
                        out,
                        "--- after the preferred fix\n{}",
                        changes(text, &after)
                    );
                }
                None => out.push_str("no preferred fix\n"),
            }
        }
        "symbols" => {
            fn tree(out: &mut String, text: &str, a: &Analysis, s: &[Symbol], depth: usize) {
                for sym in s {
                    let detail = sym.detail.as_deref().unwrap_or("");
                    let _ = writeln!(
                        out,
                        "{}{} · {:?} · {detail} @ {}",
                        "  ".repeat(depth),
                        sym.name,
                        sym.kind,
                        at(text, a, sym.selection)
                    );
                    tree(out, text, a, &sym.children, depth + 1);
                }
            }
            tree(&mut out, text, &a, &document_symbols(&a), 0);
        }
        "hints" => {
            for h in inlay_hints(&a, Span::new(0, text.len())) {
                let lc = a.line_index.line_col(text, h.offset, Encoding::Utf8);
                let _ = writeln!(out, "{}:{} {:?}", lc.line + 1, lc.col + 1, h.label);
            }
        }
        other => panic!("unknown query kind `{other}`"),
    }
    out
}

/// Runs one case file; `Err` with a message when its answer is not the `.out`.
fn run_case(yaml: &Path, bless: bool) -> Result<(), String> {
    let fixture = std::fs::read_to_string(yaml).map_err(|e| format!("{e}"))?;
    let first = fixture.lines().next().unwrap_or("");
    let spec = first
        .strip_prefix("# query:")
        .ok_or_else(|| format!("first line must be `# query: KIND [ARGS]`, is {first:?}"))?;
    let mut words = spec.split_whitespace();
    let kind = words.next().ok_or("no query kind")?;
    let args: Vec<&str> = words.collect();
    let (text, offset) = cursor(&fixture);
    let got = answer(&text, offset, kind, &args);
    let out = yaml.with_extension("out");
    if bless {
        std::fs::write(&out, &got).map_err(|e| format!("{e}"))?;
        return Ok(());
    }
    let want = std::fs::read_to_string(&out)
        .map_err(|_| format!("{} is missing: run with GWK_BLESS=1", out.display()))?;
    if got == want {
        Ok(())
    } else {
        Err(format!("--- expected\n{want}--- got\n{got}"))
    }
}

#[test]
fn query_cases_answer_as_recorded() {
    let bless = std::env::var_os("GWK_BLESS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("tests/query/cases")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "only {} query cases", files.len());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| {
            run_case(f, bless)
                .err()
                .map(|e| format!("{}:\n{e}", f.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The runner compares: a wrong `.out` fails with both texts shown.
#[test]
fn a_wrong_recorded_answer_fails() {
    let dir = std::env::temp_dir().join(format!("gwk-query-case-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yaml = dir.join("case.yaml");
    std::fs::write(&yaml, "# query: definition\njobs:\n  A:\n    uses: container@v1\n    with: {image: bash:5}\n  B:\n    uses: container@v1\n    needs: [$0A]\n    with: {image: bash:5}\n").unwrap();
    std::fs::write(yaml.with_extension("out"), "no definition\n").unwrap();
    let err = run_case(&yaml, false).unwrap_err();
    assert!(err.contains("--- got\n3:3 \"A\""), "{err}");
    std::fs::write(yaml.with_extension("out"), "3:3 \"A\"\n").unwrap();
    assert_eq!(run_case(&yaml, false), Ok(()));
    std::fs::remove_dir_all(&dir).unwrap();
}
