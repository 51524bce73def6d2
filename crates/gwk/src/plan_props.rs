//! Properties of plans over generated workflows, through the same
//! [`prepare`](crate::planning::prepare) that `gwk plan` and `gwk run` use:
//!
//! - no job is staged at or before a job it needs;
//! - every `/inputs` mount is backed by an output of a job in an earlier
//!   stage, a workflow input or a dataset;
//! - no secret value appears in any output format (the plan as JSON and as
//!   text, before the CLI's redaction, and every graph format).

use crate::planning::{PlanArgs, prepare};
use gwk_spec::graph_view;
use gwk_spec::plan::{MemoryResolver, MountSource, Plan};
use proptest::prelude::*;
use std::fmt::Write;

/// Reads bytes from proptest's input as choices.
struct Choices<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Choices<'_> {
    fn next(&mut self) -> u8 {
        let b = self.bytes[self.at % self.bytes.len()];
        self.at += 1;
        b
    }

    fn pick(&mut self, n: usize) -> usize {
        self.next() as usize % n
    }

    fn coin(&mut self) -> bool {
        self.next().is_multiple_of(2)
    }
}

const TYPES: [&str; 4] = ["C5", "A100x4", "P4000", "metal-gpu"];

/// A workflow with up to 7 jobs in a shuffled file order, needs only on
/// earlier jobs (so no cycle), io of every kind, secrets in env and in
/// git-checkout credentials.
fn workflow(bytes: &[u8]) -> String {
    let mut c = Choices { bytes, at: 0 };
    let n = 1 + c.pick(7);
    let mut y = String::from(
        "defaults:\n  env:\n    TOKEN: secret:TOKEN0\n    PLAIN: plain-value\n  resources:\n    instance-type: C5\ninputs:\n  text:\n    type: string\n",
    );
    if c.coin() {
        y.push_str("    with:\n      value: default-text\n");
    }
    y.push_str("  data:\n    type: dataset\n    with:\n      ref: ds0\njobs:\n");
    // Outputs of each job: (name, type).
    let mut outputs: Vec<Vec<(String, &str)>> = Vec::new();
    let mut jobs: Vec<(u8, String)> = Vec::new();
    for j in 0..n {
        let mut body = String::new();
        let checkout = j == 0 || c.pick(4) == 0;
        let needs: Vec<usize> = (0..j).filter(|_| c.pick(3) == 0).collect();
        let mut outs = Vec::new();
        if checkout {
            body.push_str("    uses: git-checkout@v1\n    with:\n      url: https://github.com/o/r\n      username: secret:GIT_USER\n      password: secret:GIT_PW\n");
            outs.push((format!("repo{j}"), "volume"));
        } else {
            if c.coin() {
                body.push_str("    uses: script@v1\n    with:\n      image: bash:5\n      script: |-\n        echo $PLAIN\n        ls /inputs\n");
            } else {
                body.push_str("    uses: container@v1\n    with:\n      image: alpine:3.19\n      args: [sh, -c, 'ls /inputs']\n");
            }
            for k in 0..c.pick(3) {
                let t = ["string", "dataset"][c.pick(2)];
                outs.push((format!("o{j}x{k}"), t));
            }
        }
        if !needs.is_empty() {
            let list: Vec<String> = needs.iter().map(|i| format!("J{i}")).collect();
            let _ = writeln!(body, "    needs: [{}]", list.join(", "));
        }
        let mut inputs = String::new();
        for &i in &needs {
            for (o, _) in &outputs[i] {
                if c.coin() {
                    let _ = writeln!(inputs, "      in-{o}: J{i}.outputs.{o}");
                }
            }
        }
        if !checkout {
            if c.coin() {
                inputs.push_str("      t: workflow.inputs.text\n");
            }
            if c.coin() {
                inputs.push_str("      d: workflow.inputs.data\n");
            }
            if c.pick(3) == 0 {
                inputs.push_str("      inline: {type: dataset, with: {ref: 'ds1:v1'}}\n");
            }
        }
        if !inputs.is_empty() {
            body.push_str("    inputs:\n");
            body.push_str(&inputs);
        }
        if !outs.is_empty() {
            body.push_str("    outputs:\n");
            for (k, (o, t)) in outs.iter().enumerate() {
                if *t == "dataset" {
                    // One dataset per writer: parallel writers of one
                    // dataset are a finding of their own.
                    let _ = writeln!(
                        body,
                        "      {o}: {{type: dataset, with: {{ref: out{j}x{k}}}}}"
                    );
                } else {
                    let _ = writeln!(body, "      {o}: {{type: {t}}}");
                }
            }
        }
        if c.coin() {
            let _ = writeln!(
                body,
                "    env:\n      JOB_SECRET: secret:TOKEN{}",
                c.pick(2)
            );
        }
        let _ = writeln!(
            body,
            "    resources:\n      instance-type: {}",
            TYPES[c.pick(TYPES.len())]
        );
        jobs.push((c.next(), format!("  J{j}:\n{body}")));
        outputs.push(outs);
    }
    // Shuffle the file order: stages must not depend on it.
    jobs.sort_by_key(|(k, _)| *k);
    for (_, j) in jobs {
        y.push_str(&j);
    }
    y
}

fn check_staging(plan: &Plan) -> Result<(), TestCaseError> {
    for job in &plan.jobs {
        for need in &job.needs {
            let n = plan.job(need).expect("needs name planned jobs");
            prop_assert!(
                n.stage < job.stage,
                "{} (stage {}) needs {} (stage {})",
                job.name,
                job.stage,
                n.name,
                n.stage
            );
        }
        prop_assert!(plan.stages[job.stage].contains(&job.name));
    }
    Ok(())
}

fn check_inputs_backed(plan: &Plan) -> Result<(), TestCaseError> {
    for job in &plan.jobs {
        for m in job
            .mounts
            .iter()
            .filter(|m| m.target.starts_with("/inputs/"))
        {
            prop_assert!(m.read_only, "{} {}", job.name, m.target);
            match &m.source {
                MountSource::JobOutput { job: p, output } => {
                    let producer = plan.job(p).expect("a planned producer");
                    prop_assert!(producer.stage < job.stage, "{} reads {p}", job.name);
                    let out = producer.mount(&format!("/outputs/{output}"));
                    prop_assert!(out.is_some_and(|o| !o.read_only), "{p} has no {output}");
                }
                MountSource::WorkflowString { input, .. } => {
                    prop_assert!(plan.inputs.iter().any(|i| &i.name == input));
                }
                MountSource::Dataset { dataset, .. } => prop_assert!(dataset.is_some()),
                MountSource::InlineString { .. } => {}
                other => prop_assert!(false, "{}: {} is {other:?}", job.name, m.target),
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn plans_keep_their_promises(
        bytes in prop::collection::vec(any::<u8>(), 96),
        secret in "[a-zA-Z0-9]{12,20}",
    ) {
        let text = workflow(&bytes);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("wf.yaml");
        std::fs::write(&file, &text).unwrap();
        // Secret values that no generated text can contain by chance.
        let values: Vec<String> = (0..4).map(|i| format!("zQ{i}{secret}Qz")).collect();
        let args = PlanArgs {
            secrets: ["TOKEN0", "TOKEN1", "GIT_USER", "GIT_PW"]
                .iter()
                .zip(&values)
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            ..PlanArgs::default()
        };
        let store = MemoryResolver::new().version("ds0", "v0").version("ds1", "v1");
        let prepared = prepare(&file, &args, &store).unwrap();
        let Some(p) = prepared else {
            let a = gwk_spec::analyze(&text, &gwk_spec::Config::default());
            let errors: Vec<String> = a.diagnostics.iter().map(|d| format!("{}: {}", d.code, d.message)).collect();
            return Err(TestCaseError::fail(format!("generated a file with errors: {errors:?}\n{text}")));
        };
        prop_assert_eq!(p.secrets.len(), p.plan.secret_names().len());
        let plan = &p.plan;
        check_staging(plan)?;
        check_inputs_backed(plan)?;
        prop_assert!(plan.missing.iter().all(|m| m.kind != gwk_spec::plan::MissingKind::Secret));

        let view = graph_view::graph_view(p.analysis.workflow.as_ref().unwrap(), &p.config);
        let outputs = [
            serde_json::to_string_pretty(plan).unwrap(),
            crate::plan_human::render(plan, "wf.yaml", 0, true),
            crate::plan_human::render(plan, "wf.yaml", 0, false),
            graph_view::ascii(&view),
            graph_view::mermaid(&view),
            graph_view::dot(&view),
            graph_view::svg(&view),
            serde_json::to_string(&view.json(|_| serde_json::Map::new())).unwrap(),
            format!("{:?} {}", p.secrets, p.secrets),
        ];
        for out in &outputs {
            for v in &values {
                prop_assert!(!out.contains(v.as_str()), "a secret value in:\n{out}");
            }
        }
        // The secrets are named, though.
        prop_assert!(outputs[0].contains("\"secret\": \"TOKEN0\""));
    }
}
