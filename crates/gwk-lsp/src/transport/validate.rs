//! Is a message body one JSON-RPC 2.0 message the LSP framework can take?
//! Anything else is answered here with the JSON-RPC error it deserves
//! (-32700 parse error, -32600 invalid request) instead of reaching the
//! framework, whose transport ends the connection on the first message it
//! cannot decode.
//!
//! Only the envelope is read (`jsonrpc`, `id`, `method`, `result`,
//! `error`); the parameters are the handlers' business (a request whose
//! parameters do not fit is answered with -32602 by the framework).

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

pub const PARSE_ERROR: i64 = -32700;
/// Deeper nesting is refused: the framework parses messages with
/// serde_json, which gives up past 128 levels (and would end the
/// connection); no LSP message comes near.
pub const MAX_DEPTH: usize = 100;
pub const INVALID_REQUEST: i64 = -32600;

/// Why a body is refused, and the reply that says so.
#[derive(Debug, PartialEq)]
pub struct Rejection {
    pub code: i64,
    pub message: String,
    /// The request's id when it could be read, else null.
    pub id: Value,
}

impl Rejection {
    fn new(code: i64, message: impl Into<String>, id: Value) -> Rejection {
        Rejection {
            code,
            message: message.into(),
            id,
        }
    }

    /// The JSON-RPC error response.
    pub fn reply(&self) -> Vec<u8> {
        let reply = json!({
            "jsonrpc": "2.0",
            "id": self.id,
            "error": {"code": self.code, "message": self.message},
        });
        serde_json::to_vec(&reply).unwrap_or_default()
    }
}

/// The fields every message is judged by; the others are skipped unread.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "some")]
    jsonrpc: Option<Value>,
    #[serde(default, deserialize_with = "some")]
    id: Option<Value>,
    #[serde(default, deserialize_with = "some")]
    method: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    result: bool,
    #[serde(default, deserialize_with = "some")]
    error: Option<Value>,
}

/// A field that is there, even as `null`.
fn some<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Whether a field is there (its value, maybe large, is not kept).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Where syntactically valid JSON first nests deeper than [`MAX_DEPTH`].
fn too_deep(json: &[u8]) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in json.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Checks one message body.
pub fn check(body: &[u8]) -> Result<(), Rejection> {
    let text = std::str::from_utf8(body).map_err(|e| {
        Rejection::new(
            PARSE_ERROR,
            format!(
                "the message is not UTF-8 (an invalid byte at offset {})",
                e.valid_up_to()
            ),
            Value::Null,
        )
    })?;
    if let Some(at) = too_deep(text.as_bytes()) {
        return Err(Rejection::new(
            PARSE_ERROR,
            format!(
                "the message nests arrays and objects deeper than {MAX_DEPTH} levels (at byte {at})"
            ),
            Value::Null,
        ));
    }
    let not_json = |e: serde_json::Error| {
        Rejection::new(
            PARSE_ERROR,
            format!("the message is not JSON: {e}"),
            Value::Null,
        )
    };
    let first = text.trim_start().as_bytes().first();
    if first != Some(&b'{') {
        // Rare: is it JSON at all, before saying what else is wrong?
        serde_json::from_str::<IgnoredAny>(text).map_err(not_json)?;
    }
    match first {
        Some(b'{') => {}
        Some(b'[') => {
            return Err(Rejection::new(
                INVALID_REQUEST,
                "a batch (a JSON array) is not supported: the Language Server Protocol sends \
                 one message at a time",
                Value::Null,
            ));
        }
        _ => {
            let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            return Err(Rejection::new(
                INVALID_REQUEST,
                format!("a JSON-RPC message is an object, not {}", kind(&v)),
                Value::Null,
            ));
        }
    }
    // One pass reads the envelope and checks the syntax of the rest.
    let env: Envelope = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            Rejection::new(INVALID_REQUEST, e.to_string(), Value::Null)
        }
        _ => not_json(e),
    })?;
    // The id, when it is one the reply can carry.
    let id = match &env.id {
        None | Some(Value::Null) | Some(Value::String(_)) => env.id.clone().unwrap_or(Value::Null),
        Some(Value::Number(n)) if n.is_i64() => env.id.clone().unwrap_or(Value::Null),
        Some(other) => {
            return Err(Rejection::new(
                INVALID_REQUEST,
                format!("`id` must be an integer or a string, not {other}"),
                Value::Null,
            ));
        }
    };
    match &env.jsonrpc {
        Some(Value::String(v)) if v == "2.0" => {}
        None => {
            return Err(Rejection::new(
                INVALID_REQUEST,
                "the message has no `\"jsonrpc\": \"2.0\"`",
                id,
            ));
        }
        Some(other) => {
            return Err(Rejection::new(
                INVALID_REQUEST,
                format!("`jsonrpc` must be \"2.0\", not {other}"),
                id,
            ));
        }
    }
    match &env.method {
        Some(Value::String(_)) => return Ok(()),
        Some(other) => {
            return Err(Rejection::new(
                INVALID_REQUEST,
                format!("`method` must be a string, not {}", kind(other)),
                id,
            ));
        }
        None => {}
    }
    // No method: a response to one of the server's requests.
    if env.id.is_none() || !(env.result || env.error.is_some()) {
        return Err(Rejection::new(
            INVALID_REQUEST,
            "neither a request (it has no `method`) nor a response (it has no `id` with a \
             `result` or an `error`)",
            id,
        ));
    }
    if let Some(error) = env.error
        && !env.result
        && serde_json::from_value::<tower_lsp_server::jsonrpc::Error>(error).is_err()
    {
        return Err(Rejection::new(
            INVALID_REQUEST,
            "a response's `error` must be an object with an integer `code` and a string \
             `message`",
            id,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::jsonrpc::{Request, Response};

    /// What the framework's transport decodes (its message type is
    /// private: a response, else a request).
    fn framework_takes(body: &str) -> bool {
        serde_json::from_str::<Response>(body).is_ok()
            || serde_json::from_str::<Request>(body).is_ok()
    }

    #[test]
    fn what_passes_the_framework_decodes() {
        let good = [
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":"a","method":"x"}"#,
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":3,"result":null}"#,
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"no"}}"#,
            r#"  {"method":"x","jsonrpc":"2.0","extra":[1,2]}"#,
            r#"{"jsonrpc":"2.0","method":"x","params":{"t":"[[[[\"{{{{"}}"#,
        ];
        let nested = format!(
            r#"{{"jsonrpc":"2.0","method":"x","params":{}1{}}}"#,
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert_eq!(check(nested.as_bytes()), Ok(()));
        assert!(framework_takes(&nested));
        for body in good {
            assert_eq!(check(body.as_bytes()), Ok(()), "{body}");
            assert!(framework_takes(body), "{body}");
        }
    }

    #[test]
    fn each_kind_of_bad_message_gets_its_code() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let cases: Vec<(Vec<u8>, i64, Value, &str)> = vec![
            (b"{not json".to_vec(), PARSE_ERROR, Value::Null, "not JSON"),
            (
                br#"{"jsonrpc":"2.0","id":1,"meth"#.to_vec(),
                PARSE_ERROR,
                Value::Null,
                "EOF",
            ),
            (
                b"{\"a\":\"\xff\"}".to_vec(),
                PARSE_ERROR,
                Value::Null,
                "not UTF-8",
            ),
            (deep.into_bytes(), PARSE_ERROR, Value::Null, "deeper than"),
            (
                format!(
                    r#"{{"jsonrpc":"2.0","id":2,"method":"x","params":{}{}}}"#,
                    "[".repeat(MAX_DEPTH),
                    "]".repeat(MAX_DEPTH)
                )
                .into_bytes(),
                PARSE_ERROR,
                Value::Null,
                "deeper than",
            ),
            (b"".to_vec(), PARSE_ERROR, Value::Null, "not JSON"),
            (b"[]".to_vec(), INVALID_REQUEST, Value::Null, "batch"),
            (b"5".to_vec(), INVALID_REQUEST, Value::Null, "not a number"),
            (
                br#"{"id":7,"method":"x"}"#.to_vec(),
                INVALID_REQUEST,
                json!(7),
                "jsonrpc",
            ),
            (
                br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#.to_vec(),
                INVALID_REQUEST,
                json!(7),
                "jsonrpc",
            ),
            (
                br#"{"jsonrpc":"2.0","id":{"a":1},"method":"x"}"#.to_vec(),
                INVALID_REQUEST,
                Value::Null,
                "`id`",
            ),
            (
                br#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#.to_vec(),
                INVALID_REQUEST,
                Value::Null,
                "`id`",
            ),
            (
                br#"{"jsonrpc":"2.0","id":1,"method":5}"#.to_vec(),
                INVALID_REQUEST,
                json!(1),
                "`method`",
            ),
            (
                br#"{"jsonrpc":"2.0","id":1}"#.to_vec(),
                INVALID_REQUEST,
                json!(1),
                "neither",
            ),
            (
                br#"{"jsonrpc":"2.0","id":1,"error":5}"#.to_vec(),
                INVALID_REQUEST,
                json!(1),
                "`error`",
            ),
            (
                br#"{"jsonrpc":"2.0","id":1,"id":2,"method":"x"}"#.to_vec(),
                INVALID_REQUEST,
                Value::Null,
                "duplicate",
            ),
        ];
        for (body, code, id, says) in cases {
            let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
            let r = check(&body).expect_err(&shown);
            assert_eq!((r.code, &r.id), (code, &id), "{shown}: {r:?}");
            assert!(r.message.contains(says), "{shown}: {}", r.message);
            let reply: Value = serde_json::from_slice(&r.reply()).unwrap();
            assert_eq!(reply["error"]["code"], code);
            assert_eq!(reply["id"], id);
        }
    }
}
