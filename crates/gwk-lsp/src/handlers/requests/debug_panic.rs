//! `gwk/debug/panic`: panics, so tests can see the server survive it.
//! Registered only when `GWK_LSP_DEBUG=1` (debug.rs).

pub fn run() -> ! {
    panic!("a panic asked for by gwk/debug/panic")
}
