//! `gwk check` as users run it: exit statuses, output formats, file
//! discovery, configuration, suppressions, and inputs that must not break it.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

const VALID: &str = "defaults:\n  resources:\n    instance-type: C5\njobs:\n  hello:\n    uses: container@v1\n    with:\n      image: bash:5\n";

const UNKNOWN_JOB: &str = "defaults:\n  resources:\n    instance-type: C5\njobs:\n  CloneRepo:\n    uses: git-checkout@v1\n    with:\n      url: https://github.com/x/y\n    outputs:\n      repo:\n        type: volume\n  Train:\n    needs: [CloneRepo]\n    inputs:\n      repo: cloneRepo.outputs.repo\n    uses: container@v1\n    with:\n      image: bash:5\n";

const WARNING_ONLY: &str =
    "jobs:\n  hello:\n    uses: container@v1\n    with:\n      image: bash:5\n";

fn gwk() -> Command {
    Command::cargo_bin("gwk").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn json(dir: &Path, args: &[&str]) -> (Value, i32) {
    let out = gwk()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap())
}

#[test]
fn exit_status_says_whether_there_are_errors() {
    let d = TempDir::new().unwrap();
    write(d.path(), "ok.yaml", VALID);
    write(d.path(), "bad.yaml", UNKNOWN_JOB);
    write(d.path(), "warn.yaml", WARNING_ONLY);
    gwk()
        .current_dir(d.path())
        .args(["check", "ok.yaml"])
        .assert()
        .code(0);
    gwk()
        .current_dir(d.path())
        .args(["check", "warn.yaml"])
        .assert()
        .code(0);
    gwk()
        .current_dir(d.path())
        .args(["check", "--deny-warnings", "warn.yaml"])
        .assert()
        .code(1);
    gwk()
        .current_dir(d.path())
        .args(["check", "bad.yaml"])
        .assert()
        .code(1);
}

#[test]
fn gwk_itself_failing_exits_2_with_the_reason() {
    let d = TempDir::new().unwrap();
    gwk()
        .current_dir(d.path())
        .args(["check", "missing.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "missing.yaml: no such file or directory",
        ));
    // No path and no .gradient/workflows/ here.
    gwk()
        .current_dir(d.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".gradient/workflows"));
    gwk()
        .current_dir(d.path())
        .args(["check", "--no-such-flag"])
        .assert()
        .code(2);
    write(d.path(), "w.yaml", VALID);
    write(d.path(), "gwk.toml", "[rules]\nno-such-rule = \"off\"\n");
    gwk()
        .current_dir(d.path())
        .args(["check", "w.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-rule"));
}

#[test]
fn default_is_the_workflow_directory() {
    let d = TempDir::new().unwrap();
    write(d.path(), ".gradient/workflows/a.yaml", VALID);
    write(d.path(), ".gradient/workflows/nested/b.yml", UNKNOWN_JOB);
    write(d.path(), ".gradient/workflows/notes.txt", "not a workflow");
    let (v, code) = json(d.path(), &[]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            ".gradient/workflows/a.yaml",
            ".gradient/workflows/nested/b.yml"
        ]
    );
}

#[test]
fn json_is_the_documented_contract() {
    let d = TempDir::new().unwrap();
    write(d.path(), "w.yaml", UNKNOWN_JOB);
    let (v, _) = json(d.path(), &["w.yaml"]);
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["files"], 1);
    assert_eq!(v["summary"]["errors"], 1);
    let diag = &v["files"][0]["diagnostics"][0];
    assert_eq!(diag["code"], "unknown-job");
    assert_eq!(diag["severity"], "error");
    // `cloneRepo` on line 15, columns 13..22, 1-based, end exclusive.
    assert_eq!(
        (diag["line"].as_u64(), diag["column"].as_u64()),
        (Some(15), Some(13))
    );
    assert_eq!(
        (diag["end_line"].as_u64(), diag["end_column"].as_u64()),
        (Some(15), Some(22))
    );
    let edit = &diag["fixes"][0]["edits"][0];
    assert_eq!(edit["text"], "CloneRepo");
    assert_eq!(edit["column"], 13);
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

/// Every object of the contract has exactly its documented keys, and
/// `related` and `fixes` carry their places and texts.
#[test]
fn json_objects_have_exactly_the_documented_keys() {
    let d = TempDir::new().unwrap();
    // A job given twice (a related place: the first one) and the unknown
    // job of UNKNOWN_JOB (a fix).
    let text =
        format!("{UNKNOWN_JOB}  Train:\n    uses: container@v1\n    with:\n      image: bash:5\n");
    write(d.path(), "w.yaml", &text);
    let (v, code) = json(d.path(), &["w.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(keys(&v), ["files", "summary", "version"]);
    assert_eq!(keys(&v["files"][0]), ["diagnostics", "path"]);
    assert_eq!(
        keys(&v["summary"]),
        ["errors", "files", "infos", "warnings"]
    );
    let diags = v["files"][0]["diagnostics"].as_array().unwrap();
    for diag in diags {
        assert_eq!(
            keys(diag),
            [
                "code",
                "column",
                "end_column",
                "end_line",
                "fixes",
                "line",
                "message",
                "related",
                "severity"
            ]
        );
        assert!(
            diag["related"].is_array() && diag["fixes"].is_array(),
            "{diag}"
        );
    }
    let place = ["column", "end_column", "end_line", "line"];
    let dup = diags
        .iter()
        .find(|d| d["code"] == "duplicate-key")
        .expect("duplicate-key");
    let related = dup["related"].as_array().unwrap();
    assert_eq!(related.len(), 1, "{dup}");
    let mut want = place.to_vec();
    want.push("message");
    want.sort_unstable();
    assert_eq!(keys(&related[0]), want);
    // The first `Train:` is on line 12, columns 3..8.
    assert_eq!(
        [
            &related[0]["line"],
            &related[0]["column"],
            &related[0]["end_line"],
            &related[0]["end_column"]
        ],
        [12, 3, 12, 8]
    );
    assert_eq!(related[0]["message"], "`Train` first given here");

    let job = diags
        .iter()
        .find(|d| d["code"] == "unknown-job")
        .expect("unknown-job");
    let fix = &job["fixes"][0];
    assert_eq!(keys(fix), ["edits", "message"]);
    assert_eq!(fix["message"], "change to `CloneRepo`");
    let edits = fix["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    let mut want = place.to_vec();
    want.push("text");
    want.sort_unstable();
    assert_eq!(keys(&edits[0]), want);
    assert_eq!(
        [
            &edits[0]["line"],
            &edits[0]["column"],
            &edits[0]["end_line"],
            &edits[0]["end_column"]
        ],
        [15, 13, 15, 22]
    );
    assert_eq!(edits[0]["text"], "CloneRepo");
}

#[test]
fn columns_count_characters() {
    let d = TempDir::new().unwrap();
    // "é" and "𝄞" before the mistake: 2 characters, 6 bytes, 3 UTF-16 units.
    write(
        d.path(),
        "w.yaml",
        "defaults:\n  resources:\n    instance-type: C5\njobs:\n  hello:\n    uses: container@v1\n    with:\n      image: bash:5\n    env: {\"é𝄞\": x, NEXT: 5}\n",
    );
    let (v, _) = json(d.path(), &["w.yaml"]);
    let diags = v["files"][0]["diagnostics"].as_array().unwrap();
    let quote = diags.iter().find(|d| d["code"] == "invalid-type").unwrap();
    // `    env: {"é𝄞": x, NEXT: 5}`: the 5 is character 26 (byte 30, UTF-16 unit 27).
    assert_eq!(quote["column"], 26);
}

#[test]
fn human_output_underlines_and_has_no_colour_in_a_pipe() {
    let d = TempDir::new().unwrap();
    write(d.path(), "w.yaml", UNKNOWN_JOB);
    gwk()
        .current_dir(d.path())
        .args(["check", "w.yaml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[unknown-job]"))
        .stdout(predicate::str::contains("--> w.yaml:15:13"))
        .stdout(predicate::str::contains("^^^^^^^^^"))
        .stdout(predicate::str::contains("help: change to `CloneRepo`"))
        .stdout(predicate::str::contains(
            "1 error, 0 warnings, 0 infos in 1 file",
        ))
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn sarif_and_github_formats() {
    let d = TempDir::new().unwrap();
    write(d.path(), "w.yaml", UNKNOWN_JOB);
    let out = gwk()
        .current_dir(d.path())
        .args(["check", "--format", "sarif", "w.yaml"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "gwk");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "unknown-job");
    assert_eq!(result["level"], "error");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "unknown-job");
    // The same link as the language server's (gwk_spec::Code::docs_url).
    assert_eq!(
        run["tool"]["driver"]["rules"][index]["helpUri"],
        "https://github.com/gwk-dev/gwk/blob/main/docs/rules.md#unknown-job"
    );
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(15), Some(13))
    );

    gwk()
        .current_dir(d.path())
        .args(["check", "--format", "github", "w.yaml"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "::error file=w.yaml,line=15,col=13,endLine=15,endColumn=22,title=gwk unknown-job::",
        ));
}

#[test]
fn ignore_comments_and_gwk_toml_silence_rules() {
    let d = TempDir::new().unwrap();
    let ignored = UNKNOWN_JOB.replace(
        "repo: cloneRepo.outputs.repo",
        "repo: cloneRepo.outputs.repo # gwk: ignore[unknown-job]",
    );
    write(d.path(), "sub/w.yaml", &ignored);
    let (v, code) = json(d.path(), &["sub/w.yaml"]);
    assert_eq!(code, 0, "{v}");
    // Alone on the line above, the comment silences the next line.
    let above = UNKNOWN_JOB.replace(
        "      repo: cloneRepo.outputs.repo",
        "      # gwk: ignore[unknown-job]\n      repo: cloneRepo.outputs.repo",
    );
    write(d.path(), "sub/above.yaml", &above);
    let (v, code) = json(d.path(), &["sub/above.yaml"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["summary"]["warnings"], 0, "{v}");
    // A misspelt code silences nothing, and says so.
    write(
        d.path(),
        "sub/typo.yaml",
        &UNKNOWN_JOB.replace(
            "repo: cloneRepo.outputs.repo",
            "repo: cloneRepo.outputs.repo # gwk: ignore[unknown-jobs]",
        ),
    );
    let (v, code) = json(d.path(), &["sub/typo.yaml"]);
    assert_eq!(code, 1, "{v}");
    let codes: Vec<&str> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unknown-job", "unknown-ignore"]);
    // gwk.toml is found upward from the file.
    write(d.path(), "sub/warn.yaml", WARNING_ONLY);
    write(
        d.path(),
        "gwk.toml",
        "[rules]\nmissing-instance-type = \"error\"\n",
    );
    let (v, code) = json(d.path(), &["sub/warn.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(v["files"][0]["diagnostics"][0]["severity"], "error");
    write(
        d.path(),
        "gwk.toml",
        "[rules]\nmissing-instance-type = \"off\"\n",
    );
    let (v, _) = json(d.path(), &["sub/warn.yaml"]);
    assert_eq!(v["summary"]["warnings"], 0);
}

#[test]
fn reads_standard_input() {
    gwk()
        .args([
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "piped.yaml",
            "-",
        ])
        .write_stdin(UNKNOWN_JOB)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"path\": \"piped.yaml\""));
}

/// Inputs that must give a clear finding (exit 1), never a panic or a hang.
#[test]
fn hostile_inputs_are_findings_not_crashes() {
    let d = TempDir::new().unwrap();
    let mut deep = String::new();
    for i in 0..10_000 {
        deep.push_str(&" ".repeat(i));
        deep.push_str("a:\n");
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.yaml", Vec::new(), "holds no workflow"),
        (
            "comments.yaml",
            b"# only a comment\n".to_vec(),
            "holds no workflow",
        ),
        (
            "list.yaml",
            b"- uses: container@v1\n".to_vec(),
            "a workflow is a mapping",
        ),
        (
            "scalar.yaml",
            b"just text\n".to_vec(),
            "a workflow is a mapping",
        ),
        (
            "binary.yaml",
            (0..=255u8).cycle().take(4096).collect(),
            "not UTF-8",
        ),
        (
            "latin1.yaml",
            b"jobs:\n  caf\xe9: {}\n".to_vec(),
            "not UTF-8",
        ),
        ("control.yaml", b"jobs:\x07\n".to_vec(), "control character"),
        ("deep.yaml", deep.into_bytes(), "nest deeper"),
        (
            "flow-deep.yaml",
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
            "nest too deep",
        ),
        (
            "two-docs.yaml",
            format!("{VALID}---\n{VALID}").into_bytes(),
            "second YAML document",
        ),
    ];
    for (name, bytes, expected) in cases {
        std::fs::write(d.path().join(name), bytes).unwrap();
        let out = gwk()
            .current_dir(d.path())
            .args(["check", name])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(expected),
            "{name}: expected `{expected}` in\n{stdout}"
        );
    }
}

#[test]
fn a_50_mb_file_is_checked() {
    let d = TempDir::new().unwrap();
    let mut text = String::with_capacity(51 << 20);
    text.push_str("jobs:\n  big:\n    uses: container@v1\n    with:\n      image: bash:5\n      args:\n        - |-\n");
    let line =
        "          echo 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n";
    while text.len() < 50 << 20 {
        text.push_str(line);
    }
    std::fs::write(d.path().join("big.yaml"), &text).unwrap();
    gwk()
        .current_dir(d.path())
        .args(["check", "--format", "json", "big.yaml"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("missing-instance-type"));
}

/// The README promises that the examples are clean: no error, no warning,
/// no info, in every file of `examples/`.
#[test]
fn examples_are_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let yaml_files = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .filter(|e| {
            let p = e.as_ref().unwrap().path();
            matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml"))
        })
        .count();
    let (v, code) = json(&root, &["examples/"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["summary"]["files"], yaml_files, "{v}");
    for key in ["errors", "warnings", "infos"] {
        assert_eq!(v["summary"][key], 0, "{key}: {v:#}");
    }
    assert!(yaml_files >= 3, "only {yaml_files} examples");
}

/// A workflow with a token in a script, an env value, a URL and a value
/// another rule quotes in its message.
const LEAKY: &str = "defaults:\n  resources:\n    instance-type: C5\njobs:\n  train:\n    uses: script@v1\n    env:\n      KAGGLE_KEY: 3f786850e387550fdab836ed7e6dc881\n    inputs:\n      repo: https://bob:Zq9vXw3Kp7Lm2Nb8@github.com/acme/x.git\n    with:\n      image: python:3.11\n      script: |-\n        huggingface-cli login --token hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789\n        git clone https://bob:ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8@github.com/acme/private.git\n";

#[test]
fn credentials_are_never_printed_whole() {
    let d = TempDir::new().unwrap();
    write(d.path(), "leaky.yaml", LEAKY);
    let secrets = [
        "3f786850e387550fdab836ed7e6dc881",
        "Zq9vXw3Kp7Lm2Nb8",
        "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    ];
    for format in ["human", "json", "sarif", "github"] {
        let out = gwk()
            .current_dir(d.path())
            .args([
                "check",
                "--color",
                "never",
                "--format",
                format,
                "leaky.yaml",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("hardcoded-credential"), "{format}: {text}");
        for s in secrets {
            // Not whole, and not the part after the four characters shown.
            assert!(!text.contains(&s[4..]), "{format} prints {s}:\n{text}");
        }
        if format == "human" {
            // The snippet keeps the first four characters and masks the rest.
            assert!(text.contains("--token hf_A*****"), "{text}");
            assert!(text.contains("`hf_A…` (39 characters)"), "{text}");
        }
    }
}

#[test]
fn sarif_ranks_the_security_rules() {
    let d = TempDir::new().unwrap();
    write(d.path(), "leaky.yaml", LEAKY);
    let out = gwk()
        .current_dir(d.path())
        .args(["check", "--format", "sarif", "leaky.yaml"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
    let cred = rule("hardcoded-credential");
    assert_eq!(cred["properties"]["tags"][0], "security");
    assert_eq!(cred["properties"]["security-severity"], "9.0");
    assert_eq!(
        rule("overshared-secret")["properties"]["security-severity"],
        "3.0"
    );
    assert!(rule("unknown-job").get("properties").is_none());
}

#[test]
fn persona_comes_from_the_flag_or_gwk_toml() {
    let d = TempDir::new().unwrap();
    write(d.path(), "tagged.yaml", VALID);
    let codes = |args: &[&str]| -> Vec<String> {
        let (v, _) = json(d.path(), args);
        v["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    d["severity"].as_str().unwrap(),
                    d["code"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(codes(&["tagged.yaml"]), Vec::<String>::new());
    assert_eq!(
        codes(&["--persona", "pedantic", "tagged.yaml"]),
        ["info unpinned-image"]
    );
    write(d.path(), "gwk.toml", "persona = \"pedantic\"\n");
    assert_eq!(codes(&["tagged.yaml"]), ["info unpinned-image"]);
    assert_eq!(
        codes(&["--persona", "regular", "tagged.yaml"]),
        Vec::<String>::new()
    );
    gwk()
        .current_dir(d.path())
        .args(["check", "--persona", "paranoid", "tagged.yaml"])
        .assert()
        .code(2);
}
