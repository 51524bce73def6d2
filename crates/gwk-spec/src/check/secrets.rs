//! `secret-syntax`: secrets are written `secret:NAME` (or
//! `secret:ephemeral:ID`) as a whole value; GitHub's `${{ secrets.X }}` and
//! other spellings are not Gradient's. Secret-only parameters must be
//! secrets, and a secret is never part of a longer value. With `secrets`
//! listed in gwk.toml, unknown names are reported.

use super::Ctx;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::model::{Action, Spanned};
use crate::suggest::best;

pub fn check(ctx: &mut Ctx) {
    let wf = ctx.wf;
    for v in &wf.defaults.env {
        if let Some(value) = &v.value {
            secret_value(ctx, value);
            embedded_secret(ctx, value);
        }
    }
    for job in &wf.jobs {
        for v in &job.env {
            if let Some(value) = &v.value {
                secret_value(ctx, value);
                embedded_secret(ctx, value);
            }
        }
        for p in &job.with {
            let Some(value) = crate::model::lower::string(&p.value) else {
                continue;
            };
            secret_value(ctx, &value);
            let secret_only = matches!(
                (job.action, p.name.value.as_str()),
                (Some(Action::GitCheckout), "password")
                    | (Some(Action::S3Download), "secret-access-key")
            );
            if secret_only && !value.value.starts_with("secret:") && !value.value.starts_with("${{")
            {
                ctx.report(
                    Code::SecretSyntax,
                    value.span,
                    format!(
                        "`{}` holds a credential in clear text: store it as a Gradient secret \
                         and write `secret:NAME`",
                        p.name.value
                    ),
                );
            }
        }
    }
}

fn secret_value(ctx: &mut Ctx, value: &Spanned<String>) {
    let v = value.value.trim();
    if let Some(expr) = v.strip_prefix("${{").and_then(|r| r.strip_suffix("}}")) {
        let expr = expr.trim();
        if let Some(name) = expr.strip_prefix("secrets.") {
            let fixed = format!("secret:{name}");
            ctx.push(
                Diagnostic::new(
                    Code::SecretSyntax,
                    value.span,
                    format!(
                        "`{v}` is GitHub Actions' secret syntax; Gradient reads secrets as `{fixed}`"
                    ),
                )
                .with_fix(Fix::replace(format!("write `{fixed}`"), value.span, fixed)),
            );
        } else {
            ctx.report(
                Code::SecretSyntax,
                value.span,
                format!(
                    "`{v}` is a GitHub Actions expression; Gradient does not evaluate `${{{{ }}}}`"
                ),
            );
        }
        return;
    }
    if v.contains("${{") && v.contains("secrets.") {
        ctx.report(
            Code::SecretSyntax,
            value.span,
            "GitHub Actions' secret syntax inside a value; Gradient reads a secret only as a \
             whole value: `secret:NAME`",
        );
        return;
    }
    let lower = v.to_ascii_lowercase();
    let Some((head, _)) = lower.split_once(':') else {
        return;
    };
    if !matches!(head, "secret" | "secrets") {
        return;
    }
    let name = &v[head.len() + 1..];
    if &v[..head.len()] != "secret" {
        let fixed = format!("secret:{name}");
        ctx.push(
            Diagnostic::new(
                Code::SecretSyntax,
                value.span,
                format!("`{v}`: Gradient's secret prefix is `secret:` (lower case, singular)"),
            )
            .with_fix(Fix::replace(format!("write `{fixed}`"), value.span, fixed)),
        );
        return;
    }
    if let Some(id) = name.strip_prefix("ephemeral:") {
        if id.is_empty() || !valid_name(id) {
            ctx.report(
                Code::SecretSyntax,
                value.span,
                "an ephemeral secret is `secret:ephemeral:ID`, with the ID Gradient returned",
            );
        }
        return;
    }
    if name.is_empty() || !valid_name(name) {
        ctx.report(
            Code::SecretSyntax,
            value.span,
            format!(
                "`{v}` is not a secret reference: write `secret:NAME`, with a name of letters, \
                 digits, `_` and `-`"
            ),
        );
        return;
    }
    let known = &ctx.config.secrets;
    if !known.is_empty() && !known.iter().any(|k| k == name) {
        let mut d = Diagnostic::new(
            Code::UnknownSecret,
            value.span,
            format!("secret `{name}` is not among the secrets gwk.toml lists"),
        );
        if let Some(s) = best(name, known.iter().map(String::as_str)) {
            d.message.push_str(&format!("; did you mean `{s}`?"));
            let fixed = format!("secret:{s}");
            d = d.with_fix(Fix::replace(format!("write `{fixed}`"), value.span, fixed));
        }
        ctx.push(d);
    }
}

/// `secret:NAME` inside a longer environment value (`Bearer secret:TOKEN`):
/// Gradient substitutes a secret only when it is the whole value (spec §5),
/// so the job would get the literal text.
fn embedded_secret(ctx: &mut Ctx, value: &Spanned<String>) {
    let v = value.value.trim();
    let found = v.match_indices("secret:").find_map(|(i, _)| {
        let before = v[..i].chars().next_back()?;
        if before.is_ascii_alphanumeric() || "_-:".contains(before) {
            return None;
        }
        let rest = &v[i + "secret:".len()..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        (len > 0).then(|| &v[i..i + "secret:".len() + len])
    });
    if let Some(secret) = found {
        ctx.report(
            Code::SecretSyntax,
            value.span,
            format!(
                "`{secret}` is inside a longer value, but Gradient reads a secret only as a whole \
                 value: the job would get the text `{v}`. Give the secret a variable of its own \
                 (`TOKEN: {secret}`) and build the longer value in the command"
            ),
        );
    }
}

/// The secret-name rule of `secret:NAME` (letters, digits, `_` and `-`;
/// the caller rules out the empty name). Public because the secrets file's
/// names that editors offer must be names this check accepts.
pub fn valid_name(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
