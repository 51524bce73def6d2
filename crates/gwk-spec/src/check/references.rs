//! `needs` entries and input references: do the jobs, outputs and workflow
//! inputs they name exist, and does the reader need the job it reads from?

use super::Ctx;
use super::edits::add_to_needs;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::model::{InputSource, Job, Reference, Spanned, Workflow};
use crate::suggest::{best, one_of};

pub fn check(ctx: &mut Ctx) {
    let wf = ctx.wf;
    let job_names: Vec<&str> = wf.jobs.iter().map(|j| j.name.value.as_str()).collect();
    for job in &wf.jobs {
        for need in &job.needs {
            if wf.job(&need.value).is_none() {
                let d = unknown_job(need, &job_names, "`needs` names");
                ctx.push(d);
            }
        }
        for input in &job.inputs {
            match &input.source {
                InputSource::Reference(r) => reference(ctx, job, r, &job_names),
                InputSource::NotAReference(s) => not_a_reference(ctx, s),
                _ => {}
            }
        }
    }
}

fn unknown_job(name: &Spanned<String>, jobs: &[&str], what: &str) -> Diagnostic {
    let n = &name.value;
    let mut d = Diagnostic::new(Code::UnknownJob, name.span, format!("{what} no job `{n}`"));
    if let Some(s) = best(n, jobs.iter().copied()) {
        d.message = if s.eq_ignore_ascii_case(n) {
            format!("{what} no job `{n}`; job names are case-sensitive: the job is `{s}`")
        } else {
            format!("{what} no job `{n}`; did you mean `{s}`?")
        };
        d = d.with_fix(Fix::replace(format!("change to `{s}`"), name.span, s));
    } else if !jobs.is_empty() {
        d.message = format!("{what} no job `{n}`; the jobs are {}", one_of(jobs));
    }
    d
}

fn reference(ctx: &mut Ctx, job: &Job, r: &Reference, jobs: &[&str]) {
    let wf = ctx.wf;
    match r {
        Reference::WorkflowInput { name, .. } => {
            if wf.input(&name.value).is_none() {
                let names: Vec<&str> = wf.inputs.iter().map(|i| i.name.value.as_str()).collect();
                let n = &name.value;
                let mut d = Diagnostic::new(
                    Code::UnknownWorkflowInput,
                    name.span,
                    format!("the workflow has no input `{n}`"),
                );
                if let Some(s) = best(n, names.iter().copied()) {
                    d.message = format!("the workflow has no input `{n}`; did you mean `{s}`?");
                    d = d.with_fix(Fix::replace(format!("change to `{s}`"), name.span, s));
                } else if names.is_empty() {
                    d.message = format!(
                        "the workflow has no input `{n}`: declare it under the top-level `inputs`"
                    );
                } else {
                    d.message = format!(
                        "the workflow has no input `{n}`; its inputs are {}",
                        one_of(&names)
                    );
                }
                ctx.push(d);
            }
        }
        Reference::JobOutput {
            job: from,
            output,
            span,
        } => {
            let Some(producer) = wf.job(&from.value) else {
                ctx.push(unknown_job(from, jobs, "this reference names"));
                return;
            };
            if producer.name.value == job.name.value {
                ctx.report(
                    Code::InvalidReference,
                    *span,
                    format!(
                        "job `{}` reads its own output `{}`: a job's outputs exist only after it ends",
                        job.name.value, output.value
                    ),
                );
                return;
            }
            if producer.output(&output.value).is_none() {
                let names: Vec<&str> = producer
                    .outputs
                    .iter()
                    .map(|o| o.name.value.as_str())
                    .collect();
                let o = &output.value;
                let p = &producer.name.value;
                let mut d = Diagnostic::new(
                    Code::UnknownOutput,
                    output.span,
                    format!("job `{p}` has no output `{o}`"),
                )
                .with_related(producer.name.span, format!("job `{p}` is declared here"));
                if let Some(s) = best(o, names.iter().copied()) {
                    d.message = format!("job `{p}` has no output `{o}`; did you mean `{s}`?");
                    d = d.with_fix(Fix::replace(format!("change to `{s}`"), output.span, s));
                } else if names.is_empty() {
                    d.message = format!("job `{p}` has no output `{o}`; it declares no outputs");
                } else {
                    d.message = format!(
                        "job `{p}` has no output `{o}`; its outputs are {}",
                        one_of(&names)
                    );
                }
                ctx.push(d);
            }
            if !job.needs_job(&producer.name.value) {
                let p = &producer.name.value;
                let mut d = Diagnostic::new(
                    Code::MissingNeeds,
                    from.span,
                    format!(
                        "job `{}` reads an output of `{p}` but does not need it: add `{p}` to its \
                         `needs`, or the job may start before `{p}` has written it",
                        job.name.value
                    ),
                );
                if let Some(via) = needed_through(ctx, job, p) {
                    // The order is safe, so "may start before" would be
                    // wrong; but Gradient still refused the file ("You must
                    // specify job-1 in the needs section to reference them
                    // here"), so it stays an error, about the direct `needs`.
                    d.message = format!(
                        "job `{}` reads an output of `{p}`, which it needs only through `{via}`: \
                         it starts after `{p}` all the same, but Gradient wants the job whose \
                         output is read in the reader's own `needs`: add `{p}` to its `needs`",
                        job.name.value
                    );
                }
                if let Some(anchor) = job.needs_key {
                    d = d.with_related(anchor, "`needs` of this job");
                }
                if let Some(fix) = add_to_needs(ctx.text, ctx.index, job, p) {
                    d = d.with_fix(fix);
                }
                ctx.push(d);
            }
        }
    }
}

/// The job of `job`'s direct `needs` through which it needs `producer`
/// (so `producer` is an ancestor, just not a direct one), if any.
fn needed_through<'w>(ctx: &Ctx<'w>, job: &'w Job, producer: &str) -> Option<&'w str> {
    let wf = ctx.wf;
    let p = wf.job_index(producer)?;
    job.needs.iter().map(|n| n.value.as_str()).find(|n| {
        wf.job_index(n)
            .is_some_and(|i| i != p && ctx.dag.ancestors(i)[p])
    })
}

/// A job input that is a string but no reference: say what it looks like
/// and what to write instead.
fn not_a_reference(ctx: &mut Ctx, s: &Spanned<String>) {
    let v = s.value.as_str();
    let parts: Vec<&str> = v.split('.').collect();
    let mut fix = None;
    let message = if v.trim().is_empty() {
        "an empty input reads nothing: write `JOB.outputs.NAME`, `workflow.inputs.NAME`, or an \
         inline `{type: dataset, with: {ref: ...}}`"
            .to_string()
    } else if v.starts_with("http://") || v.starts_with("https://") || v.starts_with("git@") {
        format!(
            "`{v}` is a URL, not a reference: a job reads data only from other jobs' outputs or \
             workflow inputs. To use a repository, clone it in a `git-checkout@v1` job and read \
             `JOB.outputs.NAME` here"
        )
    } else if v.starts_with("s3://") {
        format!(
            "`{v}` is an S3 URL, not a reference: download it in an `s3-download@v1` job and read \
             `JOB.outputs.NAME` here"
        )
    } else if v.to_ascii_lowercase().starts_with("secret:") {
        format!(
            "`{v}` is a secret, not a reference: secrets go in `env` (or in `with` parameters), \
             never in `inputs`"
        )
    } else if parts.len() == 3 && matches!(parts[1], "output" | "Outputs" | "outputs:" | "out") {
        let fixed = format!("{}.outputs.{}", parts[0], parts[2]);
        fix = Some(fixed.clone());
        format!("`{v}` is not a reference; did you mean `{fixed}`?")
    } else if parts.len() == 3 && parts[0] == "workflow" && parts[1] != "inputs" {
        let fixed = format!("workflow.inputs.{}", parts[2]);
        fix = Some(fixed.clone());
        format!("`{v}` is not a reference; did you mean `{fixed}`?")
    } else if parts.len() == 2 && ctx.wf.job(parts[0]).is_some() && parts[1] != "outputs" {
        let fixed = format!("{}.outputs.{}", parts[0], parts[1]);
        fix = Some(fixed.clone());
        format!("`{v}` is not a reference; did you mean `{fixed}`?")
    } else if parts.len() == 2 && parts[1] == "outputs" {
        format!("`{v}` names no output: write `{v}.NAME`")
    } else if v.contains('/') {
        format!(
            "`{v}` looks like a file path, not a reference: a job reads files from its inputs, \
             mounted at `/inputs/NAME`; name the job output or dataset that holds the file"
        )
    } else {
        format!(
            "`{v}` is not a reference: write `JOB.outputs.NAME`, `workflow.inputs.NAME`, or an \
             inline `{{type: dataset, with: {{ref: ...}}}}`"
        )
    };
    let mut d = Diagnostic::new(Code::InvalidReference, s.span, message);
    if let Some(f) = fix {
        d = d.with_fix(Fix::replace(format!("change to `{f}`"), s.span, f));
    }
    ctx.push(d);
}

/// Whether any `needs` entry or input reference is one this rule reports
/// (`unknown-job`, `unknown-output`, `unknown-workflow-input`,
/// `invalid-reference`): computed from the workflow, not from the findings,
/// so the rules that ask stay independent of the order rules run in.
pub(super) fn any_broken(wf: &Workflow) -> bool {
    wf.jobs.iter().any(|job| {
        job.needs.iter().any(|n| wf.job(&n.value).is_none())
            || job.inputs.iter().any(|input| match &input.source {
                InputSource::NotAReference(_) => true,
                InputSource::Reference(Reference::WorkflowInput { name, .. }) => {
                    wf.input(&name.value).is_none()
                }
                InputSource::Reference(Reference::JobOutput {
                    job: from, output, ..
                }) => match wf.job(&from.value) {
                    None => true,
                    Some(p) => p.name.value == job.name.value || p.output(&output.value).is_none(),
                },
                _ => false,
            })
    })
}
