use super::*;
use gwk_spec::Code;
use gwk_spec::query::{Action, code_actions};
use gwk_spec::syntax::Span;

fn actions_at(text: &str, needle: &str) -> (Analysis, Vec<Action>) {
    let a = analyze(text, &Config::default());
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle}"));
    let actions = code_actions(
        &a.text,
        &a.line_index,
        a.root.as_ref(),
        &a.diagnostics,
        Span::empty(at),
    );
    (a, actions)
}

fn titles(actions: &[Action]) -> Vec<&str> {
    actions.iter().map(|a| a.title.as_str()).collect()
}

#[test]
fn typo_in_a_reference_gets_the_ranked_fix_first() {
    let text = PIPELINE.replace(
        "data: Prepare.outputs.prepared",
        "data: Prepare.outputs.prepard",
    );
    let (a, actions) = actions_at(&text, "prepard");
    assert_eq!(
        titles(&actions),
        [
            "Change to `prepared`",
            "Ignore `unknown-output` on this line (# gwk: ignore[unknown-output])"
        ]
    );
    assert!(actions[0].preferred && actions[0].is_fix);
    assert_eq!(
        a.diagnostics[actions[0].diagnostic].code,
        Code::UnknownOutput
    );
    assert_eq!(applied(&text, &actions[0].edits), PIPELINE);
}

#[test]
fn missing_needs_fix_adds_the_job() {
    let text = PIPELINE.replace(
        "      data: Prepare.outputs.prepared\n",
        "      data: Prepare.outputs.prepared\n      repo: CloneRepo.outputs.repo\n",
    );
    let (_, actions) = actions_at(&text, "CloneRepo.outputs.repo\n      lr");
    let fix = actions.iter().find(|a| a.is_fix).expect("a fix");
    assert_eq!(fix.title, "Add `CloneRepo` to `needs` of `Train`");
    let fixed = applied(&text, &fix.edits);
    insta::assert_snapshot!("action_add_needs", fixed);
    assert!(analyze(&fixed, &Config::default()).diagnostics.is_empty());
}

#[test]
fn ignore_comment_silences_the_rule() {
    let text = "defaults:\n  resources:\n    instance-type: C5\njobs:\n  A:\n    uses: script@v1\n    with:\n      image: bash:5\n      script: echo\n    needs: [Ghost]\n";
    let (_, actions) = actions_at(text, "Ghost");
    let ignore = actions.iter().find(|a| !a.is_fix).expect("ignore action");
    let out = applied(text, &ignore.edits);
    assert!(
        out.contains("    needs: [Ghost] # gwk: ignore[unknown-job]\n"),
        "{out}"
    );
    assert!(
        !analyze(&out, &Config::default())
            .diagnostics
            .iter()
            .any(|d| d.code == Code::UnknownJob),
        "{out}"
    );
}

#[test]
fn ignore_comment_joins_an_existing_one_or_goes_above_another_comment() {
    let text = "defaults:\n  resources:\n    instance-type: C5\njobs:\n  A:\n    uses: script@v1\n    with:\n      image: bash:5\n      script: echo\n      bogus: 1 # gwk: ignore[unknown-job]\n";
    let (_, actions) = actions_at(text, "bogus");
    let ignore = actions
        .iter()
        .find(|a| a.title.contains("unknown-key"))
        .unwrap();
    let out = applied(text, &ignore.edits);
    assert!(
        out.contains("bogus: 1 # gwk: ignore[unknown-job, unknown-key]\n"),
        "{out}"
    );
    assert!(
        analyze(&out, &Config::default()).diagnostics.is_empty(),
        "{out}"
    );

    let text = text.replace("# gwk: ignore[unknown-job]", "# a note");
    let (_, actions) = actions_at(&text, "bogus");
    let ignore = actions
        .iter()
        .find(|a| a.title.contains("unknown-key"))
        .unwrap();
    let out = applied(&text, &ignore.edits);
    assert!(
        out.contains("      # gwk: ignore[unknown-key]\n      bogus: 1 # a note\n"),
        "{out}"
    );
    assert!(
        analyze(&out, &Config::default()).diagnostics.is_empty(),
        "{out}"
    );
}

#[test]
fn folded_script_fix_turns_it_literal() {
    let text = "jobs:\n  A:\n    uses: script@v1\n    with:\n      image: bash:5\n      script: >\n        echo one\n        echo two\n";
    let (a, actions) = actions_at(text, ">\n");
    let fix = actions
        .iter()
        .find(|x| x.is_fix && a.diagnostics[x.diagnostic].code == Code::FoldedScript);
    let fix = fix.unwrap_or_else(|| panic!("{:?}", titles(&actions)));
    let fixed = applied(text, &fix.edits);
    insta::assert_snapshot!("action_folded_script", fixed);
    // Still YAML, no folded script, and the same commands, one a
    // line (`|-` drops only the final newline).
    let after = analyze(&fixed, &Config::default());
    assert!(after.root.is_some());
    assert!(
        !after
            .diagnostics
            .iter()
            .any(|d| d.code == Code::FoldedScript),
        "{:?}",
        after.diagnostics
    );
    let job = &after.workflow.as_ref().unwrap().jobs[0];
    assert_eq!(job.param_str("script"), Some("echo one\necho two"));
}

#[test]
fn a_number_in_env_gets_quoted() {
    let text = PIPELINE.replace("LR: \"0.001\"", "LR: 0.001");
    let (a, actions) = actions_at(&text, "0.001\n");
    assert_eq!(
        titles(&actions),
        [
            "Quote `0.001`",
            "Ignore `invalid-type` on this line (# gwk: ignore[invalid-type])"
        ]
    );
    assert!(actions[0].is_fix && actions[0].preferred);
    assert_eq!(a.diagnostics[actions[0].diagnostic].code, Code::InvalidType);
    // The value becomes the string it was meant to be, and the file is
    // the clean pipeline again.
    let fixed = applied(&text, &actions[0].edits);
    assert_eq!(fixed, PIPELINE);
    assert!(analyze(&fixed, &Config::default()).diagnostics.is_empty());
}

#[test]
fn ignore_comment_is_not_fooled_by_a_hash_in_a_value() {
    // The `#` in the value starts no comment (no space before it), so the
    // ignore goes at the end of the line, not on a line above.
    let text = "defaults:\n  resources:\n    instance-type: C5\njobs:\n  A:\n    uses: script@v1\n    with:\n      image: bash:5\n      script: echo\n      bogus: https://example.com/repo#readme\n";
    let (_, actions) = actions_at(text, "bogus");
    let ignore = actions
        .iter()
        .find(|a| a.title.contains("unknown-key"))
        .expect("ignore action");
    let out = applied(text, &ignore.edits);
    assert!(
        out.contains("      bogus: https://example.com/repo#readme # gwk: ignore[unknown-key]\n"),
        "{out}"
    );
    assert!(
        analyze(&out, &Config::default()).diagnostics.is_empty(),
        "{out}"
    );
}

#[test]
fn no_ignore_comment_inside_a_script() {
    // A finding inside a block scalar: a comment there would be part of
    // the script, so no "ignore" action is offered.
    let text = "defaults:\n  resources:\n    instance-type: C5\njobs:\n  A:\n    uses: script@v1\n    with:\n      image: bash:5\n      script: |-\n        echo hi > /inputs/x\n";
    let a = analyze(text, &Config::default());
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::ReadonlyInputs)
        .expect("readonly-inputs finding");
    let actions = code_actions(
        &a.text,
        &a.line_index,
        a.root.as_ref(),
        &a.diagnostics,
        d.span,
    );
    assert!(
        !actions
            .iter()
            .any(|x| x.title.contains("readonly-inputs") && !x.is_fix),
        "{actions:?}"
    );
}
