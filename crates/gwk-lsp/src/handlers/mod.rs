//! One file per LSP request or notification. server.rs only dispatches:
//! it takes the document's snapshot in arrival order and runs the
//! handler, queries on the blocking pool ([`blocking`]).

pub mod notifications;
pub mod requests;

/// Runs `f` on tokio's blocking pool, so that parsing and disk reads never
/// hold up the async runtime; a panic in `f` goes on in the caller, where
/// the service's catch (panics.rs) answers it as before.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(value) => value,
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            // Only a runtime shutting down cancels blocking tasks.
            Err(e) => panic!("a query was cancelled: {e}"),
        },
    }
}
