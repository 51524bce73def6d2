//! Notifications. Those that change documents do all their work before
//! the first await, so changes apply in the order they arrive.

pub mod did_change;
pub mod did_change_watched_files;
pub mod did_close;
pub mod did_open;
pub mod initialized;
