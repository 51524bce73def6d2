//! `--events json`: every event as one JSON object per line on stdout
//! (docs/events.md).

use gwk_run::events::{Event, EventSink};
use std::io::Write;

pub struct JsonEvents;

impl EventSink for JsonEvents {
    fn emit(&self, event: &Event) {
        if let Ok(mut line) = serde_json::to_vec(event) {
            line.push(b'\n');
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&line);
            let _ = out.flush();
        }
    }
}
