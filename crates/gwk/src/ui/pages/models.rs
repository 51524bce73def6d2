//! The models create-model@v1 registered (`gwk models list`).

use crate::ui::Shared;
use crate::ui::html::{self, enc};
use axum::extract::State;
use gwk_run::models::ModelStore;
use maud::{Markup, html};

pub async fn page(State(ui): State<Shared>) -> Markup {
    let models = ModelStore::new(&ui.home).list();
    html::page(
        "Models",
        "Models",
        html! {
            h1 { "Models" }
            @if models.is_empty() {
                p.empty { "No models registered yet (create-model@v1 registers them)." }
            } @else {
                table.models {
                    thead { tr { th { "ID" } th { "Name" } th { "Type" } th { "Files" } th { "Created (UTC)" } th { "Registered by" } } }
                    tbody { @for m in &models { tr {
                        td { code { (m.id) } }
                        td { (m.name) }
                        td { (m.model_type) }
                        td { a href={"/datasets/" (enc(&m.dataset)) "/" (enc(&m.version))} { (m.dataset) ":" (m.version) } }
                        td { (html::time(&m.created)) }
                        td { @if let (Some(run), Some(job)) = (&m.run, &m.job) {
                            a href={"/runs/" (enc(run)) "/jobs/" (enc(job)) "?tab=data"} { "run " code { (run) } " · " (job) }
                        } }
                    } } }
                }
            }
        },
    )
}
