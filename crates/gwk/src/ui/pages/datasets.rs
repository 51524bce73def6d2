//! The local dataset store: datasets, their versions and tags; a version's
//! files are browsed through files.rs.

use crate::ui::Shared;
use crate::ui::html::{self, enc};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gwk_run::datasets::DatasetStore;
use maud::html;

pub async fn list(State(ui): State<Shared>) -> Response {
    let store = DatasetStore::new(&ui.home);
    let sets = store.list().unwrap_or_default();
    html::page(
        "Datasets",
        "Datasets",
        html! {
            h1 { "Datasets" }
            @if sets.is_empty() {
                p.empty { "No datasets in " code { (store.root().display()) } " yet." }
            } @else {
                table.datasets {
                    thead { tr { th { "Dataset" } th { "Versions" } th { "Latest" } th { "Tags" } } }
                    tbody { @for d in &sets { tr {
                        td { a href={"/datasets/" (enc(&d.name))} { (d.name) } }
                        td { (d.versions) }
                        td { @if let Some(l) = &d.latest { a href={"/datasets/" (enc(&d.name)) "/" (enc(l))} { code { (l) } } } }
                        td { @for (t, v) in &d.tags { span.tag title=(v) { (t) } " " } }
                    } } }
                }
            }
        },
    )
    .into_response()
}

pub async fn dataset(State(ui): State<Shared>, Path(name): Path<String>) -> Response {
    let store = DatasetStore::new(&ui.home);
    let versions = match store.versions(&name) {
        Ok(v) => v,
        Err(e) => return html::error(StatusCode::NOT_FOUND, &e.to_string()),
    };
    html::page(
        &name,
        "Datasets",
        html! {
            p.crumbs { a href="/datasets" { "datasets" } " / " (name) }
            h1 { "Dataset " (name) }
            table.versions {
                thead { tr { th { "Version" } th { "Created (UTC)" } th { "Files" } th { "Size" } th { "Tags" } th { "From" } } }
                tbody { @for v in versions.iter().rev() { tr {
                    td { a href={"/datasets/" (enc(&name)) "/" (enc(&v.id))} { code { (v.id) } } }
                    td { (html::time(&v.created)) }
                    td { (v.files) }
                    td { (html::human_bytes(v.bytes)) }
                    td { @for t in &v.tags { span.tag { (t) } " " } }
                    td {
                        @if let (Some(run), Some(job)) = (&v.source.run, &v.source.job) {
                            a href={"/runs/" (enc(run)) "/jobs/" (enc(job)) "?tab=data"} { "run " code { (run) } " · " (job) }
                        } @else if let Some(dir) = &v.source.imported_from {
                            "imported from " code { (dir) }
                        }
                    }
                } } }
            }
        },
    )
    .into_response()
}
