//! `yaml-syntax` and `duplicate-key` come from the YAML parser
//! (`syntax/build.rs`); this file holds the one finding made before the
//! parser can run: bytes that are not UTF-8.

use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::Span;

/// The finding for a file whose byte at offset `at` (`byte`) is not UTF-8.
/// The bad byte shows as U+FFFD in the text kept for display.
pub fn not_utf8(at: usize, byte: u8) -> Diagnostic {
    Diagnostic::new(
        Code::YamlSyntax,
        Span::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8()),
        format!("the file is not UTF-8 text: byte 0x{byte:02x} at offset {at} is not valid UTF-8"),
    )
}
