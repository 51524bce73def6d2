//! The page frame and the small pieces every page uses. maud escapes every
//! value it interpolates; only gwk-spec's SVG (which escapes its own text)
//! goes in as is.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

/// A page: the navigation bar and `body`.
pub fn page(title: &str, nav: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · gwk" }
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/runs" { "gwk" }
                    nav {
                        @for (href, name) in [("/runs", "Runs"), ("/workflows", "Workflows"), ("/datasets", "Datasets"), ("/models", "Models")] {
                            a href=(href) class=[(name == nav).then_some("active")] { (name) }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A status as a coloured badge.
pub fn status(s: &str) -> Markup {
    html! { span class={"status s-" (s)} data-status=(s) { (s.replace('_', " ")) } }
}

pub fn duration(secs: Option<f64>) -> String {
    match secs {
        None => "–".into(),
        Some(s) if s < 60.0 => format!("{s:.1}s"),
        Some(s) if s < 3600.0 => format!("{}m {:02}s", (s / 60.0) as u64, (s % 60.0) as u64),
        Some(s) => format!(
            "{}h {:02}m",
            (s / 3600.0) as u64,
            ((s % 3600.0) / 60.0) as u64
        ),
    }
}

/// RFC 3339 as `2026-12-03 14:40:12` (UTC).
pub fn time(t: &str) -> String {
    t.get(..19).unwrap_or(t).replace('T', " ")
}

/// `s` percent-encoded for one URL path segment or query value.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn human_bytes(b: u64) -> String {
    crate::cmd::datasets::human_bytes(b)
}

/// A page saying what is wrong, with its status.
pub fn error(status: StatusCode, message: &str) -> Response {
    let body = page(
        "error",
        "",
        html! { h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) } p.error { (message) } },
    );
    (status, body).into_response()
}

pub async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such page")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(enc("Train model/2"), "Train%20model%2F2");
        assert_eq!(enc("a-b_c.d"), "a-b_c.d");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(Some(3.21)), "3.2s");
        assert_eq!(duration(Some(125.0)), "2m 05s");
        assert_eq!(duration(None), "–");
    }
}
