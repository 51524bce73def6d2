//! What each action asks of its job beyond `with`: git-checkout@v1 and
//! s3-download@v1 write into an output (and need `path` to choose among
//! several); create-model@v1 reads a dataset from input `model` and writes
//! the model id to a string output.

use super::Ctx;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Action, InputSource, IoType, Job, Reference};

pub fn check(ctx: &mut Ctx) {
    for job in &ctx.wf.jobs {
        match job.action {
            Some(a @ (Action::GitCheckout | Action::S3Download)) => {
                downloads_into_output(ctx, job, a)
            }
            Some(Action::CreateModel) => create_model(ctx, job),
            _ => {}
        }
    }
}

fn downloads_into_output(ctx: &mut Ctx, job: &Job, action: Action) {
    let verb = if action == Action::GitCheckout {
        "clones into"
    } else {
        "downloads into"
    };
    if job.outputs.is_empty() {
        let hint = if job.inputs.iter().any(
            |i| matches!(&i.source, InputSource::Inline(s) if s.io_type == Some(IoType::Volume)),
        ) {
            " (the volume is declared under `inputs`; it belongs under `outputs`)"
        } else {
            ""
        };
        ctx.report(
            Code::ActionIo,
            job.name.span,
            format!(
                "job `{}` runs `{action}`, which {verb} an output, but it declares none{hint}: add \
                 `outputs: {{repo: {{type: volume}}}}`",
                job.name.value
            ),
        );
        return;
    }
    for o in &job.outputs {
        if o.io_type() == Some(IoType::String) {
            ctx.report(
                Code::ActionIo,
                o.name.span,
                format!(
                    "`{action}` {verb} a directory; output `{}` is a string. Make it a `volume` or a `dataset`",
                    o.name.value
                ),
            );
        }
    }
    let path = job.param("path");
    if job.outputs.len() > 1 && path.is_none() {
        let names: Vec<&str> = job.outputs.iter().map(|o| o.name.value.as_str()).collect();
        ctx.report(
            Code::ActionIo,
            job.with_key.unwrap_or(job.name.span),
            format!(
                "job `{}` has {} outputs; `with.path` says which one `{action}` {verb} \
                 (e.g. `/outputs/{}`)",
                job.name.value,
                names.len(),
                names[0]
            ),
        );
    }
    if let Some(p) = path.and_then(|p| p.as_str().map(|s| (s, p))) {
        let (value, param) = p;
        let target = value
            .strip_prefix("/outputs/")
            .map(|rest| rest.split('/').next().unwrap_or(""));
        let ok = target.is_some_and(|t| job.output(t).is_some());
        if !ok {
            let names: Vec<String> = job
                .outputs
                .iter()
                .map(|o| format!("/outputs/{}", o.name.value))
                .collect();
            ctx.report(
                Code::ActionIo,
                param.value.span,
                format!(
                    "`path` must lie inside one of the job's outputs ({}); `{value}` does not",
                    names.join(", ")
                ),
            );
        }
    }
}

fn create_model(ctx: &mut Ctx, job: &Job) {
    let wf = ctx.wf;
    match job.input("model") {
        None => ctx.report(
            Code::ActionIo,
            job.inputs_key.unwrap_or(job.name.span),
            format!(
                "job `{}` runs `create-model@v1`, which registers the dataset in input `model`; \
                 add `model: TRAIN_JOB.outputs.NAME` (a dataset output) under `inputs`",
                job.name.value
            ),
        ),
        Some(input) => {
            let kind = match &input.source {
                InputSource::Inline(spec) => spec.io_type,
                InputSource::Reference(Reference::JobOutput {
                    job: from, output, ..
                }) => wf
                    .job(&from.value)
                    .and_then(|p| p.output(&output.value))
                    .and_then(|o| o.io_type()),
                InputSource::Reference(Reference::WorkflowInput { name, .. }) => {
                    wf.input(&name.value).and_then(|i| i.spec.io_type)
                }
                // Not a reference at all: reported by `invalid-reference`.
                _ => Some(IoType::Dataset),
            };
            if let Some(t) = kind.filter(|t| *t != IoType::Dataset) {
                ctx.push(Diagnostic::new(
                    Code::ActionIo,
                    input.span,
                    format!(
                        "`create-model@v1` registers a dataset, but input `model` is a {t}: write \
                         the model files to a `dataset` output and read that"
                    ),
                ));
            }
        }
    }
    let strings = job
        .outputs
        .iter()
        .filter(|o| o.io_type() == Some(IoType::String))
        .count();
    if strings == 0 {
        ctx.report(
            Code::ActionIo,
            job.outputs_key.unwrap_or(job.name.span),
            format!(
                "job `{}` runs `create-model@v1`, which writes the new model's id to a string \
                 output; add `outputs: {{model-id: {{type: string}}}}`",
                job.name.value
            ),
        );
    }
    for o in &job.outputs {
        if matches!(o.io_type(), Some(IoType::Volume | IoType::Dataset)) {
            ctx.report(
                Code::ActionIo,
                o.name.span,
                format!(
                    "`create-model@v1` writes only the model id, a string; output `{}` is a {}",
                    o.name.value,
                    o.io_type().map_or("", |t| t.as_str())
                ),
            );
        }
    }
}
