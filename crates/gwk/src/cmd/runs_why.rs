//! `gwk runs why RUN [JOB]`: why each job ran, was taken from the cache,
//! resumed or skipped; for a job that ran although an earlier run had it,
//! which part of its cache key changed, as a diff (gwk_run::why).

use anyhow::{Result, bail};
use gwk_run::events::JobStatus;
use gwk_run::rundir::{JobRecord, RunDir};
use gwk_run::why::{Change, diff};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// One job's explanation.
#[derive(serde::Serialize)]
struct Explained {
    job: String,
    status: JobStatus,
    /// `ran`, `cached`, `resumed`, `skipped`, `cancelled` or `pending`.
    verdict: &'static str,
    reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    compared_with: Option<String>,
    changes: Vec<Change>,
}

pub fn why(home: &Path, dir: &RunDir, job: Option<&str>, json: bool) -> Result<ExitCode> {
    let r = dir.read_record()?;
    if let Some(j) = job
        && r.job(j).is_none()
    {
        bail!("run {} has no job `{j}`", r.id);
    }
    let list: Vec<Explained> = r
        .jobs
        .iter()
        .filter(|j| job.is_none_or(|n| n == j.name))
        .map(|j| explain(home, j))
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        print!("{}", render(&list));
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(home: &Path, j: &JobRecord) -> Explained {
    let verdict = match j.status {
        JobStatus::Cached
            if j.message
                .as_deref()
                .is_some_and(|m| m.starts_with("reused from run")) =>
        {
            "resumed"
        }
        JobStatus::Cached => "cached",
        JobStatus::Skipped => "skipped",
        JobStatus::Cancelled if j.started.is_none() => "cancelled",
        JobStatus::Pending => "pending",
        _ => "ran",
    };
    let reason = j
        .reason
        .clone()
        .or_else(|| j.message.clone())
        .unwrap_or_else(|| {
            format!(
                "{} (this run was made by a gwk that kept no reasons)",
                j.status.as_str()
            )
        });
    // The changes against the run the job was compared with, when that
    // run is still there.
    let changes = match (&j.compared_with, &j.key_parts) {
        (Some(other), Some(now)) if verdict == "ran" => RunDir::open(home, other)
            .and_then(|d| d.read_record().ok())
            .and_then(|o| o.job(&j.name).and_then(|oj| oj.key_parts.clone()))
            .map(|before| diff(&before, now))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Explained {
        job: j.name.clone(),
        status: j.status,
        verdict,
        reason,
        compared_with: j.compared_with.clone(),
        changes,
    }
}

fn render(list: &[Explained]) -> String {
    let width = list
        .iter()
        .map(|e| e.job.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for e in list {
        let _ = writeln!(out, "{:<width$}  {}", e.job, e.reason);
        if let Some(run) = &e.compared_with
            && !e.changes.is_empty()
        {
            let _ = writeln!(out, "{:width$}  compared with run {run}:", "");
            for c in &e.changes {
                for line in change_lines(c) {
                    let _ = writeln!(out, "{:width$}    {line}", "");
                }
            }
        }
    }
    out
}

/// A change as diff lines: `-` the earlier run's, `+` this run's.
fn change_lines(c: &Change) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
    match c {
        Change::Image { old, new } => vec!["image:".into(), format!("- {old}"), format!("+ {new}")],
        Change::Script { old, new } => {
            let mut lines = vec!["script:".to_string()];
            let d = similar::TextDiff::from_lines(old.as_str(), new.as_str());
            for op in d.iter_all_changes() {
                let sign = match op.tag() {
                    similar::ChangeTag::Delete => "-",
                    similar::ChangeTag::Insert => "+",
                    similar::ChangeTag::Equal => " ",
                };
                lines.push(format!("{sign} {}", op.value().trim_end_matches('\n')));
            }
            lines
        }
        Change::Command { old, new } => vec![
            "command:".into(),
            format!(
                "- {}",
                shlex::try_join(old.iter().map(String::as_str)).unwrap_or_default()
            ),
            format!(
                "+ {}",
                shlex::try_join(new.iter().map(String::as_str)).unwrap_or_default()
            ),
        ],
        Change::Env {
            name,
            old,
            new,
            secret,
        } => {
            let note = if *secret {
                " (a secret: its value is not shown)"
            } else {
                ""
            };
            let mut lines = vec![format!("env {name}:{note}")];
            if let Some(o) = old {
                lines.push(format!("- {name}={o}"));
            }
            if let Some(n) = new {
                lines.push(format!("+ {name}={n}"));
            }
            lines
        }
        Change::Input { name, old, new } => vec![
            format!("input {name} (content hash):"),
            format!("- {}", opt(old)),
            format!("+ {}", opt(new)),
        ],
        Change::InstanceType { old, new } => vec![
            "instance type:".into(),
            format!("- {}", opt(old)),
            format!("+ {}", opt(new)),
        ],
        Change::Gpus { old, new } => vec!["GPUs:".into(), format!("- {old}"), format!("+ {new}")],
        Change::Outputs { old, new } => vec![
            "outputs:".into(),
            format!("- {}", old.join(", ")),
            format!("+ {}", new.join(", ")),
        ],
        Change::Action { old, new } => {
            vec!["action:".into(), format!("- {old}"), format!("+ {new}")]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_change_is_a_line_diff() {
        let lines = change_lines(&Change::Script {
            old: "echo a\necho b\n".into(),
            new: "echo a\necho c\n".into(),
        });
        assert_eq!(lines, ["script:", "  echo a", "- echo b", "+ echo c"]);
        let lines = change_lines(&Change::Env {
            name: "T".into(),
            old: Some("(secret)".into()),
            new: Some("(secret)".into()),
            secret: true,
        });
        assert_eq!(lines[0], "env T: (a secret: its value is not shown)");
    }
}
