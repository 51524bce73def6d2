//! `--format json`: the contract editors, CI scripts and gwk's own tests
//! read. Documented in docs/cli.md; fields are only ever added.

use super::{FileReport, Range, total};
use serde_json::{Value, json};

pub fn render(reports: &[FileReport]) -> String {
    let files: Vec<Value> = reports.iter().map(file).collect();
    let t = total(reports);
    let doc = json!({
        "version": 1,
        "files": files,
        "summary": {
            "files": reports.len(),
            "errors": t.errors,
            "warnings": t.warnings,
            "infos": t.infos,
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON serializes");
    s.push('\n');
    s
}

fn place(r: Range) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("line".into(), r.line.into());
    m.insert("column".into(), r.column.into());
    m.insert("end_line".into(), r.end_line.into());
    m.insert("end_column".into(), r.end_column.into());
    m
}

pub fn file(report: &FileReport) -> Value {
    let diagnostics: Vec<Value> = report
        .analysis
        .diagnostics
        .iter()
        .map(|d| {
            let mut m = serde_json::Map::new();
            m.insert("code".into(), d.code.as_str().into());
            m.insert("severity".into(), d.severity.as_str().into());
            m.insert("message".into(), d.message.clone().into());
            m.extend(place(report.range(d.span)));
            let related: Vec<Value> = d
                .related
                .iter()
                .map(|r| {
                    let mut m = place(report.range(r.span));
                    m.insert("message".into(), r.message.clone().into());
                    Value::Object(m)
                })
                .collect();
            m.insert("related".into(), related.into());
            let fixes: Vec<Value> = d
                .fixes
                .iter()
                .map(|f| {
                    let edits: Vec<Value> = f
                        .edits
                        .iter()
                        .map(|e| {
                            let mut m = place(report.range(e.span));
                            m.insert("text".into(), e.text.clone().into());
                            Value::Object(m)
                        })
                        .collect();
                    json!({"message": f.message, "edits": edits})
                })
                .collect();
            m.insert("fixes".into(), fixes.into());
            Value::Object(m)
        })
        .collect();
    json!({"path": report.path, "diagnostics": diagnostics})
}
