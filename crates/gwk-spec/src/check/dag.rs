//! `dependency-cycle`: jobs that need each other in a circle, reported once
//! per cycle with the whole path and a related span on every edge.

use super::Ctx;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Job;
use crate::syntax::Span;

pub fn check(ctx: &mut Ctx) {
    let wf = ctx.wf;
    for cycle in ctx.dag.cycles() {
        let names: Vec<&str> = cycle
            .iter()
            .map(|&i| wf.jobs[i].name.value.as_str())
            .collect();
        let path = names.join(" -> ");
        let first = &wf.jobs[cycle[0]];
        let message = if cycle.len() == 2 && cycle[0] == cycle[1] {
            format!("job `{}` needs itself", names[0])
        } else {
            format!(
                "jobs need each other in a cycle, so none of them can start: {path} \
                 (each arrow reads \"needs\")"
            )
        };
        let primary = need_span(first, names[1]).unwrap_or(first.name.span);
        let mut d = Diagnostic::new(Code::DependencyCycle, primary, message);
        for pair in cycle.windows(2) {
            let (from, to) = (&wf.jobs[pair[0]], &wf.jobs[pair[1]]);
            if let Some(span) = need_span(from, &to.name.value) {
                d = d.with_related(
                    span,
                    format!("`{}` needs `{}` here", from.name.value, to.name.value),
                );
            }
        }
        ctx.push(d);
    }
}

/// Where `job` lists `needed` in its `needs`.
fn need_span(job: &Job, needed: &str) -> Option<Span> {
    job.needs.iter().find(|n| n.value == needed).map(|n| n.span)
}
