//! The checks every request passes before any handler runs, in this order:
//!
//! 1. `Host` must name this server (`127.0.0.1:PORT`, `localhost:PORT`, or
//!    the `--host` given): a page on another site that makes its own name
//!    resolve to 127.0.0.1 (DNS rebinding) gets 403.
//! 2. `Origin`, when the browser sends one, must be this server: a form or
//!    script on another site gets 403. A request that changes something
//!    (POST) must carry it.
//! 3. The token: in the cookie set on the first visit, or as `?token=` in
//!    the URL printed at start. None: 401; a wrong one: 403. A right one in
//!    the URL of a page sets the cookie and redirects to the same URL
//!    without it, so the token does not stay in the address bar or history.

use super::Shared;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::io::Read;

pub struct Guard {
    token: String,
    /// `host:port` values accepted in `Host` (and in `Origin` after `http://`).
    hosts: Vec<String>,
    cookie: String,
}

/// 32 random bytes from the kernel, as hex.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Guard {
    /// A guard for a server listening on `host:port` (`host` as given to
    /// `--host`; the loopback names are always accepted).
    pub fn new(token: String, host: &str, port: u16) -> Guard {
        let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")];
        let given = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        if !hosts.contains(&given) {
            hosts.push(given);
        }
        if host == "::1" {
            hosts.push(format!("[::1]:{port}"));
        }
        Guard {
            token,
            hosts,
            // Cookies ignore ports: two consoles on one machine must not
            // overwrite each other's.
            cookie: format!("gwk_ui_{port}"),
        }
    }

    fn host_ok(&self, headers: &HeaderMap) -> bool {
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
            return false;
        };
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    fn origin_ok(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|o| self.hosts.iter().any(|h| h.eq_ignore_ascii_case(o)))
    }

    fn cookie_token<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == self.cookie)
            .map(|(_, v)| v)
    }

    fn matches(&self, given: &str) -> bool {
        constant_time_eq(given.as_bytes(), self.token.as_bytes())
    }

    fn set_cookie(&self) -> HeaderValue {
        HeaderValue::from_str(&format!(
            "{}={}; Path=/; HttpOnly; SameSite=Strict",
            self.cookie, self.token
        ))
        .expect("hex token is a valid header")
    }
}

/// Compares without stopping at the first difference, so the time taken
/// says nothing of how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The query without its `token=` pair (and the token, if there was one).
fn split_token(query: &str) -> (Option<&str>, String) {
    let mut token = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("token=") {
            Some(t) => token = Some(t),
            None => rest.push(pair),
        }
    }
    (token, rest.join("&"))
}

fn refuse(status: StatusCode, why: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{why}\n"),
    )
        .into_response()
}

pub async fn check(State(ui): State<Shared>, req: Request, next: Next) -> Response {
    let g = &ui.guard;
    let headers = req.headers();
    if !g.host_ok(headers) {
        return refuse(
            StatusCode::FORBIDDEN,
            "gwk ui: this Host is not the console's own",
        );
    }
    let origin = headers
        .get(header::ORIGIN)
        .map(|o| o.to_str().unwrap_or(""));
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD);
    match origin {
        Some(o) if !g.origin_ok(o) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "gwk ui: cross-origin request refused",
            );
        }
        None if changes => {
            return refuse(
                StatusCode::FORBIDDEN,
                "gwk ui: a request that changes something must come from the console's own page",
            );
        }
        _ => {}
    }
    let (url_token, rest) = split_token(req.uri().query().unwrap_or(""));
    let cookie = g.cookie_token(headers);
    let ok = match (url_token, cookie) {
        (Some(t), _) if g.matches(t) => true,
        (None, Some(c)) if g.matches(c) => true,
        (None, None) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "gwk ui: open the URL gwk ui printed (it carries the token)",
            );
        }
        _ => false,
    };
    if !ok {
        return refuse(StatusCode::FORBIDDEN, "gwk ui: wrong token");
    }
    if url_token.is_some() && *req.method() == Method::GET {
        let path = req.uri().path();
        let to = if rest.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{rest}")
        };
        let mut resp = StatusCode::SEE_OTHER.into_response();
        let h = resp.headers_mut();
        h.insert(header::SET_COOKIE, g.set_cookie());
        if let Ok(v) = HeaderValue::from_str(&to) {
            h.insert(header::LOCATION, v);
        }
        return resp;
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    // The page's own scripts and styles only; never framed by another
    // site; no Referer to other sites. (Not `no-referrer`: with it,
    // Chromium sends `Origin: null` on the console's own form posts.)
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_taken_out_of_the_query() {
        assert_eq!(
            split_token("token=abc&page=2"),
            (Some("abc"), "page=2".to_string())
        );
        assert_eq!(split_token("page=2"), (None, "page=2".to_string()));
        assert_eq!(split_token(""), (None, String::new()));
    }

    #[test]
    fn tokens_are_compared_whole() {
        assert!(constant_time_eq(b"abcd", b"abcd"));
        assert!(!constant_time_eq(b"abcd", b"abce"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn a_token_is_64_hex_digits_and_new_each_time() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
