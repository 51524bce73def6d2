//! Hover: what the thing under the cursor is, in Markdown.

use super::parsed;
use super::symbol::{Role, Sym, symbol_at};
use crate::Analysis;
use crate::catalog::Status;
use crate::config::Config;
use crate::model::lower::top_key;
use crate::model::{InputSource, IoSpec, Job, Reference, Workflow};
use crate::schema::shape::{ShapeId, Shapes};
use crate::syntax::{Entry, Kind, Node, PathStep, Span};
use std::fmt::Write;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// What the hover is about (the editor highlights it).
    pub span: Span,
    pub markdown: String,
}

/// The hover at `offset`: a job's effective configuration on its name (and
/// on `needs` entries), the producing output on a reference, the docs of a
/// key, an action (with its parameters), an instance type or a constant.
pub fn hover(a: &Analysis, offset: usize, config: &Config) -> Option<Hover> {
    let (root, wf) = parsed(a)?;
    if let Some(h) = reference_hover(wf, offset) {
        return Some(h);
    }
    if let Some(hit) = symbol_at(wf, &a.text, offset) {
        let markdown = match (&hit.sym, hit.role) {
            (Sym::Job(name), _) => wf.job(name).map(|j| job_summary(wf, j, config)),
            (Sym::Output { job, output }, _) => output_summary(wf, job, output),
            (Sym::WorkflowInput(name), Role::Declaration) => input_summary(wf, name),
            _ => None,
        };
        if let Some(markdown) = markdown {
            return Some(Hover {
                span: hit.span,
                markdown,
            });
        }
    }
    schema_hover(root, offset, config)
}

/// A reference: the output or workflow input it reads.
fn reference_hover(wf: &Workflow, offset: usize) -> Option<Hover> {
    for job in &wf.jobs {
        if !job.span.touches(offset) {
            continue;
        }
        for (input, r) in job.references() {
            if !r.span().touches(offset) {
                continue;
            }
            let mount = format!("/inputs/{}", input.name.value);
            let markdown = match r {
                Reference::JobOutput {
                    job: from, output, ..
                } => {
                    let producer = wf.job(&from.value)?;
                    let o = producer.output(&output.value)?;
                    let mut md = format!(
                        "**`{}.outputs.{}`** — {}\n\nWritten by job `{}` at `/outputs/{}`; mounted here read-only at `{mount}`.",
                        from.value,
                        output.value,
                        io_words(o.spec.as_ref(), "output"),
                        from.value,
                        output.value,
                    );
                    if !job.needs_job(&from.value) {
                        let _ = write!(
                            md,
                            "\n\n`{}` is not in this job's `needs`: add it, or this job may start first.",
                            from.value
                        );
                    }
                    md
                }
                Reference::WorkflowInput { name, .. } => {
                    let i = wf.input(&name.value)?;
                    format!(
                        "**`workflow.inputs.{}`** — {}{}\n\nMounted here read-only at `{mount}`.",
                        name.value,
                        io_words(Some(&i.spec), "workflow input"),
                        input_value_words(&i.spec),
                    )
                }
            };
            return Some(Hover {
                span: r.span(),
                markdown,
            });
        }
    }
    None
}

/// "volume output", "dataset output (`my-data`)".
fn io_words(spec: Option<&IoSpec>, what: &str) -> String {
    let ty = spec
        .and_then(|s| s.type_name.as_ref())
        .map_or("untyped".to_string(), |t| t.value.clone());
    let mut s = format!("{ty} {what}");
    if let Some(d) = spec.and_then(|s| s.dataset.as_ref()) {
        let _ = write!(s, " (dataset `{}`)", d.value);
    }
    s
}

fn input_value_words(spec: &IoSpec) -> String {
    match (&spec.value, &spec.dataset) {
        (Some(v), _) => format!(", default `{}`", v.value),
        (None, Some(_)) => String::new(),
        (None, None) if spec.optional => ", optional".into(),
        (None, None) => ", given when the run starts".into(),
    }
}

/// Everything a job runs with after `defaults`: the action and image, the
/// machine, `needs`, env (secrets by name only), inputs and outputs with
/// their mount paths.
pub(crate) fn job_summary(wf: &Workflow, job: &Job, config: &Config) -> String {
    let mut md = format!("**job `{}`**", job.name.value);
    if let Some(u) = &job.uses {
        let _ = write!(md, " — `{}`", u.value);
    }
    md.push_str("\n\n");
    for p in ["image", "url", "name"] {
        if let Some(v) = job.param_str(p) {
            let _ = writeln!(md, "- {p}: `{}`", short(v));
        }
    }
    match wf.instance_type(job) {
        Some(t) => {
            let from = if job.instance_type.is_some() {
                ""
            } else {
                " (from `defaults`)"
            };
            let details = config
                .instance_type(&t.value)
                .map(|it| format!(" — {}", it.summary()))
                .unwrap_or_default();
            let _ = writeln!(md, "- instance type: `{}`{from}{details}", t.value);
        }
        None => md.push_str(
            "- instance type: none (no `resources.instance-type` here or in `defaults`)\n",
        ),
    }
    if !job.needs.is_empty() {
        let names: Vec<String> = job.needs.iter().map(|n| format!("`{}`", n.value)).collect();
        let _ = writeln!(md, "- needs: {}", names.join(", "));
    }
    let env = wf.effective_env(job);
    if !env.is_empty() {
        md.push_str("- env:\n");
        for e in env {
            let from_defaults = !job.env.iter().any(|j| std::ptr::eq(j, e));
            let value = match (e.secret(), &e.value) {
                (Some(s), _) => format!("secret `{s}`"),
                (None, Some(v)) => format!("`{}`", short(&v.value)),
                (None, None) => "(not a string)".into(),
            };
            let _ = writeln!(
                md,
                "  - `{}` = {value}{}",
                e.name.value,
                if from_defaults {
                    " (from `defaults`)"
                } else {
                    ""
                }
            );
        }
    }
    if !job.inputs.is_empty() {
        md.push_str("- inputs:\n");
        for i in &job.inputs {
            let from = match &i.source {
                InputSource::Reference(r) => {
                    let ty = match r {
                        Reference::JobOutput { job: j, output, .. } => wf
                            .job(&j.value)
                            .and_then(|p| p.output(&output.value))
                            .and_then(|o| o.io_type()),
                        Reference::WorkflowInput { name, .. } => {
                            wf.input(&name.value).and_then(|i| i.spec.io_type)
                        }
                    };
                    let text = match r {
                        Reference::JobOutput { job: j, output, .. } => {
                            format!("{}.outputs.{}", j.value, output.value)
                        }
                        Reference::WorkflowInput { name, .. } => {
                            format!("workflow.inputs.{}", name.value)
                        }
                    };
                    match ty {
                        Some(t) => format!("← `{text}` ({t})"),
                        None => format!("← `{text}`"),
                    }
                }
                InputSource::Inline(spec) => format!("← {}", io_words(Some(spec), "input")),
                InputSource::NotAReference(s) => {
                    format!("← `{}` (not a reference)", short(&s.value))
                }
                InputSource::Invalid => "← (invalid)".into(),
            };
            let _ = writeln!(md, "  - `/inputs/{}` {from}", i.name.value);
        }
    }
    if !job.outputs.is_empty() {
        md.push_str("- outputs:\n");
        for o in &job.outputs {
            let _ = writeln!(
                md,
                "  - `/outputs/{}` {}",
                o.name.value,
                io_words(o.spec.as_ref(), "output")
            );
        }
    }
    md.trim_end().to_string()
}

fn short(s: &str) -> String {
    let one_line = s.lines().next().unwrap_or("");
    if one_line.chars().count() > 60 || one_line.len() < s.trim_end().len() {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}…")
    } else {
        one_line.to_string()
    }
}

/// An output's declaration: its type, path and readers.
fn output_summary(wf: &Workflow, job: &str, output: &str) -> Option<String> {
    let producer = wf.job(job)?;
    let o = producer.output(output)?;
    let mut md = format!(
        "**output `{output}` of job `{job}`** — {} written at `/outputs/{output}`\n\n",
        io_words(o.spec.as_ref(), "output")
    );
    let readers: Vec<String> = wf
        .jobs
        .iter()
        .flat_map(|j| {
            j.references().filter_map(move |(i, r)| match r {
                Reference::JobOutput {
                    job: from,
                    output: out,
                    ..
                } if from.value == job && out.value == output => Some(format!(
                    "`{}` (as `/inputs/{}`)",
                    j.name.value, i.name.value
                )),
                _ => None,
            })
        })
        .collect();
    if readers.is_empty() {
        md.push_str("Read by no job.");
    } else {
        let _ = write!(md, "Read by {}.", readers.join(", "));
    }
    Some(md)
}

fn input_summary(wf: &Workflow, name: &str) -> Option<String> {
    let i = wf.input(name)?;
    let mut md = format!(
        "**workflow input `{name}`** — {}{}\n\n",
        io_words(Some(&i.spec), "input"),
        input_value_words(&i.spec)
    );
    let readers: Vec<String> = wf
        .jobs
        .iter()
        .flat_map(|j| {
            j.references().filter_map(move |(inp, r)| match r {
                Reference::WorkflowInput { name: n, .. } if n.value == name => Some(format!(
                    "`{}` (as `/inputs/{}`)",
                    j.name.value, inp.name.value
                )),
                _ => None,
            })
        })
        .collect();
    if readers.is_empty() {
        md.push_str("Read by no job.");
    } else {
        let _ = write!(md, "Read by {}.", readers.join(", "));
    }
    Some(md)
}

/// Docs from the schema: on a key, the property; on a scalar value, the
/// action, instance type or constant it names.
fn schema_hover(root: &Node, offset: usize, config: &Config) -> Option<Hover> {
    let shapes = Shapes::get();
    let steps = root.path_to(offset);
    let mut id = shapes.root;
    let mut node = root;
    for (depth, step) in steps.iter().enumerate() {
        match step {
            PathStep::Key(e) | PathStep::Value(e) => {
                let mapping = shapes.pick(id, Kind::Mapping)?;
                let key = if depth == 0 { top_key(e) } else { e.key_str() }?;
                let child = shapes.child(mapping, key, Some(node));
                if let PathStep::Key(e) = step {
                    return key_hover(shapes, mapping, node, e, key, child);
                }
                id = child?;
                id = shapes.pick(id, e.value.kind()).unwrap_or(id);
                node = &e.value;
                if e.value.scalar().is_some() && e.value.span.touches(offset) {
                    return value_hover(shapes, mapping, e, key, id, config);
                }
            }
            PathStep::Item(_, n) => {
                let seq = shapes.pick(id, Kind::Sequence)?;
                id = shapes.shape(seq).items?;
                id = shapes.pick(id, n.kind()).unwrap_or(id);
                node = n;
            }
        }
    }
    None
}

fn key_hover(
    shapes: &Shapes,
    mapping: ShapeId,
    node: &Node,
    e: &Entry,
    key: &str,
    child: Option<ShapeId>,
) -> Option<Hover> {
    let prop = shapes
        .keys(mapping, Some(node))
        .into_iter()
        .find(|p| p.name == key)?;
    let shape = shapes.shape(child.unwrap_or(prop.shape));
    let mut md = format!("**`{key}`** · {}", shape.kinds.described());
    if prop.required {
        md.push_str(", required");
    }
    if prop.deprecated || shape.deprecated {
        md.push_str(", deprecated");
    }
    if let Some(d) = prop.description.as_ref().or(shape.description.as_ref()) {
        let _ = write!(md, "\n\n{d}");
    }
    Some(Hover {
        span: e.key.span,
        markdown: md,
    })
}

fn value_hover(
    shapes: &Shapes,
    mapping: ShapeId,
    e: &Entry,
    key: &str,
    id: ShapeId,
    config: &Config,
) -> Option<Hover> {
    let value = e.value.scalar_text()?;
    let span = e.value.span;
    if key == "instance-type" {
        let t = config.instance_type(value)?;
        let mut md = format!("**instance type `{value}`** — {}", t.summary());
        match t.status {
            _ if t.custom => md.push_str("\n\nDeclared in gwk.toml (a private cluster's machine)."),
            Status::Retired(instead) => {
                let _ = write!(md, "\n\nRetired by Paperspace: use `{instead}`.");
            }
            Status::FreeTier => md.push_str("\n\nA free-tier machine."),
            Status::Current => {}
        }
        return Some(Hover { span, markdown: md });
    }
    let choice = shapes.shape(id).choices.iter().find(|c| c.value == value)?;
    let mut md = format!("**`{value}`**");
    if let Some(d) = &choice.description {
        let _ = write!(md, "\n\n{d}");
    }
    // An action: list its parameters.
    if let Some(sw) = &shapes.shape(mapping).switch
        && sw.discriminator == key
        && let Some(case) = sw.cases.iter().find(|c| c.value == value)
        && let Some(params) = shapes.pick(case.shape, Kind::Mapping)
    {
        let props = shapes.keys(params, None);
        if !props.is_empty() {
            let _ = write!(md, "\n\n`{}` parameters:\n", sw.target);
            for p in props {
                let _ = write!(
                    md,
                    "\n- `{}`{}{}",
                    p.name,
                    if p.required { " (required)" } else { "" },
                    p.description
                        .as_deref()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Some(Hover { span, markdown: md })
}
