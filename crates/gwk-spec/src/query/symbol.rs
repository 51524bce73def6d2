//! The names a workflow declares and uses: jobs, job outputs and workflow
//! inputs. Which one is under the cursor, and every place that names it.

use super::unquoted;
use crate::model::{Job, Reference, Workflow};
use crate::syntax::Span;

/// A named thing of the workflow.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Sym {
    Job(String),
    Output { job: String, output: String },
    WorkflowInput(String),
}

impl Sym {
    /// The name as written (the last part).
    pub fn name(&self) -> &str {
        match self {
            Sym::Job(n) | Sym::WorkflowInput(n) => n,
            Sym::Output { output, .. } => output,
        }
    }

    /// "job `A`", "output `x` of job `A`", "workflow input `x`".
    pub fn describe(&self) -> String {
        match self {
            Sym::Job(n) => format!("job `{n}`"),
            Sym::Output { job, output } => format!("output `{output}` of job `{job}`"),
            Sym::WorkflowInput(n) => format!("workflow input `{n}`"),
        }
    }
}

/// How a place names a symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Where it is declared (the job's key, the output's key, ...).
    Declaration,
    /// An entry of `needs`.
    Needs,
    /// A part of a reference (`A.outputs.x`, `workflow.inputs.x`).
    Reference,
    /// A path in the producing job's parameters (`/outputs/x`).
    IoPath,
}

/// The symbol under the cursor, and the span of its name there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub sym: Sym,
    pub span: Span,
    pub role: Role,
}

/// One place that names a symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub span: Span,
    pub role: Role,
}

/// The symbol whose name `offset` is on (at its end too).
pub fn symbol_at(wf: &Workflow, text: &str, offset: usize) -> Option<Hit> {
    let hit = |sym: Sym, span: Span, role: Role| Some(Hit { sym, span, role });
    for input in &wf.inputs {
        let span = unquoted(text, input.name.span);
        if span.touches(offset) {
            return hit(
                Sym::WorkflowInput(input.name.value.clone()),
                span,
                Role::Declaration,
            );
        }
    }
    for job in &wf.jobs {
        if !job.span.touches(offset) {
            continue;
        }
        let name = unquoted(text, job.name.span);
        if name.touches(offset) {
            return hit(Sym::Job(job.name.value.clone()), name, Role::Declaration);
        }
        for n in &job.needs {
            if n.span.touches(offset) {
                return hit(Sym::Job(n.value.clone()), n.span, Role::Needs);
            }
        }
        for (_, r) in job.references() {
            if !r.span().touches(offset) {
                continue;
            }
            return match r {
                Reference::WorkflowInput { name, .. } if name.span.touches(offset) => hit(
                    Sym::WorkflowInput(name.value.clone()),
                    name.span,
                    Role::Reference,
                ),
                Reference::JobOutput { job: from, .. } if from.span.touches(offset) => {
                    hit(Sym::Job(from.value.clone()), from.span, Role::Reference)
                }
                Reference::JobOutput {
                    job: from, output, ..
                } if output.span.touches(offset) => hit(
                    Sym::Output {
                        job: from.value.clone(),
                        output: output.value.clone(),
                    },
                    output.span,
                    Role::Reference,
                ),
                _ => None,
            };
        }
        for o in &job.outputs {
            let span = unquoted(text, o.name.span);
            if span.touches(offset) {
                return hit(
                    Sym::Output {
                        job: job.name.value.clone(),
                        output: o.name.value.clone(),
                    },
                    span,
                    Role::Declaration,
                );
            }
        }
        for (output, span) in io_paths(job, text) {
            if span.touches(offset) {
                return hit(
                    Sym::Output {
                        job: job.name.value.clone(),
                        output,
                    },
                    span,
                    Role::IoPath,
                );
            }
        }
    }
    None
}

/// Every place that names `sym`, declarations first, then in file order.
pub fn occurrences(wf: &Workflow, text: &str, sym: &Sym) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let mut push = |span: Span, role: Role| out.push(Occurrence { span, role });
    match sym {
        Sym::Job(name) => {
            for job in wf.jobs.iter().filter(|j| &j.name.value == name) {
                push(unquoted(text, job.name.span), Role::Declaration);
            }
            for job in &wf.jobs {
                for n in job.needs.iter().filter(|n| &n.value == name) {
                    push(n.span, Role::Needs);
                }
                for (_, r) in job.references() {
                    if let Some(from) = r.job().filter(|f| &f.value == name) {
                        push(from.span, Role::Reference);
                    }
                }
            }
        }
        Sym::Output { job, output } => {
            if let Some(producer) = wf.job(job) {
                for o in producer.outputs.iter().filter(|o| &o.name.value == output) {
                    push(unquoted(text, o.name.span), Role::Declaration);
                }
            }
            for reader in &wf.jobs {
                for (_, r) in reader.references() {
                    if let Reference::JobOutput {
                        job: from,
                        output: o,
                        ..
                    } = r
                        && &from.value == job
                        && &o.value == output
                    {
                        push(o.span, Role::Reference);
                    }
                }
            }
            if let Some(producer) = wf.job(job) {
                for (name, span) in io_paths(producer, text) {
                    if &name == output {
                        push(span, Role::IoPath);
                    }
                }
            }
        }
        Sym::WorkflowInput(name) => {
            for i in wf.inputs.iter().filter(|i| &i.name.value == name) {
                push(unquoted(text, i.name.span), Role::Declaration);
            }
            for job in &wf.jobs {
                for (_, r) in job.references() {
                    if let Reference::WorkflowInput { name: n, .. } = r
                        && &n.value == name
                    {
                        push(n.span, Role::Reference);
                    }
                }
            }
        }
    }
    out.sort_by_key(|o| (o.role != Role::Declaration, o.span.start));
    out.dedup();
    out
}

/// The `/outputs/NAME` paths in a job's parameters, with the span of NAME,
/// found in the source text of `with` (so block scripts count too).
pub(crate) fn io_paths(job: &Job, text: &str) -> Vec<(String, Span)> {
    let Some(params) = job.with.first().map(|p| {
        let last = job.with.last().expect("non-empty");
        p.name.span.cover(last.value.span)
    }) else {
        return Vec::new();
    };
    let Some(source) = text.get(params.start..params.end) else {
        return Vec::new();
    };
    // Tokenized as the `unknown-io-path` rule does, so rename and that rule
    // agree on what a path names.
    const PREFIX: &str = "/outputs/";
    let mut out = Vec::new();
    for (i, _) in source.match_indices(PREFIX) {
        let before = source[..i].chars().next_back();
        if before.is_some_and(|c| !" \t\n'\"=:(,[><".contains(c)) {
            continue; // part of a longer path, e.g. /app/outputs/x
        }
        let start = i + PREFIX.len();
        let rest = &source[start..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
            .unwrap_or(rest.len());
        if len > 0 {
            out.push((
                rest[..len].to_string(),
                Span::new(params.start + start, params.start + start + len),
            ));
        }
    }
    out
}
