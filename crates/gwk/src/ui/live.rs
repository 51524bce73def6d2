//! Live updates over server-sent events, read from what the CLI writes:
//! a run's states from its `events.jsonl` (docs/events.md), the Runs
//! page's rows from the store. The browser's EventSource reconnects by
//! itself; each stream starts from the current state, so nothing is lost.

use crate::ui::Shared;
use crate::ui::pages::runs::{PER_PAGE, RunsQuery, rows_html};
use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use gwk_run::rundir::RunDir;
use std::convert::Infallible;
use std::io::{Read, Seek, SeekFrom};
use std::time::Duration;

const POLL: Duration = Duration::from_millis(250);

fn sse<S>(s: S) -> Response
where
    S: Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    Sse::new(s).keep_alive(KeepAlive::default()).into_response()
}

/// `event: rows` with page's table rows whenever they change (a new run,
/// a status that moved on).
pub async fn runs_table(State(ui): State<Shared>, Query(q): Query<RunsQuery>) -> Response {
    // Nothing sent yet: the first rows always go out.
    let state = (ui, q, String::from("\0"), true);
    sse(stream::unfold(
        state,
        |(ui, q, mut last, mut first)| async move {
            loop {
                if !first {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                first = false;
                let (u, filter, page) = (ui.clone(), q.filter(), q.page);
                let (rows, total) =
                    tokio::task::spawn_blocking(move || u.runs.page(&filter, page, PER_PAGE))
                        .await
                        .unwrap_or_default();
                let html = rows_html(&rows).into_string();
                if html != last {
                    let ev = Event::default()
                        .event("rows")
                        .id(total.to_string())
                        .data(html.clone());
                    return Some((Ok(ev), (ui, q, html, false)));
                }
                last = html;
            }
        },
    ))
}

/// What a run's page needs from one event line, as the JSON sent.
fn state_of(line: &str) -> Option<(String, serde_json::Value)> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let kind = v.get("event")?.as_str()?;
    let job = || v.get("job").cloned().unwrap_or_default();
    Some(match kind {
        "job_queued" => (
            "job".into(),
            serde_json::json!({"job": job(), "state": "pending"}),
        ),
        "job_started" => (
            "job".into(),
            serde_json::json!({"job": job(), "state": "running"}),
        ),
        "job_finished" => (
            "job".into(),
            serde_json::json!({"job": job(), "state": v.get("status"), "exit_code": v.get("exit_code"), "duration_secs": v.get("duration_secs")}),
        ),
        "run_finished" => (
            "run".into(),
            serde_json::json!({"status": v.get("status"), "duration_secs": v.get("duration_secs")}),
        ),
        _ => return None,
    })
}

struct Tail {
    dir: RunDir,
    offset: u64,
    /// Events read but not sent yet.
    queue: std::collections::VecDeque<Event>,
    done: bool,
}

impl Tail {
    /// The whole lines written since the last read.
    fn read_new(&mut self) {
        let Ok(mut f) = std::fs::File::open(self.dir.events_path()) else {
            return;
        };
        if f.seek(SeekFrom::Start(self.offset)).is_err() {
            return;
        }
        let mut buf = Vec::new();
        // A run that logs a lot writes fast: read at most 4 MiB a turn.
        let _ = f.take(4 << 20).read_to_end(&mut buf);
        let Some(end) = buf.iter().rposition(|&b| b == b'\n') else {
            return;
        };
        self.offset += end as u64 + 1;
        for line in buf[..end].split(|&b| b == b'\n') {
            let Ok(line) = std::str::from_utf8(line) else {
                continue;
            };
            // `log` lines are most of the file; skip them unparsed.
            if line.starts_with("{\"event\":\"log\"") {
                continue;
            }
            if let Some((kind, data)) = state_of(line) {
                if kind == "run" {
                    self.done = true;
                }
                self.queue
                    .push_back(Event::default().event(kind).data(data.to_string()));
            }
        }
    }
}

/// `event: job` `{"job","state",...}` per job state change, `event: run`
/// `{"status",...}` when the run ends (the stream ends there too). Starts
/// with every job's state from the record, then follows `events.jsonl`
/// from where it was when the record was read.
pub async fn run_states(State(ui): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(dir) = RunDir::open(&ui.home, &id) else {
        return crate::ui::html::error(axum::http::StatusCode::NOT_FOUND, "no such run");
    };
    // The size first, then the record: what happens in between is sent
    // twice (harmless), never missed.
    let offset = std::fs::metadata(dir.events_path())
        .map(|m| m.len())
        .unwrap_or(0);
    let Ok(record) = dir.read_record() else {
        return crate::ui::html::error(axum::http::StatusCode::NOT_FOUND, "no record");
    };
    let mut queue = std::collections::VecDeque::new();
    for j in &record.jobs {
        queue.push_back(Event::default().event("job").data(
            serde_json::json!({"job": j.name, "state": j.status.as_str(), "exit_code": j.exit_code, "duration_secs": j.duration_secs}).to_string(),
        ));
    }
    let status = crate::ui::store::shown_status(&dir, &record);
    let finished = status != "running";
    if finished {
        queue.push_back(
            Event::default().event("run").data(
                serde_json::json!({"status": status, "duration_secs": record.duration_secs})
                    .to_string(),
            ),
        );
    }
    let tail = Tail {
        dir,
        offset,
        queue,
        done: finished,
    };
    sse(stream::unfold(tail, |mut t| async move {
        loop {
            if let Some(ev) = t.queue.pop_front() {
                return Some((Ok(ev), t));
            }
            if t.done {
                return None;
            }
            tokio::time::sleep(POLL).await;
            t = tokio::task::spawn_blocking(move || {
                t.read_new();
                // The gwk running it died without a `run_finished`.
                if t.queue.is_empty() && !t.done && t.dir.live_owner().is_none() {
                    if let Ok(r) = t.dir.read_record() {
                        let status = crate::ui::store::shown_status(&t.dir, &r);
                        t.queue.push_back(Event::default().event("run").data(
                            serde_json::json!({"status": status, "duration_secs": r.duration_secs}).to_string(),
                        ));
                    }
                    t.done = true;
                }
                t
            })
            .await
            .ok()?;
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_lines_become_states() {
        let (k, v) = state_of(r#"{"event":"job_started","job":"A","time":"t"}"#).unwrap();
        assert_eq!(
            (k.as_str(), v["job"].as_str(), v["state"].as_str()),
            ("job", Some("A"), Some("running"))
        );
        let (k, v) = state_of(r#"{"event":"job_finished","job":"A","status":"failed","exit_code":3,"duration_secs":1.0,"time":"t"}"#).unwrap();
        assert_eq!(
            (k.as_str(), v["state"].as_str(), v["exit_code"].as_i64()),
            ("job", Some("failed"), Some(3))
        );
        let (k, v) = state_of(r#"{"event":"run_finished","run_id":"r","status":"succeeded","duration_secs":2.0,"time":"t"}"#).unwrap();
        assert_eq!(
            (k.as_str(), v["status"].as_str()),
            ("run", Some("succeeded"))
        );
        assert!(state_of(r#"{"event":"log","job":"A","stream":"stdout","line":"x"}"#).is_none());
        assert!(state_of("not json").is_none());
    }
}
