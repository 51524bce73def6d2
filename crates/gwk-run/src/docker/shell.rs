//! A container with the caller's terminal attached (`gwk runs shell`):
//! the terminal in raw mode (keys, Ctrl-C included, go to the shell in the
//! container), its size followed, and the container removed however the
//! shell ends: exit, a signal to gwk, an error.

use super::{ContainerSpec, Engine, EngineError};
use bollard::query_parameters::{AttachContainerOptions, ResizeContainerTTYOptions};
use futures_util::StreamExt;
use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

impl Engine {
    /// Runs `spec` with this process's terminal attached; its exit code.
    /// `stop` resolving (SIGTERM, SIGHUP to gwk) ends it. The container is
    /// removed in every case.
    pub async fn run_interactive(
        &self,
        spec: &ContainerSpec,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<i64, EngineError> {
        self.create_with(spec, true).await?;
        let result = tokio::select! {
            r = self.interact(&spec.name) => r,
            () = stop => Ok(-1),
        };
        let _ = self.remove_container(&spec.name).await;
        result
    }

    async fn interact(&self, name: &str) -> Result<i64, EngineError> {
        let attached = self
            .docker
            .attach_container(
                name,
                Some(AttachContainerOptions {
                    stream: true,
                    stdin: true,
                    stdout: true,
                    stderr: true,
                    ..Default::default()
                }),
            )
            .await
            .map_err(|e| EngineError::api(format!("cannot attach to container {name}"), e))?;
        let mut output = attached.output;
        let mut input = attached.input;
        self.start(name).await?;
        let _raw = RawTerminal::enter();
        self.follow_size(name).await;
        let mut winch =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()).ok();

        // Keys: a thread polls stdin (a blocking read could not be ended)
        // and hands what it reads to the container.
        let done = Arc::new(AtomicBool::new(false));
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
        let reader = {
            let done = done.clone();
            std::thread::spawn(move || read_stdin(&done, &tx))
        };
        let pump = tokio::spawn(async move {
            while let Some(bytes) = rx.recv().await {
                if input.write_all(&bytes).await.is_err() || input.flush().await.is_err() {
                    break;
                }
            }
        });
        loop {
            tokio::select! {
                chunk = output.next() => match chunk {
                    Some(Ok(out)) => {
                        let mut stdout = std::io::stdout().lock();
                        let _ = stdout.write_all(&out.into_bytes());
                        let _ = stdout.flush();
                    }
                    // The stream ends with the container.
                    Some(Err(_)) | None => break,
                },
                Some(()) = async { match winch.as_mut() { Some(w) => w.recv().await, None => std::future::pending().await } } => {
                    self.follow_size(name).await;
                }
            }
        }
        done.store(true, Ordering::Relaxed);
        pump.abort();
        let _ = reader.join();
        // The stream may end a moment before the container is seen exited.
        for _ in 0..50 {
            let state = self
                .docker
                .inspect_container(
                    name,
                    None::<bollard::query_parameters::InspectContainerOptions>,
                )
                .await
                .map_err(|e| EngineError::api(format!("cannot inspect container {name}"), e))?
                .state;
            if let Some(s) = state
                && s.running != Some(true)
            {
                return Ok(s.exit_code.unwrap_or(-1));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(-1)
    }

    /// Gives the container's terminal the size of ours.
    async fn follow_size(&self, name: &str) {
        if let Some((h, w)) = terminal_size() {
            let _ = self
                .docker
                .resize_container_tty(name, ResizeContainerTTYOptions { h, w })
                .await;
        }
    }
}

/// Reads stdin until `done` (polling, so the thread can end) and sends what
/// it reads; at end of input, sends nothing more.
fn read_stdin(done: &AtomicBool, tx: &tokio::sync::mpsc::Sender<Vec<u8>>) {
    let mut buf = [0u8; 4096];
    while !done.load(Ordering::Relaxed) {
        let mut fds = libc::pollfd {
            fd: 0,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, for the length given.
        let ready = unsafe { libc::poll(&mut fds, 1, 100) };
        if ready <= 0 {
            continue;
        }
        match std::io::stdin().lock().read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if tx.blocking_send(buf[..n].to_vec()).is_err() {
                    return;
                }
            }
        }
    }
}

/// Rows and columns of the terminal on stdout, if it is one.
fn terminal_size() -> Option<(i32, i32)> {
    // SAFETY: TIOCGWINSZ fills the winsize given.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) } == 0;
    (ok && ws.ws_row > 0).then(|| (i32::from(ws.ws_row), i32::from(ws.ws_col)))
}

/// The terminal on stdin in raw mode (every key to the container, no echo
/// by ours), restored when dropped. Nothing when stdin is no terminal.
struct RawTerminal(Option<libc::termios>);

impl RawTerminal {
    fn enter() -> RawTerminal {
        // SAFETY: termios calls on fd 0 with a termios they fill.
        unsafe {
            if libc::isatty(0) != 1 {
                return RawTerminal(None);
            }
            let mut old: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut old) != 0 {
                return RawTerminal(None);
            }
            let mut raw = old;
            libc::cfmakeraw(&mut raw);
            if libc::tcsetattr(0, libc::TCSANOW, &raw) != 0 {
                return RawTerminal(None);
            }
            RawTerminal(Some(old))
        }
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        if let Some(old) = &self.0 {
            // SAFETY: restores the settings read in `enter`.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, old);
            }
        }
    }
}
