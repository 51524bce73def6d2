//! One module per subcommand.

pub mod check;
pub mod datasets;
pub mod doctor;
pub mod export;
pub mod gc;
pub mod graph;
pub mod hooks;
pub mod models;
pub mod plan;
pub mod run;
pub mod runs;
pub mod runs_shell;
pub mod runs_why;
pub mod trigger;
pub mod ui;

/// gwk's state directory (`$GWK_HOME`, see gwk_project::home), or why not.
pub fn gwk_home() -> anyhow::Result<std::path::PathBuf> {
    use anyhow::Context;
    gwk_project::home::gwk_home()
        .context("cannot find gwk's state directory: set GWK_HOME (or HOME)")
}
