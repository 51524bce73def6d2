//! `shutdown`: remembered, so that `exit` ends with status 0.

use crate::state::State;
use std::sync::atomic::Ordering;

pub fn run(state: &State) {
    state.shutdown.store(true, Ordering::SeqCst);
}
