//! gwk: the Gradient Workflow Kit command line. The binary (`main.rs`)
//! only calls [`main`]; being a library lets the pre-commit package at the
//! repository root build the same CLI without repeating its dependencies.

mod baseline;
mod cmd;
mod discover;
mod event_file;
mod events_json;
mod image_digests;
mod output;
mod plan_human;
#[cfg(test)]
mod plan_props;
mod planning;
mod run_input;
mod run_view;
mod ui;
mod write_back;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// Check, plan, run and export Paperspace Gradient workflows.
#[derive(Parser)]
#[command(name = "gwk", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check workflow files and report what is wrong, where, and how to fix it.
    Check(cmd::check::Args),
    /// Show what a run would do, job by job, without running anything.
    Plan(cmd::plan::Args),
    /// Run a workflow on the local Docker engine, GPUs included.
    Run(cmd::run::Args),
    /// Manage the local dataset store.
    Datasets(cmd::datasets::Args),
    /// List past runs, show one, print its logs and outputs.
    Runs(cmd::runs::Args),
    /// List the models create-model@v1 registered.
    Models(cmd::models::Args),
    /// Remove containers and scratch data of runs whose gwk is gone.
    Gc(cmd::gc::Args),
    /// Run the workflows whose `on.github` trigger matches a pushed ref.
    Trigger(cmd::trigger::Args),
    /// Install or remove a git pre-push hook that runs `gwk trigger`.
    Hooks(cmd::hooks::Args),
    /// Check that this machine can run workflows (Docker, GPUs, git).
    Doctor(cmd::doctor::Args),
    /// Export a workflow to another engine (Argo Workflows).
    Export(cmd::export::Args),
    /// Draw the job graph: ascii, mermaid, dot, json or svg.
    Graph(cmd::graph::Args),
    /// Start the web console: runs, logs, outputs, datasets, workflows.
    Ui(cmd::ui::Args),
    /// Print the JSON Schema of a Gradient workflow.
    Schema,
    /// Print a shell completion script.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// The command line as clap sees it, every subcommand named `gwk` for
/// `-V` (clap would print `gwk-check 0.1.0`; usage lines keep their
/// full `gwk check`).
fn command() -> clap::Command {
    fn named(c: clap::Command) -> clap::Command {
        c.mut_subcommands(|sc| named(sc.display_name("gwk")))
    }
    named(Cli::command())
}

/// Runs the command line: parses the arguments, runs the command, and turns
/// its outcome into the exit status.
pub fn main() -> ExitCode {
    let cli = Cli::from_arg_matches(&command().get_matches()).unwrap_or_else(|e| e.exit());
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(args),
        Command::Plan(args) => cmd::plan::run(args),
        Command::Run(args) => cmd::run::run(args),
        Command::Datasets(args) => cmd::datasets::run(args),
        Command::Doctor(args) => cmd::doctor::run(args),
        Command::Runs(args) => cmd::runs::run(args),
        Command::Models(args) => cmd::models::run(args),
        Command::Gc(args) => cmd::gc::run(args),
        Command::Trigger(args) => cmd::trigger::run(args),
        Command::Hooks(args) => cmd::hooks::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Graph(args) => cmd::graph::run(args),
        Command::Ui(args) => cmd::ui::run(args),
        Command::Schema => {
            print!("{}", gwk_spec::schema::schema_text());
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "gwk", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // gwk itself could not do the job: say why, exit 2.
            eprintln!("gwk: {e:#}");
            ExitCode::from(2)
        }
    }
}
