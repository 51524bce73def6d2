//! A panic never ends the server.
//!
//! tower-lsp-server polls every handler inside the one future that serves
//! the connection, and catches no panics: one panicking handler would end
//! the process. [`CatchPanics`] wraps the whole service instead of each
//! handler, so nothing a handler does — reading the document, the sources
//! on disk, the query, the conversion to LSP types — can be missed. A
//! panicking request is answered with an `InternalError` response; a
//! panicking notification is reported with `window/logMessage`. Either way
//! the server goes on. (The checker thread has its own catch, in
//! checker.rs.)

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};
use tower_lsp_server::ls_types::MessageType;
use tower_service::Service;

type Panic = Box<dyn std::any::Any + Send>;

pub fn message(panic: &Panic) -> String {
    message_of(panic.as_ref())
}

pub fn message_of(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// The service, with every call's panics caught (see the module docs).
pub struct CatchPanics<S> {
    inner: S,
    client: Client,
}

impl<S> CatchPanics<S> {
    pub fn new(inner: S, client: Client) -> Self {
        CatchPanics { inner, client }
    }
}

impl<S> Service<Request> for CatchPanics<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + Unpin + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let method = req.method().to_string();
        let id = req.id().cloned();
        let client = self.client.clone();
        // The handler runs when its future is polled; the call itself only
        // parses the parameters, but it is caught too.
        let call = catch_unwind(AssertUnwindSafe(|| self.inner.call(req)));
        Box::pin(async move {
            let outcome = match call {
                Ok(future) => CatchUnwind(future).await,
                Err(panic) => Err(panic),
            };
            let panic = match outcome {
                Ok(result) => return result,
                Err(panic) => panic,
            };
            let text = format!(
                "gwk-lsp: {method} failed ({}); the server goes on",
                message(&panic)
            );
            match id {
                Some(id) => Ok(Some(Response::from_error(
                    id,
                    Error {
                        code: ErrorCode::InternalError,
                        message: text.into(),
                        data: None,
                    },
                ))),
                None => {
                    client.log_message(MessageType::ERROR, text).await;
                    Ok(None)
                }
            }
        })
    }
}

/// A future whose panics come out as `Err`.
struct CatchUnwind<F>(F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Panic>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}
