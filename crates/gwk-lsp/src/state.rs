//! The server's state: open documents, their check results, the settings
//! negotiated at `initialize`, and the queue of documents to check.

use crate::sources::{ProjectConfig, WorkspaceScan};
use gwk_spec::query::{Change, EditLog};
use gwk_spec::syntax::{Encoding, LineIndex, Span};
use gwk_spec::{Analysis, Diagnostic};
use ropey::Rope;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use tokio::sync::watch;
use tower_lsp_server::ls_types::Uri;

/// After this many edits without a text that parses, findings are no longer
/// carried forward (the mapping costs grow with the edits).
pub const MAX_CARRIED_EDITS: usize = 5_000;

/// Completion lists longer than this are cut (and marked incomplete).
pub const DEFAULT_COMPLETION_LIMIT: usize = 200;

/// Bytes in the megabyte of the `maxFileSize` setting.
pub const MB: usize = 1024 * 1024;

/// Documents larger than this (the `maxFileSize` setting, in MB) are not
/// checked: a 61 MB file took 31 s and 3.9 GB to check.
pub const DEFAULT_MAX_FILE_SIZE: usize = 4 * MB;

/// Locks a mutex even if a panic poisoned it: every critical section
/// leaves the data consistent before anything that could panic.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One check of one version of a document.
#[derive(Debug)]
pub struct Checked {
    /// Unique per check (the pull diagnostics' `resultId`).
    pub id: u64,
    pub version: i32,
    pub analysis: Analysis,
    /// What the editor is shown, in source order: the analysis's findings
    /// and, while the text is not YAML, the last good findings carried
    /// forward (flagged `true`).
    pub diagnostics: Vec<(Diagnostic, bool)>,
    /// Why the text was not checked (it is over `maxFileSize`): the one
    /// message shown instead of findings. `analysis` is then empty.
    pub skipped: Option<String>,
}

impl Checked {
    pub fn parsed(&self) -> bool {
        self.analysis.root.is_some()
    }
}

/// An open document.
pub struct Doc {
    /// Unique per `didOpen`: tells a reopened document from the old one.
    pub opened: u64,
    pub path: Option<PathBuf>,
    pub rope: Rope,
    pub version: i32,
    pub config: ProjectConfig,
    /// The edits since `good`, each with the version it made.
    pub edits: Vec<(i32, Change)>,
    /// The last check whose YAML parsed: the model queries answer from.
    pub good: Option<Arc<Checked>>,
    /// The last check.
    pub latest: Option<Arc<Checked>>,
    /// The version of `latest`, for pull requests that wait for it.
    pub checked: watch::Sender<i32>,
    /// The text of `version`, made from the rope when first asked for.
    text: Option<(i32, Arc<String>, Arc<LineIndex>)>,
}

impl Doc {
    pub fn new(
        opened: u64,
        text: &str,
        version: i32,
        path: Option<PathBuf>,
        config: ProjectConfig,
    ) -> Doc {
        Doc {
            opened,
            path,
            rope: Rope::from_str(text),
            version,
            config,
            edits: Vec::new(),
            good: None,
            latest: None,
            checked: watch::Sender::new(i32::MIN),
            text: None,
        }
    }

    /// The current text as cheaply as it can be had: the text made
    /// earlier, or a clone of the rope (which shares its nodes) to make it
    /// from off the lock ([`Doc::keep_text`] stores it then).
    pub fn text_or_rope(&self) -> Result<(Arc<String>, Arc<LineIndex>), Rope> {
        match &self.text {
            Some((v, t, i)) if *v == self.version => Ok((t.clone(), i.clone())),
            _ => Err(self.rope.clone()),
        }
    }

    /// Keeps the text of `version` made from the rope of the document
    /// opened as `opened`, if still current.
    pub fn keep_text(
        &mut self,
        opened: u64,
        version: i32,
        text: &Arc<String>,
        index: &Arc<LineIndex>,
    ) {
        if opened == self.opened && version == self.version {
            self.text = Some((version, text.clone(), index.clone()));
        }
    }

    /// The size of the current text in bytes.
    pub fn len(&self) -> usize {
        self.rope.len_bytes()
    }

    /// The current text and its line index.
    pub fn text(&mut self) -> (Arc<String>, Arc<LineIndex>) {
        if let Some((v, t, i)) = &self.text
            && *v == self.version
        {
            return (t.clone(), i.clone());
        }
        let text = Arc::new(self.rope.to_string());
        let index = Arc::new(LineIndex::new(&text));
        self.text = Some((self.version, text.clone(), index.clone()));
        (text, index)
    }

    /// Replaces bytes `span` with `new` and records the change.
    pub fn replace(&mut self, span: Span, new: &str, version: i32) {
        let start = self.rope.byte_to_char(span.start);
        let end = self.rope.byte_to_char(span.end);
        self.rope.remove(start..end);
        self.rope.insert(start, new);
        self.edits.push((
            version,
            Change {
                span,
                new_len: new.len(),
            },
        ));
        if self.edits.len() > MAX_CARRIED_EDITS {
            self.good = None;
            self.edits.clear();
        }
        self.version = version;
    }

    /// Replaces the whole text.
    pub fn set_text(&mut self, text: &str, version: i32) {
        let old_len = self.rope.len_bytes();
        self.replace(Span::new(0, old_len), text, version);
    }

    /// The edits made after version `after` up to `upto`, as a log.
    pub fn log_between(&self, after: i32, upto: i32) -> EditLog {
        let mut log = EditLog::new();
        for (v, c) in &self.edits {
            if *v > after && *v <= upto {
                log.push(c.span, c.new_len);
            }
        }
        log
    }

    /// Stores a check result; returns whether it is for the current text.
    pub fn store(&mut self, checked: Arc<Checked>) -> bool {
        if checked.parsed() {
            let v = checked.version;
            self.edits.retain(|(ev, _)| *ev > v);
            self.good = Some(checked.clone());
        }
        let current = checked.version == self.version;
        self.checked.send_replace(checked.version);
        self.latest = Some(checked);
        current
    }
}

/// What the client told us at `initialize`.
#[derive(Clone, Debug)]
pub struct Settings {
    pub encoding: Encoding,
    /// The client asks for diagnostics (`textDocument/diagnostic`).
    pub pull: bool,
    /// The client can be asked to pull again (`workspace/diagnostic/refresh`).
    pub refresh: bool,
    pub watch_dynamic: bool,
    pub watch_relative: bool,
    pub style: crate::convert::CompletionStyle,
    pub folders: Vec<PathBuf>,
    pub inlay_hints: bool,
    /// At most this many completion items (0: no limit); the list is
    /// marked incomplete when cut, so the editor asks again as one types.
    pub completion_limit: usize,
    /// Documents over this many bytes are not checked (0: no limit).
    pub max_file_size: usize,
}

impl Settings {
    /// Why a document of `len` bytes is not checked, if it is too large.
    pub fn too_large(&self, len: usize) -> Option<String> {
        (self.max_file_size > 0 && len > self.max_file_size).then(|| {
            format!(
                "file is {}, over the gwk.maxFileSize limit of {}; not checked (the \
                 server's `maxFileSize` setting, in MB, raises the limit)",
                size(len),
                size(self.max_file_size)
            )
        })
    }
}

/// `n` bytes for people: whole MB without decimals, else one decimal;
/// under a tenth of a MB in KB.
fn size(n: usize) -> String {
    if n.is_multiple_of(MB) {
        format!("{} MB", n / MB)
    } else if n >= MB / 10 {
        format!("{:.1} MB", n as f64 / MB as f64)
    } else {
        format!("{} KB", (n + 512) / 1024)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            encoding: Encoding::Utf16,
            pull: false,
            refresh: false,
            watch_dynamic: false,
            watch_relative: false,
            style: Default::default(),
            folders: Vec::new(),
            inlay_hints: true,
            completion_limit: DEFAULT_COMPLETION_LIMIT,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

/// Documents waiting for a check, each at most once.
#[derive(Default)]
pub struct Queue {
    items: Mutex<VecDeque<Uri>>,
    ready: Condvar,
}

impl Queue {
    pub fn push(&self, uri: Uri) {
        let mut q = lock(&self.items);
        if !q.contains(&uri) {
            q.push_back(uri);
        }
        self.ready.notify_one();
    }

    /// The next document to check; waits for one.
    pub fn pop(&self) -> Uri {
        let mut q = lock(&self.items);
        loop {
            if let Some(u) = q.pop_front() {
                return u;
            }
            q = self.ready.wait(q).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// The workspace scan's cache, lent out while a scan runs so that no lock
/// is held while files are read and parsed.
#[derive(Default)]
pub struct ScanCache {
    /// The cache (absent while lent) and how many times it was forgotten.
    slot: Mutex<(Option<WorkspaceScan>, u64)>,
}

impl ScanCache {
    /// The cache to scan with (an empty one while another scan has it).
    pub fn lend(&self) -> (WorkspaceScan, u64) {
        let mut slot = lock(&self.slot);
        (slot.0.take().unwrap_or_default(), slot.1)
    }

    /// Returns a lent cache, unless it was forgotten meanwhile.
    pub fn give_back(&self, scan: WorkspaceScan, generation: u64) {
        let mut slot = lock(&self.slot);
        if slot.1 == generation {
            slot.0 = Some(scan);
        }
    }

    /// Files changed on disk: the next scan reads them all again.
    pub fn forget(&self) {
        let mut slot = lock(&self.slot);
        if let Some(scan) = slot.0.as_mut() {
            scan.forget();
        }
        // A cache lent out now was filled from the old files.
        slot.1 += 1;
    }
}

pub struct State {
    pub docs: Mutex<HashMap<Uri, Doc>>,
    pub settings: RwLock<Settings>,
    pub queue: Queue,
    /// gwk.toml by the directory of the documents it applies to.
    pub configs: Mutex<HashMap<PathBuf, ProjectConfig>>,
    pub scan: ScanCache,
    pub shutdown: AtomicBool,
    next_id: AtomicU64,
}

impl Default for State {
    fn default() -> Self {
        State {
            docs: Mutex::new(HashMap::new()),
            settings: RwLock::new(Settings::default()),
            queue: Queue::default(),
            configs: Mutex::new(HashMap::new()),
            scan: ScanCache::default(),
            shutdown: AtomicBool::new(false),
            next_id: AtomicU64::new(1),
        }
    }
}

impl State {
    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The gwk.toml that applies to a document at `path` (read once per
    /// directory until a watched-file event says it changed).
    pub fn config_for(&self, path: Option<&std::path::Path>) -> ProjectConfig {
        let Some(dir) = path.and_then(|p| p.parent()) else {
            return ProjectConfig::default();
        };
        let mut configs = lock(&self.configs);
        configs
            .entry(dir.to_path_buf())
            .or_insert_with(|| crate::sources::project_config(dir))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_limit_says_both_sizes() {
        let mut s = Settings::default();
        assert_eq!(s.max_file_size, 4 * MB);
        assert_eq!(s.too_large(4 * MB), None);
        let why = s.too_large(61 * MB + MB / 2).unwrap();
        assert!(
            why.starts_with("file is 61.5 MB, over the gwk.maxFileSize limit of 4 MB; not checked"),
            "{why}"
        );
        s.max_file_size = 10 * 1024;
        assert!(
            s.too_large(20 * 1024)
                .unwrap()
                .starts_with("file is 20 KB, over the gwk.maxFileSize limit of 10 KB")
        );
        s.max_file_size = 0;
        assert_eq!(s.too_large(usize::MAX), None, "0: no limit");
    }
}
