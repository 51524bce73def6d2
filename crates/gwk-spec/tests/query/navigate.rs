use super::*;
use gwk_spec::query::{RenameError, prepare_rename, rename};

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
