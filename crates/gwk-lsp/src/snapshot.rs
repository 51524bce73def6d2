//! A document as a request sees it: an immutable snapshot taken when the
//! request arrives (so it answers for the text the editor meant), which the
//! query then reads on the blocking pool without any lock.

use crate::convert::{Lines, Moved};
use crate::sources::ProjectConfig;
use crate::state::{Checked, State, lock};
use gwk_spec::query::{self, EditLog};
use gwk_spec::syntax::{Encoding, LineIndex};
use ropey::Rope;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp_server::ls_types::{Position, Uri};

/// The text now, and the model (the last check whose YAML parsed) with the
/// edits made since.
pub struct Snapshot {
    pub uri: Uri,
    pub text: Arc<String>,
    pub index: Arc<LineIndex>,
    pub version: i32,
    pub good: Option<Arc<Checked>>,
    /// From `good`'s text to `text`.
    pub log: EditLog,
    pub latest: Option<Arc<Checked>>,
    /// From `latest`'s text to `text`.
    pub latest_log: EditLog,
    pub config: ProjectConfig,
    pub path: Option<PathBuf>,
    pub encoding: Encoding,
    /// The document is over `maxFileSize`: it has no model, and its text
    /// here is empty (the queries answer nothing).
    pub too_large: bool,
}

/// What is taken under the documents' lock, in arrival order; the text is
/// made from the rope later, off the async runtime ([`Taken::finish`]).
pub struct Taken {
    snapshot: Snapshot,
    rope: Option<Rope>,
    opened: u64,
}

impl Snapshot {
    /// Takes the snapshot of `uri` (None when it is not open). Cheap: the
    /// text is shared, or the rope is cloned (which shares its nodes).
    pub fn take(state: &State, uri: &Uri) -> Option<Taken> {
        let settings = state.settings();
        let docs = lock(&state.docs);
        let doc = docs.get(uri)?;
        let too_large = settings.too_large(doc.len()).is_some();
        let good = if too_large { None } else { doc.good.clone() };
        let latest = doc.latest.clone();
        let (text, index, rope) = match (too_large, doc.text_or_rope()) {
            (true, _) => (Arc::default(), Arc::new(LineIndex::new("")), None),
            (false, Ok((text, index))) => (text, index, None),
            (false, Err(rope)) => (Arc::default(), Arc::new(LineIndex::new("")), Some(rope)),
        };
        let log = doc.log_between(good.as_ref().map_or(i32::MAX, |g| g.version), doc.version);
        let latest_log =
            doc.log_between(latest.as_ref().map_or(i32::MAX, |l| l.version), doc.version);
        Some(Taken {
            snapshot: Snapshot {
                uri: uri.clone(),
                text,
                index,
                version: doc.version,
                good,
                log,
                latest,
                latest_log,
                config: doc.config.clone(),
                path: doc.path.clone(),
                encoding: settings.encoding,
                too_large,
            },
            rope,
            opened: doc.opened,
        })
    }

    pub fn lines(&self) -> Lines<'_> {
        Lines {
            text: &self.text,
            index: &self.index,
            encoding: self.encoding,
        }
    }

    /// Spans of the model's text as ranges of the text now.
    pub fn moved(&self) -> Moved<'_> {
        Moved {
            lines: self.lines(),
            log: &self.log,
            uri: &self.uri,
        }
    }

    pub fn offset(&self, pos: Position) -> usize {
        self.lines().offset(pos)
    }

    /// The model, and the cursor moved into its text.
    pub fn model_at(&self, offset: usize) -> Option<(&gwk_spec::Analysis, usize)> {
        let good = self.good.as_ref()?;
        Some((&good.analysis, self.log.backward(offset)?))
    }

    /// The findings shown now, moved into the current text.
    pub fn diagnostics(&self) -> Vec<(gwk_spec::Diagnostic, bool)> {
        let Some(latest) = &self.latest else {
            return Vec::new();
        };
        if self.latest_log.is_empty() {
            return latest.diagnostics.clone();
        }
        latest
            .diagnostics
            .iter()
            .flat_map(|(d, carried)| {
                query::carry_forward(std::slice::from_ref(d), &self.latest_log)
                    .into_iter()
                    .map(|d| (d, *carried))
            })
            .collect()
    }
}

impl Taken {
    /// The snapshot with its text; makes the text from the rope when the
    /// document had none made for this version (and keeps it there).
    pub fn finish(self, state: &State) -> Snapshot {
        let mut snapshot = self.snapshot;
        if let Some(rope) = self.rope {
            let text = Arc::new(rope.to_string());
            let index = Arc::new(LineIndex::new(&text));
            if let Some(doc) = lock(&state.docs).get_mut(&snapshot.uri) {
                doc.keep_text(self.opened, snapshot.version, &text, &index);
            }
            snapshot.text = text;
            snapshot.index = index;
        }
        snapshot
    }
}
