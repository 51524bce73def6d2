//! A job of a run: the Logs tab (ranges of the log, followed live and
//! searched by assets/app.js), the Data tab (what the job produced) and
//! the Definition tab (the plan's view of the job, secrets as `***`).

use crate::ui::Shared;
use crate::ui::html::{self, enc};
use crate::ui::pages::run::open;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gwk_run::datasets::DatasetStore;
use gwk_run::models::ModelStore;
use gwk_run::rundir::{JobRecord, RunDir, RunRecord};
use maud::{Markup, html};
use serde_json::Value;

#[derive(Debug, Default, serde::Deserialize)]
pub struct JobQuery {
    #[serde(default)]
    pub tab: String,
}

const TABS: [(&str, &str); 3] = [
    ("logs", "Logs"),
    ("data", "Data"),
    ("definition", "Definition"),
];

pub async fn page(
    State(ui): State<Shared>,
    Path((id, job)): Path<(String, String)>,
    Query(q): Query<JobQuery>,
) -> Response {
    let (dir, r) = match open(&ui, &id) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let Some(j) = r.job(&job) else {
        return html::error(
            StatusCode::NOT_FOUND,
            &format!("run {id} has no job `{job}`"),
        );
    };
    let tab = if TABS.iter().any(|(t, _)| *t == q.tab) {
        q.tab.as_str()
    } else {
        "logs"
    };
    let base = format!("/runs/{}/jobs/{}", enc(&r.id), enc(&j.name));
    let body = match tab {
        "data" => data_tab(&ui, &r, j, &base),
        "definition" => definition_tab(&dir, &j.name),
        _ => logs_tab(&dir, j, &base),
    };
    html::page(
        &format!("{} · run {}", j.name, r.id),
        "Runs",
        html! {
            p.crumbs { a href={"/runs/" (enc(&r.id))} { "run " code { (r.id) } } " / " (j.name) }
            h1 { (j.name) " " (html::status(j.status.as_str())) }
            dl.facts {
                @if let Some(c) = j.exit_code { dt { "Exit code" } dd { (c) } }
                @if let Some(s) = &j.started { dt { "Started (UTC)" } dd { (html::time(s)) } }
                dt { "Duration" } dd { (html::duration(j.duration_secs)) }
                @if !j.gpus.is_empty() { dt { "GPUs" } dd { (j.gpus.join(", ")) } }
                @if let Some(m) = &j.message { dt { "Message" } dd { (m) } }
            }
            nav.tabs {
                @for (t, name) in TABS {
                    a href={(base) "?tab=" (t)} class=[(t == tab).then_some("active")] { (name) }
                }
            }
            section.tab #tab data-tab=(tab) { (body) }
        },
    )
    .into_response()
}

fn logs_tab(dir: &RunDir, j: &JobRecord, base: &str) -> Markup {
    let running = !j.status.is_done() && dir.live_owner().is_some();
    html! {
        div.logbar {
            form.search #log-search {
                input type="search" name="q" placeholder="Search the log" autocomplete="off";
                button type="submit" { "Search" }
            }
            label { input type="checkbox" #log-follow checked[running]; " Follow" }
            span #log-size {}
        }
        div #log-matches {}
        pre.log #log data-src={(base) "/log"} data-search={(base) "/log/search"} data-live=(running) {}
    }
}

fn data_tab(ui: &Shared, r: &RunRecord, j: &JobRecord, base: &str) -> Markup {
    let store = DatasetStore::new(&ui.home);
    let models: Vec<_> = ModelStore::new(&ui.home)
        .list()
        .into_iter()
        .filter(|m| {
            m.run.as_deref() == Some(r.id.as_str()) && m.job.as_deref() == Some(j.name.as_str())
        })
        .collect();
    html! {
        @if j.outputs.is_empty() && models.is_empty() {
            p.empty { "This job produced no outputs." }
        }
        @for o in &j.outputs {
            section.output data-output=(o.name) data-kind=(o.kind) {
                h3 { code { (o.name) } " " span.kind { (o.kind) } }
                @match (o.kind.as_str(), &o.dataset, &o.version) {
                    (_, Some(d), Some(v)) => {
                        p { "dataset version " a href={"/datasets/" (enc(d)) "/" (enc(v))} { code { (d) ":" (v) } } }
                        @if let Ok(info) = store.version_info(d, v) {
                            p { (info.files) " files, " (html::human_bytes(info.bytes)) }
                        }
                    }
                    ("string", _, _) => {
                        pre.value { (o.value.as_deref().unwrap_or("")) }
                    }
                    _ => {
                        p { a href={(base) "/files/" (enc(&o.name))} { "Browse files" } }
                    }
                }
            }
        }
        @if !models.is_empty() {
            h3 { "Models registered" }
            table.models {
                thead { tr { th { "ID" } th { "Name" } th { "Type" } th { "Files" } } }
                tbody { @for m in &models { tr {
                    td { code { (m.id) } } td { (m.name) } td { (m.model_type) }
                    td { a href={"/datasets/" (enc(&m.dataset)) "/" (enc(&m.version))} { (m.dataset) ":" (m.version) } }
                } } }
            }
        }
    }
}

/// `{"value": ...}` or `{"secret": NAME}` as shown: a secret never
/// shows more than its name.
fn value_text(v: &Value) -> String {
    if let Some(name) = v.get("secret").and_then(Value::as_str) {
        return format!("secret:{name} → ***");
    }
    match v.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn definition_tab(dir: &RunDir, job: &str) -> Markup {
    let plan: Option<Value> = std::fs::read(dir.path.join("plan.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let Some(j) = plan.as_ref().and_then(|p| {
        p.get("jobs")?
            .as_array()?
            .iter()
            .find(|j| j.get("name").and_then(Value::as_str) == Some(job))
    }) else {
        return html! { p.empty { "This run kept no plan for the job." } };
    };
    let s = |k: &str| j.get(k).and_then(Value::as_str).map(str::to_string);
    let list = |k: &str| {
        j.get(k).and_then(Value::as_array).map(|a| {
            a.iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect::<Vec<_>>()
        })
    };
    let machine = j
        .get("machine")
        .and_then(|m| m.get("summary"))
        .and_then(Value::as_str);
    html! {
        dl.definition {
            dt { "Action" } dd { code { (s("action").unwrap_or_default()) } }
            @if let Some(i) = s("image") { dt { "Image" } dd { code { (i) } } }
            @if let Some(c) = list("command") { dt { "Command" } dd { pre { (shlex::try_join(c.iter().map(String::as_str)).unwrap_or_else(|_| c.join(" "))) } } }
            @if let Some(a) = list("args") { dt { "Arguments" } dd { pre { (a.join(" ")) } } }
            @if let Some(t) = s("instance_type") { dt { "Machine" } dd { (t) @if let Some(m) = machine { " — " (m) } } }
            dt { "GPUs" } dd { (j.get("gpus").and_then(Value::as_u64).unwrap_or(0)) }
            @if let Some(n) = list("needs") { @if !n.is_empty() { dt { "Needs" } dd { (n.join(", ")) } } }
            @if let Some(t) = j.get("timeout").and_then(Value::as_u64) { dt { "Timeout" } dd { (t) " s" } }
        }
        @if let Some(mounts) = j.get("mounts").and_then(Value::as_array) {
            @if !mounts.is_empty() {
                h3 { "Mounts" }
                table.mounts {
                    thead { tr { th { "Path" } th { "What" } } }
                    tbody { @for m in mounts { tr {
                        td { code { (m.get("target").and_then(Value::as_str).unwrap_or("")) } }
                        td { (mount_text(m)) }
                    } } }
                }
            }
        }
        @if let Some(env) = j.get("env").and_then(Value::as_array) {
            @if !env.is_empty() {
                h3 { "Environment" }
                table.env {
                    thead { tr { th { "Name" } th { "Value" } th { "From" } } }
                    tbody { @for e in env { tr {
                        td { code { (e.get("name").and_then(Value::as_str).unwrap_or("")) } }
                        td { code { (value_text(e)) } }
                        td { (e.get("from").and_then(Value::as_str).unwrap_or("")) }
                    } } }
                }
            }
        }
    }
}

/// A mount in one line: its type, access and where it comes from.
fn mount_text(m: &Value) -> String {
    let kind = m
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("unknown type");
    let access = if m.get("read_only").and_then(Value::as_bool) == Some(true) {
        "read-only"
    } else {
        "writable"
    };
    let from = m.get("from").and_then(Value::as_str).unwrap_or("");
    format!("{kind}, {access}: {from}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_show_their_name_only() {
        let v = serde_json::json!({"name": "TOKEN", "secret": "HF_TOKEN", "from": "job"});
        assert_eq!(value_text(&v), "secret:HF_TOKEN → ***");
        let v = serde_json::json!({"name": "EPOCHS", "value": "10", "from": "job"});
        assert_eq!(value_text(&v), "10");
    }
}
