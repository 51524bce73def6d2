//! Shared by the Docker tests: the test environment's addresses, from the
//! one reader in gwk-test-support.
#![allow(dead_code)]

pub use gwk_test_support::docker::test_env;
