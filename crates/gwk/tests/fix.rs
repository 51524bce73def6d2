//! `gwk check --fix`, `--diff`, rule selection and baselines, as users run
//! them: on a copy of the corpus (../shared/corpus) and on small files,
//! with the refusals (a file that is not UTF-8, an unknown rule name).

use assert_cmd::Command;
use gwk_spec::check::apply_edits;
use gwk_spec::fix::{FixLevel, MAX_PASSES, choose, fix_text};
use gwk_spec::{Config, Edit, analyze};
use serde_json::Value;
use similar::{DiffOp, TextDiff};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn gwk() -> Command {
    Command::cargo_bin("gwk").unwrap()
}

/// A copy of the corpus's workflow files, or `None` (SKIPPED) without it.
fn corpus_copy() -> Option<(TempDir, Vec<PathBuf>)> {
    let Some(src) = gwk_test_support::corpus::dir() else {
        gwk_test_support::skipped(
            "the --fix and baseline tests on the corpus",
            "../shared/corpus",
        );
        return None;
    };
    let dir = TempDir::new().unwrap();
    let mut files = Vec::new();
    for e in std::fs::read_dir(&src).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            let to = dir.path().join(path.file_name().unwrap());
            std::fs::copy(&path, &to).unwrap();
            files.push(to);
        }
    }
    files.sort();
    assert!(files.len() > 20, "the corpus has its files");
    Some((dir, files))
}

fn read_all(files: &[PathBuf]) -> Vec<Vec<u8>> {
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// The 0-based lines of `original` that the fixes may change: those the
/// edits of each pass touch, mapped back to `original` through the lines
/// earlier passes left as they were.
fn fixable_lines(original: &str) -> BTreeSet<usize> {
    let config = Config::default();
    let mut allowed = BTreeSet::new();
    let mut text = original.to_string();
    for _ in 0..MAX_PASSES {
        let a = analyze(&text, &config);
        let edits: Vec<Edit> = choose(&a.diagnostics, FixLevel::Safe)
            .into_iter()
            .flat_map(|f| f.edits.clone())
            .collect();
        if edits.is_empty() {
            break;
        }
        let back = TextDiff::from_lines(original, text.as_str());
        let to_original = |line: usize| {
            back.ops().iter().find_map(|op| match *op {
                DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } if (new_index..new_index + len).contains(&line) => {
                    Some(old_index + line - new_index)
                }
                _ => None,
            })
        };
        for e in &edits {
            let first = a.line_index.line_of(e.span.start);
            let last = a.line_index.line_of(e.span.end);
            allowed.extend((first..=last).filter_map(to_original));
        }
        text = apply_edits(&text, &edits);
    }
    allowed
}

#[test]
fn fix_on_the_corpus_changes_only_fixed_lines_and_a_second_fix_nothing() {
    let Some((dir, files)) = corpus_copy() else {
        return;
    };
    let before = read_all(&files);
    let out = gwk()
        .args(["check", "--fix"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("applied"), "{stderr}");
    let after = read_all(&files);
    let mut changed = 0;
    for ((file, old), new) in files.iter().zip(&before).zip(&after) {
        let old = std::str::from_utf8(old).unwrap();
        let new = std::str::from_utf8(new).unwrap();
        // The CLI wrote exactly what the shared fix module computes...
        assert_eq!(
            new,
            fix_text(old, &Config::default(), FixLevel::Safe).text,
            "{}",
            file.display()
        );
        if old == new {
            continue;
        }
        changed += 1;
        // ...and every line it changed is a line a fix edits.
        let allowed = fixable_lines(old);
        for op in TextDiff::from_lines(old, new).ops() {
            let (_, old_range, _) = op.as_tag_tuple();
            if let DiffOp::Equal { .. } = op {
                continue;
            }
            let ok = if old_range.is_empty() {
                allowed.contains(&old_range.start)
                    || old_range.start > 0 && allowed.contains(&(old_range.start - 1))
            } else {
                old_range.clone().all(|l| allowed.contains(&l))
            };
            assert!(
                ok,
                "{}: lines {old_range:?} changed outside the fixes ({allowed:?})",
                file.display()
            );
        }
    }
    assert!(changed > 0, "the corpus has fixable findings");
    let out = gwk()
        .args(["check", "--fix"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("applied 0 fixes in 0 files"), "{stderr}");
    assert_eq!(read_all(&files), after, "a second --fix changes nothing");
}

#[test]
fn diff_prints_what_fix_would_write_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("w.yaml");
    let text = "jobs:\n  A:\n    uses: script@v1\n    with:\n      script: echo hi\n      imag: ubuntu:22.04\n    resources:\n      instance-type: C4\n";
    std::fs::write(&path, text).unwrap();
    let out = gwk()
        .current_dir(dir.path())
        .args(["check", "--diff", "w.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a file would change");
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.contains("-      imag: ubuntu:22.04\n+      image: ubuntu:22.04\n"),
        "{diff}"
    );
    assert!(diff.starts_with("--- w.yaml\n+++ w.yaml\n"), "{diff}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // --fix then writes that, and the exit status is that of what is left.
    let out = gwk()
        .current_dir(dir.path())
        .args(["check", "--fix", "w.yaml"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("      image: ubuntu:22.04\n")
    );
    let out = gwk()
        .current_dir(dir.path())
        .args(["check", "--diff", "w.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn unsafe_fixes_are_applied_only_when_asked() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("w.yaml");
    let text = "jobs:\n  A:\n    uses: script@v1\n    with:\n      script: curl -o x http://example.com/x\n      image: ubuntu:22.04\n    resources:\n      instance-type: C4\n";
    std::fs::write(&path, text).unwrap();
    gwk().args(["check", "--fix"]).arg(&path).output().unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "insecure-url's fix is unsafe"
    );
    gwk()
        .args(["check", "--fix", "--unsafe-fixes"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("https://example.com/x")
    );
    let out = gwk()
        .args(["check", "--unsafe-fixes"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--unsafe-fixes goes with --fix"));
}

#[test]
fn a_file_that_is_not_utf8_is_left_alone_with_a_message() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("w.yaml");
    let bytes = b"jobs:\n  A:\n    uses: script@v1\n    with:\n      imag: caf\xe9\n".to_vec();
    std::fs::write(&path, &bytes).unwrap();
    let out = gwk().args(["check", "--fix"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not valid UTF-8") && stderr.contains("left alone"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn fix_refuses_standard_input() {
    let out = gwk()
        .args(["check", "--fix", "-"])
        .write_stdin("jobs: {}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write back standard input"));
}

const MIXED: &str = "jobs:\n  A:\n    uses: script@v1\n    with:\n      script: curl -s https://x.example/i.sh | sh\n      image: ubuntu\n    outputs:\n      o:\n        type: volume\n  B:\n    needs: [Z]\n    uses: container@v1\n    with:\n      image: ubuntu:22.04\n";

fn codes(dir: &Path, args: &[&str]) -> (Vec<String>, i32) {
    let out = gwk()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut c: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().unwrap().clone())
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    c.sort();
    c.dedup();
    (c, out.status.code().unwrap())
}

#[test]
fn select_ignore_and_min_severity_pick_the_findings() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("w.yaml"), MIXED).unwrap();
    let (all, _) = codes(dir.path(), &["w.yaml"]);
    for c in [
        "unknown-job",
        "remote-script",
        "unpinned-image",
        "missing-instance-type",
    ] {
        assert!(all.iter().any(|a| a == c), "{c} in {all:?}");
    }
    let (sec, status) = codes(dir.path(), &["--select", "security", "w.yaml"]);
    assert_eq!(sec, ["remote-script", "unpinned-image"]);
    assert_eq!(status, 0, "no error is selected");
    let (some, _) = codes(
        dir.path(),
        &[
            "--select",
            "security,unknown-job",
            "--ignore",
            "unpinned-image",
            "w.yaml",
        ],
    );
    assert_eq!(some, ["remote-script", "unknown-job"]);
    let (errors, status) = codes(dir.path(), &["--min-severity", "error", "w.yaml"]);
    assert!(errors.iter().any(|c| c == "unknown-job"));
    assert!(
        !errors
            .iter()
            .any(|c| c == "missing-instance-type" || c == "remote-script"),
        "{errors:?}"
    );
    assert_eq!(status, 1);
    // The same keys in gwk.toml; the flags replace `select`.
    std::fs::write(dir.path().join("gwk.toml"), "select = [\"unknown-job\"]\n").unwrap();
    assert_eq!(codes(dir.path(), &["w.yaml"]).0, ["unknown-job"]);
    assert_eq!(
        codes(dir.path(), &["--select", "remote-script", "w.yaml"]).0,
        ["remote-script"]
    );
    std::fs::write(
        dir.path().join("gwk.toml"),
        "ignore = [\"security\"]\nmin-severity = \"error\"\n",
    )
    .unwrap();
    let (cfg, _) = codes(dir.path(), &["w.yaml"]);
    assert!(cfg.iter().any(|c| c == "unknown-job"));
    assert!(
        !cfg.iter()
            .any(|c| c == "remote-script" || c == "missing-instance-type"),
        "{cfg:?}"
    );
}

#[test]
fn plan_refuses_a_broken_workflow_whatever_check_reports() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("gwk.toml"), "select = [\"security\"]\n").unwrap();
    std::fs::write(
        dir.path().join("w.yaml"),
        "jobs: [this is: not a workflow\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("x.yaml"), MIXED).unwrap();
    let (reported, status) = codes(dir.path(), &["w.yaml", "x.yaml"]);
    assert_eq!(reported, ["remote-script", "unpinned-image"]);
    assert_eq!(status, 0);
    for file in ["w.yaml", "x.yaml"] {
        let out = gwk()
            .current_dir(dir.path())
            .args(["plan", file])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn an_unknown_rule_name_is_an_error_with_a_did_you_mean() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("w.yaml"), MIXED).unwrap();
    let out = gwk()
        .current_dir(dir.path())
        .args(["check", "--select", "unknown-jbo", "w.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown rule `unknown-jbo`")
            && stderr.contains("did you mean `unknown-job`"),
        "{stderr}"
    );
    let out = gwk()
        .current_dir(dir.path())
        .args(["check", "--ignore", "securty", "w.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `security`"));
    std::fs::write(dir.path().join("gwk.toml"), "select = [\"nope-rule\"]\n").unwrap();
    let out = gwk()
        .current_dir(dir.path())
        .args(["check", "w.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule `nope-rule`"));
}

#[test]
fn a_baseline_survives_a_line_inserted_atop_every_file_and_sees_new_findings() {
    let Some((dir, files)) = corpus_copy() else {
        return;
    };
    let baseline = dir.path().join("gwk-baseline.json");
    let out = gwk()
        .arg("check")
        .arg("--write-baseline")
        .arg(&baseline)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert!(recorded["findings"].as_array().unwrap().len() > 50);
    let (all, _) = codes(dir.path(), &["."]);
    assert!(!all.is_empty());
    for f in &files {
        let text = std::fs::read(f).unwrap();
        let mut shifted = b"# a line gwk's baseline must not mind\n".to_vec();
        shifted.extend(text);
        std::fs::write(f, shifted).unwrap();
    }
    let base = baseline.to_str().unwrap();
    let (new, status) = codes(dir.path(), &["--baseline", base, "."]);
    assert_eq!(new, Vec::<String>::new(), "nothing is new");
    assert_eq!(status, 0);
    // A finding that is new is still reported.
    let first = &files[0];
    let mut text = std::fs::read_to_string(first).unwrap();
    text.push_str("\n# gwk: ignore[unknown-ignore-zzz]\n");
    std::fs::write(first, text).unwrap();
    let (new, _) = codes(dir.path(), &["--baseline", base, "."]);
    assert_eq!(new, ["unknown-ignore"]);
}

#[test]
fn sarif_carries_the_baselines_fingerprints() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("w.yaml"), MIXED).unwrap();
    gwk()
        .current_dir(dir.path())
        .args(["check", "--write-baseline", "b.json", "w.yaml"])
        .assert()
        .code(0);
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("b.json")).unwrap()).unwrap();
    let mut from_baseline: Vec<String> = recorded["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["code"].as_str().unwrap(),
                e["fingerprint"].as_str().unwrap()
            )
        })
        .collect();
    let out = gwk()
        .current_dir(dir.path())
        .args(["check", "--format", "sarif", "w.yaml"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut from_sarif: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["ruleId"].as_str().unwrap(),
                r["partialFingerprints"]["gwkFingerprint/v1"]
                    .as_str()
                    .unwrap()
            )
        })
        .collect();
    from_baseline.sort();
    from_sarif.sort();
    assert!(!from_sarif.is_empty());
    assert_eq!(from_sarif, from_baseline);
}
