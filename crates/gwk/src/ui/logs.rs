//! A job's log, served a range at a time: a 100 MB log is never read
//! whole, not even to search it (it is scanned in blocks).

use crate::ui::Shared;
use crate::ui::pages::run::open;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::io::{Read, Seek, SeekFrom};

/// The most one range request returns.
pub const MAX_RANGE: u64 = 1 << 20;
const DEFAULT_RANGE: u64 = 64 << 10;
/// Matches one search returns; the next search starts after the last one.
const MAX_MATCHES: usize = 200;
const SEARCH_BLOCK: usize = 4 << 20;

#[derive(Debug, serde::Deserialize)]
pub struct RangeQuery {
    /// Byte offset to start at; absent: the log's last `len` bytes.
    pub start: Option<u64>,
    /// Bytes to read (at most [`MAX_RANGE`]).
    pub len: Option<u64>,
    /// Read backwards: the `len` bytes that end at `start`.
    #[serde(default)]
    pub before: bool,
}

#[derive(Debug, serde::Serialize, PartialEq)]
pub struct LogRange {
    /// The range of whole lines returned, `[start, end)`.
    pub start: u64,
    pub end: u64,
    /// The log's size now.
    pub size: u64,
    pub text: String,
}

/// Whole lines of `file` around the asked range.
pub fn read_range(file: &std::path::Path, q: &RangeQuery) -> std::io::Result<LogRange> {
    let mut f = std::fs::File::open(file)?;
    let size = f.metadata()?.len();
    let len = q.len.unwrap_or(DEFAULT_RANGE).clamp(1, MAX_RANGE);
    let (from, to) = match (q.start, q.before) {
        (None, _) => (size.saturating_sub(len), size),
        (Some(s), true) => (s.min(size).saturating_sub(len), s.min(size)),
        (Some(s), false) => (s.min(size), (s.min(size) + len).min(size)),
    };
    f.seek(SeekFrom::Start(from))?;
    let mut buf = vec![0; (to - from) as usize];
    f.read_exact(&mut buf)?;
    // Whole lines only: drop a cut first line (unless the range starts a
    // line) and a cut last one (unless it ends the file, where the run
    // may still be writing it: then it comes with the next read).
    let mut a = 0;
    if from > 0 {
        let mut prev = [0u8];
        f.seek(SeekFrom::Start(from - 1))?;
        f.read_exact(&mut prev)?;
        if prev[0] != b'\n' {
            a = buf
                .iter()
                .position(|&b| b == b'\n')
                .map_or(buf.len(), |p| p + 1);
        }
    }
    let b = match buf[a..].iter().rposition(|&b| b == b'\n') {
        Some(p) => a + p + 1,
        // One line longer than the range: give it cut rather than nothing.
        None if to - from == len => buf.len(),
        None => a,
    };
    let b = b.max(a);
    Ok(LogRange {
        start: from + a as u64,
        end: from + b as u64,
        size,
        text: String::from_utf8_lossy(&buf[a..b]).into_owned(),
    })
}

#[derive(Debug, serde::Serialize, PartialEq)]
pub struct Match {
    /// Where the matching line starts.
    pub offset: u64,
    pub line: String,
}

#[derive(Debug, serde::Serialize)]
pub struct SearchResult {
    pub matches: Vec<Match>,
    /// Where to go on from, when the search stopped at [`MAX_MATCHES`].
    pub next: Option<u64>,
}

/// Lines of `file` from `from` on that contain `needle`.
pub fn search_file(
    file: &std::path::Path,
    needle: &str,
    from: u64,
) -> std::io::Result<SearchResult> {
    let mut f = std::fs::File::open(file)?;
    f.seek(SeekFrom::Start(from))?;
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let mut matches = Vec::new();
    let mut base = from;
    let mut carry: Vec<u8> = Vec::new();
    let mut block = vec![0u8; SEARCH_BLOCK];
    loop {
        let n = f.read(&mut block)?;
        let eof = n == 0;
        carry.extend_from_slice(&block[..n]);
        // Search the whole lines; the cut one waits for the next block.
        let upto = if eof {
            carry.len()
        } else {
            match carry.iter().rposition(|&b| b == b'\n') {
                Some(p) => p + 1,
                None => continue,
            }
        };
        let mut at = 0;
        while let Some(p) = finder.find(&carry[at..upto]) {
            let hit = at + p;
            let ls = carry[..hit]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |q| q + 1);
            let le = memchr::memchr(b'\n', &carry[hit..upto]).map_or(upto, |q| hit + q);
            matches.push(Match {
                offset: base + ls as u64,
                line: String::from_utf8_lossy(&carry[ls..le.min(ls + 500)]).into_owned(),
            });
            if matches.len() == MAX_MATCHES {
                return Ok(SearchResult {
                    matches,
                    next: Some(base + le as u64),
                });
            }
            at = (le + 1).min(upto);
            if at >= upto {
                break;
            }
        }
        if eof {
            return Ok(SearchResult {
                matches,
                next: None,
            });
        }
        carry.drain(..upto);
        base += upto as u64;
    }
}

fn log_path(ui: &Shared, id: &str, job: &str) -> Result<std::path::PathBuf, Response> {
    let (dir, r) = open(ui, id)?;
    if r.job(job).is_none() {
        return Err(crate::ui::html::error(
            StatusCode::NOT_FOUND,
            &format!("run {id} has no job `{job}`"),
        ));
    }
    Ok(dir.job_log(job))
}

pub async fn range(
    State(ui): State<Shared>,
    Path((id, job)): Path<(String, String)>,
    Query(q): Query<RangeQuery>,
) -> Response {
    let path = match log_path(&ui, &id, &job) {
        Ok(p) => p,
        Err(e) => return e,
    };
    match tokio::task::spawn_blocking(move || read_range(&path, &q)).await {
        Ok(Ok(r)) => Json(r).into_response(),
        // No log yet: the job has not started.
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => Json(LogRange {
            start: 0,
            end: 0,
            size: 0,
            text: String::new(),
        })
        .into_response(),
        _ => crate::ui::html::error(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the log"),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct SearchQuery {
    pub q: String,
    #[serde(default)]
    pub from: u64,
}

pub async fn search(
    State(ui): State<Shared>,
    Path((id, job)): Path<(String, String)>,
    Query(q): Query<SearchQuery>,
) -> Response {
    let path = match log_path(&ui, &id, &job) {
        Ok(p) => p,
        Err(e) => return e,
    };
    if q.q.is_empty() {
        return (StatusCode::BAD_REQUEST, "search for what? (q is empty)\n").into_response();
    }
    match tokio::task::spawn_blocking(move || search_file(&path, &q.q, q.from)).await {
        Ok(Ok(r)) => Json(r).into_response(),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => Json(SearchResult {
            matches: Vec::new(),
            next: None,
        })
        .into_response(),
        _ => crate::ui::html::error(StatusCode::INTERNAL_SERVER_ERROR, "cannot search the log"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("log");
        std::fs::write(&p, text).unwrap();
        (t, p)
    }

    fn q(start: Option<u64>, len: u64, before: bool) -> RangeQuery {
        RangeQuery {
            start,
            len: Some(len),
            before,
        }
    }

    #[test]
    fn the_tail_is_whole_lines() {
        let (_t, p) = log("one\ntwo\nthree\n");
        let r = read_range(&p, &q(None, 8, false)).unwrap();
        // The last 8 bytes are "o\nthree\n": the cut "o" is dropped.
        assert_eq!(
            (r.start, r.end, r.size, r.text.as_str()),
            (8, 14, 14, "three\n")
        );
    }

    #[test]
    fn ranges_forward_and_backward_meet() {
        let (_t, p) = log("one\ntwo\nthree\n");
        let r = read_range(&p, &q(Some(0), 6, false)).unwrap();
        assert_eq!(r.text, "one\n");
        let r = read_range(&p, &q(Some(8), 8, true)).unwrap();
        assert_eq!((r.start, r.text.as_str()), (0, "one\ntwo\n"));
        let r = read_range(&p, &q(Some(4), 100, false)).unwrap();
        assert_eq!(r.text, "two\nthree\n");
    }

    #[test]
    fn an_unfinished_last_line_waits() {
        let (_t, p) = log("done\nhalf");
        let r = read_range(&p, &q(Some(0), 100, false)).unwrap();
        assert_eq!((r.end, r.text.as_str()), (5, "done\n"));
    }

    #[test]
    fn search_finds_lines_across_blocks() {
        let mut text = String::new();
        for i in 0..300_000 {
            text.push_str(&format!(
                "line {i} {}\n",
                if i % 100_000 == 7 { "NEEDLE" } else { "hay" }
            ));
        }
        let (_t, p) = log(&text);
        let r = search_file(&p, "NEEDLE", 0).unwrap();
        let lines: Vec<&str> = r.matches.iter().map(|m| m.line.as_str()).collect();
        assert_eq!(
            lines,
            ["line 7 NEEDLE", "line 100007 NEEDLE", "line 200007 NEEDLE"]
        );
        let off = r.matches[1].offset as usize;
        assert!(text[off..].starts_with("line 100007 "));
        assert_eq!(r.next, None);
        // From the line after the second match: only the third is left.
        let r = search_file(&p, "NEEDLE", (off + "line 100007 NEEDLE\n".len()) as u64).unwrap();
        assert_eq!(r.matches.len(), 1);
    }
}
