//! The Runs page: every run, newest first, filtered by file and status,
//! a page at a time; page one follows new runs live (live.rs).

use crate::ui::Shared;
use crate::ui::html::{self, enc};
use crate::ui::store::{Filter, RunRow};
use axum::extract::{Query, State};
use maud::{Markup, html};

pub const PER_PAGE: usize = 50;

#[derive(Debug, Default, serde::Deserialize)]
pub struct RunsQuery {
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub page: usize,
}

impl RunsQuery {
    pub fn filter(&self) -> Filter {
        Filter {
            file: self.file.clone(),
            status: self.status.clone(),
        }
    }

    /// The query string for page `page` with the same filters.
    pub fn href(&self, page: usize) -> String {
        format!(
            "/runs?file={}&status={}&page={page}",
            enc(&self.file),
            enc(&self.status)
        )
    }
}

const STATUSES: [&str; 5] = ["running", "succeeded", "failed", "cancelled", "interrupted"];

pub async fn page(State(ui): State<Shared>, Query(q): Query<RunsQuery>) -> Markup {
    let ui2 = ui.clone();
    let filter = q.filter();
    let page = q.page;
    let (rows, total) = tokio::task::spawn_blocking(move || ui2.runs.page(&filter, page, PER_PAGE))
        .await
        .unwrap_or_default();
    let files = ui.runs.files();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let live = format!(
        "/runs/live?file={}&status={}&page={}",
        enc(&q.file),
        enc(&q.status),
        q.page
    );
    html::page(
        "Runs",
        "Runs",
        html! {
            h1 { "Runs" }
            form.filters method="get" action="/runs" {
                label { "File " select name="file" {
                    option value="" { "all files" }
                    @for f in &files { option value=(f) selected[*f == q.file] { (f) } }
                } }
                label { "Status " select name="status" {
                    option value="" { "any status" }
                    @for s in STATUSES { option value=(s) selected[s == q.status] { (s) } }
                } }
                button type="submit" { "Filter" }
                span.count #run-count { (total) " run" @if total != 1 { "s" } }
            }
            table.runs #runs data-live=(live) {
                thead { tr { th { "Run" } th { "Workflow file" } th { "Status" } th { "Started (UTC)" } th { "Duration" } th { "Started by" } } }
                tbody #runs-body { (rows_html(&rows)) }
            }
            @if total == 0 {
                p.empty { "No runs yet. Start one with " code { "gwk run FILE" } " or from the " a href="/workflows" { "Workflows" } " page." }
            }
            nav.pager {
                @if q.page > 0 { a rel="prev" href=(q.href(q.page - 1)) { "← newer" } }
                span { "page " (q.page + 1) " of " (pages) }
                @if q.page + 1 < pages { a rel="next" href=(q.href(q.page + 1)) { "older →" } }
            }
        },
    )
}

/// The table's rows (also sent live, as one block, when they change).
pub fn rows_html(rows: &[RunRow]) -> Markup {
    html! {
        @for r in rows {
            tr data-run=(r.id) {
                td { a href={"/runs/" (enc(&r.id))} { code { (r.id) } } }
                td { (r.file) }
                td { (html::status(&r.status)) }
                td { (html::time(&r.started)) }
                td { (html::duration(r.duration_secs)) }
                td { @match (&r.resumed_from, &r.triggered_by) {
                    (Some(from), _) => { "resume of " a href={"/runs/" (enc(from))} { code { (from) } } }
                    (None, Some(git_ref)) => { "trigger: " code { (git_ref) } }
                    (None, None) => { "gwk run" }
                } }
            }
        }
    }
}
