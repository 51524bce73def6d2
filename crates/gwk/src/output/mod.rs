//! How `gwk check` prints its findings: human, json, sarif, github.

mod github;
mod human;
mod json;
mod sarif;

use gwk_spec::syntax::{Encoding, Span};
use gwk_spec::{Analysis, Counts};

pub use human::Human;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style snippets (colour on a terminal).
    Human,
    /// The stable JSON documented in docs/cli.md.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other tools.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// One checked file.
pub struct FileReport {
    pub path: String,
    pub analysis: Analysis,
}

/// A 1-based line and column (in Unicode characters) range.
#[derive(Clone, Copy, Debug)]
pub struct Range {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl FileReport {
    pub fn range(&self, span: Span) -> Range {
        let a = &self.analysis;
        let start = a.line_index.line_col(&a.text, span.start, Encoding::Chars);
        let end = a.line_index.line_col(&a.text, span.end, Encoding::Chars);
        Range {
            line: start.line + 1,
            column: start.col + 1,
            end_line: end.line + 1,
            end_column: end.col + 1,
        }
    }

    pub fn counts(&self) -> Counts {
        Counts::of(&self.analysis.diagnostics)
    }
}

/// Renders all reports in `format`.
pub fn render(format: Format, reports: &[FileReport], color: bool) -> String {
    match format {
        Format::Human => Human { color }.render(reports),
        Format::Json => json::render(reports),
        Format::Sarif => sarif::render(reports),
        Format::Github => github::render(reports),
    }
}

pub fn total(reports: &[FileReport]) -> Counts {
    let mut c = Counts::default();
    for r in reports {
        c.merge(r.counts());
    }
    c
}
