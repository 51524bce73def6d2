//! Workflow + options → [`Plan`].

use super::dataset::{DatasetResolution, DatasetResolver, parse_dataset_ref};
use super::trigger::evaluate_trigger;
use super::*;
use crate::check::{GITHUB_REF, GITHUB_URL};
use crate::config::Config;
use crate::graph::Dag;
use crate::model::{self, Action, InputSource as Src, IoSpec, IoType, Job, Reference, Workflow};
use crate::suggest::best;

/// Why no plan can be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The jobs need each other in a cycle (the path, first job repeated
    /// at the end).
    #[error("jobs need each other in a cycle: {} (each arrow reads \"needs\")", .0.join(" → "))]
    Cycle(Vec<String>),
    /// `--input NAME=…` names no workflow input.
    #[error("--input {name}: the workflow has no input `{name}`{hint}")]
    UnknownInput { name: String, hint: String },
    /// `--input NAME=…` names an input that is not a string.
    #[error("--input {name}: workflow input `{name}` is a {io_type}, not a string{hint}")]
    NotAStringInput {
        name: String,
        io_type: String,
        hint: String,
    },
    /// `--dataset NAME=REF` with a REF the dataset name rule refuses.
    #[error("--dataset {name}={reference}: {why}")]
    BadDatasetRef {
        name: String,
        reference: String,
        why: String,
    },
    /// `--dataset NAME=…` names no dataset input.
    #[error(
        "--dataset {name}: no dataset input is called `{name}`; name a workflow input (`data`) or a job's inline input (`Train.data`){hint}"
    )]
    UnknownDatasetInput { name: String, hint: String },
}

/// Builds the plan of `wf` (a workflow without errors; a file with errors
/// still gets a best-effort plan, with what cannot be resolved marked so).
///
/// `config` gives private instance types; `resolver` the dataset store.
pub fn plan(
    wf: &Workflow,
    config: &Config,
    options: &PlanOptions,
    resolver: &dyn DatasetResolver,
) -> Result<Plan, PlanError> {
    let dag = Dag::new(wf);
    if let Some(cycle) = dag.cycles().first() {
        return Err(PlanError::Cycle(
            cycle
                .iter()
                .map(|&j| wf.jobs[j].name.value.clone())
                .collect(),
        ));
    }
    let stage_of = dag.stages().expect("a graph without cycles has stages");
    check_options(wf, options)?;

    let b = Builder {
        wf,
        config,
        options,
        resolver,
    };
    let inputs: Vec<InputPlan> = wf.inputs.iter().map(|i| b.input(i)).collect();

    // Jobs in stage order, file order within a stage. Duplicate names are
    // an error the checker reports; the first one wins, as in the model.
    let mut order: Vec<usize> = (0..wf.jobs.len())
        .filter(|&i| wf.job_index(&wf.jobs[i].name.value) == Some(i))
        .collect();
    order.sort_by_key(|&i| (stage_of[i], i));
    let stage_count = order.iter().map(|&i| stage_of[i] + 1).max().unwrap_or(0);
    let mut stages = vec![Vec::new(); stage_count];
    for &i in &order {
        stages[stage_of[i]].push(wf.jobs[i].name.value.clone());
    }
    let jobs: Vec<JobPlan> = order
        .iter()
        .map(|&i| b.job(&wf.jobs[i], stage_of[i], &dag, i))
        .collect();

    let widest_stage = stages
        .iter()
        .enumerate()
        .rev() // max_by_key keeps the last maximum: walk backwards for the first
        .max_by_key(|(_, s)| s.len())
        .map(|(i, s)| WidestStage {
            stage: i,
            jobs: s.clone(),
        });
    let critical_path = dag
        .critical_path()
        .iter()
        .map(|&j| wf.jobs[j].name.value.clone())
        .collect();
    let missing = missing(wf, &inputs, &jobs, options);
    Ok(Plan {
        version: PLAN_VERSION,
        stages,
        jobs,
        inputs,
        trigger: evaluate_trigger(wf.trigger.as_ref(), options.event.as_ref()),
        critical_path,
        widest_stage,
        timeout: wf.timeout.as_ref().and_then(|t| seconds(t.value)),
        missing,
    })
}

/// A `timeout` in seconds (gwk's reading; Gradient never documented the
/// unit). Fractions round up; zero, negative and non-numbers are no timeout.
fn seconds(v: f64) -> Option<u64> {
    (v.is_finite() && v > 0.0).then(|| v.ceil().min(u64::MAX as f64) as u64)
}

fn check_options(wf: &Workflow, options: &PlanOptions) -> Result<(), PlanError> {
    let hint = |name: &str, candidates: Vec<&str>| match best(name, candidates.iter().copied()) {
        Some(s) => format!("; did you mean `{s}`?"),
        None if candidates.is_empty() => String::new(),
        None => format!(" (it has: {})", candidates.join(", ")),
    };
    for name in options.inputs.keys() {
        match wf.input(name) {
            None => {
                return Err(PlanError::UnknownInput {
                    name: name.clone(),
                    hint: hint(name, wf.inputs.iter().map(|i| i.name.as_str()).collect()),
                });
            }
            Some(i) if i.spec.io_type != Some(IoType::String) => {
                let io_type = i
                    .spec
                    .type_name
                    .as_ref()
                    .map_or("input of no type".to_string(), |t| t.value.clone());
                let hint = if i.spec.io_type == Some(IoType::Dataset) {
                    format!("; give it with --dataset {name}=REF")
                } else {
                    String::new()
                };
                return Err(PlanError::NotAStringInput {
                    name: name.clone(),
                    io_type,
                    hint,
                });
            }
            Some(_) => {}
        }
    }
    let dataset_inputs = dataset_input_names(wf);
    for (name, reference) in &options.datasets {
        if let Err(why) = super::check_dataset_ref(reference, super::DatasetUse::Input) {
            return Err(PlanError::BadDatasetRef {
                name: name.clone(),
                reference: reference.clone(),
                why,
            });
        }
        if !dataset_inputs.contains(name) {
            return Err(PlanError::UnknownDatasetInput {
                name: name.clone(),
                hint: hint(name, dataset_inputs.iter().map(String::as_str).collect()),
            });
        }
    }
    Ok(())
}

/// The names `--dataset` takes: dataset workflow inputs (`data`) and
/// inline dataset inputs of jobs (`Train.data`).
fn dataset_input_names(wf: &Workflow) -> Vec<String> {
    let mut out: Vec<String> = wf
        .inputs
        .iter()
        .filter(|i| i.spec.io_type == Some(IoType::Dataset))
        .map(|i| i.name.value.clone())
        .collect();
    for job in &wf.jobs {
        for i in &job.inputs {
            if let Src::Inline(spec) = &i.source
                && spec.io_type == Some(IoType::Dataset)
            {
                out.push(format!("{}.{}", job.name.value, i.name.value));
            }
        }
    }
    out
}

struct Builder<'a> {
    wf: &'a Workflow,
    config: &'a Config,
    options: &'a PlanOptions,
    resolver: &'a dyn DatasetResolver,
}

impl Builder<'_> {
    fn dataset(&self, override_key: &str, written: Option<&str>) -> Option<DatasetRef> {
        match self.options.datasets.get(override_key) {
            Some(r) => Some(parse_dataset_ref(r, true, self.resolver)),
            None => written.map(|r| parse_dataset_ref(r, false, self.resolver)),
        }
    }

    fn input(&self, i: &model::WorkflowInput) -> InputPlan {
        let name = &i.name.value;
        let io_type = i
            .spec
            .type_name
            .as_ref()
            .map_or(String::new(), |t| t.value.clone());
        let (value, dataset, source) = match i.spec.io_type {
            Some(IoType::String) => match self.options.inputs.get(name) {
                Some(v) => (Some(v.clone()), None, InputSource::Option),
                None => match &i.spec.value {
                    Some(v) => (Some(v.value.clone()), None, InputSource::File),
                    None => (None, None, InputSource::None),
                },
            },
            Some(IoType::Dataset) => {
                let d = self.dataset(name, i.spec.dataset.as_ref().map(|d| d.as_str()));
                let source = match &d {
                    Some(d) if d.overridden => InputSource::Option,
                    Some(_) => InputSource::File,
                    None => InputSource::None,
                };
                (None, d, source)
            }
            _ => (None, None, InputSource::None),
        };
        InputPlan {
            name: name.clone(),
            io_type,
            value,
            dataset,
            source,
            optional: i.spec.optional,
        }
    }

    fn job(&self, job: &Job, stage: usize, dag: &Dag, index: usize) -> JobPlan {
        let wf = self.wf;
        let instance_type = wf.instance_type(job).map(|t| t.value.clone());
        let machine = instance_type
            .as_deref()
            .and_then(|t| self.config.instance_type(t))
            .map(|t| Machine {
                cpus: t.cpus,
                memory_gb: t.memory_gb,
                gpus: t.gpus,
                gpu_model: t.gpu_model.clone(),
                gpu_memory_gb: t.gpu_memory_gb,
                custom: t.custom,
                summary: t.summary(),
            });
        let gpus = machine.as_ref().map_or(0, |m| m.gpus);
        let (image, command, args) = container(job);
        let mut mounts: Vec<Mount> = job
            .inputs
            .iter()
            .map(|i| self.input_mount(job, i))
            .collect();
        mounts.extend(job.outputs.iter().map(|o| self.output_mount(o)));
        JobPlan {
            name: job.name.value.clone(),
            stage,
            needs: dag.needs[index]
                .iter()
                .map(|&n| wf.jobs[n].name.value.clone())
                .collect(),
            action: job.uses.as_ref().map_or(String::new(), |u| u.value.clone()),
            image,
            command,
            args,
            env: wf
                .effective_env(job)
                .into_iter()
                .filter_map(|e| {
                    let from = if job.env.iter().any(|j| std::ptr::eq(j, e)) {
                        EnvOrigin::Job
                    } else {
                        EnvOrigin::Defaults
                    };
                    Some(EnvVar {
                        name: e.name.value.clone(),
                        value: Value::parse(&e.value.as_ref()?.value),
                        from,
                    })
                })
                .collect(),
            instance_type,
            machine,
            gpus,
            gpu_request: (gpus > 0).then(|| GpuRequest {
                count: gpus,
                capabilities: vec![vec!["gpu".to_string()]],
            }),
            mounts,
            timeout: job.timeout.as_ref().and_then(|t| seconds(t.value)),
            git: (job.action == Some(Action::GitCheckout)).then(|| self.git(job)),
            s3: (job.action == Some(Action::S3Download)).then(|| S3Download {
                url: job.param_str("url").map(str::to_string),
                access_key: job.param_str("access-key").map(Value::parse),
                secret_access_key: job.param_str("secret-access-key").map(Value::parse),
                region: job.param_str("region").map(str::to_string),
                endpoint: job.param_str("endpoint").map(str::to_string),
                path: target_path(job),
            }),
            model: (job.action == Some(Action::CreateModel)).then(|| CreateModel {
                name: job.param_str("name").map(str::to_string),
                model_type: job.param_str("type").map(str::to_string),
            }),
        }
    }

    fn git(&self, job: &Job) -> GitCheckout {
        let context = self.wf.context.as_ref();
        let resolve = |written: &str| -> ContextValue {
            let (given, in_file) = if written == GITHUB_URL {
                (
                    self.options.github_url.as_ref(),
                    context.and_then(|c| c.url.as_ref()),
                )
            } else if written == GITHUB_REF {
                (
                    self.options.github_ref.as_ref(),
                    context.and_then(|c| c.git_ref.as_ref()),
                )
            } else {
                return ContextValue {
                    written: written.to_string(),
                    value: Some(written.to_string()),
                    source: Some("file".to_string()),
                };
            };
            let (value, source) = match (given, in_file) {
                (Some(r), _) => (Some(r.value.clone()), Some(r.source.clone())),
                (None, Some(v)) => (
                    Some(v.value.clone()),
                    Some("the file's context block".to_string()),
                ),
                (None, None) => (None, None),
            };
            ContextValue {
                written: written.to_string(),
                value,
                source,
            }
        };
        GitCheckout {
            url: resolve(job.param_str("url").unwrap_or_default()),
            git_ref: job.param_str("ref").map(resolve),
            path: target_path(job),
            username: job.param_str("username").map(Value::parse),
            password: job.param_str("password").map(Value::parse),
        }
    }

    fn input_mount(&self, job: &Job, input: &model::JobInput) -> Mount {
        let name = input.name.value.clone();
        let unresolved =
            |reason: String| (None, reason.clone(), MountSource::Unresolved { reason });
        let (kind, from, source) = match &input.source {
            Src::Reference(Reference::JobOutput { job: j, output, .. }) => {
                let written = format!("{}.outputs.{}", j.value, output.value);
                match self.wf.job(&j.value) {
                    Some(producer) => {
                        let kind = producer
                            .output(&output.value)
                            .and_then(|o| o.io_type())
                            .map(mount_kind);
                        (
                            kind,
                            written,
                            MountSource::JobOutput {
                                job: j.value.clone(),
                                output: output.value.clone(),
                            },
                        )
                    }
                    None => unresolved(format!("`{written}` names no job")),
                }
            }
            Src::Reference(Reference::WorkflowInput { name: w, .. }) => {
                match self.wf.input(&w.value) {
                    Some(wi) => self.workflow_input_mount(wi),
                    None => unresolved(format!("the workflow has no input `{}`", w.value)),
                }
            }
            Src::Inline(spec) => match spec.io_type {
                Some(IoType::Dataset) => {
                    let key = format!("{}.{}", job.name.value, name);
                    let d = self.dataset(&key, spec.dataset.as_ref().map(|d| d.as_str()));
                    let from = d
                        .as_ref()
                        .map_or("dataset (no `with.ref`)".to_string(), DatasetRef::describe);
                    (
                        Some(MountKind::Dataset),
                        from,
                        MountSource::Dataset {
                            input: None,
                            dataset: d,
                        },
                    )
                }
                Some(IoType::String) => {
                    let value = spec.value.as_ref().map(|v| v.value.clone());
                    (
                        Some(MountKind::String),
                        format!("string {}", quoted(value.as_deref())),
                        MountSource::InlineString { value },
                    )
                }
                _ => unresolved("an inline input must be a dataset or a string".to_string()),
            },
            Src::NotAReference(s) => unresolved(format!(
                "`{}` is not a reference (`workflow.inputs.X` or `Job.outputs.X`)",
                s.value
            )),
            Src::Invalid => unresolved("the input's value is not a reference".to_string()),
        };
        Mount {
            target: format!("/inputs/{name}"),
            name,
            kind,
            read_only: true,
            from,
            source,
        }
    }

    fn workflow_input_mount(
        &self,
        wi: &model::WorkflowInput,
    ) -> (Option<MountKind>, String, MountSource) {
        let name = &wi.name.value;
        match wi.spec.io_type {
            Some(IoType::String) => {
                let value = self
                    .options
                    .inputs
                    .get(name)
                    .cloned()
                    .or_else(|| wi.spec.value.as_ref().map(|v| v.value.clone()));
                (
                    Some(MountKind::String),
                    format!("workflow.inputs.{name} = {}", quoted(value.as_deref())),
                    MountSource::WorkflowString {
                        input: name.clone(),
                        value,
                    },
                )
            }
            Some(IoType::Dataset) => {
                let d = self.dataset(name, wi.spec.dataset.as_ref().map(|d| d.as_str()));
                let what = d
                    .as_ref()
                    .map_or("no dataset given".to_string(), DatasetRef::describe);
                (
                    Some(MountKind::Dataset),
                    format!("workflow.inputs.{name}: {what}"),
                    MountSource::Dataset {
                        input: Some(name.clone()),
                        dataset: d,
                    },
                )
            }
            _ => {
                let reason = format!("workflow input `{name}` is neither a string nor a dataset");
                (None, reason.clone(), MountSource::Unresolved { reason })
            }
        }
    }

    fn output_mount(&self, o: &model::Output) -> Mount {
        let name = o.name.value.clone();
        let spec: Option<&IoSpec> = o.spec.as_ref();
        let (kind, from, source) = match o.io_type() {
            Some(IoType::Volume) => (
                Some(MountKind::Volume),
                "new volume (lives for the run)".to_string(),
                MountSource::NewVolume,
            ),
            Some(IoType::String) => (
                Some(MountKind::String),
                "string: the file the job writes here".to_string(),
                MountSource::NewString,
            ),
            Some(IoType::Dataset) => {
                let dataset = spec
                    .and_then(|s| s.dataset.as_ref())
                    .map_or(String::new(), |d| d.value.clone());
                // After `:` on an output comes the tag the new version gets
                // (`my-out:gold`); `latest` adds nothing, as every new
                // version is the latest.
                let (base, tag) = match dataset.split_once(':') {
                    Some((base, tag)) => (base.to_string(), Some(tag.to_string())),
                    None => (dataset.clone(), None),
                };
                let tag = tag.filter(|t| !t.is_empty() && t != "latest");
                let exists = self.resolver.exists(&base);
                let note = if exists {
                    ""
                } else {
                    " (not in the local store yet)"
                };
                let tagged = tag
                    .as_ref()
                    .map_or(String::new(), |t| format!(", tagged {t}"));
                (
                    Some(MountKind::Dataset),
                    format!("new version of dataset {base}{tagged}{note}"),
                    MountSource::NewDatasetVersion {
                        dataset: base,
                        exists,
                        tag,
                    },
                )
            }
            None => {
                let reason = "the output has no valid type".to_string();
                (None, reason.clone(), MountSource::Unresolved { reason })
            }
        };
        Mount {
            target: format!("/outputs/{name}"),
            name,
            kind,
            read_only: false,
            from,
            source,
        }
    }
}

fn quoted(v: Option<&str>) -> String {
    match v {
        Some(v) => format!("{v:?}"),
        None => "(no value)".to_string(),
    }
}

fn mount_kind(t: IoType) -> MountKind {
    match t {
        IoType::Volume => MountKind::Volume,
        IoType::String => MountKind::String,
        IoType::Dataset => MountKind::Dataset,
    }
}

/// Where git-checkout@v1 and s3-download@v1 write: `with.path`, else the
/// job's only output.
fn target_path(job: &Job) -> Option<String> {
    match job.param_str("path") {
        Some(p) => Some(p.to_string()),
        None if job.outputs.len() == 1 => Some(format!("/outputs/{}", job.outputs[0].name.value)),
        None => None,
    }
}

/// The script@v1 invocation: the script is one argument of `bash -e -c`, so
/// the container gets it verbatim and the plan shows exactly what runs.
/// `-e` makes the job fail at the first failing command, as Gradient's
/// script action did (a script that wants to go on says `set +e`).
/// docs/plan.md explains the choice.
pub const SCRIPT_SHELL: [&str; 3] = ["bash", "-e", "-c"];

/// image, command (entrypoint) and args (cmd) of the job's container.
type ContainerSpec = (Option<String>, Option<Vec<String>>, Option<Vec<String>>);

fn container(job: &Job) -> ContainerSpec {
    let image = job.param_str("image").map(str::to_string);
    match job.action {
        Some(Action::Container) => (image, strings(job, "command"), strings(job, "args")),
        Some(Action::Script) => {
            let command = job.param_str("script").map(|s| {
                SCRIPT_SHELL
                    .iter()
                    .map(|p| p.to_string())
                    .chain([s.to_string()])
                    .collect()
            });
            (image, command, None)
        }
        _ => (None, None, None),
    }
}

/// A parameter that is a string (one item) or a list of scalars.
fn strings(job: &Job, name: &str) -> Option<Vec<String>> {
    let p = job.param(name)?;
    if let Some(items) = p.value.as_sequence() {
        return Some(
            items
                .iter()
                .filter_map(|n| n.scalar_text().map(str::to_string))
                .collect(),
        );
    }
    p.value.scalar_text().map(|s| vec![s.to_string()])
}

/// What the run lacks.
fn missing(
    wf: &Workflow,
    inputs: &[InputPlan],
    jobs: &[JobPlan],
    options: &PlanOptions,
) -> Vec<Missing> {
    let mut out: std::collections::BTreeMap<(MissingKind, String), (Vec<String>, String)> =
        Default::default();
    let mut add = |kind: MissingKind, name: &str, job: Option<&str>, hint: String| {
        let entry = out
            .entry((kind, name.to_string()))
            .or_insert_with(|| (Vec::new(), hint));
        if let Some(j) = job
            && !entry.0.iter().any(|x| x == j)
        {
            entry.0.push(j.to_string());
        }
    };
    let readers = |input: &str| -> Vec<&str> {
        wf.jobs
            .iter()
            .filter(|j| {
                j.references().any(|(_, r)| {
                    matches!(r, Reference::WorkflowInput { name, .. } if name.value == input)
                })
            })
            .map(|j| j.name.value.as_str())
            .collect()
    };
    for i in inputs {
        let lacks = match i.io_type.as_str() {
            "string" => i.value.is_none(),
            "dataset" => i.dataset.is_none(),
            _ => false,
        };
        if lacks && !i.optional {
            let hint = if i.io_type == "dataset" {
                format!("give it with --dataset {}=REF", i.name)
            } else {
                format!("give it with --input {}=VALUE", i.name)
            };
            add(MissingKind::Input, &i.name, None, hint);
            for j in readers(&i.name) {
                add(MissingKind::Input, &i.name, Some(j), String::new());
            }
        }
    }
    for job in jobs {
        let secrets = job.env.iter().map(|e| &e.value).chain(job.credentials());
        for v in secrets {
            if let Value::Secret(name) = v
                && !options.secrets.contains(name)
            {
                add(
                    MissingKind::Secret,
                    name,
                    Some(&job.name),
                    format!(
                        "give it with --secret {name}=VALUE, a line of --secret-file, or GWK_SECRET_{}",
                        env_suffix(name)
                    ),
                );
            }
        }
        for m in &job.mounts {
            if let MountSource::Dataset {
                dataset: Some(d), ..
            } = &m.source
                && !matches!(d.resolution, DatasetResolution::Resolved { .. })
            {
                add(
                    MissingKind::Dataset,
                    &d.reference,
                    Some(&job.name),
                    format!(
                        "{}; add it to the local dataset store, or point --dataset at one it has",
                        d.status_text()
                    ),
                );
            }
        }
        if let Some(g) = &job.git {
            for v in std::iter::once(&g.url).chain(g.git_ref.iter()) {
                if !v.is_resolved() {
                    let what = if v.written == GITHUB_URL {
                        "url"
                    } else {
                        "ref"
                    };
                    add(MissingKind::Context, &v.written, Some(&job.name), {
                        let example = if what == "url" {
                            "https://github.com/OWNER/REPO"
                        } else {
                            "COMMIT_SHA"
                        };
                        format!(
                            "give --github-{what}, run gwk in a git clone (with an `origin` remote), or add this block at the top level of the file: `context: {{event: {{github: {{{what}: {example}}}}}}}`"
                        )
                    });
                }
            }
        }
    }
    out.into_iter()
        .map(|((kind, name), (jobs, hint))| Missing {
            kind,
            name,
            jobs,
            hint,
        })
        .collect()
}

/// How a secret's name is spelled after `GWK_SECRET_` in an environment
/// variable: as it is, with every character a shell variable name cannot
/// hold (`-`, `:`, ...) turned into `_` (`hf-token` → `hf_token`).
pub fn env_suffix(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
