//! From the plan to what gwk-run executes. Everything here is read off the
//! plan (image, entrypoint, args, env, mounts, GPUs, timeouts); the only
//! thing added is the secrets' values, which the plan never holds.

use anyhow::{Result, bail};
use gwk_run::job::{ActionSpec, InputSource, InputSpec, JobSpec, OutputKind, OutputSpec, RunInput};
use gwk_spec::plan::{DatasetResolution, JobPlan, MountKind, MountSource, Plan, Secrets, Value};
use std::collections::BTreeSet;
use std::time::Duration;

/// The jobs to run: all, or those named with `--job` and what they need.
pub fn select(plan: &Plan, names: &[String]) -> Result<BTreeSet<String>> {
    if names.is_empty() {
        return Ok(plan.jobs.iter().map(|j| j.name.clone()).collect());
    }
    let mut out = BTreeSet::new();
    let mut stack: Vec<String> = Vec::new();
    for n in names {
        if plan.job(n).is_none() {
            let all: Vec<&str> = plan.jobs.iter().map(|j| j.name.as_str()).collect();
            bail!("--job {n}: no such job (jobs: {})", all.join(", "));
        }
        stack.push(n.clone());
    }
    while let Some(n) = stack.pop() {
        if out.insert(n.clone())
            && let Some(j) = plan.job(&n)
        {
            stack.extend(j.needs.iter().cloned());
        }
    }
    Ok(out)
}

pub fn build(
    plan: &Plan,
    secrets: &Secrets,
    selected: &BTreeSet<String>,
    file: &str,
    spec_text: &str,
) -> Result<RunInput> {
    let value = |v: &Value| -> Result<String> {
        match v {
            Value::Value(s) => Ok(s.clone()),
            Value::Secret(n) => match secrets.get(n) {
                Some(s) => Ok(s.to_string()),
                None => bail!("secret `{n}` has no value"),
            },
        }
    };
    let mut jobs = Vec::new();
    // File order is kept by the plan within a stage; run order comes from needs.
    for j in plan.jobs.iter().filter(|j| selected.contains(&j.name)) {
        jobs.push(job(j, &value)?);
    }
    let mut secret_values: Vec<String> = secrets
        .names()
        .filter_map(|n| secrets.get(n))
        .map(str::to_string)
        .collect();
    secret_values.sort();
    Ok(RunInput {
        workflow_file: file.to_string(),
        spec_text: spec_text.to_string(),
        plan_json: serde_json::to_value(plan).ok(),
        jobs,
        workflow_timeout: plan.timeout.map(Duration::from_secs),
        secret_values,
    })
}

fn job(j: &JobPlan, value: &dyn Fn(&Value) -> Result<String>) -> Result<JobSpec> {
    let action = match j.action.as_str() {
        "container@v1" | "script@v1" => ActionSpec::Container {
            image: j
                .image
                .clone()
                .ok_or_else(|| anyhow::anyhow!("job `{}` has no image", j.name))?,
            entrypoint: j.command.clone(),
            cmd: j.args.clone(),
        },
        "git-checkout@v1" => {
            let g = j.git.as_ref().ok_or_else(|| {
                anyhow::anyhow!("job `{}`: git-checkout without parameters", j.name)
            })?;
            let Some(url) = g.url.value.clone() else {
                bail!(
                    "job `{}`: `{}` did not resolve (pass --github-url)",
                    j.name,
                    g.url.written
                );
            };
            let git_ref = match &g.git_ref {
                Some(r) => match &r.value {
                    Some(v) => Some(v.clone()),
                    None => bail!(
                        "job `{}`: `{}` did not resolve (pass --github-ref)",
                        j.name,
                        r.written
                    ),
                },
                None => None,
            };
            ActionSpec::GitCheckout {
                url,
                git_ref,
                path: g.path.clone(),
                username: g.username.as_ref().map(value).transpose()?,
                password: g.password.as_ref().map(value).transpose()?,
            }
        }
        "create-model@v1" => {
            let m = j.model.as_ref();
            ActionSpec::CreateModel {
                name: m.and_then(|m| m.name.clone()),
                model_type: m.and_then(|m| m.model_type.clone()),
            }
        }
        "s3-download@v1" => {
            let s3 = j.s3.as_ref().ok_or_else(|| {
                anyhow::anyhow!("job `{}`: s3-download without parameters", j.name)
            })?;
            let Some(url) = s3.url.clone() else {
                bail!("job `{}`: s3-download@v1 needs `url`", j.name);
            };
            ActionSpec::S3Download {
                url,
                region: s3.region.clone(),
                endpoint: s3.endpoint.clone(),
                access_key: s3.access_key.as_ref().map(value).transpose()?,
                secret_access_key: s3.secret_access_key.as_ref().map(value).transpose()?,
                path: s3.path.clone(),
            }
        }
        other => ActionSpec::Unsupported {
            action: other.to_string(),
            reason: format!("`{other}` is not an action gwk can run"),
        },
    };
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for m in &j.mounts {
        if m.read_only {
            let source = match &m.source {
                MountSource::JobOutput { job, output } => InputSource::JobOutput {
                    job: job.clone(),
                    output: output.clone(),
                },
                MountSource::WorkflowString { value: Some(v), .. }
                | MountSource::InlineString { value: Some(v) } => {
                    InputSource::String { value: v.clone() }
                }
                MountSource::Dataset {
                    dataset: Some(d), ..
                } => match &d.resolution {
                    DatasetResolution::Resolved { version } => InputSource::Dataset {
                        dataset: d.name.clone(),
                        version: version.clone(),
                    },
                    _ => bail!(
                        "job `{}` input `{}`: dataset {}",
                        j.name,
                        m.name,
                        d.describe()
                    ),
                },
                other => bail!(
                    "job `{}` input `{}` has no value ({other:?})",
                    j.name,
                    m.name
                ),
            };
            inputs.push(InputSpec {
                name: m.name.clone(),
                source,
            });
        } else {
            let kind = match (&m.source, m.kind) {
                (MountSource::NewDatasetVersion { dataset, tag, .. }, _) => OutputKind::Dataset {
                    dataset: dataset.clone(),
                    tag: tag.clone(),
                },
                (MountSource::NewString, _) | (_, Some(MountKind::String)) => OutputKind::String,
                _ => OutputKind::Volume,
            };
            outputs.push(OutputSpec {
                name: m.name.clone(),
                kind,
            });
        }
    }
    Ok(JobSpec {
        name: j.name.clone(),
        needs: j.needs.clone(),
        action,
        env: j
            .env
            .iter()
            .map(|e| Ok((e.name.clone(), value(&e.value)?)))
            .collect::<Result<_>>()?,
        inputs,
        outputs,
        instance_type: j.instance_type.clone(),
        gpus: j.gpus,
        memory_bytes: j
            .machine
            .as_ref()
            .and_then(|m| m.memory_gb)
            .map(|gb| u64::from(gb) << 30),
        timeout: j.timeout.map(Duration::from_secs),
    })
}
