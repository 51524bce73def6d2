//! `gwk check [PATH]...`

use crate::discover::{Configs, workflow_files};
use crate::output::{FileReport, Format, render, total};
use anyhow::{Context, Result};
use gwk_spec::config::Persona;
use rayon::prelude::*;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_long_help = "An `unpinned-image` finding also offers the image pinned to its \
digest (`bash:latest@sha256:…`) when the local Docker engine has the image with a RepoDigests \
entry; an image built or loaded on this host has none and gets no such fix. Without Docker the \
findings are the same, with no error."
)]
pub struct Args {
    /// Files or directories to check (default: .gradient/workflows/). `-`
    /// reads one file from standard input.
    pub paths: Vec<PathBuf>,
    /// How to print the findings.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Count warnings as errors for the exit status.
    #[arg(long)]
    pub deny_warnings: bool,
    /// The name to report for a file read from standard input.
    #[arg(long, default_value = "<stdin>")]
    pub stdin_filename: String,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Color,
    /// How strict the rules are: regular, or pedantic (also what a careful
    /// reviewer would raise). Overrides `persona` in gwk.toml.
    #[arg(long, value_enum)]
    pub persona: Option<PersonaArg>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PersonaArg {
    Regular,
    Pedantic,
}

impl From<PersonaArg> for Persona {
    fn from(p: PersonaArg) -> Persona {
        match p {
            PersonaArg::Regular => Persona::Regular,
            PersonaArg::Pedantic => Persona::Pedantic,
        }
    }
}

/// Set only by scripts/bench-check.sh, to measure in one run what the
/// security rules cost: `gwk check` then skips them.
const BENCH_WITHOUT_SECURITY: &str = "GWK_BENCH_WITHOUT_SECURITY";

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let files = workflow_files(&args.paths)?;
    let configs = Configs::default();
    let without_security = std::env::var_os(BENCH_WITHOUT_SECURITY).is_some();
    let reports: Vec<FileReport> = files
        .par_iter()
        .map(|path| -> Result<FileReport> {
            let mut config = configs.for_file(path)?;
            if args.persona.is_some() || without_security {
                let c = std::sync::Arc::make_mut(&mut config);
                if let Some(p) = args.persona {
                    c.persona = p.into();
                }
                c.bench_without_security = without_security;
            }
            let (name, bytes) = if path.as_os_str() == "-" {
                let mut buf = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut buf)
                    .context("cannot read standard input")?;
                (args.stdin_filename.clone(), buf)
            } else {
                let bytes = std::fs::read(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                (path.display().to_string(), bytes)
            };
            let mut analysis = gwk_spec::analyze_bytes(&bytes, &config);
            // The findings are all the output needs: freeing the tree and
            // the model here lets the next file reuse their memory instead
            // of faulting in fresh pages (most of a 200-file check's system
            // time) and keeps the peak small.
            analysis.root = None;
            analysis.workflow = None;
            Ok(FileReport {
                path: name,
                analysis,
            })
        })
        .collect::<Result<_>>()?;
    let mut reports = reports;
    crate::image_digests::add_fixes(&mut reports);
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let text = render(args.format, &reports, color);
    let mut out = std::io::stdout().lock();
    // A closed pipe (`gwk check | head`) is not an error of gwk's.
    let _ = out.write_all(text.as_bytes());
    let t = total(&reports);
    let failed = t.errors > 0 || (args.deny_warnings && t.warnings > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
