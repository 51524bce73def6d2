//! The Docker test environment (docs/testing.md): the addresses that
//! scripts/docker-test-env.sh writes to [`ENV_FILE`].

use std::collections::HashMap;

pub const ENV_FILE: &str = "/run/gwk-test/env";

/// The test environment's variables, or `None` (after saying so) when it is
/// not up and this is not CI. Under CI=true a missing environment fails the
/// test: CI starts it in scripts/setup/10-docker.sh.
pub fn test_env() -> Option<HashMap<String, String>> {
    match std::fs::read_to_string(ENV_FILE) {
        Ok(text) => Some(parse(&text)),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "{ENV_FILE} is missing: the Docker test environment is not up (run scripts/docker-test-env.sh)"
            )
        }
        Err(_) => {
            crate::skipped(
                "run scripts/docker-test-env.sh to run the Docker tests",
                ENV_FILE,
            );
            None
        }
    }
}

/// `export NAME=VALUE` (or `NAME=VALUE`) lines.
fn parse(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("export ").unwrap_or(l).split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn export_lines_and_plain_lines_are_read() {
        let vars = super::parse("export A=1\nB=two=2\n# not a variable\n");
        assert_eq!(vars["A"], "1");
        assert_eq!(vars["B"], "two=2");
        assert_eq!(vars.len(), 2);
    }
}
