//! `gwk runs list|show|logs|outputs|why|shell|rm`: the history of runs under
//! `$GWK_HOME/runs/` (layout in docs/runs.md).

use crate::cmd::datasets::{human_bytes, table};
use anyhow::{Context, Result, bail};
use gwk_run::rundir::{RunDir, RunRecord, run_ids};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// List runs, newest first: id, file, status, start, duration.
    List {
        /// Print JSON (the run records).
        #[arg(long)]
        json: bool,
        /// Show at most N runs.
        #[arg(long, short = 'n', default_value_t = 20)]
        limit: usize,
    },
    /// Show one run: its jobs with status, exit code, times and outputs.
    Show {
        /// A run id, a unique prefix of one, or `last`.
        id: String,
        /// Print the run record as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a run's logs (one job's, or every job's with its name before
    /// each line).
    Logs {
        /// A run id, a unique prefix of one, or `last`.
        id: String,
        /// Only this job's log (default: every job's).
        job: Option<String>,
        /// Keep printing as the run writes, until it ends.
        #[arg(long, short)]
        follow: bool,
    },
    /// List what each job produced: volumes, strings with their value,
    /// dataset versions, models; `--copy DIR` copies them out.
    Outputs {
        /// A run id, a unique prefix of one, or `last`.
        id: String,
        /// Only this job's outputs (default: every job's).
        job: Option<String>,
        /// Copy the outputs into DIR/<job>/<output>.
        #[arg(long, value_name = "DIR")]
        copy: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Explain why each job ran, was taken from the cache, was resumed or
    /// skipped; for a job that ran again, which part of its cache key
    /// changed since the earlier run it was compared with, as a diff.
    Why {
        /// A run id, a unique prefix of one, or `last`.
        id: String,
        /// Only this job.
        job: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Open a shell (bash, else sh) in a new container with a job's world:
    /// its image, env (secrets given again as for `gwk run`), /inputs
    /// read-only as the job saw them, /outputs a copy of what it left.
    Shell(Box<crate::cmd::runs_shell::Args>),
    /// Remove runs (their directory: record, logs, volumes and strings;
    /// dataset versions stay). A running run is refused.
    Rm {
        /// Run ids, unique prefixes, or `last`.
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

/// The run an id names: the full id, a unique prefix, or `last`.
pub fn find_run(home: &Path, id: &str) -> Result<RunDir> {
    let ids = run_ids(home);
    if id == "last" && ids.is_empty() {
        bail!("no runs yet: `last` names the newest run, and `gwk run FILE` makes one");
    }
    let matches: Vec<&String> = if id == "last" {
        ids.iter().take(1).collect()
    } else {
        ids.iter().filter(|i| i.starts_with(id)).collect()
    };
    match matches.as_slice() {
        [one] => RunDir::open(home, one).with_context(|| format!("run {one} has no record")),
        [] => bail!("no run `{id}` (see `gwk runs list`)"),
        many => bail!(
            "`{id}` matches {} runs ({}...); give more of the id",
            many.len(),
            many.iter()
                .take(3)
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    let home = crate::cmd::gwk_home()?;
    match args.command {
        Sub::List { json, limit } => list(&home, json, limit),
        Sub::Show { id, json } => show(&find_run(&home, &id)?, json),
        Sub::Logs { id, job, follow } => logs(&find_run(&home, &id)?, job.as_deref(), follow),
        Sub::Outputs {
            id,
            job,
            copy,
            json,
        } => outputs(
            &find_run(&home, &id)?,
            job.as_deref(),
            copy.as_deref(),
            json,
        ),
        Sub::Why { id, job, json } => {
            crate::cmd::runs_why::why(&home, &find_run(&home, &id)?, job.as_deref(), json)
        }
        Sub::Shell(a) => crate::cmd::runs_shell::run(*a),
        Sub::Rm { ids } => {
            // Every id is resolved before anything is removed.
            let dirs = ids
                .iter()
                .map(|id| find_run(&home, id))
                .collect::<Result<Vec<_>>>()?;
            for dir in dirs {
                gwk_run::rundir::remove_run(&dir)
                    .with_context(|| format!("cannot remove run {}", dir.id))?;
                println!("removed run {}", dir.id);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn duration(r: &RunRecord) -> String {
    match r.duration_secs {
        Some(d) => format!("{d:.1}s"),
        None => "-".into(),
    }
}

fn list(home: &Path, json: bool, limit: usize) -> Result<ExitCode> {
    let records: Vec<RunRecord> = run_ids(home)
        .into_iter()
        .filter_map(|id| RunDir::open(home, &id)?.read_record().ok())
        .take(limit)
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&records)?);
    } else if records.is_empty() {
        println!("no runs yet in {}", RunDir::runs_root(home).display());
    } else {
        let rows: Vec<Vec<String>> = records
            .iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.file.clone(),
                    r.status.as_str().to_string(),
                    r.started.clone(),
                    duration(r),
                ]
            })
            .collect();
        print!(
            "{}",
            table(&["RUN", "FILE", "STATUS", "STARTED", "DURATION"], &rows)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show(dir: &RunDir, json: bool) -> Result<ExitCode> {
    let r = dir.read_record()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("run       {}", r.id);
    println!("file      {}", r.file);
    println!("status    {}", r.status.as_str());
    println!("started   {}", r.started);
    if let Some(f) = &r.finished {
        println!("finished  {f} ({})", duration(&r));
    }
    if let Some(from) = &r.resumed_from {
        println!("resumes   {from}");
    }
    if let Some(git_ref) = &r.triggered_by {
        println!("trigger   a push to {git_ref} (gwk trigger)");
    }
    println!("directory {}", dir.path.display());
    println!();
    print!("{}", crate::run_view::summary(&r));
    let outs = output_rows(&r, None);
    if !outs.is_empty() {
        println!();
        print!("{}", table(&["JOB", "OUTPUT", "KIND", "VALUE"], &outs));
    }
    Ok(ExitCode::SUCCESS)
}

fn output_rows(r: &RunRecord, job: Option<&str>) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for j in r.jobs.iter().filter(|j| job.is_none_or(|n| n == j.name)) {
        for o in &j.outputs {
            let what = match (o.kind.as_str(), &o.dataset, &o.version, &o.value) {
                (_, Some(d), Some(v), _) => format!("{d}:{v}"),
                ("string", _, _, Some(v)) => {
                    let one = v.trim_end().replace('\n', "\\n");
                    if one.chars().count() > 60 {
                        format!("{}…", one.chars().take(60).collect::<String>())
                    } else {
                        one
                    }
                }
                _ => format!(
                    "{} ({})",
                    o.path,
                    human_bytes(gwk_run::fsutil::tree_bytes(Path::new(&o.path)))
                ),
            };
            rows.push(vec![j.name.clone(), o.name.clone(), o.kind.clone(), what]);
        }
    }
    rows
}

fn outputs(dir: &RunDir, job: Option<&str>, copy: Option<&Path>, json: bool) -> Result<ExitCode> {
    let r = dir.read_record()?;
    if let Some(j) = job
        && r.job(j).is_none()
    {
        bail!("run {} has no job `{j}`", r.id);
    }
    if json {
        let v: Vec<serde_json::Value> = r
            .jobs
            .iter()
            .filter(|j| job.is_none_or(|n| n == j.name))
            .map(|j| serde_json::json!({"job": j.name, "outputs": j.outputs}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let rows = output_rows(&r, job);
        if rows.is_empty() {
            println!("no outputs");
        } else {
            print!("{}", table(&["JOB", "OUTPUT", "KIND", "VALUE"], &rows));
        }
    }
    if let Some(to) = copy {
        for j in r.jobs.iter().filter(|j| job.is_none_or(|n| n == j.name)) {
            for o in &j.outputs {
                let src = Path::new(&o.path);
                if !src.exists() {
                    eprintln!("gwk: {}.{}: {} is gone", j.name, o.name, src.display());
                    continue;
                }
                let dst = to
                    .join(gwk_run::rundir::job_dir_name(&j.name))
                    .join(&o.name);
                if let Some(p) = dst.parent() {
                    std::fs::create_dir_all(p)?;
                }
                gwk_run::fsutil::copy_tree(src, &dst).with_context(|| {
                    format!("cannot copy {} to {}", src.display(), dst.display())
                })?;
            }
        }
        println!("copied to {}", to.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn logs(dir: &RunDir, job: Option<&str>, follow: bool) -> Result<ExitCode> {
    let r = dir.read_record()?;
    let jobs: Vec<String> = match job {
        Some(j) if r.job(j).is_none() => bail!("run {} has no job `{j}`", r.id),
        Some(j) => vec![j.to_string()],
        None => r.jobs.iter().map(|j| j.name.clone()).collect(),
    };
    let width = jobs.iter().map(|j| j.chars().count()).max().unwrap_or(0);
    let prefix = |j: &str| {
        if job.is_some() {
            String::new()
        } else {
            format!("{j:<width$} | ")
        }
    };
    let mut offsets = vec![0u64; jobs.len()];
    let mut out = std::io::stdout().lock();
    loop {
        for (i, j) in jobs.iter().enumerate() {
            let Ok(mut f) = std::fs::File::open(dir.job_log(j)) else {
                continue;
            };
            f.seek(std::io::SeekFrom::Start(offsets[i]))?;
            let mut buf = String::new();
            f.read_to_string(&mut buf)?;
            // Only whole lines; the rest comes with the next read.
            let upto = if follow {
                buf.rfind('\n').map(|p| p + 1).unwrap_or(0)
            } else {
                buf.len()
            };
            for line in buf[..upto].lines() {
                let _ = writeln!(out, "{}{line}", prefix(j));
            }
            offsets[i] += upto as u64;
        }
        let _ = out.flush();
        if !follow || dir.live_owner().is_none() {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    if follow {
        // The last lines written before the run ended.
        for (i, j) in jobs.iter().enumerate() {
            if let Ok(text) = std::fs::read_to_string(dir.job_log(j)) {
                for line in text[offsets[i] as usize..].lines() {
                    let _ = writeln!(out, "{}{line}", prefix(j));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
