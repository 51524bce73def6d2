//! The graph view and its renderers.

use super::*;
use crate::{Config, analyze};

const WF: &str = r#"defaults:
  resources:
    instance-type: C5
jobs:
  Report:
    uses: container@v1
    needs: [Evaluate, Train]
    with: {image: "alpine:3.19", args: [cat, /inputs/acc]}
    inputs:
      acc: Evaluate.outputs.accuracy
  CloneRepo:
    uses: git-checkout@v1
    with: {url: "https://github.com/o/r"}
    outputs:
      repo: {type: volume}
  Train:
    uses: script@v1
    needs: [CloneRepo]
    with: {image: "bash:5", script: "echo \"<&>\""}
    inputs:
      repo: CloneRepo.outputs.repo
    outputs:
      model: {type: dataset, with: {ref: models}}
    resources:
      instance-type: A100x4
  Evaluate:
    uses: script@v1
    needs: [Train]
    with: {image: "bash:5", script: "true"}
    inputs:
      weights: Train.outputs.model
      repo: CloneRepo.outputs.repo
    outputs:
      accuracy: {type: string}
"#;

fn view(text: &str) -> GraphView {
    let a = analyze(text, &Config::default());
    graph_view(a.workflow.as_ref().unwrap(), &Config::default())
}

#[test]
fn nodes_and_edges_carry_io() {
    let v = view(WF);
    let train = v.node("Train").unwrap();
    assert_eq!((train.gpus, train.gpu, train.stage), (4, true, Some(1)));
    assert_eq!(v.node("Report").unwrap().stage, Some(3));
    let e = v
        .edges
        .iter()
        .find(|e| e.from == "Train" && e.to == "Evaluate")
        .unwrap();
    assert_eq!(
        e.io,
        vec![EdgeIo {
            output: "model".into(),
            input: "weights".into(),
            io_type: Some("dataset".into())
        }]
    );
    assert_eq!(e.label(), "model → weights");
    // Evaluate reads CloneRepo's output without needing it: an undeclared edge.
    let e = v
        .edges
        .iter()
        .find(|e| e.from == "CloneRepo" && e.to == "Evaluate")
        .unwrap();
    assert!(!e.declared);
    // Report needs Train but reads nothing of it: an edge with no io.
    let e = v
        .edges
        .iter()
        .find(|e| e.from == "Train" && e.to == "Report")
        .unwrap();
    assert!(e.io.is_empty() && e.declared);
    assert!(v.cycles.is_empty());
}

#[test]
fn json_has_version_positions_and_order() {
    let v = view(WF);
    let text = serde_json::to_string(&v.json(|span| {
        let mut m = serde_json::Map::new();
        m.insert("start".into(), span.start.into());
        m
    }))
    .unwrap();
    assert!(
        text.starts_with("{\"version\":1,\"nodes\":[{\"name\":\"Report\""),
        "{text}"
    );
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let start = doc["nodes"][1]["start"].as_u64().unwrap() as usize;
    assert_eq!(&WF[start..start + "CloneRepo".len()], "CloneRepo");
    assert!(doc["nodes"][0].get("span").is_none());
}

#[test]
fn cycles_are_reported_and_still_drawn() {
    let v = view(
        "jobs:\n  a: {uses: container@v1, needs: [c]}\n  b: {uses: container@v1, needs: [a]}\n  c: {uses: container@v1, needs: [b]}\n  d: {uses: container@v1, needs: [a]}\n",
    );
    assert_eq!(v.cycles, vec![vec!["a", "c", "b", "a"]]);
    assert!(v.nodes.iter().all(|n| n.stage.is_none()));
    let l = layout(&v);
    assert_eq!(l.back_edges.len(), 1);
    assert_eq!(l.layers.iter().map(Vec::len).sum::<usize>(), 4);
    let text = ascii(&v);
    assert!(text.contains("(cycle)"), "{text}");
    assert!(
        text.contains("cycle: a -> c -> b -> a (each arrow reads \"needs\")"),
        "{text}"
    );
    svg_is_wellformed(&svg(&v), 4);
    assert!(dot(&v).contains("color=\"#dc2626\""));
}

#[test]
fn layout_follows_stages_and_uncrosses() {
    // Two chains whose file order would cross: a1→b2, a2→b1.
    let v = view(
        "jobs:\n  a1: {uses: container@v1}\n  a2: {uses: container@v1}\n  b1: {uses: container@v1, needs: [a2]}\n  b2: {uses: container@v1, needs: [a1]}\n",
    );
    let l = layout(&v);
    let names = |layer: &Vec<usize>| -> Vec<&str> {
        layer.iter().map(|&i| v.nodes[i].name.as_str()).collect()
    };
    assert_eq!(names(&l.layers[0]), ["a1", "a2"]);
    assert_eq!(names(&l.layers[1]), ["b2", "b1"]);
}

fn svg_is_wellformed(text: &str, jobs: usize) {
    let doc = roxmltree::Document::parse(text).expect("well-formed XML");
    let count = doc
        .descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|c| c == "job"))
        })
        .count();
    assert_eq!(count, jobs, "{text}");
}

#[test]
fn every_format_escapes_what_it_must() {
    let text = "jobs:\n  'a\"b<&>':\n    uses: container@v1\n    outputs:\n      'o\"<x>': {type: string}\n  c:\n    uses: container@v1\n    needs: ['a\"b<&>']\n    inputs:\n      i: 'a\"b<&>.outputs.o\"<x>'\n";
    let v = view(text);
    assert_eq!(v.nodes.len(), 2);
    svg_is_wellformed(&svg(&v), 2);
    let d = dot(&v);
    assert!(d.contains(r#""a\"b<&>" -> "c""#), "{d}");
    let m = mermaid(&v);
    assert!(m.contains("a#quot;b#lt;&#gt;"), "{m}");
    assert!(!m.contains("a\"b"), "{m}");
}

#[test]
fn renderers_mark_gpu_jobs_and_label_edges() {
    let v = view(WF);
    let m = mermaid(&v);
    assert!(m.contains("A100x4 · 4 GPUs\"]:::gpu"), "{m}");
    assert!(m.contains("-->|\"model → weights\"|"), "{m}");
    assert!(m.contains("-.->|\"repo\"|"), "{m}");
    let a = ascii(&v);
    assert!(
        a.contains("Train  (script@v1, A100x4, 4 GPUs) [GPU]"),
        "{a}"
    );
    assert!(a.contains("model as weights --> Evaluate"), "{a}");
    assert!(a.contains("repo ..> Evaluate"), "{a}");
    assert!(a.is_ascii(), "{a}");
    let s = svg(&v);
    svg_is_wellformed(&s, 4);
    assert!(s.contains("class=\"job gpu\""));
    assert!(s.contains(">model → weights</text>"));
}

#[test]
fn of_analysis_counts_each_jobs_findings() {
    // Evaluate reads an output Train does not declare, and reads CloneRepo
    // without needing it directly (missing-needs): two errors inside
    // Evaluate; the other jobs are clean.
    let text = WF.replace("Train.outputs.model", "Train.outputs.modle");
    let a = analyze(&text, &Config::default());
    let v = of_analysis(&a, &Config::default()).unwrap();
    let findings = |job: &str| v.node(job).unwrap().findings.unwrap();
    assert_eq!(findings("Evaluate").errors, 2, "{:?}", a.diagnostics);
    assert_eq!(findings("Train"), JobFindings::default());
    assert_eq!(findings("CloneRepo"), JobFindings::default());
    let json = serde_json::to_value(v.json(|_| serde_json::Map::new())).unwrap();
    let evaluate = &json["nodes"][3];
    assert_eq!(evaluate["name"], "Evaluate");
    assert_eq!(
        (
            &evaluate["errors"],
            &evaluate["warnings"],
            &evaluate["infos"]
        ),
        (&2.into(), &0.into(), &0.into())
    );
    // Without an analysis the counts are absent, not zero.
    assert!(
        view(WF).json(|_| serde_json::Map::new()).nodes[0]
            .node
            .findings
            .is_none()
    );
    assert!(of_analysis(&analyze("a: [", &Config::default()), &Config::default()).is_none());
}
