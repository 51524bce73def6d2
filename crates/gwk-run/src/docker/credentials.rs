//! Registry credentials from Docker's own configuration
//! (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`): `auths`
//! entries, `credHelpers` and `credsStore` (through the
//! `docker-credential-<helper> get` programs, as the docker CLI does).

use base64::Engine as _;
use bollard::auth::DockerCredentials;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn config_path() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json"))
}

/// The key Docker's config uses for a registry.
fn config_keys(registry: &str) -> Vec<String> {
    if registry == "docker.io" {
        vec![
            "https://index.docker.io/v1/".into(),
            "index.docker.io".into(),
            "docker.io".into(),
        ]
    } else {
        vec![
            registry.to_string(),
            format!("https://{registry}"),
            format!("http://{registry}"),
        ]
    }
}

/// Credentials for `registry`, or `None` to pull anonymously.
pub fn credentials_for(registry: &str) -> Option<DockerCredentials> {
    let text = std::fs::read_to_string(config_path()?).ok()?;
    credentials_in(&text, registry)
}

/// Credentials for `registry` in the text of a Docker config.json.
fn credentials_in(text: &str, registry: &str) -> Option<DockerCredentials> {
    let config: serde_json::Value = serde_json::from_str(text).ok()?;
    let keys = config_keys(registry);
    let helper = keys
        .iter()
        .find_map(|k| config["credHelpers"][k].as_str())
        .or_else(|| config["credsStore"].as_str());
    if let Some(helper) = helper
        && let Some(c) = from_helper(helper, &keys[0])
    {
        return Some(c);
    }
    let entry = keys.iter().find_map(|k| config["auths"].get(k))?;
    if let Some(token) = entry["identitytoken"].as_str() {
        return Some(DockerCredentials {
            identitytoken: Some(token.to_string()),
            serveraddress: Some(keys[0].clone()),
            ..Default::default()
        });
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(entry["auth"].as_str()?)
        .ok()?;
    let (user, pass) = String::from_utf8(decoded)
        .ok()?
        .split_once(':')
        .map(|(u, p)| (u.to_string(), p.to_string()))?;
    Some(DockerCredentials {
        username: Some(user),
        password: Some(pass),
        serveraddress: Some(keys[0].clone()),
        ..Default::default()
    })
}

fn from_helper(helper: &str, server: &str) -> Option<DockerCredentials> {
    let mut child = Command::new(format!("docker-credential-{helper}"))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(server.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    if !out.status.success() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    let user = v["Username"].as_str()?.to_string();
    let secret = v["Secret"].as_str()?.to_string();
    Some(if user == "<token>" {
        DockerCredentials {
            identitytoken: Some(secret),
            serveraddress: Some(server.to_string()),
            ..Default::default()
        }
    } else {
        DockerCredentials {
            username: Some(user),
            password: Some(secret),
            serveraddress: Some(server.to_string()),
            ..Default::default()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_auths_entries_by_registry() {
        let auth = base64::engine::general_purpose::STANDARD.encode("me:pa:ss");
        let text = format!(
            r#"{{"auths": {{"127.0.0.1:5000": {{"auth": "{auth}"}}, "https://index.docker.io/v1/": {{"identitytoken": "tok"}}}}}}"#
        );
        let c = credentials_in(&text, "127.0.0.1:5000").unwrap();
        assert_eq!(c.username.as_deref(), Some("me"));
        assert_eq!(c.password.as_deref(), Some("pa:ss"));
        assert_eq!(c.serveraddress.as_deref(), Some("127.0.0.1:5000"));
        let hub = credentials_in(&text, "docker.io").unwrap();
        assert_eq!(hub.identitytoken.as_deref(), Some("tok"));
        assert!(credentials_in(&text, "ghcr.io").is_none());
        // A helper that does not exist gives no credentials, not an error.
        let helper = r#"{"credsStore": "gwk-test-no-such-helper"}"#;
        assert!(credentials_in(helper, "ghcr.io").is_none());
    }
}
