//! `--event-file FILE`: a GitHub push event payload (the JSON GitHub sends
//! to a webhook, or `$GITHUB_EVENT_PATH` in Actions). gwk reads only what
//! it needs: `ref` (what was pushed), `after` (the commit it points to
//! now), `repository.clone_url` (else `repository.html_url`) and `deleted`
//! (the push removed the ref). Every other field is ignored, so a payload
//! with only those works as well as one with every field GitHub documents.

use anyhow::{Context, Result, bail};
use std::path::Path;

/// What gwk takes from a push payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushPayload {
    /// `refs/heads/main`, `refs/tags/v1`.
    pub git_ref: String,
    /// The commit the ref points to after the push (`None` when the push
    /// deleted it: GitHub then sends forty zeros).
    pub after: Option<String>,
    /// The repository's clone URL (or web URL).
    pub url: Option<String>,
    /// The push deleted the ref.
    pub deleted: bool,
}

impl PushPayload {
    pub fn read(path: &Path) -> Result<PushPayload> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the event file {}", path.display()))?;
        Self::parse(&text).with_context(|| {
            format!(
                "{}: not a GitHub push event payload (docs/cli.md, --event-file)",
                path.display()
            )
        })
    }

    pub fn parse(text: &str) -> Result<PushPayload> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            anyhow::anyhow!("not JSON (line {}, column {}): {e}", e.line(), e.column())
        })?;
        let Some(obj) = v.as_object() else {
            bail!("the payload must be a JSON object, not {}", kind(&v));
        };
        let string = |v: Option<&serde_json::Value>, what: &str| -> Result<Option<String>> {
            match v {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => bail!("`{what}` must be a string, not {}", kind(other)),
            }
        };
        let git_ref = string(obj.get("ref"), "ref")?
            .context("`ref` is missing (the pushed ref, e.g. \"refs/heads/main\")")?;
        if !git_ref.starts_with("refs/") {
            bail!(
                "`ref` is {git_ref:?}: a push payload names a full ref (refs/heads/NAME or refs/tags/NAME)"
            );
        }
        let deleted = match obj.get("deleted") {
            None | Some(serde_json::Value::Null) => false,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(other) => bail!("`deleted` must be true or false, not {}", kind(other)),
        };
        let after = string(obj.get("after"), "after")?;
        if let Some(a) = &after
            && !(a.len() >= 7 && a.len() <= 64 && a.chars().all(|c| c.is_ascii_hexdigit()))
        {
            bail!("`after` is {a:?}: a push payload gives the commit id there (hex)");
        }
        // GitHub sends forty zeros as `after` when the ref was deleted.
        let zeros = after
            .as_deref()
            .is_some_and(|a| a.chars().all(|c| c == '0'));
        let deleted = deleted || zeros;
        let url = match obj.get("repository") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Object(r)) => {
                string(r.get("clone_url"), "repository.clone_url")?
                    .or(string(r.get("html_url"), "repository.html_url")?)
            }
            Some(other) => bail!("`repository` must be an object, not {}", kind(other)),
        };
        Ok(PushPayload {
            git_ref,
            after: if deleted { None } else { after },
            url,
            deleted,
        })
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimal_payload_is_enough() {
        let p = PushPayload::parse(
            r#"{"ref": "refs/heads/main", "after": "0123456789abcdef0123456789abcdef01234567",
                "repository": {"clone_url": "https://github.com/acme/ml.git"}}"#,
        )
        .unwrap();
        assert_eq!(p.git_ref, "refs/heads/main");
        assert_eq!(
            p.after.as_deref(),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(p.url.as_deref(), Some("https://github.com/acme/ml.git"));
        assert!(!p.deleted);
        // html_url when there is no clone_url; no repository at all.
        let p = PushPayload::parse(
            r#"{"ref": "refs/tags/v1", "repository": {"html_url": "https://github.com/acme/ml"}}"#,
        )
        .unwrap();
        assert_eq!(p.url.as_deref(), Some("https://github.com/acme/ml"));
        assert_eq!(p.after, None);
    }

    #[test]
    fn a_deleted_ref_has_no_commit() {
        let p = PushPayload::parse(
            r#"{"ref": "refs/heads/old", "before": "0123456789abcdef0123456789abcdef01234567",
                "after": "0000000000000000000000000000000000000000", "deleted": true}"#,
        )
        .unwrap();
        assert!(p.deleted);
        assert_eq!(p.after, None);
    }

    #[test]
    fn malformed_payloads_say_what_is_wrong() {
        let err = |t: &str| format!("{:#}", PushPayload::parse(t).unwrap_err());
        assert!(
            err("{\"ref\": ").contains("not JSON (line 1"),
            "{}",
            err("{\"ref\": ")
        );
        assert!(err("[1]").contains("must be a JSON object, not an array"));
        assert!(err("{}").contains("`ref` is missing"));
        assert!(err(r#"{"ref": 5}"#).contains("`ref` must be a string, not a number"));
        assert!(err(r#"{"ref": "main"}"#).contains("a full ref"));
        assert!(err(r#"{"ref": "refs/heads/a", "after": "xyz"}"#).contains("`after` is \"xyz\""));
        assert!(
            err(r#"{"ref": "refs/heads/a", "deleted": "yes"}"#)
                .contains("`deleted` must be true or false")
        );
        assert!(
            err(r#"{"ref": "refs/heads/a", "repository": "acme/ml"}"#)
                .contains("`repository` must be an object")
        );
        assert!(
            err(r#"{"ref": "refs/heads/a", "repository": {"clone_url": 1}}"#)
                .contains("`repository.clone_url` must be a string")
        );
    }
}
