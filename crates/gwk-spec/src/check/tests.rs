//! Helpers for the rule tests.
