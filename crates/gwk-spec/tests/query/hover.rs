use super::*;
use gwk_spec::query::hover;

fn hover_md(fixture: &str) -> String {
    let (a, offset) = analyzed(fixture);
    hover(&a, offset, &Config::default())
        .unwrap_or_else(|| panic!("no hover at {offset}"))
        .markdown
}

#[test]
fn job_name_shows_its_effective_configuration() {
    let md = hover_md(&mark(PIPELINE, "  Tr", 0, 0));
    for part in [
        "**job `Train`** — `container@v1`",
        "- image: `pytorch/pytorch:2.1.0`",
        "- instance type: `A100x2` — 2 × A100 (40 GB each)",
        "- needs: `Prepare`",
        "  - `PROJECT` = `demo` (from `defaults`)",
        "  - `HF_TOKEN` = secret `hf-token` (from `defaults`)",
        "  - `LR` = `0.001`",
        "  - `/inputs/data` ← `Prepare.outputs.prepared` (volume)",
        "  - `/inputs/lr` ← `workflow.inputs.learning-rate` (string)",
        "  - `/outputs/model` dataset output (dataset `my-model`)",
    ] {
        assert!(md.contains(part), "missing {part:?} in\n{md}");
    }
    // The instance type from defaults says so.
    let md = hover_md(&mark(PIPELINE, "  Clone", 0, 0));
    assert!(
        md.contains("- instance type: `C5` (from `defaults`) — CPU"),
        "{md}"
    );
    // A needs entry shows the job it names.
    let md = hover_md(&mark(PIPELINE, "      - Prep", 0, 0));
    assert!(md.starts_with("**job `Prepare`** — `script@v1`"), "{md}");
}

#[test]
fn reference_shows_the_output_it_reads() {
    let md = hover_md(&mark(PIPELINE, "data: Prepare.out", 0, 0));
    assert!(
        md.starts_with("**`Prepare.outputs.prepared`** — volume output"),
        "{md}"
    );
    assert!(
        md.contains("`/outputs/prepared`") && md.contains("`/inputs/data`"),
        "{md}"
    );
    let md = hover_md(&mark(PIPELINE, "raw: workflow.inputs.raw", 0, 0));
    assert!(
        md.contains("dataset workflow input (dataset `raw-data`)"),
        "{md}"
    );
    let md = hover_md(&mark(PIPELINE, "lr: workflow.in", 0, 0));
    assert!(
        md.contains("string workflow input, default `0.001`"),
        "{md}"
    );
}

#[test]
fn declarations_show_their_readers() {
    let md = hover_md(&mark(PIPELINE, "      prep", 0, 0));
    assert!(md.contains("Read by `Train` (as `/inputs/data`)."), "{md}");
    let md = hover_md(&mark(PIPELINE, "  learning", 0, 0));
    assert!(md.contains("Read by `Train` (as `/inputs/lr`)."), "{md}");
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
