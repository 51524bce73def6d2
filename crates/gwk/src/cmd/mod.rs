//! One module per subcommand.

pub mod check;
pub mod export;
pub mod plan;
