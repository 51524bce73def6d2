//! `gwk plan FILE`: what a run would do, without running anything.

use crate::cmd::check::Color;
use crate::planning::{PlanArgs, prepare};
use anyhow::Result;
use gwk_spec::plan::{DatasetResolver, NoStore};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The workflow file.
    pub file: PathBuf,
    #[command(flatten)]
    pub plan: PlanArgs,
    /// How to print the plan: human (readable in 80 columns) or json (the
    /// contract in docs/plan.md).
    #[arg(long, value_enum, default_value = "human")]
    pub format: PlanFormat,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Color,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
}

pub fn run(args: Args) -> Result<ExitCode> {
    // The store `gwk run` uses, so the versions planned are the ones run.
    let store = gwk_project::home::gwk_home().map(|h| gwk_run::datasets::DatasetStore::new(&h));
    let resolver: &dyn DatasetResolver = match &store {
        Some(s) => s,
        None => &NoStore,
    };
    let Some(prepared) = prepare(&args.file, &args.plan, resolver)? else {
        return Ok(ExitCode::from(1));
    };
    let text = match args.format {
        PlanFormat::Json => {
            let mut s = serde_json::to_string_pretty(&prepared.plan).expect("a plan serializes");
            s.push('\n');
            s
        }
        PlanFormat::Human => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
            };
            crate::plan_human::render(
                &prepared.plan,
                &prepared.path.display().to_string(),
                prepared.analysis.diagnostics.len(),
                color,
            )
        }
    };
    // The plan holds secret names only; redacting anyway keeps a value
    // that also appears as plain text (an env value, a URL) out of sight.
    let text = prepared.secrets.redact(&text);
    // A closed pipe (`gwk plan | head`) is not an error of gwk's.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}
