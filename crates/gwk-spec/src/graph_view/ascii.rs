//! `gwk graph --format ascii`: the DAG as a tree in plain ASCII, read top
//! down like `cargo tree`. Each line is a job, under the job it needs, on
//! an edge labelled with the io it carries:
//!
//! ```text
//! CloneRepo  (git-checkout@v1, C5)
//! +-- repo --> Train  (script@v1, A100x4, 4 GPUs) [GPU]
//! |   `-- model --> Evaluate  (container@v1, C5)
//! `-- repo --> Lint  (container@v1, C5)
//!     `-- report --> Evaluate (*)
//! ```
//!
//! A job that needs several others appears under each; after the first
//! time it is marked `(*)` and not expanded again. Edges `needs` does not
//! declare are drawn `..>`.

use super::{GraphEdge, GraphView};

struct Walk<'a> {
    view: &'a GraphView,
    shown: Vec<bool>,
    on_path: Vec<bool>,
    out: String,
    repeated: bool,
}

impl Walk<'_> {
    fn index(&self, name: &str) -> usize {
        self.view
            .nodes
            .iter()
            .position(|n| n.name == name)
            .expect("edges join known jobs")
    }

    fn describe(&self, node: usize) -> String {
        let n = &self.view.nodes[node];
        let details: Vec<String> = [
            n.action.clone().unwrap_or_default(),
            n.machine_label_with(", "),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
        let mut s = n.name.clone();
        if !details.is_empty() {
            s.push_str(&format!("  ({})", details.join(", ")));
        }
        if n.gpu {
            s.push_str(" [GPU]");
        }
        s
    }

    fn visit(&mut self, node: usize, prefix: &str, head: &str) {
        let name = &self.view.nodes[node].name;
        if self.on_path[node] {
            self.out.push_str(&format!("{head}{name} (cycle)\n"));
            return;
        }
        if self.shown[node] {
            self.out.push_str(&format!("{head}{name} (*)\n"));
            self.repeated = true;
            return;
        }
        let line = self.describe(node);
        self.out.push_str(&format!("{head}{line}\n"));
        self.shown[node] = true;
        self.on_path[node] = true;
        let children: Vec<&GraphEdge> =
            self.view.edges.iter().filter(|e| e.from == *name).collect();
        for (k, e) in children.iter().enumerate() {
            let last = k + 1 == children.len();
            let (branch, next) = if last {
                ("`-- ", "    ")
            } else {
                ("+-- ", "|   ")
            };
            let label = e.label_with(" as ");
            let edge = match (e.declared, label.is_empty()) {
                (true, true) => "--> ".to_string(),
                (true, false) => format!("{label} --> "),
                (false, true) => "..> ".to_string(),
                (false, false) => format!("{label} ..> "),
            };
            let child = self.index(&e.to);
            self.visit(
                child,
                &format!("{prefix}{next}"),
                &format!("{prefix}{branch}{edge}"),
            );
        }
        self.on_path[node] = false;
    }
}

pub fn ascii(view: &GraphView) -> String {
    let n = view.nodes.len();
    let mut walk = Walk {
        view,
        shown: vec![false; n],
        on_path: vec![false; n],
        out: String::new(),
        repeated: false,
    };
    if n == 0 {
        return "(no jobs)\n".to_string();
    }
    let has_parent: Vec<bool> = view
        .nodes
        .iter()
        .map(|node| {
            view.edges
                .iter()
                .any(|e| e.to == node.name && e.from != e.to)
        })
        .collect();
    for root in (0..n).filter(|&i| !has_parent[i]) {
        walk.visit(root, "", "");
    }
    // Jobs only reachable through a cycle have no root: start from the
    // first of them in file order.
    while let Some(first) = (0..n).find(|&i| !walk.shown[i]) {
        walk.visit(first, "", "");
    }
    if walk.repeated {
        walk.out
            .push_str("\n(*) needs more than one job: shown in full above\n");
    }
    // The tree's arrows point the way jobs run (`a --> b`: b after a); a
    // cycle is listed the way `needs` points, and says so.
    for c in &view.cycles {
        walk.out.push_str(&format!(
            "cycle: {} (each arrow reads \"needs\")\n",
            c.join(" -> ")
        ));
    }
    walk.out
}
