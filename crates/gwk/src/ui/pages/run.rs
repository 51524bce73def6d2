//! A run: its record, the job graph coloured by each job's state (kept
//! live by live.rs), and its jobs.

use crate::ui::Shared;
use crate::ui::html::{self, enc};
use crate::ui::store::shown_status;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gwk_run::rundir::{RunDir, RunRecord};
use maud::{PreEscaped, html};

/// The run an id in a URL names, with its record; or the error page.
pub fn open(ui: &Shared, id: &str) -> Result<(RunDir, RunRecord), Response> {
    let Some(dir) = RunDir::open(&ui.home, id) else {
        return Err(html::error(
            StatusCode::NOT_FOUND,
            &format!("no run `{id}`"),
        ));
    };
    match dir.read_record() {
        Ok(r) => Ok((dir, r)),
        Err(e) => Err(html::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("cannot read the record of run {id}: {e}"),
        )),
    }
}

/// The job graph of the spec the run ran (its `spec.yaml`), drawn by
/// gwk-spec, each job's box marked with its state for the stylesheet.
pub fn graph_svg(dir: &RunDir, record: &RunRecord) -> Option<String> {
    let bytes = std::fs::read(dir.path.join("spec.yaml")).ok()?;
    let config = gwk_spec::Config::default();
    let analysis = gwk_spec::analyze_bytes(&bytes, &config);
    let wf = analysis.workflow.as_ref()?;
    let view = gwk_spec::graph_view::graph_view(wf, &config);
    let mut svg = gwk_spec::graph_view::svg(&view);
    for j in &record.jobs {
        let attr = format!("data-job=\"{}\"", xml_attr(&j.name));
        svg = svg.replacen(
            &attr,
            &format!("{attr} data-state=\"{}\"", j.status.as_str()),
            1,
        );
    }
    Some(svg)
}

/// Text as gwk-spec's SVG writes it in an attribute.
fn xml_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

pub async fn page(State(ui): State<Shared>, Path(id): Path<String>) -> Response {
    let (dir, r) = match open(&ui, &id) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let status = shown_status(&dir, &r);
    let live = dir.live_owner().is_some();
    let svg = graph_svg(&dir, &r);
    let base = format!("/runs/{}", enc(&r.id));
    html::page(
        &format!("Run {}", r.id),
        "Runs",
        html! {
            h1 { "Run " code { (r.id) } " " span #run-status { (html::status(&status)) } }
            dl.facts {
                dt { "Workflow file" } dd { a href={"/workflows/view?file=" (enc(&r.file))} { (r.file) } }
                dt { "Started (UTC)" } dd { (html::time(&r.started)) }
                dt { "Duration" } dd #run-duration { (html::duration(r.duration_secs)) }
                @if let Some(from) = &r.resumed_from {
                    dt { "Resumes" } dd { a href={"/runs/" (enc(from))} { code { (from) } } }
                }
                @if let Some(git_ref) = &r.triggered_by {
                    dt { "Started by" } dd { "a push to " code { (git_ref) } " (gwk trigger)" }
                }
            }
            @if live {
                form.cancel method="post" action={(base) "/cancel"} {
                    button type="submit" { "Cancel run" }
                }
            }
            h2 { "Graph" }
            div.graph #graph data-events={(base) "/events"} data-base=(base) {
                @match &svg {
                    Some(s) => { (PreEscaped(s)) }
                    None => { p.empty { "This run kept no readable workflow file to draw." } }
                }
            }
            h2 { "Jobs" }
            table.jobs {
                thead { tr { th { "Job" } th { "Status" } th { "Exit" } th { "Duration" } th { "Message" } } }
                tbody {
                    @for j in &r.jobs {
                        tr data-job=(j.name) {
                            td { a href={(base) "/jobs/" (enc(&j.name))} { (j.name) } }
                            td.state { (html::status(j.status.as_str())) }
                            td { @if let Some(c) = j.exit_code { (c) } }
                            td { (html::duration(j.duration_secs)) }
                            td { @if let Some(m) = &j.message { (m) } }
                        }
                    }
                }
            }
        },
    )
    .into_response()
}
