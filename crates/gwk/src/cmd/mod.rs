//! One module per subcommand.

pub mod check;
pub mod datasets;
pub mod doctor;
pub mod export;
pub mod gc;
pub mod graph;
pub mod hooks;
pub mod models;
pub mod plan;
pub mod run;
pub mod runs;
pub mod trigger;
