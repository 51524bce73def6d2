//! Go to definition, find references, rename.

use super::parsed;
use super::symbol::{Role, Sym, occurrences, symbol_at};
use crate::Analysis;
use crate::diagnostic::Edit;
use crate::syntax::Span;
use std::fmt;

/// Where the symbol under the cursor is declared: the job for a `needs`
/// entry or a reference's job, the output for `JOB.outputs.X` (and for
/// `/outputs/X` in the job's own parameters), the workflow input for
/// `workflow.inputs.X`.
pub fn definition(a: &Analysis, offset: usize) -> Option<Span> {
    let (_, wf) = parsed(a)?;
    let hit = symbol_at(wf, &a.text, offset)?;
    occurrences(wf, &a.text, &hit.sym)
        .into_iter()
        .find(|o| o.role == Role::Declaration)
        .map(|o| o.span)
}

/// Every place that names the symbol under the cursor, in file order; the
/// declaration only when `include_declaration`.
pub fn references(a: &Analysis, offset: usize, include_declaration: bool) -> Vec<Span> {
    let Some((_, wf)) = parsed(a) else {
        return Vec::new();
    };
    let Some(hit) = symbol_at(wf, &a.text, offset) else {
        return Vec::new();
    };
    let mut spans: Vec<Span> = occurrences(wf, &a.text, &hit.sym)
        .into_iter()
        .filter(|o| include_declaration || o.role != Role::Declaration)
        .map(|o| o.span)
        .collect();
    spans.sort();
    spans
}

/// The name that a rename at `offset` would change, and its current text;
/// `None` where there is nothing to rename.
pub fn prepare_rename(a: &Analysis, offset: usize) -> Option<(Span, String)> {
    let (_, wf) = parsed(a)?;
    let hit = symbol_at(wf, &a.text, offset)?;
    Some((hit.span, hit.sym.name().to_string()))
}

/// Why a rename cannot be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameError {
    /// Nothing renameable under the cursor.
    NothingHere,
    /// The symbol is used but declared nowhere (a typo, or a job not yet
    /// written): renaming it would only move the problem.
    Undeclared(String),
    /// The new name cannot be a name.
    BadName(String),
    /// Another symbol of the same kind has the new name already.
    Taken(String),
}

impl fmt::Display for RenameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenameError::NothingHere => f.write_str(
                "nothing to rename here: put the cursor on a job, a job output or a workflow input",
            ),
            RenameError::Undeclared(what) => {
                write!(
                    f,
                    "{what} is declared nowhere in this file, so there is nothing to rename"
                )
            }
            RenameError::BadName(m) | RenameError::Taken(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RenameError {}

/// The edits that rename the symbol under the cursor to `new_name`: its
/// declaration, every `needs` entry and reference that names it, and for an
/// output the `/outputs/NAME` paths in its job's parameters.
pub fn rename(a: &Analysis, offset: usize, new_name: &str) -> Result<Vec<Edit>, RenameError> {
    let (_, wf) = parsed(a).ok_or(RenameError::NothingHere)?;
    let hit = symbol_at(wf, &a.text, offset).ok_or(RenameError::NothingHere)?;
    check_name(new_name)?;
    let taken = match &hit.sym {
        Sym::Job(_) => wf.job(new_name).is_some(),
        Sym::Output { job, .. } => wf.job(job).is_some_and(|j| j.output(new_name).is_some()),
        Sym::WorkflowInput(_) => wf.input(new_name).is_some(),
    };
    if hit.sym.name() == new_name {
        return Ok(Vec::new());
    }
    let renamed = Sym::clone(&hit.sym);
    let what = renamed.describe();
    if taken {
        let other = match &renamed {
            Sym::Job(_) => Sym::Job(new_name.into()),
            Sym::Output { job, .. } => Sym::Output {
                job: job.clone(),
                output: new_name.into(),
            },
            Sym::WorkflowInput(_) => Sym::WorkflowInput(new_name.into()),
        };
        return Err(RenameError::Taken(format!(
            "cannot rename {what}: {} exists already",
            other.describe()
        )));
    }
    let occ = occurrences(wf, &a.text, &renamed);
    if !occ.iter().any(|o| o.role == Role::Declaration) {
        return Err(RenameError::Undeclared(what));
    }
    Ok(occ
        .into_iter()
        .map(|o| Edit {
            span: o.span,
            text: new_name.to_string(),
        })
        .collect())
}

/// A name must stay a plain YAML scalar and a part of a dotted reference.
fn check_name(name: &str) -> Result<(), RenameError> {
    let ok = !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(RenameError::BadName(format!(
            "`{name}` cannot be a name here: use letters, digits, `-` and `_` (no dots, spaces or colons, and no leading `-`)"
        )))
    }
}
