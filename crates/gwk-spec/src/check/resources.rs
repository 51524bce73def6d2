//! Instance types: known (`unknown-instance-type`), still offered
//! (`retired-instance-type`), and set for every job (`missing-instance-type`).

use super::Ctx;
use crate::catalog::Status;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::model::Spanned;
use crate::suggest::best;

pub fn check(ctx: &mut Ctx) {
    let wf = ctx.wf;
    if let Some(t) = &wf.defaults.instance_type {
        instance_type(ctx, t);
    }
    for job in &wf.jobs {
        match &job.instance_type {
            Some(t) => instance_type(ctx, t),
            // A value that is not a string (`4000`) or a key in the wrong
            // place has its own finding; it is not also missing.
            None if job.instance_type_written || wf.defaults.instance_type_written => {}
            None if wf.defaults.instance_type.is_none() => ctx.report(
                Code::MissingInstanceType,
                job.name.span,
                format!(
                    "job `{}` has no instance type and there is no default: set \
                     `resources.instance-type` on the job (e.g. `C5`, or `P4000` for a GPU) or \
                     `defaults.resources.instance-type`",
                    job.name.value
                ),
            ),
            None => {}
        }
    }
}

fn instance_type(ctx: &mut Ctx, t: &Spanned<String>) {
    let name = t.value.as_str();
    match ctx.config.instance_type(name) {
        Some(known) => {
            if let Status::Retired(replacement) = known.status {
                ctx.push(
                    Diagnostic::new(
                        Code::RetiredInstanceType,
                        t.span,
                        format!("Paperspace retired `{name}`; `{replacement}` replaced it"),
                    )
                    .with_fix(Fix::replace(
                        format!("use `{replacement}`"),
                        t.span,
                        replacement,
                    )),
                );
            }
        }
        None if name.trim().is_empty() => ctx.report(
            Code::UnknownInstanceType,
            t.span,
            "`instance-type` is empty: give an instance type (e.g. `C5`, or `P4000` for a GPU)",
        ),
        None => {
            let names = ctx.config.instance_type_names();
            let mut d = Diagnostic::new(
                Code::UnknownInstanceType,
                t.span,
                format!(
                    "`{name}` is not a Paperspace instance type; if a private cluster offers it, \
                     declare it in gwk.toml under `[instance-types.{name}]`"
                ),
            );
            if let Some(s) = best(name, names.iter().map(String::as_str)) {
                d.message = format!(
                    "`{name}` is not a Paperspace instance type; did you mean `{s}`? (A private \
                     cluster's machine can be declared in gwk.toml under `[instance-types.\"{name}\"]`.)"
                );
                d = d.with_fix(Fix::replace(format!("use `{s}`"), t.span, s.to_string()));
            }
            ctx.push(d);
        }
    }
}
