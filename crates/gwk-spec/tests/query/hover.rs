use super::*;
use gwk_spec::query::hover;

fn hover_md(fixture: &str) -> String {
    let (a, offset) = analyzed(fixture);
    hover(&a, offset, &Config::default())
        .unwrap_or_else(|| panic!("no hover at {offset}"))
        .markdown
}

#[test]
fn keys_actions_instance_types_and_constants() {
    let md = hover_md(&mark(PIPELINE, "      ima", 1, 0));
    assert!(md.starts_with("**`image`** · a string, required"), "{md}");
    assert!(md.contains("The image to run"), "{md}");
    let md = hover_md(&mark(PIPELINE, "uses: conta", 0, 0));
    assert!(md.contains("Run a container image"), "{md}");
    assert!(
        md.contains("- `image` (required): The image to run"),
        "{md}"
    );
    let md = hover_md(&mark(PIPELINE, "instance-type: A10", 0, 0));
    assert!(
        md.starts_with("**instance type `A100x2`** — 2 × A100"),
        "{md}"
    );
    let md = hover_md(&mark(PIPELINE, "type: volu", 0, 0));
    assert!(md.contains("lives for the run"), "{md}");
    let md = hover_md(&mark(PIPELINE, "\ndef", 0, 0));
    assert!(md.contains("Settings every job inherits"), "{md}");
}

#[test]
fn nothing_on_plain_text() {
    let (a, offset) = analyzed(&mark(PIPELINE, "mkdir -p", 0, 0));
    assert_eq!(hover(&a, offset, &Config::default()), None);
}
