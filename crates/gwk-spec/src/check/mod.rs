//! The rules, one file per rule, and the pipeline that runs them.
//!
//! [`analyze`] is the one entry point the CLI and the language server share:
//! parse, lower to the model, run every rule of the [`registry`], then apply
//! the project's severities and the `# gwk: ignore[...]` comments.

mod actions;
mod dag;
mod edits;
mod io;
mod names;
mod references;
pub mod registry;
mod resources;
mod scripts;
mod secrets;
mod security;
mod shape;
mod suppress;
mod triggers;
mod unused;
mod yaml;

use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic};
use crate::graph::Dag;
use crate::model::{self, Workflow};
use crate::syntax::{self, LineIndex, Node, Span};

pub use edits::{add_to_needs, apply_edits};
pub use secrets::valid_name as valid_secret_name;
pub use suppress::{CommentSlot, comment_slot};
pub use triggers::{GITHUB_REF, GITHUB_URL};

/// Everything gwk knows about one file.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub text: String,
    pub line_index: LineIndex,
    /// The YAML tree; `None` when the text is not YAML.
    pub root: Option<Node>,
    /// The typed workflow; `None` when the text is not YAML.
    pub workflow: Option<Workflow>,
    /// The findings, in source order, after severities and suppressions.
    pub diagnostics: Vec<Diagnostic>,
    /// Every range of the text that holds a credential (also those of
    /// findings turned off or silenced): no output prints them.
    pub masks: Vec<Span>,
}

impl Analysis {
    /// Keeps only the findings `selection` reports (gwk.toml's `select`,
    /// `ignore` and `min-severity`, or `gwk check`'s flags). What is
    /// reported, not what is true: `gwk check` and the language server
    /// select, while `gwk plan` and `gwk run` refuse a workflow with any
    /// error, selected or not.
    pub fn select(&mut self, selection: &crate::select::Selection) {
        self.diagnostics
            .retain(|d| selection.keeps(d.code, d.severity));
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::Severity::Error)
    }
}

/// What the rules can read, and where they report.
pub(crate) struct Ctx<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub root: &'a Node,
    pub wf: &'a Workflow,
    pub dag: &'a Dag,
    pub config: &'a Config,
    /// Write-only for the rules: none reads another's findings.
    out: Vec<Diagnostic>,
}

impl Ctx<'_> {
    pub fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    pub fn report(&mut self, code: Code, span: Span, message: impl Into<String>) {
        self.out.push(Diagnostic::new(code, span, message));
    }
}

/// Checks `text` with the project's `config`.
pub fn analyze(text: &str, config: &Config) -> Analysis {
    analyze_traced(text, config, &mut |_, _| {})
}

/// [`analyze`], telling `trace` which rule reported each finding (before
/// severities and suppressions): the registry's tests use it to prove that
/// every code comes only from its owner.
#[doc(hidden)]
pub fn analyze_traced(
    text: &str,
    config: &Config,
    trace: &mut dyn FnMut(&'static registry::Rule, &Diagnostic),
) -> Analysis {
    let line_index = LineIndex::new(text);
    let parsed = syntax::parse(text, &line_index);
    let mut diagnostics = parsed.diagnostics;
    let yaml_rule = registry::rule("yaml");
    for d in &diagnostics {
        trace(yaml_rule, d);
    }
    let mut workflow = None;
    if let Some(root) = &parsed.root {
        let wf = model::lower(root);
        let dag = Dag::new(&wf);
        let mut ctx = Ctx {
            text,
            index: &line_index,
            root,
            wf: &wf,
            dag: &dag,
            config,
            out: Vec::new(),
        };
        for rule in registry::RULES {
            if config.bench_without_security && rule.family == registry::Family::Security {
                continue;
            }
            if let registry::Stage::Check(registry::CheckFn(run)) = rule.stage {
                let from = ctx.out.len();
                run(&mut ctx);
                for d in &ctx.out[from..] {
                    trace(rule, d);
                }
            }
        }
        diagnostics.extend(ctx.out);
        workflow = Some(wf);
    } else if diagnostics.is_empty() {
        // Empty, or only comments.
        let d = shape::no_workflow();
        trace(registry::owner(d.code), &d);
        diagnostics.push(d);
    }
    let suppress_rule = registry::rule("suppress");
    let masks: Vec<Span> = diagnostics.iter().flat_map(|d| d.mask.clone()).collect();
    redact(&mut diagnostics, text, &masks);
    let mut diagnostics = finish(
        diagnostics,
        text,
        &line_index,
        parsed.root.as_ref(),
        config,
        &mut |d| trace(suppress_rule, d),
    );
    Diagnostic::sort(&mut diagnostics);
    Analysis {
        text: text.to_string(),
        line_index,
        root: parsed.root,
        workflow,
        diagnostics,
        masks,
    }
}

/// Checks raw bytes: text that is not UTF-8 gets one clear finding at the
/// first bad byte instead of a decoding error.
pub fn analyze_bytes(bytes: &[u8], config: &Config) -> Analysis {
    match std::str::from_utf8(bytes) {
        Ok(text) => analyze(text, config),
        Err(e) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let at = e.valid_up_to();
            let line_index = LineIndex::new(&text);
            let d = yaml::not_utf8(at, bytes[at]);
            Analysis {
                text,
                line_index,
                root: None,
                workflow: None,
                diagnostics: vec![d],
                masks: Vec::new(),
            }
        }
    }
}

/// Applies the project's severities and the ignore comments.
fn finish(
    mut diags: Vec<Diagnostic>,
    text: &str,
    index: &LineIndex,
    root: Option<&Node>,
    config: &Config,
    trace: &mut dyn FnMut(&Diagnostic),
) -> Vec<Diagnostic> {
    let mut ignores = suppress::Ignores::scan(text, index, root);
    for d in &ignores.unknown {
        trace(d);
    }
    diags.append(&mut ignores.unknown);
    diags
        .into_iter()
        .filter_map(|mut d| {
            // A rule may choose a severity of its own (pedantic findings are
            // infos); the project's `[rules]` overrides it.
            if let Some(set) = config.configured(d.code) {
                d.severity = set?;
            }
            let line = index.line_of(d.span.start);
            (!ignores.silences(line, d.code)).then_some(d)
        })
        .collect()
}

/// Keeps every masked credential out of every message of the file: a
/// message that quotes a value (another rule's, or a related location's)
/// shows `…` where the masked part was, and a fix whose edit would print it
/// is dropped.
fn redact(diags: &mut [Diagnostic], text: &str, masks: &[Span]) {
    let hidden: Vec<&str> = masks
        .iter()
        .filter_map(|m| text.get(m.start..m.end))
        .filter(|s| s.len() >= 4)
        .collect();
    if hidden.is_empty() {
        return;
    }
    let clean = |s: &mut String| {
        for h in &hidden {
            if s.contains(h) {
                *s = s.replace(h, "…");
            }
        }
    };
    for d in diags {
        clean(&mut d.message);
        for r in &mut d.related {
            clean(&mut r.message);
        }
        d.fixes.retain(|f| {
            !f.edits
                .iter()
                .any(|e| hidden.iter().any(|h| e.text.contains(h)))
        });
        for f in &mut d.fixes {
            clean(&mut f.message);
        }
    }
}
