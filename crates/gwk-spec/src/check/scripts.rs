//! What a job's commands do with its files: scripts YAML folds into one
//! line (`folded-script`), writes under the read-only `/inputs`
//! (`readonly-inputs`), and `/inputs/X` or `/outputs/X` paths the job never
//! declared (`unknown-io-path`).

use super::Ctx;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::model::{Action, Job};
use crate::suggest::best;
use crate::syntax::{Node, Span, Style};
use std::borrow::Cow;

pub fn check(ctx: &mut Ctx) {
    for job in &ctx.wf.jobs {
        for node in command_nodes(job) {
            let Some(scalar) = node.scalar() else {
                continue;
            };
            // Most arguments name no path at all: nothing to look at.
            if !scalar.text.contains("inputs") && !scalar.text.contains("outputs") {
                continue;
            }
            // Commented-out commands do nothing; blank them (keeping every
            // offset) before looking for paths.
            let text = blank_comments(&scalar.text);
            let source =
                blank_comments(&ctx.text[node.span.start..node.span.end.min(ctx.text.len())]);
            readonly_inputs(ctx, &text, &source, node.span);
            io_paths(ctx, job, &text, &source, node.span);
            relative_io_paths(ctx, job, &text, &source, node.span);
        }
        if job.action == Some(Action::Script)
            && let Some(p) = job.param("script")
        {
            folded(ctx, &p.value);
        }
    }
}

/// The scalars that hold commands: a script, a container's args and command
/// (the security rules scan the same ones).
pub(super) fn command_nodes(job: &Job) -> Vec<&Node> {
    let mut out = Vec::new();
    match job.action {
        Some(Action::Script) => out.extend(job.param("script").map(|p| &p.value)),
        Some(Action::Container) => {
            out.extend(job.param("command").map(|p| &p.value));
            if let Some(items) = job.param("args").and_then(|p| p.value.as_sequence()) {
                out.extend(items.iter());
            }
        }
        _ => {}
    }
    out.retain(|n| n.as_str().is_some());
    out
}

fn folded(ctx: &mut Ctx, node: &Node) {
    let Some(s) = node.scalar() else { return };
    let source = &ctx.text[node.span.start..node.span.end];
    let source_lines = source.lines().filter(|l| !l.trim().is_empty()).count();
    let message = "this script is written so that YAML joins its lines into one: every command \
                   after the first becomes an argument of the first. Write it as a literal block \
                   (`script: |-`) to keep its lines";
    match s.style {
        Style::Folded if source_lines > 2 => {
            let mut d = Diagnostic::new(Code::FoldedScript, node.span, message);
            if let Some(fix) = folded_header_fix(node.span.start, source) {
                d = d.with_fix(fix);
            }
            ctx.push(d);
        }
        Style::Plain | Style::SingleQuoted | Style::DoubleQuoted if source_lines > 1 => {
            let mut d = Diagnostic::new(Code::FoldedScript, node.span, message);
            if s.style == Style::Plain {
                d = d.with_fix(literal_block_fix(ctx, node, source));
            }
            ctx.push(d);
        }
        _ => {}
    }
}

/// Rewrites a folded block's header (`>`, `>-`, `>2`...) as a literal one:
/// `|-` like the plain-scalar fix, keeping an indentation indicator and an
/// explicit keep (`+`). The lines stay as they are, so the script has the
/// same commands, one a line; only the clipped final newline goes, which
/// no shell notices. None when the block does not start with its header
/// (a tag before it).
fn folded_header_fix(start: usize, source: &str) -> Option<Fix> {
    if !source.starts_with('>') {
        return None;
    }
    let header_len = source[1..]
        .find(|c: char| !matches!(c, '-' | '+' | '1'..='9'))
        .map_or(source.len(), |n| n + 1);
    let indicators = &source[1..header_len];
    let chomping = if indicators.contains('+') { '+' } else { '-' };
    let indent: String = indicators.chars().filter(char::is_ascii_digit).collect();
    Some(Fix::replace(
        "write the script as a literal block (`|-`)",
        Span::new(start, start + header_len),
        format!("|{chomping}{indent}"),
    ))
}

/// Rewrites a multi-line plain scalar as a `|-` block, one command a line.
fn literal_block_fix(ctx: &Ctx, node: &Node, source: &str) -> Fix {
    let mut lines = source.lines();
    let first = lines.next().unwrap_or_default().trim();
    let rest: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
    let key_col = {
        // The key sits on the scalar's first line; indent the block under it.
        let line = ctx.index.line_of(node.span.start);
        let start = ctx.index.line_start(line);
        let line_text = &ctx.text[start..node.span.start];
        line_text.len() - line_text.trim_start().len()
    };
    let indent = " ".repeat(key_col + 2);
    let mut text = String::from("|-");
    for l in std::iter::once(first).chain(rest) {
        text.push('\n');
        text.push_str(&indent);
        text.push_str(l);
    }
    Fix::replace(
        "write the script as a literal block (`|-`)",
        node.span,
        text,
    )
}

/// Where in `source` (the scalar as written, starting at `base`) the n-th
/// occurrence of `needle` is; the whole scalar when it cannot be found.
pub(super) fn locate(source: &str, base: Span, needle: &str, nth: usize) -> Span {
    source
        .match_indices(needle)
        .nth(nth)
        .map_or(base, |(i, _)| {
            Span::new(base.start + i, base.start + i + needle.len())
        })
}

/// The names right after each `/inputs/` or `/outputs/` (`prefix`) in
/// `text` that starts a path, and whether the name goes on with a shell
/// variable (`/outputs/run-$ID`), which makes it unknowable.
fn io_tokens<'t>(text: &'t str, prefix: &str) -> Vec<(&'t str, bool)> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices(prefix) {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| {
            !matches!(
                c,
                ' ' | '\t' | '\n' | '\'' | '"' | '=' | ':' | '(' | ',' | '[' | '>' | '<'
            )
        }) {
            continue; // part of a longer path, e.g. /app/inputs/x
        }
        let rest = &text[i + prefix.len()..];
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
            .unwrap_or(rest.len());
        let dynamic = rest[name_len..].starts_with(['$', '{', '*']);
        out.push((&rest[..name_len], dynamic));
    }
    out
}

/// `inputs/X` or `outputs/X` without the leading `/`, for an input or
/// output X the job declares (`$(cat inputs/model-id)`): relative to the
/// image's working directory, which is not `/`, so the command finds
/// nothing there and fails at run time. The fix adds the `/`.
fn relative_io_paths(ctx: &mut Ctx, job: &Job, text: &str, source: &str, span: Span) {
    for (prefix, what) in [("inputs/", "input"), ("outputs/", "output")] {
        let declared: Vec<&str> = if what == "input" {
            job.inputs.iter().map(|i| i.name.value.as_str()).collect()
        } else {
            job.outputs.iter().map(|o| o.name.value.as_str()).collect()
        };
        let mut seen: Vec<&str> = Vec::new();
        for (i, _) in text.match_indices(prefix) {
            // A path's start: the text's, or after a space, quote, `(`, `=`...
            // (`/inputs/x`, `src/inputs/x` and `./inputs/x` are other paths).
            let starts_path = text[..i].chars().next_back().is_none_or(|c| {
                matches!(
                    c,
                    ' ' | '\t' | '\n' | '\'' | '"' | '=' | '(' | ',' | '[' | '>' | '<' | '`'
                )
            });
            let rest = &text[i + prefix.len()..];
            let name_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
                .unwrap_or(rest.len());
            let name = &rest[..name_len];
            if !starts_path || !declared.contains(&name) || seen.contains(&name) {
                continue;
            }
            seen.push(name);
            let written = format!("{prefix}{name}");
            let nth = text[..i].matches(written.as_str()).count();
            let at = locate(source, span, &written, nth);
            let mut d = Diagnostic::new(
                Code::UnknownIoPath,
                at,
                format!(
                    "`{written}` is relative to the image's working directory, not the {what} \
                     `{name}` of job `{}`, which is mounted at `/{written}`: write `/{written}`",
                    job.name.value
                ),
            );
            if at != span {
                d = d.with_fix(Fix::replace(
                    format!("write `/{written}`"),
                    Span::empty(at.start),
                    "/",
                ));
            }
            ctx.push(d);
        }
    }
}

fn io_paths(ctx: &mut Ctx, job: &Job, text: &str, source: &str, span: Span) {
    for (prefix, what) in [("/inputs/", "input"), ("/outputs/", "output")] {
        if !text.contains(prefix) {
            continue;
        }
        let declared: Vec<&str> = if what == "input" {
            job.inputs.iter().map(|i| i.name.value.as_str()).collect()
        } else {
            job.outputs.iter().map(|o| o.name.value.as_str()).collect()
        };
        let mut seen: Vec<&str> = Vec::new();
        for (name, dynamic) in io_tokens(text, prefix) {
            if dynamic || name.is_empty() || declared.contains(&name) || seen.contains(&name) {
                continue;
            }
            seen.push(name);
            let needle = format!("{prefix}{name}");
            let at = locate(source, span, &needle, 0);
            let consequence = if what == "input" {
                "nothing is mounted there"
            } else {
                "nothing written there is kept"
            };
            let mut d = Diagnostic::new(
                Code::UnknownIoPath,
                at,
                format!(
                    "`{needle}`: job `{}` has no {what} `{name}`, so {consequence}",
                    job.name.value
                ),
            );
            if let Some(s) = best(name, declared.iter().copied()) {
                d.message
                    .push_str(&format!("; did you mean `{prefix}{s}`?"));
                if at != span {
                    d = d.with_fix(Fix::replace(
                        format!("change to `{prefix}{s}`"),
                        Span::new(at.start + prefix.len(), at.end),
                        s,
                    ));
                }
            } else if declared.is_empty() {
                d.message.push_str(&format!("; it declares no {what}s"));
            }
            ctx.push(d);
        }
    }
}

/// Commands that write to their last argument.
const WRITES_LAST: &[&str] = &["cp", "rsync", "ln", "install"];
/// Commands that write to (or remove) every path argument.
const WRITES_ALL: &[&str] = &[
    "rm", "rmdir", "touch", "mkdir", "chmod", "chown", "mv", "truncate", "shred",
];
/// Options whose value is a place to write to.
const OUTPUT_FLAGS: &[&str] = &[
    "-o",
    "-O",
    "-P",
    "-d",
    "-C",
    "--output",
    "--output-dir",
    "--out",
    "--outdir",
    "--result-dir",
    "--target-dir",
    "--prefix",
    "--directory-prefix",
];

/// `s` with every shell comment (`#` at a word's start, to the line's end)
/// replaced by spaces of the same byte length.
pub(super) fn blank_comments(s: &str) -> Cow<'_, str> {
    if !s.contains('#') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut in_comment = false;
    let mut prev = '\n';
    for c in s.chars() {
        if c == '\n' {
            in_comment = false;
        } else if c == '#' && prev.is_whitespace() {
            in_comment = true;
        }
        if in_comment {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            out.push(c);
        }
        prev = c;
    }
    Cow::Owned(out)
}

fn readonly_inputs(ctx: &mut Ctx, text: &str, source: &str, span: Span) {
    if !text.contains("/inputs") {
        return;
    }
    let mut reported = 0;
    for command in text.split(['\n', ';', '|', '&']) {
        let words: Vec<&str> = command
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
            .collect();
        let Some(target) = written_input(&words) else {
            continue;
        };
        let at = locate(source, span, target, 0);
        ctx.push(Diagnostic::new(
            Code::ReadonlyInputs,
            at,
            format!(
                "`{}` writes to `{target}`, but `/inputs` is mounted read-only: the job will fail \
                 here. Copy the input somewhere writable first (`cp -r /inputs/NAME /tmp/NAME`) or \
                 write to `/outputs`",
                words.first().copied().unwrap_or("this command")
            ),
        ));
        reported += 1;
        if reported >= 3 {
            break; // enough to make the point on a long script
        }
    }
}

/// The `/inputs/...` path a command writes to, if any.
fn written_input<'w>(words: &[&'w str]) -> Option<&'w str> {
    let is_input = |w: &str| w == "/inputs" || w.starts_with("/inputs/");
    // Redirections: `> /inputs/x`, `>>/inputs/x`, `2> /inputs/x`.
    for (i, w) in words.iter().enumerate() {
        let target = w
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start_matches(['>', '&']);
        if w.contains('>') && !target.is_empty() && is_input(target) {
            return Some(target);
        }
        if w.ends_with('>') && words.get(i + 1).is_some_and(|n| is_input(n)) {
            return words.get(i + 1).copied();
        }
    }
    let mut args = words.iter().copied().skip_while(|w| *w == "sudo");
    let cmd = args.next()?;
    let rest: Vec<&str> = args.collect();
    let paths: Vec<&str> = rest
        .iter()
        .copied()
        .filter(|w| !w.starts_with('-'))
        .collect();
    if WRITES_ALL.contains(&cmd) {
        return paths.into_iter().find(|p| is_input(p));
    }
    if WRITES_LAST.contains(&cmd) && paths.len() >= 2 {
        return paths.last().copied().filter(|p| is_input(p));
    }
    if cmd == "tee" {
        return paths.into_iter().find(|p| is_input(p));
    }
    if cmd == "sed" && rest.iter().any(|w| w.starts_with("-i")) {
        return paths.into_iter().rev().find(|p| is_input(p));
    }
    if cmd == "git" && rest.first() == Some(&"clone") && paths.len() >= 3 {
        return paths.last().copied().filter(|p| is_input(p));
    }
    for (i, w) in rest.iter().enumerate() {
        if let Some((flag, value)) = w.split_once('=')
            && OUTPUT_FLAGS.contains(&flag)
            && is_input(value)
        {
            return Some(value);
        }
        if OUTPUT_FLAGS.contains(w)
            && let Some(v) = rest.get(i + 1).filter(|v| is_input(v))
        {
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes(cmd: &str) -> Option<String> {
        let words: Vec<&str> = cmd.split_whitespace().collect();
        written_input(&words).map(String::from)
    }

    #[test]
    fn finds_writes_under_inputs() {
        assert_eq!(writes("echo hi > /inputs/x").as_deref(), Some("/inputs/x"));
        assert_eq!(writes("echo hi >>/inputs/x").as_deref(), Some("/inputs/x"));
        assert_eq!(writes("mv /inputs/a /tmp/b").as_deref(), Some("/inputs/a"));
        assert_eq!(writes("cp /tmp/a /inputs/b").as_deref(), Some("/inputs/b"));
        assert_eq!(
            writes("unzip data.zip -d /inputs/data").as_deref(),
            Some("/inputs/data")
        );
        assert_eq!(
            writes("python train.py --result-dir=/inputs/r").as_deref(),
            Some("/inputs/r")
        );
        assert_eq!(
            writes("sed -i s/a/b/ /inputs/conf").as_deref(),
            Some("/inputs/conf")
        );
    }

    #[test]
    fn reads_are_not_writes() {
        for cmd in [
            "cp -R /inputs/repo /stylegan2",
            "ls /inputs",
            "cat /inputs/echo",
            "python run.py --network=/inputs/net/model.pkl",
            "find /inputs/data > /outputs/list.txt",
            "tar -xzf /inputs/data.tgz -C /tmp",
        ] {
            assert_eq!(writes(cmd), None, "{cmd}");
        }
    }

    #[test]
    fn io_tokens_skip_longer_paths() {
        let t = io_tokens(
            "cp /inputs/repo /x && ls /app/inputs/y \"/inputs/z/w\"",
            "/inputs/",
        );
        let names: Vec<&str> = t.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["repo", "z"]);
        assert_eq!(
            io_tokens("ls /outputs/run-$ID", "/outputs/"),
            [("run-", true)]
        );
    }

    #[test]
    fn folded_headers_become_strip_literal_headers() {
        let header = |src: &str| {
            let fix = folded_header_fix(10, src).expect("a fix");
            let e = &fix.edits[0];
            (e.span, e.text.clone())
        };
        assert_eq!(header(">\n  a\n"), (Span::new(10, 11), "|-".into()));
        assert_eq!(header(">-\n  a\n"), (Span::new(10, 12), "|-".into()));
        assert_eq!(header(">2 # c\n  a\n"), (Span::new(10, 12), "|-2".into()));
        assert_eq!(header(">+\n  a\n"), (Span::new(10, 12), "|+".into()));
        assert!(folded_header_fix(0, "!!str >\n  a").is_none());
    }
}
