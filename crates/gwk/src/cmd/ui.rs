//! `gwk ui`: start the console (crate::ui) and print its URL, token
//! included, as the first line.

use anyhow::{Context, Result};
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// The address to listen on. Anything but a loopback address lets
    /// other machines reach the console (they still need the token).
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// The port (0: any free port).
    #[arg(long, value_name = "N", default_value_t = 8418)]
    pub port: u16,
    /// The project whose workflow files the Workflows page lists and runs
    /// (default: the current directory).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub project: PathBuf,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let home = crate::cmd::gwk_home()?;
    let project = args.project.canonicalize().with_context(|| {
        format!(
            "cannot open the project directory {}",
            args.project.display()
        )
    })?;
    let exe = std::env::current_exe().context("cannot find the gwk executable")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind((args.host, args.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
        let port = listener.local_addr()?.port();
        let host = args.host.to_string();
        let token = crate::ui::new_token().context("cannot make a token")?;
        let shown = match args.host {
            IpAddr::V6(_) => format!("[{host}]"),
            IpAddr::V4(_) => host.clone(),
        };
        // The first line is the URL, so a script (or a test) can read it.
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "http://{shown}:{port}/?token={token}")?;
            out.flush()?;
        }
        if !args.host.is_loopback() {
            eprintln!(
                "gwk ui: warning: listening on {host}, not a loopback address: other machines can reach the console (anyone with the URL above can see every run's data and start runs)"
            );
        }
        eprintln!(
            "gwk ui: runs in {}, workflows in {}; Ctrl-C stops the console (runs it started go on)",
            home.display(),
            project.display()
        );
        let guard = crate::ui::Guard::new(token, &host, port);
        let ui = Arc::new(crate::ui::Ui::new(home, project, exe, guard));
        axum::serve(listener, crate::ui::router(ui))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the console's server stopped")?;
        Ok::<_, anyhow::Error>(())
    })?;
    // Open event streams would keep a graceful shutdown waiting: stop now.
    rt.shutdown_background();
    Ok(ExitCode::SUCCESS)
}
