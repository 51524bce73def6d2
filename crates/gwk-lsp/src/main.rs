//! gwk-lsp: the language server for Paperspace Gradient workflow specs.
//!
//! A thin host over gwk-spec: it keeps the open documents, checks them with
//! the same `gwk_spec::analyze` as `gwk check`, and answers cursor queries
//! with `gwk_spec::query`. It speaks LSP over stdin/stdout. docs/lsp.md
//! describes what it offers and how to configure editors.

// mimalloc, without transparent huge pages: an edit of a 1 MB workflow is
// checked about 15% sooner than with glibc's malloc (whose single arena
// kept the peak low), for a peak of about 88 MiB instead of 57; with huge
// pages the peak was 122 MiB (docs/performance.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    gwk_lsp::main()
}
