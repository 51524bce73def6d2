//! The shape check: the YAML tree walked against the compiled schema.
//!
//! Reports `unknown-key`, `invalid-type`, `missing-key`, `invalid-value`,
//! `unknown-action` and the schema's deprecations, each at the narrowest
//! span, with a ranked suggestion and a fix where one is mechanical.

use super::edits::quoted;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::model::Action;
use crate::schema::shape::{Additional, Property, ShapeId, Shapes, SwitchCase};
use crate::suggest::{best, one_of};
use crate::syntax::{Entry, Kind, Node, ScalarKind, Span, Style, Value};
use std::borrow::Cow;

/// The rule's entry in the registry.
pub(super) fn run(ctx: &mut super::Ctx) {
    for d in check(ctx.root, ctx.text) {
        ctx.push(d);
    }
    checkout_urls(ctx);
}

/// A git-checkout `url` that is neither a URL nor a `context.…` value
/// (`url: not a url`): git would fail to clone it, at run time. The
/// `context.…` values are the triggers rule's to judge.
fn checkout_urls(ctx: &mut super::Ctx) {
    for job in &ctx.wf.jobs {
        if job.action != Some(Action::GitCheckout) {
            continue;
        }
        let Some(url) = job
            .param("url")
            .and_then(|p| crate::model::lower::string(&p.value))
        else {
            continue;
        };
        let u = url.value.trim();
        if u.starts_with("context.") || looks_like_git_url(u) {
            continue;
        }
        ctx.report(
            Code::InvalidValue,
            url.span,
            format!(
                "`{u}` is not a repository URL: give the clone URL \
                 (`https://github.com/OWNER/REPO`), or `context.event.github.url` for the \
                 repository whose push started the run"
            ),
        );
    }
}

/// The action whose name has the same words in another order
/// (`model-create@v1`, as the Gradient docs' heading says, for
/// `create-model@v1`).
fn same_words_action(value: &str) -> Option<&'static str> {
    let words = |s: &str| {
        let name = s.split('@').next().unwrap_or(s).to_ascii_lowercase();
        let mut w: Vec<String> = name
            .split(['-', '_', ' '])
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect();
        w.sort();
        w
    };
    let written = words(value);
    Action::ALL
        .iter()
        .find(|a| words(a.as_str()) == written)
        .map(|a| a.as_str())
}

/// A command line written as one string (`bash -c "echo hi"`) as the YAML
/// flow list a container's `args` needs, split as a POSIX shell splits it:
/// `[bash, -c, "echo hi"]`. A line that uses the shell itself (`a && b`,
/// `> file`, `$VAR`) is kept whole and run by `sh -c`, which is what it
/// meant. `None` when a quote is left open.
fn command_as_list(text: &str) -> Option<String> {
    let words = shlex::split(text)?;
    const OPERATORS: &[&str] = &["&&", "||", "|", ";", "&", ">", ">>", "<", "2>", "2>&1"];
    // `bash -c "echo $HOME"`: the inner shell expands what the outer would.
    let runs_a_shell = matches!(words.as_slice(), [sh, c, ..]
        if matches!(sh.as_str(), "sh" | "bash" | "zsh" | "/bin/sh" | "/bin/bash") && c == "-c");
    let shell_syntax = words.iter().any(|w| OPERATORS.contains(&w.as_str()))
        || (!runs_a_shell && (text.contains('$') || text.contains('`')));
    let items: Vec<String> = if shell_syntax {
        vec!["sh".into(), "-c".into(), text.trim().to_string()]
    } else {
        words
    };
    let items: Vec<String> = items.iter().map(|w| flow_item(w)).collect();
    Some(format!("[{}]", items.join(", ")))
}

/// `word` as an item of a YAML flow list that YAML (also YAML 1.1, which
/// Gradient's loader speaks) reads back as that string: plain when that is
/// safe, double-quoted otherwise (`"10"`, `"true"`, `"a, b"`).
fn flow_item(word: &str) -> String {
    let plain_chars = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '=' | '+' | '-'));
    let starts_ok = word
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '/' | '-'))
        && !word.starts_with("--- ")
        && word != "-";
    let looks_scalar = word.parse::<f64>().is_ok()
        || matches!(
            word.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
        )
        || word.starts_with(['-', '+'])
            && word[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.');
    if plain_chars && starts_ok && !looks_scalar {
        word.to_string()
    } else {
        quoted(word)
    }
}

/// `scheme://host/path`, or git's `user@host:path`.
fn looks_like_git_url(u: &str) -> bool {
    if u.chars().any(char::is_whitespace) {
        return false;
    }
    if let Some((scheme, rest)) = u.split_once("://") {
        return !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && !rest.is_empty();
    }
    matches!(u.split_once('@'), Some((user, rest))
        if !user.is_empty() && rest.split_once(':').is_some_and(|(h, p)| !h.is_empty() && !p.is_empty()))
}

/// The finding for a file that holds no YAML node at all (empty, or only
/// comments): its `jobs` are missing.
pub(super) fn no_workflow() -> Diagnostic {
    Diagnostic::new(
        Code::MissingKey,
        Span::empty(0),
        "the file holds no workflow: a workflow is a mapping with `jobs`",
    )
}

/// Whether `key` is a key of an output's own mapping (`type`, `with`): an
/// output of that name is that key written one level too shallow, which
/// this rule reports.
pub(super) fn is_output_key(key: &str) -> bool {
    let shapes = Shapes::get();
    shapes
        .def("Output")
        .and_then(|o| shapes.pick(o, Kind::Mapping))
        .is_some_and(|o| shapes.shape(o).property(key).is_some())
}

fn check(root: &Node, text: &str) -> Vec<Diagnostic> {
    let shapes = Shapes::get();
    let mut w = Walker {
        shapes,
        root,
        job_instance_type: false,
        text,
        out: Vec::new(),
    };
    w.value(root, shapes.root, &Owner::root());
    w.out
}

/// The entry whose value is being checked, and how messages name it.
struct Owner<'a> {
    entry: Option<&'a Entry>,
    /// The key, or the list that holds the item ("an item of `args`").
    name: Cow<'a, str>,
    /// The enclosing mapping's shape definition.
    parent_def: Option<&'a str>,
    /// The action of the enclosing job, when known (for `with`).
    action: Option<&'a str>,
}

impl<'a> Owner<'a> {
    fn root() -> Owner<'a> {
        Owner {
            entry: None,
            name: Cow::Borrowed("the workflow"),
            parent_def: None,
            action: None,
        }
    }

    fn key(&self) -> Option<&'a str> {
        self.entry.and_then(Entry::key_str)
    }
}

struct Walker<'a> {
    shapes: &'a Shapes,
    /// The whole document (a job pasted at the top level moves under its `jobs`).
    root: &'a Node,
    /// Whether the job being walked writes `instance-type` on itself: that
    /// finding covers its `resources` lacking one.
    job_instance_type: bool,
    text: &'a str,
    out: Vec<Diagnostic>,
}

/// Keys of GitHub Actions workflows that people carry over, and what to
/// write in Gradient instead.
const GITHUB_KEYS: &[(&str, &str)] = &[
    (
        "steps",
        "a Gradient job runs one action: set `uses` and `with`, and put commands in `script@v1`'s `script`",
    ),
    (
        "runs-on",
        "choose the machine with `resources.instance-type`",
    ),
    (
        "name",
        "a Gradient workflow gets its name when it is created, not from the file, and a job's name is its key",
    ),
    ("run-name", "a Gradient run has no name in the file"),
    (
        "if",
        "Gradient has no conditions: a job runs when the jobs in its `needs` succeed",
    ),
    ("permissions", "Gradient has no token permissions"),
    ("concurrency", "Gradient has no concurrency groups"),
    (
        "strategy",
        "Gradient has no matrix: write one job per variant",
    ),
    ("services", "Gradient has no service containers"),
    (
        "continue-on-error",
        "in Gradient a failed job always stops its dependents",
    ),
    (
        "timeout-minutes",
        "Gradient's `timeout` counts seconds (gwk's reading)",
    ),
    ("runs", "a Gradient job runs one action, named by `uses`"),
    (
        "push",
        "Gradient triggers on pushes with `on.github.branches` or `on.github.tags`",
    ),
    (
        "pull_request",
        "Gradient triggers only on pushes: `on.github.branches` or `on.github.tags`",
    ),
    (
        "schedule",
        "Gradient has no scheduled runs; it triggers on pushes (`on.github`)",
    ),
    (
        "workflow_dispatch",
        "a Gradient workflow without `on` runs when started by hand",
    ),
];

impl<'a> Walker<'a> {
    fn report(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    fn value(&mut self, node: &'a Node, id: ShapeId, owner: &Owner<'a>) {
        let kind = node.kind();
        let Some(id) = self.shapes.pick(id, kind) else {
            let expected = self.expected(id);
            self.wrong_kind(node, id, &expected, owner);
            return;
        };
        let shape = self.shapes.shape(id);
        if !shape.kinds.accepts(kind) {
            let expected = shape.kinds.described();
            self.wrong_kind(node, id, &expected, owner);
            return;
        }
        match &node.value {
            Value::Scalar(s) => {
                if !shape.choices.is_empty() && s.kind == ScalarKind::Str {
                    let choices: Vec<&str> =
                        shape.choices.iter().map(|c| c.value.as_str()).collect();
                    if !choices.contains(&s.text.as_str()) {
                        self.bad_choice(node, &s.text, &choices, owner);
                    }
                }
                if let (Some(min), Some(v)) = (shape.minimum, s.text.parse::<f64>().ok())
                    && v < min
                {
                    self.report(Diagnostic::new(
                        Code::InvalidValue,
                        node.span,
                        format!("`{}` must be at least {min}", owner.name),
                    ));
                }
            }
            Value::Sequence(items) => {
                if let Some(item_shape) = shape.items {
                    let item_owner = Owner {
                        entry: owner.entry,
                        name: Cow::Owned(format!("an item of `{}`", owner.name)),
                        parent_def: owner.parent_def,
                        action: owner.action,
                    };
                    for item in items {
                        self.value(item, item_shape, &item_owner);
                    }
                }
            }
            Value::Mapping(entries) => self.mapping(node, entries, id, owner),
        }
    }

    fn mapping(&mut self, node: &'a Node, entries: &'a [Entry], id: ShapeId, owner: &Owner<'a>) {
        let shape = self.shapes.shape(id);
        let def = shape.def.as_deref();
        // The switch case (a job's `with` by its `uses`) applies to one key.
        let case = self.shapes.case(id, node);
        // A misspelt io type (`datasets`) is reported once, as `invalid-value`
        // with its suggestion; its `with` is still read as the type surely
        // meant, so a mistake there (`with.id`) is not hidden behind it. Only
        // for checking `with`: whether `with` is required waits for the fix.
        let meant = case
            .is_none()
            .then(|| self.meant_io_case(id, node))
            .flatten();
        let target = shape.switch.as_ref().map(|s| s.target.as_str());
        let at_root = owner.entry.is_none();
        if def == Some("Job") {
            self.job_instance_type = entries.iter().any(|e| e.key_str() == Some("instance-type"));
        }
        let action = if def == Some("Job") {
            node.get("uses").and_then(Node::as_str)
        } else {
            owner.action
        };
        for e in entries {
            let Some(key) = (if at_root {
                crate::model::lower::top_key(e)
            } else {
                e.key_str()
            }) else {
                self.report(Diagnostic::new(
                    Code::InvalidType,
                    e.key.span,
                    "a key must be a plain string, not a list or mapping",
                ));
                continue;
            };
            let child = |name: &'a str| Owner {
                entry: Some(e),
                name: Cow::Borrowed(name),
                parent_def: def,
                action,
            };
            if let Some(p) = shape.property(key) {
                if p.deprecated {
                    self.deprecated_key(e, p, def, entries);
                }
                let child_shape = match case.or(meant) {
                    Some(c) if target == Some(key) => c.shape,
                    _ => p.shape,
                };
                self.value(&e.value, child_shape, &child(key));
                continue;
            }
            match shape.additional {
                Some(Additional::Shape(s)) if self.misplaced(s, key, &e.value) => {
                    let item = match self.shapes.shape(s).def.as_deref() {
                        Some("Job") => "a job",
                        Some("Output") => "an output",
                        Some("WorkflowInput") => "a workflow input",
                        _ => "an item",
                    };
                    self.report(Diagnostic::new(
                        Code::UnknownKey,
                        e.key.span,
                        format!(
                            "`{key}` is a key of {item}, but it sits one level too shallow, so it \
                             is read as {item} named `{key}`: indent it under the one it belongs to"
                        ),
                    ));
                    // Still check the value as the key it really is.
                    if let Some(p) = self
                        .shapes
                        .pick(s, Kind::Mapping)
                        .and_then(|i| self.shapes.shape(i).property(key))
                    {
                        self.value(&e.value, p.shape, &child(key));
                    }
                }
                Some(Additional::Shape(s)) => self.value(&e.value, s, &child(key)),
                Some(Additional::Forbidden) => {
                    let keys = self.shapes.keys(id, Some(node));
                    let place = place(def, owner, action);
                    self.unknown_key(e, entries, key, &keys, def, &place, action);
                    // A job key written inside `with`: check its value as that key.
                    if def.is_some_and(|d| d.ends_with("With")) {
                        let job_key = self
                            .shapes
                            .def("Job")
                            .and_then(|j| self.shapes.shape(j).property(key));
                        if let Some(p) = job_key {
                            let owner = Owner {
                                parent_def: Some("Job"),
                                ..child(key)
                            };
                            self.value(&e.value, p.shape, &owner);
                        }
                    }
                }
                _ => {}
            }
        }
        for p in &shape.properties {
            let required =
                p.required || (target == Some(p.name.as_str()) && case.is_some_and(|c| c.required));
            // `instance-type` written on the job itself has its own finding.
            let written_on_job =
                def == Some("JobResources") && p.name == "instance-type" && self.job_instance_type;
            if required
                && !written_on_job
                && !entries.iter().any(|e| e.key_str() == Some(p.name.as_str()))
                && !self.misspelt(id, node, &p.name)
            {
                self.missing_key(node, p, def, owner, action);
            }
        }
    }

    /// Whether an unknown key of `node` is `key` misspelt (`use:` for
    /// `uses:`): its `unknown-key` finding says so and offers the rename,
    /// so the key is not also reported missing.
    fn misspelt(&self, id: ShapeId, node: &Node, key: &str) -> bool {
        let Some(entries) = node.as_mapping() else {
            return false;
        };
        let keys = self.shapes.keys(id, Some(node));
        let known = |k: &str| keys.iter().any(|p| p.name == k);
        entries
            .iter()
            .filter_map(Entry::key_str)
            .filter(|k| !known(k))
            .any(|k| best(k, keys.iter().map(|p| p.name.as_str())) == Some(key))
    }

    /// The case an invalid io `type` most likely means (`datasets` →
    /// `dataset`), for an io mapping whose `type` matches no case.
    fn meant_io_case(&self, id: ShapeId, node: &Node) -> Option<&'a SwitchCase> {
        let switch = self.shapes.shape(id).switch.as_ref()?;
        if switch.discriminator != "type" {
            return None;
        }
        let written = node.get("type")?.as_str()?;
        let meant = best(written, switch.cases.iter().map(|c| c.value.as_str()))?;
        switch.cases.iter().find(|c| c.value == meant)
    }

    /// Whether an entry of a map of named items (jobs, outputs, ...) is
    /// really one of the item's own keys written one level too shallow:
    /// `with:` under `outputs`, `uses:` under `jobs`.
    fn misplaced(&self, item: ShapeId, key: &str, value: &Node) -> bool {
        let Some(item) = self.shapes.pick(item, Kind::Mapping) else {
            return false;
        };
        let shape = self.shapes.shape(item);
        if shape.property(key).is_none() {
            return false;
        }
        // A real item has its required keys (a job its `uses`, an io its `type`).
        let required: Vec<&str> = shape
            .properties
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name.as_str())
            .collect();
        !required.iter().any(|r| value.get(r).is_some())
    }

    /// What the alternatives of `id` accept, for a message.
    fn expected(&self, id: ShapeId) -> String {
        let shape = self.shapes.shape(id);
        let kinds: Vec<String> = shape
            .alternatives
            .iter()
            .map(|&a| self.shapes.shape(a).kinds.described())
            .collect();
        kinds.join(" or ")
    }

    fn wrong_kind(&mut self, node: &'a Node, id: ShapeId, expected: &str, owner: &Owner<'a>) {
        let shape = self.shapes.shape(id);
        let got = node.kind();
        let name = &owner.name;
        let named = code_name(name);
        let span = node.span;
        // An output written as a bare string (`repo: CloneRepo`): the io
        // rule reports it as `io-type`.
        if shape.def.as_deref() == Some("Output") {
            return;
        }
        if owner.key() == Some("on") && owner.parent_def == Some("Workflow") {
            self.report(Diagnostic::new(
                Code::InvalidType,
                span,
                "`on` here is GitHub Actions' list of events; Gradient's trigger is a mapping: \
                 `on: {github: {branches: {only: main}}}`",
            ));
            return;
        }
        if got == Kind::Null {
            let what = if expected.contains("mapping") {
                "give it its keys or remove it"
            } else {
                "give it a value or remove it"
            };
            self.report(Diagnostic::new(
                Code::InvalidType,
                owner.entry.map_or(span, |e| e.key.span),
                format!("{named} is empty but must be {expected}: {what}"),
            ));
            return;
        }
        if owner.entry.is_none() {
            self.report(Diagnostic::new(
                Code::InvalidType,
                span,
                format!(
                    "a workflow is a mapping of top-level keys (`jobs`, `defaults`, `inputs`, \
                     `on`, ...), not {got}"
                ),
            ));
            return;
        }
        let scalar_text = node.scalar_text().unwrap_or_default();
        let mut d = Diagnostic::new(
            Code::InvalidType,
            span,
            format!("{named} must be {expected}, not {got}"),
        );
        match got {
            Kind::Int | Kind::Float | Kind::Bool if expected == "a string" => {
                d.message = format!(
                    "{named} must be a string; YAML reads `{scalar_text}` as {got}. Quote it: `{}`",
                    quoted(scalar_text)
                );
                d = d.with_fix(Fix::replace(
                    format!("quote `{scalar_text}`"),
                    span,
                    quoted(scalar_text),
                ));
            }
            Kind::Sequence if expected == "a string" => {
                let lone_dash = matches!(node.as_sequence(), Some([only]) if only.is_null());
                if lone_dash {
                    d.message = format!(
                        "{name} is a nested list: a bare `-` after `- ` starts a list inside the list. \
                         Quote it: `\"-\"`"
                    );
                    d = d.with_fix(Fix::replace("quote the `-`", span, "\"-\""));
                } else if name == "script" {
                    d.message = "a script is one string, not a list: write it as a literal block \
                                 (`script: |-`) with one command a line"
                        .to_string();
                    if let Some(fix) = self.list_to_block(node, owner.entry) {
                        d = d.with_fix(fix);
                    }
                } else {
                    d.message = format!("{named} must be a string, not a list");
                }
            }
            Kind::Str
                if expected == "a number"
                    && node
                        .as_str()
                        .is_some_and(|s| s.trim().parse::<f64>().is_ok_and(f64::is_finite)) =>
            {
                let n = node.as_str().unwrap_or_default().trim();
                d.message = format!(
                    "{named} must be a number, and the quotes make `{n}` a string: write `{n}`"
                );
                d = d.with_fix(Fix::replace(format!("unquote `{n}`"), span, n));
            }
            Kind::Str
                if expected == "a mapping" && matches!(owner.key(), Some("branches" | "tags")) =>
            {
                let kind = if owner.key() == Some("tags") {
                    "tag"
                } else {
                    "branch"
                };
                let filter = format!(
                    "{{only: {}}}",
                    flow_item(node.as_str().unwrap_or(scalar_text))
                );
                d.message = format!(
                    "`{name}` is a filter, not a {kind} name: write `{name}: {filter}` for that \
                     one {kind} (or `include`/`ignore` lists of patterns)"
                );
                d = d.with_fix(Fix::replace(format!("write `{filter}`"), span, filter));
            }
            Kind::Str if expected == "a list" && owner.key() == Some("args") => {
                let text = node.as_str().unwrap_or(scalar_text);
                match command_as_list(text) {
                    Some(list) => {
                        d.message = format!(
                            "`args` must be a list, one item a word, as a shell splits it: \
                             write `{list}`"
                        );
                        d = d.with_fix(Fix::replace("split `args` into a list", span, list));
                    }
                    None => {
                        d.message = "`args` must be a list, one item a word; this one has an \
                                     unclosed quote, so gwk cannot split it"
                            .to_string();
                    }
                }
            }
            Kind::Str if expected == "a list" => {
                d.message = format!(
                    "{named} must be a list; write `[{scalar_text}]` or one `- item` per line"
                );
                d = d.with_fix(Fix::replace(
                    format!("make {named} a list"),
                    span,
                    format!("[{scalar_text}]"),
                ));
            }
            _ => {}
        }
        self.report(d);
    }

    /// The start of the line that holds `at`.
    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |p| p + 1)
    }

    /// Just after the line that holds `at` (after its `\n`).
    fn line_end(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |p| at + p + 1)
    }

    /// Whether `e`'s key is the first thing on its line (block style).
    fn begins_line(&self, e: &Entry) -> bool {
        self.text[self.line_start(e.key.span.start)..e.key.span.start]
            .chars()
            .all(|c| c == ' ')
    }

    /// The lines of `e` (its key to the last line of its value).
    fn entry_lines(&self, e: &Entry) -> Span {
        let last = e.value.span.end.max(e.key.span.end + 1) - 1;
        Span::new(self.line_start(e.key.span.start), self.line_end(last))
    }

    /// A job written at the top level, moved under `jobs:`: its lines
    /// (comments and all) indented to the jobs' column and put after the
    /// last job. `None` when `jobs` is not a block mapping of jobs, or
    /// already has a job of that name.
    fn move_under_jobs(&self, e: &Entry, key: &str) -> Option<Fix> {
        let jobs = self.root.get_entry("jobs")?;
        let listed = jobs.value.as_mapping()?;
        if jobs.value.flow
            || !self.begins_line(e)
            || listed.iter().any(|j| j.key_str() == Some(key))
        {
            return None;
        }
        let first = listed.first()?;
        let job_col = first.key.span.start - self.line_start(first.key.span.start);
        let key_col = e.key.span.start - self.line_start(e.key.span.start);
        let pad = " ".repeat(job_col.checked_sub(key_col).filter(|&d| d > 0)?);
        let lines = self.entry_lines(e);
        let mut moved: String = self.text[lines.start..lines.end]
            .split_inclusive('\n')
            .map(|l| {
                if l.trim().is_empty() {
                    l.to_string()
                } else {
                    format!("{pad}{l}")
                }
            })
            .collect();
        if !moved.ends_with('\n') {
            moved.push('\n');
        }
        let message = format!("move `{key}` under `jobs:`");
        let after_jobs = self.entry_lines(jobs).end;
        if after_jobs == lines.start {
            // Right after the last job: indenting it is the whole move.
            return Some(Fix::replace(message, lines, moved));
        }
        let lead = if after_jobs == self.text.len() && !self.text.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        Some(Fix {
            message,
            edits: vec![
                crate::diagnostic::Edit {
                    span: lines,
                    text: String::new(),
                },
                crate::diagnostic::Edit {
                    span: Span::empty(after_jobs),
                    text: format!("{lead}{moved}"),
                },
            ],
        })
    }

    /// `instance-type: C5` on a job, nested under a new `resources:` key on
    /// its line. Only for a key that begins its line with its value beside it.
    fn nest_under_resources(&self, e: &Entry) -> Option<Fix> {
        if !self.begins_line(e) || self.text[e.key.span.start..e.value.span.end].contains('\n') {
            return None;
        }
        let col = e.key.span.start - self.line_start(e.key.span.start);
        Some(Fix {
            message: "put `instance-type` under `resources:`".into(),
            edits: vec![crate::diagnostic::Edit {
                span: Span::empty(e.key.span.start),
                text: format!("resources:\n{}", " ".repeat(col + 2)),
            }],
        })
    }

    /// A list of strings rewritten as a `|-` block, one item a line.
    fn list_to_block(&self, node: &Node, key: Option<&Entry>) -> Option<Fix> {
        let items = node.as_sequence()?;
        let lines: Option<Vec<&str>> = items.iter().map(Node::as_str).collect();
        let lines = lines?;
        let key = key?;
        let line_start = self.text[..key.key.span.start]
            .rfind('\n')
            .map_or(0, |p| p + 1);
        let indent = " ".repeat(key.key.span.start - line_start + 2);
        let mut text = String::from("|-");
        for l in lines {
            text.push('\n');
            text.push_str(&indent);
            text.push_str(l);
        }
        // Replace from just after `script:` so the block starts on its line.
        let key_end = self.text[..node.span.start].rfind(':')? + 1;
        Some(Fix::replace(
            "write the script as a literal block",
            Span::new(key_end, node.span.end),
            format!(" {text}"),
        ))
    }

    fn bad_choice(&mut self, node: &Node, value: &str, choices: &[&str], owner: &Owner<'a>) {
        let span = node.span;
        let suggestion = best(value, choices.iter().copied());
        if owner.key() == Some("uses") && owner.parent_def == Some("Job") {
            let mut message = if value.trim().is_empty() {
                "`uses` is empty: it names the action the job runs".to_string()
            } else {
                format!("`{value}` is not a Gradient action")
            };
            let suggestion = suggestion.or_else(|| same_words_action(value)).or_else(|| {
                // GitHub's actions/checkout, or any other checkout action.
                value.contains("checkout").then_some("git-checkout@v1")
            });
            if let Some((name, version)) = value.split_once('@') {
                if let Some(a) = Action::ALL
                    .iter()
                    .find(|a| a.as_str().split('@').next() == Some(name))
                {
                    message = format!(
                        "`{value}`: `{name}` has no version `{version}`; the only one is `{a}`"
                    );
                    let mut d = Diagnostic::new(Code::UnknownAction, span, message);
                    d = d.with_fix(Fix::replace(format!("use `{a}`"), span, a.as_str()));
                    self.report(d);
                    return;
                } else if value.contains('/') {
                    message = format!(
                        "`{value}` looks like a GitHub Action; Gradient runs only its own five actions"
                    );
                }
            }
            let mut d = Diagnostic::new(Code::UnknownAction, span, message.clone());
            match suggestion {
                Some(s) => {
                    d.message = format!("{message}; did you mean `{s}`?");
                    d = d.with_fix(Fix::replace(format!("use `{s}`"), span, s));
                }
                None => {
                    d.message = format!("{message}; the actions are {}", one_of(choices));
                }
            }
            self.report(d);
            return;
        }
        let what = match owner.key() {
            Some("type") if owner.parent_def == Some("CreateModelWith") => "model type".to_string(),
            Some("type") => "io type".to_string(),
            _ => format!("value of `{}`", owner.name),
        };
        let mut d = Diagnostic::new(
            Code::InvalidValue,
            span,
            format!("`{value}` is not a valid {what}; use {}", one_of(choices)),
        );
        if let Some(s) = suggestion {
            d.message = format!(
                "`{value}` is not a valid {what}; did you mean `{s}`? ({})",
                one_of(choices)
            );
            d = d.with_fix(Fix::replace(format!("use `{s}`"), span, s));
        }
        self.report(d);
    }

    fn deprecated_key(&mut self, e: &Entry, p: &Property, def: Option<&str>, siblings: &[Entry]) {
        let key = p.name.as_str();
        let (code, message, replacement) = match (def, key) {
            (Some("GitCheckoutWith"), "branch") => (
                Code::IgnoredParam,
                "`branch` is not a parameter of `git-checkout@v1`: Gradient ignored it and cloned the \
                 default branch. Use `ref`"
                    .to_string(),
                "ref",
            ),
            (_, "id") => (
                Code::Deprecated,
                "`id` is the name `ref` had before August 2021; write `ref`".to_string(),
                "ref",
            ),
            _ => (Code::Deprecated, format!("`{key}` is deprecated"), ""),
        };
        let mut d = Diagnostic::new(code, e.key.span, message);
        let taken = siblings.iter().any(|s| s.key_str() == Some(replacement));
        if !replacement.is_empty() && !taken {
            d = d.with_fix(Fix::replace(
                format!("rename `{key}` to `{replacement}`"),
                e.key.span,
                replacement,
            ));
        }
        self.report(d);
    }

    #[allow(clippy::too_many_arguments)]
    fn unknown_key(
        &mut self,
        e: &Entry,
        siblings: &[Entry],
        key: &str,
        keys: &[Property],
        def: Option<&str>,
        place: &str,
        action: Option<&str>,
    ) {
        let span = e.key.span;
        let allowed: Vec<&str> = keys.iter().map(|p| p.name.as_str()).collect();
        let is_job_or_top = matches!(def, Some("Job" | "Workflow" | "On"));
        if is_job_or_top && let Some((_, hint)) = GITHUB_KEYS.iter().find(|(k, _)| *k == key) {
            self.report(Diagnostic::new(
                Code::UnknownKey,
                span,
                format!("`{key}` is GitHub Actions syntax, not Gradient's: {hint}"),
            ));
            return;
        }
        if def == Some("Workflow") && e.value.get("uses").is_some() {
            let mut d = Diagnostic::new(
                Code::UnknownKey,
                span,
                format!(
                    "`{key}` looks like a job (it has `uses`), but it sits at the top level, \
                     outside `jobs:`: move it under `jobs:`"
                ),
            );
            if let Some(fix) = self.move_under_jobs(e, key) {
                d = d.with_fix(fix);
            }
            self.report(d);
            return;
        }
        if def == Some("Job") && key == "instance-type" {
            let has_resources = siblings.iter().any(|s| s.key_str() == Some("resources"));
            let message = if has_resources {
                "`instance-type` is not a key of a job: it belongs under the job's `resources:`; \
                 move it there"
            } else {
                "`instance-type` is not a key of a job: put it under `resources:` \
                 (`resources: {instance-type: C5}`)"
            };
            let mut d = Diagnostic::new(Code::UnknownKey, span, message);
            if !has_resources && let Some(fix) = self.nest_under_resources(e) {
                d = d.with_fix(fix);
            }
            self.report(d);
            return;
        }
        // A key written one level off: an action parameter on the job, or a
        // job key inside `with`.
        let params_of = |k: &str| -> Vec<&'static str> {
            Action::ALL
                .iter()
                .filter(|a| action_params(**a).contains(&k))
                .map(|a| a.as_str())
                .collect()
        };
        if def == Some("Job") && !params_of(key).is_empty() {
            self.report(Diagnostic::new(
                Code::UnknownKey,
                span,
                format!("`{key}` is not a key of {place}; it is an action parameter and belongs under `with`"),
            ));
            return;
        }
        if matches!(def, Some("Output" | "InlineInput" | "WorkflowInput"))
            && matches!(key, "ref" | "id" | "value")
        {
            self.report(Diagnostic::new(
                Code::UnknownKey,
                span,
                format!("`{key}` belongs under `with`: `with: {{{key}: ...}}`"),
            ));
            return;
        }
        let job_keys = ["outputs", "inputs", "needs", "env", "resources", "uses"];
        if def.is_some_and(|d| d.ends_with("With")) && job_keys.contains(&key) {
            self.report(Diagnostic::new(
                Code::UnknownKey,
                span,
                format!("`{key}` is a key of the job, not a parameter in `with`: move it out of `with`, one level up"),
            ));
            return;
        }
        if def == Some("NoParameters") {
            self.report(Diagnostic::new(
                Code::UnknownKey,
                span,
                format!(
                    "`{key}` has no meaning here: this type takes nothing in `with` (only datasets \
                     have `ref`, and only string inputs have `value`)"
                ),
            ));
            return;
        }
        let mut message = format!("`{key}` is not a key of {place}");
        let suggestion = best(key, allowed.iter().copied());
        let mut d = Diagnostic::new(Code::UnknownKey, span, String::new());
        if let Some(s) = suggestion {
            message.push_str(&format!("; did you mean `{s}`?"));
            if !allowed.is_empty() && !e.key.scalar().is_some_and(|s| s.style != Style::Plain) {
                d = d.with_fix(Fix::replace(format!("rename to `{s}`"), span, s));
            }
        } else if def.is_some_and(|d| d.ends_with("With")) {
            let elsewhere = params_of(key);
            let act = action.unwrap_or("this action");
            if elsewhere.is_empty() {
                message = format!(
                    "`{key}` is not a parameter of `{act}`; it takes {}",
                    one_of(&allowed)
                );
            } else {
                message = format!(
                    "`{key}` is not a parameter of `{act}` (it is one of {}); `{act}` takes {}",
                    one_of(&elsewhere),
                    one_of(&allowed)
                );
            }
        } else if !allowed.is_empty() {
            message.push_str(&format!("; it takes {}", one_of(&allowed)));
        } else {
            message.push_str("; it takes no keys");
        }
        d.message = message;
        self.report(d);
    }

    fn missing_key(
        &mut self,
        node: &Node,
        p: &Property,
        def: Option<&str>,
        owner: &Owner<'a>,
        action: Option<&str>,
    ) {
        let span = owner
            .entry
            .map_or(Span::empty(node.span.start), |e| e.key.span);
        let name = &owner.name;
        let key = &p.name;
        let message = match (def, key.as_str()) {
            (Some("Workflow"), "jobs") => "the workflow has no `jobs`".to_string(),
            (Some("Job"), "uses") => format!(
                "job `{name}` has no `uses`: every job runs one action ({})",
                one_of(&Action::ALL.map(Action::as_str))
            ),
            (Some("Job"), "with") => {
                let action = action.unwrap_or("its action");
                let params = action_required(action);
                format!(
                    "job `{name}` has no `with`: `{action}` needs {}",
                    one_of(&params)
                )
            }
            (Some("InlineStringWith"), "value") => "a string input declared in the job needs \
                 `with.value`, the string: nothing else gives it one"
                .to_string(),
            (Some(d), _) if d.ends_with("With") => {
                let action = action.unwrap_or("the action");
                format!("`{action}` needs `with.{key}`")
            }
            (Some("Output" | "WorkflowInput" | "InlineInput"), "type") => {
                format!("`{name}` has no `type`: `volume`, `string` or `dataset`")
            }
            (Some("InlineInput"), "with")
                if node.get("type").and_then(Node::as_str) == Some("string") =>
            {
                format!(
                    "string input `{name}` needs `with.value`: an input declared in the job gets \
                     its string from there (a run supplies only workflow inputs)"
                )
            }
            (Some("Output" | "WorkflowInput" | "InlineInput"), "with") => {
                format!("dataset `{name}` needs `with.ref`, the dataset's name or ID")
            }
            _ => format!("{} needs `{key}`", code_name(name)),
        };
        self.report(Diagnostic::new(Code::MissingKey, span, message));
    }
}

/// Every `with` parameter of an action, from the schema.
fn action_params(action: Action) -> Vec<&'static str> {
    let shapes = Shapes::get();
    let Some(job) = shapes.def("Job") else {
        return Vec::new();
    };
    let Some(sw) = &shapes.shape(job).switch else {
        return Vec::new();
    };
    sw.cases
        .iter()
        .find(|c| c.value == action.as_str())
        .map(|c| {
            shapes
                .shape(c.shape)
                .properties
                .iter()
                .map(|p| p.name.as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// The required `with` parameters of an action, by name.
fn action_required(action: &str) -> Vec<&'static str> {
    let shapes = Shapes::get();
    let Some(a) = Action::parse(action) else {
        return Vec::new();
    };
    let Some(job) = shapes.def("Job") else {
        return Vec::new();
    };
    let Some(sw) = &shapes.shape(job).switch else {
        return Vec::new();
    };
    sw.cases
        .iter()
        .find(|c| c.value == a.as_str())
        .map(|c| {
            shapes
                .shape(c.shape)
                .properties
                .iter()
                .filter(|p| p.required)
                .map(|p| p.name.as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// A name for a message: `key` in backticks, but "an item of `args`"
/// as it is (backticks inside backticks would print ``an item of `args``).
fn code_name(name: &str) -> String {
    if name.contains('`') {
        name.to_string()
    } else {
        format!("`{name}`")
    }
}

/// How a message names the mapping being checked.
fn place(def: Option<&str>, owner: &Owner, action: Option<&str>) -> String {
    let name = &owner.name;
    match def {
        Some("Workflow") => "the workflow's top level".into(),
        Some("Job") => format!("job `{name}`"),
        Some("Defaults") => "`defaults`".into(),
        Some("DefaultResources") => "`defaults.resources`".into(),
        Some("JobResources") => "a job's `resources`".into(),
        Some("On") => "`on`".into(),
        Some("GithubTrigger") => "`on.github`".into(),
        Some("RefFilter") => format!("the `{name}` filter"),
        Some("Context" | "ContextEvent" | "ContextGithub") => format!("`{name}` of `context`"),
        Some("WorkflowInput") => format!("workflow input `{name}`"),
        Some("InlineInput") => format!("input `{name}`"),
        Some("Output") => format!("output `{name}`"),
        Some("DatasetWith") => "a dataset's `with`".into(),
        Some("StringWith" | "InlineStringWith") => "a string's `with`".into(),
        Some(d) if d.ends_with("With") => format!("`with` of `{}`", action.unwrap_or("the action")),
        _ => code_name(name),
    }
}
