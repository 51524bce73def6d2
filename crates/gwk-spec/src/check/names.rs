//! Names: of jobs, inputs and outputs (no `.`: references are dotted
//! paths), and of environment variables (what a shell can read).

use super::Ctx;
use crate::diagnostic::Code;
use crate::model::{EnvVar, Spanned};

pub fn check(ctx: &mut Ctx) {
    let wf = ctx.wf;
    for job in &wf.jobs {
        dotted(ctx, &job.name, "job");
        for o in &job.outputs {
            dotted(ctx, &o.name, "output");
        }
        for i in &job.inputs {
            dotted(ctx, &i.name, "input");
        }
        env_names(ctx, &job.env);
    }
    for i in &wf.inputs {
        dotted(ctx, &i.name, "workflow input");
    }
    env_names(ctx, &wf.defaults.env);
}

fn dotted(ctx: &mut Ctx, name: &Spanned<String>, what: &str) {
    let n = &name.value;
    if n.contains('.') {
        ctx.report(
            Code::InvalidName,
            name.span,
            format!(
                "{what} name `{n}` has a `.` in it: references are dotted paths \
                 (`JOB.outputs.NAME`), so it could never be referred to; use `-` or `_`"
            ),
        );
    } else if n.is_empty() {
        ctx.report(
            Code::InvalidName,
            name.span,
            format!("an empty {what} name: no reference could name it; give it a name"),
        );
    } else if n.chars().any(char::is_whitespace) {
        ctx.report(
            Code::InvalidName,
            name.span,
            format!("{what} name `{n}` has white space in it; use `-` or `_`"),
        );
    }
}

fn env_names(ctx: &mut Ctx, env: &[EnvVar]) {
    for v in env {
        let n = &v.name.value;
        let mut chars = n.chars();
        let ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if n.is_empty() {
            ctx.report(
                Code::InvalidEnvName,
                v.name.span,
                "an environment variable name cannot be empty: use letters, digits and `_`, \
                 not starting with a digit",
            );
        } else if !ok {
            ctx.report(
                Code::InvalidEnvName,
                v.name.span,
                format!(
                    "`{n}` is not a name a shell can read as `${n}`: use letters, digits and `_`, \
                     not starting with a digit"
                ),
            );
        }
    }
}
