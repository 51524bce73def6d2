//! Hooks for the tests, on only when the server starts with
//! `GWK_LSP_DEBUG=1` (docs/lsp.md): they let a test make the server panic
//! where a real bug would, or hold a check while edits arrive, so what
//! happens then can be checked without timing. Off, each hook is one
//! cached boolean test; markers in a user's text do nothing.

use crate::state::{State, lock};
use std::sync::OnceLock;
use std::time::Duration;
use tower_lsp_server::ls_types::Uri;

/// In a document's text: the checker panics on it.
pub const PANIC_IN_CHECK: &str = "gwk-lsp-debug: panic in check";
/// In a change's text: `didChange` panics while applying it.
pub const PANIC_IN_CHANGE: &str = "gwk-lsp-debug: panic in didChange";
/// In a document's text, followed by a version number: the check of this
/// text waits until the document has reached that version.
pub const HOLD_CHECK: &str = "gwk-lsp-debug: hold check until v";

pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var("GWK_LSP_DEBUG").is_ok_and(|v| v == "1"))
}

/// Called by the checker with the text it is about to check.
pub fn in_check(state: &State, uri: &Uri, text: &str) {
    if !enabled() {
        return;
    }
    if let Some(at) = text.find(HOLD_CHECK) {
        let digits: String = text[at + HOLD_CHECK.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let until: i32 = digits.parse().unwrap_or(0);
        while lock(&state.docs)
            .get(uri)
            .is_some_and(|d| d.version < until)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    if text.contains(PANIC_IN_CHECK) {
        panic!("the checker panics, as the text asks ({PANIC_IN_CHECK})");
    }
}

/// Called by `didChange` with each change's text before applying it.
pub fn in_change(text: &str) {
    if enabled() && text.contains(PANIC_IN_CHANGE) {
        panic!("didChange panics, as the change asks ({PANIC_IN_CHANGE})");
    }
}
