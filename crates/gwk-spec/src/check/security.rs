//! The security family: credentials written into the workflow
//! (`hardcoded-credential`), secrets printed to the log (`secret-in-log`),
//! images that can change under the workflow (`unpinned-image`), downloads
//! over plain HTTP (`insecure-url`), downloaded code run unread
//! (`remote-script`) and secrets handed to jobs that never use them
//! (`overshared-secret`).
//!
//! A finding never carries a credential whole: messages show its first four
//! characters and its length, and the rest is listed in the finding's
//! `mask`, which every output blanks in its source snippets.

mod shell;
mod tokens;

use super::Ctx;
use super::edits::column;
use super::scripts::command_nodes;
use crate::config::Persona;
use crate::diagnostic::{Code, Diagnostic, Edit, Fix};
use crate::model::{Action, EnvVar, InputSource, Job};
use crate::syntax::{Node, Span};
use shell::{Sep, Word};
use tokens::{NameMeans, is_credential_for, is_credential_value, is_placeholder, shown};

pub fn check(ctx: &mut Ctx) {
    let wf = ctx.wf;
    for v in &wf.defaults.env {
        env_value(ctx, None, v);
    }
    for job in &wf.jobs {
        for v in &job.env {
            env_value(ctx, Some(job), v);
        }
        for p in &job.with {
            with_value(ctx, job, &p.name.value, &p.value);
        }
        for input in &job.inputs {
            // A URL where a reference belongs (reported as
            // `invalid-reference`) can still carry a password.
            if let InputSource::NotAReference(v) = &input.source
                && let Some(src) = exact(ctx, v.span, &v.value)
            {
                let where_ = format!(
                    "into input `{}` of job `{}`",
                    input.name.value, job.name.value
                );
                for c in tokens_in(src, v.span.start) {
                    report_credential(ctx, &c, None, &where_);
                }
            }
        }
        let nodes = command_nodes(job);
        if !nodes.is_empty() {
            let secrets = secret_vars(ctx, job);
            let args_download = args_download(job);
            for node in nodes {
                commands(ctx, job, node, &secrets, args_download);
            }
        }
        if job.action == Some(Action::Container) {
            args_command(ctx, job);
        }
        if matches!(job.action, Some(Action::Container | Action::Script))
            && let Some(image) = job.param("image")
        {
            unpinned_image(ctx, &image.value);
        }
    }
    overshared(ctx);
}

/// A credential found at `span` of the text: what it is, and the name a
/// secret for it would get.
struct Credential {
    span: Span,
    what: String,
    secret: String,
}

fn report_credential(ctx: &mut Ctx, c: &Credential, fix: Option<Fix>, where_: &str) {
    let value = &ctx.text[c.span.start..c.span.end];
    let head = value.char_indices().nth(4).map_or(value.len(), |(i, _)| i);
    let mut d = Diagnostic::new(
        Code::HardcodedCredential,
        c.span,
        format!(
            "{} {} is written {where_}: anyone who can read this file can use it. Store it as a \
             Gradient secret (`secret:{}`) and rotate it, since it has leaked",
            c.what,
            shown(value),
            c.secret
        ),
    );
    d.mask.push(Span::new(c.span.start + head, c.span.end));
    if let Some(f) = fix {
        d = d.with_fix(f);
    }
    ctx.push(d);
}

/// The source text of a string value, when it is exactly the value (no
/// escapes, no folding), so offsets into it are offsets into the file.
fn exact<'t>(ctx: &Ctx<'t>, span: Span, value: &str) -> Option<&'t str> {
    let s = ctx.text.get(span.start..span.end)?;
    (s == value).then_some(s)
}

/// Known tokens, and `https://user:password@host` passwords, in `text`
/// (which starts at `base` in the file).
fn tokens_in(text: &str, base: usize) -> Vec<Credential> {
    let mut out = Vec::new();
    for f in tokens::known_tokens(text) {
        let t = &text[f.start..f.end];
        if is_placeholder(t) {
            continue;
        }
        out.push(Credential {
            span: Span::new(base + f.start, base + f.end),
            what: f.format.describe().to_string(),
            secret: f.format.secret_name().to_string(),
        });
    }
    for u in shell::urls(text) {
        let Some((a, b)) = u.userinfo else { continue };
        let info = &text[a..b];
        let (span, what) = match info.split_once(':') {
            Some((_, pw)) => (
                Span::new(base + b - pw.len(), base + b),
                "a password in a URL",
            ),
            // A token as the user name (`https://TOKEN@github.com`).
            None => (Span::new(base + a, base + b), "a token in a URL"),
        };
        let secret = &text[span.start - base..span.end - base];
        let means = if info.contains(':') {
            NameMeans::Password
        } else {
            NameMeans::Key
        };
        let overlaps = out
            .iter()
            .any(|c| c.span.start < span.end && span.start < c.span.end);
        if !overlaps && is_credential_value(secret, means) {
            out.push(Credential {
                span,
                what: what.to_string(),
                secret: "GIT_TOKEN".to_string(),
            });
        }
    }
    out
}

/// A secret's name made of a variable, key or flag name: `--api-key` →
/// `API_KEY`.
fn secret_name_of(name: &str) -> String {
    let mut s: String = name
        .trim_start_matches('-')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        s.push_str("SECRET");
    }
    s
}

fn env_value(ctx: &mut Ctx, job: Option<&Job>, v: &EnvVar) {
    let Some(value) = &v.value else { return };
    let name = &v.name.value;
    // Made only for a finding: most values have none.
    let where_ = || match job {
        Some(j) => format!("into the `env` of job `{}`", j.name.value),
        None => "into `defaults.env`".to_string(),
    };
    let fix = |span: Span| {
        Fix::replace(
            format!("write `secret:{name}` (after storing the value as that secret)"),
            span,
            format!("secret:{name}"),
        )
    };
    if is_credential_for(name, &value.value) {
        let c = Credential {
            span: value.span,
            what: "a credential".to_string(),
            secret: secret_name_of(name),
        };
        let f = fix(v.value_span);
        report_credential(ctx, &c, Some(f), &where_());
        return;
    }
    let Some(src) = exact(ctx, value.span, &value.value) else {
        return;
    };
    for mut c in tokens_in(src, value.span.start) {
        // The variable's name is the secret's (made only for a finding).
        c.secret = secret_name_of(name);
        let whole = c.span == value.span;
        report_credential(ctx, &c, whole.then(|| fix(v.value_span)), &where_());
    }
}

fn with_value(ctx: &mut Ctx, job: &Job, param: &str, node: &Node) {
    let Some(value) = crate::model::lower::string(node) else {
        return;
    };
    // Made only for a finding: most values have none.
    let where_ = || format!("into `with.{param}` of job `{}`", job.name.value);
    if is_credential_for(param, &value.value) {
        let secret = secret_name_of(param);
        let c = Credential {
            span: value.span,
            what: "a credential".to_string(),
            secret: secret.clone(),
        };
        let f = Fix::replace(
            format!("write `secret:{secret}` (after storing the value as that secret)"),
            node.span,
            format!("secret:{secret}"),
        );
        report_credential(ctx, &c, Some(f), &where_());
    } else if let Some(src) = exact(ctx, value.span, &value.value) {
        for c in tokens_in(src, value.span.start) {
            report_credential(ctx, &c, None, &where_());
        }
    }
    insecure_param(ctx, job, param, &value);
}

/// `http://` or `git://` in a git-checkout `url` or an s3-download
/// `endpoint`.
fn insecure_param(ctx: &mut Ctx, job: &Job, param: &str, value: &crate::model::Spanned<String>) {
    let relevant = matches!(
        (job.action, param),
        (Some(Action::GitCheckout), "url") | (Some(Action::S3Download), "endpoint")
    );
    if !relevant {
        return;
    }
    let Some(src) = exact(ctx, value.span, &value.value) else {
        return;
    };
    if let Some(u) = shell::urls(src).first().filter(|u| u.start == 0) {
        insecure_url(ctx, src, value.span.start, u, "this download");
    }
}

fn insecure_url(ctx: &mut Ctx, text: &str, base: usize, u: &shell::Url, what: &str) {
    let url = &text[u.start..u.end];
    let scheme_len = url.find("://").unwrap_or(0);
    let scheme = &url[..scheme_len];
    if !matches!(scheme, "http" | "git") || shell::is_local_host(&text[u.host.0..u.host.1]) {
        return;
    }
    let span = Span::new(base + u.start, base + u.start + scheme_len + 3);
    // A URL with a password: the fix keeps it out of the message.
    let shown_url = match u.userinfo {
        Some(_) => format!("{scheme}://{}", &text[u.host.0..u.host.1]),
        None => url.to_string(),
    };
    let d = Diagnostic::new(
        Code::InsecureUrl,
        span,
        format!(
            "`{shown_url}` is fetched over unencrypted `{scheme}://`: anyone on the network path \
             can read or replace what {what} gets. Use `https://`"
        ),
    )
    .with_fix(Fix::replace("use `https://`", span, "https://"));
    ctx.push(d);
}

/// The names of the job's environment variables that hold a secret
/// (its own and `defaults.env`).
fn secret_vars<'w>(ctx: &Ctx<'w>, job: &'w Job) -> Vec<&'w str> {
    ctx.wf
        .defaults
        .env
        .iter()
        .chain(&job.env)
        .filter(|v| v.secret().is_some())
        .map(|v| v.name.value.as_str())
        .collect()
}

/// Whether a container's args name a downloader: then the URLs in its other
/// items are downloads.
fn args_download(job: &Job) -> bool {
    job.action == Some(Action::Container)
        && job
            .param("args")
            .and_then(|p| p.value.as_sequence())
            .is_some_and(|items| {
                items
                    .iter()
                    .filter_map(Node::as_str)
                    .any(|s| shell::is_downloader(s.rsplit('/').next().unwrap_or(s)))
            })
}

fn commands(ctx: &mut Ctx, job: &Job, node: &Node, secrets: &[&str], args_download: bool) {
    let Some(src) = ctx.text.get(node.span.start..node.span.end) else {
        return;
    };
    let base = node.span.start;
    for (line, at) in shell::lines(src) {
        let at = base + at;
        let words = shell::words(line, at);
        credentials_in_line(ctx, job, line, at, &words);
        if shell::is_comment(line) {
            continue;
        }
        let downloads = run_commands(ctx, &words, secrets) || args_download;
        substituted_download(ctx, line, at);
        if downloads {
            for u in shell::urls(line) {
                insecure_url(ctx, line, at, &u, "the script");
            }
        }
    }
}

/// A container's `args`, read as the one command line they are
/// (`[bash, -x, -c, "…"]`): each item a word.
fn args_command(ctx: &mut Ctx, job: &Job) {
    let Some(items) = job.param("args").and_then(|p| p.value.as_sequence()) else {
        return;
    };
    let words: Vec<Word> = items
        .iter()
        .filter_map(|n| {
            let v = crate::model::lower::string(n)?;
            let text = exact(ctx, v.span, &v.value)?;
            Some(Word {
                text,
                at: v.span.start,
            })
        })
        .collect();
    if words.len() == items.len() {
        let secrets = secret_vars(ctx, job);
        run_commands(ctx, &words, &secrets);
    }
}

/// The commands of one line (`secret-in-log`, `remote-script`); whether
/// one of them downloads something.
fn run_commands(ctx: &mut Ctx, words: &[Word], secrets: &[&str]) -> bool {
    let cmds = shell::commands(words);
    let mut downloads = false;
    {
        for (i, (cmd, sep)) in cmds.iter().enumerate() {
            let Some((p, program)) = shell::program(cmd) else {
                continue;
            };
            downloads |= shell::is_downloader(program);
            if !secrets.is_empty() {
                secret_in_log(ctx, cmd, p, program, *sep, secrets);
            }
            if matches!(program, "curl" | "wget")
                && *sep == Sep::Pipe
                && let Some((next, _)) = cmds.get(i + 1)
                && let Some((q, shell_prog)) = shell::program(next)
                && shell::is_interpreter(shell_prog)
            {
                let start = cmd[p].at;
                let end = next[q].at + next[q].text.len();
                remote_script(ctx, Span::new(start, end), program, shell_prog);
            }
        }
    }
    downloads
}

/// `bash <(curl …)`, `python -c "$(curl …)"`, `eval "$(wget -O- …)"`.
fn substituted_download(ctx: &mut Ctx, line: &str, at: usize) {
    // Both forms hold a `(`; most lines have none (one memchr).
    if !line.contains('(') {
        return;
    }
    for open in ["<(", "$("] {
        let mut from = 0;
        while let Some(p) = line[from..].find(open) {
            let start = from + p;
            from = start + 2;
            let inner = line[start + 2..].trim_start();
            let program = inner.split_whitespace().next().unwrap_or("");
            if !matches!(program, "curl" | "wget") {
                continue;
            }
            // Something must run what comes out: a shell or interpreter
            // earlier on the line.
            let before = shell::words(&line[..start], 0);
            let runner = before.iter().rev().find_map(|w| {
                let p = w.unquoted().0.trim_start_matches(['(', '{']);
                let p = p.rsplit('/').next().unwrap_or(p);
                shell::is_interpreter(p).then_some(p)
            });
            let Some(runner) = runner else {
                continue;
            };
            let end = line[start..]
                .find(')')
                .map_or(line.len(), |q| start + q + 1);
            remote_script(ctx, Span::new(at + start, at + end), program, runner);
            from = end.max(from);
        }
    }
}

fn remote_script(ctx: &mut Ctx, span: Span, downloader: &str, runner: &str) {
    ctx.report(
        Code::RemoteScript,
        span,
        format!(
            "code downloaded with `{downloader}` goes straight into `{runner}`: whoever controls \
             that URL, or the network on the way, runs what they like in this job, with its \
             secrets and data. Download the script to a file, check its checksum, then run it"
        ),
    );
}

/// `echo $TOKEN`, `printenv`, bare `env`, `set -x`, `bash -x`, `cat` of a
/// secrets file: a secret ends up in the job's log.
fn secret_in_log(ctx: &mut Ctx, cmd: &[Word], p: usize, program: &str, sep: Sep, secrets: &[&str]) {
    let args = &cmd[p + 1..];
    let redirected = args.iter().any(|w| w.text.starts_with('>'));
    if redirected || sep == Sep::Pipe {
        // Into a file or another program (`echo $T | docker login
        // --password-stdin`): not into the log.
        if !matches!(program, "set") {
            return;
        }
    }
    let report = |ctx: &mut Ctx, w: &Word, why: String| {
        ctx.report(
            Code::SecretInLog,
            Span::new(w.at, w.at + w.text.len()),
            format!("{why}: the job's log keeps it for anyone who can read the run"),
        );
    };
    match program {
        "echo" | "printf" => {
            for w in args {
                if let Some((name, at, len)) = expands_secret(w.text, secrets) {
                    let token = Word {
                        text: &w.text[at..at + len],
                        at: w.at + at,
                    };
                    report(ctx, &token, format!("this prints secret `{name}`"));
                    return;
                }
            }
        }
        "printenv" => match args.first() {
            None => report(
                ctx,
                &cmd[p],
                "`printenv` prints every variable, the job's secrets among them".to_string(),
            ),
            Some(w) if secrets.contains(&w.unquoted().0) => {
                report(ctx, w, format!("this prints secret `{}`", w.unquoted().0))
            }
            _ => {}
        },
        "env" if args.is_empty() => report(
            ctx,
            &cmd[p],
            "`env` prints every variable, the job's secrets among them".to_string(),
        ),
        "set" => {
            if let Some(w) = args.iter().find(|w| {
                let t = w.text;
                (t.starts_with('-') && !t.starts_with("--") && t.contains('x')) || t == "xtrace"
            }) {
                report(
                    ctx,
                    w,
                    "with `set -x` the shell prints every command with its variables expanded, \
                     the secrets in this job's environment among them"
                        .to_string(),
                );
            }
        }
        "bash" | "sh" => {
            if let Some(w) = args
                .iter()
                .take_while(|w| w.text.starts_with('-'))
                .find(|w| !w.text.starts_with("--") && w.text.contains('x'))
            {
                report(
                    ctx,
                    w,
                    format!(
                        "`{program} {}` prints every command with its variables expanded, the \
                         secrets in this job's environment among them",
                        w.text
                    ),
                );
            }
        }
        "cat" => {
            if let Some(w) = args.iter().find(|w| is_secrets_file(w.unquoted().0)) {
                report(
                    ctx,
                    w,
                    format!("this prints `{}`, a file of credentials", w.unquoted().0),
                );
            }
        }
        _ => {}
    }
}

fn is_secrets_file(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    matches!(
        base,
        ".secrets"
            | "secrets"
            | ".env"
            | ".netrc"
            | "credentials"
            | "kaggle.json"
            | ".git-credentials"
    ) || base.starts_with(".secrets.")
        || base.starts_with("secrets.")
}

/// The secret a word expands (`$TOKEN`, `"${TOKEN}"`, `x$TOKEN`), and
/// where the expansion is in the word (offset, length).
fn expands_secret<'s>(word: &str, secrets: &[&'s str]) -> Option<(&'s str, usize, usize)> {
    // In single quotes nothing expands.
    if word.starts_with('\'') {
        return None;
    }
    let mut from = 0;
    while let Some(p) = word[from..].find('$') {
        let rest = &word[from + p + 1..];
        let braced = rest.starts_with('{');
        let rest = rest.strip_prefix('{').unwrap_or(rest);
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        // `$NAME` or `${NAME}` (up to its `}` when there is one).
        let shown = if braced {
            rest.find('}').map_or(1 + len, |q| q + 2)
        } else {
            len
        } + 1;
        // `${TOKEN:+set}` prints the word, not the value.
        let alternative = rest[len..].starts_with(":+") || rest[len..].starts_with('+');
        if let Some(s) = secrets.iter().find(|s| **s == &rest[..len])
            && !alternative
        {
            return Some((s, from + p, shown));
        }
        from += p + 1;
    }
    None
}

/// Credentials in one line of a script: known tokens, URL passwords, and
/// literals given to credential-meaning names (`export HF_TOKEN=…`,
/// `--password …`, `"key": "…"`).
fn credentials_in_line(ctx: &mut Ctx, job: &Job, line: &str, at: usize, words: &[Word]) {
    let mut found: Vec<(Credential, Option<&str>)> =
        tokens_in(line, at).into_iter().map(|c| (c, None)).collect();
    let mut named = |name: &str, value: &str, value_at: usize| {
        if !is_credential_for(name, value) {
            return;
        }
        let span = Span::new(value_at, value_at + value.len());
        if found
            .iter()
            .any(|(c, _)| c.span.start < span.end && span.start < c.span.end)
        {
            return;
        }
        found.push((
            Credential {
                span,
                what: "a credential".to_string(),
                secret: secret_name_of(name),
            },
            Some(""),
        ));
    };
    named_values(words, &mut named);
    // Inside a quoted run (`echo '{"key": "…"}' > f`) the pairs are words too.
    for w in words {
        let (inner, inner_at) = w.unquoted();
        if inner.len() < w.text.len() && inner.contains(char::is_whitespace) {
            named_values(&shell::words(inner, inner_at), &mut named);
        }
    }
    for (c, _) in found {
        let fix = script_fix(ctx, job, line, at, &c);
        report_credential(
            ctx,
            &c,
            fix,
            &format!("into a command of job `{}`", job.name.value),
        );
    }
}

/// Literals given to credential-meaning names among `words`: `NAME=value`,
/// `--flag=value`, `--flag value`, `"key": "value"`, `password value`.
fn named_values(words: &[Word], named: &mut impl FnMut(&str, &str, usize)) {
    for (i, w) in words.iter().enumerate() {
        let (t, t_at) = w.unquoted();
        // NAME=value, --flag=value
        if let Some((name, value)) = t.split_once('=')
            && !name.is_empty()
            && name
                .trim_start_matches('-')
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            let value_at = t_at + name.len() + 1;
            let (value, value_at) = strip_quotes(value, value_at);
            named(name, value, value_at);
            continue;
        }
        // --flag value, "key": "value", password value (netrc)
        let flag = t.starts_with('-') && t.len() > 2;
        let key = t.strip_suffix(':').map(|k| k.trim_matches(['"', '\'']));
        let name = if flag {
            Some(t)
        } else if let Some(k) = key {
            Some(k)
        } else if matches!(t, "password" | "passwd") {
            Some(t)
        } else {
            None
        };
        if let Some(name) = name
            && let Some(next) = words.get(i + 1)
        {
            let (v, v_at) = next.unquoted();
            let v = v.trim_end_matches([',', '}', ';', '"', '\'']);
            let (v, v_at) = strip_quotes(v, v_at);
            named(name, v, v_at);
        }
    }
}

fn strip_quotes(value: &str, at: usize) -> (&str, usize) {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q) {
            return (inner.strip_suffix(q).unwrap_or(inner), at + 1);
        }
    }
    (value, at)
}

/// The fix for a literal in a script: `${NAME}` in its place and
/// `NAME: secret:NAME` in the job's `env`. None where `${NAME}` would not
/// expand (inside single quotes) or the env cannot be edited safely.
fn script_fix(ctx: &Ctx, job: &Job, line: &str, at: usize, c: &Credential) -> Option<Fix> {
    let before = &line[..c.span.start - at];
    if before.matches('\'').count() % 2 == 1 || c.span.end - at > line.len() {
        return None;
    }
    let name = &c.secret;
    let mut edits = vec![Edit {
        span: c.span,
        text: format!("${{{name}}}"),
    }];
    let has = job.env.iter().any(|v| &v.name.value == name);
    if !has {
        edits.push(add_env(ctx, job, name, &format!("secret:{name}"))?);
    }
    Some(Fix {
        message: format!("use `${{{name}}}` from a new env entry `{name}: secret:{name}`"),
        edits,
    })
}

/// An edit that adds `name: value` to `job`'s `env`, in block style.
fn add_env(ctx: &Ctx, job: &Job, name: &str, value: &str) -> Option<Edit> {
    let text = ctx.text;
    if let Some(last) = job.env.last() {
        let first = job.env.first()?;
        let indent = column(ctx.index, first.name.span.start);
        if text[..first.name.span.start].ends_with(['{', ',', ' ']) && indent_is_flow(text, first) {
            return None;
        }
        let end = line_end(text, last.value_span.end.max(last.name.span.end));
        return Some(Edit {
            span: Span::empty(end),
            text: format!("{}{name}: {value}\n", " ".repeat(indent)),
        });
    }
    // No env yet: a block before `uses`.
    let uses = job.uses.as_ref()?;
    let line = ctx.index.line_of(uses.span.start);
    let start = ctx.index.line_start(line);
    let lead = &text[start..uses.span.start];
    let indent = lead.len() - lead.trim_start().len();
    if !lead.trim_start().starts_with("uses") || text[job.body.start..].starts_with('{') {
        return None;
    }
    let pad = " ".repeat(indent);
    Some(Edit {
        span: Span::empty(start),
        text: format!("{pad}env:\n{pad}  {name}: {value}\n"),
    })
}

/// Whether an env entry sits in a flow mapping (`env: {A: b}`).
fn indent_is_flow(text: &str, first: &EnvVar) -> bool {
    let line_start = text[..first.name.span.start]
        .rfind('\n')
        .map_or(0, |p| p + 1);
    text[line_start..first.name.span.start].contains('{')
}

fn line_end(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |p| offset + p + 1)
}

/// `image:` without a tag or digest, or `latest`; in pedantic mode a tag
/// without a digest too.
fn unpinned_image(ctx: &mut Ctx, node: &Node) {
    let Some(v) = crate::model::lower::string(node) else {
        return;
    };
    let image = v.value.as_str();
    if image.is_empty() || image.contains('$') || image.contains("{{") || image.contains('@') {
        return;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    let tag = last.split_once(':').map(|(_, t)| t);
    let exact = exact(ctx, v.span, image).is_some();
    let tag_span = |t: &str| {
        if exact {
            Span::new(v.span.end - t.len(), v.span.end)
        } else {
            v.span
        }
    };
    match tag {
        None => ctx.report(
            Code::UnpinnedImage,
            v.span,
            format!(
                "image `{image}` has no tag, so it means `latest`: each run may get a different \
                 image. Pin a version tag, or better a digest (`@sha256:…`)"
            ),
        ),
        Some("latest") => ctx.report(
            Code::UnpinnedImage,
            tag_span("latest"),
            format!(
                "`{image}` names whatever `latest` is on the day of the run: each run may get a \
                 different image. Pin a version tag, or better a digest (`@sha256:…`)"
            ),
        ),
        Some(t) if ctx.config.persona == Persona::Pedantic => {
            let mut d = Diagnostic::new(
                Code::UnpinnedImage,
                tag_span(t),
                format!(
                    "tag `{t}` of `{image}` can be moved to another image; only a digest \
                     (`@sha256:…`) pins it"
                ),
            );
            d.severity = crate::Severity::Info;
            ctx.push(d);
        }
        Some(_) => {}
    }
}

/// `secret:` values in `defaults.env` while some job runs one of
/// Gradient's own actions, which never read the environment.
fn overshared(ctx: &mut Ctx) {
    let wf = ctx.wf;
    let idle: Vec<&Job> = wf
        .jobs
        .iter()
        .filter(|j| {
            matches!(
                j.action,
                Some(Action::GitCheckout | Action::S3Download | Action::CreateModel)
            )
        })
        .collect();
    if idle.is_empty() {
        return;
    }
    for v in &wf.defaults.env {
        let Some(secret) = v.secret() else { continue };
        let name = &v.name.value;
        let idle_names: Vec<String> = idle
            .iter()
            .map(|j| {
                let action = j.uses.as_ref().map_or("", |u| u.value.as_str());
                format!("`{}` ({action})", j.name.value)
            })
            .collect();
        let mut d = Diagnostic::new(
            Code::OversharedSecret,
            v.value_span,
            format!(
                "`defaults.env` gives secret `{secret}` to every job, also to {}, which never \
                 reads it: each job that holds a secret it does not need is one more place it \
                 can leak from. Move `{name}` to the `env` of the jobs that use it",
                idle_names.join(", "),
            ),
        );
        if let Some(fix) = move_to_jobs(ctx, v) {
            d = d.with_fix(fix);
        }
        ctx.push(d);
    }
}

/// The fix for an overshared secret: its line out of `defaults.env` (with
/// `env:` when it was the only entry, and `defaults:` when that was all it
/// held) and into the `env` of every job that runs the user's code.
fn move_to_jobs(ctx: &Ctx, v: &EnvVar) -> Option<Fix> {
    let text = ctx.text;
    let wf = ctx.wf;
    let defaults = ctx.root.get_entry("defaults")?;
    let env = defaults.value.get_entry("env")?;
    if text[env.value.span.start..].starts_with('{') {
        return None;
    }
    let remove = if wf.defaults.env.len() == 1 {
        let only_env = defaults.value.as_mapping().is_some_and(|m| m.len() == 1);
        let from = if only_env {
            defaults.key.span
        } else {
            env.key.span
        };
        line_span(ctx, from.start, env.value.span.end)
    } else {
        line_span(ctx, v.name.span.start, v.value_span.end)
    };
    let value = &text[v.value_span.start..v.value_span.end];
    let mut edits = vec![Edit {
        span: remove,
        text: String::new(),
    }];
    for job in &wf.jobs {
        if !matches!(job.action, Some(Action::Container | Action::Script)) {
            continue;
        }
        if job.env.iter().any(|e| e.name.value == v.name.value) {
            continue;
        }
        edits.push(add_env(ctx, job, &v.name.value, value)?);
    }
    Some(Fix {
        message: format!("move `{}` to the jobs that run your code", v.name.value),
        edits,
    })
}

/// From the start of the line that holds `start` to after the line that
/// holds `end`.
fn line_span(ctx: &Ctx, start: usize, end: usize) -> Span {
    let s = ctx.index.line_start(ctx.index.line_of(start));
    Span::new(s, line_end(ctx.text, end.saturating_sub(1).max(start)))
}
