//! What the console changes: it starts a run and cancels one, both through
//! `gwk run` itself. Starting runs this very executable as `gwk run FILE
//! --input ...` in the project (so the run is planned, checked and
//! recorded exactly as from a terminal); cancelling sends the run's gwk an
//! interrupt, as Ctrl-C in its terminal would. The guard has already made
//! sure the request carries the token and comes from the console's own
//! page.

use crate::ui::Shared;
use crate::ui::html::{self, enc};
use crate::ui::pages::workflows::project_file;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gwk_run::rundir::{RunDir, run_ids};
use std::io::{Read, Seek};
use std::time::{Duration, Instant};

/// How long a started `gwk run` may take to create its run (it checks and
/// plans the file first; image pulls come after).
const START_WAIT: Duration = Duration::from_secs(30);

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// The `gwk run` arguments for a form: `file`, and `input.NAME` fields.
pub fn run_args(fields: &[(String, String)]) -> Result<(String, Vec<String>), String> {
    let mut file = None;
    let mut args = vec![
        "run".to_string(),
        "--quiet".to_string(),
        "--color=never".to_string(),
    ];
    for (k, v) in fields {
        if k == "file" {
            file = Some(v.clone());
        } else if let Some(name) = k.strip_prefix("input.") {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(format!("`{name}` is not an input name"));
            }
            args.push(format!("--input={name}={v}"));
        } else {
            return Err(format!("unknown field `{k}`"));
        }
    }
    let file = file.ok_or("which file? (no `file` field)")?;
    args.push("--".into());
    args.push(file.clone());
    Ok((file, args))
}

pub async fn start(
    State(ui): State<Shared>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let (file, args) = match run_args(&fields) {
        Ok(x) => x,
        Err(e) => return html::error(StatusCode::BAD_REQUEST, &e),
    };
    if let Err(e) = project_file(&ui.project, &file) {
        return e;
    }
    // Its output goes to a file no one else can open (unlinked), read
    // here only if it stops before its run starts; a pipe would break
    // (and stop the run) if the console exits first.
    let out = match tempfile::tempfile() {
        Ok(f) => f,
        Err(e) => {
            return html::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("cannot start: {e}"),
            );
        }
    };
    let (Ok(o1), Ok(o2)) = (out.try_clone(), out.try_clone()) else {
        return html::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot start: no file handle",
        );
    };
    let mut cmd = tokio::process::Command::new(&ui.gwk_exe);
    cmd.args(&args)
        .current_dir(&ui.project)
        .env("GWK_HOME", &ui.home)
        .stdin(std::process::Stdio::null())
        .stdout(o1)
        .stderr(o2)
        // Its own process group: Ctrl-C on `gwk ui` does not cancel the
        // runs it started.
        .process_group(0);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return html::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("cannot start gwk run: {e}"),
            );
        }
    };
    let Some(pid) = child.id().map(|p| p as i32) else {
        return html::error(StatusCode::INTERNAL_SERVER_ERROR, "gwk run ended at once");
    };
    let since = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            // Perhaps it ran to its end already; else it refused.
            if let Some(id) = run_of(&ui.home, pid, true) {
                return see_other(&format!("/runs/{}", enc(&id)));
            }
            let mut out = out;
            let mut text = String::new();
            let _ = out.rewind();
            let _ = out.take(64 << 10).read_to_string(&mut text);
            let msg = format!("gwk run {file} stopped before its run started ({status}):\n{text}");
            return html::error(StatusCode::UNPROCESSABLE_ENTITY, &msg);
        }
        if let Some(id) = run_of(&ui.home, pid, false) {
            // Reap it when it ends.
            tokio::spawn(async move {
                let _ = child.wait().await;
            });
            return see_other(&format!("/runs/{}", enc(&id)));
        }
        if since.elapsed() > START_WAIT {
            tokio::spawn(async move {
                let _ = child.wait().await;
            });
            return html::error(
                StatusCode::GATEWAY_TIMEOUT,
                "gwk run has not started its run after 30 s; see the Runs page later",
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The run whose lock `pid` holds (`ended`: the newest run, whose lock is
/// gone, if it started after we did: a run that ended at once).
fn run_of(home: &std::path::Path, pid: i32, ended: bool) -> Option<String> {
    for id in run_ids(home).into_iter().take(20) {
        let Some(dir) = RunDir::open(home, &id) else {
            continue;
        };
        let line = std::fs::read_to_string(dir.lock_path()).unwrap_or_default();
        if gwk_run::process::Owner::parse(&line).is_some_and(|o| o.pid == pid) {
            return Some(id);
        }
        if ended {
            // Without a lock to tell, the newest run started in the last
            // seconds is taken to be its run.
            let r = dir.read_record().ok()?;
            let started: jiff::Timestamp = r.started.parse().ok()?;
            let age = jiff::Timestamp::now().duration_since(started);
            return (age.as_secs() < START_WAIT.as_secs() as i64).then_some(id);
        }
    }
    None
}

pub async fn cancel(State(ui): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(dir) = RunDir::open(&ui.home, &id) else {
        return html::error(StatusCode::NOT_FOUND, &format!("no run `{id}`"));
    };
    let Some(pid) = dir.live_owner() else {
        return html::error(StatusCode::CONFLICT, &format!("run {id} is not running"));
    };
    // SIGINT: what Ctrl-C in its terminal sends; gwk run stops its
    // containers (10 s grace) and records the run as cancelled.
    // SAFETY: kill(2) on a pid the lock file names and that is alive
    // with the start time recorded there (live_owner checks both).
    if unsafe { libc::kill(pid, libc::SIGINT) } != 0 {
        return html::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!(
                "cannot signal gwk (pid {pid}): {}",
                std::io::Error::last_os_error()
            ),
        );
    }
    see_other(&format!("/runs/{}", enc(&id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(k: &str, v: &str) -> (String, String) {
        (k.into(), v.into())
    }

    #[test]
    fn a_form_becomes_gwk_run_arguments() {
        let (file, args) = run_args(&[f("file", "w.yaml"), f("input.epochs", "-3")]).unwrap();
        assert_eq!(file, "w.yaml");
        assert_eq!(
            args,
            [
                "run",
                "--quiet",
                "--color=never",
                "--input=epochs=-3",
                "--",
                "w.yaml"
            ]
        );
    }

    #[test]
    fn odd_fields_are_refused() {
        assert!(run_args(&[f("file", "w"), f("input.-x --rm", "1")]).is_err());
        assert!(run_args(&[f("file", "w"), f("docker_host", "tcp://x")]).is_err());
        assert!(run_args(&[f("input.a", "1")]).is_err());
    }
}
