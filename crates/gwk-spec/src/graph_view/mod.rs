//! The workflow graph as people look at it: jobs as nodes (with action,
//! instance type and GPUs), `needs` as edges labelled with the io they
//! carry. `gwk graph` renders it (JSON, Mermaid, DOT, ASCII, SVG) and the
//! language server's `gwk/graph` request returns it, so both show the same
//! graph: [`of_analysis`] builds it with each job's findings counted.
//!
//! Positions stay byte [`Span`]s here; each surface turns them into its
//! own coordinates through [`GraphView::to_json`].

mod ascii;
mod dot;
mod layout;
mod mermaid;
mod svg;

pub use ascii::ascii;
pub use dot::dot;
pub use layout::{Layout, layout};
pub use mermaid::mermaid;
pub use svg::svg;

use crate::Analysis;
use crate::config::Config;
use crate::graph::Dag;
use crate::model::{Reference, Workflow};
use crate::syntax::Span;
use serde::Serialize;

/// The version of the graph's JSON form.
pub const GRAPH_VERSION: u32 = 1;

/// The graph of one workflow.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphView {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
    /// Each cycle as a path of job names, first repeated at the end.
    pub cycles: Vec<Vec<String>>,
}

/// A job.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphNode {
    pub name: String,
    /// The job name's span in the file.
    #[serde(skip)]
    pub span: Span,
    /// `uses`, as written.
    pub action: Option<String>,
    /// The instance type after defaults.
    pub instance_type: Option<String>,
    /// GPUs of the instance type (0 for CPU and unknown types).
    pub gpus: u32,
    /// Whether the job runs on a GPU machine.
    pub gpu: bool,
    /// The earliest stage it can start in; `None` when the graph has a cycle.
    pub stage: Option<usize>,
    /// The findings inside the job, when the graph was built from an
    /// analysis ([`of_analysis`]); `errors`, `warnings` and `infos` in JSON.
    #[serde(flatten)]
    pub findings: Option<JobFindings>,
}

/// How many findings start inside a job, by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct JobFindings {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

/// `from` → `to`: job `to` needs job `from`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    /// What `to` reads of `from`'s outputs.
    pub io: Vec<EdgeIo>,
    /// Whether `to` lists `from` in `needs`. `false` for a reference to a
    /// job it does not need (the `missing-needs` error), drawn dashed.
    pub declared: bool,
}

/// One output of `from` read as an input of `to`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EdgeIo {
    /// The output's name in `from`.
    pub output: String,
    /// The input's name in `to` (its `/inputs/<name>`).
    pub input: String,
    /// `volume`, `string` or `dataset`; `None` when the output declares no
    /// known type.
    #[serde(rename = "type")]
    pub io_type: Option<String>,
}

impl GraphEdge {
    /// "repo" or "repo → src, model" (the output names, with the input
    /// names when they differ).
    pub fn label(&self) -> String {
        self.label_with(" → ")
    }

    /// [`label`](Self::label) with `arrow` between an output and the input
    /// that reads it under another name.
    pub fn label_with(&self, arrow: &str) -> String {
        self.io
            .iter()
            .map(|io| {
                if io.input == io.output {
                    io.output.clone()
                } else {
                    format!("{}{arrow}{}", io.output, io.input)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl GraphNode {
    /// "A100x4 · 4 GPUs", "C5", or "" without an instance type.
    pub fn machine_label(&self) -> String {
        self.machine_label_with(" · ")
    }

    /// [`machine_label`](Self::machine_label) with another separator.
    pub fn machine_label_with(&self, sep: &str) -> String {
        match (&self.instance_type, self.gpus) {
            (Some(t), 0) => t.clone(),
            (Some(t), 1) => format!("{t}{sep}1 GPU"),
            (Some(t), n) => format!("{t}{sep}{n} GPUs"),
            (None, _) => String::new(),
        }
    }
}

/// Builds the graph of `wf`; `config` gives private instance types.
pub fn graph_view(wf: &Workflow, config: &Config) -> GraphView {
    let dag = Dag::new(wf);
    let stages = dag.stages();
    let nodes = wf
        .jobs
        .iter()
        .enumerate()
        .map(|(i, job)| {
            let instance_type = wf.instance_type(job).map(|t| t.value.clone());
            let gpus = instance_type
                .as_deref()
                .and_then(|t| config.instance_type(t))
                .map_or(0, |t| t.gpus);
            GraphNode {
                name: job.name.value.clone(),
                span: job.name.span,
                action: job.uses.as_ref().map(|u| u.value.clone()),
                instance_type,
                gpus,
                gpu: gpus > 0,
                stage: stages.as_ref().map(|s| s[i]),
                findings: None,
            }
        })
        .collect();
    let mut edges = Vec::new();
    for (i, job) in wf.jobs.iter().enumerate() {
        let reads = |from: &str| -> Vec<EdgeIo> {
            job.references()
                .filter_map(|(input, r)| match r {
                    Reference::JobOutput {
                        job: j, output: o, ..
                    } if j.value == from => Some(EdgeIo {
                        output: o.value.clone(),
                        input: input.name.value.clone(),
                        io_type: wf
                            .job(from)
                            .and_then(|p| p.output(&o.value))
                            .and_then(|o| o.io_type())
                            .map(|t| t.as_str().to_string()),
                    }),
                    _ => None,
                })
                .collect()
        };
        for &n in &dag.needs[i] {
            let from = &wf.jobs[n].name.value;
            edges.push(GraphEdge {
                from: from.clone(),
                to: job.name.value.clone(),
                io: reads(from),
                declared: true,
            });
        }
        // References to jobs it does not need: still an edge of the data
        // flow, marked so editors can draw it as the mistake it is.
        let mut undeclared: Vec<&str> = Vec::new();
        for (_, r) in job.references() {
            if let Some(j) = r.job()
                && let Some(n) = wf.job_index(&j.value)
                && !dag.needs[i].contains(&n)
                && !undeclared.contains(&j.value.as_str())
            {
                undeclared.push(&j.value);
            }
        }
        for from in undeclared {
            edges.push(GraphEdge {
                from: from.to_string(),
                to: job.name.value.clone(),
                io: reads(from),
                declared: false,
            });
        }
    }
    let cycles = dag
        .cycles()
        .iter()
        .map(|c| c.iter().map(|&j| wf.jobs[j].name.value.clone()).collect())
        .collect();
    GraphView {
        nodes,
        edges,
        cycles,
    }
}

/// The graph of an analysed file, each node with its job's findings
/// counted (those whose span starts inside the job); `None` when the text
/// is not YAML. `gwk graph --format json` and the language server's
/// `gwk/graph` both answer with this.
pub fn of_analysis(analysis: &Analysis, config: &Config) -> Option<GraphView> {
    let wf = analysis.workflow.as_ref()?;
    let mut view = graph_view(wf, config);
    for (node, job) in view.nodes.iter_mut().zip(&wf.jobs) {
        let mut counts = crate::Counts::default();
        for d in &analysis.diagnostics {
            if job.span.touches(d.span.start) {
                counts.add(d.severity);
            }
        }
        node.findings = Some(JobFindings {
            errors: counts.errors,
            warnings: counts.warnings,
            infos: counts.infos,
        });
    }
    Some(view)
}

impl GraphView {
    pub fn node(&self, name: &str) -> Option<&GraphNode> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// The JSON form, `{"version": 1, "nodes": [...], "edges": [...],
    /// "cycles": [...]}` (docs/graph.md), with each node's position made by
    /// `position` from its name's span and merged into the node's object:
    /// the CLI adds `line`/`column`/`end_line`/`end_column`, the language
    /// server a `range`. Serialize it with serde_json (`to_string_pretty`
    /// keeps the field order; `to_value` sorts keys).
    pub fn json<F>(&self, position: F) -> GraphJson<'_>
    where
        F: Fn(Span) -> serde_json::Map<String, serde_json::Value>,
    {
        GraphJson {
            version: GRAPH_VERSION,
            nodes: self
                .nodes
                .iter()
                .map(|node| NodeJson {
                    node,
                    position: position(node.span),
                })
                .collect(),
            edges: &self.edges,
            cycles: &self.cycles,
        }
    }
}

/// The graph's JSON document (see [`GraphView::json`]).
#[derive(Clone, Debug, Serialize)]
pub struct GraphJson<'a> {
    pub version: u32,
    pub nodes: Vec<NodeJson<'a>>,
    pub edges: &'a [GraphEdge],
    pub cycles: &'a [Vec<String>],
}

/// A node with its position fields.
#[derive(Clone, Debug, Serialize)]
pub struct NodeJson<'a> {
    #[serde(flatten)]
    pub node: &'a GraphNode,
    #[serde(flatten)]
    pub position: serde_json::Map<String, serde_json::Value>,
}

#[cfg(test)]
mod tests;
