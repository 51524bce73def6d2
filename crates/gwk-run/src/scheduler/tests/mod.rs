//! The scheduler without Docker: a scripted fake executor (fake.rs), one
//! test per case (cases.rs) and a property test over random DAGs
//! (props.rs).

mod cases;
mod fake;
mod props;
