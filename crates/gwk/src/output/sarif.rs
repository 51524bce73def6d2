//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it.

use super::{FileReport, Range};
use gwk_spec::check::registry;
use gwk_spec::{Code, Severity};
use serde_json::{Value, json};

/// The `partialFingerprints` key of gwk's fingerprint, versioned as its
/// computation is.
pub const FINGERPRINT_KEY: &str = "gwkFingerprint/v1";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region(r: Range) -> Value {
    json!({
        "startLine": r.line,
        "startColumn": r.column,
        "endLine": r.end_line,
        "endColumn": r.end_column,
    })
}

fn location(path: &str, r: Range, message: Option<&str>) -> Value {
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(path)},
            "region": region(r),
        }
    });
    if let Some(m) = message {
        loc["message"] = json!({"text": m});
    }
    loc
}

/// A relative URI reference for a path (forward slashes, spaces escaped).
fn uri(path: &str) -> String {
    let p = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
    p.replace('%', "%25").replace(' ', "%20")
}

pub fn render(reports: &[FileReport]) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            let mut rule = json!({
                "id": c.as_str(),
                "name": c.as_str(),
                "shortDescription": {"text": c.summary()},
                "helpUri": c.docs_url(),
                "defaultConfiguration": {"level": level(c.default_severity())},
            });
            // GitHub code scanning ranks security rules by these two.
            if let Some(score) = registry::security_severity(*c) {
                rule["properties"] = json!({
                    "tags": ["security"],
                    "security-severity": score,
                });
            }
            rule
        })
        .collect();
    let mut results = Vec::new();
    for report in reports {
        for d in &report.analysis.diagnostics {
            let index = Code::ALL
                .iter()
                .position(|c| *c == d.code)
                .expect("code is listed");
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": index,
                "level": level(d.severity),
                "message": {"text": d.message},
                "locations": [location(&report.path, report.range(d.span), None)],
            });
            // The fingerprint a baseline records (no line numbers): code
            // scanning matches a finding across commits by it. `gwk check`
            // keeps the tree for SARIF: the fingerprint reads the YAML path.
            result["partialFingerprints"] = json!({
                FINGERPRINT_KEY: gwk_spec::fingerprint::fingerprint(&report.analysis, d),
            });
            if !d.related.is_empty() {
                result["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut loc =
                            location(&report.path, report.range(r.span), Some(&r.message));
                        loc["id"] = json!(i + 1);
                        loc
                    })
                    .collect();
            }
            if !d.fixes.is_empty() {
                result["fixes"] = d
                    .fixes
                    .iter()
                    .map(|f| {
                        json!({
                            "description": {"text": f.message},
                            "artifactChanges": [{
                                "artifactLocation": {"uri": uri(&report.path)},
                                "replacements": f.edits.iter().map(|e| json!({
                                    "deletedRegion": region(report.range(e.span)),
                                    "insertedContent": {"text": e.text},
                                })).collect::<Vec<_>>(),
                            }],
                        })
                    })
                    .collect();
            }
            results.push(result);
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gwk",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/gwk-dev/gwk",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON serializes");
    s.push('\n');
    s
}
