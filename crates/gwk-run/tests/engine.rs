//! The runner against the real Docker engine, at the library level (the
//! CLI's tests in crates/gwk/tests cover the user-facing behaviour).

mod common;

use gwk_run::docker::{Control, Engine, LABEL_RUN};
use gwk_run::events::{Event, EventSink, JobStatus, RunStatus};
use gwk_run::job::*;
use gwk_run::runner::{RunOptions, run};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Collect(Mutex<Vec<Event>>);

impl EventSink for Collect {
    fn emit(&self, e: &Event) {
        self.0.lock().unwrap().push(e.clone());
    }
}

fn container(name: &str, needs: &[&str], script: &str) -> JobSpec {
    JobSpec {
        name: name.into(),
        needs: needs.iter().map(|s| s.to_string()).collect(),
        action: ActionSpec::Container {
            image: "bash:5".into(),
            entrypoint: Some(vec!["bash".into(), "-ec".into()]),
            cmd: Some(vec![script.into()]),
        },
        env: vec![("HELLO".into(), "world".into())],
        inputs: vec![],
        outputs: vec![],
        instance_type: Some("C4".into()),
        gpus: 0,
        memory_bytes: None,
        timeout: None,
    }
}

fn options(home: &std::path::Path, env: &std::collections::HashMap<String, String>) -> RunOptions {
    let mut o = RunOptions::new(home.to_path_buf());
    o.docker_host = Some(env["GWK_TEST_DOCKER_HOST"].clone());
    o.network = Some("none".into());
    o
}

async fn assert_no_containers(host: &str, run_id: &str) {
    let engine = Engine::connect(Some(host)).await.unwrap();
    let left = engine
        .containers_with_label(&format!("{LABEL_RUN}={run_id}"))
        .await
        .unwrap();
    assert!(left.is_empty(), "containers left behind: {left:?}");
}

#[tokio::test]
async fn volume_string_and_dataset_flow_between_jobs() {
    let Some(env) = common::test_env() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mut produce = container(
        "produce",
        &[],
        "echo data > /outputs/vol/file.txt; printf 'v-%s' \"$HELLO\" > /outputs/word; echo \"run=$GWK_RUN_ID job=$GWK_JOB_NAME\"; echo SECRET=$TOKEN",
    );
    produce.env.push(("TOKEN".into(), "s3cr3t-value".into()));
    produce.outputs = vec![
        OutputSpec {
            name: "vol".into(),
            kind: OutputKind::Volume,
        },
        OutputSpec {
            name: "word".into(),
            kind: OutputKind::String,
        },
    ];
    let mut consume = container(
        "consume",
        &["produce"],
        "cat /inputs/vol/file.txt /inputs/word > /outputs/ds/all.txt; touch /inputs/vol/x 2>/dev/null && echo WRITABLE || echo READONLY",
    );
    consume.inputs = vec![
        InputSpec {
            name: "vol".into(),
            source: InputSource::JobOutput {
                job: "produce".into(),
                output: "vol".into(),
            },
        },
        InputSpec {
            name: "word".into(),
            source: InputSource::JobOutput {
                job: "produce".into(),
                output: "word".into(),
            },
        },
    ];
    consume.outputs = vec![OutputSpec {
        name: "ds".into(),
        kind: OutputKind::Dataset {
            dataset: "results".into(),
            // `ref: results:gold`: the new version is tagged.
            tag: Some("gold".into()),
        },
    }];
    let input = RunInput {
        workflow_file: "test.yaml".into(),
        spec_text: "jobs: {}".into(),
        jobs: vec![produce, consume],
        secret_values: vec!["s3cr3t-value".into()],
        ..Default::default()
    };
    let sink = Arc::new(Collect::default());
    let (_tx, rx) = tokio::sync::watch::channel(Control::Run);
    let summary = run(input, options(home.path(), &env), sink.clone(), rx)
        .await
        .unwrap();
    assert_eq!(
        summary.status(),
        RunStatus::Succeeded,
        "{:#?}",
        summary.record
    );
    let events = sink.0.lock().unwrap().clone();
    let logs: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log { job, line, .. } => Some(format!("{job}: {line}")),
            _ => None,
        })
        .collect();
    assert!(
        logs.contains(&format!("produce: run={} job=produce", summary.run_id)),
        "{logs:?}"
    );
    assert!(
        logs.contains(&"produce: SECRET=***".to_string()),
        "{logs:?}"
    );
    assert!(logs.contains(&"consume: READONLY".to_string()), "{logs:?}");
    let word = &summary.record.job("produce").unwrap().outputs[1];
    assert_eq!(word.value.as_deref(), Some("v-world"));
    let ds = &summary.record.job("consume").unwrap().outputs[0];
    let store = gwk_run::datasets::DatasetStore::new(home.path());
    let v = store.resolve("results:latest").unwrap();
    assert_eq!(Some(v.id.clone()), ds.version);
    assert_eq!(store.resolve("results:gold").unwrap().id, v.id);
    assert_eq!(
        std::fs::read_to_string(v.path.join("all.txt")).unwrap(),
        "data\nv-world"
    );
    // The secret is in no file of the run.
    for entry in walk(&summary.run_dir) {
        let text = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&text).contains("s3cr3t-value"),
            "{}",
            entry.display()
        );
    }
    assert_no_containers(&env["GWK_TEST_DOCKER_HOST"], &summary.run_id).await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[tokio::test]
async fn failure_skips_dependents_and_timeout_stops_the_container() {
    let Some(env) = common::test_env() else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mut slow = container("slow", &[], "trap 'exit 143' TERM; sleep 30 & wait");
    slow.timeout = Some(Duration::from_secs(1));
    let mut bad = container("bad", &[], "echo failing; exit 3");
    bad.outputs = vec![OutputSpec {
        name: "d".into(),
        kind: OutputKind::Dataset {
            dataset: "never".into(),
            tag: None,
        },
    }];
    let after = container("after", &["bad"], "true");
    let input = RunInput {
        jobs: vec![slow, bad, after],
        ..Default::default()
    };
    let (_tx, rx) = tokio::sync::watch::channel(Control::Run);
    let t0 = std::time::Instant::now();
    let summary = run(
        input,
        options(home.path(), &env),
        Arc::new(Collect::default()),
        rx,
    )
    .await
    .unwrap();
    assert!(
        t0.elapsed() < Duration::from_secs(25),
        "the timeout did not stop the job"
    );
    let r = &summary.record;
    assert_eq!(summary.status(), RunStatus::Failed);
    assert_eq!(r.job("slow").unwrap().status, JobStatus::TimedOut);
    assert_eq!(r.job("bad").unwrap().status, JobStatus::Failed);
    assert_eq!(r.job("bad").unwrap().exit_code, Some(3));
    assert_eq!(r.job("after").unwrap().status, JobStatus::Skipped);
    let store = gwk_run::datasets::DatasetStore::new(home.path());
    assert!(store.version_ids("never").unwrap().is_empty());
    assert!(store.abandoned_staging().is_empty());
    assert_no_containers(&env["GWK_TEST_DOCKER_HOST"], &summary.run_id).await;
}
