//! One container's life: create → attach → start → wait (or stop at the
//! deadline, or on cancel) → inspect the exit code and OOM flag → remove.
//! Never `AutoRemove`: with it the exit code can be lost in a race.

use super::{Engine, EngineError, NO_GPU_DRIVER, docker_message, is_not_found};
use bollard::models::{ContainerCreateBody, DeviceRequest, HostConfig, Mount, MountType};
use bollard::query_parameters::{
    AttachContainerOptions, CreateContainerOptions, KillContainerOptions, StopContainerOptions,
    WaitContainerOptions,
};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Seconds between SIGTERM and SIGKILL when a container is stopped (on
/// timeout or on the first Ctrl-C).
pub const STOP_GRACE_SECS: i32 = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GpuRequest {
    None,
    /// Any `n` GPUs (the daemon takes devices `0..n`).
    Count(u32),
    /// These device ids (indexes or UUIDs).
    Devices(Vec<String>),
}

impl GpuRequest {
    /// The `HostConfig.device_requests` for it, as `docker run --gpus` makes
    /// them: empty driver, capabilities `[["gpu"]]`, a count or device ids
    /// (never both: the daemon refuses that).
    pub fn device_requests(&self) -> Option<Vec<DeviceRequest>> {
        let caps = Some(vec![vec!["gpu".to_string()]]);
        match self {
            GpuRequest::None => None,
            GpuRequest::Count(n) => Some(vec![DeviceRequest {
                driver: Some(String::new()),
                count: Some(i64::from(*n)),
                device_ids: None,
                capabilities: caps,
                options: None,
            }]),
            GpuRequest::Devices(ids) => Some(vec![DeviceRequest {
                driver: Some(String::new()),
                count: None,
                device_ids: Some(ids.clone()),
                capabilities: caps,
                options: None,
            }]),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindMount {
    pub source: String,
    pub target: String,
    pub read_only: bool,
}

/// Everything needed to create one container.
#[derive(Clone, Debug)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    /// Replaces the image's ENTRYPOINT when set.
    pub entrypoint: Option<Vec<String>>,
    /// Replaces the image's CMD when set.
    pub cmd: Option<Vec<String>>,
    /// `KEY=value` strings.
    pub env: Vec<String>,
    pub labels: HashMap<String, String>,
    pub binds: Vec<BindMount>,
    pub gpus: GpuRequest,
    /// `none`, `bridge`, `host`, a network name; the engine's default when unset.
    pub network: Option<String>,
    /// Memory limit in bytes, swap included (no swap beyond it); none when
    /// unset.
    pub memory: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputStream {
    Stdout,
    Stderr,
}

/// What the caller wants from a running container.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Control {
    Run,
    /// SIGTERM, then SIGKILL after the grace period.
    Stop,
    /// SIGKILL now.
    Kill,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    Timeout,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerExit {
    pub exit_code: i64,
    pub oom_killed: bool,
    /// Set when gwk stopped the container itself.
    pub stopped: Option<StopReason>,
}

/// Receives output lines (without their newline) as they come.
pub type LineSink = Arc<dyn Fn(OutputStream, &str) + Send + Sync>;

impl Engine {
    pub(crate) async fn create(&self, spec: &ContainerSpec) -> Result<(), EngineError> {
        self.create_with(spec, false).await
    }

    /// Creates the container; `interactive`: with a terminal and stdin
    /// (`gwk runs shell`).
    pub(crate) async fn create_with(
        &self,
        spec: &ContainerSpec,
        interactive: bool,
    ) -> Result<(), EngineError> {
        let mounts = spec
            .binds
            .iter()
            .map(|b| Mount {
                target: Some(b.target.clone()),
                source: Some(b.source.clone()),
                typ: Some(MountType::BIND),
                read_only: Some(b.read_only),
                ..Default::default()
            })
            .collect();
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            entrypoint: spec.entrypoint.clone(),
            cmd: spec.cmd.clone(),
            env: Some(spec.env.clone()),
            labels: Some(spec.labels.clone()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            attach_stdin: Some(interactive),
            open_stdin: Some(interactive),
            stdin_once: Some(interactive),
            tty: Some(interactive),
            host_config: Some(HostConfig {
                mounts: Some(mounts),
                device_requests: spec.gpus.device_requests(),
                network_mode: spec.network.clone(),
                memory: spec.memory.map(|m| m as i64),
                memory_swap: spec.memory.map(|m| m as i64),
                auto_remove: Some(false),
                ..Default::default()
            }),
            ..Default::default()
        };
        self.docker
            .create_container(
                Some(CreateContainerOptions {
                    name: Some(spec.name.clone()),
                    platform: String::new(),
                }),
                body,
            )
            .await
            .map_err(|e| {
                if is_not_found(&e) {
                    EngineError::ImageMissing {
                        image: spec.image.clone(),
                    }
                } else {
                    EngineError::api(format!("cannot create container {}", spec.name), e)
                }
            })?;
        Ok(())
    }

    pub(crate) async fn start(&self, name: &str) -> Result<(), EngineError> {
        self.docker
            .start_container(
                name,
                None::<bollard::query_parameters::StartContainerOptions>,
            )
            .await
            .map_err(|e| {
                let message = docker_message(&e);
                if message.contains(NO_GPU_DRIVER) {
                    EngineError::NoGpuSupport { answer: message }
                } else {
                    EngineError::Api {
                        context: format!("cannot start container {name}"),
                        message,
                    }
                }
            })
    }

    /// Runs a container to its end and removes it, whatever happens.
    /// `deadline`: stop it then (timeout). `control`: stop or kill it on
    /// request (Ctrl-C). Output lines go to `sink` as they come.
    pub async fn run_container(
        &self,
        spec: &ContainerSpec,
        sink: LineSink,
        deadline: Option<Instant>,
        control: watch::Receiver<Control>,
    ) -> Result<ContainerExit, EngineError> {
        if *control.borrow() != Control::Run {
            return Ok(ContainerExit {
                exit_code: -1,
                oom_killed: false,
                stopped: Some(StopReason::Cancelled),
            });
        }
        self.create(spec).await?;
        let result = self.attach_start_wait(spec, sink, deadline, control).await;
        match result {
            // The exit code and outputs are known: removal need not hold up
            // the jobs that wait for this one.
            Ok(exit) => {
                self.remove_later(&spec.name);
                Ok(exit)
            }
            Err(e) => {
                let _ = self.remove_container(&spec.name).await;
                Err(e)
            }
        }
    }

    async fn attach_start_wait(
        &self,
        spec: &ContainerSpec,
        sink: LineSink,
        deadline: Option<Instant>,
        mut control: watch::Receiver<Control>,
    ) -> Result<ContainerExit, EngineError> {
        let name = spec.name.as_str();
        let attached = self
            .docker
            .attach_container(
                name,
                Some(AttachContainerOptions {
                    stream: true,
                    stdout: true,
                    stderr: true,
                    logs: true,
                    ..Default::default()
                }),
            )
            .await
            .map_err(|e| EngineError::api(format!("cannot attach to container {name}"), e))?;
        let mut output = attached.output;
        let logs = tokio::spawn(async move {
            let mut lines = LineSplitter::default();
            while let Some(Ok(chunk)) = output.next().await {
                use bollard::container::LogOutput;
                let (stream, bytes) = match chunk {
                    LogOutput::StdOut { message } | LogOutput::Console { message } => {
                        (OutputStream::Stdout, message)
                    }
                    LogOutput::StdErr { message } => (OutputStream::Stderr, message),
                    LogOutput::StdIn { .. } => continue,
                };
                lines.push(stream, &bytes, &*sink);
            }
            lines.finish(&*sink);
        });

        if let Err(e) = self.start(name).await {
            logs.abort();
            return Err(e);
        }

        let mut wait = self.docker.wait_container(
            name,
            Some(WaitContainerOptions {
                condition: "not-running".into(),
            }),
        );
        let mut stopped = None;
        let mut stopping: Option<tokio::task::JoinHandle<()>> = None;
        let far = Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600);
        let mut deadline = deadline;
        loop {
            tokio::select! {
                next = wait.next() => {
                    match next {
                        // A non-zero exit is reported as an error by bollard:
                        // it is "the job failed", read from inspect below.
                        Some(Ok(_)) | Some(Err(bollard::errors::Error::DockerContainerWaitError { .. })) | None => break,
                        Some(Err(e)) => {
                            // The wait request itself broke (daemon restart, timeout):
                            // fall back to polling the container's state.
                            if self.is_running(name).await? {
                                tokio::time::sleep(Duration::from_millis(500)).await;
                                wait = self.docker.wait_container(name, Some(WaitContainerOptions { condition: "not-running".into() }));
                                let _ = e;
                                continue;
                            }
                            break;
                        }
                    }
                }
                _ = tokio::time::sleep_until(deadline.unwrap_or(far)), if deadline.is_some() => {
                    deadline = None;
                    stopped.get_or_insert(StopReason::Timeout);
                    stopping = Some(self.spawn_stop(name, Control::Stop));
                }
                changed = control.changed() => {
                    if changed.is_err() {
                        // The controller is gone: nobody can cancel any more.
                        control = watch::channel(Control::Run).1;
                        continue;
                    }
                    let c = *control.borrow();
                    if c != Control::Run {
                        stopped = Some(StopReason::Cancelled);
                        if let Some(h) = stopping.take() { h.abort(); }
                        stopping = Some(self.spawn_stop(name, c));
                    }
                }
            }
        }
        if let Some(h) = stopping {
            let _ = h.await;
        }
        // The attach stream ends when the container does; give it a moment
        // to hand over the last lines.
        let _ = tokio::time::timeout(Duration::from_secs(10), logs).await;

        let state = self
            .docker
            .inspect_container(
                name,
                None::<bollard::query_parameters::InspectContainerOptions>,
            )
            .await
            .map_err(|e| EngineError::api(format!("cannot inspect container {name}"), e))?
            .state
            .unwrap_or_default();
        Ok(ContainerExit {
            exit_code: state.exit_code.unwrap_or(-1),
            oom_killed: state.oom_killed.unwrap_or(false),
            stopped,
        })
    }

    async fn is_running(&self, name: &str) -> Result<bool, EngineError> {
        let c = self
            .docker
            .inspect_container(
                name,
                None::<bollard::query_parameters::InspectContainerOptions>,
            )
            .await
            .map_err(|e| EngineError::api(format!("cannot inspect container {name}"), e))?;
        Ok(c.state.and_then(|s| s.running).unwrap_or(false))
    }

    fn spawn_stop(&self, name: &str, how: Control) -> tokio::task::JoinHandle<()> {
        let docker = self.docker.clone();
        let name = name.to_string();
        tokio::spawn(async move {
            let _ = match how {
                Control::Kill => {
                    docker
                        .kill_container(
                            &name,
                            Some(KillContainerOptions {
                                signal: "SIGKILL".into(),
                            }),
                        )
                        .await
                }
                _ => {
                    docker
                        .stop_container(
                            &name,
                            Some(StopContainerOptions {
                                t: Some(STOP_GRACE_SECS),
                                signal: None,
                            }),
                        )
                        .await
                }
            };
        })
    }
}

/// Cuts byte chunks into lines, per stream; a line split across chunks is
/// delivered whole.
#[derive(Default)]
struct LineSplitter {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl LineSplitter {
    fn push(
        &mut self,
        stream: OutputStream,
        bytes: &[u8],
        sink: &(dyn Fn(OutputStream, &str) + Send + Sync),
    ) {
        let buf = match stream {
            OutputStream::Stdout => &mut self.stdout,
            OutputStream::Stderr => &mut self.stderr,
        };
        buf.extend_from_slice(bytes);
        while let Some(pos) = buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buf.drain(..=pos).collect();
            let text = String::from_utf8_lossy(&line[..line.len() - 1]);
            sink(stream, text.trim_end_matches('\r'));
        }
        // A runaway line without newline: deliver it in pieces.
        if buf.len() > 64 * 1024 {
            let text = String::from_utf8_lossy(buf).to_string();
            buf.clear();
            sink(stream, &text);
        }
    }

    fn finish(&mut self, sink: &(dyn Fn(OutputStream, &str) + Send + Sync)) {
        for (stream, buf) in [
            (OutputStream::Stdout, &mut self.stdout),
            (OutputStream::Stderr, &mut self.stderr),
        ] {
            if !buf.is_empty() {
                let text = String::from_utf8_lossy(buf).to_string();
                buf.clear();
                sink(stream, text.trim_end_matches('\r'));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn lines_split_across_chunks_arrive_whole() {
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        let sink = move |s: OutputStream, l: &str| g.lock().unwrap().push((s, l.to_string()));
        let mut sp = LineSplitter::default();
        sp.push(OutputStream::Stdout, b"hel", &sink);
        sp.push(OutputStream::Stderr, b"err\r\n", &sink);
        sp.push(OutputStream::Stdout, b"lo\nwor", &sink);
        sp.finish(&sink);
        assert_eq!(
            *got.lock().unwrap(),
            [
                (OutputStream::Stderr, "err".to_string()),
                (OutputStream::Stdout, "hello".to_string()),
                (OutputStream::Stdout, "wor".to_string()),
            ]
        );
    }

    #[test]
    fn gpu_requests_are_count_or_ids_never_both() {
        let c = &GpuRequest::Count(2).device_requests().unwrap()[0];
        assert_eq!((c.count, c.device_ids.is_none()), (Some(2), true));
        assert_eq!(c.capabilities, Some(vec![vec!["gpu".to_string()]]));
        assert_eq!(c.driver.as_deref(), Some(""));
        let d = &GpuRequest::Devices(vec!["1".into(), "3".into()])
            .device_requests()
            .unwrap()[0];
        assert_eq!(
            (d.count, d.device_ids.clone()),
            (None, Some(vec!["1".into(), "3".into()]))
        );
        assert!(GpuRequest::None.device_requests().is_none());
    }
}
