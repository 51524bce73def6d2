//! `--events json`: every event as one JSON object per line on stdout
//! (docs/events.md). Shown through `run_view::Detached`, so a reader that
//! does not keep up loses job output lines (said by a `warning` event),
//! never holds up the run.

use crate::run_view::Screen;
use gwk_run::events::Event;
use std::io::Write;

pub struct JsonEvents;

impl JsonEvents {
    fn write(event: &Event) {
        if let Ok(mut line) = serde_json::to_vec(event) {
            line.push(b'\n');
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&line);
            let _ = out.flush();
        }
    }
}

impl Screen for JsonEvents {
    fn show(&self, event: &Event) {
        Self::write(event);
    }

    fn not_shown(&self, n: u64) {
        Self::write(&Event::Warning {
            message: format!(
                "{n} log event{} not shown (stdout too slow); the job logs have them (gwk runs logs)",
                if n == 1 { "" } else { "s" }
            ),
        });
    }
}
