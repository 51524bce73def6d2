//! Writing a manifest as YAML or JSON.

use crate::manifest::Workflow;

/// The manifest as YAML.
///
/// Strings that a YAML 1.1 reader (kubectl, the Argo CLI) would take for
/// another type (`"yes"`, `"on"`, `"0755"`, `"1"`) are quoted; multi-line
/// strings (scripts) are literal blocks; long one-line strings (commands)
/// stay on one line rather than being folded.
pub fn to_yaml(workflow: &Workflow) -> String {
    let options = serde_saphyr::ser_options! {
        folded_wrap_chars: usize::MAX,
    };
    serde_saphyr::to_string_with_options(workflow, options)
        .expect("a manifest is maps, lists and strings, which always serialize")
}

/// The manifest as pretty-printed JSON, ending with a newline.
pub fn to_json(workflow: &Workflow) -> String {
    let mut text = serde_json::to_string_pretty(workflow)
        .expect("a manifest is maps, lists and strings, which always serialize");
    text.push('\n');
    text
}

/// The manifest as a JSON value (what the schema tests validate).
pub fn to_value(workflow: &Workflow) -> serde_json::Value {
    serde_json::to_value(workflow)
        .expect("a manifest is maps, lists and strings, which always serialize")
}
