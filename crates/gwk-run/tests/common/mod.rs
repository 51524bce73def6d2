//! Shared by the Docker tests: the test environment's addresses
//! (/run/gwk-test/env, written by scripts/docker-test-env.sh).
#![allow(dead_code)]

use std::collections::HashMap;

pub const ENV_FILE: &str = "/run/gwk-test/env";

/// The test environment, or `None` (after saying why) when it is not up
/// and this is not CI. Under CI=true a missing environment fails the test.
pub fn test_env() -> Option<HashMap<String, String>> {
    match std::fs::read_to_string(ENV_FILE) {
        Ok(text) => Some(
            text.lines()
                .filter_map(|l| l.strip_prefix("export ").unwrap_or(l).split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "{ENV_FILE} is missing: the Docker test environment is not up (run scripts/docker-test-env.sh)"
            )
        }
        Err(_) => {
            eprintln!(
                "SKIPPED: {ENV_FILE} is missing; run scripts/docker-test-env.sh to run the Docker tests"
            );
            None
        }
    }
}
