//! The job DAG: edges from `needs`, cycles with their full path, stages,
//! transitive needs and the critical path.
//!
//! Jobs are numbered by their position in the file (`Workflow::jobs`).
//! An edge `a → b` means "a needs b". Entries of `needs` that name no job
//! are left out (the `unknown-job` rule reports them).

use crate::model::Workflow;

#[derive(Clone, Debug)]
pub struct Dag {
    /// For each job, the jobs it needs (deduplicated, in `needs` order).
    pub needs: Vec<Vec<usize>>,
    /// For each job, the jobs that need it.
    pub needed_by: Vec<Vec<usize>>,
}

impl Dag {
    pub fn new(wf: &Workflow) -> Dag {
        let mut needs = vec![Vec::new(); wf.jobs.len()];
        let mut needed_by = vec![Vec::new(); wf.jobs.len()];
        for (i, job) in wf.jobs.iter().enumerate() {
            for n in &job.needs {
                if let Some(j) = wf.job_index(&n.value)
                    && !needs[i].contains(&j)
                {
                    needs[i].push(j);
                    needed_by[j].push(i);
                }
            }
        }
        Dag { needs, needed_by }
    }

    pub fn len(&self) -> usize {
        self.needs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.needs.is_empty()
    }

    /// Every job `job` needs, directly or through others.
    pub fn ancestors(&self, job: usize) -> Vec<bool> {
        reach(&self.needs, job)
    }

    /// Every job that needs `job`, directly or through others.
    pub fn descendants(&self, job: usize) -> Vec<bool> {
        reach(&self.needed_by, job)
    }

    /// Whether two jobs may run at the same time: neither needs the other,
    /// directly or through others.
    pub fn independent(&self, a: usize, b: usize) -> bool {
        a != b && !self.ancestors(a)[b] && !self.ancestors(b)[a]
    }

    /// One cycle per strongly connected component that has one, each as the
    /// path `[a, b, ..., a]` along "needs" edges, starting at the job that
    /// comes first in the file. A job that needs itself is `[a, a]`.
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        for scc in self.components() {
            let start = *scc.iter().min().expect("components are non-empty");
            if scc.len() == 1 && !self.needs[start].contains(&start) {
                continue;
            }
            out.push(self.cycle_through(start, &scc));
        }
        out.sort();
        out
    }

    /// The shortest cycle from `start` back to itself inside `scc` (BFS).
    fn cycle_through(&self, start: usize, scc: &[usize]) -> Vec<usize> {
        let mut in_scc = vec![false; self.len()];
        for &j in scc {
            in_scc[j] = true;
        }
        let mut prev: Vec<Option<usize>> = vec![None; self.len()];
        let mut queue = std::collections::VecDeque::from([start]);
        let mut seen = vec![false; self.len()];
        while let Some(j) = queue.pop_front() {
            for &n in &self.needs[j] {
                if !in_scc[n] {
                    continue;
                }
                if n == start {
                    let mut path = vec![start];
                    let mut at = j;
                    while at != start {
                        path.push(at);
                        at = prev[at].expect("BFS tree leads back to start");
                    }
                    path.push(start);
                    // path holds start, then the chain in reverse: put it in
                    // "needs" order: start → ... → start.
                    let last = path.len() - 1;
                    path[1..last].reverse();
                    return path;
                }
                if !seen[n] {
                    seen[n] = true;
                    prev[n] = Some(j);
                    queue.push_back(n);
                }
            }
        }
        vec![start, start]
    }

    /// Strongly connected components (Tarjan's algorithm, iterative so a
    /// long chain of jobs cannot overflow the stack).
    fn components(&self) -> Vec<Vec<usize>> {
        let n = self.len();
        let mut index = vec![usize::MAX; n];
        let mut low = vec![0; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut out = Vec::new();
        let mut next = 0;
        for root in 0..n {
            if index[root] != usize::MAX {
                continue;
            }
            let mut work: Vec<(usize, usize)> = vec![(root, 0)];
            while let Some(&mut (v, ref mut child)) = work.last_mut() {
                if *child == 0 && index[v] == usize::MAX {
                    index[v] = next;
                    low[v] = next;
                    next += 1;
                    stack.push(v);
                    on_stack[v] = true;
                }
                if let Some(&w) = self.needs[v].get(*child) {
                    *child += 1;
                    if index[w] == usize::MAX {
                        work.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut scc = Vec::new();
                    loop {
                        let w = stack.pop().expect("v is on the stack");
                        on_stack[w] = false;
                        scc.push(w);
                        if w == v {
                            break;
                        }
                    }
                    out.push(scc);
                }
            }
        }
        out
    }

    /// Each job's stage: 0 for jobs that need nothing, else one more than the
    /// latest stage among its needs (the earliest moment it can start).
    /// `None` when the graph has a cycle.
    pub fn stages(&self) -> Option<Vec<usize>> {
        let order = self.topological_order()?;
        let mut stage = vec![0; self.len()];
        for &j in &order {
            stage[j] = self.needs[j]
                .iter()
                .map(|&n| stage[n] + 1)
                .max()
                .unwrap_or(0);
        }
        Some(stage)
    }

    /// Jobs in an order where every job comes after the jobs it needs (file
    /// order among equals); `None` when there is a cycle.
    pub fn topological_order(&self) -> Option<Vec<usize>> {
        let mut remaining: Vec<usize> = self.needs.iter().map(Vec::len).collect();
        let mut ready: std::collections::BTreeSet<usize> =
            (0..self.len()).filter(|&j| remaining[j] == 0).collect();
        let mut order = Vec::with_capacity(self.len());
        while let Some(j) = ready.pop_first() {
            order.push(j);
            for &d in &self.needed_by[j] {
                remaining[d] -= 1;
                if remaining[d] == 0 {
                    ready.insert(d);
                }
            }
        }
        (order.len() == self.len()).then_some(order)
    }

    /// The longest chain of jobs, first to last; empty with a cycle.
    pub fn critical_path(&self) -> Vec<usize> {
        let Some(order) = self.topological_order() else {
            return Vec::new();
        };
        let mut depth = vec![1usize; self.len()];
        let mut via: Vec<Option<usize>> = vec![None; self.len()];
        for &j in &order {
            for &n in &self.needs[j] {
                if depth[n] + 1 > depth[j] {
                    depth[j] = depth[n] + 1;
                    via[j] = Some(n);
                }
            }
        }
        let Some(mut at) = (0..self.len()).max_by_key(|&j| (depth[j], std::cmp::Reverse(j))) else {
            return Vec::new();
        };
        let mut path = vec![at];
        while let Some(n) = via[at] {
            path.push(n);
            at = n;
        }
        path.reverse();
        path
    }
}

fn reach(adj: &[Vec<usize>], from: usize) -> Vec<bool> {
    let mut seen = vec![false; adj.len()];
    let mut stack = adj[from].clone();
    while let Some(j) = stack.pop() {
        if !seen[j] {
            seen[j] = true;
            stack.extend(adj[j].iter().copied().filter(|&k| !seen[k]));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lower;
    use crate::syntax::{LineIndex, parse};

    fn dag(yaml: &str) -> (Workflow, Dag) {
        let wf = lower(&parse(yaml, &LineIndex::new(yaml)).root.unwrap());
        let d = Dag::new(&wf);
        (wf, d)
    }

    fn names(wf: &Workflow, path: &[usize]) -> Vec<String> {
        path.iter()
            .map(|&i| wf.jobs[i].name.value.clone())
            .collect()
    }

    #[test]
    fn finds_the_whole_cycle_path() {
        let (wf, d) = dag(
            "jobs:\n  prepare: {needs: [build]}\n  build: {needs: [install]}\n  install: {needs: [prepare]}\n  other: {needs: [prepare]}\n",
        );
        let cycles = d.cycles();
        assert_eq!(cycles.len(), 1);
        assert_eq!(
            names(&wf, &cycles[0]),
            ["prepare", "build", "install", "prepare"]
        );
        assert!(d.stages().is_none());
    }

    #[test]
    fn self_need_is_a_cycle() {
        let (wf, d) = dag("jobs:\n  a: {needs: [a]}\n");
        assert_eq!(names(&wf, &d.cycles()[0]), ["a", "a"]);
    }

    #[test]
    fn stages_and_critical_path() {
        let (wf, d) = dag(
            "jobs:\n  d: {needs: [b, c]}\n  a: {}\n  b: {needs: [a]}\n  c: {needs: [a]}\n  e: {}\n",
        );
        assert_eq!(d.stages().unwrap(), vec![2, 0, 1, 1, 0]);
        assert_eq!(names(&wf, &d.critical_path()), ["a", "b", "d"]);
        assert!(d.independent(2, 3));
        assert!(!d.independent(0, 1));
    }

    #[test]
    fn long_chains_do_not_overflow() {
        let mut y = String::from("jobs:\n  j0: {}\n");
        for i in 1..20_000 {
            y.push_str(&format!("  j{i}: {{needs: [j{}]}}\n", i - 1));
        }
        y.push_str("  j0x: {needs: [j19999]}\n");
        let (_, d) = dag(&y);
        assert!(d.cycles().is_empty());
        assert_eq!(d.critical_path().len(), 20_001);
    }
}
