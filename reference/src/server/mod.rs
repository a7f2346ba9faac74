//! The reference server's shell: sockets, timers and tasks around the pure upgrade decision
//! ([docs/README.md](../../../docs/README.md#layout)).

pub mod bot;
pub mod close;
pub mod conn;
pub mod echo;
pub mod throttle;
pub mod voice;

pub use crate::config::Config;
pub use conn::Transport;
pub use voice::Hub;

use crate::handshake::{self, Parsed};
use crate::response::{Rejection, Response};
use crate::upgrade::{self, Service, Upgrade};
use conn::{Conn, Duties};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use throttle::Throttle;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

fn websocket_config(config: &Config) -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(config.max_message_size))
        .max_frame_size(Some(config.max_frame_size))
        // tungstenite allocates the read buffer up front for every
        // connection: 128 KiB by default, most of an idle connection's
        // memory. 4 KiB is what its documentation advises for many
        // connections; large messages still arrive, in more reads
        // (docs/performance.md#load-connections).
        .read_buffer_size(READ_BUFFER)
}

/// Bytes tungstenite reads at a time, per connection.
const READ_BUFFER: usize = 4 * 1024;

/// How many connections are being served (refusals not counted).
#[derive(Debug, Clone, Default)]
pub struct Connections(Arc<AtomicUsize>);

impl Connections {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// Counts one connection until the guard is dropped.
    fn enter(&self) -> Counted {
        self.0.fetch_add(1, Ordering::SeqCst);
        Counted(self.0.clone())
    }
}

struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        if self.0.fetch_sub(1, Ordering::SeqCst) == 1 {
            give_memory_back();
        }
    }
}

/// The last connection has closed: hand the memory glibc's allocator keeps
/// in its per-thread arenas back to the system, which it does not do by
/// itself (without this, 10,000 closed connections left 280 MiB resident;
/// docs/performance.md#figures).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn give_memory_back() {
    // SAFETY: malloc_trim only releases free memory; it has no
    // preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_memory_back() {}

/// Seconds a refused client is asked to wait (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// The answer to one connection too many, written as soon as the
/// connection is accepted, before its request is read.
fn busy() -> Vec<u8> {
    Rejection::new(503, "the server is at its connection limit; retry later")
        .with_header("Retry-After", &RETRY_AFTER_SECONDS.to_string())
        .response()
        .to_bytes()
}

// Rate-limited: the accept loop can meet these at the rate clients connect.
static AT_CAPACITY: Throttle = Throttle::new(Duration::from_secs(10));
static OUT_OF_DESCRIPTORS: Throttle = Throttle::new(Duration::from_secs(10));
static ACCEPT_ERRORS: Throttle = Throttle::new(Duration::from_secs(10));

/// How long a client refused at capacity has for its TLS handshake: the
/// 503 can only be read inside TLS, but a refusal must stay cheap.
const BUSY_TLS_HANDSHAKE: Duration = Duration::from_secs(1);

/// Refuse a connection beyond `--max-connections`: 503 at once, then a
/// short lingering close so the response is not lost to a reset.
async fn refuse_busy<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S) {
    let _ = stream.write_all(&busy()).await;
    let _ = tokio::time::timeout(Duration::from_secs(1), close::linger(&mut stream)).await;
}

/// As [`refuse_busy`] on a wss:// port: the TLS handshake first, briefly
/// bounded; a client that does not finish it in time is just closed.
async fn refuse_busy_tls(acceptor: TlsAcceptor, stream: TcpStream) {
    if let Ok(Ok(tls)) = tokio::time::timeout(BUSY_TLS_HANDSHAKE, acceptor.accept(stream)).await {
        refuse_busy(tls).await;
    }
}

/// Refuse a connection accepted with the spare descriptor: 503 without
/// waiting for anything, since the descriptor is needed back at once.
/// Whatever the client has already sent is read first, so that closing
/// does not reset the connection under the response. On a wss:// port the
/// connection is only closed: a 503 there would need a TLS handshake, which
/// cannot be waited for, and plain bytes would read as a broken handshake.
fn refuse_now(stream: TcpStream, tls: bool) {
    let mut sink = [0u8; 4096];
    while matches!(stream.try_read(&mut sink), Ok(n) if n > 0) {}
    if !tls {
        let _ = stream.try_write(&busy());
    }
}

/// A spare file descriptor, held so that a connection can still be
/// accepted and refused when the process has run out of them: without it,
/// the client would wait in the listen queue until it gave up.
struct Spare(Option<std::fs::File>);

impl Spare {
    fn open() -> Spare {
        let mut spare = Spare(None);
        spare.refill();
        spare
    }

    fn refill(&mut self) {
        if self.0.is_none() {
            self.0 = std::fs::File::open(if cfg!(windows) { "NUL" } else { "/dev/null" }).ok();
        }
    }

    /// Close the spare; false when there was none.
    fn release(&mut self) -> bool {
        self.0.take().is_some()
    }
}

/// EMFILE or ENFILE: the process or the system is out of descriptors.
fn out_of_descriptors(e: &std::io::Error) -> bool {
    cfg!(unix) && matches!(e.raw_os_error(), Some(23 | 24))
}

/// A bound server, not yet serving.
pub struct Server {
    listener: TcpListener,
    config: Config,
    connections: Connections,
}

impl Server {
    pub async fn bind(config: Config) -> std::io::Result<Server> {
        let listener = TcpListener::bind(config.listen).await?;
        Ok(Server {
            listener,
            config,
            connections: Connections::default(),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The count of connections being served, to read while it serves.
    pub fn connections(&self) -> Connections {
        self.connections.clone()
    }

    /// Serve until `shutdown` resolves, then close every connection with 1001
    /// and wait (at most the grace period) for them to finish.
    pub async fn serve(self, shutdown: impl std::future::Future<Output = ()>) {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = tokio::task::JoinSet::new();
        let hub = Hub::new(self.config.voice.buffering);
        let tls = self.config.tls.clone().map(TlsAcceptor::from);
        let mut spare = Spare::open();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        // Frames go out as written: a close frame must not wait
                        // behind an unacknowledged echo (Nagle).
                        let _ = stream.set_nodelay(true);
                        if self.config.max_connections.is_some_and(|max| self.connections.count() >= max) {
                            if let Some(more) = AT_CAPACITY.check() {
                                tracing::warn!(
                                    max = self.config.max_connections,
                                    "connection limit reached: refusing new connections with 503 \
                                     ({more} more since the last such line)"
                                );
                            }
                            match &tls {
                                Some(acceptor) => {
                                    tasks.spawn(refuse_busy_tls(acceptor.clone(), stream))
                                }
                                None => tasks.spawn(refuse_busy(stream)),
                            };
                            continue;
                        }
                        let counted = self.connections.enter();
                        let config = self.config.clone();
                        let stop = stop_rx.clone();
                        let hub = hub.clone();
                        // One spawn each rather than one task that matches: a
                        // task takes the size of its largest state up front,
                        // and a ws:// connection (4.4 KiB) needs no room for
                        // TLS (11 KiB; docs/performance.md#figures).
                        match tls.clone() {
                            Some(acceptor) => tasks.spawn(async move {
                                serve_tls(acceptor, stream, peer, config, stop, hub).await;
                                drop(counted);
                            }),
                            None => tasks.spawn(async move {
                                serve_connection(stream, peer, config, stop, hub).await;
                                drop(counted);
                            }),
                        };
                    }
                    // Out of descriptors: give up the spare one, take the
                    // waiting client with it and refuse it, take the spare back.
                    Err(e) if out_of_descriptors(&e) && spare.release() => {
                        let taken = tokio::time::timeout(Duration::from_millis(100), self.listener.accept()).await;
                        if let Ok(Ok((stream, _))) = taken {
                            refuse_now(stream, tls.is_some());
                        }
                        spare.refill();
                        if let Some(more) = OUT_OF_DESCRIPTORS.check() {
                            tracing::warn!(
                                "accept failed: {e}; refusing new connections with 503 until \
                                 descriptors are freed ({more} more since the last such line)"
                            );
                        }
                    }
                    // Anything else (or no spare): keep serving the others,
                    // and try again a little later.
                    Err(e) => {
                        if let Some(more) = ACCEPT_ERRORS.check() {
                            tracing::warn!("accept failed: {e} ({more} more since the last such line)");
                        }
                        spare.refill();
                        tokio::time::sleep(Duration::from_millis(100)).await;
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
    connections: Connections,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Handle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connections being served now.
    pub fn connections(&self) -> usize {
        self.connections.count()
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
    let connections = server.connections();
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
        connections,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

async fn write_response<S: AsyncWrite + Unpin>(stream: &mut S, response: &Response) {
    let _ = stream.write_all(&response.to_bytes()).await;
}

async fn refuse<S>(stream: &mut S, rejection: Rejection, peer: SocketAddr)
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
    write_response(stream, &rejection.response()).await;
    let _ = tokio::time::timeout(Duration::from_secs(1), close::linger(stream)).await;
}

/// One wss:// connection: the TLS handshake, then [`serve_connection`]
/// inside it. One `handshake_timeout` covers both, so a client that
/// connects and says nothing holds its task no longer than on ws://.
async fn serve_tls(
    acceptor: TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    config: Config,
    stop: watch::Receiver<bool>,
    hub: Arc<Hub>,
) {
    let deadline = Instant::now() + config.handshake_timeout;
    // Failures are the client's business and as frequent as it likes:
    // debug, not a line per attempt at the default level.
    match tokio::time::timeout_at(deadline, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => serve_request(tls, peer, &config, stop, hub, deadline).await,
        Ok(Err(e)) => {
            let why = crate::tls::describe_accept(&e);
            tracing::debug!(%peer, "TLS handshake failed: {why}");
        }
        Err(_) => {
            tracing::debug!(%peer, "TLS handshake not completed in time: connection dropped")
        }
    }
}

/// One connection: read the request under the limits and the timeout,
/// decide, answer, then hand the stream to tungstenite. Any byte stream
/// will do (the accept loop passes TCP sockets or TLS streams, the fuzzing
/// harness an in-memory duplex); `peer` is only logged.
pub async fn serve_connection<S: Transport>(
    stream: S,
    peer: SocketAddr,
    config: Config,
    stop: watch::Receiver<bool>,
    hub: Arc<Hub>,
) {
    let deadline = Instant::now() + config.handshake_timeout;
    serve_request(stream, peer, &config, stop, hub, deadline).await
}

/// [`serve_connection`] with the request due by `deadline`.
async fn serve_request<S: Transport>(
    mut stream: S,
    peer: SocketAddr,
    config: &Config,
    stop: watch::Receiver<bool>,
    hub: Arc<Hub>,
    deadline: Instant,
) {
    // Only what serving needs is kept: the 101, already written, is
    // dropped here rather than held as long as the connection.
    let Some((
        Upgrade {
            service,
            bot,
            expires_in,
            ..
        },
        leftover,
    )) = upgrade(&mut stream, peer, config, deadline).await
    else {
        return;
    };
    let queue = match (&bot, &service) {
        (Some(_), _) => bot::QUEUE,
        (None, Service::Echo) => echo::QUEUE,
        (None, Service::Voice(crate::voice::protocol::Route::Echo { .. })) => voice::ECHO_QUEUE,
        (None, Service::Voice(_)) => voice::ROOM_QUEUE,
    };
    let duties = Duties {
        expires_at: expires_in.map(|d| Instant::now() + d),
        write_timeout: config.write_timeout,
        idle_timeout: config.idle_timeout,
        grace: config.shutdown_grace,
    };
    let conn = Conn::new(
        stream,
        leftover,
        websocket_config(config),
        queue,
        duties,
        stop,
        peer,
    )
    .await;
    match (bot, service) {
        (Some(route), _) => bot::serve(conn, route).await,
        (None, Service::Voice(route)) => voice::serve(conn, route, hub, peer).await,
        (None, Service::Echo) => echo::serve(conn).await,
    }
}

/// The opening handshake: read the request under the limits and the
/// timeout, decide, answer. Returns the upgrade and the bytes read past the
/// request, or None once the client has been refused or has gone. A
/// function of its own so that the request and its buffer are freed when
/// it returns instead of living as long as the connection (1.5 KiB).
async fn upgrade<S: Transport>(
    stream: &mut S,
    peer: SocketAddr,
    config: &Config,
    deadline: Instant,
) -> Option<(Upgrade, Vec<u8>)> {
    let limits = config.handshake.limits;
    let mut buf = Vec::with_capacity(1024);
    let (request, consumed) = loop {
        match handshake::parse_request(&buf, &limits) {
            Ok(Parsed::Complete { request, consumed }) => break (request, consumed),
            Ok(Parsed::Partial) => {}
            Err(rejection) => {
                refuse(stream, rejection, peer).await;
                return None;
            }
        }
        // Straight into `buf`, which grows as needed: a read buffer on the
        // stack would stay in the connection's future for its whole life
        // (4 KiB each).
        match tokio::time::timeout_at(deadline, stream.read_buf(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return None,
            Ok(Ok(_)) => {}
            Err(_) => {
                let rejection = Rejection::new(408, "handshake not completed in time");
                refuse(stream, rejection, peer).await;
                return None;
            }
        }
    };
    let upgrade = match upgrade::decide(&request, config, SystemTime::now()) {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            refuse(stream, rejection, peer).await;
            return None;
        }
    };
    write_response(stream, &upgrade.response).await;
    Some((upgrade, buf.split_off(consumed)))
}
