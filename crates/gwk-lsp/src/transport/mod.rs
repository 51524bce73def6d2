//! Between stdin/stdout and the LSP framework: malformed messages never
//! reach it.
//!
//! tower-lsp-server's transport ends the connection on the first message
//! it cannot decode (the server then exits, saying nothing). So a thread
//! reads stdin itself ([`frames`]), answers each malformed message with its
//! JSON-RPC error ([`validate`]) and passes only well-formed ones on to the
//! framework through an in-memory pipe. The framework's output comes back
//! through another pipe, and one writer sends whole messages — the
//! framework's and the refusals — to stdout, so they never interleave.

mod frames;
mod validate;

use frames::{Event, Frames};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{ClientSocket, Server};
use tower_service::Service;

/// How much may wait in each pipe.
const PIPE: usize = 1 << 16;

enum Out {
    Body(Vec<u8>),
    /// The framework's output ended: nothing more to write.
    End,
}

/// Serves `service` over stdin/stdout until `exit` or the end of stdin.
pub async fn serve<S>(service: S, socket: ClientSocket)
where
    S: Service<Request, Response = Option<Response>> + Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::Future: Send,
{
    let (to_framework, framework_in) = tokio::io::duplex(PIPE);
    let (framework_out, from_framework) = tokio::io::duplex(PIPE);
    let (out, mut outbox) = mpsc::unbounded_channel::<Out>();
    let (messages, mut inbox) = mpsc::channel::<Vec<u8>>(8);

    let refusals = out.clone();
    std::thread::Builder::new()
        .name("gwk-stdin".into())
        .spawn(move || read_stdin(messages, refusals))
        .expect("the stdin reader starts");
    tokio::spawn(async move {
        let mut pipe = to_framework;
        while let Some(body) = inbox.recv().await {
            if write_frame(&mut pipe, &body).await.is_err() {
                return; // the framework has ended
            }
        }
        // Dropping the pipe ends the framework's input, as stdin's end would.
    });
    let framework_output = tokio::spawn(read_frames(from_framework, out));
    let writer = tokio::spawn(async move {
        let mut stdout = tokio::io::stdout();
        while let Some(Out::Body(body)) = outbox.recv().await {
            if write_frame(&mut stdout, &body).await.is_err() {
                eprintln!("gwk-lsp: cannot write to stdout; exiting");
                return;
            }
        }
    });
    Server::new(framework_in, framework_out, socket)
        .serve(service)
        .await;
    // The framework's output pipe closed with it: write what is left.
    let _ = framework_output.await;
    let _ = writer.await;
}

/// The stdin thread: well-formed bodies to the framework, refusals to
/// stdout, and why it stopped to stderr.
fn read_stdin(messages: mpsc::Sender<Vec<u8>>, refusals: mpsc::UnboundedSender<Out>) {
    let mut frames = Frames::new(std::io::stdin().lock());
    loop {
        match frames.next_event() {
            Event::Message(body) => {
                if messages.blocking_send(body).is_err() {
                    return; // the framework has ended
                }
            }
            Event::Refused(r) => {
                eprintln!(
                    "gwk-lsp: refused a malformed message ({}): {}",
                    r.code, r.message
                );
                let _ = refusals.send(Out::Body(r.reply()));
            }
            Event::End(why) => {
                if let Some(why) = why {
                    eprintln!("gwk-lsp: {why}; exiting");
                }
                return;
            }
        }
    }
}

/// Reads the framework's own (well-formed) output, message by message.
async fn read_frames(pipe: DuplexStream, out: mpsc::UnboundedSender<Out>) {
    let mut pipe = BufReader::new(pipe);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            match pipe.read_line(&mut line).await {
                Ok(0) | Err(_) => {
                    let _ = out.send(Out::End);
                    return;
                }
                Ok(_) => {}
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let Some(length) = length else { continue };
        let mut body = vec![0; length];
        if pipe.read_exact(&mut body).await.is_err() {
            let _ = out.send(Out::End);
            return;
        }
        let _ = out.send(Out::Body(body));
    }
}

async fn write_frame<W: AsyncWriteExt + Unpin>(w: &mut W, body: &[u8]) -> std::io::Result<()> {
    w.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    w.write_all(body).await?;
    w.flush().await
}
