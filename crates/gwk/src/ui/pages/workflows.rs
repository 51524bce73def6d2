//! The project's workflow files (`.gradient/workflows/`), each with its
//! findings as `gwk check` gives them and its plan as `gwk plan` shows it,
//! and a form that starts a run (actions.rs).

use crate::discover::{Configs, WORKFLOW_DIR, workflow_files};
use crate::output::{self, FileReport, Format};
use crate::ui::Shared;
use crate::ui::html::{self, enc};
use crate::ui::safe_path;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gwk_run::datasets::DatasetStore;
use maud::html;
use std::path::{Path, PathBuf};

/// The workflow files under the project, relative to it.
fn files(project: &Path) -> Vec<String> {
    let dir = project.join(WORKFLOW_DIR);
    if !dir.is_dir() {
        return Vec::new();
    }
    workflow_files(&[dir])
        .unwrap_or_default()
        .iter()
        .filter_map(|p| Some(p.strip_prefix(project).ok()?.to_string_lossy().into_owned()))
        .collect()
}

fn check(path: &Path, shown: &str) -> Option<FileReport> {
    let config = Configs::default().for_file(path).ok()?;
    let bytes = std::fs::read(path).ok()?;
    Some(FileReport {
        path: shown.to_string(),
        analysis: gwk_spec::analyze_bytes(&bytes, &config),
    })
}

pub async fn list(State(ui): State<Shared>) -> Response {
    let project = ui.project.clone();
    let rows = tokio::task::spawn_blocking(move || {
        files(&project)
            .into_iter()
            .map(|f| {
                let counts = check(&project.join(&f), &f).map(|r| r.counts());
                (f, counts)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    html::page(
        "Workflows",
        "Workflows",
        html! {
            h1 { "Workflows" }
            p { "In " code { (ui.project.display()) } }
            @if rows.is_empty() {
                p.empty { "No workflow files in " code { (WORKFLOW_DIR) "/" } " here. Start " code { "gwk ui" } " in a project that has them (or give " code { "--project DIR" } ")." }
            } @else {
                table.workflows {
                    thead { tr { th { "File" } th { "Errors" } th { "Warnings" } th { "Infos" } } }
                    tbody { @for (f, c) in &rows { tr {
                        td { a href={"/workflows/view?file=" (enc(f))} { (f) } }
                        @match c {
                            Some(c) => { td.errors[c.errors > 0] { (c.errors) } td { (c.warnings) } td { (c.infos) } }
                            None => { td colspan="3" { "unreadable" } }
                        }
                    } } }
                }
            }
        },
    )
    .into_response()
}

#[derive(Debug, serde::Deserialize)]
pub struct ViewQuery {
    pub file: String,
}

/// The file a request names, inside the project (safe_path's rules).
pub fn project_file(project: &Path, rel: &str) -> Result<PathBuf, Response> {
    match safe_path::resolve(project, rel) {
        Ok(p) if p.is_file() => Ok(p),
        Ok(_) => Err(html::error(
            StatusCode::NOT_FOUND,
            &format!("{rel} is not a file"),
        )),
        Err(e @ safe_path::Refused::Missing(_)) => {
            Err(html::error(StatusCode::NOT_FOUND, &e.to_string()))
        }
        Err(e) => Err(html::error(StatusCode::FORBIDDEN, &e.to_string())),
    }
}

pub async fn view(State(ui): State<Shared>, Query(q): Query<ViewQuery>) -> Response {
    let path = match project_file(&ui.project, &q.file) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let (home, rel) = (ui.home.clone(), q.file.clone());
    let shown = tokio::task::spawn_blocking(move || {
        let report = check(&path, &rel)?;
        let findings = output::render(Format::Human, std::slice::from_ref(&report), false);
        let counts = report.counts();
        let plan = if report.analysis.has_errors() {
            None
        } else {
            // The plan `gwk plan` shows, without reading any secret value.
            let store = DatasetStore::new(&home);
            crate::planning::prepare_without_secrets(&path, &Default::default(), &store)
                .ok()
                .flatten()
                .map(|p| {
                    let text = crate::plan_human::render(
                        &p.plan,
                        &rel,
                        counts.warnings + counts.infos,
                        false,
                    );
                    (text, p.plan.inputs.clone())
                })
        };
        Some((findings, counts, plan))
    })
    .await
    .ok()
    .flatten();
    let Some((findings, counts, plan)) = shown else {
        return html::error(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the file");
    };
    html::page(
        &q.file,
        "Workflows",
        html! {
            p.crumbs { a href="/workflows" { "workflows" } " / " (q.file) }
            h1 { (q.file) }
            h2 { "Findings" }
            @if counts.errors + counts.warnings + counts.infos == 0 {
                p.clean { "No findings." }
            } @else {
                pre.findings { (findings) }
            }
            @if let Some((text, inputs)) = &plan {
                h2 { "Run" }
                form.start method="post" action="/workflows/run" {
                    input type="hidden" name="file" value=(q.file);
                    @for i in inputs.iter().filter(|i| i.io_type == "string") {
                        label { code { (i.name) } " " input type="text" name={"input." (i.name)} value=(i.value.clone().unwrap_or_default()) required[!i.optional && i.value.is_none()]; }
                    }
                    button type="submit" { "Start a run" }
                }
                h2 { "Plan" }
                pre.plan { (text) }
            } @else if counts.errors > 0 {
                p.error { "The file has errors: it cannot be planned or run until they are fixed." }
            }
        },
    )
    .into_response()
}
