//! Trigger filters (`invalid-filter`) and `context.event.github.*` values a
//! run started by hand cannot resolve, or no run can (`github-context`).

use super::Ctx;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::model::{RefFilter, Spanned};

/// The magic values of git-checkout@v1 that name the triggering push.
pub const GITHUB_URL: &str = "context.event.github.url";
pub const GITHUB_REF: &str = "context.event.github.ref";

pub fn check(ctx: &mut Ctx) {
    let wf = ctx.wf;
    if let Some(gh) = wf.trigger.as_ref().and_then(|t| t.github.as_ref()) {
        for (f, kind) in [(&gh.branches, "branch"), (&gh.tags, "tag")] {
            if let Some(f) = f {
                filter(ctx, f, kind);
            }
        }
    }
    let triggered = wf.trigger.as_ref().is_some_and(|t| t.github.is_some());
    let context = wf.context.as_ref();
    for job in &wf.jobs {
        for p in &job.with {
            let Some(v) = crate::model::lower::string(&p.value) else {
                continue;
            };
            if unknown_context(ctx, &p.name.value, &v) {
                continue;
            }
            let (needed, what) = if v.value.contains(GITHUB_URL) {
                (context.and_then(|c| c.url.as_ref()), "url")
            } else if v.value.contains(GITHUB_REF) {
                (context.and_then(|c| c.git_ref.as_ref()), "ref")
            } else {
                continue;
            };
            if triggered || needed.is_some() {
                continue;
            }
            let mut d = Diagnostic::new(
                Code::GithubContext,
                v.span,
                format!(
                    "`{}` names the GitHub push that started the run, but this workflow has no \
                     `on.github` trigger, so every run is started by hand and has no push \
                     (Gradient failed such runs: \"Github url is invalid\"). Add an `on.github` \
                     trigger or a `context.event.github.{what}` block; `gwk run` also takes \
                     `--github-{what}`",
                    v.value
                ),
            );
            if context.is_some() {
                d.message = format!(
                    "`{}` is not set in this file's `context.event.github` block, and there is no \
                     `on.github` trigger to fill it in",
                    v.value
                );
            }
            ctx.push(d);
        }
    }
}

/// A `context.…` value that is no context path Gradient fills in
/// (`context.event.github.sha`): no run resolves it, and a run would use the
/// text itself (clone a "URL" `context.event.github.repo`). An error, with
/// the path the parameter most likely meant.
fn unknown_context(ctx: &mut Ctx, param: &str, v: &Spanned<String>) -> bool {
    let written = v.value.trim();
    if !written.starts_with("context.") || written == GITHUB_URL || written == GITHUB_REF {
        return false;
    }
    // `url` means the repository, `ref` the commit, whatever the misspelling.
    let meant = match param {
        "url" => Some(GITHUB_URL),
        "ref" => Some(GITHUB_REF),
        _ => crate::suggest::best(written, [GITHUB_URL, GITHUB_REF]),
    };
    let mut message = format!(
        "`{written}` is not a context value: Gradient fills in only `{GITHUB_URL}` (the pushed \
         repository) and `{GITHUB_REF}` (the pushed commit), and a run would use the text itself"
    );
    if let Some(m) = meant {
        message.push_str(&format!("; did you mean `{m}`?"));
    }
    let mut d = Diagnostic::new(Code::GithubContext, v.span, message);
    d.severity = crate::Severity::Error;
    if let Some(m) = meant {
        d = d.with_fix(Fix::replace(format!("write `{m}`"), v.span, m));
    }
    ctx.push(d);
    true
}

fn filter(ctx: &mut Ctx, f: &RefFilter, kind: &str) {
    let values = f.only.iter().chain(&f.include).chain(&f.ignore);
    for v in values {
        check_pattern(ctx, v, kind);
    }
    if f.only.is_some() && !f.include.is_empty() {
        ctx.report(
            Code::InvalidFilter,
            f.span,
            format!("a {kind} filter gives `only` and `include` together; `only` names the one {kind}, so `include` is meaningless"),
        );
    }
}

fn check_pattern(ctx: &mut Ctx, v: &Spanned<String>, kind: &str) {
    let s = v.value.as_str();
    let prefix = if kind == "branch" {
        "refs/heads/"
    } else {
        "refs/tags/"
    };
    if let Some(short) = s.strip_prefix(prefix) {
        ctx.push(
            Diagnostic::new(
                Code::InvalidFilter,
                v.span,
                format!("the filter matches {kind} names, not refs: write `{short}`"),
            )
            .with_fix(Fix::replace(format!("write `{short}`"), v.span, short)),
        );
    } else if s.is_empty() {
        ctx.report(
            Code::InvalidFilter,
            v.span,
            format!("an empty {kind} name matches no {kind}: give a name or a `*` pattern"),
        );
    } else if s.chars().any(char::is_whitespace) || s.contains("..") {
        ctx.report(
            Code::InvalidFilter,
            v.span,
            format!("`{s}` is not a {kind} name git allows"),
        );
    }
}
