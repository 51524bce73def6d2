//! The file browser: a job's volume output or a dataset version, listed a
//! directory at a time, each file downloadable. The root is always chosen
//! here (from the run record or the dataset store), never by the request;
//! the request's `?path=` goes through [`safe_path::resolve`].

use crate::ui::Shared;
use crate::ui::html::{self, enc};
use crate::ui::pages::run::open;
use crate::ui::safe_path::{self, Refused};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gwk_run::datasets::DatasetStore;
use gwk_run::rundir::RunDir;
use maud::{Markup, html};
use std::path::PathBuf;

#[derive(Debug, Default, serde::Deserialize)]
pub struct FileQuery {
    #[serde(default)]
    pub path: String,
}

/// One entry of a listing.
struct Entry {
    name: String,
    kind: &'static str,
    bytes: u64,
}

fn list(dir: &std::path::Path) -> std::io::Result<Vec<Entry>> {
    let mut out: Vec<Entry> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| {
            let meta = e.path().symlink_metadata().ok();
            let kind = match &meta {
                Some(m) if m.file_type().is_symlink() => "link",
                Some(m) if m.is_dir() => "dir",
                _ => "file",
            };
            Entry {
                name: e.file_name().to_string_lossy().into_owned(),
                kind,
                bytes: meta.map_or(0, |m| m.len()),
            }
        })
        .collect();
    out.sort_by(|a, b| (a.kind != "dir", &a.name).cmp(&(b.kind != "dir", &b.name)));
    Ok(out)
}

/// A listing (`base?path=...` links) of `rel` under `root`, or the file.
async fn browse(root: PathBuf, rel: String, base: String, title: String, nav: &str) -> Response {
    let resolved = {
        let (root, rel) = (root.clone(), rel.clone());
        tokio::task::spawn_blocking(move || safe_path::resolve(&root, &rel)).await
    };
    let path = match resolved {
        Ok(Ok(p)) => p,
        Ok(Err(e @ Refused::Missing(_))) => {
            return html::error(StatusCode::NOT_FOUND, &e.to_string());
        }
        Ok(Err(e)) => return html::error(StatusCode::FORBIDDEN, &e.to_string()),
        Err(_) => return html::error(StatusCode::INTERNAL_SERVER_ERROR, "cannot read"),
    };
    if path.is_file() {
        return download(path).await;
    }
    let entries = match list(&path) {
        Ok(e) => e,
        Err(e) => {
            return html::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("cannot list: {e}"),
            );
        }
    };
    let rel = rel.trim_matches('/').to_string();
    let join = |name: &str| {
        if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        }
    };
    let crumbs: Vec<(String, String)> = {
        let mut acc = String::new();
        rel.split('/')
            .filter(|p| !p.is_empty())
            .map(|p| {
                if !acc.is_empty() {
                    acc.push('/');
                }
                acc.push_str(p);
                (p.to_string(), acc.clone())
            })
            .collect()
    };
    html::page(
        &title,
        nav,
        html! {
            h1 { (title) }
            p.crumbs {
                a href=(base) { "/" }
                @for (name, to) in &crumbs { " / " a href={(base) "?path=" (enc(to))} { (name) } }
            }
            (listing(&entries, &base, &join))
        },
    )
    .into_response()
}

fn listing(entries: &[Entry], base: &str, join: &dyn Fn(&str) -> String) -> Markup {
    html! {
        table.files {
            thead { tr { th { "Name" } th { "Size" } } }
            tbody {
                @if entries.is_empty() { tr { td colspan="2" { em { "empty" } } } }
                @for e in entries {
                    tr data-kind=(e.kind) {
                        @match e.kind {
                            "link" => { td { (e.name) " " em { "(symbolic link, not followed)" } } td {} }
                            "dir" => { td { a href={(base) "?path=" (enc(&join(&e.name)))} { (e.name) "/" } } td {} }
                            _ => { td { a download href={(base) "?path=" (enc(&join(&e.name)))} { (e.name) } } td { (html::human_bytes(e.bytes)) } }
                        }
                    }
                }
            }
        }
    }
}

/// The file as an attachment, streamed (never read whole).
async fn download(path: PathBuf) -> Response {
    let file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => return html::error(StatusCode::NOT_FOUND, &format!("cannot open: {e}")),
    };
    let len = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stream = futures_util::stream::unfold(file, |mut f| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 << 10];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(buf), f))
            }
            Err(e) => Some((Err(e), f)),
        }
    });
    let mut resp = Body::from_stream(stream).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        enc(&name)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// The root of a job's output, when it is inside the run store: a cached
/// job's output lives in the run that produced it, still under
/// `$GWK_HOME/runs`; anything else is not served.
fn output_root(home: &std::path::Path, recorded: &str) -> Option<PathBuf> {
    let runs = RunDir::runs_root(home).canonicalize().ok()?;
    let meta = std::fs::symlink_metadata(recorded).ok()?;
    if meta.file_type().is_symlink() {
        return None;
    }
    let real = std::path::Path::new(recorded).canonicalize().ok()?;
    real.starts_with(&runs).then_some(real)
}

pub async fn job_output(
    State(ui): State<Shared>,
    Path((id, job, output)): Path<(String, String, String)>,
    Query(q): Query<FileQuery>,
) -> Response {
    let (_dir, r) = match open(&ui, &id) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let Some(o) = r
        .job(&job)
        .and_then(|j| j.outputs.iter().find(|o| o.name == output))
    else {
        return html::error(
            StatusCode::NOT_FOUND,
            &format!("job `{job}` of run {id} has no output `{output}`"),
        );
    };
    // A string is shown by its value in the record, where secrets are
    // masked; its file as the job wrote it is not served.
    if o.kind != "volume" {
        return html::error(
            StatusCode::NOT_FOUND,
            &format!(
                "`{output}` is a {} output, not a volume: its value is on the Data tab",
                o.kind
            ),
        );
    }
    let Some(root) = output_root(&ui.home, &o.path) else {
        return html::error(StatusCode::FORBIDDEN, "this output is not in the run store");
    };
    let base = format!(
        "/runs/{}/jobs/{}/files/{}",
        enc(&id),
        enc(&job),
        enc(&output)
    );
    browse(root, q.path, base, format!("{job} · {output}"), "Runs").await
}

pub async fn dataset_version(
    State(ui): State<Shared>,
    Path((name, version)): Path<(String, String)>,
    Query(q): Query<FileQuery>,
) -> Response {
    let store = DatasetStore::new(&ui.home);
    let resolved = match store.resolve(&format!("{name}:{version}")) {
        Ok(r) => r,
        Err(e) => return html::error(StatusCode::NOT_FOUND, &e.to_string()),
    };
    let base = format!("/datasets/{}/{}", enc(&name), enc(&version));
    browse(
        resolved.path,
        q.path,
        base,
        format!("{name}:{}", resolved.id),
        "Datasets",
    )
    .await
}
