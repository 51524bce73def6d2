//! The base protocol's framing, read defensively: `Content-Length: N`
//! (other headers are allowed and ignored), an empty line, N bytes of body.
//!
//! When the framing itself is lost — a header line that is not
//! `Name: value`, a `Content-Length` that is not a number, a header block
//! without one, a header line longer than any real one — the reader says
//! so and then skips to the next `Content-Length:`, where the next message
//! starts. When the input ends inside a message, it says why.

use super::validate::{self, Rejection};
use serde_json::Value;
use std::io::{BufRead, Read};

/// The longest header line believed (real ones are ~30 bytes).
const MAX_HEADER_LINE: usize = 8 * 1024;
/// The largest body read; a longer one is skipped and refused (a document
/// that large is refused by `maxFileSize` long before).
pub const MAX_BODY: usize = 1 << 30;
const CONTENT_LENGTH: &[u8] = b"Content-Length:";

/// What the reader found next.
#[derive(Debug)]
pub enum Event {
    /// A well-formed message's body.
    Message(Vec<u8>),
    /// A malformed message: the error reply to send, and what to log.
    Refused(Rejection),
    /// The input ended; why, if inside a message.
    End(Option<String>),
}

pub struct Frames<R> {
    input: R,
    /// The framing was lost: skip to the next `Content-Length:` first.
    lost: bool,
}

impl<R: BufRead> Frames<R> {
    pub fn new(input: R) -> Self {
        Frames { input, lost: false }
    }

    pub fn next_event(&mut self) -> Event {
        let first = if std::mem::take(&mut self.lost) {
            match self.skip_to_content_length() {
                Ok(true) => Some(CONTENT_LENGTH.to_vec()),
                Ok(false) => {
                    return Event::End(Some(
                        "the input ended while skipping to the next message".into(),
                    ));
                }
                Err(e) => return Event::End(Some(format!("cannot read the input: {e}"))),
            }
        } else {
            None
        };
        let length = match self.headers(first) {
            Ok(Ok(n)) => n,
            Ok(Err(why)) => {
                self.lost = true;
                return Event::Refused(lost(why));
            }
            Err(end) => return Event::End(end),
        };
        if length > MAX_BODY {
            return match std::io::copy(
                &mut (&mut self.input).take(length as u64),
                &mut std::io::sink(),
            ) {
                Ok(n) if n as usize == length => Event::Refused(Rejection {
                    code: validate::INVALID_REQUEST,
                    message: format!(
                        "a message of {length} bytes is over the limit of {MAX_BODY} bytes"
                    ),
                    id: Value::Null,
                }),
                Ok(n) => Event::End(Some(ended_inside(n as usize, length))),
                Err(e) => Event::End(Some(format!("cannot read the input: {e}"))),
            };
        }
        let mut body = Vec::with_capacity(length.min(1 << 26));
        match (&mut self.input).take(length as u64).read_to_end(&mut body) {
            Ok(n) if n == length => {}
            Ok(n) => return Event::End(Some(ended_inside(n, length))),
            Err(e) => return Event::End(Some(format!("cannot read the input: {e}"))),
        }
        match validate::check(&body) {
            Ok(()) => Event::Message(body),
            Err(r) => Event::Refused(r),
        }
    }

    /// Reads a header block; the body's length, or why the framing is lost
    /// (inner `Err`), or the end of the input (outer `Err`, with why when
    /// inside a block). `first` is the start of its first line, already
    /// read.
    fn headers(
        &mut self,
        mut first: Option<Vec<u8>>,
    ) -> Result<Result<usize, String>, Option<String>> {
        let mut length = None;
        let mut lines = 0;
        loop {
            let mut line = first.take().unwrap_or_default();
            let read = (&mut self.input)
                .take((MAX_HEADER_LINE + 1) as u64)
                .read_until(b'\n', &mut line)
                .map_err(|e| Some(format!("cannot read the input: {e}")))?;
            if read == 0 && line.is_empty() {
                return Err(
                    (lines > 0).then(|| "the input ended inside a message's headers".into())
                );
            }
            if !line.ends_with(b"\n") {
                if line.len() > MAX_HEADER_LINE {
                    return Ok(Err(format!(
                        "a header line longer than {MAX_HEADER_LINE} bytes"
                    )));
                }
                return Err(Some("the input ended inside a message's headers".into()));
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                if lines == 0 {
                    continue; // a stray empty line between messages
                }
                return Ok(length.ok_or_else(|| "a message without Content-Length".to_string()));
            }
            lines += 1;
            let Some((name, value)) = text.split_once(':') else {
                return Ok(Err(format!(
                    "the header line `{}` is not `Name: value`",
                    shorten(text)
                )));
            };
            if name.trim().eq_ignore_ascii_case("content-length") {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => {
                        return Ok(Err(format!(
                            "Content-Length `{}` is not a number",
                            shorten(value.trim())
                        )));
                    }
                }
            }
            // Content-Type and unknown headers are allowed, and ignored.
        }
    }

    /// Skips the input up to and including the next `Content-Length:`;
    /// false when the input ends first.
    fn skip_to_content_length(&mut self) -> std::io::Result<bool> {
        // The pattern has no prefix that is also its suffix, so a mismatch
        // only needs to check whether it starts the pattern again.
        let mut matched = 0;
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            let mut used = 0;
            let mut found = false;
            for &b in buf {
                used += 1;
                if b == CONTENT_LENGTH[matched] {
                    matched += 1;
                } else {
                    matched = usize::from(b == CONTENT_LENGTH[0]);
                }
                if matched == CONTENT_LENGTH.len() {
                    found = true;
                    break;
                }
            }
            self.input.consume(used);
            if found {
                return Ok(true);
            }
        }
    }
}

fn lost(why: String) -> Rejection {
    Rejection {
        code: validate::PARSE_ERROR,
        message: format!("{why}; skipping to the next Content-Length header"),
        id: Value::Null,
    }
}

fn ended_inside(got: usize, length: usize) -> String {
    format!("the input ended {got} bytes into a message of {length} bytes")
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn events(input: &str) -> Vec<String> {
        let mut frames = Frames::new(input.as_bytes());
        let mut out = Vec::new();
        loop {
            match frames.next_event() {
                Event::Message(b) => out.push(format!("ok {}", String::from_utf8(b).unwrap())),
                Event::Refused(r) => out.push(format!("{} {}", r.code, r.message)),
                Event::End(why) => {
                    out.push(format!("end {why:?}"));
                    return out;
                }
            }
        }
    }

    const OK: &str = r#"{"jsonrpc":"2.0","method":"x"}"#;

    #[test]
    fn good_frames_pass_with_any_extra_headers() {
        let input = format!(
            "{}Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nX-Thing: 1\r\nContent-Length: {}\r\n\r\n{OK}\n{}",
            frame(OK),
            OK.len(),
            frame(OK)
        );
        assert_eq!(
            events(&input),
            [
                format!("ok {OK}"),
                format!("ok {OK}"),
                format!("ok {OK}"),
                "end None".into()
            ]
        );
    }

    #[test]
    fn lost_framing_resynchronises_on_the_next_content_length() {
        for garbage in [
            "hello there\r\n\r\n{}",
            "Content-Length: ten\r\n\r\n{}",
            "Content-Type: x\r\n\r\n{\"a\":1}",
            &format!("X: {}\r\n", "y".repeat(MAX_HEADER_LINE + 10)),
        ] {
            let input = format!("{garbage}{}", frame(OK));
            let got = events(&input);
            assert_eq!(got.len(), 3, "{got:?}");
            assert!(
                got[0].starts_with("-32700 ") && got[0].contains("skipping"),
                "{got:?}"
            );
            assert_eq!(got[1], format!("ok {OK}"));
            assert_eq!(got[2], "end None");
        }
    }

    #[test]
    fn the_end_of_the_input_inside_a_message_says_where() {
        let got = events(&format!("Content-Length: 100\r\n\r\n{OK}"));
        assert_eq!(
            got,
            [format!(
                "end Some(\"the input ended {} bytes into a message of 100 bytes\")",
                OK.len()
            )]
        );
        assert_eq!(
            events("Content-Length: 5\r\n"),
            ["end Some(\"the input ended inside a message's headers\")"]
        );
        assert_eq!(events("\r\n"), ["end None"]);
    }

    #[test]
    fn a_body_over_the_limit_is_read_through_not_allocated() {
        // Not allocated: read through and dropped.
        let input = format!("Content-Length: {}\r\n\r\n", MAX_BODY + 1);
        let mut frames = Frames::new(input.as_bytes());
        assert!(
            matches!(frames.next_event(), Event::End(Some(why)) if why.contains("ended 0 bytes into"))
        );
    }
}
