//! The one road from a workflow file to a [`Plan`]: `gwk plan` and `gwk run`
//! both call [`prepare`], so the plan a user reads is the plan that runs.
//!
//! [`PlanArgs`] is the shared set of flags (flatten it into a command's
//! args). [`prepare`] reads the file and refuses it when the checker finds
//! errors (printing them as `gwk check` does), resolves
//! `context.event.github.*` from the local git repository unless told,
//! loads the secrets (kept out of the plan, in [`Secrets`]) and builds the
//! plan. [`prepare_without_secrets`] is the same road for `gwk export`,
//! which needs the secrets' names only and reads no value.

use crate::discover::Configs;
use crate::output::{self, FileReport, Format};
use anyhow::{Context, Result, bail};
use gwk_spec::plan::{
    DatasetResolver, Event, EventKind, Plan, PlanOptions, Resolved, Secrets, env_suffix,
};
use gwk_spec::{Analysis, Config};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// The flags that decide a plan.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct PlanArgs {
    /// The value of a workflow string input (repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE", value_parser = pair)]
    pub inputs: Vec<(String, String)>,
    /// Use dataset REF (`name`, `name:version`, `name:tag`, `name:latest`)
    /// for dataset input NAME: a workflow input, or `JOB.INPUT` for a job's
    /// inline input (repeatable).
    #[arg(long = "dataset", value_name = "NAME=REF", value_parser = pair)]
    pub datasets: Vec<(String, String)>,
    /// The value of secret NAME (repeatable). Also read: --secret-file and
    /// GWK_SECRET_<NAME> environment variables.
    #[arg(long = "secret", value_name = "NAME=VALUE", value_parser = pair)]
    pub secrets: Vec<(String, String)>,
    /// A dotenv file of secrets, `NAME=VALUE` per line (repeatable; later
    /// files win, --secret wins over files).
    #[arg(long = "secret-file", value_name = "FILE")]
    pub secret_files: Vec<PathBuf>,
    /// Evaluate the `on` trigger against this event (only `push`).
    #[arg(long, value_enum, value_name = "EVENT")]
    pub event: Option<EventArg>,
    /// The pushed ref for --event (`refs/heads/main`, `refs/tags/v1`; a
    /// bare name is a branch). Default: the checked-out branch.
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,
    /// What `context.event.github.url` resolves to (default: the file's
    /// `context` block, else the git remote `origin`).
    #[arg(long, value_name = "URL")]
    pub github_url: Option<String>,
    /// What `context.event.github.ref` resolves to (default: the file's
    /// `context` block, else the commit of --ref, else of HEAD).
    #[arg(long, value_name = "REF")]
    pub github_ref: Option<String>,
    /// A GitHub push event payload (the JSON GitHub sends): its `ref`,
    /// `after` commit and repository URL decide the trigger verdict and
    /// `context.event.github.*`, as --event push --ref, --github-ref and
    /// --github-url would (those flags still win).
    #[arg(long = "event-file", value_name = "FILE", conflicts_with_all = ["event", "git_ref"])]
    pub event_file: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EventArg {
    Push,
}

/// `NAME=VALUE`, split at the first `=`.
fn pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not NAME=VALUE")),
    }
}

/// A workflow ready to run: its analysis, config, plan and secrets.
pub struct Prepared {
    /// The file as named on the command line.
    pub path: PathBuf,
    pub analysis: Analysis,
    /// The gwk.toml that applies (its `[run]` table is gwk run's).
    #[allow(dead_code)] // read by `gwk run`
    pub config: Arc<Config>,
    pub plan: Plan,
    /// The secrets' values; never part of `plan`.
    pub secrets: Secrets,
    /// `--event-file`'s push deleted this ref: nothing to run.
    pub deleted_ref: Option<String>,
}

/// Reads `file`, checks it, and plans it with `args`.
///
/// `Ok(None)` means the file has errors: they have been printed on stderr
/// as `gwk check` prints them, and the command should exit with status 1.
/// `Err` is anything else that stops the plan (unreadable file, unknown
/// `--input`, a bad secret file): exit 2.
pub fn prepare(
    file: &Path,
    args: &PlanArgs,
    resolver: &dyn DatasetResolver,
) -> Result<Option<Prepared>> {
    prepare_with(file, args, resolver, SecretValues::Read)
}

/// [`prepare`] for a plan that leaves the machine (`gwk export argo`): it
/// reads no secret value at all (no `--secret`, no secrets file, no
/// `GWK_SECRET_*`), so a broken or absent `.secrets` cannot stop it and no
/// value can leak into what it writes. The plan still names every secret
/// (each is reported missing); [`Prepared::secrets`] is empty.
pub fn prepare_without_secrets(
    file: &Path,
    args: &PlanArgs,
    resolver: &dyn DatasetResolver,
) -> Result<Option<Prepared>> {
    prepare_with(file, args, resolver, SecretValues::Skip)
}

/// Whether [`prepare_with`] reads secret values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SecretValues {
    Read,
    Skip,
}

fn prepare_with(
    file: &Path,
    args: &PlanArgs,
    resolver: &dyn DatasetResolver,
    secret_values: SecretValues,
) -> Result<Option<Prepared>> {
    let configs = Configs::default();
    let config = configs.for_file(file)?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let analysis = gwk_spec::analyze_bytes(&bytes, &config);
    if analysis.has_errors() {
        print_refusal(file, analysis);
        return Ok(None);
    }
    let wf = analysis
        .workflow
        .as_ref()
        .expect("a file without errors holds a workflow");
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let git = Git { dir };
    let payload = args
        .event_file
        .as_deref()
        .map(crate::event_file::PushPayload::read)
        .transpose()?;
    let event = match (args.event, &args.git_ref) {
        _ if payload.is_some() => payload.as_ref().map(|p| Event {
            kind: EventKind::Push,
            git_ref: p.git_ref.clone(),
        }),
        (None, None) => None,
        (_, Some(r)) => Some(Event {
            kind: EventKind::Push,
            git_ref: r.clone(),
        }),
        (Some(EventArg::Push), None) => Some(Event {
            kind: EventKind::Push,
            git_ref: git.current_branch().context(
                "--event push needs --ref REF: no branch is checked out here to default to",
            )?,
        }),
    };
    let uses = |magic: &str| {
        wf.jobs
            .iter()
            .any(|j| j.with.iter().any(|p| p.as_str() == Some(magic)))
    };
    let context = wf.context.as_ref();
    let from_payload = payload.as_ref();
    let github_url = match &args.github_url {
        Some(u) => Some(Resolved::new(u, "--github-url")),
        None if from_payload.is_some_and(|p| p.url.is_some()) => from_payload
            .and_then(|p| p.url.as_ref())
            .map(|u| Resolved::new(u, "--event-file (repository)")),
        None if context.is_some_and(|c| c.url.is_some()) => None,
        None if uses(gwk_spec::check::GITHUB_URL) => git
            .origin_url()
            .map(|u| Resolved::new(u, "git remote origin")),
        None => None,
    };
    let github_ref = match &args.github_ref {
        Some(r) => Some(Resolved::new(r, "--github-ref")),
        None if from_payload.is_some_and(|p| p.after.is_some()) => from_payload
            .and_then(|p| p.after.as_ref())
            .map(|c| Resolved::new(c, "--event-file (after)")),
        // A deleted ref points to no commit: the local one would be wrong.
        None if from_payload.is_some_and(|p| p.deleted) => None,
        None if context.is_some_and(|c| c.git_ref.is_some()) => None,
        None if uses(gwk_spec::check::GITHUB_REF) => {
            let at = event.as_ref().map_or("HEAD", |e| e.git_ref.as_str());
            git.commit_of(at).map(|c| {
                let source = if at == "HEAD" {
                    "git HEAD".to_string()
                } else {
                    format!("git commit of {at}")
                };
                Resolved::new(c, source)
            })
        }
        None => None,
    };
    // Without --secret-file, the project's secrets file (if any) is read, so
    // `gwk plan` reports missing exactly the secrets `gwk run` would miss.
    let mut args = std::borrow::Cow::Borrowed(args);
    let given = match secret_values {
        SecretValues::Skip => GivenSecrets::none(),
        SecretValues::Read => {
            if args.secret_files.is_empty()
                && let Some(f) = gwk_project::secrets::default_secret_file_for(file)?
            {
                args.to_mut().secret_files.push(f);
            }
            load_secrets(&args)?
        }
    };
    let mut options = PlanOptions {
        inputs: args.inputs.iter().cloned().collect(),
        datasets: args.datasets.iter().cloned().collect(),
        secrets: Default::default(),
        event,
        github_url,
        github_ref,
    };
    // A first plan names the secrets the run reads; each is looked up in
    // what was given, under its own name or its shell spelling.
    let draft = gwk_spec::plan::plan(wf, &config, &options, resolver)?;
    let mut secrets = Secrets::new();
    for name in draft.secret_names() {
        if let Some(v) = given.lookup(name) {
            secrets.insert(name, v);
        }
    }
    options.secrets = secrets.names().map(str::to_string).collect();
    let mut plan = gwk_spec::plan::plan(wf, &config, &options, resolver)?;
    let deleted_ref = payload.filter(|p| p.deleted).map(|p| p.git_ref);
    if let Some(r) = &deleted_ref {
        // GitHub sends a push event when a ref is deleted too; there is
        // no commit to run then.
        plan.trigger.starts = Some(false);
        plan.trigger.reason = format!("the push deleted {r}: a deleted ref starts no workflow");
    }
    Ok(Some(Prepared {
        path: file.to_path_buf(),
        analysis,
        config,
        plan,
        secrets,
        deleted_ref,
    }))
}

/// Prints the findings of a refused file on stderr, as `gwk check` would.
fn print_refusal(file: &Path, analysis: Analysis) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let report = FileReport {
        path: file.display().to_string(),
        analysis,
    };
    eprint!(
        "{}",
        output::render(Format::Human, std::slice::from_ref(&report), color)
    );
    eprintln!(
        "gwk: {} has errors; fix them before planning or running it",
        file.display()
    );
}

/// Secret values as given: --secret, --secret-file, GWK_SECRET_*.
struct GivenSecrets {
    /// From --secret-file (later files win) then --secret (wins over files).
    given: std::collections::HashMap<String, String>,
    /// Whether `GWK_SECRET_*` may be read.
    environment: bool,
}

impl GivenSecrets {
    /// No value at all, not even from the environment.
    fn none() -> GivenSecrets {
        GivenSecrets {
            given: Default::default(),
            environment: false,
        }
    }

    /// The value of secret `name`: given under the name itself, or spelled
    /// as a shell variable (`hf-token` as `hf_token` or `HF_TOKEN`, which is
    /// how a dotenv file or an environment variable can write it); flags
    /// and files first, then `GWK_SECRET_<spelling>`.
    fn lookup(&self, name: &str) -> Option<String> {
        let spelled = env_suffix(name);
        let spellings = [name.to_string(), spelled.clone(), spelled.to_uppercase()];
        spellings
            .iter()
            .find_map(|n| self.given.get(n).cloned())
            .or_else(|| {
                if !self.environment {
                    return None;
                }
                spellings
                    .iter()
                    .find_map(|n| std::env::var(format!("GWK_SECRET_{n}")).ok())
            })
    }
}

fn load_secrets(args: &PlanArgs) -> Result<GivenSecrets> {
    let mut given = std::collections::HashMap::new();
    for f in &args.secret_files {
        given.extend(gwk_project::secrets::read_values(f)?);
    }
    for (k, v) in &args.secrets {
        given.insert(k.clone(), v.clone());
    }
    Ok(GivenSecrets {
        given,
        environment: true,
    })
}

/// Questions to the git repository that holds the workflow file.
struct Git<'a> {
    dir: &'a Path,
}

/// The branch checked out in the repository that holds `dir`, as a ref
/// (`refs/heads/main`): what `--ref` defaults to.
pub fn checked_out_branch(dir: &Path) -> Result<String> {
    Git { dir }.current_branch()
}

impl Git<'_> {
    fn run(&self, args: &[&str]) -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.dir)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (out.status.success() && !s.is_empty()).then_some(s)
    }

    fn origin_url(&self) -> Option<String> {
        self.run(&["remote", "get-url", "origin"])
    }

    /// The commit `rev` names (a ref, a branch, `HEAD`).
    fn commit_of(&self, rev: &str) -> Option<String> {
        self.run(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
    }

    fn current_branch(&self) -> Result<String> {
        match self.run(&["symbolic-ref", "--quiet", "HEAD"]) {
            Some(r) => Ok(r),
            // Say which: outside a repository "not on a branch" misleads.
            None if self.run(&["rev-parse", "--git-dir"]).is_none() => bail!(
                "{} is not a git repository (or git is not installed)",
                self.dir.display()
            ),
            None => bail!("HEAD is detached (not on a branch)"),
        }
    }
}
