//! One module per page.

pub mod datasets;
pub mod job;
pub mod models;
pub mod run;
pub mod runs;
pub mod workflows;
