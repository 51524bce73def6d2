//! `gwk check` pins an `unpinned-image` finding's image to the digest the
//! local Docker engine has for it (crates/gwk/src/image_digests.rs): with
//! the test environment's engine and registry (docs/testing.md), and with
//! no engine at all.

mod common;

use common::*;
use serde_json::Value;
use std::process::Command;

/// A workflow whose one job runs `image` (written as given, quotes and all).
fn workflow(image: &str) -> String {
    format!(
        "defaults:\n  resources:\n    instance-type: C5\njobs:\n  hello:\n    uses: container@v1\n    with:\n      image: {image}\n      args: [echo, hi]\n"
    )
}

/// The `unpinned-image` findings of `gwk check --format json FILE`.
fn unpinned(cmd: &mut Command) -> Vec<Value> {
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "gwk check failed: {}",
        text(&out)
    );
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out)));
    v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "unpinned-image")
        .cloned()
        .collect()
}

fn check(dir: &std::path::Path, file: &str, docker_host: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gwk"));
    c.current_dir(dir)
        .env("DOCKER_HOST", docker_host)
        .args(["check", "--format", "json", file]);
    c
}

/// The edits of the fixes that pin a digest.
fn digest_edits(finding: &Value) -> Vec<Value> {
    finding["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["edits"].as_array().unwrap().clone())
        .filter(|e| e["text"].as_str().unwrap().contains("@sha256:"))
        .collect()
}

/// No engine (a socket that is not there): the finding is as the checker
/// made it, with no fix and no error.
#[test]
fn without_docker_the_finding_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("w.yaml"), workflow("bash:latest")).unwrap();
    let absent = format!("unix://{}/no-docker.sock", dir.path().display());
    let found = unpinned(&mut check(dir.path(), "w.yaml", &absent));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["fixes"], Value::Array(vec![]), "{found:?}");
    // A TCP address where nothing listens: refused, same answer.
    let refused = unpinned(&mut check(dir.path(), "w.yaml", "tcp://127.0.0.1:9"));
    assert_eq!(refused, found);
    // The help says when the fix is offered and when not.
    let help = Command::new(env!("CARGO_BIN_EXE_gwk"))
        .args(["check", "--help"])
        .output()
        .unwrap();
    let help = text(&help);
    assert!(
        help.contains("RepoDigests") && help.contains("gets no such fix"),
        "{help}"
    );
}

/// Images on the host with no `RepoDigests` (built or loaded here, as the
/// test images are) and images not on the host get no fix.
#[test]
fn images_without_a_digest_get_no_fix() {
    let Some(env) = Env::new() else { return };
    for image in [
        "busybox",
        "alpine:latest",
        "gwk-test/not-on-this-host:latest",
    ] {
        let wf = env.workflow("w.yaml", &workflow(image));
        let found = unpinned(&mut check(
            env.dir.path(),
            wf.to_str().unwrap(),
            env.docker_host(),
        ));
        assert_eq!(found.len(), 1, "{image}: {found:?}");
        assert!(digest_edits(&found[0]).is_empty(), "{image}: {found:?}");
    }
}

/// An image pushed to the test registry has a `RepoDigests` entry: the
/// finding offers `name:tag@sha256:…` in place of the image (quotes kept),
/// and the fixed file has no `unpinned-image` finding left.
#[test]
fn a_pushed_image_is_pinned_to_its_digest() {
    let Some(env) = Env::new() else { return };
    let registry = &env.vars["GWK_TEST_REGISTRY"];
    let host = env.docker_host();
    // A name of this test's own, so no other test sees it come and go.
    let name = format!("{registry}/gwk-test/digest-fix-{}", std::process::id());
    let tagged = format!("{name}:latest");
    let docker = |args: &[&str]| {
        let out = Command::new("docker")
            .args(["-H", host])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "docker {args:?}: {}", text(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    docker(&["tag", &env.vars["GWK_TEST_IMAGE"], &tagged]);
    // Untags (only the tag made above) however the test ends.
    struct Untag<'a>(&'a str, &'a str);
    impl Drop for Untag<'_> {
        fn drop(&mut self) {
            let _ = Command::new("docker")
                .args(["-H", self.0, "rmi", self.1])
                .output();
        }
    }
    let _untag = Untag(host, &tagged);
    docker(&["push", &tagged]);
    let repo_digests: Vec<String> = serde_json::from_str(&docker(&[
        "image",
        "inspect",
        "-f",
        "{{json .RepoDigests}}",
        &tagged,
    ]))
    .unwrap();
    let digest = repo_digests
        .iter()
        .find_map(|d| d.strip_prefix(&format!("{name}@")))
        .unwrap_or_else(|| panic!("no digest of {name} in {repo_digests:?}"));
    for (written, fixed) in [
        (name.clone(), format!("{name}@{digest}")),
        (format!("\"{tagged}\""), format!("\"{tagged}@{digest}\"")),
    ] {
        let wf = env.workflow("w.yaml", &workflow(&written));
        let found = unpinned(&mut check(env.dir.path(), wf.to_str().unwrap(), host));
        assert_eq!(found.len(), 1, "{written}: {found:?}");
        let edits = digest_edits(&found[0]);
        assert_eq!(edits.len(), 1, "{written}: {found:?}");
        let e = &edits[0];
        assert_eq!(e["text"], fixed.as_str(), "{e}");
        // The edit replaces the image, quotes included, on line 8.
        let col = "      image: ".len() as u64 + 1;
        assert_eq!(
            (e["line"].as_u64(), e["end_line"].as_u64()),
            (Some(8), Some(8))
        );
        assert_eq!(e["column"].as_u64(), Some(col), "{e}");
        assert_eq!(
            e["end_column"].as_u64(),
            Some(col + written.chars().count() as u64),
            "{e}"
        );
        let wf = env.workflow("w.yaml", &workflow(&fixed));
        let left = unpinned(&mut check(env.dir.path(), wf.to_str().unwrap(), host));
        assert!(left.is_empty(), "{fixed}: {left:?}");
        // --fix applies it only with --unsafe-fixes, and writes what the fix says.
        let wf = env.workflow("w.yaml", &workflow(&written));
        let fix = |unsafe_too: bool| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_gwk"));
            c.current_dir(env.dir.path())
                .env("DOCKER_HOST", host)
                .args(["check", "--fix"]);
            if unsafe_too {
                c.arg("--unsafe-fixes");
            }
            c.arg(&wf).output().unwrap();
            std::fs::read_to_string(&wf).unwrap()
        };
        assert_eq!(
            fix(false),
            workflow(&written),
            "a safe --fix leaves the image"
        );
        assert_eq!(fix(true), workflow(&fixed));
    }
}
