//! Cursor queries on fixture text: `$0` marks the cursor.

mod actions;
mod cases;
mod complete;
mod hover;
mod navigate;
mod outline;

use gwk_spec::check::apply_edits;
use gwk_spec::query::{EditLog, Sources};
use gwk_spec::{Analysis, Config, Edit, analyze};

/// The pipeline most tests work on (clone → prepare → train).
pub const PIPELINE: &str = include_str!("../fixtures/pipeline.yaml");

/// The text without its `$0` marker, and the marker's offset.
pub fn cursor(fixture: &str) -> (String, usize) {
    let offset = fixture.find("$0").expect("fixture has a $0 cursor");
    (fixture.replacen("$0", "", 1), offset)
}

/// `text` with `$0` put right after the `nth` (0-based) occurrence of
/// `needle`, moved by `delta` bytes.
pub fn mark(text: &str, needle: &str, nth: usize, delta: isize) -> String {
    let (at, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` occurs {nth} times"));
    let at = (at + needle.len()) as isize + delta;
    let at = at as usize;
    format!("{}$0{}", &text[..at], &text[at..])
}

pub fn analyzed(fixture: &str) -> (Analysis, usize) {
    let (text, offset) = cursor(fixture);
    (analyze(&text, &Config::default()), offset)
}

/// What the document becomes after `edits`.
pub fn applied(text: &str, edits: &[Edit]) -> String {
    apply_edits(text, edits)
}

pub fn no_log() -> EditLog {
    EditLog::new()
}

pub fn no_sources() -> Sources {
    Sources::default()
}
