//! The target under test: where it is, and raw TCP connections to it that
//! honour the case's deadline and record everything in the wire log.

use crate::transport::{self, Network, OpenError, Route, Stream};
use crate::wire::frame::{self, Frame, Pending};
use crate::wire::http::{HeadScanner, HttpResponse, ParseResponse};
use crate::wire::observer::Observer;
use crate::wire::{Dir, WireLog};
use std::io::ErrorKind;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `ws://host:port/path` target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: String,
    /// Host field value: `host[:port]`.
    pub authority: String,
    /// Path and query.
    pub resource: String,
    /// How connections reach it: TCP, proxy, TLS.
    pub route: Route,
    /// Header lines added to the suite's opening handshakes.
    pub shape: Shape,
    /// The target serves docs/voice-protocol.md on the same host and port
    /// (`--profile voice`; on by default for the embedded reference). None:
    /// the `voice.` cases are UNIMPLEMENTED.
    pub voice: Option<VoiceService>,
    /// The target is a voice bot the suite plays telephony platforms to
    /// (`--profile twilio|telnyx|vonage`). None: those cases are UNIMPLEMENTED.
    pub telephony: Option<Telephony>,
}

/// What the suite knows of a voice bot (docs/telephony.md).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Telephony {
    /// Each platform played (by profile name) and the path the bot serves it on.
    pub bots: Vec<(String, String)>,
    /// Sign Twilio's requests with this auth token (`--twilio-auth-token`).
    pub twilio_auth_token: Option<String>,
    /// Time to first audio above this is FAILED (`--max-response-ms`).
    pub max_response: Option<Duration>,
    /// Barge-in slower than this is FAILED (`--max-bargein-ms`).
    pub max_barge_in: Option<Duration>,
}

impl Telephony {
    /// The path the bot serves `platform` on, if that profile is played.
    pub fn resource(&self, platform: &str) -> Option<String> {
        self.bots
            .iter()
            .find(|(p, _)| p == platform)
            .map(|(_, r)| r.clone())
    }

    /// The URL of `resource` on `target`, as the suite reaches it.
    pub fn url_of(&self, target: &Target, resource: &str) -> String {
        let scheme = target.url.split_once("://").map_or("ws", |(s, _)| s);
        format!("{scheme}://{}{resource}", target.authority)
    }

    /// The URL Twilio signs: always `wss://` (the only scheme it streams
    /// to), even when the suite reaches a bot over `ws://` behind the TLS
    /// proxy that would face Twilio.
    pub fn signed_url(&self, target: &Target, resource: &str) -> String {
        format!("wss://{}{resource}", target.authority)
    }
}

/// Header fields the user asked to add to the suite's opening handshakes
/// (`--header`, `--origin`, `--subprotocol`): what a production server
/// needs before it upgrades (a cookie, an API key, its Origin).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shape {
    /// Fields in the order given; `--origin` is one of them.
    pub headers: Vec<(String, String)>,
    /// Offered in Sec-WebSocket-Protocol where a request offers none.
    pub subprotocol: Option<String>,
}

impl Shape {
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.subprotocol.is_none()
    }

    /// The added lines (each ending CRLF) for a request whose head is
    /// `head`: a field the request already carries keeps the request's value.
    pub fn lines(&self, head: &str) -> String {
        let carries = |name: &str| {
            head.split("\r\n").skip(1).any(|line| {
                line.split_once(':')
                    .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            })
        };
        let mut out = String::new();
        for (name, value) in &self.headers {
            if !carries(name) {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        if let Some(p) = &self.subprotocol {
            if !carries("Sec-WebSocket-Protocol") {
                out.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
            }
        }
        out
    }

    /// `request` with the added lines before its blank line, when it is a
    /// well-formed head (CRLF line ends, one blank line, at the end); a
    /// request malformed on purpose is sent as written.
    pub fn apply(&self, request: Vec<u8>) -> Vec<u8> {
        if self.is_empty() {
            return request;
        }
        let Ok(text) = std::str::from_utf8(&request) else {
            return request;
        };
        let well_formed = text.ends_with("\r\n\r\n")
            && text.find("\r\n\r\n") == Some(text.len() - 4)
            && !text.replace("\r\n", "").contains(['\r', '\n']);
        if !well_formed {
            return request;
        }
        let head = &text[..text.len() - 2];
        let mut out = head.to_string();
        out.push_str(&self.lines(head));
        out.push_str("\r\n");
        out.into_bytes()
    }
}

/// What the suite knows of a target's voice service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VoiceService {
    /// A bearer token and a room it grants (`--voice-grant ROOM:TOKEN`), for
    /// the room-scope case; without one it is UNIMPLEMENTED.
    pub grant: Option<GrantedRoom>,
    /// Path prefix under which the target checks tokens on rooms (empty: the
    /// rooms themselves); the embedded reference uses `/secure`.
    pub scope_prefix: String,
}

/// A room and a bearer token whose `rooms` claim grants it (and not others).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantedRoom {
    pub room: String,
    pub token: String,
}

/// Key material the suite signs with.
#[derive(Clone, PartialEq, Eq)]
pub enum Key {
    /// An HMAC secret (the bytes the target is configured with).
    Secret(Vec<u8>),
    /// A PEM private key (PKCS#8, or PKCS#1 for RSA).
    PrivatePem(Vec<u8>),
}

/// Where the suite puts the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenIn {
    /// `Authorization: Bearer <token>` (RFC 6750 §2.1).
    Header,
    /// The `access_token` query parameter (RFC 6750 §2.3).
    Query,
    /// A `bearer.<token>` entry of Sec-WebSocket-Protocol.
    Protocol,
}

impl FromStr for TokenIn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "header" => Ok(TokenIn::Header),
            "query" => Ok(TokenIn::Query),
            "protocol" => Ok(TokenIn::Protocol),
            other => Err(format!("\"{other}\" is not header, query or protocol")),
        }
    }
}

/// What the auth cases need: key material, the target's claim rules, where
/// the token goes, and the URL that requires it.
#[derive(Clone)]
pub struct AuthSettings {
    pub key: Key,
    /// The target's public key PEM, exactly as it is configured (the bytes a
    /// key-confusion attack MACs with); derived for RSA when not given.
    pub public_pem: Option<Vec<u8>>,
    /// The algorithm the target expects, e.g. HS256.
    pub alg: String,
    pub aud: Option<String>,
    pub iss: Option<String>,
    pub token_in: TokenIn,
    /// The URL that requires a token; the run's target when None.
    pub target: Option<Target>,
}

impl std::fmt::Debug for AuthSettings {
    // Never print key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("alg", &self.alg)
            .field("aud", &self.aud)
            .field("iss", &self.iss)
            .field("token_in", &self.token_in)
            .field("target", &self.target.as_ref().map(|t| &t.url))
            .finish()
    }
}

impl Target {
    /// Parse and resolve a target URL; the error is one line for the CLI.
    pub fn parse(url: &str) -> Result<Target, String> {
        Target::parse_via(url, &Network::default())
    }

    /// [`Target::parse`], reached the way `network` says.
    pub fn parse_via(url: &str, network: &Network) -> Result<Target, String> {
        let parsed =
            url::Url::parse(url).map_err(|e| format!("target \"{url}\" is not a URL: {e}"))?;
        let secure = match parsed.scheme() {
            "ws" => false,
            "wss" => true,
            s => {
                return Err(format!(
                    "target {url}: scheme {s}:// is not ws:// or wss://"
                ))
            }
        };
        let host = parsed
            .host_str()
            .ok_or_else(|| format!("target {url} has no host"))?;
        // RFC 6455 §3: 80 for ws, 443 for wss; url leaves a default port out.
        let port = parsed.port_or_known_default().unwrap_or(80);
        let route = network.route(url, host, port, secure)?;
        let authority = match parsed.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        let mut resource = parsed.path().to_string();
        if let Some(q) = parsed.query() {
            resource.push('?');
            resource.push_str(q);
        }
        Ok(Target {
            url: url.to_string(),
            authority,
            resource,
            route,
            shape: Shape::default(),
            voice: None,
            telephony: None,
        })
    }

    /// A client the suite serves (`voxproof serve`), as reports name it:
    /// the agent and where it connected from.
    pub fn client(agent: &str, peer: std::net::SocketAddr) -> Target {
        Target {
            url: format!("client {agent} ({peer})"),
            authority: peer.to_string(),
            resource: "/".into(),
            route: Route {
                addr: peer,
                proxy: None,
                tls: None,
            },
            shape: Shape::default(),
            voice: None,
            telephony: None,
        }
    }

    /// One connection (with its tunnel and TLS handshake, if any), to tell
    /// an unreachable target from a failing one.
    pub fn check_reachable(&self, timeout: Duration) -> Result<(), String> {
        transport::open(&self.route, Instant::now() + timeout, &mut |_| {})
            .map(drop)
            .map_err(|e| self.unreachable(&e))
    }

    /// What a report must say about how this target was reached.
    pub fn warnings(&self) -> Vec<String> {
        match &self.route.tls {
            Some(tls) if tls.insecure => vec![format!(
                "the TLS certificate of {} was not checked (--insecure): nothing shows who answered",
                tls.host
            )],
            _ => Vec::new(),
        }
    }

    /// The line for a connection that could not be opened.
    pub fn unreachable(&self, e: &OpenError) -> String {
        match e {
            OpenError::Connect { why, .. } => format!("target {} is unreachable: {why}", self.url),
            OpenError::Proxy(why) | OpenError::Tls(why) => format!("target {}: {why}", self.url),
        }
    }
}

/// What a read produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadEnd {
    /// The target closed its side (FIN).
    Closed,
    /// The connection was reset or failed.
    Error(String),
    /// The case's deadline (or the read's own limit) passed.
    TimedOut,
}

/// The answer to an opening handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpAnswer {
    Response(HttpResponse),
    /// No complete response: how it ended and how many bytes came before.
    NoResponse(ReadEnd, usize),
    Malformed(String),
}

/// Largest write when streaming frames whole (not chopped).
pub const STREAM_BLOCK: usize = 256 * 1024;

/// A case's time, shared by its connections: a deadline, which a transfer
/// case moves on as bytes move (an idle limit under an overall cap), and
/// what the scheduler learns from the case (did a deadline decide it, did
/// the target answer at all, how fast).
#[derive(Debug)]
pub struct Budget {
    deadline: Mutex<Instant>,
    /// Idle limit and overall cap: each progress moves the deadline to
    /// `now + idle`, never past the cap.
    idle: Option<(Duration, Instant)>,
    /// A read, write or connect ran out of the case's time.
    timed_out: AtomicBool,
    /// The target sent at least one byte.
    heard: AtomicBool,
    /// A connect failed (refused, unreachable, timed out).
    connect_failed: AtomicBool,
    /// A read or write failed (reset, broken pipe), not by time or FIN.
    broken: AtomicBool,
    /// From connect to the complete response head, of the first handshake.
    first_response: Mutex<Option<Duration>>,
}

/// Move an idle deadline on only when it gains this much, so a stream of
/// small writes does not reset the socket timeouts on each.
const IDLE_STEP: Duration = Duration::from_millis(250);

impl Budget {
    /// A fixed deadline.
    pub fn until(deadline: Instant) -> Arc<Budget> {
        Arc::new(Budget::new(deadline, None))
    }

    /// A deadline `idle` from now, moved on by every progress, never past `cap`.
    pub fn idle(idle: Duration, cap: Instant) -> Arc<Budget> {
        let deadline = (Instant::now() + idle).min(cap);
        Arc::new(Budget::new(deadline, Some((idle, cap))))
    }

    fn new(deadline: Instant, idle: Option<(Duration, Instant)>) -> Budget {
        Budget {
            deadline: Mutex::new(deadline),
            idle,
            timed_out: AtomicBool::new(false),
            heard: AtomicBool::new(false),
            connect_failed: AtomicBool::new(false),
            broken: AtomicBool::new(false),
            first_response: Mutex::new(None),
        }
    }

    pub fn deadline(&self) -> Instant {
        *self.deadline.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new phase of the case (a second connection after a first one that
    /// may have used all its time): a fresh deadline, and only its own
    /// timeouts count.
    pub fn restart(&self, deadline: Instant) {
        *self.deadline.lock().unwrap_or_else(|e| e.into_inner()) = deadline;
        self.timed_out.store(false, Ordering::Relaxed);
    }

    /// Bytes moved: an idle deadline moves on.
    fn progress(&self) {
        let Some((idle, cap)) = self.idle else { return };
        let next = (Instant::now() + idle).min(cap);
        let mut d = self.deadline.lock().unwrap_or_else(|e| e.into_inner());
        if next > *d + IDLE_STEP || (next == cap && next > *d) {
            *d = next;
        }
    }

    /// Whether the case's time (not a shorter wait inside it) ran out.
    pub fn timed_out(&self) -> bool {
        self.timed_out.load(Ordering::Relaxed)
    }

    pub fn heard(&self) -> bool {
        self.heard.load(Ordering::Relaxed)
    }

    pub fn connect_failed(&self) -> bool {
        self.connect_failed.load(Ordering::Relaxed)
    }

    /// Whether the target gave no sign of life: not a byte, and a connect,
    /// read or write failed or ran out of time (a FIN is an answer).
    pub fn unanswered(&self) -> bool {
        !self.heard()
            && (self.connect_failed() || self.timed_out() || self.broken.load(Ordering::Relaxed))
    }

    pub fn first_response(&self) -> Option<Duration> {
        *self
            .first_response
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

/// A client's connection to the suite (serving clients): the socket, the
/// opening handshake it sent, and any bytes read past it.
pub struct Accepted {
    pub conn: Conn,
    pub request: crate::wire::http::HttpRequest,
}

/// One raw TCP connection inside a case.
pub struct Conn {
    stream: Stream,
    id: u32,
    log: WireLog,
    /// The case's time.
    budget: Arc<Budget>,
    /// A shorter wait inside it, if any ([`Conn::set_deadline`]).
    wait: Option<Instant>,
    opened: Instant,
    /// Received and not yet consumed.
    pending: Pending,
    /// Read buffer, reused across reads.
    chunk: Vec<u8>,
    /// Socket timeouts last set, to skip redundant system calls.
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    /// Bytes go into the wire log (off where the case logs messages itself).
    log_bytes: bool,
}

impl Conn {
    pub(crate) fn open(
        target: &Target,
        id: u32,
        log: WireLog,
        budget: Arc<Budget>,
    ) -> Result<Conn, OpenError> {
        let opened = Instant::now();
        let stream = transport::open(&target.route, budget.deadline(), &mut |what| {
            log.event(id, what)
        })
        .inspect_err(|e| {
            budget.connect_failed.store(true, Ordering::Relaxed);
            match e {
                OpenError::Connect { why, timed_out, .. } => {
                    if *timed_out {
                        budget.timed_out.store(true, Ordering::Relaxed);
                    }
                    log.event(id, format!("cannot connect: {why}"));
                }
                other => log.event(id, other.to_string()),
            }
        })?;
        Ok(Conn {
            stream,
            id,
            log,
            budget,
            wait: None,
            opened,
            pending: Pending::new(),
            chunk: vec![0; 256 * 1024],
            read_timeout: None,
            write_timeout: None,
            log_bytes: true,
        })
    }

    /// A connection a client opened to the suite, its opening handshake
    /// (`head` bytes) already read; bytes read past it stay pending.
    pub fn accepted(
        stream: std::net::TcpStream,
        id: u32,
        log: WireLog,
        budget: Arc<Budget>,
        head: &[u8],
        read_past: &[u8],
    ) -> Conn {
        log.bytes(id, Dir::Recv, head);
        // As on the suite's own connections: each write leaves as its own
        // segment, so chunked writes really split and pacing is not delayed.
        let _ = stream.set_nodelay(true);
        let mut pending = Pending::new();
        pending.extend_from_slice(read_past);
        Conn {
            stream: Stream::Tcp(stream),
            id,
            log,
            budget,
            wait: None,
            opened: Instant::now(),
            pending,
            chunk: vec![0; 256 * 1024],
            read_timeout: None,
            write_timeout: None,
            log_bytes: true,
        }
    }

    /// The case logs what this connection carries as messages (a telephony
    /// call's decoded JSON): no bytes in the wire log, and no line for each
    /// short wait that ends without data.
    pub fn log_messages_only(&mut self) {
        self.log_bytes = false;
    }

    pub fn log(&self) -> &WireLog {
        &self.log
    }

    pub fn id(&self) -> u32 {
        self.id
    }

    /// When reads and writes give up: the case's deadline, or a shorter
    /// wait inside it.
    pub fn deadline(&self) -> Instant {
        let case = self.budget.deadline();
        self.wait.map_or(case, |w| w.min(case))
    }

    /// Wait no later than `deadline` (a case waiting a bounded time inside
    /// its own deadline); a deadline at or past the case's ends the wait.
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.wait = (deadline < self.budget.deadline()).then_some(deadline);
        // Timeouts set for the old deadline no longer apply.
        self.read_timeout = None;
        self.write_timeout = None;
    }

    /// End a wait set with [`Conn::set_deadline`]: back to the case's
    /// deadline (which a transfer case may have moved on meanwhile).
    pub fn end_wait(&mut self) {
        self.wait = None;
        self.read_timeout = None;
        self.write_timeout = None;
    }

    fn remaining(&self) -> Option<Duration> {
        let left = self.deadline().saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }

    /// A read or write ran out of time: note it when the time was the
    /// case's own (not a shorter wait the case chose).
    fn ran_out(&self) {
        if self.wait.is_none_or(|w| w >= self.budget.deadline()) {
            self.budget.timed_out.store(true, Ordering::Relaxed);
        }
    }

    /// A socket timeout bounded by the deadline. It is set again only when
    /// the deadline has come more than 10 ms closer than the timeout last set
    /// (so a read never overshoots the deadline by more than that), which
    /// spares a system call on every small write and read.
    fn bounded(last: &mut Option<Duration>, left: Duration) -> Option<Duration> {
        match *last {
            Some(t) if left <= t && t <= left + Duration::from_millis(10) => None,
            _ => {
                *last = Some(left);
                Some(left)
            }
        }
    }

    /// A second handle on the same socket, so one thread can write (paced
    /// audio) while another reads; it logs under the same connection id.
    pub fn writer(&self) -> Result<Conn, String> {
        let stream = self
            .stream
            .try_clone()
            .map_err(|e| format!("cannot share the connection: {e}"))?;
        Ok(Conn {
            stream,
            id: self.id,
            log: self.log.clone(),
            budget: self.budget.clone(),
            wait: self.wait,
            opened: self.opened,
            pending: Pending::new(),
            chunk: vec![0; 64 * 1024],
            read_timeout: None,
            write_timeout: None,
            log_bytes: self.log_bytes,
        })
    }

    /// Write all bytes in one call.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        if self.log_bytes {
            self.log.bytes(self.id, Dir::Send, bytes);
        }
        let left = self.remaining().unwrap_or(Duration::from_millis(1));
        if let Some(t) = Self::bounded(&mut self.write_timeout, left) {
            let _ = self.stream.set_write_timeout(Some(t));
        }
        match self.stream.write_all(bytes) {
            Ok(()) => {
                self.budget.progress();
                Ok(())
            }
            Err(e) => {
                if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) {
                    self.ran_out();
                } else {
                    self.budget.broken.store(true, Ordering::Relaxed);
                }
                self.log.event(self.id, format!("write failed: {e}"));
                Err(format!("write failed: {e}"))
            }
        }
    }

    /// Write in pieces of `chunk` bytes, each its own write (and segment).
    pub fn send_chunked(&mut self, bytes: &[u8], chunk: usize) -> Result<(), String> {
        for piece in bytes.chunks(chunk.max(1)) {
            self.send(piece)?;
        }
        Ok(())
    }

    pub fn send_frame(&mut self, frame: &Frame) -> Result<(), String> {
        self.send(&frame.encode())
    }

    /// Write frames, each given as its first header byte (FIN, RSV, opcode)
    /// and its payload, masked with `key`, as one byte stream cut into writes
    /// of exactly `write_size` bytes (the last may be shorter). The bytes are
    /// built piece by piece in one reused buffer, so a 16 MiB message costs
    /// no 16 MiB copy; with a small `write_size` this is Autobahn's `chopsize`.
    pub fn send_stream<'a>(
        &mut self,
        frames: impl IntoIterator<Item = (u8, &'a [u8])>,
        key: Option<[u8; 4]>,
        write_size: usize,
    ) -> Result<(), String> {
        let size = write_size.max(1);
        let mut out = Vec::with_capacity(size.min(STREAM_BLOCK));
        let mut header = Vec::with_capacity(14);
        for (first, payload) in frames {
            header.clear();
            frame::write_header(
                &mut header,
                first,
                payload.len() as u64,
                frame::LenEncoding::Minimal,
                key,
            );
            self.stream_piece(&mut out, &header, None, size)?;
            self.stream_piece(&mut out, payload, key, size)?;
        }
        if !out.is_empty() {
            self.send(&out)?;
        }
        Ok(())
    }

    /// Append `bytes` (masked from their start with `key`, if any) to `out`,
    /// writing `out` each time it reaches `size` bytes.
    fn stream_piece(
        &mut self,
        out: &mut Vec<u8>,
        bytes: &[u8],
        key: Option<[u8; 4]>,
        size: usize,
    ) -> Result<(), String> {
        let mut done = 0;
        while done < bytes.len() {
            let n = (size - out.len()).min(bytes.len() - done);
            let start = out.len();
            out.extend_from_slice(&bytes[done..done + n]);
            if let Some(key) = key {
                frame::apply_mask(&mut out[start..], frame::key_at(key, done));
            }
            done += n;
            if out.len() == size {
                self.send(out)?;
                out.clear();
            }
        }
        Ok(())
    }

    /// Read once (up to the deadline) and append to `pending`.
    pub fn read_some(&mut self) -> Result<usize, ReadEnd> {
        self.read_at_most(usize::MAX)
    }

    /// [`Conn::read_some`], reading no more than `limit` bytes.
    fn read_at_most(&mut self, limit: usize) -> Result<usize, ReadEnd> {
        let Some(left) = self.remaining() else {
            self.ran_out();
            self.log.event(self.id, "deadline reached");
            return Err(ReadEnd::TimedOut);
        };
        if let Some(t) = Self::bounded(&mut self.read_timeout, left) {
            let _ = self.stream.set_read_timeout(Some(t));
        }
        let n = limit.clamp(1, self.chunk.len());
        match self.stream.read(&mut self.chunk[..n]) {
            Ok(0) => {
                self.log
                    .event(self.id, "target closed the connection (FIN)");
                Err(ReadEnd::Closed)
            }
            Ok(n) => {
                self.budget.heard.store(true, Ordering::Relaxed);
                self.budget.progress();
                if self.log_bytes {
                    self.log.bytes(self.id, Dir::Recv, &self.chunk[..n]);
                }
                self.pending.extend_from_slice(&self.chunk[..n]);
                Ok(n)
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                self.ran_out();
                if self.log_bytes || self.wait.is_none() {
                    self.log.event(self.id, "deadline reached");
                }
                Err(ReadEnd::TimedOut)
            }
            Err(e) => {
                self.budget.broken.store(true, Ordering::Relaxed);
                self.log.event(self.id, format!("read failed: {e}"));
                Err(ReadEnd::Error(e.to_string()))
            }
        }
    }

    /// Bytes received and not yet consumed (after a handshake: frames).
    pub fn pending_bytes(&self) -> &[u8] {
        self.pending.bytes()
    }

    /// Read the response to an opening handshake; bytes after its header
    /// section stay in `pending`. At most [`MAX_RESPONSE_HEAD`] bytes (and
    /// one read) are taken before the head must have ended; each byte is
    /// scanned once.
    ///
    /// [`MAX_RESPONSE_HEAD`]: crate::wire::http::MAX_RESPONSE_HEAD
    pub fn read_http_response(&mut self) -> HttpAnswer {
        let mut scanner = HeadScanner::default();
        loop {
            match scanner.scan(self.pending.bytes()) {
                ParseResponse::Complete(resp) => {
                    self.pending.consume(resp.header_len);
                    let mut first = self
                        .budget
                        .first_response
                        .lock()
                        .unwrap_or_else(|e| e.into_inner());
                    first.get_or_insert(self.opened.elapsed());
                    return HttpAnswer::Response(resp);
                }
                ParseResponse::Malformed(e) => {
                    self.log.event(self.id, format!("response refused: {e}"));
                    return HttpAnswer::Malformed(e);
                }
                ParseResponse::Partial => {}
            }
            let room =
                (crate::wire::http::MAX_RESPONSE_HEAD + 1).saturating_sub(self.pending.len());
            if let Err(end) = self.read_at_most(room.max(1)) {
                return HttpAnswer::NoResponse(end, self.pending.len());
            }
        }
    }

    /// Read the next frame the target sends. Once a large frame's header is
    /// in, it is taken out of the receive buffer, room is reserved for the
    /// payload and reads stop at its end, so the payload becomes the frame's
    /// without another copy.
    pub fn read_frame(&mut self, max_payload: u64) -> Result<Frame, FrameEnd> {
        loop {
            match self.pending.take_frame(max_payload) {
                Ok(Some(frame)) => return Ok(frame),
                Ok(None) => {}
                Err(e) => return Err(FrameEnd::Invalid(e)),
            }
            // Read no further than the frame's end: a read past it would
            // grow the buffer reserved for the payload.
            let missing = self.pending.missing();
            let limit = if missing > 0 { missing } else { usize::MAX };
            if let Err(end) = self.read_at_most(limit) {
                return Err(FrameEnd::Read(end, self.pending.len()));
            }
        }
    }

    /// Read the next frame and hand it to `observer` with the time it
    /// arrived (bytes that cannot be a frame too, as the observer's event;
    /// nothing after them can be read). Then take the observer's events
    /// and, with [`Conn::send_replies`], send what it says is owed.
    pub fn observe(&mut self, observer: &mut Observer) -> Result<(), FrameEnd> {
        match self.read_frame(observer.max_payload()) {
            Ok(frame) => {
                observer.receive_frame(frame, Instant::now());
                Ok(())
            }
            Err(FrameEnd::Invalid(e)) => {
                observer.receive_unreadable(self.pending.bytes(), e.clone(), Instant::now());
                Err(FrameEnd::Invalid(e))
            }
            Err(end) => Err(end),
        }
    }

    /// Send the replies `observer` says the client owes (a pong, the close
    /// reply), masked with `key`; stops at the first failed write.
    pub fn send_replies(&mut self, observer: &mut Observer, key: [u8; 4]) -> Result<(), String> {
        while let Some(reply) = observer.poll_reply() {
            self.send_frame(&reply.masked(key))?;
        }
        Ok(())
    }

    /// Half-close our side (FIN), as a client does after a close handshake.
    pub fn shutdown_write(&mut self) {
        self.log.event(self.id, "suite closed its side (FIN)");
        self.stream.shutdown_write();
    }
}

/// Why no frame came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameEnd {
    /// The stream ended; `usize` bytes of an incomplete frame were pending.
    Read(ReadEnd, usize),
    Invalid(String),
}

impl std::fmt::Display for ReadEnd {
    /// `the connection was closed`, as details print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadEnd::Closed => f.write_str("the connection was closed"),
            ReadEnd::Error(e) => write!(f, "the connection failed ({e})"),
            ReadEnd::TimedOut => f.write_str("the deadline passed"),
        }
    }
}

impl std::fmt::Display for FrameEnd {
    /// `the connection was closed with 3 bytes of an incomplete frame`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameEnd::Read(end, 0) => write!(f, "{end}"),
            FrameEnd::Read(end, n) => write!(f, "{end} with {n} bytes of an incomplete frame"),
            FrameEnd::Invalid(e) => write!(f, "bytes that are not a frame: {e}"),
        }
    }
}

impl std::fmt::Display for HttpAnswer {
    /// `HTTP/1.1 400 Bad Request`, or how the answer fell short of one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpAnswer::Response(r) => f.write_str(&r.status_line()),
            HttpAnswer::NoResponse(end, 0) => {
                write!(f, "no HTTP response: {end} with nothing sent back")
            }
            HttpAnswer::NoResponse(end, n) => {
                write!(f, "no complete HTTP response: {end} after {n} bytes")
            }
            HttpAnswer::Malformed(e) => write!(f, "a malformed HTTP response: {e}"),
        }
    }
}
