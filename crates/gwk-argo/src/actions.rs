//! The container of each Gradient action.
//!
//! `container@v1` and `script@v1` run the user's image with the command
//! the plan shows (script@v1 is `bash -e -c SCRIPT`). The three actions that
//! Gradient carried out itself become small steps of gwk's own:
//!
//! - `git-checkout@v1`: a `git clone` in a git image (`[argo] git-image`)
//!   into the job's output. A step rather than Argo's git artifact because
//!   Gradient takes a plain-text `username` and Argo's artifact only takes
//!   one from a secret; the password comes from the secret either way.
//! - `s3-download@v1`: `aws s3 cp --recursive` in the AWS CLI image
//!   (`[argo] s3-image`), credentials from the plan (the secret key always
//!   from the Kubernetes secret).
//! - `create-model@v1`: Argo has no model registry, so the model's files
//!   (input `model`) are stored in the artifact repository under
//!   `<model-prefix>/<name>/<workflow uid>`, and that key is the model id
//!   the job's string output holds.

use crate::export::{ExportError, Exporter, JobTemplate, env_var};
use crate::manifest::{ArchiveStrategy, Artifact, Container, Empty, S3Artifact};
use gwk_spec::plan::{JobPlan, MountKind, MountSource};

/// The git-checkout@v1 step. Runs under `sh -c` with its parameters in
/// `GWK_GIT_*` variables, so no value is ever spliced into shell text.
/// A password (or the older `GIT_PASSWORD` variable) is given to git by a
/// credential helper that reads it from the environment at the moment git
/// asks, so it appears in no command line.
pub const GIT_SCRIPT: &str = r#"set -eu
password="${GWK_GIT_PASSWORD:-${GIT_PASSWORD:-}}"
if [ -n "$password" ]; then
  export GWK_GIT_PASSWORD="$password"
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=credential.helper
  export GIT_CONFIG_VALUE_0='!f() { test "$1" = get || return 0; echo "username=${GWK_GIT_USERNAME:-git}"; echo "password=$GWK_GIT_PASSWORD"; }; f'
fi
src="$(mktemp -d)"
git clone --quiet -- "$GWK_GIT_URL" "$src"
if [ -n "${GWK_GIT_REF:-}" ]; then
  git -C "$src" checkout --quiet "$GWK_GIT_REF"
fi
mkdir -p "$GWK_GIT_DEST"
cp -a "$src"/. "$GWK_GIT_DEST"/
rm -rf "$src"
"#;

/// The create-model@v1 step: copy the model's files (`GWK_MODEL_SRC`) to
/// the directory the output artifact is read from (`GWK_MODEL_DIR`), and
/// write the model id to every path given as an argument (the job's
/// string outputs).
pub const MODEL_SCRIPT: &str = r#"set -eu
mkdir -p "$GWK_MODEL_DIR"
cp -R "$GWK_MODEL_SRC"/. "$GWK_MODEL_DIR"/
for f in "$@"; do printf '%s' "$GWK_MODEL_ID" > "$f"; done
"#;

/// Where create-model@v1 gathers the model's files.
const MODEL_DIR: &str = "/gwk/model";

/// The container of `job`.
pub(crate) fn container(
    ex: &mut Exporter,
    job: &JobPlan,
    t: &mut JobTemplate,
) -> Result<Container, ExportError> {
    match job.action.as_str() {
        "container@v1" | "script@v1" => {
            let Some(image) = &job.image else {
                return Err(ExportError::job(job, "it names no `image`"));
            };
            Ok(Container {
                image: image.clone(),
                command: job.command.clone().unwrap_or_default(),
                args: job.args.clone().unwrap_or_default(),
                ..Container::default()
            })
        }
        "git-checkout@v1" => git_checkout(ex, job),
        "s3-download@v1" => s3_download(ex, job),
        "create-model@v1" => create_model(ex, job, t),
        other => Err(ExportError::job(
            job,
            format!("`uses: {other}` is not a Gradient action gwk can export"),
        )),
    }
}

fn destination(job: &JobPlan, action: &str) -> Result<String, ExportError> {
    let path = match action {
        "git" => job.git.as_ref().and_then(|g| g.path.clone()),
        _ => job.s3.as_ref().and_then(|s| s.path.clone()),
    };
    path.ok_or_else(|| {
        ExportError::job(
            job,
            "it has no `path` and not exactly one output to write into",
        )
    })
}

fn plain(name: &str, value: impl Into<String>) -> crate::manifest::EnvVar {
    crate::manifest::EnvVar {
        name: name.to_string(),
        value: Some(value.into()),
        value_from: None,
    }
}

fn git_checkout(ex: &mut Exporter, job: &JobPlan) -> Result<Container, ExportError> {
    let Some(git) = &job.git else {
        return Err(ExportError::job(
            job,
            "git-checkout@v1 without its parameters",
        ));
    };
    let dest = destination(job, "git")?;
    let mut env = vec![plain("GWK_GIT_URL", ex.context_value(&git.url))];
    if let Some(r) = &git.git_ref {
        env.push(plain("GWK_GIT_REF", ex.context_value(r)));
    }
    env.push(plain("GWK_GIT_DEST", dest));
    if let Some(u) = &git.username {
        env.push(env_var(job, "GWK_GIT_USERNAME", u, ex.settings)?);
    }
    if let Some(p) = &git.password {
        env.push(env_var(job, "GWK_GIT_PASSWORD", p, ex.settings)?);
    }
    Ok(Container {
        image: ex.settings.git_image.clone(),
        command: vec!["sh".into(), "-c".into(), GIT_SCRIPT.into()],
        env,
        ..Container::default()
    })
}

fn s3_download(ex: &mut Exporter, job: &JobPlan) -> Result<Container, ExportError> {
    let Some(s3) = &job.s3 else {
        return Err(ExportError::job(
            job,
            "s3-download@v1 without its parameters",
        ));
    };
    let Some(url) = &s3.url else {
        return Err(ExportError::job(job, "s3-download@v1 needs `url`"));
    };
    let dest = destination(job, "s3")?;
    let mut args: Vec<String> = ["s3", "cp", "--recursive", "--only-show-errors"]
        .map(String::from)
        .into();
    args.extend([url.clone(), dest]);
    if let Some(r) = &s3.region {
        args.extend(["--region".to_string(), r.clone()]);
    }
    if let Some(e) = &s3.endpoint {
        args.extend(["--endpoint-url".to_string(), e.clone()]);
    }
    let mut env = Vec::new();
    if let Some(k) = &s3.access_key {
        env.push(env_var(job, "AWS_ACCESS_KEY_ID", k, ex.settings)?);
    }
    if let Some(k) = &s3.secret_access_key {
        env.push(env_var(job, "AWS_SECRET_ACCESS_KEY", k, ex.settings)?);
    }
    Ok(Container {
        image: ex.settings.s3_image.clone(),
        command: vec!["aws".into()],
        args,
        env,
        ..Container::default()
    })
}

fn create_model(
    ex: &mut Exporter,
    job: &JobPlan,
    t: &mut JobTemplate,
) -> Result<Container, ExportError> {
    let name = job
        .model
        .as_ref()
        .and_then(|m| m.name.clone())
        .ok_or_else(|| ExportError::job(job, "create-model@v1 needs `name`"))?;
    let model_input = job.mounts.iter().find(|m| m.target == "/inputs/model");
    match model_input.map(|m| m.kind) {
        Some(Some(MountKind::Dataset | MountKind::Volume)) => {}
        _ => {
            return Err(ExportError::job(
                job,
                "create-model@v1 needs an input named `model` holding the model's files (a dataset or volume)",
            ));
        }
    }
    let key = format!("{}/{}/{{{{workflow.uid}}}}", ex.settings.model_prefix, name);
    let vol = t.empty_dir("model-files");
    t.mount(vol, MODEL_DIR, false);
    let artifact = t.output_names.io("model");
    t.outputs.artifacts.push(Artifact {
        name: artifact,
        path: Some(MODEL_DIR.to_string()),
        s3: Some(S3Artifact { key: key.clone() }),
        archive: Some(ArchiveStrategy { none: Empty {} }),
        ..Artifact::default()
    });
    let mut command: Vec<String> = vec![
        "sh".into(),
        "-c".into(),
        MODEL_SCRIPT.into(),
        "create-model".into(),
    ];
    command.extend(
        job.mounts
            .iter()
            .filter(|m| matches!(m.source, MountSource::NewString))
            .map(|m| m.target.clone()),
    );
    let mut env = vec![
        plain("GWK_MODEL_ID", key),
        plain("GWK_MODEL_NAME", name),
        plain("GWK_MODEL_SRC", "/inputs/model"),
        plain("GWK_MODEL_DIR", MODEL_DIR),
    ];
    if let Some(ty) = job.model.as_ref().and_then(|m| m.model_type.clone()) {
        env.push(plain("GWK_MODEL_TYPE", ty));
    }
    Ok(Container {
        image: ex.settings.helper_image.clone(),
        command,
        env,
        ..Container::default()
    })
}
