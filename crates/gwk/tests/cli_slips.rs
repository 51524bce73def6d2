//! Small command-line slips a first user tripped on (issue 15), each
//! checked by running the binary: every argument and option has help text,
//! `-V` names gwk on every subcommand, `gwk trigger` defaults its ref like
//! `plan` and `run`, `runs logs last` without runs says there are none,
//! `plan --event push` outside git says why, `doctor` warns once, and the
//! plan's context hint shows the YAML it means.

use std::path::Path;
use std::process::{Command, Output};

fn gwk(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gwk"));
    c.current_dir(dir)
        .env("GWK_HOME", dir.join("home"))
        .env("NO_COLOR", "1")
        // Keep git from finding a repository above the temporary directory.
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap_or(dir));
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn help(path: &[String]) -> String {
    let t = tempfile::tempdir().unwrap();
    let out = gwk(t.path()).args(path).arg("--help").output().unwrap();
    assert!(out.status.success(), "{path:?} --help: {}", text(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// The lines of one section (`Commands:`, `Arguments:`, `Options:`) of a
/// help text.
fn section<'h>(help: &'h str, title: &str) -> Vec<&'h str> {
    help.lines()
        .skip_while(|l| *l != title)
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .collect()
}

/// Every subcommand path under `path`, depth first.
fn commands(path: Vec<String>, out: &mut Vec<Vec<String>>) {
    let h = help(&path);
    out.push(path.clone());
    for line in section(&h, "Commands:") {
        let name = line.split_whitespace().next().unwrap().to_string();
        if name == "help" {
            continue;
        }
        let mut sub = path.clone();
        sub.push(name);
        commands(sub, out);
    }
}

#[test]
fn every_argument_and_option_of_every_command_has_help_text() {
    let mut all = Vec::new();
    commands(Vec::new(), &mut all);
    assert!(all.len() > 20, "found only {all:?}");
    let mut bare = Vec::new();
    for path in &all {
        let h = help(path);
        for title in ["Arguments:", "Options:"] {
            let lines = section(&h, title);
            for (i, line) in lines.iter().enumerate() {
                let item = line.trim_start();
                if !(item.starts_with('<') || item.starts_with('[') || item.starts_with('-')) {
                    continue; // a continuation of the line before
                }
                // `<ID>  The run's id…`: the name, two spaces, the help; a
                // long name puts its help on the next, deeper line.
                let described = item.trim_end().contains("  ")
                    || lines.get(i + 1).is_some_and(|n| {
                        let n = n.trim_start();
                        !(n.is_empty() || n.starts_with(['<', '[', '-']))
                    });
                if !described {
                    bare.push(format!("gwk {}: `{}`", path.join(" "), item.trim_end()));
                }
            }
        }
    }
    assert!(bare.is_empty(), "no help text:\n{}", bare.join("\n"));
}

#[test]
fn dash_v_names_gwk_on_every_subcommand() {
    let t = tempfile::tempdir().unwrap();
    let want = format!("gwk {}\n", env!("CARGO_PKG_VERSION"));
    for sub in [
        vec!["check"],
        vec!["runs", "logs"],
        vec!["datasets", "create"],
    ] {
        let out = gwk(t.path()).args(&sub).arg("-V").output().unwrap();
        assert!(out.status.success(), "{sub:?}: {}", text(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{sub:?}");
    }
}

const TRIGGERED: &str = "on:
  github:
    branches:
      only: main
defaults:
  resources:
    instance-type: C4
jobs:
  hello:
    uses: container@v1
    with: {image: \"bash:5\", args: [\"true\"]}
";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git runs (scripts/setup installs it)");
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
}

#[test]
fn trigger_defaults_its_ref_to_the_checked_out_branch() {
    let t = tempfile::tempdir().unwrap();
    let wf = t.path().join(".gradient/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(wf.join("hello.yaml"), TRIGGERED).unwrap();
    git(t.path(), &["init", "-q", "-b", "main"]);
    git(t.path(), &["add", "."]);
    git(t.path(), &["commit", "-q", "-m", "x"]);
    let out = gwk(t.path())
        .args(["trigger", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("triggered by refs/heads/main"),
        "{}",
        text(&out)
    );
    // On another branch, the same default: not triggered.
    git(t.path(), &["checkout", "-q", "-b", "dev"]);
    let out = gwk(t.path())
        .args(["trigger", "--dry-run"])
        .output()
        .unwrap();
    assert!(
        text(&out).contains("not triggered by refs/heads/dev"),
        "{}",
        text(&out)
    );
}

#[test]
fn trigger_outside_git_without_ref_says_what_to_give() {
    let t = tempfile::tempdir().unwrap();
    let wf = t.path().join(".gradient/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(wf.join("hello.yaml"), TRIGGERED).unwrap();
    let out = gwk(t.path()).arg("trigger").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--ref"), "{}", text(&out));
    assert!(
        text(&out).contains("not a git repository"),
        "{}",
        text(&out)
    );
}

#[test]
fn runs_logs_last_without_runs_says_there_are_none() {
    let t = tempfile::tempdir().unwrap();
    let out = gwk(t.path())
        .args(["runs", "logs", "last"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("no runs yet"), "{said}");
    assert!(!said.contains("no run `last`"), "{said}");
}

#[test]
fn plan_event_push_outside_git_says_it_is_not_a_repository() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("wf.yaml"), TRIGGERED).unwrap();
    let out = gwk(t.path())
        .args(["plan", "wf.yaml", "--event", "push"])
        .output()
        .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("not a git repository"), "{said}");
    assert!(said.contains("--ref"), "{said}");
    assert!(!said.contains("not on a branch"), "{said}");
}

/// Each check's title is printed once: its detail does not repeat it (on a
/// Docker engine without GPU support, the GPU warning was printed twice).
#[test]
fn doctor_says_each_finding_once() {
    let t = tempfile::tempdir().unwrap();
    let out = gwk(t.path()).arg("doctor").output().unwrap();
    let said = text(&out);
    let titles: Vec<&str> = said
        .lines()
        .filter_map(|l| {
            ["ok  ", "warn", "FAIL"]
                .iter()
                .find_map(|m| l.strip_prefix(m))
                .map(str::trim)
        })
        .collect();
    assert!(titles.len() >= 3, "{said}");
    for t in titles {
        assert_eq!(said.matches(t).count(), 1, "`{t}` said twice:\n{said}");
    }
}

#[test]
fn the_plans_context_hint_shows_the_yaml_block() {
    let t = tempfile::tempdir().unwrap();
    let untriggered = "defaults:
  resources:
    instance-type: C4
jobs:
  clone:
    uses: git-checkout@v1
    with:
      url: context.event.github.url
    outputs:
      repo:
        type: volume
";
    std::fs::write(t.path().join("wf.yaml"), untriggered).unwrap();
    let out = gwk(t.path()).args(["plan", "wf.yaml"]).output().unwrap();
    // The hint is wrapped to the terminal: read it as one line.
    let said = text(&out).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        said.contains("`context: {event: {github: {url: https://github.com/OWNER/REPO}}}`"),
        "{said}"
    );
}
