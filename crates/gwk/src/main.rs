//! gwk: the Gradient Workflow Kit command line.

mod cmd;
mod datastore;
mod discover;
mod output;
mod plan_human;
#[cfg(test)]
mod plan_props;
mod planning;

use clap::{CommandFactory, Parser, Subcommand};
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
    /// Export a workflow to another engine (Argo Workflows).
    Export(cmd::export::Args),
    /// Draw the job graph: ascii, mermaid, dot, json or svg.
    Graph(cmd::graph::Args),
    /// Print the JSON Schema of a Gradient workflow.
    Schema,
    /// Print a shell completion script.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(args),
        Command::Plan(args) => cmd::plan::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Graph(args) => cmd::graph::run(args),
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
