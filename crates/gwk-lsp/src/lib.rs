//! gwk-lsp: the language server for Paperspace Gradient workflow specs.
//!
//! A thin host over gwk-spec: it keeps the open documents, checks them with
//! the same `gwk_spec::analyze` as `gwk check`, and answers cursor queries
//! with `gwk_spec::query`. It speaks LSP over stdin/stdout. docs/lsp.md
//! describes what it offers and how to configure editors.
//!
//! A library so that the binary (`main.rs`) and the Python wheel's package
//! at the repository root build the same server from one place.

mod checker;
mod convert;
mod debug;
mod handlers;
mod lifecycle;
mod panics;
mod server;
mod snapshot;
mod sources;
mod state;
mod trace;
mod transport;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tower_lsp_server::LspService;

const HELP: &str = "\
gwk-lsp: the language server for Paperspace Gradient workflow specs

usage: gwk-lsp [--stdio]

Speaks the Language Server Protocol on standard input and output; an
editor starts it (see docs/lsp.md for VS Code, Neovim and Helix).

options:
  --stdio        talk over stdin/stdout (the default and only transport)
  -V, --version  print the version
  -h, --help     print this help
";

/// The server's entry point: arguments, then LSP over stdin and stdout.
pub fn main() -> ExitCode {
    // A panic is caught (panics.rs, checker.rs) and the server goes on:
    // one line in the editor's log says where, without a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "gwk-lsp: internal error{at}: {}",
            panics::message_of(info.payload())
        );
    }));
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--stdio" => {}
            "-V" | "--version" => {
                println!("gwk-lsp {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "-h" | "--help" => {
                print!("{HELP}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("gwk-lsp: unknown argument `{other}`\n\n{HELP}");
                return ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gwk-lsp: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let state = Arc::new(state::State::default());
    let shared = state.clone();
    runtime.block_on(async move {
        let mut builder = LspService::build(move |client| server::Backend::new(client, shared))
            .custom_method("gwk/graph", server::Backend::graph);
        if debug::enabled() {
            builder = builder.custom_method("gwk/debug/panic", server::Backend::debug_panic);
        }
        let (service, socket) = builder.finish();
        let client = service.inner().client();
        let service = panics::CatchPanics::new(service, client);
        transport::serve(service, socket).await;
    });
    // Per the protocol: 0 after `shutdown` then `exit`, 1 otherwise.
    if state.shutdown.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        eprintln!("gwk-lsp: the input ended, or `exit` came, before `shutdown`: exit status 1");
        ExitCode::FAILURE
    }
}
