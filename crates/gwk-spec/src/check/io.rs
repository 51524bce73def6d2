//! Inputs and outputs used against the rules of their type (`io-type`),
//! dataset references (`dataset-ref`, `unknown-dataset`)
//! and datasets written by two jobs at once (`dataset-conflict`).

use super::{Ctx, scripts, shape};
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::model::{InputSource, IoSpec, IoType, Output, Reference};
use crate::suggest::best;
use crate::syntax::{Kind, Node};
use std::collections::BTreeMap;

pub fn check(ctx: &mut Ctx) {
    let wf = ctx.wf;
    for input in &wf.inputs {
        if input.spec.io_type == Some(IoType::Volume) {
            ctx.report(
                Code::IoType,
                type_span(&input.spec),
                format!(
                    "workflow input `{}` is a volume, but a volume exists only inside a run: \
                     bring data in as a `dataset` (or a `string`)",
                    input.name.value
                ),
            );
        }
        dataset(ctx, &input.spec, &input.name.value, false);
    }
    for job in &wf.jobs {
        for input in &job.inputs {
            match &input.source {
                InputSource::Inline(spec) => {
                    if spec.io_type == Some(IoType::Volume) {
                        ctx.report(
                            Code::IoType,
                            type_span(spec),
                            format!(
                                "input `{}` is an inline volume, but there is nothing to mount: \
                                 a volume comes only from an earlier job's output \
                                 (`JOB.outputs.NAME`)",
                                input.name.value
                            ),
                        );
                    }
                    dataset(ctx, spec, &input.name.value, false);
                }
                InputSource::Reference(Reference::JobOutput {
                    job: from, output, ..
                }) => {
                    // Re-exporting a received volume under the same name.
                    let received_volume = wf
                        .job(&from.value)
                        .and_then(|p| p.output(&output.value))
                        .and_then(|o| o.io_type())
                        == Some(IoType::Volume);
                    if let Some(o) = job.output(&input.name.value)
                        && received_volume
                        && o.io_type() == Some(IoType::Volume)
                    {
                        ctx.push(
                            Diagnostic::new(
                                Code::IoType,
                                o.name.span,
                                format!(
                                    "output `{}` re-declares the volume this job receives as \
                                         input `{}`: a volume cannot be an output of any job but \
                                         the one that made it. Later jobs can read `{}.outputs.{}` \
                                         directly; to change the files, write them to a new output",
                                    o.name.value, input.name.value, from.value, output.value
                                ),
                            )
                            .with_related(input.name.span, "received here"),
                        );
                    }
                }
                _ => {}
            }
        }
        for o in &job.outputs {
            match &o.spec {
                Some(spec) => dataset(ctx, spec, &o.name.value, true),
                None => not_a_mapping(ctx, &job.name.value, o),
            }
        }
        written_against_type(ctx, job);
    }
    conflicts(ctx);
}

/// Outputs the job's commands write against their type: a string output
/// is one file holding the string (`mkdir /outputs/s`, `/outputs/s/x`
/// make it a directory), a volume or dataset output is a directory
/// mounted there (`> /outputs/v`, `touch /outputs/v` write a file in its
/// place). Either fails at run time, or loses the output. A warning: it is
/// a reading of shell text, not of the shell.
fn written_against_type(ctx: &mut Ctx, job: &crate::model::Job) {
    for node in scripts::command_nodes(job) {
        let Some(raw) = node.as_str() else { continue };
        if !raw.contains("/outputs/") {
            continue;
        }
        let text = scripts::blank_comments(raw);
        let source = scripts::blank_comments(&ctx.text[node.span.start..node.span.end]);
        for o in &job.outputs {
            let Some(kind) = o.io_type() else { continue };
            let path = format!("/outputs/{}", o.name.value);
            for (nth, (i, _)) in text.match_indices(path.as_str()).enumerate() {
                let after = &text[i + path.len()..];
                if after.starts_with(|c: char| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
                    continue; // `/outputs/model2` is another output
                }
                // The command the path is an argument of, and what precedes it.
                let line_start = text[..i]
                    .rfind(['\n', ';', '|', '&', '('])
                    .map_or(0, |p| p + 1);
                let before = text[line_start..i].trim_end();
                let words: Vec<&str> = before.split_whitespace().collect();
                let program = words
                    .iter()
                    .copied()
                    .find(|w| !w.contains('=') && *w != "sudo")
                    .unwrap_or_default();
                let as_dir = program == "mkdir"
                    || after.starts_with('/')
                        && after[1..]
                            .starts_with(|c: char| !c.is_whitespace() && c != '"' && c != '\'');
                // The output's own path, not a file inside it.
                let ends_here = !after.starts_with('/');
                let as_file = ends_here
                    && (before.ends_with('>')
                        || matches!(program, "touch" | "tee" | "truncate")
                        || matches!(words.last(), Some(&("-o" | "-O" | "--output"))));
                let message = match kind {
                    IoType::String if as_dir => format!(
                        "string output `{}` is one file, `{path}`, whose content is the string; \
                         this makes it a directory, so the job has no string to pass on: write the \
                         value into the file (`echo VALUE > {path}`)",
                        o.name.value
                    ),
                    IoType::Volume | IoType::Dataset if as_file => format!(
                        "{} output `{}` is a directory mounted at `{path}`; this writes a file in \
                         its place, which fails: write a file inside it (`{path}/FILE`)",
                        kind, o.name.value
                    ),
                    _ => continue,
                };
                let at = scripts::locate(&source, node.span, &path, nth);
                let mut d = Diagnostic::new(Code::IoType, at, message)
                    .with_related(o.name.span, "declared here");
                d.severity = crate::Severity::Warning;
                ctx.push(d);
                break; // once per output and command
            }
        }
    }
}

/// An output written as a bare value (`repo: CloneRepo`).
fn not_a_mapping(ctx: &mut Ctx, job: &str, o: &Output) {
    let name = &o.name.value;
    // `type:` straight under `outputs` is the output's own key written one
    // level too shallow: the shape rule reports that.
    if shape::is_output_key(name) {
        return;
    }
    let got = output_node(ctx.root, job, name).map_or(Kind::Null, Node::kind);
    ctx.report(
        Code::IoType,
        o.span,
        format!(
            "output `{name}` is {got}; an output is declared as a mapping with a `type` \
             (`volume`, `string` or `dataset`). A job cannot pass on another job's output: \
             the consumer reads it directly as `JOB.outputs.NAME`"
        ),
    );
}

/// The value of output `name` of job `job` in the tree.
fn output_node<'a>(root: &'a Node, job: &str, name: &str) -> Option<&'a Node> {
    let jobs = root.get("jobs")?;
    let job = jobs
        .as_mapping()?
        .iter()
        .find(|e| e.key_str() == Some(job))?;
    job.value.get("outputs")?.get(name)
}

fn type_span(spec: &IoSpec) -> crate::syntax::Span {
    spec.type_name.as_ref().map_or(spec.span, |t| t.span)
}

/// A dataset io: `with.ref` present and well-formed, and known when the
/// project lists its datasets.
fn dataset(ctx: &mut Ctx, spec: &IoSpec, name: &str, output: bool) {
    if spec.io_type != Some(IoType::Dataset) {
        return;
    }
    let Some(r) = &spec.dataset else {
        // A `ref` that is not a string has its own finding (`invalid-type`).
        if let Some(with) = spec.with_key.filter(|_| !spec.dataset_written) {
            ctx.report(
                Code::DatasetRef,
                with,
                format!("dataset `{name}` needs `with.ref`: the dataset's name or ID"),
            );
        }
        return;
    };
    let usage = if output {
        crate::plan::DatasetUse::Output
    } else {
        crate::plan::DatasetUse::Input
    };
    if let Err(why) = crate::plan::check_dataset_ref(&r.value, usage) {
        let message = if r.value.is_empty() {
            format!("dataset `{name}` has an empty `ref`: give the dataset's name or ID")
        } else {
            format!("`{}` is not a dataset reference: {why}", r.value)
        };
        ctx.report(Code::DatasetRef, r.span, message);
        return;
    }
    if output && let Some((base, "latest")) = r.value.split_once(':') {
        // Every version a job writes becomes the latest: the tag says
        // nothing, and a reader may take it for a version to overwrite.
        let mut d = Diagnostic::new(
            Code::DatasetRef,
            r.span,
            format!(
                "`:latest` on an output adds nothing: every version a job writes becomes the \
                 latest of `{base}`. Write `{base}`, or `{base}:TAG` to tag the new version"
            ),
        )
        .with_fix(Fix::replace(format!("write `{base}`"), r.span, base));
        d.severity = crate::Severity::Warning;
        ctx.push(d);
    }
    let known = &ctx.config.datasets;
    let base = dataset_name(&r.value);
    if !known.is_empty() && !known.iter().any(|k| k == base) && !base.starts_with("gradient/") {
        let mut d = Diagnostic::new(
            Code::UnknownDataset,
            r.span,
            format!(
                "dataset `{base}` is not among the datasets gwk.toml lists{}",
                if output {
                    "; it must exist before the run"
                } else {
                    ""
                }
            ),
        );
        if let Some(s) = best(base, known.iter().map(String::as_str)) {
            d.message.push_str(&format!("; did you mean `{s}`?"));
        }
        ctx.push(d);
    }
}

/// The dataset a reference names, without its version or tag.
pub fn dataset_name(r: &str) -> &str {
    r.split_once(':').map_or(r, |(n, _)| n)
}

/// Two jobs that can run at the same time writing the same dataset: their
/// versions clash.
fn conflicts(ctx: &mut Ctx) {
    let wf = ctx.wf;
    let mut writers: BTreeMap<&str, Vec<(usize, &crate::model::Spanned<String>)>> = BTreeMap::new();
    for (i, job) in wf.jobs.iter().enumerate() {
        for o in &job.outputs {
            let Some(spec) = &o.spec else { continue };
            if spec.io_type != Some(IoType::Dataset) {
                continue;
            }
            if let Some(r) = &spec.dataset {
                writers
                    .entry(dataset_name(&r.value))
                    .or_default()
                    .push((i, r));
            }
        }
    }
    for (name, ws) in writers {
        for (k, &(b, b_ref)) in ws.iter().enumerate() {
            let clash = ws[..k]
                .iter()
                .find(|&&(a, _)| a != b && ctx.dag.independent(a, b));
            if let Some(&(a, a_ref)) = clash {
                let (ja, jb) = (&wf.jobs[a].name.value, &wf.jobs[b].name.value);
                ctx.push(
                    Diagnostic::new(
                        Code::DatasetConflict,
                        b_ref.span,
                        format!(
                            "jobs `{ja}` and `{jb}` can run at the same time and both write dataset \
                             `{name}`: their new versions clash. Give each its own dataset, or make \
                             one need the other"
                        ),
                    )
                    .with_related(a_ref.span, format!("`{ja}` writes `{name}` here")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dataset_reference_grammar() {
        // The rule is gwk-spec's one dataset name rule (plan/dataset.rs).
        use crate::plan::{DatasetUse, check_dataset_ref};
        for ok in [
            "demo-dataset",
            "dsr8k5qzn401lb5",
            "test-one:qdwlyje",
            "gradient/voxpt",
            "team/name:latest",
            "my_data.v2",
        ] {
            assert!(check_dataset_ref(ok, DatasetUse::Input).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "s3://x/y", "a/b/c", "name:", "name:v 1", ":v1"] {
            assert!(check_dataset_ref(bad, DatasetUse::Input).is_err(), "{bad}");
        }
    }
}
