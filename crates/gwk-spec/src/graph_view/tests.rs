//! Graph view tests.
