//! The reference server's shell: sockets, timers and tasks around the pure upgrade decision
//! ([docs/README.md](../../../docs/README.md#layout)).

pub mod close;
pub mod echo;
pub mod voice;

pub use crate::config::Config;
pub use voice::Hub;

use crate::handshake::{self, Parsed};
use crate::response::{Rejection, Response};
use crate::upgrade::{self, Service};
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

fn websocket_config(config: &Config) -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(config.max_message_size))
        .max_frame_size(Some(config.max_frame_size))
}

/// A bound server, not yet serving.
pub struct Server {
    listener: TcpListener,
    config: Config,
}

impl Server {
    pub async fn bind(config: Config) -> std::io::Result<Server> {
        let listener = TcpListener::bind(config.listen).await?;
        Ok(Server { listener, config })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serve until `shutdown` resolves, then close every connection with 1001
    /// and wait (at most the grace period) for them to finish.
    pub async fn serve(self, shutdown: impl std::future::Future<Output = ()>) {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = tokio::task::JoinSet::new();
        let hub = Hub::new(self.config.voice.buffering);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        // Frames go out as written: a close frame must not wait
                        // behind an unacknowledged echo (Nagle).
                        let _ = stream.set_nodelay(true);
                        let config = self.config.clone();
                        let stop = stop_rx.clone();
                        let hub = hub.clone();
                        tasks.spawn(async move { serve_connection(stream, peer, config, stop, hub).await });
                    }
                    // Out of descriptors and the like: keep serving the others.
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        drop(self.listener);
        let _ = stop_tx.send(true);
        let grace = self.config.shutdown_grace;
        let _ =
            tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
        tasks.abort_all();
    }
}

/// A server running on its own thread and runtime; dropping the handle stops it.
pub struct Handle {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Handle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Start a server in the background (for the embedded target and for tests).
pub fn spawn(config: Config) -> std::io::Result<Handle> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let server = runtime.block_on(Server::bind(config))?;
    let addr = server.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("voxproof-server".into())
        .spawn(move || {
            runtime.block_on(server.serve(async {
                let _ = stop_rx.await;
            }))
        })?;
    Ok(Handle {
        addr,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

async fn write_response<S: AsyncWrite + Unpin>(stream: &mut S, response: &Response) {
    let _ = stream.write_all(&response.to_bytes()).await;
}

async fn refuse<S>(mut stream: S, rejection: Rejection, peer: SocketAddr)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match &rejection.detail {
        Some(why) => {
            tracing::info!(%peer, status = rejection.status, %why, "upgrade refused")
        }
        None => {
            tracing::debug!(%peer, status = rejection.status, reason = %rejection.reason, "handshake refused")
        }
    }
    write_response(&mut stream, &rejection.response()).await;
    let _ = tokio::time::timeout(Duration::from_secs(1), close::linger(&mut stream)).await;
}

/// One connection: read the request under the limits and the timeout,
/// decide, answer, then hand the stream to tungstenite. Any byte stream
/// will do (the accept loop passes TCP sockets, the fuzzing harness an
/// in-memory duplex); `peer` is only logged.
pub async fn serve_connection<S>(
    mut stream: S,
    peer: SocketAddr,
    config: Config,
    stop: watch::Receiver<bool>,
    hub: std::sync::Arc<Hub>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let limits = config.handshake.limits;
    let mut buf = Vec::with_capacity(1024);
    let deadline = tokio::time::Instant::now() + config.handshake_timeout;
    let (request, consumed) = loop {
        match handshake::parse_request(&buf, &limits) {
            Ok(Parsed::Complete { request, consumed }) => break (request, consumed),
            Ok(Parsed::Partial) => {}
            Err(rejection) => return refuse(stream, rejection, peer).await,
        }
        let mut chunk = [0u8; 4096];
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => {
                let rejection = Rejection::new(408, "handshake not completed in time");
                return refuse(stream, rejection, peer).await;
            }
        }
    };
    let upgrade = match upgrade::decide(&request, &config, SystemTime::now()) {
        Ok(upgrade) => upgrade,
        Err(rejection) => return refuse(stream, rejection, peer).await,
    };
    write_response(&mut stream, &upgrade.response).await;
    let leftover = buf[consumed..].to_vec();
    let ws = WebSocketStream::from_partially_read(
        stream,
        leftover,
        Role::Server,
        Some(websocket_config(&config)),
    )
    .await;
    let grace = config.shutdown_grace;
    match upgrade.service {
        Service::Voice(route) => {
            voice::serve(ws, route, hub, stop, grace, upgrade.expires_in).await
        }
        Service::Echo => echo::serve(ws, stop, grace, upgrade.expires_in).await,
    }
}
