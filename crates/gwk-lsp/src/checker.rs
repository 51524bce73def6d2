//! The checker: one thread that checks the newest text of each document
//! that changed.
//!
//! There is no debounce delay. A change marks its document dirty; the
//! thread takes the text as it is when it gets to it, so changes that
//! arrive while a check runs are coalesced into the next check of the
//! newest text. A result is pushed to the editor only when no newer text
//! exists by then (the next check follows at once).
//!
//! A panic in a check ends that check, not the thread: the last findings
//! stay (nothing is pushed for the version that failed), pull requests
//! waiting for that version get them, and the user is told.

use crate::convert;
use crate::state::{Checked, State, lock};
use gwk_spec::query::carry_forward;
use gwk_spec::{Analysis, Diagnostic};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::ls_types as lsp;

/// Diagnostics to push, or a message for the user.
pub enum Outbox {
    Publish {
        uri: lsp::Uri,
        version: i32,
        diagnostics: Vec<lsp::Diagnostic>,
    },
    /// `window/showMessage`, an error.
    Show(String),
    /// `window/logMessage`, an error.
    Log(String),
}

pub fn spawn(state: Arc<State>, out: UnboundedSender<Outbox>) {
    std::thread::Builder::new()
        .name("gwk-check".into())
        .spawn(move || {
            let mut shown = false;
            loop {
                let uri = state.queue.pop();
                let mut version = None;
                let run =
                    catch_unwind(AssertUnwindSafe(|| check(&state, &uri, &out, &mut version)));
                if let Err(panic) = run {
                    failed(&state, &uri, version, &crate::panics::message(&panic), &out);
                    if !shown {
                        shown = true;
                        let _ = out.send(Outbox::Show(
                            "gwk-lsp: a check failed; the findings shown are from an earlier \
                             version. The server goes on; its log says more (please report it \
                             with the file)."
                                .into(),
                        ));
                    }
                }
            }
        })
        .expect("the checker thread starts");
}

/// After the check of `uri` (at `version`, when it got that far) panicked:
/// requests waiting for that version are let go with the last findings,
/// and the log says what happened.
fn failed(
    state: &State,
    uri: &lsp::Uri,
    version: Option<i32>,
    why: &str,
    out: &UnboundedSender<Outbox>,
) {
    if let Some(doc) = lock(&state.docs).get(uri) {
        let v = version.unwrap_or(doc.version);
        doc.checked.send_if_modified(|done| {
            let newer = *done < v;
            *done = (*done).max(v);
            newer
        });
    }
    let _ = out.send(Outbox::Log(format!(
        "gwk-lsp: the check of {}{} failed ({why}); its last findings stay. \
         Please report it with the file.",
        uri.as_str(),
        version.map(|v| format!(" v{v}")).unwrap_or_default(),
    )));
}

/// What a check reads, taken under the documents' lock.
struct Job {
    text: Arc<String>,
    version: i32,
    config: Arc<gwk_spec::Config>,
    good: Option<Arc<Checked>>,
    log: gwk_spec::query::EditLog,
}

/// Checks the newest text of `uri`; `seen` gets its version.
fn check(state: &State, uri: &lsp::Uri, out: &UnboundedSender<Outbox>, seen: &mut Option<i32>) {
    let settings = state.settings();
    let job = crate::trace::timed(
        || "check: snapshot".into(),
        || {
            let mut docs = lock(&state.docs);
            // Closed meanwhile, or checked already.
            let doc = docs.get_mut(uri)?;
            if doc
                .latest
                .as_ref()
                .is_some_and(|l| l.version == doc.version)
            {
                return None;
            }
            if let Some(why) = settings.too_large(doc.len()) {
                return Some(Err((doc.version, why)));
            }
            let (text, _) = doc.text();
            let good = doc.good.clone();
            let log = doc.log_between(good.as_ref().map_or(i32::MIN, |g| g.version), doc.version);
            Some(Ok(Job {
                text,
                version: doc.version,
                config: doc.config.config.clone(),
                good,
                log,
            }))
        },
    );
    let checked = match job {
        None => return,
        Some(Ok(job)) => {
            *seen = Some(job.version);
            analyze(state, uri, job)
        }
        // Too large to check: one message instead of the findings.
        Some(Err((version, why))) => {
            *seen = Some(version);
            Checked {
                id: state.next_id(),
                version,
                // Not parsed: the model queries answer from stays as it was.
                analysis: Analysis {
                    text: String::new(),
                    line_index: gwk_spec::syntax::LineIndex::new(""),
                    root: None,
                    workflow: None,
                    diagnostics: Vec::new(),
                    masks: Vec::new(),
                },
                diagnostics: Vec::new(),
                skipped: Some(why),
            }
        }
    };
    let checked = Arc::new(checked);
    let version = checked.version;
    let current = {
        let mut docs = lock(&state.docs);
        match docs.get_mut(uri) {
            Some(doc) => doc.store(checked.clone()),
            None => return,
        }
    };
    if current && !settings.pull {
        let started = std::time::Instant::now();
        let diagnostics = convert::checked_diagnostics(&checked, uri, settings.encoding);
        if crate::trace::enabled() {
            eprintln!(
                "gwk-lsp: check: convert {} diagnostics in {:.2} ms (at {:.1} ms)",
                diagnostics.len(),
                started.elapsed().as_secs_f64() * 1000.0,
                crate::trace::now_ms()
            );
        }
        let _ = out.send(Outbox::Publish {
            uri: uri.clone(),
            version,
            diagnostics,
        });
    }
}

/// The check proper: gwk-spec's analysis, and the findings to show.
fn analyze(state: &State, uri: &lsp::Uri, job: Job) -> Checked {
    crate::debug::in_check(state, uri, &job.text);
    let analysis = crate::trace::timed(
        || format!("check: analyze ({} bytes)", job.text.len()),
        || {
            // gwk.toml's `select`, `ignore` and `min-severity`, as `gwk
            // check` reports.
            let mut a = gwk_spec::analyze(&job.text, &job.config);
            a.select(&job.config.selection);
            a
        },
    );
    let diagnostics = crate::trace::timed(
        || "check: compose".into(),
        || compose(&analysis, job.good.as_deref(), &job.log),
    );
    Checked {
        id: state.next_id(),
        version: job.version,
        analysis,
        diagnostics,
        skipped: None,
    }
}

/// The findings to show for `analysis`: its own, plus — when its text is
/// not YAML — the last good ones that no edit since has touched.
fn compose(
    analysis: &Analysis,
    good: Option<&Checked>,
    log: &gwk_spec::query::EditLog,
) -> Vec<(Diagnostic, bool)> {
    let mut out: Vec<(Diagnostic, bool)> = analysis
        .diagnostics
        .iter()
        .map(|d| (d.clone(), false))
        .collect();
    if analysis.root.is_none()
        && let Some(good) = good
    {
        out.extend(
            carry_forward(&good.analysis.diagnostics, log)
                .into_iter()
                .map(|d| (d, true)),
        );
        out.sort_by_key(|(d, _)| (d.span.start, d.span.end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handlers::notifications::{did_close, did_open};
    use crate::snapshot::Snapshot;
    use std::sync::Weak;
    use tower_lsp_server::ls_types::{
        DidCloseTextDocumentParams, DidOpenTextDocumentParams, TextDocumentIdentifier,
        TextDocumentItem,
    };

    fn open(state: &State, uri: &lsp::Uri, text: &str) {
        let item = TextDocumentItem {
            uri: uri.clone(),
            language_id: "yaml".into(),
            version: 1,
            text: text.into(),
        };
        did_open::run(
            state,
            DidOpenTextDocumentParams {
                text_document: item,
            },
        );
    }

    fn close(state: &State, uri: &lsp::Uri) {
        let id = TextDocumentIdentifier { uri: uri.clone() };
        did_close::run(state, DidCloseTextDocumentParams { text_document: id });
    }

    fn uri() -> lsp::Uri {
        "file:///nowhere/.gradient/workflows/w.yaml"
            .parse()
            .unwrap()
    }

    /// Checks `uri` as the checker thread would; what it sent.
    fn check_now(state: &State, uri: &lsp::Uri) -> Vec<lsp::Diagnostic> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        check(state, uri, &tx, &mut None);
        match rx.try_recv() {
            Ok(Outbox::Publish { diagnostics, .. }) => diagnostics,
            _ => panic!("nothing published"),
        }
    }

    #[test]
    fn a_document_over_the_limit_gets_one_diagnostic_and_no_check() {
        let state = State::default();
        state.settings.write().unwrap().max_file_size = 1024;
        let uri = uri();
        // Not YAML, and over the limit: not parsed at all.
        let text = format!("jobs: [\n{}", "  # padding\n".repeat(200));
        open(&state, &uri, &text);
        let diagnostics = check_now(&state, &uri);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(
            diagnostics[0]
                .message
                .starts_with("file is 2 KB, over the gwk.maxFileSize limit of 1 KB; not checked"),
            "{}",
            diagnostics[0].message
        );
        let docs = lock(&state.docs);
        let doc = &docs[&uri];
        let latest = doc.latest.as_ref().unwrap();
        assert!(latest.skipped.is_some());
        assert!(latest.analysis.text.is_empty() && latest.analysis.root.is_none());
        assert!(doc.good.is_none());
    }

    #[test]
    fn under_the_limit_the_same_document_is_checked() {
        let state = State::default();
        let uri = uri();
        open(&state, &uri, "jobs: [\n");
        let diagnostics = check_now(&state, &uri);
        assert!(
            diagnostics
                .iter()
                .all(|d| !d.message.contains("maxFileSize")),
            "{diagnostics:?}"
        );
        assert!(!diagnostics.is_empty(), "the syntax error is found");
    }

    #[test]
    fn closing_a_document_lets_go_of_its_text_and_its_checks() {
        let state = State::default();
        let uri = uri();
        open(&state, &uri, "jobs:\n  a:\n    uses: container@v1\n");
        check_now(&state, &uri);
        let snapshot = Snapshot::take(&state, &uri).unwrap().finish(&state);
        let text: Weak<String> = Arc::downgrade(&snapshot.text);
        let checked: Weak<Checked> = Arc::downgrade(snapshot.latest.as_ref().unwrap());
        drop(snapshot);
        assert!(
            text.upgrade().is_some() && checked.upgrade().is_some(),
            "kept while open"
        );
        close(&state, &uri);
        assert!(lock(&state.docs).is_empty());
        assert!(text.upgrade().is_none(), "the text is freed");
        assert!(checked.upgrade().is_none(), "the check is freed");
    }
}
