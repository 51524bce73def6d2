//! One module per subcommand.

pub mod check;
pub mod export;
pub mod graph;
pub mod plan;
