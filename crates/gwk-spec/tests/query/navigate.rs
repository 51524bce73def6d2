use super::*;
use gwk_spec::query::{RenameError, definition, prepare_rename, references, rename};

fn text_at(a: &Analysis, span: gwk_spec::syntax::Span) -> (&str, usize) {
    let line = a.line_index.line_of(span.start);
    (&a.text[span.start..span.end], line + 1)
}

#[test]
fn definition_of_needs_references_and_paths() {
    for (needle, nth, want, line) in [
        ("      - Prep", 0, "Prepare", 25),
        ("needs: [Clone", 0, "CloneRepo", 18),
        ("data: Prep", 0, "Prepare", 25),
        ("data: Prepare.outputs.prep", 0, "prepared", 38),
        ("raw: workflow.inputs.raw", 0, "raw-data", 9),
        ("cp -r /inputs/repo/data /outputs/prep", 0, "prepared", 38),
    ] {
        let (a, offset) = analyzed(&mark(PIPELINE, needle, nth, 0));
        let span = definition(&a, offset).unwrap_or_else(|| panic!("no definition at {needle}"));
        assert_eq!(text_at(&a, span), (want, line), "from {needle}");
    }
    let (a, offset) = analyzed(&mark(PIPELINE, "image: bash", 0, 0));
    assert_eq!(definition(&a, offset), None);
}

#[test]
fn references_of_a_job_an_output_and_an_input() {
    let (a, offset) = analyzed(&mark(PIPELINE, "  Prep", 0, 0));
    let refs: Vec<_> = references(&a, offset, true)
        .into_iter()
        .map(|s| text_at(&a, s))
        .collect();
    assert_eq!(refs, [("Prepare", 25), ("Prepare", 43), ("Prepare", 52)]);
    assert_eq!(references(&a, offset, false).len(), 2);

    let (a, offset) = analyzed(&mark(PIPELINE, "      prep", 0, 0));
    let lines: Vec<_> = references(&a, offset, true)
        .into_iter()
        .map(|s| text_at(&a, s))
        .collect();
    assert_eq!(
        lines,
        [
            ("prepared", 31),
            ("prepared", 32),
            ("prepared", 38),
            ("prepared", 52)
        ]
    );
}

#[test]
fn prepare_rename_gives_the_name_part_only() {
    let (a, offset) = analyzed(&mark(PIPELINE, "data: Prepare.outputs.pr", 0, 0));
    let (span, name) = prepare_rename(&a, offset).unwrap();
    assert_eq!(name, "prepared");
    assert_eq!(&a.text[span.start..span.end], "prepared");
    let (a, offset) = analyzed(&mark(PIPELINE, "data: Prepare.outp", 0, 0));
    assert_eq!(prepare_rename(&a, offset), None);
}

fn renamed(fixture: &str, new: &str) -> String {
    let (a, offset) = analyzed(fixture);
    let edits = rename(&a, offset, new).unwrap();
    let out = applied(&a.text, &edits);
    // A rename keeps the workflow as sound as it was.
    let after = analyze(&out, &Config::default());
    assert_eq!(after.diagnostics, Vec::new(), "{out}");
    out
}

#[test]
fn rename_a_job_everywhere() {
    insta::assert_snapshot!(
        "rename_job",
        renamed(&mark(PIPELINE, "data: Prep", 0, 0), "Preprocess")
    );
}

#[test]
fn rename_an_output_with_its_paths() {
    insta::assert_snapshot!(
        "rename_output",
        renamed(&mark(PIPELINE, "      prep", 0, 0), "features")
    );
}

#[test]
fn rename_a_workflow_input() {
    insta::assert_snapshot!(
        "rename_workflow_input",
        renamed(&mark(PIPELINE, "lr: workflow.inputs.lear", 0, 0), "lr")
    );
}

#[test]
fn rename_refuses_what_would_break() {
    let (a, offset) = analyzed(&mark(PIPELINE, "  Prep", 0, 0));
    assert!(
        matches!(rename(&a, offset, "Train"), Err(RenameError::Taken(m)) if m.contains("job `Train` exists already"))
    );
    assert!(matches!(
        rename(&a, offset, "a.b"),
        Err(RenameError::BadName(_))
    ));
    assert!(matches!(
        rename(&a, offset, "has space"),
        Err(RenameError::BadName(_))
    ));
    assert_eq!(rename(&a, offset, "Prepare"), Ok(Vec::new()));
    let (a, offset) = analyzed(&mark(PIPELINE, "image: ba", 0, 0));
    assert_eq!(rename(&a, offset, "x"), Err(RenameError::NothingHere));
    let (a, offset) = analyzed("jobs:\n  A:\n    uses: x\n    needs: [Gho$0st]\n");
    assert!(matches!(
        rename(&a, offset, "B"),
        Err(RenameError::Undeclared(_))
    ));
}
