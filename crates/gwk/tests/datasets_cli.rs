//! `gwk datasets` and the refusals of `gwk run` that need no Docker.

use std::process::Command;

fn gwk(home: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gwk"));
    c.env("GWK_HOME", home).env("NO_COLOR", "1");
    c
}

fn ok(c: &mut Command) -> String {
    let out = c.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

#[test]
fn create_import_tag_export_and_remove() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let src = t.path().join("src");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    std::fs::write(src.join("sub/a.txt"), "alpha").unwrap();
    assert!(ok(gwk(&home).args(["datasets", "list"])).contains("no datasets"));
    ok(gwk(&home).args(["datasets", "create", "mnist"]));
    let again = gwk(&home)
        .args(["datasets", "create", "mnist"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let out = ok(gwk(&home)
        .args(["datasets", "import", "mnist"])
        .arg(&src)
        .args(["--tag", "gold"]));
    assert!(
        out.contains("1 files") && out.contains("mnist:gold →"),
        "{out}"
    );
    std::fs::write(src.join("sub/a.txt"), "beta").unwrap();
    ok(gwk(&home).args(["datasets", "import", "mnist"]).arg(&src));
    let versions: serde_json::Value = serde_json::from_str(&ok(
        gwk(&home).args(["datasets", "versions", "mnist", "--json"])
    ))
    .unwrap();
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["tags"][0], "gold");
    assert_ne!(versions[0]["hash"], versions[1]["hash"]);
    let list = ok(gwk(&home).args(["datasets", "list"]));
    assert!(
        list.contains("mnist") && list.contains(versions[1]["id"].as_str().unwrap()),
        "{list}"
    );

    let out_dir = t.path().join("out");
    ok(gwk(&home)
        .args(["datasets", "export", "mnist:gold"])
        .arg(&out_dir));
    assert_eq!(
        std::fs::read_to_string(out_dir.join("sub/a.txt")).unwrap(),
        "alpha"
    );

    let bad = gwk(&home)
        .args(["datasets", "export", "mnist:nope"])
        .arg(t.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no version or tag `nope`"));

    let rm = ok(gwk(&home).args(["datasets", "rm", "mnist:gold"]));
    assert!(rm.contains("and its tags gold"), "{rm}");
    let no_all = gwk(&home)
        .args(["datasets", "rm", "mnist"])
        .output()
        .unwrap();
    assert_eq!(no_all.status.code(), Some(2));
    ok(gwk(&home).args(["datasets", "rm", "mnist", "--all"]));
    assert!(ok(gwk(&home).args(["datasets", "list"])).contains("no datasets"));
}

#[test]
fn run_refuses_files_with_errors_and_missing_secrets() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let bad = t.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "jobs:\n  a:\n    uses: container@v1\n    needs: [nope]\n    with: {image: bash:5}\n",
    )
    .unwrap();
    let out = gwk(&home)
        .arg("run")
        .arg(&bad)
        .env("DOCKER_HOST", "unix:///nonexistent.sock")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has errors"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secret = t.path().join("secret.yaml");
    std::fs::write(
        &secret,
        "defaults:\n  resources:\n    instance-type: C4\njobs:\n  a:\n    uses: container@v1\n    with: {image: bash:5}\n    env:\n      TOKEN: secret:API_TOKEN\n",
    )
    .unwrap();
    let out = gwk(&home)
        .arg("run")
        .arg(&secret)
        .env("DOCKER_HOST", "unix:///nonexistent.sock")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("API_TOKEN") && err.contains("--secret"),
        "{err}"
    );
    assert!(
        !home.join("runs").exists(),
        "a refused run leaves no run directory"
    );
}

/// Without --secret-file, secrets come from gwk.toml `[run] secret-file`,
/// else `.secrets` at the repository root.
#[test]
fn default_secret_files() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let repo = t.path().join("repo");
    std::fs::create_dir_all(repo.join(".gradient/workflows")).unwrap();
    assert!(
        Command::new("git")
            .arg("init")
            .arg("-q")
            .arg(&repo)
            .status()
            .unwrap()
            .success()
    );
    let wf = repo.join(".gradient/workflows/w.yaml");
    std::fs::write(
        &wf,
        "defaults:\n  resources:\n    instance-type: C4\njobs:\n  a:\n    uses: container@v1\n    with: {image: bash:5}\n    env:\n      TOKEN: secret:API_TOKEN\n",
    )
    .unwrap();
    let run = || {
        let out = gwk(&home)
            .arg("run")
            .arg(&wf)
            .env("DOCKER_HOST", "unix:///nonexistent.sock")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(run().contains("API_TOKEN"), "missing before any file");
    std::fs::write(repo.join(".secrets"), "API_TOKEN=from-dot-secrets\n").unwrap();
    let err = run();
    assert!(
        err.contains("cannot reach the Docker engine") && !err.contains("API_TOKEN"),
        "{err}"
    );
    std::fs::create_dir_all(repo.join("conf")).unwrap();
    std::fs::write(
        repo.join("gwk.toml"),
        "[run]\nsecret-file = \"conf/s.env\"\n",
    )
    .unwrap();
    let err = run();
    assert!(
        err.contains("conf/s.env") && err.contains("does not exist"),
        "{err}"
    );
    std::fs::write(repo.join("conf/s.env"), "OTHER=1\n").unwrap();
    assert!(
        run().contains("API_TOKEN"),
        "gwk.toml's file wins over .secrets"
    );
}
