//! `--format json`: the contract editors, CI scripts and gwk's own tests
//! read. Documented in docs/cli.md; fields are only ever added.
//!
//! Written straight from the findings through borrowed `Serialize` structs
//! (no `serde_json::Value` tree in between): on 200 files with a few
//! thousand findings the tree cost as much as all the rules together. The
//! field order is the documented one.

use super::{FileReport, Range, total};
use gwk_spec::{Diagnostic, Edit, Fix, Related};
use rayon::prelude::*;
use serde::Serialize;

pub fn render(reports: &[FileReport]) -> String {
    // Each file's part is written on a thread of its own and set in the
    // document at its depth: exactly what one pretty printer writes for the
    // whole `Document` (a test compares), without a serial pass over
    // thousands of findings at the end of a check.
    let files: Vec<String> = reports
        .par_iter()
        .map(|r| indented(&pretty(&FileOut(r)), "    "))
        .collect();
    let mut s = String::with_capacity(files.iter().map(|f| f.len() + 6).sum::<usize>() + 256);
    s.push_str("{\n  \"version\": 1,\n  \"files\": [");
    for (i, f) in files.iter().enumerate() {
        s.push_str(if i == 0 { "\n    " } else { ",\n    " });
        s.push_str(f);
    }
    s.push_str(if files.is_empty() { "]" } else { "\n  ]" });
    s.push_str(",\n  \"summary\": ");
    s.push_str(&indented(&pretty(&summary(reports)), "  "));
    s.push_str("\n}\n");
    s
}

fn summary(reports: &[FileReport]) -> Summary {
    let t = total(reports);
    Summary {
        files: reports.len(),
        errors: t.errors,
        warnings: t.warnings,
        infos: t.infos,
    }
}

fn pretty(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).expect("JSON serializes")
}

/// `text` with `pad` after every line break, for a part written at depth 0
/// and set deeper in the document.
fn indented(text: &str, pad: &str) -> String {
    text.replace('\n', &format!("\n{pad}"))
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

/// One file: its path and its findings.
struct FileOut<'a>(&'a FileReport);

impl Serialize for FileOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let r = self.0;
        let mut m = s.serialize_struct("File", 2)?;
        m.serialize_field("path", &r.path)?;
        let diagnostics: Vec<DiagnosticOut> = r
            .analysis
            .diagnostics
            .iter()
            .map(|d| DiagnosticOut::new(r, d))
            .collect();
        m.serialize_field("diagnostics", &diagnostics)?;
        m.end()
    }
}

#[derive(Serialize)]
struct DiagnosticOut<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    #[serde(flatten)]
    place: Place,
    related: Vec<RelatedOut<'a>>,
    fixes: Vec<FixOut<'a>>,
}

impl<'a> DiagnosticOut<'a> {
    fn new(r: &FileReport, d: &'a Diagnostic) -> Self {
        DiagnosticOut {
            code: d.code.as_str(),
            severity: d.severity.as_str(),
            message: &d.message,
            place: r.range(d.span).into(),
            related: d.related.iter().map(|x| RelatedOut::new(r, x)).collect(),
            fixes: d.fixes.iter().map(|f| FixOut::new(r, f)).collect(),
        }
    }
}

/// 1-based line and column, exclusive end.
#[derive(Serialize)]
struct Place {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

impl From<Range> for Place {
    fn from(r: Range) -> Self {
        Place {
            line: r.line,
            column: r.column,
            end_line: r.end_line,
            end_column: r.end_column,
        }
    }
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    #[serde(flatten)]
    place: Place,
    message: &'a str,
}

impl<'a> RelatedOut<'a> {
    fn new(r: &FileReport, x: &'a Related) -> Self {
        RelatedOut {
            place: r.range(x.span).into(),
            message: &x.message,
        }
    }
}

#[derive(Serialize)]
struct FixOut<'a> {
    message: &'a str,
    edits: Vec<EditOut<'a>>,
}

impl<'a> FixOut<'a> {
    fn new(r: &FileReport, f: &'a Fix) -> Self {
        FixOut {
            message: &f.message,
            edits: f.edits.iter().map(|e| EditOut::new(r, e)).collect(),
        }
    }
}

#[derive(Serialize)]
struct EditOut<'a> {
    #[serde(flatten)]
    place: Place,
    text: &'a str,
}

impl<'a> EditOut<'a> {
    fn new(r: &FileReport, e: &'a Edit) -> Self {
        EditOut {
            place: r.range(e.span).into(),
            text: &e.text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole document as one value, to compare with.
    #[derive(Serialize)]
    struct Document<'a> {
        version: u32,
        files: Vec<FileOut<'a>>,
        summary: Summary,
    }

    fn report(path: &str, text: &str) -> FileReport {
        FileReport {
            path: path.into(),
            analysis: gwk_spec::analyze(text, &gwk_spec::Config::default()),
        }
    }

    /// The document put together from parts is what one pretty printer
    /// writes for the whole: for no file, clean files and files with
    /// findings (related places and fixes included).
    #[test]
    fn parts_make_the_same_document_as_one_printer() {
        let bad = "jobs:\n  A:\n    uses: container@v1\n    with: {image: \"a:1\", args: [\"x\"]}\n    needs: [B, Ghost]\n  B:\n    uses: container@v1\n    with: {image: \"a:1\"}\n    needs: [A]\n";
        let clean = "defaults:\n  resources:\n    instance-type: C5\njobs:\n  A:\n    uses: container@v1\n    with: {image: \"a:1\"}\n";
        let sets = [
            vec![],
            vec![report("c.yaml", clean)],
            vec![
                report("b.yaml", bad),
                report("c.yaml", clean),
                report("d\"é.yaml", bad),
            ],
        ];
        for reports in sets {
            let whole = Document {
                version: 1,
                files: reports.iter().map(FileOut).collect(),
                summary: summary(&reports),
            };
            let expected = format!("{}\n", pretty(&whole));
            assert_eq!(render(&reports), expected);
        }
    }
}
