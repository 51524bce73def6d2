//! The `gwk` binary: everything is in the library.

fn main() -> std::process::ExitCode {
    gwk::main()
}
