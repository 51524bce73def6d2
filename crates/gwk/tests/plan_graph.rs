//! `gwk plan` and `gwk graph` end to end: snapshots of the plans of the
//! examples and of the valid corpus files, refusal of broken files,
//! secrets, the dataset store, git resolution, and the graph formats
//! checked by real parsers (Graphviz's `dot` for DOT, an XML parser for
//! SVG).
//!
//! The corpus is read where it lies (../shared/corpus); without it those
//! tests say so and check the examples only.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus_dir() -> Option<PathBuf> {
    gwk_test_support::corpus::dir()
}

/// The corpus files SOURCES.md lists as valid, sorted, by name.
fn valid_corpus_files() -> Vec<String> {
    let Some(files) = gwk_test_support::corpus::valid_files() else {
        gwk_test_support::skipped("only the examples are checked", "../shared/corpus");
        return Vec::new();
    };
    files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn examples() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
        .collect();
    out.sort();
    assert!(!out.is_empty());
    out
}

/// gwk in `cwd`, with a clean environment: no secrets, an empty dataset
/// store at `home`.
fn gwk(cwd: &Path, home: &Path) -> Command {
    let mut c = Command::cargo_bin("gwk").unwrap();
    c.current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GWK_HOME", home);
    c
}

/// What the snapshots fix: the push and the GitHub values, so that the
/// plans do not depend on the clone they run in.
const FIXED: &[&str] = &[
    "--event",
    "push",
    "--ref",
    "refs/heads/main",
    "--github-url",
    "https://github.com/example/repo",
    "--github-ref",
    "0123456789abcdef0123456789abcdef01234567",
];

fn plan(cwd: &Path, file: &str, format: &str, extra: &[&str]) -> (i32, String, String) {
    let home = tempfile::tempdir().unwrap();
    let out = gwk(cwd, home.path())
        .args(["plan", file, "--format", format])
        .args(FIXED)
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn snapshot_name(file: &str) -> String {
    file.trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .replace(['.', ' '], "_")
}

fn assert_fits_80_columns(text: &str, what: &str) {
    use unicode_width::UnicodeWidthStr;
    for line in text.lines() {
        assert!(
            line.width() <= 80,
            "{what}: a line of {} columns:\n{line}",
            line.width()
        );
    }
}

fn check_plans(cwd: &Path, files: &[String], prefix: &str) {
    for file in files {
        let name = format!("{prefix}-{}", snapshot_name(file));
        let (code, human, err) = plan(cwd, file, "human", &[]);
        assert_eq!(code, 0, "{file}: {err}");
        assert!(!human.contains('\x1b'), "{file}: colour without a terminal");
        assert_fits_80_columns(&human, file);
        insta::assert_snapshot!(format!("{name}-human"), human);
        let (code, json, err) = plan(cwd, file, "json", &[]);
        assert_eq!(code, 0, "{file}: {err}");
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(doc["version"], 1);
        insta::assert_snapshot!(format!("{name}-json"), json);
    }
}

#[test]
fn plans_of_the_examples() {
    check_plans(&root(), &examples_paths(), "example");
}

fn examples_paths() -> Vec<String> {
    examples()
        .into_iter()
        .map(|e| format!("examples/{e}"))
        .collect()
}

#[test]
fn color_always_colours_the_plan_and_no_color_or_a_pipe_does_not() {
    for file in examples_paths() {
        let (code, coloured, err) = plan(&root(), &file, "human", &["--color", "always"]);
        assert_eq!(code, 0, "{file}: {err}");
        assert!(
            coloured.contains("\x1b["),
            "{file}: no colour with --color always"
        );
        // Colour only adds escapes: stripped, it is the plain plan, and it
        // still fits 80 columns.
        let stripped = anstream::adapter::strip_str(&coloured).to_string();
        assert!(
            !stripped.contains('\x1b'),
            "{file}: an escape strip_str does not know"
        );
        assert_fits_80_columns(&stripped, &file);
        let (_, plain, _) = plan(&root(), &file, "human", &["--color", "never"]);
        assert_eq!(stripped, plain, "{file}");
        // The default (auto) colours a terminal, unless NO_COLOR is set,
        // and never a pipe.
        let (_, piped, _) = plan(&root(), &file, "human", &[]);
        assert_eq!(piped, plain, "{file}: colour on a pipe");
        assert_eq!(
            plan_on_a_terminal(&file, false),
            coloured,
            "{file}: a terminal"
        );
        assert_eq!(plan_on_a_terminal(&file, true), plain, "{file}: NO_COLOR");
    }
}

/// `gwk plan FILE` (human, auto colour) with a terminal as its standard
/// output: util-linux's `script` gives it a pseudo-terminal.
fn plan_on_a_terminal(file: &str, no_color: bool) -> String {
    let home = tempfile::tempdir().unwrap();
    let gwk = assert_cmd::cargo::cargo_bin("gwk");
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let command = std::iter::once(gwk.to_str().unwrap())
        .chain(["plan", file])
        .chain(FIXED.iter().copied())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    let mut c = std::process::Command::new("script");
    c.args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .current_dir(root())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("GWK_HOME", home.path())
        .env("TERM", "xterm");
    if no_color {
        c.env("NO_COLOR", "1");
    }
    let out = c
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux's `script` runs (Debian's bsdutils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The terminal turns each newline into CR LF.
    String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n")
}

#[test]
fn plans_of_the_valid_corpus() {
    let files = valid_corpus_files();
    if let Some(dir) = corpus_dir() {
        check_plans(&dir, &files, "corpus");
    }
}

#[test]
fn a_file_with_errors_is_refused_as_check_prints_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.yaml");
    std::fs::write(
        &file,
        "jobs:\n  a:\n    uses: container@v1\n    needs: [nope]\n    resources: {instance-type: C5}\n",
    )
    .unwrap();
    let out = gwk(dir.path(), dir.path())
        .args(["plan", "broken.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("error[unknown-job]"), "{err}");
    assert!(err.contains("broken.yaml:4:"), "{err}");
    assert!(err.contains("has errors"), "{err}");
}

#[test]
fn bad_options_exit_2_with_the_reason() {
    let (code, _, err) = plan(
        &root(),
        "examples/passing-data.yaml",
        "json",
        &["--input", "greting=x"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `greeting`"), "{err}");
    let (code, _, err) = plan(
        &root(),
        "examples/passing-data.yaml",
        "json",
        &["--secret", "novalue"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("is not NAME=VALUE"), "{err}");
}

const SECRETS: &str = "defaults:\n  env:\n    TOKEN: secret:hf-token\n    PLAIN: visible\n  resources:\n    instance-type: C5\njobs:\n  Clone:\n    uses: git-checkout@v1\n    with:\n      url: https://github.com/o/private\n      username: secret:git-user\n      password: secret:GIT_PASSWORD\n    outputs:\n      repo: {type: volume}\n  Use:\n    uses: script@v1\n    needs: [Clone]\n    with: {image: 'bash:5', script: 'ls /inputs/repo'}\n    inputs:\n      repo: Clone.outputs.repo\n";

#[test]
fn secrets_come_from_flags_files_and_env_and_never_show() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("wf.yaml"), SECRETS).unwrap();
    std::fs::write(
        dir.path().join("secrets.env"),
        "# a comment\nexport git_user=\"octo-cat-4471\"\nhf_token=file-value-not-used\n",
    )
    .unwrap();
    let values = ["hf_Zz9SECRETtoken", "octo-cat-4471", "pw-Qq7SECRET"];
    for format in ["human", "json"] {
        let out = gwk(dir.path(), dir.path())
            .args(["plan", "wf.yaml", "--format", format])
            .args(["--secret-file", "secrets.env"])
            .args(["--secret", "hf-token=hf_Zz9SECRETtoken"])
            .env("GWK_SECRET_GIT_PASSWORD", "pw-Qq7SECRET")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        for v in values {
            assert!(!text.contains(v), "{format} shows a secret value:\n{text}");
        }
        assert!(text.contains("visible"));
        if format == "json" {
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(doc["missing"], serde_json::json!([]), "{text}");
            assert_eq!(
                doc["jobs"][0]["git"]["password"],
                serde_json::json!({"secret": "GIT_PASSWORD"})
            );
        } else {
            assert!(text.contains("TOKEN=secret:hf-token → ***"), "{text}");
        }
    }
    // Without values, the plan names what is missing.
    let out = gwk(dir.path(), dir.path())
        .args(["plan", "wf.yaml", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let missing: Vec<&str> = doc["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["GIT_PASSWORD", "git-user", "hf-token"]);
}

#[test]
fn datasets_resolve_through_the_local_store() {
    let home = tempfile::tempdir().unwrap();
    let d = home.path().join("datasets/mnist");
    std::fs::create_dir_all(d.join("versions/v1")).unwrap();
    std::fs::create_dir_all(d.join("tags")).unwrap();
    std::fs::write(d.join("tags/gold"), "v1\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wf.yaml"),
        "inputs:\n  data: {type: dataset, with: {ref: mnist}}\njobs:\n  T:\n    uses: script@v1\n    with: {image: 'bash:5', script: 'ls /inputs/data'}\n    inputs:\n      data: workflow.inputs.data\n      extra: {type: dataset, with: {ref: 'cifar:v2'}}\n    resources: {instance-type: C5}\n",
    )
    .unwrap();
    let run = |extra: &[&str]| -> serde_json::Value {
        let out = gwk(dir.path(), home.path())
            .args(["plan", "wf.yaml", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let doc = run(&[]);
    let mounts = &doc["jobs"][0]["mounts"];
    assert_eq!(mounts[0]["source"]["dataset"]["version"], "v1");
    assert_eq!(mounts[0]["source"]["dataset"]["status"], "resolved");
    assert_eq!(mounts[1]["source"]["dataset"]["status"], "not-in-store");
    assert_eq!(doc["missing"][0]["name"], "cifar:v2");
    let doc = run(&["--dataset", "T.extra=mnist:gold"]);
    assert_eq!(
        doc["jobs"][0]["mounts"][1]["source"]["dataset"]["version"],
        "v1"
    );
    assert_eq!(doc["missing"], serde_json::json!([]));
}

#[test]
fn github_values_resolve_from_the_local_clone() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .current_dir(dir.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .output()
            .unwrap();
        assert!(ok.status.success(), "{args:?}: {ok:?}");
        String::from_utf8(ok.stdout).unwrap().trim().to_string()
    };
    git(&["init", "-q", "-b", "main"]);
    git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/acme/models.git",
    ]);
    std::fs::write(
        dir.path().join("wf.yaml"),
        "on:\n  github:\n    branches:\n      only: main\njobs:\n  C:\n    uses: git-checkout@v1\n    with:\n      url: context.event.github.url\n      ref: context.event.github.ref\n    outputs:\n      repo: {type: volume}\n    resources: {instance-type: C5}\n",
    )
    .unwrap();
    git(&["add", "wf.yaml"]);
    git(&["commit", "-q", "-m", "wf"]);
    let head = git(&["rev-parse", "HEAD"]);
    let home = tempfile::tempdir().unwrap();
    let out = gwk(dir.path(), home.path())
        .args(["plan", "wf.yaml", "--format", "json", "--event", "push"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let g = &doc["jobs"][0]["git"];
    assert_eq!(g["url"]["value"], "https://github.com/acme/models.git");
    assert_eq!(g["url"]["source"], "git remote origin");
    assert_eq!(g["ref"]["value"], head.as_str());
    // --event push without --ref takes the checked-out branch.
    assert_eq!(doc["trigger"]["event"]["ref"], "refs/heads/main");
    assert_eq!(doc["trigger"]["starts"], true);
    assert_eq!(doc["missing"], serde_json::json!([]));
}

fn graph(cwd: &Path, file: &str, format: &str) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = gwk(cwd, home.path())
        .args(["graph", file, "--format", format])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{file}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn all_files() -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> =
        examples_paths().into_iter().map(|f| (root(), f)).collect();
    if let Some(dir) = corpus_dir() {
        out.extend(valid_corpus_files().into_iter().map(|f| (dir.clone(), f)));
    }
    out
}

fn job_count(cwd: &Path, file: &str) -> usize {
    let doc: serde_json::Value = serde_json::from_str(&graph(cwd, file, "json")).unwrap();
    doc["nodes"].as_array().unwrap().len()
}

#[test]
fn dot_output_is_read_back_by_graphviz() {
    let dot_ok = std::process::Command::new("dot").arg("-V").output().is_ok();
    assert!(
        dot_ok,
        "Graphviz's `dot` is needed to check the DOT output: run scripts/setup/30-graphviz.sh"
    );
    for (cwd, file) in all_files() {
        let text = graph(&cwd, &file, "dot");
        let mut child = std::process::Command::new("dot")
            .arg("-Tplain")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.is_empty(),
            "{file}: {stderr}\n{text}"
        );
        let plain = String::from_utf8(out.stdout).unwrap();
        let nodes = plain.lines().filter(|l| l.starts_with("node ")).count();
        let edges = plain.lines().filter(|l| l.starts_with("edge ")).count();
        let doc: serde_json::Value = serde_json::from_str(&graph(&cwd, &file, "json")).unwrap();
        assert_eq!(nodes, doc["nodes"].as_array().unwrap().len(), "{file}");
        assert_eq!(edges, doc["edges"].as_array().unwrap().len(), "{file}");
    }
}

#[test]
fn svg_output_is_wellformed_with_one_node_per_job() {
    for (cwd, file) in all_files() {
        let text = graph(&cwd, &file, "svg");
        let doc = roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{file}: not well-formed XML: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let jobs: Vec<&str> = doc
            .descendants()
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|c| c.split(' ').any(|c| c == "job"))
            })
            .filter_map(|n| n.attribute("data-job"))
            .collect();
        assert_eq!(jobs.len(), job_count(&cwd, &file), "{file}");
    }
}

#[test]
fn graph_json_positions_are_one_based() {
    let text = graph(&root(), "examples/passing-data.yaml", "json");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let source = std::fs::read_to_string(root().join("examples/passing-data.yaml")).unwrap();
    for node in doc["nodes"].as_array().unwrap() {
        let line = node["line"].as_u64().unwrap() as usize;
        let col = node["column"].as_u64().unwrap() as usize;
        let text_line = source.lines().nth(line - 1).unwrap();
        let name = node["name"].as_str().unwrap();
        assert_eq!(&text_line[col - 1..col - 1 + name.len()], name);
    }
}

#[test]
fn graph_snapshots_of_the_examples() {
    for file in examples_paths() {
        let name = snapshot_name(&file);
        for format in ["ascii", "mermaid", "dot"] {
            insta::assert_snapshot!(
                format!("graph-{name}-{format}"),
                graph(&root(), &file, format)
            );
        }
    }
}

#[test]
fn graph_of_a_broken_file_is_drawn_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cycle.yaml"),
        "jobs:\n  a: {uses: container@v1, needs: [b]}\n  b: {uses: container@v1, needs: [a]}\n",
    )
    .unwrap();
    let out = gwk(dir.path(), dir.path())
        .args(["graph", "cycle.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    // The tree points the way jobs run; the cycle line says it reads "needs".
    assert!(
        text.contains("cycle: a -> b -> a (each arrow reads \"needs\")"),
        "{text}"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("gwk check cycle.yaml"), "{err}");
}
