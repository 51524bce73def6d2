//! `gwk ui`: the Gradient console on your own machine. An axum server on
//! the tokio runtime gwk already has; HTML rendered here with maud (checked
//! at compile time), a little plain JavaScript for live updates over
//! server-sent events, every asset inside the binary (docs/ui.md).
//!
//! It reads the run store the CLI writes (`$GWK_HOME/runs`, the dataset
//! and model stores) through gwk-run's functions, and starts runs by
//! running `gwk run` itself, so a run started here is a run like any other.
//!
//! Security comes first: [`guard`] checks every request's `Host`, `Origin`
//! and token before any handler runs; [`safe_path`] keeps every file path
//! a request names inside the directory the server chose.

// Handlers return `Result<_, Response>`: the error is the page the user
// gets (a 403, a 404), made once per refused request, so its size does not
// matter and boxing it would only add noise to every handler.
#![allow(clippy::result_large_err)]

mod actions;
mod assets;
mod files;
mod guard;
mod html;
mod live;
mod logs;
mod pages;
pub mod safe_path;
mod store;

use axum::Router;
use axum::routing::{get, post};
use std::path::PathBuf;
use std::sync::Arc;

/// What every handler shares.
pub struct Ui {
    /// `$GWK_HOME`: runs, datasets, models.
    pub home: PathBuf,
    /// The project whose workflow files the Workflows page lists.
    pub project: PathBuf,
    /// The `gwk` executable that starts runs (this one).
    pub gwk_exe: PathBuf,
    pub guard: guard::Guard,
    pub runs: store::RunIndex,
}

pub type Shared = Arc<Ui>;

impl Ui {
    pub fn new(home: PathBuf, project: PathBuf, gwk_exe: PathBuf, guard: guard::Guard) -> Ui {
        Ui {
            runs: store::RunIndex::new(home.clone()),
            home,
            project,
            gwk_exe,
            guard,
        }
    }
}

pub use guard::{Guard, new_token};

/// Every page and endpoint, behind the guard.
pub fn router(ui: Shared) -> Router {
    Router::new()
        .route("/", get(pages::runs::page))
        .route("/runs", get(pages::runs::page))
        .route("/runs/live", get(live::runs_table))
        .route("/runs/{id}", get(pages::run::page))
        .route("/runs/{id}/events", get(live::run_states))
        .route("/runs/{id}/cancel", post(actions::cancel))
        .route("/runs/{id}/jobs/{job}", get(pages::job::page))
        .route("/runs/{id}/jobs/{job}/log", get(logs::range))
        .route("/runs/{id}/jobs/{job}/log/search", get(logs::search))
        .route(
            "/runs/{id}/jobs/{job}/files/{output}",
            get(files::job_output),
        )
        .route("/datasets", get(pages::datasets::list))
        .route("/datasets/{name}", get(pages::datasets::dataset))
        .route("/datasets/{name}/{version}", get(files::dataset_version))
        .route("/models", get(pages::models::page))
        .route("/workflows", get(pages::workflows::list))
        .route("/workflows/view", get(pages::workflows::view))
        .route("/workflows/run", post(actions::start))
        .route("/assets/{name}", get(assets::asset))
        .fallback(html::not_found)
        .layer(axum::middleware::from_fn_with_state(
            ui.clone(),
            guard::check,
        ))
        .with_state(ui)
}
