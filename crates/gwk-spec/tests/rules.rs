//! Every rule's fixtures: `tests/fixtures/rules/<code>/bad-*.yaml` must
//! trigger the rule, `good-*.yaml` must not, and every fixture's findings
//! must match its `.out` file exactly. A fixture may have a sibling
//! `<name>.gwk.toml`. Run with `GWK_BLESS=1` to rewrite the `.out` files
//! after an intended change (never in CI).
//!
//! Every fix a finding carries is also applied, and the file checked again:
//! the fix must remove a finding of its code and keep the file YAML.

use gwk_spec::check::{apply_edits, registry};
use gwk_spec::syntax::Encoding;
use gwk_spec::{Analysis, Code, Config, analyze};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

fn config_for(yaml: &Path) -> Config {
    let toml = yaml.with_extension("gwk.toml");
    match std::fs::read_to_string(&toml) {
        Ok(text) => Config::parse(&text).expect("fixture gwk.toml is valid"),
        Err(_) => Config::default(),
    }
}

/// One line per finding, then its related spans and fixes, indented.
fn render(a: &Analysis) -> String {
    let pos = |offset: usize| {
        let lc = a.line_index.line_col(&a.text, offset, Encoding::Chars);
        format!("{}:{}", lc.line + 1, lc.col + 1)
    };
    let mut out = String::new();
    for d in &a.diagnostics {
        writeln!(
            out,
            "{}-{} {}[{}] {}",
            pos(d.span.start),
            pos(d.span.end),
            d.severity,
            d.code,
            d.message
        )
        .unwrap();
        for r in &d.related {
            writeln!(out, "    related {}: {}", pos(r.span.start), r.message).unwrap();
        }
        for f in &d.fixes {
            let edits: Vec<String> = f
                .edits
                .iter()
                .map(|e| format!("{}-{} => {:?}", pos(e.span.start), pos(e.span.end), e.text))
                .collect();
            writeln!(out, "    fix: {} [{}]", f.message, edits.join(", ")).unwrap();
        }
    }
    out
}

fn fixtures() -> Vec<(Code, PathBuf)> {
    let mut out = Vec::new();
    for &code in Code::ALL {
        let dir = fixtures_dir().join(code.as_str());
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("rule `{code}` has no fixtures directory {}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        files.sort();
        for f in files {
            out.push((code, f));
        }
    }
    out
}

#[test]
fn every_rule_has_bad_and_good_fixtures() {
    let all = fixtures();
    for &code in Code::ALL {
        let names: Vec<String> = all
            .iter()
            .filter(|(c, _)| *c == code)
            .map(|(_, p)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("bad")),
            "rule `{code}` has no bad-*.yaml fixture"
        );
        assert!(
            names.iter().any(|n| n.starts_with("good")),
            "rule `{code}` has no good-*.yaml fixture"
        );
    }
}

#[test]
fn fixtures_give_their_expected_findings() {
    let bless = std::env::var_os("GWK_BLESS").is_some();
    let mut failures = Vec::new();
    for (code, path) in fixtures() {
        let text = std::fs::read_to_string(&path).unwrap();
        let a = analyze(&text, &config_for(&path));
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let has = a.diagnostics.iter().any(|d| d.code == code);
        if name.starts_with("bad") && !has {
            failures.push(format!("{}: expected a `{code}` finding", path.display()));
        }
        if name.starts_with("good") && has {
            failures.push(format!("{}: expected no `{code}` finding", path.display()));
        }
        let got = render(&a);
        let out_path = path.with_extension("out");
        if bless {
            std::fs::write(&out_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&out_path).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "{}: findings differ from {}\n--- expected\n{want}--- got\n{got}",
                path.display(),
                out_path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fix_removes_its_finding() {
    let mut failures = Vec::new();
    for (_, path) in fixtures() {
        let text = std::fs::read_to_string(&path).unwrap();
        let config = config_for(&path);
        let a = analyze(&text, &config);
        for d in &a.diagnostics {
            for fix in &d.fixes {
                let fixed = apply_edits(&text, &fix.edits);
                let after = analyze(&fixed, &config);
                let before_n = a.diagnostics.iter().filter(|x| x.code == d.code).count();
                let after_n = after
                    .diagnostics
                    .iter()
                    .filter(|x| x.code == d.code)
                    .count();
                if after_n >= before_n {
                    failures.push(format!(
                        "{}: fix `{}` left {after_n} `{}` finding(s) (was {before_n})\n{fixed}",
                        path.display(),
                        fix.message,
                        d.code
                    ));
                }
                if after.root.is_none() {
                    failures.push(format!(
                        "{}: fix `{}` broke the YAML\n{fixed}",
                        path.display(),
                        fix.message
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every workflow the tests know: the rule fixtures, the fuzz regressions
/// and, when ../shared is there, the corpus.
fn every_known_workflow() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fixtures().into_iter().map(|(_, p)| p).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../../../shared/corpus");
    for dir in [root.join("tests/fixtures"), corpus.clone()] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    files.push(p);
                }
            }
        }
    }
    if !corpus.is_dir() {
        eprintln!("SKIPPED: ../shared/corpus is absent; only the fixtures were traced");
    }
    files
}

#[test]
fn every_finding_comes_from_the_rule_that_owns_its_code() {
    let mut failures = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for path in every_known_workflow() {
        let text = std::fs::read_to_string(&path).unwrap();
        let config = config_for(&path);
        gwk_spec::check::analyze_traced(&text, &config, &mut |rule, d| {
            seen.insert(d.code);
            if !rule.codes.contains(&d.code) {
                failures.push(format!(
                    "{}: rule `{}` reported `{}`, which rule `{}` owns",
                    path.display(),
                    rule.name,
                    d.code,
                    registry::owner(d.code).name
                ));
            }
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The trace saw every code at least once, so it proves something for each.
    let unseen: Vec<&Code> = Code::ALL.iter().filter(|c| !seen.contains(c)).collect();
    assert!(unseen.is_empty(), "no workflow reported {unseen:?}");
}

/// `UnknownIoPath` → `unknown-io-path`.
fn kebab(variant: &str) -> String {
    let mut out = String::new();
    for (i, c) in variant.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every `Code::Variant` named in the code (not the tests) of the checker
/// and the parser sits in a source file of the rule that owns it: no rule
/// can build another rule's finding.
#[test]
fn each_code_is_named_only_in_its_owners_sources() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for dir in ["check", "check/security", "syntax"] {
        let Ok(entries) = std::fs::read_dir(src.join(dir)) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 10, "found only {files:?}");
    let mut failures = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "check/registry.rs" {
            continue; // the table of owners itself
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code_part = text.split("#[cfg(test)]").next().unwrap();
        for (at, _) in code_part.match_indices("Code::") {
            let variant: String = code_part[at + 6..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if !variant.starts_with(|c: char| c.is_ascii_uppercase()) || variant == "ALL" {
                continue; // `Code::parse`, `Code::ALL`
            }
            let code = Code::parse(&kebab(&variant))
                .unwrap_or_else(|| panic!("{rel}: `Code::{variant}` is no code"));
            let owner = registry::owner(code);
            let owns = owner
                .sources
                .iter()
                .any(|s| rel == *s || (s.ends_with('/') && rel.starts_with(s)));
            if !owns {
                failures.push(format!(
                    "{rel} names `{code}`, but rule `{}` owns it (sources {:?})",
                    owner.name, owner.sources
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A credential is shown by its first four characters and its length: no
/// message, related message or fix of any rule repeats the masked rest,
/// and every `hardcoded-credential` finding masks its value.
#[test]
fn no_finding_repeats_a_masked_credential() {
    let mut failures = Vec::new();
    let mut masked = 0;
    for path in every_known_workflow() {
        let text = std::fs::read_to_string(&path).unwrap();
        let a = analyze(&text, &config_for(&path));
        for d in &a.diagnostics {
            if d.code == Code::HardcodedCredential {
                masked += 1;
                if d.mask.is_empty() || !d.mask.iter().all(|m| a.masks.contains(m)) {
                    failures.push(format!("{}: {d:?} masks nothing", path.display()));
                }
            }
            for m in &a.masks {
                let hidden = &a.text[m.start..m.end];
                let said = std::iter::once(d.message.as_str())
                    .chain(d.related.iter().map(|r| r.message.as_str()))
                    .chain(d.fixes.iter().map(|f| f.message.as_str()))
                    .chain(
                        d.fixes
                            .iter()
                            .flat_map(|f| f.edits.iter().map(|e| e.text.as_str())),
                    );
                for s in said {
                    if s.contains(hidden) {
                        failures.push(format!("{}: `{s}` repeats a credential", path.display()));
                    }
                }
            }
        }
    }
    assert!(masked >= 10, "only {masked} credentials in the fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every message (finding, related location, fix) of every known workflow
/// quotes names with balanced, non-empty, non-nested backticks: never
/// "`` is not …" for an empty name, nor "`an item of `args`` must …".
#[test]
fn no_message_has_empty_or_nested_backticks() {
    let mut failures = Vec::new();
    let mut seen = 0;
    for path in every_known_workflow() {
        let text = std::fs::read_to_string(&path).unwrap();
        let a = analyze(&text, &config_for(&path));
        for d in &a.diagnostics {
            let said = std::iter::once(d.message.as_str())
                .chain(d.related.iter().map(|r| r.message.as_str()))
                .chain(d.fixes.iter().map(|f| f.message.as_str()));
            for s in said {
                seen += 1;
                // A code span of the message may hold backticks only as
                // the fence of a longer one, which no message uses.
                if s.contains("``") || s.matches('`').count() % 2 == 1 {
                    failures.push(format!("{}: [{}] {s}", path.display(), d.code));
                }
            }
        }
    }
    assert!(seen > 300, "only {seen} messages scanned");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
