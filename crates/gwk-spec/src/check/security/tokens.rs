//! What a credential looks like: the known token formats, the names that
//! mean a credential, and the literals that are no credential at all
//! (placeholders, expansions, checksums under a neutral name).
//!
//! Every scanner here is one pass over its text with constant work per
//! byte (a candidate start is tried against a fixed list of prefixes, and a
//! failed candidate is skipped whole), so arbitrary script text costs
//! linear time.

/// A known token format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    AwsAccessKey,
    GitHub,
    HuggingFace,
    Slack,
    GitLab,
    OpenAi,
    PrivateKey,
    Jwt,
}

impl Format {
    pub fn describe(self) -> &'static str {
        match self {
            Format::AwsAccessKey => "an AWS access key",
            Format::GitHub => "a GitHub token",
            Format::HuggingFace => "a Hugging Face token",
            Format::Slack => "a Slack token",
            Format::GitLab => "a GitLab token",
            Format::OpenAi => "an API key (OpenAI style)",
            Format::PrivateKey => "a private key",
            Format::Jwt => "a JSON Web Token",
        }
    }

    /// The secret name a fix suggests when nothing better is known.
    pub fn secret_name(self) -> &'static str {
        match self {
            Format::AwsAccessKey => "AWS_ACCESS_KEY_ID",
            Format::GitHub => "GITHUB_TOKEN",
            Format::HuggingFace => "HF_TOKEN",
            Format::Slack => "SLACK_TOKEN",
            Format::GitLab => "GITLAB_TOKEN",
            Format::OpenAi => "API_KEY",
            Format::PrivateKey => "PRIVATE_KEY",
            Format::Jwt => "JWT_TOKEN",
        }
    }
}

/// A token found in a text: its byte range there and its format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub format: Format,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// How many bytes from `at` satisfy `ok` (at most `max`).
fn run(bytes: &[u8], at: usize, max: usize, ok: impl Fn(u8) -> bool) -> usize {
    bytes[at.min(bytes.len())..]
        .iter()
        .take(max)
        .take_while(|&&b| ok(b))
        .count()
}

const BEGIN: &str = "-----BEGIN ";
const PRIVATE_END: &str = "PRIVATE KEY-----";

/// Every known-format token in `text`, in order, not overlapping.
pub fn known_tokens(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0 || !is_word(bytes[i - 1]);
        // Every format starts with one of these bytes (AKIA…, gh…, hf_,
        // xox…, sk-, eyJ, glpat-, -----BEGIN): the rest of the text is
        // passed over at the cost of one comparison per byte.
        if !boundary || !matches!(bytes[i], b'A' | b'g' | b'h' | b'x' | b's' | b'e' | b'-') {
            i += 1;
            continue;
        }
        match token_at(text, i) {
            Attempt::Found(f) => {
                i = f.end.max(i + 1);
                out.push(f);
            }
            // A candidate that failed is skipped whole: trying again inside
            // it could only find less, and would make the scan quadratic.
            Attempt::Skip(end) => i = end.max(i + 1),
            Attempt::None => i += 1,
        }
    }
    out
}

enum Attempt {
    Found(Found),
    Skip(usize),
    None,
}

fn token_at(text: &str, i: usize) -> Attempt {
    let bytes = text.as_bytes();
    let rest = &bytes[i..];
    let found = |len: usize, format: Format| {
        Attempt::Found(Found {
            start: i,
            end: i + len,
            format,
        })
    };
    let ends_word = |len: usize| bytes.get(i + len).is_none_or(|&b| !is_word(b));
    // AWS: AKIA/ASIA/... + 16 upper-case letters or digits.
    const AWS: [&[u8]; 8] = [
        b"AKIA", b"ASIA", b"AGPA", b"AIDA", b"AROA", b"ANPA", b"ANVA", b"AIPA",
    ];
    if rest.len() >= 20 && AWS.iter().any(|p| rest.starts_with(p)) {
        let n = run(bytes, i + 4, 16, |b| {
            b.is_ascii_uppercase() || b.is_ascii_digit()
        });
        return if n == 16 && ends_word(20) {
            found(20, Format::AwsAccessKey)
        } else {
            Attempt::Skip(i + 4 + n)
        };
    }
    // GitHub: ghp_/gho_/ghu_/ghs_/ghr_ + 36; github_pat_ + 22 or more.
    if rest.len() >= 4
        && rest.starts_with(b"gh")
        && matches!(rest[2], b'p' | b'o' | b'u' | b's' | b'r')
        && rest[3] == b'_'
    {
        let n = run(bytes, i + 4, 255, |b| b.is_ascii_alphanumeric());
        return if n >= 36 && ends_word(4 + n) {
            found(4 + n, Format::GitHub)
        } else {
            Attempt::Skip(i + 4 + n)
        };
    }
    if rest.starts_with(b"github_pat_") {
        let n = run(bytes, i + 11, 255, is_word);
        return if n >= 22 {
            found(11 + n, Format::GitHub)
        } else {
            Attempt::Skip(i + 11 + n)
        };
    }
    // Hugging Face: hf_ + 30 or more letters and digits.
    if rest.starts_with(b"hf_") {
        let n = run(bytes, i + 3, 255, |b| b.is_ascii_alphanumeric());
        return if n >= 30 && ends_word(3 + n) && mixed(&text[i + 3..i + 3 + n]) {
            found(3 + n, Format::HuggingFace)
        } else {
            Attempt::Skip(i + 3 + n)
        };
    }
    // Slack: xoxb-, xoxp-, xoxa-, xoxr-, xoxs- + digits, letters and dashes.
    if rest.len() >= 5
        && rest.starts_with(b"xox")
        && matches!(rest[3], b'b' | b'p' | b'a' | b'r' | b's')
        && rest[4] == b'-'
    {
        let n = run(bytes, i + 5, 255, is_b64url);
        let digits = text[i + 5..i + 5 + n].bytes().any(|b| b.is_ascii_digit());
        return if n >= 20 && digits {
            found(5 + n, Format::Slack)
        } else {
            Attempt::Skip(i + 5 + n)
        };
    }
    // GitLab: glpat- + 20 or more.
    if rest.starts_with(b"glpat-") {
        let n = run(bytes, i + 6, 255, is_b64url);
        return if n >= 20 {
            found(6 + n, Format::GitLab)
        } else {
            Attempt::Skip(i + 6 + n)
        };
    }
    // OpenAI style: sk- (sk-proj-, sk-ant-, ...) + 20 or more of mixed case
    // and digits, so `sk-learn-something-long` stays quiet.
    if rest.starts_with(b"sk-") {
        let n = run(bytes, i + 3, 255, is_b64url);
        let body = &text[i + 3..i + 3 + n];
        return if n >= 20 && ends_word(3 + n) && mixed(body) && has_upper(body) {
            found(3 + n, Format::OpenAi)
        } else {
            Attempt::Skip(i + 3 + n)
        };
    }
    // JWT: eyJ... . eyJ... . signature.
    if rest.starts_with(b"eyJ") {
        let a = run(bytes, i, 4096, is_b64url);
        if a >= 10 && bytes.get(i + a) == Some(&b'.') && bytes[i + a + 1..].starts_with(b"eyJ") {
            let b = run(bytes, i + a + 1, 8192, is_b64url);
            if b >= 10 && bytes.get(i + a + 1 + b) == Some(&b'.') {
                let c = run(bytes, i + a + 2 + b, 4096, is_b64url);
                if c >= 10 {
                    return found(a + b + c + 2, Format::Jwt);
                }
            }
        }
        return Attempt::Skip(i + a);
    }
    // A private key block: from its BEGIN line to its END line (or the end
    // of the text when it is cut).
    if rest.starts_with(BEGIN.as_bytes()) {
        let line_end = text[i..].find('\n').map_or(text.len(), |p| i + p);
        let header = &text[i..line_end];
        if header.contains(PRIVATE_END) {
            let end = text[line_end..]
                .find("-----END ")
                .and_then(|p| {
                    let from = line_end + p;
                    text[from..]
                        .find(PRIVATE_END)
                        .map(|q| from + q + PRIVATE_END.len())
                })
                .unwrap_or(text.len());
            return found(end - i, Format::PrivateKey);
        }
        return Attempt::Skip(line_end);
    }
    Attempt::None
}

fn has_upper(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_uppercase())
}

/// Letters and digits both: random tokens have them, words do not.
fn mixed(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) && s.bytes().any(|b| b.is_ascii_alphabetic())
}

/// What a variable, key or flag name says about its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameMeans {
    /// A password: short literals count.
    Password,
    /// A key, token or secret: random-looking literals count.
    Key,
    Nothing,
}

/// Whether `name` (`KAGGLE_KEY`, `hf-token`, `apiKey`, `--password`) means
/// a credential. A name that ends in a word for something else
/// (`KEY_PATH`, `TOKEN_URL`, `SECRET_NAME`, `PUBLIC_KEY`) does not.
pub fn name_means(name: &str) -> NameMeans {
    let name = name.trim_start_matches('-');
    // The name's parts, split at `_`, `-`, `.` and camelCase humps, looked
    // at one by one as ranges of the name (compared without regard to
    // case): no allocation, since every env entry, `with` parameter and
    // `NAME=value` word of a script asks.
    let mut last = None;
    let (mut public, mut password, mut key) = (false, false, false);
    let mut part = |a: usize, b: usize| {
        if a == b {
            return;
        }
        let p = &name[a..b];
        let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(p));
        public |= is(&["PUBLIC", "PUB"]);
        password |= is(&["PASSWORD", "PASSWD", "PASSPHRASE", "PASS"]);
        key |= is(&[
            "KEY",
            "APIKEY",
            "TOKEN",
            "SECRET",
            "CREDENTIAL",
            "CREDENTIALS",
            "AUTH",
            "PAT",
            "HFTOKEN",
            "ACCESSKEY",
            "SECRETKEY",
        ]);
        last = Some(p);
    };
    let mut cur = 0;
    let mut prev_lower = false;
    for (i, c) in name.char_indices() {
        if c == '_' || c == '-' || c == '.' {
            part(cur, i);
            cur = i + c.len_utf8();
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && cur < i {
            part(cur, i);
            cur = i;
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    part(cur, name.len());
    let Some(last) = last else {
        return NameMeans::Nothing;
    };
    const NOT_THE_VALUE: [&str; 21] = [
        "ID", "NAME", "USER", "USERNAME", "URL", "URI", "PATH", "FILE", "DIR", "HOST", "PORT",
        "TYPE", "REGION", "ENDPOINT", "BUCKET", "LENGTH", "SIZE", "ENV", "VAR", "FORMAT", "HEADER",
    ];
    if public || NOT_THE_VALUE.iter().any(|w| w.eq_ignore_ascii_case(last)) {
        return NameMeans::Nothing;
    }
    if password {
        return NameMeans::Password;
    }
    // The last test: `APIKEY`, `HFTOKEN`, `MYSECRET` written as one word.
    if key
        || ["APIKEY", "TOKEN", "SECRET", "ACCESSKEY"]
            .iter()
            .any(|w| joined_ends_with(name, w))
    {
        return NameMeans::Key;
    }
    NameMeans::Nothing
}

/// Whether `name` without its separators (`_`, `-`, `.`) ends with the
/// upper-case ASCII `suffix`, in any case.
fn joined_ends_with(name: &str, suffix: &str) -> bool {
    let mut letters = name
        .bytes()
        .rev()
        .filter(|b| !matches!(b, b'_' | b'-' | b'.'));
    suffix
        .bytes()
        .rev()
        .all(|s| letters.next().is_some_and(|b| b.eq_ignore_ascii_case(&s)))
}

/// Whether `value`, given to `name`, is a credential: [`is_credential_value`]
/// with what the name means, asked only of values long enough to be one (the
/// name is the dearer question).
pub fn is_credential_for(name: &str, value: &str) -> bool {
    // Both kinds of credential need 6 characters or more.
    value.trim().len() >= 6 && is_credential_value(value, name_means(name))
}

/// Whether a literal written for a credential-meaning name is a real
/// value rather than a placeholder, a reference or an expansion.
pub fn is_credential_value(value: &str, means: NameMeans) -> bool {
    let v = value.trim();
    if v.is_empty() || means == NameMeans::Nothing || !is_literal(v) || is_placeholder(v) {
        return false;
    }
    if v.chars().any(char::is_whitespace) {
        return false; // a sentence, a command: no credential
    }
    match means {
        NameMeans::Password => {
            v.len() >= 6
                && (v.bytes().any(|b| b.is_ascii_digit())
                    || v.bytes().any(|b| !b.is_ascii_alphanumeric())
                    || (has_upper(v) && v.bytes().any(|b| b.is_ascii_lowercase())))
        }
        NameMeans::Key => {
            // 16 or more characters that look random: letters and digits
            // mixed, few repeats. 32 hex characters under `KAGGLE_KEY` are a
            // key; the same shape under `MODEL_MD5` is never asked about.
            v.len() >= 16 && mixed(v) && distinct(v) >= 8
        }
        NameMeans::Nothing => false,
    }
}

fn distinct(s: &str) -> usize {
    let mut seen = [false; 256];
    let mut n = 0;
    for b in s.bytes() {
        if !seen[b as usize] {
            seen[b as usize] = true;
            n += 1;
        }
    }
    n
}

/// Not a reference or an expansion: `secret:X`, `$X`, `${X}`, `$(cmd)`,
/// `{{ x }}`, a path, a URL.
fn is_literal(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    !(lower.starts_with("secret:")
        || v.contains('$')
        || v.contains('`')
        || v.contains("{{")
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with('~')
        || v.contains("://"))
}

/// `xxx`, `<your-key>`, `REDACTED`, `changeme`, `***`, `...`, `your_token`.
pub fn is_placeholder(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    const WORDS: [&str; 16] = [
        "xxx",
        "redacted",
        "changeme",
        "change_me",
        "change-me",
        "your",
        "example",
        "dummy",
        "placeholder",
        "***",
        "...",
        "…",
        "todo",
        "replace",
        "insert",
        "fixme",
    ];
    v.starts_with('<') && v.ends_with('>')
        || lower.contains('<') && lower.contains('>')
        || WORDS.iter().any(|w| lower.contains(w))
        || v.bytes().all(|b| Some(b) == v.bytes().next())
}

/// How a message names a credential without printing it: its first four
/// characters and its length.
pub fn shown(value: &str) -> String {
    let head: String = value.chars().take(4).collect();
    format!("`{head}…` ({} characters)", value.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formats(text: &str) -> Vec<Format> {
        known_tokens(text).iter().map(|f| f.format).collect()
    }

    #[test]
    fn finds_the_known_formats() {
        let gh = format!("ghp_{}", "aB3".repeat(12));
        assert_eq!(
            formats(&format!("git clone https://{gh}@github.com/x")),
            [Format::GitHub]
        );
        assert_eq!(
            formats("key AKIAZ5Q3R7T2W4X6Y8B1 here"),
            [Format::AwsAccessKey]
        );
        assert_eq!(
            formats(&format!("hf_{}", "Ab1".repeat(11))),
            [Format::HuggingFace]
        );
        assert_eq!(formats("xoxb-123456789012-abcdefghijkl"), [Format::Slack]);
        assert_eq!(formats("glpat-abcdefghij0123456789"), [Format::GitLab]);
        assert_eq!(
            formats("sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t"),
            [Format::OpenAi]
        );
        assert_eq!(
            formats("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlX2hlcmU"),
            [Format::Jwt]
        );
        assert_eq!(
            formats("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"),
            [Format::PrivateKey]
        );
    }

    #[test]
    fn look_alikes_stay_quiet() {
        for quiet in [
            "pip install sk-learn-extensions-for-everyone",
            "sha 3f786850e387550fdab836ed7e6dc881de23001b",
            "AKIA_not_a_key",
            "xghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "-----BEGIN PUBLIC KEY-----",
            "hf_hub_download(repo_id='x')",
            "eyJ.eyJ.x",
        ] {
            assert!(formats(quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn names_that_mean_a_credential() {
        for (name, means) in [
            ("KAGGLE_KEY", NameMeans::Key),
            ("HF_TOKEN", NameMeans::Key),
            ("apiKey", NameMeans::Key),
            ("--api-key", NameMeans::Key),
            ("AWS_SECRET_ACCESS_KEY", NameMeans::Key),
            ("DB_PASSWORD", NameMeans::Password),
            ("password", NameMeans::Password),
            ("SSH_KEY_PATH", NameMeans::Nothing),
            ("PUBLIC_KEY", NameMeans::Nothing),
            ("SECRET_NAME", NameMeans::Nothing),
            ("MODEL_SHA256", NameMeans::Nothing),
            ("RUN_ID", NameMeans::Nothing),
            ("KEYBOARD", NameMeans::Nothing),
        ] {
            assert_eq!(name_means(name), means, "{name}");
        }
    }

    #[test]
    fn values_that_are_credentials() {
        let key = NameMeans::Key;
        assert!(is_credential_value("3f786850e387550fdab836ed7e6dc881", key));
        assert!(is_credential_value("hunter22", NameMeans::Password));
        for quiet in [
            "secret:KAGGLE_KEY",
            "$KAGGLE_KEY",
            "${{ secrets.X }}",
            "<your-key>",
            "REDACTED",
            "<REDACTED>",
            "changeme",
            "xxxxxxxxxxxxxxxxxxxx",
            "your_api_key_here_123",
            "/run/secrets/key",
            "short1",
            "abcdefghijklmnopqrstuvwxyz",
        ] {
            assert!(!is_credential_value(quiet, key), "{quiet}");
        }
        assert!(!is_credential_value(
            "3f786850e387550fdab836ed7e6dc881",
            NameMeans::Nothing
        ));
    }

    #[test]
    fn shown_gives_four_characters_and_the_length() {
        assert_eq!(shown("ghp_abcdef"), "`ghp_…` (10 characters)");
    }
}
