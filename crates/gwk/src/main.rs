//! The `gwk` binary: everything is in the library.

// mimalloc: `gwk check` builds and drops many small trees and strings on
// several threads; glibc's malloc spent about a quarter of the instructions
// of a 200-file check (callgrind), mimalloc a small part of that.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    gwk::main()
}
