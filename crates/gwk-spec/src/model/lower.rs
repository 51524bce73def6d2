//! Spanned YAML tree → typed [`Workflow`].

use super::*;
use crate::syntax::{Entry, Node, ScalarKind, Style, Value};

/// Builds the workflow from the document's root (lenient: see the module
/// docs of [`crate::model`]).
pub fn lower(root: &Node) -> Workflow {
    let mut wf = Workflow::default();
    for e in entries(root) {
        match top_key(e) {
            Some("jobs") => {
                wf.jobs_key = Some(e.key.span);
                wf.set_jobs(
                    entries(&e.value)
                        .filter(|j| !misplaced_job_key(j))
                        .filter_map(job)
                        .collect(),
                );
            }
            Some("inputs") => {
                wf.inputs = entries(&e.value)
                    .filter_map(|i| {
                        Some(WorkflowInput {
                            name: key(i)?,
                            spec: io_spec(&i.value)?,
                        })
                    })
                    .collect();
            }
            Some("defaults") => wf.defaults = defaults(&e.value),
            Some("on") => wf.trigger = Some(trigger(e)),
            Some("context") => wf.context = context(e),
            Some("timeout") => wf.timeout = number(&e.value),
            _ => {}
        }
    }
    wf
}

/// A top-level key, reading the boolean `true` key that YAML 1.1 loaders
/// make of an unquoted `on:` as `on`.
pub(crate) fn top_key(e: &Entry) -> Option<&str> {
    match &e.key.value {
        Value::Scalar(s) if s.kind == ScalarKind::Bool(true) && s.style == Style::Plain => {
            Some("on")
        }
        _ => e.key_str(),
    }
}

/// A key of a job written one level too shallow (`uses:` right under
/// `jobs`): not a job at all (the shape check reports it).
fn misplaced_job_key(e: &Entry) -> bool {
    let shapes = crate::schema::shape::Shapes::get();
    let is_job_key = e.key_str().is_some_and(|k| {
        shapes
            .def("Job")
            .is_some_and(|job| shapes.shape(job).property(k).is_some())
    });
    is_job_key && e.value.get("uses").is_none()
}

fn entries(node: &Node) -> impl Iterator<Item = &Entry> {
    node.as_mapping().unwrap_or_default().iter()
}

fn key(e: &Entry) -> Option<Spanned<String>> {
    e.key_str().map(|k| Spanned::new(k.to_string(), e.key.span))
}

/// The value of a string scalar, with the span of its content (inside the
/// quotes, so references can be split into parts).
pub(crate) fn string(node: &Node) -> Option<Spanned<String>> {
    let s = node.scalar()?;
    if s.kind != ScalarKind::Str {
        return None;
    }
    let span = if s.style.is_quoted() && node.span.len() >= 2 {
        Span::new(node.span.start + 1, node.span.end - 1)
    } else {
        node.span
    };
    Some(Spanned::new(s.text.to_string(), span))
}

fn strings(node: &Node) -> Vec<Spanned<String>> {
    match node.as_sequence() {
        Some(items) => items.iter().filter_map(string).collect(),
        None => Vec::new(),
    }
}

fn number(node: &Node) -> Option<Spanned<f64>> {
    let s = node.scalar()?;
    match s.kind {
        ScalarKind::Int | ScalarKind::Float => {
            let v = parse_number(&s.text)?;
            Some(Spanned::new(v, node.span))
        }
        _ => None,
    }
}

fn parse_number(t: &str) -> Option<f64> {
    if let Some(hex) = t.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(|v| v as f64);
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(|v| v as f64);
    }
    match t.trim_start_matches(['+', '-']) {
        ".inf" | ".Inf" | ".INF" => Some(if t.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
        _ => t.parse().ok(),
    }
}

fn env(node: &Node) -> Vec<EnvVar> {
    entries(node)
        .filter_map(|e| {
            Some(EnvVar {
                name: key(e)?,
                value: string(&e.value),
                value_span: e.value.span,
            })
        })
        .collect()
}

fn defaults(node: &Node) -> Defaults {
    let mut d = Defaults::default();
    for e in entries(node) {
        match e.key_str() {
            Some("env") => d.env = env(&e.value),
            Some("resources") => {
                let written = e.value.get("instance-type");
                d.instance_type_written = written.is_some();
                d.instance_type = written.and_then(string);
                d.container_registries = e
                    .value
                    .get("container-registries")
                    .map(strings)
                    .unwrap_or_default();
            }
            Some("clusterId") => d.cluster_id = string(&e.value),
            _ => {}
        }
    }
    d
}

fn io_spec(node: &Node) -> Option<IoSpec> {
    node.as_mapping()?;
    let type_name = node.get("type").and_then(string);
    let with = node.get_entry("with");
    let with_value = with.map(|w| &w.value);
    let by_ref = with_value.and_then(|w| w.get("ref")).and_then(string);
    let by_id = with_value.and_then(|w| w.get("id")).and_then(string);
    Some(IoSpec {
        io_type: type_name.as_ref().and_then(|t| IoType::parse(&t.value)),
        type_name,
        dataset_by_id: by_ref.is_none() && by_id.is_some(),
        dataset_written: with_value
            .is_some_and(|w| w.get("ref").is_some() || w.get("id").is_some()),
        dataset: by_ref.or(by_id),
        value: with_value.and_then(|w| w.get("value")).and_then(string),
        with_key: with.map(|w| w.key.span),
        optional: node
            .get("optional")
            .and_then(Node::scalar)
            .is_some_and(|s| s.kind == ScalarKind::Bool(true)),
        span: node.span,
    })
}

fn job_input(e: &Entry) -> Option<JobInput> {
    let name = key(e)?;
    let source = match &e.value.value {
        Value::Mapping(_) => io_spec(&e.value).map_or(InputSource::Invalid, InputSource::Inline),
        Value::Scalar(_) => match string(&e.value) {
            Some(s) => match parse_reference(&s.value, s.span.start) {
                Some(r) => InputSource::Reference(r),
                None => InputSource::NotAReference(s),
            },
            None => InputSource::Invalid,
        },
        Value::Sequence(_) => InputSource::Invalid,
    };
    Some(JobInput {
        name,
        source,
        span: e.value.span,
    })
}

fn job(e: &Entry) -> Option<Job> {
    let name = key(e)?;
    let body = if e.value.as_mapping().is_some() {
        e.value.span
    } else {
        Span::empty(e.key.span.end)
    };
    let mut job = Job {
        span: e.key.span.cover(e.value.span),
        name,
        body,
        uses: None,
        action: None,
        with_key: None,
        with: Vec::new(),
        needs_key: None,
        needs_value: None,
        needs_flow: false,
        needs: Vec::new(),
        inputs_key: None,
        inputs: Vec::new(),
        outputs_key: None,
        outputs: Vec::new(),
        env: Vec::new(),
        instance_type: None,
        instance_type_written: e.value.get("instance-type").is_some(),
        timeout: None,
    };
    for f in entries(&e.value) {
        match f.key_str() {
            Some("uses") => {
                job.uses = string(&f.value);
                job.action = job.uses.as_ref().and_then(|u| Action::parse(&u.value));
            }
            Some("with") => {
                job.with_key = Some(f.key.span);
                job.with = entries(&f.value)
                    .filter_map(|p| {
                        Some(Param {
                            name: key(p)?,
                            value: p.value.clone(),
                        })
                    })
                    .collect();
            }
            Some("needs") => {
                job.needs_key = Some(f.key.span);
                job.needs_value = Some(f.value.span);
                job.needs_flow = f.value.flow;
                job.needs = strings(&f.value);
            }
            Some("inputs") => {
                job.inputs_key = Some(f.key.span);
                job.inputs = entries(&f.value).filter_map(job_input).collect();
            }
            Some("outputs") => {
                job.outputs_key = Some(f.key.span);
                job.outputs = entries(&f.value)
                    .filter_map(|o| {
                        Some(Output {
                            name: key(o)?,
                            spec: io_spec(&o.value),
                            span: o.value.span,
                        })
                    })
                    .collect();
            }
            Some("env") => job.env = env(&f.value),
            Some("resources") => {
                let written = f.value.get("instance-type");
                job.instance_type_written |= written.is_some();
                job.instance_type = written.and_then(string);
            }
            Some("timeout") => job.timeout = number(&f.value),
            _ => {}
        }
    }
    Some(job)
}

fn filter(node: &Node) -> RefFilter {
    RefFilter {
        only: node.get("only").and_then(string),
        include: node.get("include").map(strings).unwrap_or_default(),
        ignore: node.get("ignore").map(strings).unwrap_or_default(),
        span: node.span,
    }
}

fn trigger(e: &Entry) -> Trigger {
    Trigger {
        key: e.key.span,
        github: e.value.get_entry("github").map(|g| GithubTrigger {
            branches: g.value.get("branches").map(filter),
            tags: g.value.get("tags").map(filter),
            span: g.key.span.cover(g.value.span),
        }),
    }
}

fn context(e: &Entry) -> Option<GithubContext> {
    let github = e.value.get("event")?.get("github");
    Some(GithubContext {
        git_ref: github.and_then(|g| g.get("ref")).and_then(string),
        url: github.and_then(|g| g.get("url")).and_then(string),
        key: e.key.span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{LineIndex, parse};

    fn wf(text: &str) -> Workflow {
        let p = parse(text, &LineIndex::new(text));
        lower(&p.root.unwrap())
    }

    #[test]
    fn lowers_jobs_needs_and_references() {
        let w = wf(
            "jobs:\n  A:\n    uses: git-checkout@v1\n    outputs:\n      repo:\n        type: volume\n  B:\n    uses: container@v1\n    needs: [A]\n    inputs:\n      repo: A.outputs.repo\n      data: {type: dataset, with: {id: old}}\n",
        );
        assert_eq!(w.jobs.len(), 2);
        let b = w.job("B").unwrap();
        assert!(b.needs_flow);
        assert_eq!(b.needs[0].value, "A");
        assert!(matches!(b.inputs[0].source, InputSource::Reference(_)));
        let InputSource::Inline(spec) = &b.inputs[1].source else {
            panic!()
        };
        assert!(spec.dataset_by_id);
        assert_eq!(
            w.job("A").unwrap().outputs[0].io_type(),
            Some(IoType::Volume)
        );
    }

    #[test]
    fn block_needs_is_not_flow() {
        let w = wf("jobs:\n  B:\n    needs:\n      - A\n");
        assert!(!w.jobs[0].needs_flow);
    }

    #[test]
    fn quoted_and_boolean_on_keys_are_triggers() {
        for key in ["on", "'on'", "\"on\"", "true"] {
            let w = wf(&format!(
                "{key}:\n  github:\n    branches:\n      only: main\njobs: {{}}\n"
            ));
            let t = w.trigger.expect(key);
            assert_eq!(
                t.github.unwrap().branches.unwrap().only.unwrap().value,
                "main"
            );
        }
    }
}
