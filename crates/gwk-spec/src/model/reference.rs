//! The reference syntax of job inputs: `workflow.inputs.NAME` and
//! `JOB.outputs.NAME`, with a span for each part so a finding can underline
//! exactly the part that is wrong.

use super::Spanned;
use crate::syntax::Span;

#[derive(Clone, Debug, PartialEq)]
pub enum Reference {
    /// `workflow.inputs.NAME`
    WorkflowInput { name: Spanned<String>, span: Span },
    /// `JOB.outputs.NAME`
    JobOutput {
        job: Spanned<String>,
        output: Spanned<String>,
        span: Span,
    },
}

impl Reference {
    pub fn span(&self) -> Span {
        match self {
            Reference::WorkflowInput { span, .. } | Reference::JobOutput { span, .. } => *span,
        }
    }

    /// The job a reference reads from, if it reads a job's output.
    pub fn job(&self) -> Option<&Spanned<String>> {
        match self {
            Reference::JobOutput { job, .. } => Some(job),
            Reference::WorkflowInput { .. } => None,
        }
    }
}

/// Parses `text` (which starts at byte `start` of the source) as a
/// reference; `None` when it is not one.
pub fn parse_reference(text: &str, start: usize) -> Option<Reference> {
    let mut parts = text.split('.');
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || [a, b, c].iter().any(|p| !is_name(p)) {
        return None;
    }
    let span = Span::new(start, start + text.len());
    let c_start = start + a.len() + b.len() + 2;
    let last = Spanned::new(c.to_string(), Span::new(c_start, c_start + c.len()));
    match (a, b) {
        ("workflow", "inputs") => Some(Reference::WorkflowInput { name: last, span }),
        (_, "outputs") => Some(Reference::JobOutput {
            job: Spanned::new(a.to_string(), Span::new(start, start + a.len())),
            output: last,
            span,
        }),
        _ => None,
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c == ':' || c == '/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms_with_part_spans() {
        let r = parse_reference("CloneRepo.outputs.repo", 10).unwrap();
        let Reference::JobOutput { job, output, span } = r else {
            panic!()
        };
        assert_eq!(job.span, Span::new(10, 19));
        assert_eq!(output.value, "repo");
        assert_eq!(output.span, Span::new(28, 32));
        assert_eq!(span, Span::new(10, 32));

        let r = parse_reference("workflow.inputs.data", 0).unwrap();
        assert!(matches!(r, Reference::WorkflowInput { ref name, .. } if name.value == "data"));
    }

    #[test]
    fn rejects_what_is_not_a_reference() {
        for s in [
            "https://github.com/x/y",
            "secret:TOKEN",
            "hw1/lenet.keras",
            "Job.output.x",
            "Job.outputs",
            "a.outputs.b.c",
            "Job..x",
        ] {
            assert!(parse_reference(s, 0).is_none(), "{s}");
        }
    }
}
