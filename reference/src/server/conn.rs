//! One upgraded connection: messages in, a bounded queue out, and timers that fire whatever
//! the peer does ([docs/README.md](../../../docs/README.md#the-reference-servers-limits)).

use super::close;
use super::throttle::Throttle;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

/// A byte stream the server can serve. `abort` makes dropping the stream
/// discard what is still unsent — for TCP, a reset instead of a FIN behind
/// bytes the peer may never read — so a peer that stopped reading pins no
/// buffers once its connection is given up.
pub trait Transport: AsyncRead + AsyncWrite + Unpin {
    fn abort(&self) {}
}

impl Transport for tokio::net::TcpStream {
    fn abort(&self) {
        let _ = self.set_zero_linger();
    }
}

/// wss://: aborting resets the TCP connection under TLS; what rustls still
/// holds is dropped with the stream.
impl Transport for tokio_rustls::server::TlsStream<tokio::net::TcpStream> {
    fn abort(&self) {
        self.get_ref().0.abort();
    }
}

impl Transport for tokio::io::DuplexStream {}

/// The timers of one connection.
#[derive(Debug, Clone)]
pub struct Duties {
    /// When the bearer token expires (close with 1008).
    pub expires_at: Option<Instant>,
    /// Output that has waited this long without the peer taking a byte of
    /// it closes the connection with 1008.
    pub write_timeout: Duration,
    /// No frame either way for this long closes the connection with 1001.
    pub idle_timeout: Option<Duration>,
    /// How long a close may take: the close frame, the peer's answer and
    /// the lingering close.
    pub grace: Duration,
}

/// What a full outgoing queue does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    /// Stop reading until the queue drains (an echo: every message read is
    /// one to write, so the peer is slowed down to the pace it reads at).
    PauseReading,
    /// Keep reading; a message that does not fit is dropped (a room: a late
    /// frame is worth nothing).
    Drop,
}

/// The outgoing queue of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queue {
    /// Messages waiting beyond those being written.
    pub capacity: usize,
    pub when_full: WhenFull,
}

/// What happened on the connection.
#[derive(Debug)]
pub enum Next {
    /// A text or binary message from the peer.
    Message(Message),
    /// The connection is to end: [`Conn::close`] it with this code and
    /// reason. What was queued has been dropped.
    Close(u16, &'static str),
    /// The peer has gone: it closed, or the connection failed.
    Gone,
}

type Ws<S> = WebSocketStream<Tracked<S>>;

/// An upgraded connection: see the module documentation.
pub struct Conn<S> {
    read: SplitStream<Ws<S>>,
    write: SplitSink<Ws<S>, Message>,
    queue: VecDeque<Message>,
    limits: Queue,
    /// Tungstenite holds bytes not yet written to the socket.
    unflushed: bool,
    /// Since when output has been waiting; None when nothing waits.
    waiting_since: Option<Instant>,
    /// When the last frame arrived from the peer.
    heard: Instant,
    progress: Progress,
    duties: Duties,
    stop: watch::Receiver<bool>,
    peer: SocketAddr,
}

// Rate-limited: each of these can happen once per connection, at the rate
// a client can open connections.
static WRITE_TIMEOUTS: Throttle = Throttle::new(Duration::from_secs(10));
static RESETS: Throttle = Throttle::new(Duration::from_secs(10));

impl<S: Transport> Conn<S> {
    /// Take over `stream` after the 101; `leftover` are the bytes read past
    /// the handshake.
    pub async fn new(
        stream: S,
        leftover: Vec<u8>,
        config: WebSocketConfig,
        queue: Queue,
        duties: Duties,
        stop: watch::Receiver<bool>,
        peer: SocketAddr,
    ) -> Conn<S> {
        let progress = Progress::new();
        let tracked = Tracked {
            inner: stream,
            progress: progress.clone(),
        };
        let ws =
            WebSocketStream::from_partially_read(tracked, leftover, Role::Server, Some(config))
                .await;
        let (write, read) = ws.split();
        Conn {
            read,
            write,
            queue: VecDeque::new(),
            limits: queue,
            unflushed: false,
            waiting_since: None,
            heard: Instant::now(),
            progress,
            duties,
            stop,
            peer,
        }
    }

    /// Queue a message for the peer; false when the queue is full and the
    /// message was dropped.
    pub fn send(&mut self, message: Message) -> bool {
        if self.queue.len() >= self.limits.capacity {
            return false;
        }
        self.queue.push_back(message);
        self.waiting_since.get_or_insert_with(Instant::now);
        true
    }

    /// Whether [`Conn::send`] would take a message now.
    pub fn has_room(&self) -> bool {
        self.queue.len() < self.limits.capacity
    }

    /// Write what is queued and read, until a message arrives or the
    /// connection is to end. Cancel-safe: nothing is lost when another
    /// branch of a `select!` wins.
    pub async fn next(&mut self) -> Next {
        loop {
            let write_deadline = self.write_deadline();
            let idle_deadline = match (self.duties.idle_timeout, self.waiting_since) {
                (Some(idle), None) => Some(self.heard.max(self.progress.last()) + idle),
                _ => None,
            };
            let reading =
                self.queue.len() < self.limits.capacity || self.limits.when_full == WhenFull::Drop;
            // Biased, in this order: the duties first, then writing before
            // reading, so that what was read earlier is answered before
            // anything read later (a pong never overtakes an echo).
            tokio::select! {
                biased;
                _ = self.stop.changed() => {
                    self.queue.clear();
                    return Next::Close(close::AWAY, "server shutting down");
                }
                _ = at(self.duties.expires_at) => {
                    self.queue.clear();
                    tracing::info!(peer = %self.peer, "token expired: closing with 1008");
                    return Next::Close(close::POLICY, "token expired");
                }
                _ = at(write_deadline) => {
                    // Bytes may have gone out since the deadline was set.
                    if self.write_deadline().is_some_and(|d| d <= Instant::now()) {
                        self.queue.clear();
                        if let Some(more) = WRITE_TIMEOUTS.check() {
                            tracing::warn!(
                                peer = %self.peer,
                                timeout = ?self.duties.write_timeout,
                                "the peer has not read for the write timeout: closing with 1008 \
                                 ({more} more since the last such line)"
                            );
                        }
                        return Next::Close(close::POLICY, "write timeout: not reading");
                    }
                }
                _ = at(idle_deadline) => {
                    tracing::debug!(peer = %self.peer, "idle: closing with 1001");
                    return Next::Close(close::AWAY, "idle timeout");
                }
                written = write_some(&mut self.write, &mut self.queue, &mut self.unflushed),
                    if self.waiting_since.is_some() =>
                {
                    if written.is_err() {
                        return Next::Gone;
                    }
                    if self.queue.is_empty() && !self.unflushed {
                        self.waiting_since = None;
                    }
                }
                message = self.read.next(), if reading => match message {
                    Some(Ok(m)) => {
                        self.heard = Instant::now();
                        if m.is_text() || m.is_binary() {
                            return Next::Message(m);
                        }
                        // Pongs to pings and the reply to a close are
                        // tungstenite's.
                    }
                    Some(Err(error)) => {
                        self.queue.clear();
                        return match close::code_for(&error) {
                            Some(code) => Next::Close(code, ""),
                            None => Next::Gone,
                        };
                    }
                    None => return Next::Gone,
                },
            }
        }
    }

    /// When waiting output times out: `write_timeout` after the later of
    /// the moment it started waiting and the last byte the peer took.
    fn write_deadline(&self) -> Option<Instant> {
        self.waiting_since
            .map(|since| since.max(self.progress.last()) + self.duties.write_timeout)
    }

    /// The peer closed the connection (its close frame answered by
    /// tungstenite) or it failed: write what tungstenite still holds — the
    /// rest of an echo, the reply to the peer's close — then a lingering
    /// close, within the grace period. Dropping the socket instead, with
    /// bytes the peer sent after its close still unread, resets it, and the
    /// reset can destroy both before the peer reads them.
    pub async fn end(self) {
        let deadline = Instant::now() + self.duties.grace;
        let Conn {
            read, mut write, ..
        } = self;
        let _ = tokio::time::timeout_at(deadline, write.flush()).await;
        let mut ws = match read.reunite(write) {
            Ok(ws) => ws,
            Err(_) => unreachable!("the two halves of one stream"),
        };
        let _ = tokio::time::timeout_at(deadline, close::linger(ws.get_mut())).await;
    }

    /// Close: what is queued, then the close frame, then the closing
    /// handshake and the lingering close, all within the grace period. A
    /// peer that has not taken everything up to the close frame by then is
    /// reset, which frees what was waiting for it.
    pub async fn close(self, code: u16, reason: &str) {
        let deadline = Instant::now() + self.duties.grace;
        let Conn {
            read,
            mut write,
            queue,
            peer,
            ..
        } = self;
        let flushed = tokio::time::timeout_at(deadline, async {
            for message in queue {
                write.feed(message).await?;
            }
            write.flush().await
        })
        .await;
        let mut ws = match read.reunite(write) {
            Ok(ws) => ws,
            Err(_) => unreachable!("the two halves of one stream"),
        };
        let sent = match flushed {
            Ok(Ok(())) => {
                let left = deadline.saturating_duration_since(Instant::now());
                close::close(&mut ws, code, reason, left).await
            }
            // The connection failed: nothing is waiting any more.
            Ok(Err(_)) => return,
            Err(_) => false,
        };
        if !sent {
            if let Some(more) = RESETS.check() {
                tracing::info!(
                    %peer,
                    code,
                    "the peer did not take the close frame in time: connection reset \
                     ({more} more since the last such line)"
                );
            }
            ws.get_ref().inner.abort();
        }
    }
}

/// Hand the queue to tungstenite — only once what it holds has been
/// written, so at most one batch waits there — then write it out.
/// Cancel-safe: a message leaves the queue in the same step as it is
/// handed over, and flushing again is harmless.
async fn write_some<S: Transport>(
    sink: &mut SplitSink<Ws<S>, Message>,
    queue: &mut VecDeque<Message>,
    unflushed: &mut bool,
) -> Result<(), WsError> {
    if !*unflushed {
        while !queue.is_empty() {
            // Not `feed`, which would hold the message while awaiting
            // readiness: a cancellation there would lose it.
            std::future::poll_fn(|cx| sink.poll_ready_unpin(cx)).await?;
            let message = queue.pop_front().expect("the queue is not empty");
            sink.start_send_unpin(message)?;
            *unflushed = true;
        }
    }
    sink.flush().await?;
    *unflushed = false;
    Ok(())
}

/// Resolves at `deadline`; never without one.
async fn at(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// When the peer last took bytes from us, as noted by [`Tracked`].
#[derive(Clone)]
struct Progress {
    origin: Instant,
    millis: Arc<AtomicU64>,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            origin: Instant::now(),
            millis: Arc::default(),
        }
    }

    fn mark(&self) {
        let ms = self.origin.elapsed().as_millis();
        self.millis
            .store(u64::try_from(ms).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.origin + Duration::from_millis(self.millis.load(Ordering::Relaxed))
    }
}

/// The stream under tungstenite, noting every write that made progress.
struct Tracked<S> {
    inner: S,
    progress: Progress,
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.progress.mark();
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
