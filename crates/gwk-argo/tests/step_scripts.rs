//! The shell steps gwk adds for git-checkout@v1 and create-model@v1 do
//! what they say, run by `sh` as the pods run them, against a local git
//! repository and temporary directories.

use gwk_argo::{GIT_SCRIPT, MODEL_SCRIPT};
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A repository with two commits on `main`, a tag on the first and a
/// branch `feature` with a third.
fn repo(dir: &Path) -> (String, String) {
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("README"), "one\n").unwrap();
    git(dir, &["add", "README"]);
    git(dir, &["commit", "-qm", "one"]);
    let first = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["tag", "v1"]);
    std::fs::write(dir.join("README"), "two\n").unwrap();
    git(dir, &["commit", "-qam", "two"]);
    let second = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["checkout", "-qb", "feature"]);
    std::fs::write(dir.join("feature.txt"), "f\n").unwrap();
    git(dir, &["add", "feature.txt"]);
    git(dir, &["commit", "-qm", "feature"]);
    git(dir, &["checkout", "-q", "main"]);
    (first, second)
}

fn run_git_step(url: &Path, git_ref: Option<&str>, dest: &Path, extra: &[(&str, &str)]) -> bool {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", GIT_SCRIPT])
        .env("GWK_GIT_URL", url)
        .env("GWK_GIT_DEST", dest)
        .env_remove("GWK_GIT_REF")
        .env_remove("GIT_PASSWORD")
        .env_remove("GWK_GIT_PASSWORD");
    if let Some(r) = git_ref {
        cmd.env("GWK_GIT_REF", r);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.status().expect("sh runs").success()
}

#[test]
fn git_checkout_step_clones_each_kind_of_ref_into_a_non_empty_output() {
    let src = tempfile::tempdir().unwrap();
    let (first, second) = repo(src.path());
    let root = tempfile::tempdir().unwrap();

    // No ref: the default branch's tip, `.git` included.
    let dest = root.path().join("default");
    assert!(run_git_step(src.path(), None, &dest, &[]));
    assert_eq!(
        std::fs::read_to_string(dest.join("README")).unwrap(),
        "two\n"
    );
    assert_eq!(git(&dest, &["rev-parse", "HEAD"]), second);

    // A tag, a commit, a branch.
    for (r, want) in [("v1", first.as_str()), (first.as_str(), first.as_str())] {
        let dest = root.path().join(format!("at-{}", &r[..2]));
        assert!(run_git_step(src.path(), Some(r), &dest, &[]));
        assert_eq!(git(&dest, &["rev-parse", "HEAD"]), want);
        assert_eq!(
            std::fs::read_to_string(dest.join("README")).unwrap(),
            "one\n"
        );
    }
    let dest = root.path().join("branch");
    assert!(run_git_step(src.path(), Some("feature"), &dest, &[]));
    assert!(dest.join("feature.txt").is_file());

    // A destination that already holds something (a fresh volume's
    // lost+found) is filled, not refused.
    let dest = root.path().join("volume");
    std::fs::create_dir_all(dest.join("lost+found")).unwrap();
    assert!(run_git_step(
        src.path(),
        None,
        &dest,
        &[
            ("GWK_GIT_USERNAME", "bot"),
            ("GWK_GIT_PASSWORD", "not-needed-locally")
        ]
    ));
    assert!(dest.join("README").is_file() && dest.join("lost+found").is_dir());

    // A ref that does not exist fails the step.
    let dest = root.path().join("missing");
    assert!(!run_git_step(src.path(), Some("no-such-ref"), &dest, &[]));
}

#[test]
fn model_step_copies_the_model_and_writes_its_id_to_every_string_output() {
    let root = tempfile::tempdir().unwrap();
    let src = root.path().join("inputs/model");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    std::fs::write(src.join("weights.bin"), "w").unwrap();
    std::fs::write(src.join("sub/config.json"), "{}").unwrap();
    let dir = root.path().join("gwk/model");
    let outputs = root.path().join("outputs");
    std::fs::create_dir_all(&outputs).unwrap();
    let (a, b) = (outputs.join("model-id"), outputs.join("id-again"));
    let status = Command::new("sh")
        .args(["-c", MODEL_SCRIPT, "create-model"])
        .arg(&a)
        .arg(&b)
        .env("GWK_MODEL_SRC", &src)
        .env("GWK_MODEL_DIR", &dir)
        .env("GWK_MODEL_ID", "models/my-model/1234")
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(dir.join("weights.bin")).unwrap(),
        "w"
    );
    assert!(dir.join("sub/config.json").is_file());
    for f in [a, b] {
        assert_eq!(std::fs::read_to_string(f).unwrap(), "models/my-model/1234");
    }

    // No model files: the step fails rather than registering nothing.
    let status = Command::new("sh")
        .args(["-c", MODEL_SCRIPT, "create-model"])
        .env("GWK_MODEL_SRC", root.path().join("nothing"))
        .env("GWK_MODEL_DIR", root.path().join("elsewhere"))
        .env("GWK_MODEL_ID", "x")
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
}
