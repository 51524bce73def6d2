//! Timings on stderr when `GWK_LSP_LOG=1` (for troubleshooting and
//! profiling; editors show a server's stderr in their LSP log).

use std::sync::OnceLock;
use std::time::Instant;

pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var("GWK_LSP_LOG").is_ok_and(|v| v == "1"))
}

/// Runs `f`, and logs how long it took when tracing is on.
pub fn timed<T>(what: impl FnOnce() -> String, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let start = Instant::now();
    let out = f();
    eprintln!(
        "gwk-lsp: {} in {:.2} ms",
        what(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    out
}

/// [`timed`] for a future.
pub async fn timed_async<T>(what: impl FnOnce() -> String, f: impl Future<Output = T>) -> T {
    if !enabled() {
        return f.await;
    }
    let start = Instant::now();
    let out = f.await;
    eprintln!(
        "gwk-lsp: {} in {:.2} ms",
        what(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    out
}

/// Milliseconds since the server started, for ordering trace lines.
pub fn now_ms() -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}
