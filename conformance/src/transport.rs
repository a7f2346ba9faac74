//! How a case's bytes reach the target: TCP, an HTTP proxy's CONNECT tunnel, TLS; cases
//! see only plaintext ([docs/target.md](../../docs/target.md#tls-proxies-and-request-shaping)).

use percent_encoding::percent_decode_str;
use rustls::pki_types::ServerName;
use rustls::ClientConnection;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use voxproof_reference::tls::{self, Trust};

/// How to reach targets, from the command line: where TCP goes, through
/// which proxy, and which certificates to trust.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// `--connect HOST:PORT`: connect there instead of the URL's host and
    /// port (the Host header and SNI still name the URL's host).
    pub connect_to: Option<String>,
    /// `--proxy http://[user:pass@]host:port`.
    pub proxy: Option<String>,
    /// `--ca-file`, `--insecure`, or the platform's store.
    pub trust: Trust,
}

/// The way to one target: the first hop, the tunnel and the TLS session.
#[derive(Clone)]
pub struct Route {
    /// Where TCP connects: the proxy, `--connect`'s address or the URL's.
    pub addr: SocketAddr,
    pub proxy: Option<Proxy>,
    pub tls: Option<TlsClient>,
}

/// An HTTP proxy and what to ask it for.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    pub url: String,
    /// `host:port` in the CONNECT request.
    pub tunnel_to: String,
    /// `Proxy-Authorization` value, from the proxy URL's user and password.
    pub authorization: Option<String>,
}

/// A TLS client for one host.
#[derive(Clone)]
pub struct TlsClient {
    pub config: Arc<rustls::ClientConfig>,
    pub name: ServerName<'static>,
    /// The name as the user wrote it, for messages.
    pub host: String,
    /// `--insecure`: the report says the certificate was not checked.
    pub insecure: bool,
}

impl PartialEq for Route {
    fn eq(&self, other: &Route) -> bool {
        let same_tls = match (&self.tls, &other.tls) {
            (None, None) => true,
            (Some(a), Some(b)) => a.name == b.name && Arc::ptr_eq(&a.config, &b.config),
            _ => false,
        };
        self.addr == other.addr && self.proxy == other.proxy && same_tls
    }
}

impl Eq for Route {}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("addr", &self.addr)
            .field("proxy", &self.proxy.as_ref().map(|p| &p.url))
            .field("tls", &self.tls.as_ref().map(|t| &t.host))
            .finish()
    }
}

fn resolve(host_port: &str, what: &str) -> Result<SocketAddr, String> {
    host_port
        .to_socket_addrs()
        .map_err(|e| format!("{what}: cannot resolve {host_port}: {e}"))?
        .next()
        .ok_or_else(|| format!("{what}: {host_port} has no address"))
}

impl Network {
    /// The route to `host:port` (the URL's), over TLS when `secure`.
    pub fn route(&self, url: &str, host: &str, port: u16, secure: bool) -> Result<Route, String> {
        let bare = host.trim_matches(['[', ']']);
        let url_hop = if host.starts_with('[') {
            format!("{host}:{port}")
        } else {
            format!("{bare}:{port}")
        };
        let hop = self.connect_to.clone().unwrap_or(url_hop);
        let (addr, proxy) = match &self.proxy {
            None => (resolve(&hop, &format!("target {url}"))?, None),
            Some(p) => {
                let parsed =
                    url::Url::parse(p).map_err(|e| format!("proxy \"{p}\" is not a URL: {e}"))?;
                if parsed.scheme() != "http" {
                    return Err(format!(
                        "proxy {p}: only http:// proxies (CONNECT) are supported"
                    ));
                }
                let phost = parsed
                    .host_str()
                    .ok_or_else(|| format!("proxy {p} has no host"))?;
                let pport = parsed.port_or_known_default().unwrap_or(80);
                let addr = resolve(
                    &format!("{}:{pport}", phost.trim_matches(['[', ']'])),
                    &format!("proxy {p}"),
                )?;
                let authorization = (!parsed.username().is_empty()).then(|| {
                    use base64::Engine;
                    // The URL keeps them percent-encoded.
                    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
                    let user = decode(parsed.username());
                    let pass = decode(parsed.password().unwrap_or(""));
                    let pair = format!("{user}:{pass}");
                    format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(pair)
                    )
                });
                let proxy = Proxy {
                    url: p.clone(),
                    tunnel_to: hop,
                    authorization,
                };
                (addr, Some(proxy))
            }
        };
        let tls = if secure {
            let config =
                tls::client_config(&self.trust).map_err(|e| format!("target {url}: {e}"))?;
            Some(TlsClient {
                config,
                name: tls::server_name(host)?,
                host: bare.to_string(),
                insecure: matches!(self.trust, Trust::Anything),
            })
        } else {
            None
        };
        Ok(Route { addr, proxy, tls })
    }
}

/// Why a connection could not be opened, as the end of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// TCP to the first hop failed; `timed_out` when it ran out of time.
    Connect {
        addr: SocketAddr,
        why: String,
        timed_out: bool,
    },
    /// The proxy refused or broke the tunnel.
    Proxy(String),
    /// The TLS handshake failed.
    Tls(String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Connect { addr, why, .. } => write!(f, "cannot connect to {addr}: {why}"),
            OpenError::Proxy(why) => f.write_str(why),
            OpenError::Tls(why) => f.write_str(why),
        }
    }
}

/// A connected byte stream: plain TCP, or TLS over it.
pub enum Stream {
    Tcp(TcpStream),
    Tls(TlsStream),
}

/// Open `route` before `deadline`; `note` receives what happened on the
/// way (connect, tunnel, TLS), for the wire log.
pub fn open(
    route: &Route,
    deadline: Instant,
    note: &mut dyn FnMut(String),
) -> Result<Stream, OpenError> {
    let left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1))
    };
    let sock = TcpStream::connect_timeout(&route.addr, left()).map_err(|e| OpenError::Connect {
        addr: route.addr,
        timed_out: matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        why: e.to_string(),
    })?;
    // Each write leaves as its own segment, so chunked writes really split.
    let _ = sock.set_nodelay(true);
    note(format!("connected to {}", route.addr));
    if let Some(proxy) = &route.proxy {
        tunnel(&sock, proxy, deadline)?;
        note(format!(
            "proxy {} opened a tunnel to {}",
            proxy.url, proxy.tunnel_to
        ));
    }
    let Some(tls) = &route.tls else {
        return Ok(Stream::Tcp(sock));
    };
    let stream = TlsStream::handshake(sock, tls, deadline)?;
    note(stream.summary());
    Ok(Stream::Tls(stream))
}

/// Ask the proxy for a tunnel (RFC 9110 §9.3.6) and read its answer byte
/// by byte, so no byte after the answer's head is taken from the tunnel.
fn tunnel(mut sock: &TcpStream, proxy: &Proxy, deadline: Instant) -> Result<(), OpenError> {
    let to = &proxy.tunnel_to;
    let fail = |why: String| OpenError::Proxy(format!("proxy {}: {why}", proxy.url));
    let mut request = format!("CONNECT {to} HTTP/1.1\r\nHost: {to}\r\n");
    if let Some(auth) = &proxy.authorization {
        request.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
    }
    request.push_str("\r\n");
    let left = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(1));
    let _ = sock.set_write_timeout(Some(left));
    sock.write_all(request.as_bytes())
        .map_err(|e| fail(format!("cannot send CONNECT: {e}")))?;
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || head.len() > 16 * 1024 {
            return Err(fail(format!("no complete answer to CONNECT {to}")));
        }
        let _ = sock.set_read_timeout(Some(left));
        let mut byte = [0u8; 1];
        match sock.read(&mut byte) {
            Ok(0) => return Err(fail(format!("closed the connection on CONNECT {to}"))),
            Ok(_) => head.push(byte[0]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(fail(format!("no answer to CONNECT {to} in time")))
            }
            Err(e) => return Err(fail(format!("failed during CONNECT {to}: {e}"))),
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(fail(format!("its answer to CONNECT {to} is not HTTP"))),
    }
    let code = response.code.unwrap_or(0);
    if (200..300).contains(&code) {
        Ok(())
    } else {
        Err(fail(format!(
            "refused CONNECT {to} with {code} {}",
            response.reason.unwrap_or("")
        )))
    }
}

impl Stream {
    fn sock(&self) -> &TcpStream {
        match self {
            Stream::Tcp(s) => s,
            Stream::Tls(t) => &t.sock,
        }
    }

    /// Over TLS the timeout bounds the whole read, however many socket
    /// reads a record takes (a target dripping a record byte by byte must
    /// not hold a case past its deadline).
    pub fn set_read_timeout(&mut self, t: Option<Duration>) -> std::io::Result<()> {
        if let Stream::Tls(tls) = self {
            tls.read_timeout = t;
        }
        self.sock().set_read_timeout(t)
    }

    pub fn set_write_timeout(&self, t: Option<Duration>) -> std::io::Result<()> {
        self.sock().set_write_timeout(t)
    }

    pub fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Tls(t) => t.read(buf),
        }
    }

    pub fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => s.write_all(buf),
            Stream::Tls(t) => t.write_all(buf),
        }
    }

    /// A second handle, for a writer thread beside the reader.
    pub fn try_clone(&self) -> std::io::Result<Stream> {
        Ok(match self {
            Stream::Tcp(s) => Stream::Tcp(s.try_clone()?),
            Stream::Tls(t) => Stream::Tls(t.try_clone()?),
        })
    }

    /// Half-close our side; over TLS a close_notify goes first.
    pub fn shutdown_write(&mut self) {
        if let Stream::Tls(t) = self {
            t.close_notify();
        }
        let _ = self.sock().shutdown(Shutdown::Write);
    }
}

/// TLS over a TCP socket, as a pair of handles (reader, writer) that can
/// work from two threads at once. The rustls state is shared under a lock
/// held only while bytes are encrypted or decrypted, never across a
/// blocking socket call; socket timeouts therefore bound every read and
/// write as they do over plain TCP, and each write is one TLS record
/// sequence sent by one system call, as a plain write is one segment.
pub struct TlsStream {
    sock: TcpStream,
    shared: Arc<Shared>,
    /// Ciphertext read and not yet given to rustls (this handle's reads).
    raw: Vec<u8>,
    raw_at: usize,
    /// Encrypted output of this handle, reused between writes.
    out: Vec<u8>,
    /// The last read timeout set: the bound of one whole read.
    read_timeout: Option<Duration>,
    eof: bool,
}

struct Shared {
    conn: Mutex<ClientConnection>,
    /// Held from encrypting a write until its records are on the socket,
    /// so records leave in the order they were sealed.
    sending: Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TlsStream {
    fn handshake(
        sock: TcpStream,
        tls: &TlsClient,
        deadline: Instant,
    ) -> Result<TlsStream, OpenError> {
        let host = &tls.host;
        let fail = |why: String| OpenError::Tls(format!("TLS handshake with {host} failed: {why}"));
        let mut conn = ClientConnection::new(tls.config.clone(), tls.name.clone())
            .map_err(|e| fail(tls::describe(&e, host)))?;
        // Writes are whole: the suite's own flow control is the socket's.
        conn.set_buffer_limit(None);
        let mut sock_ref = &sock;
        let mut checked_first_answer = false;
        while conn.is_handshaking() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(fail("no answer in time".into()));
            }
            let _ = sock.set_read_timeout(Some(left));
            let _ = sock.set_write_timeout(Some(left));
            while conn.wants_write() {
                conn.write_tls(&mut sock_ref)
                    .map_err(|e| fail(format!("cannot send: {e}")))?;
            }
            if !conn.is_handshaking() {
                break;
            }
            if !checked_first_answer {
                checked_first_answer = true;
                first_answer_is_tls(&sock).map_err(fail)?;
            }
            match conn.read_tls(&mut sock_ref) {
                Ok(0) => return Err(fail("the peer closed the connection".into())),
                Ok(_) => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Err(fail("no answer in time".into()))
                }
                Err(e) => return Err(fail(e.to_string())),
            }
            if let Err(e) = conn.process_new_packets() {
                // Tell the peer why (the alert), then give up.
                let _ = conn.write_tls(&mut sock_ref);
                return Err(fail(tls::describe(&e, host)));
            }
        }
        Ok(TlsStream {
            sock,
            shared: Arc::new(Shared {
                conn: Mutex::new(conn),
                sending: Mutex::new(()),
            }),
            raw: Vec::new(),
            raw_at: 0,
            out: Vec::new(),
            read_timeout: None,
            eof: false,
        })
    }

    /// `TLS 1.3 with HOST, ALPN http/1.1`, for the wire log.
    fn summary(&self) -> String {
        let conn = lock(&self.shared.conn);
        let version = match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3",
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2",
            _ => "TLS",
        };
        let alpn = match conn.alpn_protocol() {
            Some(p) => format!("ALPN {}", String::from_utf8_lossy(p)),
            None => "no ALPN".to_string(),
        };
        format!("{version} session established ({alpn})")
    }

    fn try_clone(&self) -> std::io::Result<TlsStream> {
        Ok(TlsStream {
            sock: self.sock.try_clone()?,
            shared: self.shared.clone(),
            raw: Vec::new(),
            raw_at: 0,
            out: Vec::new(),
            read_timeout: None,
            eof: false,
        })
    }

    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let shared = self.shared.clone();
        let until = self.read_timeout.map(|t| Instant::now() + t);
        loop {
            let mut conn = lock(&shared.conn);
            match conn.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                // TCP closed without close_notify: many servers end so
                // after a WebSocket close; to the case it is a FIN.
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(e),
            }
            if self.raw_at < self.raw.len() {
                let mut rest = &self.raw[self.raw_at..];
                let before = rest.len();
                conn.read_tls(&mut rest)?;
                self.raw_at += before - rest.len();
                let processed = conn.process_new_packets();
                let owed = seal_owed(&mut conn);
                if !owed.is_empty() {
                    // In sequence order: the sending lock is taken before
                    // the state is released, as writes do.
                    let sending = lock(&shared.sending);
                    drop(conn);
                    let _ = (&self.sock).write_all(&owed);
                    drop(sending);
                }
                if let Err(e) = processed {
                    return Err(std::io::Error::new(
                        ErrorKind::InvalidData,
                        format!("TLS: {}", tls::describe(&e, "the target")),
                    ));
                }
                continue;
            }
            if self.eof {
                return Ok(0);
            }
            drop(conn);
            if let Some(until) = until {
                let left = until.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(ErrorKind::TimedOut.into());
                }
                self.sock.set_read_timeout(Some(left))?;
            }
            self.raw.resize(64 * 1024, 0);
            let n = match self.sock.read(&mut self.raw) {
                Ok(n) => n,
                Err(e) => {
                    self.raw.truncate(0);
                    return Err(e);
                }
            };
            self.raw.truncate(n);
            self.raw_at = 0;
            if n == 0 {
                self.eof = true;
                // rustls learns of the end, so a missing close_notify shows.
                let _ = lock(&self.shared.conn).read_tls(&mut &[][..]);
            }
        }
    }
}

/// Records rustls wants sent (an alert, a key update), sealed now.
fn seal_owed(conn: &mut ClientConnection) -> Vec<u8> {
    let mut owed = Vec::new();
    while conn.wants_write() {
        if conn.write_tls(&mut owed).is_err() {
            break;
        }
    }
    owed
}

impl TlsStream {
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.out.clear();
        let sending = {
            let mut conn = lock(&self.shared.conn);
            conn.writer().write_all(buf)?;
            while conn.wants_write() {
                conn.write_tls(&mut self.out)?;
            }
            // Taken before the state is released: records go out in order.
            lock(&self.shared.sending)
        };
        let result = (&self.sock).write_all(&self.out);
        drop(sending);
        result
    }

    fn close_notify(&mut self) {
        let sending = {
            let mut conn = lock(&self.shared.conn);
            conn.send_close_notify();
            self.out.clear();
            while conn.wants_write() {
                if conn.write_tls(&mut self.out).is_err() {
                    break;
                }
            }
            lock(&self.shared.sending)
        };
        let _ = (&self.sock).write_all(&self.out);
        drop(sending);
    }
}

/// After the ClientHello: the first byte of a TLS answer is a record type
/// (22 handshake, 21 alert). A plain HTTP server answers text instead, or
/// closes; say so rather than pass on a decoding error.
fn first_answer_is_tls(sock: &TcpStream) -> Result<(), String> {
    let mut peek = [0u8; 64];
    match sock.peek(&mut peek) {
        Ok(0) => Err("the peer closed the connection without a TLS answer".into()),
        Ok(n) if !(20..=23).contains(&peek[0]) => {
            let text: String = String::from_utf8_lossy(&peek[..n])
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            if text.is_empty() {
                Err("the peer's answer is not TLS".into())
            } else {
                Err(format!(
                    "the peer's answer is not TLS but \"{text}\" (a plain ws:// or http:// port?)"
                ))
            }
        }
        Ok(_) => Ok(()),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            Err("no answer in time".into())
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use voxproof_reference::tls::ThrowawayCa;

    /// A TLS server that finishes the handshake, then sends one record a
    /// byte every 50 ms.
    fn dripping_server(ca: &ThrowawayCa) -> SocketAddr {
        let config = ca.issue(&["127.0.0.1"]).server_config();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut sock, _) = listener.accept().unwrap();
            let mut conn = rustls::ServerConnection::new(config).unwrap();
            while conn.is_handshaking() {
                if conn.complete_io(&mut sock).is_err() {
                    return;
                }
            }
            conn.writer()
                .write_all(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
                .unwrap();
            let mut record = Vec::new();
            while conn.wants_write() {
                conn.write_tls(&mut record).unwrap();
            }
            for byte in record {
                std::thread::sleep(Duration::from_millis(50));
                if sock.write_all(&[byte]).is_err() {
                    return;
                }
            }
        });
        addr
    }

    #[test]
    fn a_read_timeout_bounds_a_record_dripped_byte_by_byte() {
        let ca = ThrowawayCa::new();
        let addr = dripping_server(&ca);
        let network = Network {
            trust: ca.trust(),
            ..Network::default()
        };
        let route = network
            .route("wss://127.0.0.1/", "127.0.0.1", addr.port(), true)
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut stream = open(&route, deadline, &mut |_| {}).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let started = Instant::now();
        let mut buf = [0u8; 64];
        let end = stream.read(&mut buf).unwrap_err();
        assert!(matches!(
            end.kind(),
            ErrorKind::TimedOut | ErrorKind::WouldBlock
        ));
        // The record takes over 2 s to arrive; the read gave up near 300 ms.
        assert!(started.elapsed() < Duration::from_millis(1500));
    }
}
