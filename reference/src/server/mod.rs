//! The reference server's shell: sockets, timers and tasks around the pure
//! handshake. Routes: `/echo` echoes every text and binary message;
//! `/rooms/{room}?codec=…` and `/echo?codec=…` are voice ([`crate::voice`]).
//! With [`Config::auth`], paths in its scope need a bearer token, checked by
//! [`crate::auth::authorize`] before the 101; the connection is closed with
//! 1008 when the token expires.

use crate::auth::upgrade::{self, Auth};
use crate::handshake::{self, Parsed, Rejection, Response, ServerConfig};
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

/// Everything the server can be told.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub handshake: ServerConfig,
    /// A client that has not sent a whole request by then gets 408 and is dropped.
    pub handshake_timeout: Duration,
    /// Messages larger than this close the connection with 1009.
    pub max_message_size: usize,
    pub max_frame_size: usize,
    /// How long shutdown waits for peers to answer the 1001 close.
    pub shutdown_grace: Duration,
    /// Resource path of the echo service.
    pub echo_path: String,
    /// Bearer-token authentication; None serves every path without a token.
    pub auth: Option<Auth>,
    /// Voice rooms: buffering, and the hook that grants rooms.
    pub voice: crate::voice::VoiceConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 9001)),
            handshake: ServerConfig::default(),
            handshake_timeout: Duration::from_secs(10),
            max_message_size: 64 << 20,
            max_frame_size: 16 << 20,
            shutdown_grace: Duration::from_secs(2),
            echo_path: "/echo".to_string(),
            auth: None,
            voice: crate::voice::VoiceConfig::default(),
        }
    }
}

impl Config {
    fn websocket(&self) -> WebSocketConfig {
        WebSocketConfig::default()
            .max_message_size(Some(self.max_message_size))
            .max_frame_size(Some(self.max_frame_size))
    }
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
        let hub = crate::voice::Hub::new(self.config.voice.buffering);
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
    tracing::debug!(%peer, status = rejection.status, reason = %rejection.reason, "handshake refused");
    write_response(&mut stream, &rejection.response()).await;
    let _ = tokio::time::timeout(Duration::from_secs(1), linger(&mut stream)).await;
}

/// Lingering close (RFC 9112 §9.6): close our side, then read and discard
/// what still arrives (at most 1 MiB) until the peer closes. Closing with
/// unread bytes would send a reset, which can destroy what was just sent —
/// a refusal's response, or a close frame — before the peer reads it. The
/// caller bounds the time.
async fn linger<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) {
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 8192];
    let mut drained = 0usize;
    while drained < (1 << 20) {
        match stream.read(&mut sink).await {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// After sending a close frame: read until the peer's close answers it (or
/// the connection fails), then close with a lingering close — all within
/// `grace`.
pub(crate) async fn finish_close<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocketStream<S>,
    grace: Duration,
) {
    let _ = tokio::time::timeout(grace, async {
        while let Some(Ok(_)) = ws.next().await {}
        linger(ws.get_mut()).await;
    })
    .await;
}

/// One connection: read the request under the limits and the timeout, answer
/// it, then hand the stream to tungstenite. Any byte stream will do (the
/// accept loop passes TCP sockets, the fuzzing harness an in-memory duplex);
/// `peer` is only logged.
pub async fn serve_connection<S>(
    mut stream: S,
    peer: SocketAddr,
    config: Config,
    stop: watch::Receiver<bool>,
    hub: std::sync::Arc<crate::voice::Hub>,
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
    let accepted = match handshake::respond(&request, &config.handshake) {
        Ok(accepted) => accepted,
        Err(rejection) => return refuse(stream, rejection, peer).await,
    };
    let (needs_token, service) = match &config.auth {
        Some(auth) => auth.route(&accepted.path),
        None => (false, accepted.path.as_str()),
    };
    let service = service.to_string();
    let mut lifetime = None;
    if let (true, Some(auth)) = (needs_token, &config.auth) {
        let now = unix_now();
        match upgrade::authorize(&request, &accepted, &service, &auth.policy, now as u64) {
            Ok(granted) => {
                lifetime = granted.expires_at.map(|at| upgrade::remaining(at, now));
            }
            Err(denied) => {
                tracing::info!(%peer, status = denied.rejection.status, why = %denied.why, "upgrade refused");
                return refuse(stream, denied.rejection, peer).await;
            }
        }
    }
    let accepted = upgrade::without_bearer_protocol(accepted);
    // Voice routes decide before the 101 (400 codec, 403 room scope).
    let voice = match crate::voice::accept_request(
        &request,
        &service,
        accepted.query.as_deref(),
        &config.voice,
    ) {
        Ok(voice) => voice,
        Err(rejection) => return refuse(stream, rejection, peer).await,
    };
    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
    //# If the requested service is not available, the server MUST send an
    //# appropriate HTTP error code (such as 404 Not Found) and abort the
    //# WebSocket handshake.
    if voice.is_none() && service != config.echo_path {
        let rejection = Rejection::new(404, format!("no WebSocket service at {}", accepted.path));
        return refuse(stream, rejection, peer).await;
    }
    write_response(&mut stream, &accepted.response).await;
    let leftover = buf[consumed..].to_vec();
    let ws = WebSocketStream::from_partially_read(
        stream,
        leftover,
        Role::Server,
        Some(config.websocket()),
    )
    .await;
    match voice {
        Some(route) => {
            crate::voice::serve(ws, route, hub, stop, config.shutdown_grace, lifetime).await
        }
        None => echo(ws, stop, config.shutdown_grace, lifetime).await,
    }
}

/// Seconds since the epoch, fractional, from the system clock.
fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The close code for an error tungstenite reports while reading.
pub(crate) fn close_code_for(error: &WsError) -> Option<CloseCode> {
    match error {
        //= https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
        //# 1009 indicates that an endpoint is terminating the connection
        //# because it has received a message that is too big for it to
        //# process.
        WsError::Capacity(_) => Some(CloseCode::Size),
        //# 1007 indicates that an endpoint is terminating the connection
        //# because it has received data within a message that was not
        //# consistent with the type of the message (e.g., non-UTF-8 [RFC3629]
        //# data within a text message).
        WsError::Utf8(_) => Some(CloseCode::Invalid),
        //# 1002 indicates that an endpoint is terminating the connection due
        //# to a protocol error.
        WsError::Protocol(_) => Some(CloseCode::Protocol),
        _ => None,
    }
}

/// Resolves when a bearer token's remaining validity, measured from the
/// upgrade, has run out (never without a token).
pub(crate) async fn token_expiry(lifetime: Option<Duration>) {
    match lifetime {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

async fn echo<S: AsyncRead + AsyncWrite + Unpin>(
    mut ws: WebSocketStream<S>,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
    lifetime: Option<Duration>,
) {
    let expiry = token_expiry(lifetime);
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            message = ws.next() => match message {
                Some(Ok(m @ (Message::Text(_) | Message::Binary(_)))) => {
                    if ws.send(m).await.is_err() {
                        return;
                    }
                }
                // Pongs to pings and the close reply are tungstenite's.
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    if let Some(code) = close_code_for(&error) {
                        let frame = CloseFrame { code, reason: "".into() };
                        let _ = ws.close(Some(frame)).await;
                        finish_close(&mut ws, grace).await;
                    }
                    return;
                }
                None => return,
            },
            _ = &mut expiry => {
                //# 1008 indicates that an endpoint is terminating the connection
                //# because it has received a message that violates its policy.
                let frame = CloseFrame { code: CloseCode::Policy, reason: "token expired".into() };
                let _ = ws.close(Some(frame)).await;
                finish_close(&mut ws, grace).await;
                return;
            }
            _ = stop.changed() => {
                //# 1001 indicates that an endpoint is "going away", such as a
                //# server going down or a browser having navigated away from a
                //# page.
                let frame = CloseFrame { code: CloseCode::Away, reason: "server shutting down".into() };
                let _ = ws.close(Some(frame)).await;
                finish_close(&mut ws, grace).await;
                return;
            }
        }
    }
}
