//! Whether a push starts the workflow: `on.github.branches` and
//! `on.github.tags`, each with `only`, `include` and `ignore`.
//!
//! Gradient documented only `branches.only: main`; the rest follows the
//! API's types and GitHub's conventions, which is what users expect:
//!
//! - a branch push (`refs/heads/X`, or a bare `X`) is judged by `branches`,
//!   a tag push (`refs/tags/X`) by `tags`;
//! - with neither filter, every push starts the workflow; with only one of
//!   them, pushes of the other kind do not;
//! - `only` names the one branch (or tag); else `include` lists those that
//!   start it; with neither, all do; `ignore` then removes names;
//! - patterns are globs: `*` matches within one `/`-separated part, `**`
//!   across parts, `?` one character other than `/`.

use super::{Event, TriggerVerdict};
use crate::model::{RefFilter, Trigger};

/// Evaluates the file's trigger against `event` (a run started by hand
/// when `None`).
pub fn evaluate_trigger(trigger: Option<&Trigger>, event: Option<&Event>) -> TriggerVerdict {
    let github = trigger.and_then(|t| t.github.as_ref());
    let Some(gh) = github else {
        let (starts, reason) = match event {
            Some(_) => (
                Some(false),
                "the file has no `on.github` trigger: it runs only when started by hand"
                    .to_string(),
            ),
            None => (
                None,
                "the file has no `on.github` trigger: it runs only when started by hand"
                    .to_string(),
            ),
        };
        return TriggerVerdict {
            has_trigger: false,
            event: event.cloned(),
            starts,
            reason,
        };
    };
    let Some(event) = event else {
        return TriggerVerdict {
            has_trigger: true,
            event: None,
            starts: None,
            reason: format!(
                "pushes start it ({}); give --event push --ref REF to evaluate one",
                describe(gh.branches.as_ref(), gh.tags.as_ref())
            ),
        };
    };
    let (starts, reason) = judge(gh.branches.as_ref(), gh.tags.as_ref(), &event.git_ref);
    TriggerVerdict {
        has_trigger: true,
        event: Some(event.clone()),
        starts: Some(starts),
        reason,
    }
}

fn judge(branches: Option<&RefFilter>, tags: Option<&RefFilter>, git_ref: &str) -> (bool, String) {
    let (kind, name) = if let Some(b) = git_ref.strip_prefix("refs/heads/") {
        ("branch", b)
    } else if let Some(t) = git_ref.strip_prefix("refs/tags/") {
        ("tag", t)
    } else if git_ref.starts_with("refs/") {
        return (
            false,
            format!(
                "`{git_ref}` is neither a branch nor a tag; only pushes of those start a workflow"
            ),
        );
    } else {
        ("branch", git_ref)
    };
    if branches.is_none() && tags.is_none() {
        return (
            true,
            format!(
                "`on.github` has no branch or tag filter: every push starts it, this {kind} push of `{name}` too"
            ),
        );
    }
    let (filter, other) = if kind == "branch" {
        (branches, "tags")
    } else {
        (tags, "branches")
    };
    let Some(f) = filter else {
        return (
            false,
            format!("`on.github` filters only {other}, so a {kind} push does not start it"),
        );
    };
    let section = if kind == "branch" { "branches" } else { "tags" };
    let selected = if let Some(only) = &f.only {
        if glob_match(&only.value, name) {
            Ok(format!("matches `{section}.only: {}`", only.value))
        } else {
            Err(format!("does not match `{section}.only: {}`", only.value))
        }
    } else if !f.include.is_empty() {
        match f.include.iter().find(|p| glob_match(&p.value, name)) {
            Some(p) => Ok(format!("matches `{section}.include` entry `{}`", p.value)),
            None => Err(format!(
                "matches no entry of `{section}.include` ({})",
                list(&f.include)
            )),
        }
    } else {
        Ok(format!("is not limited by `{section}`"))
    };
    match selected {
        Err(why) => (false, format!("{kind} `{name}` {why}")),
        Ok(why) => match f.ignore.iter().find(|p| glob_match(&p.value, name)) {
            Some(p) => (
                false,
                format!("{kind} `{name}` {why} but is ignored by `{}`", p.value),
            ),
            None => (true, format!("{kind} `{name}` {why}")),
        },
    }
}

fn list(items: &[crate::model::Spanned<String>]) -> String {
    items
        .iter()
        .map(|s| format!("`{}`", s.value))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_one(kind: &str, f: &RefFilter) -> String {
    let mut parts = Vec::new();
    if let Some(o) = &f.only {
        parts.push(format!("only `{}`", o.value));
    }
    if !f.include.is_empty() {
        parts.push(list(&f.include));
    }
    if parts.is_empty() {
        parts.push("any".to_string());
    }
    if !f.ignore.is_empty() {
        parts.push(format!("except {}", list(&f.ignore)));
    }
    format!("{kind}: {}", parts.join(" "))
}

fn describe(branches: Option<&RefFilter>, tags: Option<&RefFilter>) -> String {
    match (branches, tags) {
        (None, None) => "every push".to_string(),
        (b, t) => b
            .map(|b| describe_one("branches", b))
            .into_iter()
            .chain(t.map(|t| describe_one("tags", t)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Matches `name` against a glob: `*` within one `/`-separated part, `**`
/// across parts, `?` one character other than `/`; everything else
/// literally.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // matches[i][j]: p[i..] matches n[j..]; filled from the end, so the
    // cost is O(|p|·|n|) whatever the pattern.
    let mut matches = vec![vec![false; n.len() + 1]; p.len() + 1];
    matches[p.len()][n.len()] = true;
    for i in (0..p.len()).rev() {
        let double = p[i] == '*' && p.get(i + 1) == Some(&'*');
        for j in (0..=n.len()).rev() {
            matches[i][j] = match p[i] {
                '*' if double => {
                    // `**` consumes anything, `/` included.
                    matches[i + 2][j] || (j < n.len() && matches[i][j + 1])
                }
                '*' => matches[i + 1][j] || (j < n.len() && n[j] != '/' && matches[i][j + 1]),
                '?' => j < n.len() && n[j] != '/' && matches[i + 1][j + 1],
                c => j < n.len() && n[j] == c && matches[i + 1][j + 1],
            };
        }
    }
    matches[0][0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lower;
    use crate::plan::EventKind;
    use crate::syntax::{LineIndex, parse};

    fn verdict(on: &str, git_ref: Option<&str>) -> TriggerVerdict {
        let text = format!("{on}jobs: {{}}\n");
        let wf = lower(&parse(&text, &LineIndex::new(&text)).root.unwrap());
        let event = git_ref.map(|r| Event {
            kind: EventKind::Push,
            git_ref: r.to_string(),
        });
        evaluate_trigger(wf.trigger.as_ref(), event.as_ref())
    }

    #[test]
    fn refs_against_filters() {
        let only_main = "on:\n  github:\n    branches:\n      only: main\n";
        let include = "on:\n  github:\n    branches:\n      include: [main, 'release/*']\n      ignore: ['release/old*']\n";
        let tags = "on:\n  github:\n    tags:\n      include: ['v*']\n      ignore: ['v*-rc*']\n";
        let both =
            "on:\n  github:\n    branches:\n      only: main\n    tags:\n      only: 'v**'\n";
        let ignore_only = "on:\n  github:\n    branches:\n      ignore: ['wip/**']\n";
        let any = "on:\n  github: {}\n";
        let none = "";
        #[rustfmt::skip]
        let table: &[(&str, &str, Option<bool>)] = &[
            (only_main, "refs/heads/main", Some(true)),
            (only_main, "main", Some(true)),
            (only_main, "refs/heads/dev", Some(false)),
            (only_main, "refs/heads/main2", Some(false)),
            (only_main, "refs/tags/v1", Some(false)),
            (include, "refs/heads/main", Some(true)),
            (include, "refs/heads/release/1.0", Some(true)),
            (include, "refs/heads/release/1.0/hotfix", Some(false)),
            (include, "refs/heads/release/old-1", Some(false)),
            (include, "refs/heads/dev", Some(false)),
            (tags, "refs/tags/v1.2", Some(true)),
            (tags, "refs/tags/v1.2-rc1", Some(false)),
            (tags, "refs/tags/x1", Some(false)),
            (tags, "refs/heads/main", Some(false)),
            (both, "refs/tags/v1/beta", Some(true)),
            (both, "refs/heads/main", Some(true)),
            (ignore_only, "refs/heads/feature", Some(true)),
            (ignore_only, "refs/heads/wip/a/b", Some(false)),
            (any, "refs/heads/anything", Some(true)),
            (any, "refs/tags/v0", Some(true)),
            (any, "refs/pull/1/head", Some(false)),
            (none, "refs/heads/main", Some(false)),
        ];
        for (on, r, want) in table {
            let v = verdict(on, Some(r));
            assert_eq!(v.starts, *want, "{r} against\n{on}\n{}", v.reason);
            assert_eq!(v.has_trigger, !on.is_empty());
        }
    }

    #[test]
    fn without_an_event_the_verdict_describes_the_filter() {
        let v = verdict("on:\n  github:\n    branches:\n      only: main\n", None);
        assert_eq!(v.starts, None);
        assert!(v.reason.contains("branches: only `main`"), "{}", v.reason);
        let v = verdict("", None);
        assert!(!v.has_trigger && v.starts.is_none());
        assert!(v.reason.contains("started by hand"), "{}", v.reason);
    }

    #[test]
    fn reasons_name_the_deciding_pattern() {
        let v = verdict(
            "on:\n  github:\n    branches:\n      include: ['release/*']\n      ignore: ['release/old*']\n",
            Some("refs/heads/release/old-2"),
        );
        assert!(
            v.reason.contains("ignored by `release/old*`"),
            "{}",
            v.reason
        );
    }

    #[test]
    fn globs() {
        for (p, n, want) in [
            ("main", "main", true),
            ("*", "feature", true),
            ("*", "feature/x", false),
            ("**", "feature/x", true),
            ("feature/**", "feature/a/b", true),
            ("v?.0", "v1.0", true),
            ("v?.0", "v10.0", false),
            ("*-rc*", "v1-rc2", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("", "", true),
            ("", "x", false),
        ] {
            assert_eq!(glob_match(p, n), want, "{p} vs {n}");
        }
    }
}
