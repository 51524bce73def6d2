//! Completion: keys and values from the compiled schema, and the names only
//! this workflow, its project and the machine know (jobs, outputs, workflow
//! inputs, instance types, datasets, secrets).

use super::context::{Context, Place, Segment, block_entries, context_at};
use super::shift::EditLog;
use crate::Analysis;
use crate::catalog::Status;
use crate::check::add_to_needs;
use crate::config::Config;
use crate::diagnostic::Edit;
use crate::graph::Dag;
use crate::model::{InputSource, IoSpec, Workflow, secret_name};
use crate::schema::shape::{Additional, ShapeId, Shapes};
use crate::syntax::{Entry, Kind, Node, Scalar, ScalarKind, Span, Style, Value};
use std::collections::BTreeMap;

/// What the item completes to, for the editor's icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Key,
    /// A constant from the schema (an action, an io type, ...).
    Choice,
    Job,
    /// A reference or a part of one.
    Reference,
    InstanceType,
    Dataset,
    Secret,
}

/// One completion item. `edit` replaces what was typed so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    pub edit: Edit,
    /// Edits elsewhere made with the item (adding a job to `needs`).
    pub additional_edits: Vec<Edit>,
    /// Orders the items: the editor sorts by this text.
    pub sort_text: String,
    pub deprecated: bool,
    /// Ask for completion again right after inserting (`Job.` → `outputs.`).
    pub retrigger: bool,
}

/// A dataset reference written in another workflow file of the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceDataset {
    pub name: String,
    /// The file it is used in, as the editor should show it.
    pub file: String,
}

/// Names that come from outside the file: the project's gwk.toml, the local
/// dataset store, other workflow files, the secrets file. The host reads
/// them; completion only lists them.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub config: Config,
    /// Directory names in the local dataset store.
    pub store_datasets: Vec<String>,
    pub workspace_datasets: Vec<WorkspaceDataset>,
    /// Secret names from the secrets file (never values).
    pub secret_file_names: Vec<String>,
    /// The secrets file, as the editor should show it.
    pub secrets_file: Option<String>,
}

/// The completion items at `offset` of `text`.
///
/// `model` is the analysis names come from: the analysis of `text` when its
/// YAML parsed, else the last one that did, with `log` the edits made since
/// (empty when the model is current). `trigger` is the character whose
/// typing asked for completion, if any.
pub fn complete(
    text: &str,
    offset: usize,
    model: Option<&Analysis>,
    log: &EditLog,
    sources: &Sources,
    trigger: Option<char>,
) -> Vec<Completion> {
    let Some(ctx) = context_at(text, offset) else {
        return Vec::new();
    };
    let c = Completer {
        text,
        ctx: &ctx,
        model,
        log,
        sources,
        shapes: Shapes::get(),
    };
    match &ctx.place {
        // A space at a key's place is indentation, not a request.
        Place::Key { .. } if trigger == Some(' ') => Vec::new(),
        Place::Key { .. } if trigger == Some('.') || trigger == Some(':') => Vec::new(),
        Place::Key {
            span,
            has_colon,
            indent,
            ..
        } => c.keys(*span, *has_colon, *indent),
        Place::Value {
            span,
            prefix,
            quoted,
            space,
        } => c.value(*span, prefix, *quoted, *space, trigger),
        Place::Item { span, .. } => c.item(*span, trigger),
    }
}

/// At most `max` of `items` (all when they are fewer, or `max` is 0), and
/// whether some were left out (the editor should then ask again as the
/// user types). Kept are those the text typed so far (from each item's
/// edit start to `offset`) matches as a subsequence, ignoring case — as
/// editors filter — with prefix matches first, each group in order.
pub fn limit(
    text: &str,
    offset: usize,
    items: Vec<Completion>,
    max: usize,
) -> (Vec<Completion>, bool) {
    if max == 0 || items.len() <= max {
        return (items, false);
    }
    let typed = |it: &Completion| -> String {
        let start = it.edit.span.start.min(offset);
        text.get(start..offset)
            .unwrap_or("")
            .trim_start()
            .to_lowercase()
    };
    let mut prefixed = Vec::new();
    let mut fuzzy = Vec::new();
    for it in items {
        let t = typed(&it);
        let label = it.label.to_lowercase();
        if label.starts_with(&t) {
            prefixed.push(it);
        } else if subsequence(&t, &label) {
            fuzzy.push(it);
        }
    }
    let total = prefixed.len() + fuzzy.len();
    let mut out: Vec<Completion> = prefixed.into_iter().chain(fuzzy).take(max).collect();
    // The editor orders by sort text: keep the order chosen here.
    for (i, it) in out.iter_mut().enumerate() {
        it.sort_text = format!("{i:05}");
    }
    (out, total > max)
}

fn subsequence(needle: &str, hay: &str) -> bool {
    let mut chars = hay.chars();
    needle.chars().all(|n| chars.any(|h| h == n))
}

struct Completer<'a> {
    text: &'a str,
    ctx: &'a Context,
    model: Option<&'a Analysis>,
    log: &'a EditLog,
    sources: &'a Sources,
    shapes: &'static Shapes,
}

fn item(
    label: impl Into<String>,
    kind: ItemKind,
    span: Span,
    insert: impl Into<String>,
) -> Completion {
    Completion {
        label: label.into(),
        kind,
        detail: None,
        documentation: None,
        edit: Edit {
            span,
            text: insert.into(),
        },
        additional_edits: Vec::new(),
        sort_text: String::new(),
        deprecated: false,
        retrigger: false,
    }
}

/// Gives items a sort text that keeps their order.
fn in_order(mut items: Vec<Completion>) -> Vec<Completion> {
    for (i, it) in items.iter_mut().enumerate() {
        it.sort_text = format!("{i:05}");
    }
    items
}

impl<'a> Completer<'a> {
    fn wf(&self) -> Option<&'a Workflow> {
        self.model.and_then(|m| m.workflow.as_ref())
    }

    /// A mapping with only the switch's discriminator, read from the text,
    /// so `Shapes` can pick the case (`with` of a `container@v1` job).
    fn discriminator(&self, mapping: ShapeId, owner: Option<&Segment>) -> Option<Node> {
        let sw = self.shapes.shape(mapping).switch.as_ref()?;
        let value = block_entries(self.text, owner)
            .into_iter()
            .find(|(k, _, _)| *k == sw.discriminator)?
            .1;
        let scalar = |text: &str| Node {
            value: Value::Scalar(Scalar {
                text: text.into(),
                style: Style::Plain,
                kind: ScalarKind::Str,
            }),
            span: Span::default(),
            flow: false,
        };
        Some(Node {
            value: Value::Mapping(vec![Entry {
                key: scalar(&sw.discriminator),
                value: scalar(&value),
            }]),
            span: Span::default(),
            flow: false,
        })
    }

    /// The shape of the value of `path[..upto]` (the root for 0), with the
    /// mappings on the way picked and their switches applied.
    fn shape(&self, upto: usize) -> Option<ShapeId> {
        let mut id = self.shapes.root;
        for level in 0..upto {
            let mapping = self.shapes.pick(id, Kind::Mapping)?;
            let owner = self.ctx.owner(level);
            let node = self.discriminator(mapping, owner);
            id = self
                .shapes
                .child(mapping, &self.ctx.path[level].key, node.as_ref())?;
        }
        Some(id)
    }

    /// The mapping the cursor's keys belong to, when the schema knows it.
    fn mapping(&self) -> Option<ShapeId> {
        let id = self.shape(self.ctx.path.len())?;
        self.shapes.pick(id, Kind::Mapping)
    }

    fn keys(&self, span: Span, has_colon: bool, indent: usize) -> Vec<Completion> {
        let Some(mapping) = self.mapping() else {
            return Vec::new();
        };
        let cursor_line = self.text[..span.start].rfind('\n').map_or(0, |p| p + 1);
        let owner = self.ctx.path.last();
        let present: Vec<String> = block_entries(self.text, owner)
            .into_iter()
            .filter(|(_, _, line)| *line != cursor_line)
            .map(|(k, _, _)| k)
            .collect();
        let node = self.discriminator(mapping, owner);
        let mut props = self.shapes.keys(mapping, node.as_ref());
        props.retain(|p| !present.contains(&p.name));
        // Required keys first, deprecated ones last, else the schema's order.
        props.sort_by_key(|p| (!p.required, p.deprecated));
        let pad = " ".repeat(indent + 2);
        let items = props
            .into_iter()
            .map(|p| {
                let shape = self.shapes.shape(p.shape);
                let kinds = value_kinds(self.shapes, p.shape);
                let insert = if has_colon {
                    p.name.clone()
                } else if kinds == (Kind::Mapping, true) {
                    format!("{}:\n{pad}", p.name)
                } else if kinds == (Kind::Sequence, true) {
                    format!("{}:\n{pad}- ", p.name)
                } else {
                    format!("{}: ", p.name)
                };
                let mut it = item(&p.name, ItemKind::Key, span, insert);
                let mut detail = shape.kinds.described();
                if p.required {
                    detail.push_str(", required");
                }
                it.detail = Some(detail);
                it.documentation = p.description.clone().or_else(|| shape.description.clone());
                it.deprecated = p.deprecated || shape.deprecated;
                it
            })
            .collect();
        in_order(items)
    }

    fn value(
        &self,
        span: Span,
        prefix: &str,
        quoted: bool,
        space: bool,
        trigger: Option<char>,
    ) -> Vec<Completion> {
        let keys = self.ctx.keys();
        let lead = if space { " " } else { "" };
        if secret_name(prefix).is_some() && !matches!(keys.as_slice(), ["jobs", _, "inputs", ..]) {
            let after = Span::new(span.start + "secret:".len(), span.end);
            return self.secrets(after);
        }
        if trigger == Some(' ') && !space && !prefix.trim().is_empty() {
            return Vec::new();
        }
        match keys.as_slice() {
            ["jobs", job, "inputs", _] => self.references(job, span, prefix, lead),
            _ if trigger == Some('.') => Vec::new(),
            ["jobs", job, "needs"] if !quoted => self
                .jobs(job, span)
                .into_iter()
                .map(|mut it| {
                    it.edit.text = format!("{lead}[{}]", it.edit.text);
                    it
                })
                .collect(),
            [.., "resources", "instance-type"] => self.instance_types(span, lead),
            [.., "with", "ref" | "id"] if self.is_dataset_with() => self.datasets(span, lead),
            ["jobs", _, "with", key @ ("url" | "ref")] if self.action_is("git-checkout@v1") => {
                self.github_context(key, span, lead)
            }
            _ => self.choices(span, lead),
        }
    }

    fn item(&self, span: Span, trigger: Option<char>) -> Vec<Completion> {
        if trigger == Some('.') || trigger == Some(':') {
            return Vec::new();
        }
        match self.ctx.keys().as_slice() {
            ["jobs", job, "needs"] => self.jobs(job, span),
            _ => Vec::new(),
        }
    }

    /// Whether the job the cursor is in runs `action`.
    fn action_is(&self, action: &str) -> bool {
        self.ctx.path.get(1).is_some_and(|job| {
            block_entries(self.text, Some(job))
                .iter()
                .any(|(k, v, _)| k == "uses" && v == action)
        })
    }

    /// `context.event.github.url` / `.ref`: the repository and commit of
    /// the push that started the run.
    fn github_context(&self, key: &str, span: Span, lead: &str) -> Vec<Completion> {
        let (value, doc) = if key == "url" {
            (
                crate::check::GITHUB_URL,
                "The repository whose push started the run (set by Gradient for runs `on.github` starts; give `context.event.github.url` for runs started by hand).",
            )
        } else {
            (
                crate::check::GITHUB_REF,
                "The commit of the push that started the run (set by Gradient for runs `on.github` starts; give `context.event.github.ref` for runs started by hand).",
            )
        };
        let mut it = item(value, ItemKind::Choice, span, format!("{lead}{value}"));
        it.documentation = Some(doc.to_string());
        in_order(vec![it])
    }

    /// Whether the mapping that holds the cursor's key is a dataset's `with`.
    fn is_dataset_with(&self) -> bool {
        let n = self.ctx.path.len();
        let Some(with) = n.checked_sub(1).and_then(|p| self.shape(p)) else {
            return false;
        };
        let Some(with) = self.shapes.pick(with, Kind::Mapping) else {
            return false;
        };
        self.shapes.shape(with).def.as_deref() == Some("DatasetWith")
    }

    /// The constants the value's shape allows, with their docs.
    fn choices(&self, span: Span, lead: &str) -> Vec<Completion> {
        let Some(id) = self.shape(self.ctx.path.len()) else {
            return Vec::new();
        };
        let id = self
            .shapes
            .pick(id, Kind::Str)
            .or_else(|| self.shapes.pick(id, Kind::Bool))
            .unwrap_or(id);
        let shape = self.shapes.shape(id);
        let mut items: Vec<Completion> = shape
            .choices
            .iter()
            .map(|c| {
                let mut it = item(
                    &c.value,
                    ItemKind::Choice,
                    span,
                    format!("{lead}{}", c.value),
                );
                it.documentation = c.description.clone();
                it
            })
            .collect();
        if items.is_empty() && shape.kinds.accepts(Kind::Bool) && !shape.kinds.accepts(Kind::Str) {
            for b in ["true", "false"] {
                items.push(item(b, ItemKind::Choice, span, format!("{lead}{b}")));
            }
        }
        in_order(items)
    }

    /// Job names for `needs` of `job`: not the job itself, not one that
    /// needs it (directly or not: that would close a cycle), not one listed
    /// already (except the entry being written).
    fn jobs(&self, job: &str, span: Span) -> Vec<Completion> {
        let Some(wf) = self.wf() else {
            return Vec::new();
        };
        let dag = Dag::new(wf);
        let me = wf.job_index(job);
        let cycle = me.map(|i| dag.descendants(i)).unwrap_or_default();
        let written = self.text.get(span.start..span.end).unwrap_or("");
        let mut listed: Vec<&str> = me
            .map(|i| wf.jobs[i].needs.iter().map(|n| n.value.as_str()).collect())
            .unwrap_or_default();
        if let Some(p) = listed.iter().position(|n| *n == written) {
            listed.remove(p);
        }
        let items = wf
            .jobs
            .iter()
            .enumerate()
            .filter(|(i, j)| {
                j.name.value != job
                    && !cycle.get(*i).copied().unwrap_or(false)
                    && !listed.contains(&j.name.value.as_str())
            })
            .map(|(_, j)| {
                let mut it = item(&j.name.value, ItemKind::Job, span, &j.name.value);
                it.detail = Some(job_detail(wf, j));
                it
            })
            .collect();
        in_order(items)
    }

    /// `workflow.inputs.X` and `JOB.outputs.X` for the value of an input of
    /// `job`, a part at a time after a dot.
    fn references(&self, job: &str, span: Span, prefix: &str, lead: &str) -> Vec<Completion> {
        let Some(wf) = self.wf() else {
            return Vec::new();
        };
        let dag = Dag::new(wf);
        let me = wf.job_index(job);
        let cycle = me.map(|i| dag.descendants(i)).unwrap_or_default();
        let readable =
            |i: usize, name: &str| name != job && !cycle.get(i).copied().unwrap_or(false);
        let needed = |name: &str| me.is_some_and(|i| wf.jobs[i].needs_job(name));
        let parts: Vec<&str> = prefix.split('.').collect();
        let last_dot = prefix.rfind('.').map_or(0, |d| d + 1);
        let segment = Span::new(span.start + last_dot, span.end);
        let mut items = Vec::new();
        match parts.as_slice() {
            [_] => {
                for i in &wf.inputs {
                    let r = format!("workflow.inputs.{}", i.name.value);
                    let mut it = item(&r, ItemKind::Reference, span, format!("{lead}{r}"));
                    it.detail = Some(io_detail("workflow input", Some(&i.spec)));
                    it.sort_text = "1".into();
                    items.push(it);
                }
                for (i, producer) in wf.jobs.iter().enumerate() {
                    if !readable(i, &producer.name.value) {
                        continue;
                    }
                    let group = if needed(&producer.name.value) { 0 } else { 2 };
                    let edit = self.needs_edit(me, &producer.name.value);
                    for o in &producer.outputs {
                        let r = format!("{}.outputs.{}", producer.name.value, o.name.value);
                        let mut it = item(&r, ItemKind::Reference, span, format!("{lead}{r}"));
                        it.detail = Some(io_detail(
                            &format!("output of {}", producer.name.value),
                            o.spec.as_ref(),
                        ));
                        it.additional_edits = edit.clone();
                        it.sort_text = format!("{group}");
                        items.push(it);
                    }
                }
            }
            ["workflow", _] => items.push(segment_item("inputs.", segment)),
            [j, _] => {
                if let Some(i) = wf.job_index(j)
                    && readable(i, j)
                {
                    items.push(segment_item("outputs.", segment));
                }
            }
            ["workflow", "inputs", _] => {
                for i in &wf.inputs {
                    let mut it = item(&i.name.value, ItemKind::Reference, segment, &i.name.value);
                    it.detail = Some(io_detail("workflow input", Some(&i.spec)));
                    items.push(it);
                }
            }
            [j, "outputs", _] => {
                if let Some(i) = wf.job_index(j)
                    && readable(i, j)
                {
                    let producer = &wf.jobs[i];
                    let edit = self.needs_edit(me, j);
                    for o in &producer.outputs {
                        let mut it =
                            item(&o.name.value, ItemKind::Reference, segment, &o.name.value);
                        it.detail = Some(io_detail(
                            &format!("output of {}", producer.name.value),
                            o.spec.as_ref(),
                        ));
                        it.additional_edits = edit.clone();
                        items.push(it);
                    }
                }
            }
            _ => {}
        }
        // Outputs of jobs already needed first, then the workflow inputs,
        // then the other jobs' outputs, each in file order.
        items.sort_by_key(|it| it.sort_text.clone());
        in_order(items)
    }

    /// The edit that adds `producer` to `needs` of job number `job`, when it is not
    /// there yet; placed in the text as it is now (none when the model is
    /// stale and the edit's place has changed since).
    fn needs_edit(&self, job: Option<usize>, producer: &str) -> Vec<Edit> {
        let Some(model) = self.model else {
            return Vec::new();
        };
        let Some(j) = job.and_then(|i| model.workflow.as_ref()?.jobs.get(i)) else {
            return Vec::new();
        };
        if j.needs_job(producer) {
            return Vec::new();
        }
        let Some(fix) = add_to_needs(&model.text, &model.line_index, j, producer) else {
            return Vec::new();
        };
        fix.edits
            .into_iter()
            .map(|e| {
                Some(Edit {
                    span: self.log.forward(e.span)?,
                    text: e.text,
                })
            })
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default()
    }

    fn instance_types(&self, span: Span, lead: &str) -> Vec<Completion> {
        let config = &self.sources.config;
        let mut items: Vec<(u8, Completion)> = config
            .instance_type_names()
            .into_iter()
            .filter_map(|name| {
                let t = config.instance_type(&name)?;
                let mut it = item(&name, ItemKind::InstanceType, span, format!("{lead}{name}"));
                let class = if t.is_gpu() {
                    format!("GPU ×{}", t.gpus)
                } else {
                    "CPU".to_string()
                };
                let mut detail = format!("{class} · {}", t.summary());
                let group = match t.status {
                    _ if t.custom => {
                        detail.push_str(" · gwk.toml");
                        0
                    }
                    Status::Current => 1,
                    Status::FreeTier => {
                        detail.push_str(" · free tier");
                        2
                    }
                    Status::Retired(instead) => {
                        it.deprecated = true;
                        it.documentation =
                            Some(format!("Retired by Paperspace; use `{instead}` instead."));
                        3
                    }
                };
                it.detail = Some(detail);
                Some((group, it))
            })
            .collect();
        items.sort_by_key(|(g, _)| *g);
        in_order(items.into_iter().map(|(_, it)| it).collect())
    }

    /// Dataset names from the project's gwk.toml, the local store, other
    /// workflow files and this one.
    fn datasets(&self, span: Span, lead: &str) -> Vec<Completion> {
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut add = |name: &str, from: String| {
            let e = found.entry(name.to_string()).or_default();
            if !e.contains(&from) {
                e.push(from);
            }
        };
        for d in &self.sources.config.datasets {
            add(d, "gwk.toml".into());
        }
        for d in &self.sources.store_datasets {
            add(d, "local dataset store".into());
        }
        for d in &self.sources.workspace_datasets {
            add(&d.name, format!("used in {}", d.file));
        }
        if let Some(wf) = self.wf() {
            let written = self.text.get(span.start..span.end).unwrap_or("");
            for d in dataset_refs(wf) {
                if d != written {
                    add(&d, "used in this file".into());
                }
            }
        }
        let items = found
            .into_iter()
            .map(|(name, from)| {
                let mut it = item(&name, ItemKind::Dataset, span, format!("{lead}{name}"));
                it.detail = Some(from.join(", "));
                it
            })
            .collect();
        in_order(items)
    }

    /// Secret names (never values) from gwk.toml, the secrets file and the
    /// `secret:` values of this file.
    fn secrets(&self, span: Span) -> Vec<Completion> {
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut add = |name: &str, from: String| {
            let e = found.entry(name.to_string()).or_default();
            if !e.contains(&from) {
                e.push(from);
            }
        };
        for s in &self.sources.config.secrets {
            add(s, "gwk.toml".into());
        }
        let file = self
            .sources
            .secrets_file
            .as_deref()
            .unwrap_or("the secrets file");
        for s in &self.sources.secret_file_names {
            add(s, file.to_string());
        }
        if let Some(wf) = self.wf() {
            let written = self.text.get(span.start..span.end).unwrap_or("");
            for job in &wf.jobs {
                for e in job.env.iter().chain(&wf.defaults.env) {
                    if let Some(s) = e.secret()
                        && s != written
                    {
                        add(s, "used in this file".into());
                    }
                }
            }
        }
        let items = found
            .into_iter()
            .map(|(name, from)| {
                let mut it = item(&name, ItemKind::Secret, span, &name);
                it.detail = Some(from.join(", "));
                it
            })
            .collect();
        in_order(items)
    }
}

fn segment_item(text: &str, span: Span) -> Completion {
    let mut it = item(text, ItemKind::Reference, span, text);
    it.retrigger = true;
    it
}

/// The kind a property's value must be, and whether that is the only kind.
fn value_kinds(shapes: &Shapes, id: ShapeId) -> (Kind, bool) {
    let shape = shapes.shape(id);
    if !shape.alternatives.is_empty() {
        return (Kind::Str, false);
    }
    let only = |k: Kind| {
        shape.kinds.accepts(k)
            && [
                Kind::Str,
                Kind::Int,
                Kind::Bool,
                Kind::Mapping,
                Kind::Sequence,
            ]
            .iter()
            .filter(|o| **o != k)
            .all(|o| !shape.kinds.accepts(*o))
    };
    if only(Kind::Mapping)
        || (shape.kinds.any()
            && (!shape.properties.is_empty()
                || matches!(shape.additional, Some(Additional::Shape(_)))))
    {
        (Kind::Mapping, true)
    } else if only(Kind::Sequence) {
        (Kind::Sequence, true)
    } else {
        (Kind::Str, false)
    }
}

/// "container@v1 · P4000" for a job.
fn job_detail(wf: &Workflow, job: &crate::model::Job) -> String {
    let mut parts = Vec::new();
    if let Some(u) = &job.uses {
        parts.push(u.value.clone());
    }
    if let Some(t) = wf.instance_type(job) {
        parts.push(t.value.clone());
    }
    parts.join(" · ")
}

/// "volume output of Train", "dataset workflow input (ref raw-data)".
fn io_detail(what: &str, spec: Option<&IoSpec>) -> String {
    let ty = spec
        .and_then(|s| s.type_name.as_ref())
        .map(|t| t.value.as_str());
    let mut s = match ty {
        Some(t) => format!("{t} {what}"),
        None => what.to_string(),
    };
    if let Some(d) = spec.and_then(|s| s.dataset.as_ref()) {
        s.push_str(&format!(" ({})", d.value));
    }
    s
}

/// The dataset names a workflow refers to (inputs, inline inputs, outputs).
pub fn dataset_refs(wf: &Workflow) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |spec: Option<&IoSpec>| {
        if let Some(d) = spec.and_then(|s| s.dataset.as_ref())
            && !out.contains(&d.value)
        {
            out.push(d.value.clone());
        }
    };
    for i in &wf.inputs {
        add(Some(&i.spec));
    }
    for job in &wf.jobs {
        for i in &job.inputs {
            if let InputSource::Inline(spec) = &i.source {
                add(Some(spec));
            }
        }
        for o in &job.outputs {
            add(o.spec.as_ref());
        }
    }
    out
}
