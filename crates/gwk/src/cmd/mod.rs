//! One module per subcommand.

pub mod check;
pub mod datasets;
pub mod doctor;
pub mod plan;
pub mod run;
