//! Shell text read the way the security rules need it: lines, the words of
//! a line with their offsets, and the commands a line runs. Not a shell
//! parser: one pass per line, constant work per byte, so any text a
//! `script:` holds costs linear time.

/// A word of a line: its text (quotes kept) and its byte offset in the
/// scanned text.
#[derive(Clone, Copy, Debug)]
pub struct Word<'a> {
    pub text: &'a str,
    pub at: usize,
}

impl<'a> Word<'a> {
    /// The word without the quotes around it, and where that starts.
    pub fn unquoted(&self) -> (&'a str, usize) {
        let t = self.text;
        for q in ['"', '\''] {
            if let Some(inner) = t.strip_prefix(q) {
                let inner = inner.strip_suffix(q).unwrap_or(inner);
                return (inner, self.at + 1);
            }
        }
        (t, self.at)
    }
}

/// The lines of `text` with their offsets.
pub fn lines(text: &str) -> impl Iterator<Item = (&str, usize)> {
    let mut at = 0;
    text.split_inclusive('\n').map(move |l| {
        let start = at;
        at += l.len();
        (l.trim_end_matches(['\n', '\r']), start)
    })
}

/// Whether a line is a shell comment.
pub fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// The words of `line` (which starts at `base`): runs of non-space text,
/// a quoted run kept whole (`"a b"` is one word).
pub fn words(line: &str, base: usize) -> Vec<Word<'_>> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut quote: Option<u8> = None;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b.is_ascii_whitespace() => break,
                None => {}
            }
            i += 1;
        }
        out.push(Word {
            text: &line[start..i],
            at: base + start,
        });
    }
    out
}

/// Splits words into the commands of a line: at `;`, `&&`, `||` and `|`
/// words. Each command comes with whether its output is piped on.
pub fn commands<'w, 'a>(words: &'w [Word<'a>]) -> Vec<(&'w [Word<'a>], Sep)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, w) in words.iter().enumerate() {
        let sep = match w.text {
            "|" => Some(Sep::Pipe),
            ";" | "&&" | "||" | "&" => Some(Sep::Other),
            _ => None,
        };
        if let Some(sep) = sep {
            out.push((&words[start..i], sep));
            start = i + 1;
        }
    }
    out.push((&words[start..], Sep::End));
    out
}

/// What follows a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sep {
    Pipe,
    Other,
    End,
}

/// The program a command runs: its first word after `sudo`, `exec`,
/// `time`, `nohup` and assignments, without a path (`/bin/bash` → `bash`).
pub fn program<'a>(cmd: &[Word<'a>]) -> Option<(usize, &'a str)> {
    cmd.iter().enumerate().find_map(|(i, w)| {
        let t = w.text.trim_start_matches(['(', '{']);
        if t.is_empty()
            || matches!(
                t,
                "sudo" | "exec" | "time" | "nohup" | "-E" | "then" | "do" | "!"
            )
            || (t.contains('=') && !t.starts_with('-') && !t.starts_with('='))
        {
            return None;
        }
        Some((i, t.rsplit('/').next().unwrap_or(t)))
    })
}

/// Programs that fetch something over the network.
pub fn is_downloader(program: &str) -> bool {
    matches!(
        program,
        "curl" | "wget" | "git" | "pip" | "pip3" | "aria2c" | "apt-key" | "conda" | "gsutil"
    )
}

/// Programs that run the code they read.
pub fn is_interpreter(program: &str) -> bool {
    matches!(
        program,
        "sh" | "bash"
            | "zsh"
            | "dash"
            | "ksh"
            | "python"
            | "python3"
            | "perl"
            | "ruby"
            | "node"
            | "source"
            | "."
            | "eval"
    )
}

/// A URL in text: its byte range, where its scheme ends (after `://`), and
/// where its host starts and ends.
#[derive(Clone, Copy, Debug)]
pub struct Url {
    pub start: usize,
    pub end: usize,
    pub host: (usize, usize),
    /// The `user:password@` part, when there is one (without the `@`).
    pub userinfo: Option<(usize, usize)>,
}

/// Every `scheme://...` in `text`.
pub fn urls(text: &str) -> Vec<Url> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // No `:`, no URL (one memchr, before the dearer search for `://`).
    if !text.contains(':') {
        return out;
    }
    let mut from = 0;
    while let Some(p) = text[from..].find("://") {
        let sep = from + p;
        from = sep + 3;
        let start = text[..sep]
            .bytes()
            .rev()
            .take(16)
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'+')
            .count();
        let start = sep - start;
        if start == sep {
            continue;
        }
        let end = sep
            + 3
            + bytes[sep + 3..]
                .iter()
                .take_while(|&&b| !(b.is_ascii_whitespace() || b"\"'<>`|;()[]{}\\".contains(&b)))
                .count();
        let authority_end = text[sep + 3..end]
            .find(['/', '?', '#'])
            .map_or(end, |q| sep + 3 + q);
        let (userinfo, host_start) = match text[sep + 3..authority_end].rfind('@') {
            Some(at) => (Some((sep + 3, sep + 3 + at)), sep + 3 + at + 1),
            None => (None, sep + 3),
        };
        out.push(Url {
            start,
            end,
            host: (host_start, authority_end),
            userinfo,
        });
        from = end.max(from);
    }
    out
}

/// Whether a host (with its port) is this machine or a private network:
/// plain HTTP there crosses no one else's wire.
pub fn is_local_host(host: &str) -> bool {
    let h = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let h = h.trim_start_matches('[').trim_end_matches(']');
    let octets: Vec<u8> = h.split('.').filter_map(|o| o.parse().ok()).collect();
    let private_ip = octets.len() == 4
        && (octets[0] == 127
            || octets[0] == 10
            || (octets[0] == 192 && octets[1] == 168)
            || (octets[0] == 172 && (16..32).contains(&octets[1]))
            || octets == [0, 0, 0, 0]);
    private_ip
        || matches!(h, "localhost" | "::1")
        || h.ends_with(".local")
        || h.ends_with(".localhost")
        || h.ends_with(".internal")
        || h.ends_with(".svc")
        || !h.contains('.') && !h.is_empty() && !h.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_quoted_runs_and_offsets() {
        let w = words("echo \"a b\" 'c'  d", 10);
        let got: Vec<(&str, usize)> = w.iter().map(|w| (w.text, w.at)).collect();
        assert_eq!(got, [("echo", 10), ("\"a b\"", 15), ("'c'", 21), ("d", 26)]);
        assert_eq!(w[1].unquoted(), ("a b", 16));
    }

    #[test]
    fn commands_split_at_pipes_and_lists() {
        let w = words("curl -sL x | sudo bash && echo ok", 0);
        let c = commands(&w);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].1, Sep::Pipe);
        assert_eq!(program(c[1].0).map(|p| p.1), Some("bash"));
        assert_eq!(program(c[2].0).map(|p| p.1), Some("echo"));
    }

    #[test]
    fn urls_with_their_parts() {
        let t = "git clone https://bob:s3cr3t@github.com/a/b.git x";
        let u = urls(t);
        assert_eq!(u.len(), 1);
        assert_eq!(
            &t[u[0].start..u[0].end],
            "https://bob:s3cr3t@github.com/a/b.git"
        );
        let (a, b) = u[0].userinfo.unwrap();
        assert_eq!(&t[a..b], "bob:s3cr3t");
        assert_eq!(&t[u[0].host.0..u[0].host.1], "github.com");
    }

    #[test]
    fn local_hosts() {
        for h in [
            "localhost:8080",
            "127.0.0.1",
            "10.0.0.5:9000",
            "minio",
            "registry.internal",
        ] {
            assert!(is_local_host(h), "{h}");
        }
        for h in ["74.82.29.209:8090", "dl.yf.io", "github.com"] {
            assert!(!is_local_host(h), "{h}");
        }
    }
}
