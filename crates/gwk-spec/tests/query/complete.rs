use super::*;
use gwk_spec::query::{Completion, ItemKind, Sources, WorkspaceDataset, complete};

fn items(fixture: &str, trigger: Option<char>) -> Vec<Completion> {
    items_with(fixture, &no_sources(), trigger)
}

fn items_with(fixture: &str, sources: &Sources, trigger: Option<char>) -> Vec<Completion> {
    let (text, offset) = cursor(fixture);
    let a = analyze(&text, &Config::default());
    let model = a.root.is_some().then_some(&a);
    complete(&text, offset, model, &no_log(), sources, trigger)
}

fn labels(items: &[Completion]) -> Vec<&str> {
    items.iter().map(|i| i.label.as_str()).collect()
}

fn find<'a>(items: &'a [Completion], label: &str) -> &'a Completion {
    items
        .iter()
        .find(|i| i.label == label)
        .unwrap_or_else(|| panic!("no item `{label}` among {:?}", labels(items)))
}

/// The document after choosing `label`.
fn choose(fixture: &str, items: &[Completion], label: &str) -> String {
    let (text, _) = cursor(fixture);
    let it = find(items, label);
    let mut edits = vec![it.edit.clone()];
    edits.extend(it.additional_edits.clone());
    applied(&text, &edits)
}

#[test]
fn keys_of_a_job_while_the_yaml_is_broken() {
    let fixture = PIPELINE.replace(
        "    uses: container@v1\n",
        "    uses: container@v1\n    ti$0\n",
    );
    let (text, _) = cursor(&fixture);
    assert!(
        analyze(&text, &Config::default()).root.is_none(),
        "the key line breaks the YAML"
    );
    let got = items(&fixture, None);
    let l = labels(&got);
    assert_eq!(l, ["timeout"]);
    // Keys the job has already are not offered again.
    for key in [
        "uses",
        "needs",
        "with",
        "env",
        "inputs",
        "outputs",
        "resources",
    ] {
        assert!(!l.contains(&key), "{key} offered again: {l:?}");
    }
    let t = find(&got, "timeout");
    assert_eq!(t.kind, ItemKind::Key);
    assert!(t.documentation.as_deref().unwrap().contains("seconds"));
    assert_eq!(t.edit.text, "timeout: ");
    let doc = choose(&fixture, &got, "timeout");
    assert!(
        doc.contains("    uses: container@v1\n    timeout: \n"),
        "{doc}"
    );
}

#[test]
fn mapping_keys_open_a_block_and_list_keys_a_dash() {
    let fixture = "jobs:\n  A:\n    uses: script@v1\n    $0\n";
    let got = items(fixture, None);
    assert_eq!(find(&got, "with").edit.text, "with:\n      ");
    assert_eq!(find(&got, "needs").edit.text, "needs:\n      - ");
    // A key with a colon already only gets its name replaced.
    let got = items("jobs:\n  A:\n    uses: script@v1\n    nee$0: [B]\n", None);
    assert_eq!(find(&got, "needs").edit.text, "needs");
}

#[test]
fn parameters_follow_the_action() {
    let got = items(
        "jobs:\n  A:\n    uses: container@v1\n    with:\n      $0\n",
        None,
    );
    let l = labels(&got);
    assert_eq!(l[0], "image", "required first: {l:?}");
    assert!(l.contains(&"args") && l.contains(&"command"), "{l:?}");
    assert!(!l.contains(&"script"), "{l:?}");
    let got = items(
        "jobs:\n  A:\n    with:\n      $0\n    uses: script@v1\n",
        None,
    );
    let l = labels(&got);
    assert!(l.contains(&"script") && l.contains(&"image"), "{l:?}");
    assert!(!l.contains(&"args"), "{l:?}");
    let got = items(
        "jobs:\n  A:\n    uses: git-checkout@v1\n    with:\n      url: x\n      $0\n",
        None,
    );
    assert!(find(&got, "branch").deprecated);
    assert!(!labels(&got).contains(&"url"));
}

#[test]
fn root_keys_put_jobs_first() {
    let got = items("$0", None);
    assert_eq!(labels(&got)[0], "jobs");
    assert!(labels(&got).contains(&"defaults"));
    assert!(labels(&got).contains(&"on"));
}

#[test]
fn trigger_filter_keys() {
    let got = items("on:\n  github:\n    branches:\n      $0\njobs: {}\n", None);
    let mut l = labels(&got);
    l.sort();
    assert_eq!(l, ["ignore", "include", "only"]);
}

#[test]
fn action_io_type_and_model_type_values() {
    let got = items("jobs:\n  A:\n    uses: $0\n", None);
    assert_eq!(
        labels(&got),
        [
            "container@v1",
            "script@v1",
            "git-checkout@v1",
            "s3-download@v1",
            "create-model@v1"
        ]
    );
    assert!(
        find(&got, "script@v1")
            .documentation
            .as_deref()
            .unwrap()
            .contains("bash")
    );
    let got = items(
        "jobs:\n  A:\n    uses: x\n    outputs:\n      o:\n        type: vo$0\n",
        None,
    );
    assert_eq!(labels(&got), ["dataset", "string", "volume"]);
    assert_eq!(find(&got, "volume").edit.text, "volume");
    let got = items(
        "jobs:\n  A:\n    uses: create-model@v1\n    with:\n      name: m\n      type: $0\n",
        None,
    );
    assert_eq!(labels(&got), ["Tensorflow", "ONNX", "Custom"]);
    // Right after the colon, the value comes with its space.
    let got = items("jobs:\n  A:\n    uses:$0\n", Some(':'));
    assert_eq!(find(&got, "script@v1").edit.text, " script@v1");
}

#[test]
fn instance_types_with_gpu_details() {
    let fixture = mark(PIPELINE, "instance-type: A100", 0, 0);
    let fixture = fixture.replace("$0x2", "$0");
    let got = items(&fixture, None);
    let a = find(&got, "A100x2");
    assert_eq!(a.kind, ItemKind::InstanceType);
    let d = a.detail.as_deref().unwrap();
    assert!(d.contains("GPU ×2") && d.contains("40 GB"), "{d}");
    assert!(
        find(&got, "C5")
            .detail
            .as_deref()
            .unwrap()
            .starts_with("CPU")
    );
    assert!(find(&got, "C3").deprecated, "retired types are marked");
    // Retired ones come last.
    let l = labels(&got);
    assert_eq!(l[l.len() - 2..], ["C2", "C3"]);
    let custom = Sources {
        config: Config::parse("[instance-types.metal]\ngpus = 8\ngpu-model = \"H100\"\n").unwrap(),
        ..Sources::default()
    };
    let got = items_with(&fixture, &custom, None);
    assert_eq!(labels(&got)[0], "metal", "the project's own machines first");
    assert!(
        find(&got, "metal")
            .detail
            .as_deref()
            .unwrap()
            .contains("gwk.toml")
    );
}

#[test]
fn needs_offers_jobs_that_close_no_cycle() {
    // CloneRepo is needed by Prepare, which Train needs: CloneRepo may need
    // neither of them.
    let fixture = PIPELINE.replace(
        "    uses: git-checkout@v1\n",
        "    uses: git-checkout@v1\n    needs:\n      - $0\n",
    );
    let got = items(&fixture, None);
    assert!(got.is_empty(), "{:?}", labels(&got));
    // Train may need CloneRepo (not listed yet), not Prepare (listed) or itself.
    let fixture = PIPELINE.replace("      - Prepare\n", "      - Prepare\n      - $0\n");
    let got = items(&fixture, None);
    assert_eq!(labels(&got), ["CloneRepo"]);
    assert_eq!(
        find(&got, "CloneRepo").detail.as_deref(),
        Some("git-checkout@v1 · C5")
    );
    // In a flow list, the entry being written does not count as listed.
    let fixture = PIPELINE.replace("needs: [CloneRepo]", "needs: [Clo$0neRepo]");
    let got = items(&fixture, None);
    assert_eq!(labels(&got), ["CloneRepo"]);
    let doc = choose(&fixture, &got, "CloneRepo");
    assert!(doc.contains("needs: [CloneRepo]\n"), "{doc}");
}

#[test]
fn references_offer_outputs_and_inputs_and_add_needs() {
    let fixture = PIPELINE.replace("      data: Prepare.outputs.prepared\n", "      data: $0\n");
    let got = items(&fixture, Some(' '));
    let l = labels(&got);
    // Jobs already needed come first; the job's own outputs never.
    assert_eq!(
        l,
        [
            "Prepare.outputs.prepared",
            "workflow.inputs.raw-data",
            "workflow.inputs.learning-rate",
            "CloneRepo.outputs.repo"
        ]
    );
    let prepared = find(&got, "Prepare.outputs.prepared");
    assert!(
        prepared.additional_edits.is_empty(),
        "Prepare is needed already"
    );
    assert_eq!(prepared.detail.as_deref(), Some("volume output of Prepare"));
    let repo = find(&got, "CloneRepo.outputs.repo");
    assert_eq!(repo.additional_edits.len(), 1, "adds CloneRepo to needs");
    insta::assert_snapshot!(
        "complete_reference_adds_needs",
        choose(&fixture, &got, "CloneRepo.outputs.repo")
    );
}

#[test]
fn references_complete_a_part_at_a_time() {
    let fixture = PIPELINE.replace("data: Prepare.outputs.prepared", "data: Prepare.$0");
    let got = items(&fixture, Some('.'));
    assert_eq!(labels(&got), ["outputs."]);
    assert!(got[0].retrigger);
    let doc = choose(&fixture, &got, "outputs.");
    assert!(doc.contains("data: Prepare.outputs.\n"), "{doc}");

    let fixture = PIPELINE.replace(
        "data: Prepare.outputs.prepared",
        "data: CloneRepo.outputs.$0",
    );
    let got = items(&fixture, Some('.'));
    assert_eq!(labels(&got), ["repo"]);
    let doc = choose(&fixture, &got, "repo");
    assert!(doc.contains("data: CloneRepo.outputs.repo\n"), "{doc}");
    assert!(
        doc.contains("      - Prepare\n      - CloneRepo\n"),
        "{doc}"
    );

    let fixture = PIPELINE.replace("data: Prepare.outputs.prepared", "data: workflow.$0");
    assert_eq!(labels(&items(&fixture, Some('.'))), ["inputs."]);
    let fixture = PIPELINE.replace(
        "data: Prepare.outputs.prepared",
        "data: workflow.inputs.r$0",
    );
    assert_eq!(
        labels(&items(&fixture, None)),
        ["raw-data", "learning-rate"]
    );
    // A job that reads Train's output cannot be offered to Prepare.
    let fixture = PIPELINE.replace("repo: CloneRepo.outputs.repo", "repo: Train.$0");
    assert!(items(&fixture, Some('.')).is_empty());
}

#[test]
fn references_from_a_stale_model_while_the_yaml_is_broken() {
    // The last good analysis is the pipeline; since then the user added a
    // broken line in Train and started an input value.
    let good = analyze(PIPELINE, &Config::default());
    let mut log = EditLog::new();
    let mut text = PIPELINE.to_string();
    let at = text.find("    env:\n      LR").unwrap();
    log.push(gwk_spec::syntax::Span::empty(at), "    ti\n".len());
    text.insert_str(at, "    ti\n");
    let at = text.find("      lr: workflow").unwrap();
    let line = "      repo: Cl\n";
    log.push(gwk_spec::syntax::Span::empty(at), line.len());
    text.insert_str(at, line);
    assert!(analyze(&text, &Config::default()).root.is_none());
    let offset = text.find("repo: Cl\n").unwrap() + "repo: Cl".len();
    let got = complete(&text, offset, Some(&good), &log, &no_sources(), None);
    let repo = find(&got, "CloneRepo.outputs.repo");
    let mut edits = vec![repo.edit.clone()];
    edits.extend(repo.additional_edits.clone());
    let doc = applied(&text, &edits);
    assert!(
        doc.contains("      repo: CloneRepo.outputs.repo\n"),
        "{doc}"
    );
    assert!(
        doc.contains("      - Prepare\n      - CloneRepo\n"),
        "{doc}"
    );
    assert!(doc.contains("    ti\n"), "the user's edit stays");
}

#[test]
fn dataset_names_from_every_source() {
    let sources = Sources {
        config: Config::parse("datasets = [\"from-toml\"]\n").unwrap(),
        store_datasets: vec!["from-store".into(), "raw-data".into()],
        workspace_datasets: vec![WorkspaceDataset {
            name: "from-other-file".into(),
            file: ".gradient/workflows/other.yaml".into(),
        }],
        ..Sources::default()
    };
    let fixture = PIPELINE.replace("ref: my-model", "ref: $0");
    let got = items_with(&fixture, &sources, None);
    assert_eq!(
        labels(&got),
        ["from-other-file", "from-store", "from-toml", "raw-data"]
    );
    assert_eq!(find(&got, "from-store").kind, ItemKind::Dataset);
    assert_eq!(
        find(&got, "raw-data").detail.as_deref(),
        Some("local dataset store, used in this file")
    );
    assert_eq!(
        find(&got, "from-other-file").detail.as_deref(),
        Some("used in .gradient/workflows/other.yaml")
    );
    // Inline dataset inputs too.
    let fixture = "jobs:\n  A:\n    uses: x\n    inputs:\n      d:\n        type: dataset\n        with:\n          ref: $0\n";
    assert_eq!(labels(&items_with(fixture, &sources, None)).len(), 4);
}

#[test]
fn secret_names_after_secret_colon() {
    let sources = Sources {
        config: Config::parse("secrets = [\"from-toml\"]\n").unwrap(),
        secret_file_names: vec!["FROM_FILE".into()],
        secrets_file: Some(".secrets".into()),
        ..Sources::default()
    };
    let fixture = PIPELINE.replace("LR: \"0.001\"", "TOKEN: \"secret:$0\"");
    let got = items_with(&fixture, &sources, Some(':'));
    assert_eq!(labels(&got), ["FROM_FILE", "from-toml", "hf-token"]);
    assert_eq!(
        find(&got, "hf-token").detail.as_deref(),
        Some("used in this file")
    );
    let doc = choose(&fixture, &got, "hf-token");
    assert!(doc.contains("TOKEN: \"secret:hf-token\"\n"), "{doc}");
    // Unquoted, `secret:` at the end of a line is not YAML yet (a key).
    let fixture = PIPELINE.replace("LR: \"0.001\"", "TOKEN: secret:$0");
    let got = items_with(&fixture, &sources, Some(':'));
    assert_eq!(labels(&got), ["FROM_FILE", "from-toml"]);
    assert_eq!(find(&got, "FROM_FILE").detail.as_deref(), Some(".secrets"));
    let doc = choose(&fixture, &got, "FROM_FILE");
    assert!(doc.contains("TOKEN: secret:FROM_FILE\n"), "{doc}");
    // Quoted, and in an action parameter.
    let fixture =
        "jobs:\n  A:\n    uses: git-checkout@v1\n    with:\n      password: \"secret:F$0\"\n";
    let got = items_with(fixture, &sources, None);
    let doc = choose(fixture, &got, "FROM_FILE");
    assert!(doc.contains("password: \"secret:FROM_FILE\""), "{doc}");
}

#[test]
fn non_ascii_before_the_cursor() {
    let fixture = "# Modèle entraîné — 日本語\njobs:\n  Ünïcode:\n    uses: $0\n";
    let got = items(fixture, None);
    let doc = choose(fixture, &got, "script@v1");
    assert!(doc.ends_with("    uses: script@v1\n"), "{doc}");
}

#[test]
fn no_completion_in_comments_scripts_or_on_indentation() {
    let fixture = PIPELINE.replace("ls /inputs/raw", "ls /inputs/raw $0");
    assert!(items(&fixture, None).is_empty());
    let fixture = PIPELINE.replace("# A small", "# A $0small");
    assert!(items(&fixture, None).is_empty());
    assert!(items("jobs:\n  A:\n    uses: x\n    $0\n", Some(' ')).is_empty());
}

#[test]
fn long_lists_are_cut_to_what_matches_the_typed_text() {
    use gwk_spec::query::limit;
    // 30 jobs with one output each: 30 references for the last job.
    let mut text = String::from("jobs:\n");
    for i in 0..30 {
        text.push_str(&format!(
            "  job{i:02}:\n    uses: container@v1\n    outputs:\n      out:\n        type: volume\n"
        ));
    }
    text.push_str("  last:\n    uses: container@v1\n    inputs:\n      x: job1\n");
    let offset = text.len() - 1;
    let a = analyze(&text, &Config::default());
    let all = complete(&text, offset, Some(&a), &no_log(), &no_sources(), None);
    assert_eq!(all.len(), 30);
    // Under the limit: everything, complete.
    let (kept, cut) = limit(&text, offset, all.clone(), 50);
    assert_eq!((kept.len(), cut), (30, false));
    // Over it: prefix matches of `job1` first (job10..job19), then fuzzy
    // ones (job01, job21; job00 has no `1`), and the list says when it is
    // incomplete.
    let (kept, cut) = limit(&text, offset, all.clone(), 12);
    assert_eq!((kept.len(), cut), (12, false), "exactly 12 match");
    let (kept, cut) = limit(&text, offset, all, 11);
    assert!(cut);
    let l = labels(&kept);
    assert_eq!(l.len(), 11);
    assert_eq!(l[0], "job10.outputs.out");
    assert_eq!(l[9], "job19.outputs.out");
    assert_eq!(l[10], "job01.outputs.out");
    assert!(kept.windows(2).all(|w| w[0].sort_text < w[1].sort_text));
}

#[test]
fn git_checkout_url_and_ref_offer_the_github_context() {
    let got = items(
        "jobs:\n  A:\n    uses: git-checkout@v1\n    with:\n      url: $0\n",
        None,
    );
    assert_eq!(labels(&got), ["context.event.github.url"]);
    let got = items(
        "jobs:\n  A:\n    uses: git-checkout@v1\n    with:\n      ref: con$0\n",
        None,
    );
    assert_eq!(labels(&got), ["context.event.github.ref"]);
    // Not for other actions.
    assert!(
        items(
            "jobs:\n  A:\n    uses: s3-download@v1\n    with:\n      url: $0\n",
            None
        )
        .is_empty()
    );
}

#[test]
fn needs_as_a_value_becomes_a_flow_list() {
    let fixture = PIPELINE.replace(
        "    uses: container@v1\n    needs:\n      - Prepare\n",
        "    uses: container@v1\n    needs: $0\n",
    );
    let got = items(&fixture, Some(' '));
    assert_eq!(labels(&got), ["CloneRepo", "Prepare"]);
    let doc = choose(&fixture, &got, "Prepare");
    assert!(doc.contains("    needs: [Prepare]\n"), "{doc}");
}
