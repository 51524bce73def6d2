//! docs/rules.md is kept true: every rule has a section with an example,
//! and the output printed under each example is exactly what `gwk check`
//! prints for it. `GWK_BLESS=1` rewrites the printed outputs.

use assert_cmd::Command;
use std::path::PathBuf;

fn rules_md() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md")
}

/// A fenced block: its language and the byte range of its contents.
struct Block {
    lang: String,
    body: std::ops::Range<usize>,
}

fn blocks(text: &str) -> Vec<(usize, Block)> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut open: Option<(usize, String, usize)> = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(fence) = line.strip_prefix("```") else {
            continue;
        };
        match open.take() {
            None => open = Some((start, fence.trim().to_string(), offset)),
            Some((at, lang, body_start)) => out.push((
                at,
                Block {
                    lang,
                    body: body_start..start,
                },
            )),
        }
    }
    out
}

/// The rule code of the `## \`code\`` section that holds byte `at`.
fn section_at(text: &str, at: usize) -> Option<String> {
    let heading = text[..at].rfind("\n## `")?;
    let rest = &text[heading + 5..];
    Some(rest[..rest.find('`')?].to_string())
}

fn check_output(yaml: &str, toml: Option<&str>) -> String {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("example.yaml"), yaml).unwrap();
    if let Some(t) = toml {
        std::fs::write(dir.path().join("gwk.toml"), t).unwrap();
    }
    let out = Command::cargo_bin("gwk")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--color", "never", "example.yaml"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_rule_is_documented_with_true_output() {
    let path = rules_md();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut replacements: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut failures = Vec::new();
    let mut documented = Vec::new();
    let all = blocks(&text);
    for (i, (at, block)) in all.iter().enumerate() {
        // ```yaml is an example that triggers its section's rule; ```yaml
        // good, the way to write it that does not.
        let good = block.lang == "yaml good";
        if block.lang != "yaml" && !good {
            continue;
        }
        let Some(code) = section_at(&text, *at) else {
            continue;
        };
        let Some((_, output)) = all.get(i + 1).filter(|(_, b)| b.lang == "text") else {
            failures.push(format!(
                "`{code}`: the example has no ```text block after it"
            ));
            continue;
        };
        let toml = i
            .checked_sub(1)
            .and_then(|p| all.get(p))
            .filter(|(tat, b)| {
                b.lang == "toml" && section_at(&text, *tat).as_deref() == Some(&code)
            })
            .map(|(_, b)| &text[b.body.clone()]);
        let got = check_output(&text[block.body.clone()], toml);
        if good && got.contains(&format!("[{code}]")) {
            failures.push(format!(
                "`{code}`: the good example triggers the rule:\n{got}"
            ));
        }
        if !good && !got.contains(&format!("[{code}]")) {
            failures.push(format!(
                "`{code}`: the example does not trigger the rule:\n{got}"
            ));
        }
        if got != text[output.body.clone()] {
            failures.push(format!("`{code}`: printed output differs; got:\n{got}"));
        }
        replacements.push((output.body.clone(), got));
        if !good {
            documented.push(code);
        }
    }
    if std::env::var_os("GWK_BLESS").is_some() {
        let mut new = text.clone();
        for (range, got) in replacements.into_iter().rev() {
            new.replace_range(range, &got);
        }
        std::fs::write(&path, new).unwrap();
        return;
    }
    for code in gwk_spec::Code::ALL {
        if !documented.iter().any(|d| d == code.as_str()) {
            failures.push(format!(
                "`{code}` has no section with an example in docs/rules.md"
            ));
        }
        let row = format!("| [`{code}`](#{code}) | {} |", code.default_severity());
        if !text.contains(&row) {
            failures.push(format!("the table row of `{code}` should read `{row} ...`"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Each rule's section marks its fixes as the registry does: safe (`gwk
/// check --fix` applies them), unsafe (only with `--unsafe-fixes`) or none.
#[test]
fn every_rules_autofix_mark_matches_the_registry() {
    use gwk_spec::check::registry::{Fixes, owner};
    let text = std::fs::read_to_string(rules_md()).unwrap();
    let mut failures = Vec::new();
    for code in gwk_spec::Code::ALL {
        let heading = format!("\n## `{code}`\n");
        let Some(at) = text.find(&heading) else {
            failures.push(format!("`{code}` has no section"));
            continue;
        };
        let body = &text[at + heading.len()..];
        let section = &body[..body.find("\n## ").unwrap_or(body.len())];
        let want = match owner(*code).fixes {
            Fixes::Safe => "**Autofix:** safe: `gwk check --fix` applies it.",
            Fixes::Unsafe => {
                "**Autofix:** unsafe: it can change what a run does, so only `gwk check --fix --unsafe-fixes` applies it."
            }
            Fixes::None => "**Autofix:** none.",
        };
        let marks: Vec<&str> = section
            .lines()
            .filter(|l| l.starts_with("**Autofix:**"))
            .collect();
        if marks != [want] {
            failures.push(format!(
                "`{code}`: the section should say `{want}`, it says {marks:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The README's tour is real: each ```text block that starts with
/// `$ gwk ...` is what that command prints, run from the repository's root
/// against files in the repository. A block with a `...` line is an excerpt:
/// its other lines must appear in the output, in order. `gwk run` needs
/// Docker and prints times and ids that change, so it is left out.
#[test]
fn readme_tour_shows_real_output() {
    let text = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let home = tempfile::TempDir::new().unwrap();
    let mut failures = Vec::new();
    let mut shown = 0;
    for (_, block) in blocks(&text) {
        let body = &text[block.body.clone()];
        let Some((first, printed)) = body.split_once('\n') else {
            continue;
        };
        let Some(command) = first.strip_prefix("$ gwk ") else {
            continue;
        };
        if block.lang != "text" || command.starts_with("run ") {
            continue;
        }
        shown += 1;
        let out = Command::cargo_bin("gwk")
            .unwrap()
            .current_dir(repo_root())
            // An empty store: what a reader sees on a fresh machine.
            .env("GWK_HOME", home.path())
            .args(command.split_whitespace())
            .output()
            .unwrap();
        let got = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = printed.lines().collect();
        let ok = if lines.contains(&"...") {
            let mut rest = got.lines();
            lines
                .iter()
                .filter(|l| **l != "...")
                .all(|want| rest.any(|l| l == *want))
        } else {
            got == printed
        };
        if !ok {
            failures.push(format!("README: `$ gwk {command}` prints:\n{got}"));
        }
    }
    assert!(
        shown >= 3,
        "found only {shown} gwk commands in the README's tour"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every `fn NAME(` in the workspace's Rust sources.
fn test_functions() -> std::collections::HashSet<String> {
    fn walk(dir: &std::path::Path, out: &mut std::collections::HashSet<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for (i, _) in text.match_indices("fn ") {
                    let name: String = text[i + 3..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    out.insert(name);
                }
            }
        }
    }
    let mut out = std::collections::HashSet::new();
    walk(&repo_root().join("crates"), &mut out);
    out
}

/// docs/spec-decisions.md names, in brackets on every row, the tests of
/// that choice: fixtures (`code/file.yaml`) that exist, or test functions
/// that exist.
#[test]
fn spec_decisions_name_real_tests() {
    let text = std::fs::read_to_string(repo_root().join("docs/spec-decisions.md")).unwrap();
    let fixtures = repo_root().join("crates/gwk-spec/tests/fixtures/rules");
    let functions = test_functions();
    let mut failures = Vec::new();
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| question") && !l.starts_with("| ---"))
        .collect();
    assert!(rows.len() >= 20, "only {} rows", rows.len());
    for row in rows {
        let question = row.split(" | ").next().unwrap_or(row);
        // The last `[`...`]` group of backticked names on the row.
        let Some(group) = row.rfind("[`").map(|at| &row[at + 1..]) else {
            failures.push(format!("{question}: names no test"));
            continue;
        };
        let Some(group) = group.find("`]").map(|end| &group[..end + 1]) else {
            failures.push(format!("{question}: unclosed test list"));
            continue;
        };
        for name in group.split(", ").map(|n| n.trim_matches('`')) {
            let exists = if name.ends_with(".yaml") {
                fixtures.join(name).is_file()
            } else {
                functions.contains(name)
            };
            if !exists {
                failures.push(format!("{question}: no test `{name}`"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
