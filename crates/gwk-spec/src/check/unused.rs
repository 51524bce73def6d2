//! Outputs and workflow inputs no job reads (`unused-output`,
//! `unused-workflow-input`). Quiet while a reference is broken: then
//! "never read" is a consequence, not news.

use super::Ctx;
use super::references::any_broken;
use crate::diagnostic::Code;
use crate::model::{IoType, Reference};
use crate::syntax::Span;
use rustc_hash::FxHashSet;

pub fn check(ctx: &mut Ctx) {
    if !any_broken(ctx.wf) {
        unused(ctx);
    }
}

/// Volume and string outputs no job reads, and workflow inputs no job reads.
fn unused(ctx: &mut Ctx) {
    let wf = ctx.wf;
    let mut read_outputs: FxHashSet<(&str, &str)> = FxHashSet::default();
    let mut read_inputs: FxHashSet<&str> = FxHashSet::default();
    for job in &wf.jobs {
        for (_, r) in job.references() {
            match r {
                Reference::JobOutput { job, output, .. } => {
                    read_outputs.insert((&job.value, &output.value));
                }
                Reference::WorkflowInput { name, .. } => {
                    read_inputs.insert(&name.value);
                }
            }
        }
    }
    let mut found: Vec<(Span, String)> = Vec::new();
    for job in &wf.jobs {
        for o in &job.outputs {
            let Some(t @ (IoType::Volume | IoType::String)) = o.io_type() else {
                continue;
            };
            if !read_outputs.contains(&(job.name.value.as_str(), o.name.value.as_str())) {
                found.push((
                    o.name.span,
                    format!(
                        "{t} output `{}` of job `{}` is never read: no job has `{}.outputs.{}` \
                         among its inputs, and a {t} is gone when the run ends",
                        o.name.value, job.name.value, job.name.value, o.name.value
                    ),
                ));
            }
        }
    }
    for (span, message) in found {
        ctx.report(Code::UnusedOutput, span, message);
    }
    for i in &wf.inputs {
        if !read_inputs.contains(i.name.value.as_str()) {
            ctx.report(
                Code::UnusedWorkflowInput,
                i.name.span,
                format!(
                    "workflow input `{}` is never read: no job has `workflow.inputs.{}` among its inputs",
                    i.name.value, i.name.value
                ),
            );
        }
    }
}
