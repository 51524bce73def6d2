//! The rules, one family per file, and the pipeline that runs them.
//!
//! [`analyze`] is the one entry point the CLI and the language server share:
//! parse, check the shape against the schema, lower to the model, run the
//! semantic rules, then apply the project's severities and the
//! `# gwk: ignore[...]` comments.

mod actions;
mod dag;
mod edits;
mod io;
mod names;
mod references;
mod resources;
mod scripts;
mod secrets;
mod shape;
mod suppress;
mod triggers;

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
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::Severity::Error)
    }
}

/// What the rules can read.
pub(crate) struct Ctx<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub wf: &'a Workflow,
    pub dag: &'a Dag,
    pub config: &'a Config,
    pub out: Vec<Diagnostic>,
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
    let line_index = LineIndex::new(text);
    let parsed = syntax::parse(text, &line_index);
    let mut diagnostics = parsed.diagnostics;
    let mut workflow = None;
    if let Some(root) = &parsed.root {
        diagnostics.extend(shape::check(root, text));
        let wf = model::lower(root);
        let dag = Dag::new(&wf);
        let mut ctx = Ctx {
            text,
            index: &line_index,
            wf: &wf,
            dag: &dag,
            config,
            out: Vec::new(),
        };
        names::check(&mut ctx);
        references::check(&mut ctx);
        dag::check(&mut ctx);
        io::check(&mut ctx);
        actions::check(&mut ctx);
        secrets::check(&mut ctx);
        triggers::check(&mut ctx);
        scripts::check(&mut ctx);
        resources::check(&mut ctx);
        diagnostics.extend(ctx.out);
        workflow = Some(wf);
    } else if diagnostics.is_empty() {
        // Empty, or only comments.
        diagnostics.push(Diagnostic::new(
            Code::MissingKey,
            Span::empty(0),
            "the file holds no workflow: a workflow is a mapping with `jobs`",
        ));
    }
    let mut diagnostics = finish(diagnostics, text, &line_index, parsed.root.as_ref(), config);
    Diagnostic::sort(&mut diagnostics);
    Analysis {
        text: text.to_string(),
        line_index,
        root: parsed.root,
        workflow,
        diagnostics,
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
            // The bad byte shows as U+FFFD in the text kept for display.
            let d = Diagnostic::new(
                Code::YamlSyntax,
                Span::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8()),
                format!(
                    "the file is not UTF-8 text: byte 0x{:02x} at offset {at} is not valid UTF-8",
                    bytes[at]
                ),
            );
            Analysis {
                text,
                line_index,
                root: None,
                workflow: None,
                diagnostics: vec![d],
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
) -> Vec<Diagnostic> {
    let mut ignores = suppress::Ignores::scan(text, index, root);
    diags.append(&mut ignores.unknown);
    diags
        .into_iter()
        .filter_map(|mut d| {
            d.severity = config.severity(d.code)?;
            let line = index.line_of(d.span.start);
            (!ignores.silences(line, d.code)).then_some(d)
        })
        .collect()
}
