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
