//! Plan → Argo `Workflow`.
//!
//! One container template per job and one DAG template (`main`) with a task
//! per job. What passes between jobs follows Gradient's contract: a job
//! reads `/inputs/<name>` and writes `/outputs/<name>`. docs/argo.md has
//! the mapping as a table; the comments here say why where it is not
//! obvious.

use crate::actions;
use crate::manifest::*;
use crate::names::{self, MAX_LABEL, Names};
use crate::resources;
use crate::settings::Settings;
use gwk_spec::check::{GITHUB_REF, GITHUB_URL};
use gwk_spec::plan::{ContextValue, JobPlan, MountKind, MountSource, Plan, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The name of the DAG template, the workflow's entrypoint.
pub const ENTRYPOINT: &str = "main";

/// Volumes Argo adds to pods itself; a claim must not take their names.
const ARGO_VOLUMES: [&str; 4] = [
    "var-run-argo",
    "input-artifacts",
    "tmp-dir-argo",
    "docker-sock",
];

/// Annotation of each template with the Gradient job it comes from (names
/// are sanitized, so this is how a person finds their job again).
pub const JOB_ANNOTATION: &str = "gwk.dev/job";

/// What the export knows besides the plan.
#[derive(Clone, Debug, Default)]
pub struct Source {
    /// The workflow file's name without extension: `generateName` is made
    /// from it.
    pub name: String,
    /// The file as the user named it (an annotation on the workflow).
    pub path: String,
    /// `defaults.resources.container-registries`: the names of Gradient's
    /// registry credentials, which become image pull secrets.
    pub container_registries: Vec<String>,
}

/// A manifest and what the user should know about it.
#[derive(Clone, Debug)]
pub struct Export {
    pub workflow: Workflow,
    /// Things to tell the user (values to give at submit time, Argo
    /// template syntax found in job text, ...), one sentence each.
    pub notes: Vec<String>,
}

/// Why a plan cannot be exported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// A job the export cannot map, and why.
    #[error("job `{job}`: {message}")]
    Job { job: String, message: String },
}

impl ExportError {
    pub(crate) fn job(job: &JobPlan, message: impl Into<String>) -> ExportError {
        ExportError::Job {
            job: job.name.clone(),
            message: message.into(),
        }
    }
}

/// Translates `plan` into an Argo `Workflow`.
pub fn export(plan: &Plan, source: &Source, settings: &Settings) -> Result<Export, ExportError> {
    let mut ex = Exporter::new(plan, settings);
    let mut templates = vec![Template::default()]; // the DAG, filled in last
    let mut tasks = Vec::new();
    for job in &plan.jobs {
        let (template, task) = ex.job(job)?;
        templates.push(template);
        tasks.push(task);
    }
    templates[0] = Template {
        name: ENTRYPOINT.to_string(),
        dag: Some(Dag { tasks }),
        ..Template::default()
    };

    let mut labels = BTreeMap::from([(
        "app.kubernetes.io/managed-by".to_string(),
        "gwk".to_string(),
    )]);
    labels.extend(settings.labels.clone());
    let mut annotations = BTreeMap::new();
    if !source.path.is_empty() {
        annotations.insert("gwk.dev/source".to_string(), source.path.clone());
    }
    let mut pull_secrets: Vec<LocalObjectReference> = Vec::new();
    for name in source
        .container_registries
        .iter()
        .map(|r| {
            let label = names::dns_label(r, MAX_LABEL);
            if &label != r {
                ex.notes.push(format!(
                    "container registry `{r}` becomes image pull secret `{label}` (Kubernetes names are lower-case)"
                ));
            }
            label
        })
        .chain(settings.image_pull_secrets.iter().cloned())
    {
        if !pull_secrets.iter().any(|s| s.name == name) {
            pull_secrets.push(LocalObjectReference { name });
        }
    }
    let claims = ex.claim_templates();
    let workflow = Workflow {
        api_version: API_VERSION,
        kind: KIND,
        metadata: ObjectMeta {
            generate_name: Some(generate_name(&source.name)),
            namespace: settings.namespace.clone(),
            labels,
            annotations,
        },
        spec: WorkflowSpec {
            entrypoint: ENTRYPOINT.to_string(),
            arguments: Arguments {
                parameters: ex.workflow_parameters(),
                artifacts: Vec::new(),
            },
            active_deadline_seconds: plan.timeout,
            parallelism: settings.parallelism,
            service_account_name: Some(settings.service_account.clone()),
            security_context: settings.run_as_user.map(|uid| PodSecurityContext {
                run_as_non_root: true,
                run_as_user: uid,
                run_as_group: uid,
                fs_group: uid,
            }),
            image_pull_secrets: pull_secrets,
            artifact_repository_ref: settings.artifact_repository.as_ref().map(|cm| {
                ArtifactRepositoryRef {
                    config_map: Some(cm.clone()),
                    key: settings.artifact_repository_key.clone(),
                }
            }),
            volume_claim_gc: (!claims.is_empty()).then_some(VolumeClaimGc {
                strategy: "OnWorkflowCompletion",
            }),
            volume_claim_templates: claims,
            templates,
        },
    };
    Ok(Export {
        workflow,
        notes: ex.notes,
    })
}

/// `generateName`: the file name as a DNS-1123 label and a `-`, short
/// enough that Argo's five random characters keep it within 63.
pub fn generate_name(file_stem: &str) -> String {
    let base = if file_stem.trim().is_empty() {
        "workflow".to_string()
    } else {
        names::dns_label(file_stem, MAX_LABEL - 6)
    };
    format!("{base}-")
}

/// A workflow-level parameter and what it stands for.
struct WorkflowParam {
    parameter: Parameter,
    /// Tell the user it must be given at submit time.
    required_note: Option<String>,
}

pub(crate) struct Exporter<'a> {
    pub(crate) settings: &'a Settings,
    /// Job name → task and template name.
    task: HashMap<&'a str, String>,
    /// (job, output) → the name of its output parameter or artifact.
    output_io: HashMap<(&'a str, &'a str), String>,
    /// (job, output) → the claim of a volume output.
    claim: HashMap<(&'a str, &'a str), String>,
    claims_in_order: Vec<String>,
    /// Pod volume names already used workflow-wide (claims, Argo's own).
    pod_volumes: Arc<Names>,
    /// Workflow parameters by what they stand for: a workflow input's
    /// name, or `context.event.github.url`/`.ref`.
    params: BTreeMap<String, String>,
    param_names: Names,
    param_list: Vec<WorkflowParam>,
    pub(crate) notes: Vec<String>,
}

impl<'a> Exporter<'a> {
    fn new(plan: &'a Plan, settings: &'a Settings) -> Exporter<'a> {
        let mut templates = Names::labels(MAX_LABEL);
        templates.reserve(ENTRYPOINT);
        let mut pod_volumes = Names::labels(MAX_LABEL);
        for v in ARGO_VOLUMES {
            pod_volumes.reserve(v);
        }
        let mut ex = Exporter {
            settings,
            task: HashMap::new(),
            output_io: HashMap::new(),
            claim: HashMap::new(),
            claims_in_order: Vec::new(),
            pod_volumes: Arc::new(Names::default()),
            params: BTreeMap::new(),
            param_names: Names::io_names(),
            param_list: Vec::new(),
            notes: Vec::new(),
        };
        for job in &plan.jobs {
            let task = templates.label(&job.name);
            let mut outputs = Names::io_names();
            for m in &job.mounts {
                match &m.source {
                    MountSource::NewVolume => {
                        let claim = pod_volumes.label(&format!("{task}-{}", m.name));
                        ex.claim.insert((&job.name, &m.name), claim.clone());
                        ex.claims_in_order.push(claim);
                    }
                    MountSource::NewString | MountSource::NewDatasetVersion { .. } => {
                        ex.output_io
                            .insert((&job.name, &m.name), outputs.io(&m.name));
                    }
                    _ => {}
                }
            }
            ex.task.insert(&job.name, task);
        }
        ex.pod_volumes = Arc::new(pod_volumes);
        for input in &plan.inputs {
            ex.workflow_input(input);
        }
        ex
    }

    fn workflow_input(&mut self, input: &gwk_spec::plan::InputPlan) {
        let name = self.param_names.io(&input.name);
        let (value, description, required_note) = match input.io_type.as_str() {
            "dataset" => match &input.dataset {
                Some(d) => (
                    Some(self.dataset_key(&d.name, d.selector.as_deref())),
                    Some(format!(
                        "dataset {}: the artifact key of the version to read",
                        d.reference
                    )),
                    None,
                ),
                None => (
                    None,
                    Some("a dataset: the artifact key of the version to read".to_string()),
                    Some(format!(
                        "workflow input `{}` has no dataset: give its artifact key at submit time (`argo submit -p {name}={}/NAME/VERSION`)",
                        input.name, self.settings.dataset_prefix
                    )),
                ),
            },
            _ => {
                let note = input.value.is_none().then(|| {
                    format!(
                        "workflow input `{}` has no value: give it at submit time (`argo submit -p {name}=VALUE`)",
                        input.name
                    )
                });
                (input.value.clone(), None, note)
            }
        };
        self.params.insert(input.name.clone(), name.clone());
        self.param_list.push(WorkflowParam {
            parameter: Parameter {
                name,
                value,
                value_from: None,
                description,
            },
            required_note,
        });
    }

    /// The workflow parameter standing for `context.event.github.url` or
    /// `.ref`, made on first use with the value the plan resolved.
    pub(crate) fn context_param(&mut self, cv: &ContextValue) -> String {
        if let Some(p) = self.params.get(&cv.written) {
            return p.clone();
        }
        let base = if cv.written == GITHUB_URL {
            "github-url"
        } else {
            "github-ref"
        };
        let name = self.param_names.io(base);
        let what = if cv.written == GITHUB_URL {
            "the repository to clone"
        } else {
            "the commit, branch or tag to check out"
        };
        let required_note = cv.value.is_none().then(|| {
            format!(
                "`{}` did not resolve: give it at submit time (`argo submit -p {name}=...`)",
                cv.written
            )
        });
        self.params.insert(cv.written.clone(), name.clone());
        self.param_list.push(WorkflowParam {
            parameter: Parameter {
                name: name.clone(),
                value: cv.value.clone(),
                value_from: None,
                description: Some(format!("{}: {what}", cv.written)),
            },
            required_note,
        });
        name
    }

    /// A git parameter's value as the container sees it: text, or the
    /// workflow parameter of a `context.event.github.*` value.
    pub(crate) fn context_value(&mut self, cv: &ContextValue) -> String {
        if cv.written == GITHUB_URL || cv.written == GITHUB_REF {
            format!("{{{{workflow.parameters.{}}}}}", self.context_param(cv))
        } else {
            cv.value.clone().unwrap_or_else(|| cv.written.clone())
        }
    }

    fn workflow_parameters(&mut self) -> Vec<Parameter> {
        let mut out = Vec::new();
        for p in std::mem::take(&mut self.param_list) {
            if let Some(note) = p.required_note {
                self.notes.push(note);
            }
            out.push(p.parameter);
        }
        out
    }

    fn claim_templates(&self) -> Vec<PersistentVolumeClaim> {
        self.claims_in_order
            .iter()
            .map(|name| PersistentVolumeClaim {
                metadata: ClaimMeta { name: name.clone() },
                spec: ClaimSpec {
                    access_modes: vec![self.settings.volume_access_mode.clone()],
                    storage_class_name: self.settings.storage_class.clone(),
                    resources: ClaimResources {
                        requests: BTreeMap::from([(
                            "storage".to_string(),
                            self.settings.volume_size.clone(),
                        )]),
                    },
                },
            })
            .collect()
    }

    /// `<prefix>/<dataset>/<version>`; no version means `latest`.
    pub(crate) fn dataset_key(&self, dataset: &str, selector: Option<&str>) -> String {
        format!(
            "{}/{}/{}",
            self.settings.dataset_prefix,
            dataset,
            selector.unwrap_or("latest")
        )
    }

    /// One job's template and DAG task.
    fn job(&mut self, job: &'a JobPlan) -> Result<(Template, DagTask), ExportError> {
        let name = self.task[job.name.as_str()].clone();
        let mut t = JobTemplate::new(job, &self.pod_volumes);
        let mut args = Arguments::default();

        for m in &job.mounts {
            self.mount(job, m, &mut t, &mut args)?;
        }
        let mut container = actions::container(self, job, &mut t)?;
        container.env.splice(0..0, env(job, self.settings)?);
        t.finish_outputs_dir();
        container.volume_mounts = std::mem::take(&mut t.mounts);
        let (res, node_selector) = resources::for_job(job, self.settings);
        container.resources = res;
        self.scan_for_argo_syntax(job, &name);

        let mut annotations = BTreeMap::from([(JOB_ANNOTATION.to_string(), job.name.clone())]);
        if let Some(it) = &job.instance_type {
            annotations.insert("gwk.dev/instance-type".to_string(), it.clone());
        }
        let template = Template {
            name: name.clone(),
            metadata: Some(TemplateMetadata {
                labels: BTreeMap::new(),
                annotations,
            }),
            inputs: t.inputs,
            outputs: t.outputs,
            node_selector,
            active_deadline_seconds: job.timeout.map(|s| s.to_string()),
            volumes: t.volumes,
            container: Some(container),
            script: None,
            dag: None,
        };
        let depends = job
            .needs
            .iter()
            .map(|n| format!("{}.Succeeded", self.task[n.as_str()]))
            .collect::<Vec<_>>();
        let task = DagTask {
            name: name.clone(),
            template: name,
            depends: (!depends.is_empty()).then(|| depends.join(" && ")),
            arguments: args,
        };
        Ok((template, task))
    }

    /// One `/inputs/<name>` or `/outputs/<name>`.
    fn mount(
        &mut self,
        job: &'a JobPlan,
        m: &'a gwk_spec::plan::Mount,
        t: &mut JobTemplate,
        args: &mut Arguments,
    ) -> Result<(), ExportError> {
        match &m.source {
            MountSource::NewString => {
                t.needs_outputs_dir = true;
                t.outputs.parameters.push(Parameter {
                    name: self.output_io[&(job.name.as_str(), m.name.as_str())].clone(),
                    value_from: Some(ValueFrom {
                        path: m.target.clone(),
                    }),
                    ..Parameter::default()
                });
            }
            MountSource::NewVolume => {
                t.needs_outputs_dir = true;
                let claim = self.claim[&(job.name.as_str(), m.name.as_str())].clone();
                t.mount(claim, &m.target, false);
            }
            MountSource::NewDatasetVersion { dataset, tag, .. } => {
                t.needs_outputs_dir = true;
                // Its own emptyDir, so `/outputs/<name>` exists as a
                // directory when the job starts, as on Gradient.
                let vol = t.empty_dir(&format!("out-{}", m.name));
                t.mount(vol, &m.target, false);
                let artifact = self.output_io[&(job.name.as_str(), m.name.as_str())].clone();
                let version = self.dataset_key(dataset, Some("{{workflow.uid}}"));
                t.outputs
                    .artifacts
                    .push(key_artifact(&artifact, &m.target, version));
                if self.settings.dataset_latest {
                    let latest = t.output_names.io(&format!("{artifact}-latest"));
                    let key = self.dataset_key(dataset, None);
                    t.outputs
                        .artifacts
                        .push(key_artifact(&latest, &m.target, key));
                }
                // `ref: name:gold`: the new version is also `<prefix>/name/gold`,
                // where an input `name:gold` reads it.
                if let Some(tag) = tag {
                    let tagged = t.output_names.io(&format!("{artifact}-tag"));
                    let key = self.dataset_key(dataset, Some(tag));
                    t.outputs
                        .artifacts
                        .push(key_artifact(&tagged, &m.target, key));
                }
            }
            MountSource::JobOutput {
                job: producer,
                output,
            } => {
                let task = &self.task[producer.as_str()];
                match m.kind {
                    Some(MountKind::String) => {
                        let value = format!(
                            "{{{{tasks.{task}.outputs.parameters.{}}}}}",
                            self.output_io[&(producer.as_str(), output.as_str())]
                        );
                        t.string_input(&m.name, &m.target, value, args);
                    }
                    Some(MountKind::Volume) => {
                        let claim = self.claim[&(producer.as_str(), output.as_str())].clone();
                        t.mount(claim, &m.target, true);
                    }
                    Some(MountKind::Dataset) => {
                        let name = t.input_names.io(&m.name);
                        args.artifacts.push(Artifact {
                            name: name.clone(),
                            from: Some(format!(
                                "{{{{tasks.{task}.outputs.artifacts.{}}}}}",
                                self.output_io[&(producer.as_str(), output.as_str())]
                            )),
                            ..Artifact::default()
                        });
                        t.inputs.artifacts.push(Artifact {
                            name,
                            path: Some(m.target.clone()),
                            ..Artifact::default()
                        });
                    }
                    None => {
                        return Err(ExportError::job(
                            job,
                            format!(
                                "input `{}` reads `{producer}.outputs.{output}`, whose type is unknown",
                                m.name
                            ),
                        ));
                    }
                }
            }
            MountSource::WorkflowString { input, .. } => {
                let value = format!("{{{{workflow.parameters.{}}}}}", self.params[input]);
                t.string_input(&m.name, &m.target, value, args);
            }
            MountSource::InlineString { value: Some(v) } => {
                // A constant: the file holds it directly, no parameter.
                let name = t.input_names.io(&m.name);
                t.inputs.artifacts.push(Artifact {
                    name,
                    path: Some(m.target.clone()),
                    raw: Some(RawArtifact { data: v.clone() }),
                    ..Artifact::default()
                });
            }
            MountSource::InlineString { value: None } => {
                return Err(ExportError::job(
                    job,
                    format!("string input `{}` has no value", m.name),
                ));
            }
            MountSource::Dataset { input, dataset } => {
                let key = match (input, dataset) {
                    (Some(i), _) => format!("{{{{workflow.parameters.{}}}}}", self.params[i]),
                    (None, Some(d)) => self.dataset_key(&d.name, d.selector.as_deref()),
                    (None, None) => {
                        return Err(ExportError::job(
                            job,
                            format!("dataset input `{}` names no dataset", m.name),
                        ));
                    }
                };
                let name = t.input_names.io(&m.name);
                t.inputs.artifacts.push(Artifact {
                    name,
                    path: Some(m.target.clone()),
                    s3: Some(S3Artifact { key }),
                    ..Artifact::default()
                });
            }
            MountSource::Unresolved { reason } => {
                return Err(ExportError::job(
                    job,
                    format!("input `{}` cannot be exported: {reason}", m.name),
                ));
            }
        }
        Ok(())
    }

    /// Argo reads `{{...}}` in a template as its own expressions; a
    /// script that means it literally (Jinja, Go templates) would be
    /// rewritten or rejected, and Argo has no escape for it.
    fn scan_for_argo_syntax(&mut self, job: &JobPlan, template: &str) {
        let user_text = job
            .command
            .iter()
            .flatten()
            .chain(job.args.iter().flatten())
            .chain(job.env.iter().filter_map(|e| match &e.value {
                Value::Value(v) => Some(v),
                Value::Secret(_) => None,
            }));
        if user_text.into_iter().any(|s| s.contains("{{")) {
            self.notes.push(format!(
                "job `{}` (template `{template}`): its command, args or env contain `{{{{`, which Argo reads as its own template syntax; check that Argo leaves it as meant",
                job.name
            ));
        }
    }
}

/// A key-only S3 artifact stored as plain files.
fn key_artifact(name: &str, path: &str, key: String) -> Artifact {
    Artifact {
        name: name.to_string(),
        path: Some(path.to_string()),
        s3: Some(S3Artifact { key }),
        archive: Some(ArchiveStrategy { none: Empty {} }),
        ..Artifact::default()
    }
}

/// The job's environment: text as is, `secret:NAME` as a reference into
/// the configured Kubernetes secret.
fn env(job: &JobPlan, settings: &Settings) -> Result<Vec<EnvVar>, ExportError> {
    job.env
        .iter()
        .map(|e| env_var(job, &e.name, &e.value, settings))
        .collect()
}

/// One environment variable from a plan value.
pub(crate) fn env_var(
    job: &JobPlan,
    name: &str,
    value: &Value,
    settings: &Settings,
) -> Result<EnvVar, ExportError> {
    Ok(match value {
        Value::Value(v) => EnvVar {
            name: name.to_string(),
            value: Some(v.clone()),
            value_from: None,
        },
        Value::Secret(secret) => EnvVar {
            name: name.to_string(),
            value: None,
            value_from: Some(secret_ref(job, name, secret, settings)?),
        },
    })
}

fn secret_ref(
    job: &JobPlan,
    what: &str,
    secret: &str,
    settings: &Settings,
) -> Result<EnvVarSource, ExportError> {
    if !names::is_secret_key(secret) {
        let why = if secret.starts_with("ephemeral:") {
            "ephemeral secrets live only on Gradient: store the value in the Kubernetes secret \
             under a plain name and write `secret:NAME`"
        } else {
            "a Kubernetes secret key holds only letters, digits, `-`, `_` and `.`: rename the secret"
        };
        return Err(ExportError::job(
            job,
            format!(
                "`{what}` reads `secret:{secret}`, which cannot be a key of Kubernetes secret `{}`; {why}",
                settings.secret_name
            ),
        ));
    }
    Ok(EnvVarSource {
        secret_key_ref: SecretKeySelector {
            name: settings.secret_name.clone(),
            key: secret.to_string(),
        },
    })
}

/// A job template being built.
pub(crate) struct JobTemplate {
    pub(crate) inputs: Io,
    pub(crate) outputs: Io,
    pub(crate) volumes: Vec<Volume>,
    pub(crate) mounts: Vec<VolumeMount>,
    pub(crate) input_names: Names,
    pub(crate) output_names: Names,
    pod_volumes: Names,
    needs_outputs_dir: bool,
}

impl JobTemplate {
    fn new(job: &JobPlan, pod_volumes: &Arc<Names>) -> JobTemplate {
        let mut output_names = Names::io_names();
        for m in &job.mounts {
            if matches!(
                m.source,
                MountSource::NewString | MountSource::NewDatasetVersion { .. }
            ) {
                output_names.io(&m.name);
            }
        }
        JobTemplate {
            inputs: Io::default(),
            outputs: Io::default(),
            volumes: Vec::new(),
            mounts: Vec::new(),
            input_names: Names::io_names(),
            output_names,
            pod_volumes: Names::layer(pod_volumes),
            needs_outputs_dir: false,
        }
    }

    /// Declares an emptyDir volume; returns its (unique) name.
    pub(crate) fn empty_dir(&mut self, name: &str) -> String {
        let name = self.pod_volumes.label(name);
        self.volumes.push(Volume {
            name: name.clone(),
            empty_dir: Empty {},
        });
        name
    }

    pub(crate) fn mount(&mut self, volume: String, path: &str, read_only: bool) {
        self.mounts.push(VolumeMount {
            name: volume,
            mount_path: path.to_string(),
            read_only,
        });
    }

    /// A string delivered as the file `path`: a template parameter, and a
    /// raw artifact holding it (the task passes `value`).
    fn string_input(&mut self, name: &str, path: &str, value: String, args: &mut Arguments) {
        let name = self.input_names.io(name);
        args.parameters.push(Parameter {
            name: name.clone(),
            value: Some(value),
            ..Parameter::default()
        });
        self.inputs.parameters.push(Parameter {
            name: name.clone(),
            ..Parameter::default()
        });
        self.inputs.artifacts.push(Artifact {
            name: name.clone(),
            path: Some(path.to_string()),
            raw: Some(RawArtifact {
                data: format!("{{{{inputs.parameters.{name}}}}}"),
            }),
            ..Artifact::default()
        });
    }

    /// Adds the `/outputs` emptyDir when a job writes outputs: string
    /// outputs are files there, and Argo's executor collects them from a
    /// volume rather than the container's own filesystem.
    pub(crate) fn finish_outputs_dir(&mut self) {
        if self.needs_outputs_dir {
            let vol = self.empty_dir("outputs");
            self.mounts.insert(
                0,
                VolumeMount {
                    name: vol,
                    mount_path: "/outputs".to_string(),
                    read_only: false,
                },
            );
        }
    }
}
