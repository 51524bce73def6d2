//! The Docker engine through bollard: connecting, images, containers.

mod container;
mod credentials;
mod images;
mod shell;

pub use container::{
    BindMount, ContainerExit, ContainerSpec, Control, GpuRequest, OutputStream, StopReason,
};
pub use credentials::credentials_for;
pub use images::{PullPolicy, PullProgress, registry_of};

use bollard::Docker;
use std::collections::HashMap;

/// The labels every container gwk starts carries.
pub const LABEL_RUN: &str = "gwk.run";
pub const LABEL_JOB: &str = "gwk.job";
/// The state directory (`GWK_HOME`) of the run, so `gwk gc` only touches
/// its own runs' containers.
pub const LABEL_HOME: &str = "gwk.home";
/// The pid of the gwk that created the container.
pub const LABEL_PID: &str = "gwk.pid";
/// That gwk's start time (process.rs), so a reused pid is not taken for it.
pub const LABEL_PID_START: &str = "gwk.pid-start";
/// The `gwk.run` of GPU probe containers (they belong to no run).
pub const PROBE_RUN: &str = "probe";

/// `gwk.pid` and `gwk.pid-start` for a container this process creates.
pub fn owner_labels() -> Vec<(String, String)> {
    let me = crate::process::Owner::current();
    let mut labels = vec![(LABEL_PID.to_string(), me.pid.to_string())];
    if let Some(start) = me.start {
        labels.push((LABEL_PID_START.to_string(), start.to_string()));
    }
    labels
}

/// The first words of the daemon's answer when it has no driver for a GPU
/// request (it comes at start, not at create).
const NO_GPU_DRIVER: &str = "could not select device driver";

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(
        "cannot reach the Docker engine at {host}: {message}\n  is dockerd running, and may this user use its socket? (`gwk doctor` checks; set DOCKER_HOST for another engine)"
    )]
    Connect { host: String, message: String },
    #[error(
        "GPU jobs cannot start on this Docker engine: it has no NVIDIA GPU support (Docker answered: {answer}).\n  Install the NVIDIA Container Toolkit on the Docker host and restart dockerd\n  (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html),\n  or run with `--gpus none` to run GPU jobs without GPUs."
    )]
    NoGpuSupport { answer: String },
    #[error("image `{image}` is not on this Docker host and `--pull never` forbids pulling it")]
    ImageMissing { image: String },
    #[error("cannot pull image `{image}`: {message}")]
    Pull { image: String, message: String },
    #[error("{context}: {message}")]
    Api { context: String, message: String },
}

impl EngineError {
    pub(crate) fn api(context: impl Into<String>, e: bollard::errors::Error) -> EngineError {
        EngineError::Api {
            context: context.into(),
            message: docker_message(&e),
        }
    }
}

/// The daemon's own message for a server error, else bollard's text.
pub(crate) fn docker_message(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

pub(crate) fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// A connection to one Docker engine.
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) docker: Docker,
    host: String,
    /// Removals of finished containers still under way: they run off the
    /// critical path (a job's dependents need not wait for them), and
    /// [`Engine::finish_removals`] waits for them before a run ends.
    pending: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

/// What `docker version` would say, for `gwk doctor`.
#[derive(Clone, Debug, Default)]
pub struct EngineInfo {
    pub host: String,
    pub server_version: String,
    pub api_version: String,
    pub os: String,
    pub runtimes: Vec<String>,
    pub cpus: Option<i64>,
    pub memory_bytes: Option<i64>,
}

impl Engine {
    /// The engine at `host` (`unix:///path`, `tcp://host:port`), else at
    /// `$DOCKER_HOST`, else at `unix:///var/run/docker.sock`. The API version
    /// is negotiated, so older engines (API 1.41, Docker 20.10) work.
    pub async fn connect(host: Option<&str>) -> Result<Engine, EngineError> {
        let host = host
            .map(str::to_string)
            .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()))
            .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string());
        let connect_err = |message: String| EngineError::Connect {
            host: host.clone(),
            message,
        };
        let docker = if let Some(path) = host.strip_prefix("unix://") {
            if !std::path::Path::new(path).exists() {
                return Err(connect_err(format!("no socket at {path}")));
            }
            Docker::connect_with_unix(path, 120, bollard::API_DEFAULT_VERSION)
        } else {
            Docker::connect_with_host(&host)
        }
        .map_err(|e| connect_err(docker_message(&e)))?;
        let docker = docker
            .negotiate_version()
            .await
            .map_err(|e| connect_err(docker_message(&e)))?;
        Ok(Engine {
            docker,
            host,
            pending: Default::default(),
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub async fn info(&self) -> Result<EngineInfo, EngineError> {
        let v = self
            .docker
            .version()
            .await
            .map_err(|e| EngineError::api("cannot read the engine's version", e))?;
        let i = self
            .docker
            .info()
            .await
            .map_err(|e| EngineError::api("cannot read the engine's info", e))?;
        let mut runtimes: Vec<String> = i.runtimes.unwrap_or_default().into_keys().collect();
        runtimes.sort();
        Ok(EngineInfo {
            host: self.host.clone(),
            server_version: v.version.unwrap_or_default(),
            api_version: v.api_version.unwrap_or_default(),
            os: i.operating_system.unwrap_or_default(),
            runtimes,
            cpus: i.ncpu,
            memory_bytes: i.mem_total,
        })
    }

    /// Names of the containers carrying `label` (`key` or `key=value`),
    /// running or not.
    pub async fn containers_with_label(&self, label: &str) -> Result<Vec<String>, EngineError> {
        Ok(self
            .labelled(label)
            .await?
            .into_iter()
            .map(|(name, _)| name)
            .collect())
    }

    /// Every gwk container (any with a `gwk.run` label) with its labels.
    pub async fn gwk_containers(
        &self,
    ) -> Result<Vec<(String, HashMap<String, String>)>, EngineError> {
        self.labelled(LABEL_RUN).await
    }

    /// The containers carrying `label`, running or not: name (else id) and
    /// labels.
    async fn labelled(
        &self,
        label: &str,
    ) -> Result<Vec<(String, HashMap<String, String>)>, EngineError> {
        let mut filters = HashMap::new();
        filters.insert("label".to_string(), vec![label.to_string()]);
        let list = self
            .docker
            .list_containers(Some(bollard::query_parameters::ListContainersOptions {
                all: true,
                filters: Some(filters),
                ..Default::default()
            }))
            .await
            .map_err(|e| EngineError::api("cannot list containers", e))?;
        Ok(list
            .into_iter()
            .filter_map(|c| {
                let name = c
                    .names
                    .and_then(|n| n.first().cloned())
                    .map(|n| n.trim_start_matches('/').to_string())
                    .or(c.id)?;
                Some((name, c.labels.unwrap_or_default()))
            })
            .collect())
    }

    /// Removes a finished container in the background.
    pub(crate) fn remove_later(&self, name: &str) {
        let engine = self.clone();
        let name = name.to_string();
        let handle = tokio::spawn(async move {
            // One retry: a daemon under load may answer 409 "in progress"
            // for a container still being cleaned up after its exit.
            if engine.remove_container(&name).await.is_err() {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                let _ = engine.remove_container(&name).await;
            }
        });
        self.pending.lock().expect("lock").push(handle);
    }

    /// Waits for every background removal started so far.
    pub async fn finish_removals(&self) {
        let handles: Vec<_> = std::mem::take(&mut *self.pending.lock().expect("lock"));
        for h in handles {
            let _ = h.await;
        }
    }

    /// Removes a container, running or not, with its anonymous volumes.
    /// A container that is already gone is not an error.
    pub async fn remove_container(&self, name: &str) -> Result<(), EngineError> {
        match self
            .docker
            .remove_container(
                name,
                Some(bollard::query_parameters::RemoveContainerOptions {
                    force: true,
                    v: true,
                    link: false,
                }),
            )
            .await
        {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            // "removal already in progress" is someone else finishing the job.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 409, ..
            }) => Ok(()),
            Err(e) => Err(EngineError::api(
                format!("cannot remove container {name}"),
                e,
            )),
        }
    }

    /// The image's id (`sha256:...`), when it is on this host.
    pub async fn image_id(&self, image: &str) -> Result<Option<String>, EngineError> {
        match self.docker.inspect_image(image).await {
            Ok(i) => Ok(i.id),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(EngineError::api(format!("cannot inspect image {image}"), e)),
        }
    }

    /// The `repo@sha256:…` digests the engine knows for a local image (it
    /// has them for an image pulled from or pushed to a registry, none for
    /// one built or loaded here); `None` when the image is not on this host.
    /// `gwk check` pins unpinned images with them.
    pub async fn image_repo_digests(
        &self,
        image: &str,
    ) -> Result<Option<Vec<String>>, EngineError> {
        match self.docker.inspect_image(image).await {
            Ok(i) => Ok(Some(i.repo_digests.unwrap_or_default())),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(EngineError::api(format!("cannot inspect image {image}"), e)),
        }
    }

    /// Some image present on this host, for probes (`gwk doctor`).
    pub async fn any_local_image(&self) -> Option<String> {
        let list = self
            .docker
            .list_images(None::<bollard::query_parameters::ListImagesOptions>)
            .await
            .ok()?;
        list.into_iter()
            .flat_map(|i| i.repo_tags)
            .find(|t| t != "<none>:<none>")
    }

    /// Tries to start a throwaway container with one GPU from `image`:
    /// the only sure way to learn whether GPU jobs can start here (the
    /// daemon checks device drivers at start). The container is removed;
    /// it carries `gwk.run=probe`, `gwk.pid` and `gwk.home=<home_label>`
    /// (see `gc::home_label`), so `gwk gc` removes it if gwk dies first.
    pub async fn probe_gpu(&self, image: &str, home_label: &str) -> Result<(), EngineError> {
        let name = format!("gwk-probe-{}", crate::ids::random_hex(4));
        let spec = ContainerSpec {
            name: name.clone(),
            image: image.to_string(),
            entrypoint: None,
            cmd: Some(vec!["true".into()]),
            env: Vec::new(),
            labels: HashMap::from([
                (LABEL_RUN.to_string(), PROBE_RUN.to_string()),
                (LABEL_HOME.to_string(), home_label.to_string()),
            ])
            .into_iter()
            .chain(owner_labels())
            .collect(),
            binds: Vec::new(),
            gpus: GpuRequest::Count(1),
            network: Some("none".into()),
            memory: None,
        };
        self.create(&spec).await?;
        let started = self.start(&name).await;
        let _ = self.remove_container(&name).await;
        started
    }
}
