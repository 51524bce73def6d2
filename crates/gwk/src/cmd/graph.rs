//! `gwk graph FILE`: the job graph as Mermaid, DOT, JSON, ASCII or SVG.

use crate::discover::Configs;
use crate::output::FileReport;
use anyhow::{Context, Result};
use gwk_spec::graph_view::{self, GraphView};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The workflow file.
    pub file: PathBuf,
    /// ascii: a tree for the terminal; mermaid: a flowchart for Markdown;
    /// dot: Graphviz; svg: a picture drawn by gwk; json: the contract in
    /// docs/graph.md.
    #[arg(long, value_enum, default_value = "ascii")]
    pub format: GraphFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Ascii,
    Mermaid,
    Dot,
    Json,
    Svg,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let config = Configs::default().for_file(&args.file)?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let analysis = gwk_spec::analyze_bytes(&bytes, &config);
    let report = FileReport {
        path: args.file.display().to_string(),
        analysis,
    };
    let Some(view) = graph_view::of_analysis(&report.analysis, &config) else {
        // Not YAML at all: there is no graph to draw.
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        eprint!(
            "{}",
            crate::output::render(
                crate::output::Format::Human,
                std::slice::from_ref(&report),
                color
            )
        );
        return Ok(ExitCode::from(1));
    };
    let text = render(&view, &report, args.format);
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let errors = report.counts().errors;
    if errors > 0 {
        // The graph of a broken file is still worth seeing (a cycle shows
        // best drawn), but say it is not the whole story.
        eprintln!(
            "gwk: {} has {errors} error{}; `gwk check {}` shows {}",
            report.path,
            if errors == 1 { "" } else { "s" },
            report.path,
            if errors == 1 { "it" } else { "them" }
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn render(view: &GraphView, report: &FileReport, format: GraphFormat) -> String {
    match format {
        GraphFormat::Ascii => graph_view::ascii(view),
        GraphFormat::Mermaid => graph_view::mermaid(view),
        GraphFormat::Dot => graph_view::dot(view),
        GraphFormat::Svg => graph_view::svg(view),
        GraphFormat::Json => {
            let doc = view.json(|span| {
                let r = report.range(span);
                let mut m = serde_json::Map::new();
                m.insert("line".into(), r.line.into());
                m.insert("column".into(), r.column.into());
                m.insert("end_line".into(), r.end_line.into());
                m.insert("end_column".into(), r.end_column.into());
                m
            });
            let mut s = serde_json::to_string_pretty(&doc).expect("JSON serializes");
            s.push('\n');
            s
        }
    }
}
