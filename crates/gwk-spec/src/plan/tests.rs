//! The plan builder on small workflows, one concern per test.

use super::*;
use crate::{Config, analyze};

const TRAIN: &str = r#"defaults:
  env:
    HF_TOKEN: secret:hf-token
    EPOCHS: "3"
  resources:
    instance-type: C5
inputs:
  data:
    type: dataset
    with:
      ref: mnist
  message:
    type: string
jobs:
  CloneRepo:
    uses: git-checkout@v1
    with:
      url: context.event.github.url
      ref: context.event.github.ref
    outputs:
      repo:
        type: volume
  Train:
    uses: script@v1
    needs: [CloneRepo]
    with:
      image: bash:5
      script: |-
        echo training
        cp -r /inputs/repo /outputs/model
    inputs:
      repo: CloneRepo.outputs.repo
      data: workflow.inputs.data
      message: workflow.inputs.message
    outputs:
      model:
        type: dataset
        with:
          ref: models
    env:
      EPOCHS: "10"
    resources:
      instance-type: A100x4
    timeout: 90.5
  Lint:
    uses: container@v1
    needs: [CloneRepo]
    with:
      image: alpine:3.19
      args: [sh, -c, "ls /inputs/repo"]
    inputs:
      repo: CloneRepo.outputs.repo
"#;

fn build(text: &str, options: &PlanOptions, store: &dyn DatasetResolver) -> Plan {
    let a = analyze(text, &Config::default());
    let errors: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    plan(
        a.workflow.as_ref().unwrap(),
        &Config::default(),
        options,
        store,
    )
    .unwrap()
}

#[test]
fn stages_needs_and_critical_path() {
    let p = build(TRAIN, &PlanOptions::default(), &NoStore);
    assert_eq!(p.stages, vec![vec!["CloneRepo"], vec!["Train", "Lint"]]);
    assert_eq!(p.critical_path, ["CloneRepo", "Train"]);
    assert_eq!(p.widest_stage.as_ref().unwrap().stage, 1);
    let train = p.job("Train").unwrap();
    assert_eq!(
        (train.stage, train.needs.as_slice()),
        (1, &["CloneRepo".to_string()][..])
    );
    assert_eq!(train.timeout, Some(91));
}

#[test]
fn script_runs_as_one_bash_argument() {
    let p = build(TRAIN, &PlanOptions::default(), &NoStore);
    let train = p.job("Train").unwrap();
    assert_eq!(train.image.as_deref(), Some("bash:5"));
    assert_eq!(
        train.command.as_deref().unwrap(),
        [
            "bash",
            "-e",
            "-c",
            "echo training\ncp -r /inputs/repo /outputs/model"
        ]
    );
    assert_eq!(train.args, None);
    let lint = p.job("Lint").unwrap();
    assert_eq!(lint.command, None);
    assert_eq!(
        lint.args.as_deref().unwrap(),
        ["sh", "-c", "ls /inputs/repo"]
    );
}

#[test]
fn env_merges_defaults_and_names_secrets() {
    let p = build(TRAIN, &PlanOptions::default(), &NoStore);
    let env = &p.job("Train").unwrap().env;
    assert_eq!(
        env,
        &vec![
            EnvVar {
                name: "HF_TOKEN".into(),
                value: Value::Secret("hf-token".into()),
                from: EnvOrigin::Defaults
            },
            EnvVar {
                name: "EPOCHS".into(),
                value: Value::Value("10".into()),
                from: EnvOrigin::Job
            },
        ]
    );
    let json = serde_json::to_value(&env[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"name": "HF_TOKEN", "secret": "hf-token", "from": "defaults"})
    );
}

#[test]
fn gpus_come_from_the_catalog() {
    let p = build(TRAIN, &PlanOptions::default(), &NoStore);
    let train = p.job("Train").unwrap();
    assert_eq!(train.gpus, 4);
    assert_eq!(train.gpu_request.as_ref().unwrap().count, 4);
    assert_eq!(train.machine.as_ref().unwrap().gpu_memory_gb, Some(40));
    let lint = p.job("Lint").unwrap();
    assert_eq!((lint.gpus, lint.gpu_request.is_none()), (0, true));
    assert_eq!(lint.machine.as_ref().unwrap().cpus, Some(4));
}

#[test]
fn mounts_say_where_data_comes_from() {
    let store = MemoryResolver::new()
        .version("mnist", "m1")
        .dataset("models");
    let options = PlanOptions {
        inputs: [("message".to_string(), "hi".to_string())].into(),
        ..Default::default()
    };
    let p = build(TRAIN, &options, &store);
    let train = p.job("Train").unwrap();
    let repo = train.mount("/inputs/repo").unwrap();
    assert!(repo.read_only);
    assert_eq!(repo.kind, Some(MountKind::Volume));
    assert_eq!(
        repo.source,
        MountSource::JobOutput {
            job: "CloneRepo".into(),
            output: "repo".into()
        }
    );
    let data = train.mount("/inputs/data").unwrap();
    let MountSource::Dataset {
        dataset: Some(d), ..
    } = &data.source
    else {
        panic!("{data:?}")
    };
    assert_eq!(d.resolution.version(), Some("m1"));
    assert_eq!(
        train.mount("/inputs/message").unwrap().source,
        MountSource::WorkflowString {
            input: "message".into(),
            value: Some("hi".into())
        }
    );
    let model = train.mount("/outputs/model").unwrap();
    assert!(!model.read_only);
    assert_eq!(
        model.source,
        MountSource::NewDatasetVersion {
            dataset: "models".into(),
            exists: true,
            tag: None,
        }
    );
}

#[test]
fn dataset_overrides_replace_the_file() {
    let store = MemoryResolver::new()
        .version("mnist", "m1")
        .version("other", "o1")
        .tag("other", "gold", "o1");
    let options = PlanOptions {
        datasets: [("data".to_string(), "other:gold".to_string())].into(),
        ..Default::default()
    };
    let p = build(TRAIN, &options, &store);
    let d = p.inputs.iter().find(|i| i.name == "data").unwrap();
    assert_eq!(d.source, InputSource::Option);
    let d = d.dataset.as_ref().unwrap();
    assert!(d.overridden);
    assert_eq!(d.resolution.version(), Some("o1"));
}

#[test]
fn missing_lists_inputs_secrets_datasets_and_context() {
    let p = build(TRAIN, &PlanOptions::default(), &NoStore);
    let got: Vec<(MissingKind, &str, Vec<&str>)> = p
        .missing
        .iter()
        .map(|m| {
            (
                m.kind,
                m.name.as_str(),
                m.jobs.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (MissingKind::Input, "message", vec!["Train"]),
            (
                MissingKind::Secret,
                "hf-token",
                vec!["CloneRepo", "Train", "Lint"]
            ),
            (MissingKind::Dataset, "mnist", vec!["Train"]),
            (
                MissingKind::Context,
                "context.event.github.ref",
                vec!["CloneRepo"]
            ),
            (
                MissingKind::Context,
                "context.event.github.url",
                vec!["CloneRepo"]
            ),
        ]
    );
    let options = PlanOptions {
        inputs: [("message".to_string(), "hi".to_string())].into(),
        secrets: ["hf-token".to_string()].into(),
        github_url: Some(Resolved::new("https://github.com/o/r", "test")),
        github_ref: Some(Resolved::new("abc123", "test")),
        ..Default::default()
    };
    let store = MemoryResolver::new().version("mnist", "m1");
    let p = build(TRAIN, &options, &store);
    assert_eq!(p.missing, vec![]);
    let git = p.job("CloneRepo").unwrap().git.as_ref().unwrap();
    assert_eq!(git.url.value.as_deref(), Some("https://github.com/o/r"));
    assert_eq!(git.path.as_deref(), Some("/outputs/repo"));
}

#[test]
fn the_files_context_block_resolves_github_values() {
    let text = "context:\n  event:\n    github:\n      url: https://github.com/a/b\n      ref: 0123abcd\njobs:\n  C:\n    uses: git-checkout@v1\n    with:\n      url: context.event.github.url\n      ref: context.event.github.ref\n    outputs:\n      repo: {type: volume}\n    resources: {instance-type: C5}\n";
    let p = build(text, &PlanOptions::default(), &NoStore);
    let git = p.jobs[0].git.as_ref().unwrap();
    assert_eq!(git.url.value.as_deref(), Some("https://github.com/a/b"));
    assert_eq!(
        git.git_ref.as_ref().unwrap().value.as_deref(),
        Some("0123abcd")
    );
    assert!(p.missing.is_empty());
    // An explicit value wins over the block.
    let options = PlanOptions {
        github_url: Some(Resolved::new("https://example.org/x", "--github-url")),
        ..Default::default()
    };
    let p = build(text, &options, &NoStore);
    let url = &p.jobs[0].git.as_ref().unwrap().url;
    assert_eq!(url.source.as_deref(), Some("--github-url"));
}

#[test]
fn bad_options_are_refused_with_a_suggestion() {
    let a = analyze(TRAIN, &Config::default());
    let wf = a.workflow.as_ref().unwrap();
    let try_plan = |options: PlanOptions| {
        plan(wf, &Config::default(), &options, &NoStore)
            .unwrap_err()
            .to_string()
    };
    let e = try_plan(PlanOptions {
        inputs: [("mesage".to_string(), "x".to_string())].into(),
        ..Default::default()
    });
    assert!(e.contains("did you mean `message`"), "{e}");
    let e = try_plan(PlanOptions {
        inputs: [("data".to_string(), "x".to_string())].into(),
        ..Default::default()
    });
    assert!(e.contains("--dataset data=REF"), "{e}");
    let e = try_plan(PlanOptions {
        datasets: [("Train.nope".to_string(), "x".to_string())].into(),
        ..Default::default()
    });
    assert!(e.contains("no dataset input is called `Train.nope`"), "{e}");
}

#[test]
fn a_cycle_is_an_error() {
    let a = analyze(
        "jobs:\n  a: {uses: container@v1, needs: [b]}\n  b: {uses: container@v1, needs: [a]}\n",
        &Config::default(),
    );
    let e = plan(
        a.workflow.as_ref().unwrap(),
        &Config::default(),
        &PlanOptions::default(),
        &NoStore,
    )
    .unwrap_err();
    assert_eq!(
        e,
        PlanError::Cycle(vec!["a".into(), "b".into(), "a".into()])
    );
}

/// A workflow input without `with` is supplied when the run starts (spec
/// §4.2): the checker accepts it, and the plan names it as missing until
/// `--dataset` or `--input` gives it.
#[test]
fn workflow_inputs_without_with_are_missing_until_given() {
    let text = "defaults:\n  resources:\n    instance-type: C5\ninputs:\n  data:\n    type: dataset\n  greeting:\n    type: string\njobs:\n  hello:\n    inputs:\n      data: workflow.inputs.data\n      greeting: workflow.inputs.greeting\n    uses: container@v1\n    with:\n      image: bash:5\n";
    let a = analyze(text, &Config::default());
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    let p = build(text, &PlanOptions::default(), &NoStore);
    let got: Vec<(MissingKind, &str, &[String], &str)> = p
        .missing
        .iter()
        .map(|m| (m.kind, m.name.as_str(), m.jobs.as_slice(), m.hint.as_str()))
        .collect();
    let hello = ["hello".to_string()];
    assert_eq!(
        got,
        vec![
            (
                MissingKind::Input,
                "data",
                &hello[..],
                "give it with --dataset data=REF"
            ),
            (
                MissingKind::Input,
                "greeting",
                &hello[..],
                "give it with --input greeting=VALUE"
            ),
        ]
    );
    let options = PlanOptions {
        inputs: [("greeting".to_string(), "hi".to_string())].into(),
        datasets: [("data".to_string(), "mnist".to_string())].into(),
        ..Default::default()
    };
    let store = MemoryResolver::new().version("mnist", "m1");
    assert_eq!(build(text, &options, &store).missing, vec![]);
}

/// `timeout` is read as seconds, for the workflow and for each job;
/// fractions round up (docs/spec-decisions.md).
#[test]
fn timeouts_are_seconds_rounded_up() {
    let text = "timeout: 3600\ndefaults:\n  resources:\n    instance-type: C5\njobs:\n  a:\n    uses: container@v1\n    with:\n      image: bash:5\n    timeout: 0.5\n";
    let p = build(text, &PlanOptions::default(), &NoStore);
    assert_eq!(p.timeout, Some(3600));
    assert_eq!(p.jobs[0].timeout, Some(1));
}

/// A job with no instance type anywhere gets a warning from the checker and
/// is planned as a CPU job: no machine, no GPU.
#[test]
fn a_job_without_an_instance_type_is_planned_on_a_cpu() {
    let text = "jobs:\n  a:\n    uses: container@v1\n    with:\n      image: bash:5\n";
    let a = analyze(text, &Config::default());
    let codes: Vec<_> = a.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [crate::Code::MissingInstanceType]);
    let p = build(text, &PlanOptions::default(), &NoStore);
    let job = &p.jobs[0];
    assert_eq!((job.instance_type.as_deref(), job.gpus), (None, 0));
    assert!(job.machine.is_none());
}

/// `ref: my-out:gold` on an output tags the new version `gold`; `latest`
/// (which every new version is) and no selector tag nothing.
#[test]
fn a_dataset_output_keeps_its_tag() {
    let text = |r: &str| {
        format!(
            "defaults:\n  resources:\n    instance-type: C5\njobs:\n  train:\n    uses: container@v1\n    \
             with:\n      image: bash:5\n      args: [touch, /outputs/model/w]\n    outputs:\n      \
             model:\n        type: dataset\n        with:\n          ref: {r}\n"
        )
    };
    let store = MemoryResolver::new().dataset("my-out");
    for (r, tag) in [
        ("my-out:gold", Some("gold")),
        ("my-out:latest", None),
        ("my-out", None),
    ] {
        let p = build(&text(r), &PlanOptions::default(), &store);
        let m = p.job("train").unwrap().mount("/outputs/model").unwrap();
        assert_eq!(
            m.source,
            MountSource::NewDatasetVersion {
                dataset: "my-out".into(),
                exists: true,
                tag: tag.map(String::from),
            },
            "{r}"
        );
        assert_eq!(m.from.contains("tagged gold"), tag.is_some(), "{}", m.from);
    }
}
