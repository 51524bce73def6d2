//! The published JSON Schema: the checked-in copy is current, and another
//! validator (the `jsonschema` crate) accepts every valid corpus file and
//! example while rejecting the corpus files gwk finds shape errors in.
//! `GWK_BLESS=1` rewrites the checked-in copy.

use gwk_spec::syntax::{LineIndex, parse};
use gwk_spec::{Code, Config, analyze};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(gwk_spec::schema::json_schema()).expect("the schema compiles")
}

fn as_json(text: &str) -> Option<Value> {
    parse(text, &LineIndex::new(text)).root.map(|r| r.to_json())
}

#[test]
fn checked_in_schema_is_current() {
    let path = repo().join("schema/gradient-workflow.schema.json");
    let fresh = gwk_spec::schema::schema_text();
    if std::env::var_os("GWK_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "schema/gradient-workflow.schema.json is stale: run `gwk schema > schema/gradient-workflow.schema.json`"
    );
}

#[test]
fn schema_accepts_the_examples() {
    let v = validator();
    let mut n = 0;
    for e in std::fs::read_dir(repo().join("examples")).unwrap() {
        let path = e.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let json = as_json(&text).expect("example is YAML");
        let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        n += 1;
    }
    assert!(n >= 3);
}

/// Every corpus file, and whether SOURCES.md calls it valid (the one
/// reader of SOURCES.md).
fn corpus() -> Option<(PathBuf, Vec<(String, bool)>)> {
    let dir = gwk_test_support::corpus::dir()?;
    let entries = gwk_test_support::corpus::entries()?;
    let out = entries
        .into_iter()
        .map(|e| {
            (
                e.name,
                e.verdict == gwk_test_support::corpus::Verdict::Valid,
            )
        })
        .collect();
    Some((dir, out))
}

#[test]
fn schema_agrees_with_the_corpus_verdicts() {
    let Some((dir, files)) = corpus() else {
        eprintln!("SKIPPED: ../shared/corpus is absent; the schema was not checked against it");
        return;
    };
    let v = validator();
    let shape_codes = [Code::UnknownKey, Code::InvalidType, Code::UnknownAction];
    let mut failures = Vec::new();
    for (name, valid) in files {
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        let Some(json) = as_json(&text) else { continue };
        let errors: Vec<String> = v
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if valid && !errors.is_empty() {
            failures.push(format!(
                "{name}: valid, but the schema rejects it: {errors:?}"
            ));
        }
        let shape_error = analyze(&text, &Config::default())
            .diagnostics
            .iter()
            .any(|d| shape_codes.contains(&d.code));
        if !valid && shape_error && errors.is_empty() {
            failures.push(format!(
                "{name}: gwk finds shape errors, but the schema accepts it"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
