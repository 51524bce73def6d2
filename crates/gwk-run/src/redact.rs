//! Secret values never leave gwk in clear: everything it prints or saves
//! (log lines, events, run records, error messages) passes through a
//! [`Redactor`] first.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::{self, Read, Write};
use std::path::Path;

/// What a secret value is replaced with.
pub const MASK: &str = "***";

/// The store's hashing key file, in `$GWK_HOME` (mode 0600).
pub const KEY_FILE: &str = "hash-key";

/// A key of the store (`$GWK_HOME/hash-key`, 32 random bytes, created on
/// first use): content that holds a secret is hashed with it (HMAC-SHA256)
/// so the hash cannot confirm or brute-force the secret without the key.
pub struct StoreKey([u8; 32]);

impl StoreKey {
    pub fn load_or_create(home: &Path) -> io::Result<StoreKey> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = home.join(KEY_FILE);
        for _ in 0..50 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(mut f) => {
                    let mut key = [0u8; 32];
                    std::fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
                    f.write_all(&key)?;
                    f.sync_all()?;
                    return Ok(StoreKey(key));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let bytes = std::fs::read(&path)?;
                    if let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) {
                        return Ok(StoreKey(key));
                    }
                    // Another gwk is writing it right now.
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is not a 32-byte key (remove it; gwk makes a new one)",
                path.display()
            ),
        ))
    }

    /// `hmac-sha256:<hex>` of `bytes`.
    pub fn hash(&self, bytes: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(bytes);
        let out = mac.finalize().into_bytes();
        let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
        format!("hmac-sha256:{hex}")
    }
}

#[derive(Clone, Debug, Default)]
pub struct Redactor {
    /// Longest first, so a secret that contains another is masked whole.
    values: Vec<String>,
}

impl Redactor {
    pub fn new<I, S>(secrets: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut values = Vec::new();
        for s in secrets {
            let s = s.as_ref();
            if s.is_empty() {
                continue;
            }
            values.push(s.to_string());
            // A multi-line secret (a key file) reaches logs line by line.
            if s.contains('\n') {
                values.extend(
                    s.lines()
                        .map(str::trim)
                        .filter(|l| l.len() >= 4)
                        .map(str::to_string),
                );
            }
        }
        values.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        values.dedup();
        Redactor { values }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with every secret value replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), MASK);
            }
        }
        out
    }

    /// One line of job output, masked for a log or an event: secrets are
    /// masked as written, and again once control sequences are removed
    /// (a script can split a secret with `\x1b[0m`, which a terminal does
    /// not show). When removing them reveals a secret, the line is kept
    /// without its control sequences.
    pub fn redact_line(&self, line: &str) -> String {
        let masked = self.redact(line);
        if self.values.is_empty() || !line.chars().any(is_control) {
            return masked;
        }
        let plain = strip_controls(&masked, false);
        let plain_masked = self.redact(&plain);
        if plain_masked != plain {
            plain_masked
        } else {
            masked
        }
    }

    /// Redacts every string inside a JSON value.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        if self.values.is_empty() {
            return;
        }
        match value {
            serde_json::Value::String(s) => *s = self.redact(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(|v| self.redact_json(v)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|v| self.redact_json(v)),
            _ => {}
        }
    }
}

fn is_control(c: char) -> bool {
    (c.is_control() && c != '\t') || c == '\u{7f}'
}

/// `text` without terminal control sequences: escape sequences (CSI, OSC,
/// DCS and the rest), C0 and C1 control characters but the tab. With
/// `keep_colour`, plain colour sequences (`ESC [ digits;… m`, SGR) stay.
pub fn strip_controls(text: &str, keep_colour: bool) -> String {
    if !text.chars().any(is_control) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            '\x1b' | '\u{9b}' | '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => {
                // The kind of sequence: CSI (`ESC [` or U+9B), string
                // sequences (OSC, DCS, SOS, PM, APC) or a two-character escape.
                let kind = if c == '\x1b' {
                    match chars.next() {
                        Some((_, '[')) => '[',
                        Some((_, k @ (']' | 'P' | 'X' | '^' | '_'))) => k,
                        // ESC and one character (ESC c resets the terminal).
                        _ => continue,
                    }
                } else {
                    match c {
                        '\u{9b}' => '[',
                        '\u{9d}' => ']',
                        _ => 'P',
                    }
                };
                if kind == '[' {
                    // Parameters and intermediates, then one final byte.
                    let mut end = None;
                    for (i, c) in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&c) {
                            end = Some((i, c));
                            break;
                        }
                        if !('\u{20}'..='\u{3f}').contains(&c) {
                            break; // malformed: drop what was read
                        }
                    }
                    if let Some((i, 'm')) = end
                        && keep_colour
                        && c == '\x1b'
                    {
                        let seq = &text[start..=i];
                        if seq[2..seq.len() - 1]
                            .chars()
                            .all(|c| c.is_ascii_digit() || c == ';')
                        {
                            out.push_str(seq);
                        }
                    }
                } else {
                    // Up to BEL or ST (`ESC \\` or U+9C).
                    while let Some((_, c)) = chars.next() {
                        if c == '\x07' || c == '\u{9c}' {
                            break;
                        }
                        if c == '\x1b' {
                            if chars.peek().is_some_and(|&(_, n)| n == '\\') {
                                chars.next();
                            }
                            break;
                        }
                    }
                }
            }
            c if is_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_key_is_private_stable_and_keyed() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let k = StoreKey::load_or_create(t.path()).unwrap();
        let mode = std::fs::metadata(t.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = StoreKey::load_or_create(t.path()).unwrap();
        assert_eq!(k.hash(b"hunter2"), again.hash(b"hunter2"));
        let plain = crate::fsutil::sha256_hex(b"hunter2");
        assert!(!k.hash(b"hunter2").contains(&plain));
        let other = tempfile::tempdir().unwrap();
        let k2 = StoreKey::load_or_create(other.path()).unwrap();
        assert_ne!(k.hash(b"hunter2"), k2.hash(b"hunter2"));
    }

    #[test]
    fn control_sequences_go_colour_may_stay() {
        let line =
            "a\x1b[31mred\x1b[0m \x1b]0;title\x07b\x1b[2J\x1b[?25l c\rd\x07\x1bce\u{9b}1Af\tg";
        assert_eq!(strip_controls(line, false), "ared b cdef\tg");
        assert_eq!(strip_controls(line, true), "a\x1b[31mred\x1b[0m b cdef\tg");
        // A colour sequence with odd parameters is not plain colour.
        assert_eq!(strip_controls("\x1b[38:5:1mx", true), "x");
        // OSC 8 hyperlinks and OSC 52 clipboard writes, ended by ESC \.
        assert_eq!(
            strip_controls("\x1b]52;c;aGk=\x1b\\ok\x1b]8;;http://x\x1b\\l", true),
            "okl"
        );
        assert_eq!(strip_controls("plain", true), "plain");
    }

    #[test]
    fn a_secret_split_by_escapes_is_masked() {
        let r = Redactor::new(["hunter2"]);
        assert_eq!(r.redact_line("pw hun\x1b[0mter2 end"), "pw *** end");
        assert_eq!(
            r.redact_line("pw \x1b[1mhunter2\x1b[0m"),
            "pw \x1b[1m***\x1b[0m"
        );
        assert_eq!(r.redact_line("no \x1b[1msecret"), "no \x1b[1msecret");
    }

    #[test]
    fn masks_every_occurrence_longest_first() {
        let r = Redactor::new(["hunter2", "hunter2-admin", ""]);
        assert_eq!(
            r.redact("pw=hunter2-admin and hunter2; hunter"),
            "pw=*** and ***; hunter"
        );
        let mut j = serde_json::json!({"a": ["x hunter2"], "b": 1});
        r.redact_json(&mut j);
        assert_eq!(j, serde_json::json!({"a": ["x ***"], "b": 1}));
    }

    #[test]
    fn masks_lines_of_multi_line_secrets() {
        let r = Redactor::new(["-----BEGIN KEY-----\nabcdef123456\n-----END KEY-----"]);
        assert_eq!(r.redact("line: abcdef123456"), "line: ***");
    }
}
