//! A small blocking client: our handshake code, then tungstenite framing; wss:// through
//! rustls ([docs/README.md](../../../docs/README.md#tls-in-the-reference-server-and-client)).

pub mod call;
pub mod stream;

use crate::handshake::accept::key_from_nonce;
use crate::handshake::client::{validate_response, ClientRequest, ResponseParse};
use crate::tls;
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;
use tungstenite::protocol::{CloseFrame, Role, WebSocket};

/// A `ws://` or `wss://` URL (`host[:port]/path`) taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// wss://: TLS under the WebSocket.
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub resource: String,
}

impl WsUrl {
    pub fn parse(s: &str) -> Result<WsUrl, String> {
        let url = url::Url::parse(s).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
        let tls = match url.scheme() {
            "ws" => false,
            "wss" => true,
            other => return Err(format!("scheme {other}:// is neither ws:// nor wss://")),
        };
        let host = url
            .host_str()
            .ok_or_else(|| format!("{s:?} has no host"))?
            .to_string();
        // url knows both schemes' default ports and leaves them out of port().
        let port = url.port_or_known_default().unwrap_or(80);
        let mut resource = url.path().to_string();
        if let Some(q) = url.query() {
            resource.push('?');
            resource.push_str(q);
        }
        Ok(WsUrl {
            tls,
            host,
            port,
            resource,
        })
    }

    /// 443 for wss://, 80 for ws:// (RFC 6455 §3).
    pub fn default_port(&self) -> u16 {
        if self.tls {
            443
        } else {
            80
        }
    }

    /// The Host field value: the port is omitted when it is the default.
    pub fn authority(&self) -> String {
        if self.port == self.default_port() {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// The byte stream under the WebSocket: TCP, or rustls over TCP (wss://).
pub enum MaybeTls {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl MaybeTls {
    /// The TCP connection (under TLS for wss://).
    pub fn tcp(&self) -> &TcpStream {
        match self {
            MaybeTls::Plain(tcp) => tcp,
            MaybeTls::Tls(tls) => tls.get_ref(),
        }
    }

    /// Bound reads, as `TcpStream::set_read_timeout`. Under TLS a read that
    /// times out may have taken part of a record: rustls keeps it, so the
    /// next read goes on where this one stopped.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> std::io::Result<()> {
        self.tcp().set_read_timeout(timeout)
    }
}

impl std::fmt::Debug for MaybeTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            MaybeTls::Plain(_) => "Plain",
            MaybeTls::Tls(_) => "Tls",
        };
        f.debug_tuple(kind).field(self.tcp()).finish()
    }
}

impl Read for MaybeTls {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            MaybeTls::Plain(tcp) => tcp.read(buf),
            MaybeTls::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for MaybeTls {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            MaybeTls::Plain(tcp) => tcp.write(buf),
            MaybeTls::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            MaybeTls::Plain(tcp) => tcp.flush(),
            MaybeTls::Tls(tls) => tls.flush(),
        }
    }
}

/// Connect, handshake with our own code, and hand the socket to tungstenite.
/// wss:// trusts the platform's store; [`connect_with`] takes a configuration.
pub fn connect(
    url: &WsUrl,
    protocols: &[String],
    extra_headers: &[(String, String)],
    timeout: Duration,
) -> Result<(WebSocket<MaybeTls>, Option<String>), String> {
    connect_with(url, protocols, extra_headers, timeout, None)
}

/// As [`connect`], with the TLS configuration for wss:// (None: the
/// platform's trust store; ignored for ws://). `timeout` bounds each wait
/// for the server during the TLS and WebSocket handshakes.
pub fn connect_with(
    url: &WsUrl,
    protocols: &[String],
    extra_headers: &[(String, String)],
    timeout: Duration,
    tls_config: Option<&Arc<ClientConfig>>,
) -> Result<(WebSocket<MaybeTls>, Option<String>), String> {
    let addr = format!("{}:{}", url.host.trim_matches(['[', ']']), url.port);
    let tcp = TcpStream::connect(&addr).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    tcp.set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let mut stream = if url.tls {
        let config = match tls_config {
            Some(config) => config.clone(),
            None => tls::client_config(&tls::Trust::Platform)?,
        };
        tls_handshake(tcp, &url.host, config, timeout)?
    } else {
        MaybeTls::Plain(tcp)
    };
    let mut request = ClientRequest::new(
        &url.authority(),
        &url.resource,
        &key_from_nonce(rand::random()),
    );
    request.protocols = protocols.to_vec();
    request.extra_headers = extra_headers.to_vec();
    stream
        .write_all(&request.to_bytes())
        .map_err(|e| e.to_string())?;

    let mut buf = Vec::new();
    let established = loop {
        // A TLS record header (alert or handshake, version 3.x) where HTTP
        // was expected: a wss:// port given as ws://.
        if !url.tls && matches!(buf.as_slice(), [0x15 | 0x16, 0x03, ..]) {
            return Err("handshake failed: the server answered in TLS (use wss://)".into());
        }
        match validate_response(&buf, &request).map_err(|e| format!("handshake failed: {e}"))? {
            ResponseParse::Complete(established) => break established,
            ResponseParse::Partial => {}
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk) {
            Ok(0) => return Err("server closed the connection during the handshake".into()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("reading the handshake response: {e}")),
        }
    };
    stream.set_read_timeout(None).map_err(|e| e.to_string())?;
    let leftover = buf[established.consumed..].to_vec();
    let ws = WebSocket::from_partially_read(stream, leftover, Role::Client, None);
    Ok((ws, established.protocol))
}

/// The TLS handshake, done here rather than on the first write so that its
/// failure is one line of its own: `TLS handshake with HOST failed: …`.
fn tls_handshake(
    mut tcp: TcpStream,
    host: &str,
    config: Arc<ClientConfig>,
    timeout: Duration,
) -> Result<MaybeTls, String> {
    let failed = |why: String| format!("TLS handshake with {host} failed: {why}");
    // SNI and the name checked against the certificate.
    let name = tls::server_name(host).map_err(failed)?;
    let mut conn =
        ClientConnection::new(config, name).map_err(|e| failed(tls::describe(&e, host)))?;
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            let why = match e.kind() {
                ErrorKind::WouldBlock | ErrorKind::TimedOut => {
                    format!("no answer within {} ms", timeout.as_millis())
                }
                _ => tls::describe_io(&e, host),
            };
            return Err(failed(why));
        }
    }
    Ok(MaybeTls::Tls(Box::new(StreamOwned::new(conn, tcp))))
}

/// The name RFC 6455 §11.7 registers for a close code, in lower case.
pub fn close_code_name(code: u16) -> Option<&'static str> {
    Some(match code {
        1000 => "normal closure",
        1001 => "going away",
        1002 => "protocol error",
        1003 => "unsupported data",
        1005 => "no status received",
        1006 => "abnormal closure",
        1007 => "invalid frame payload data",
        1008 => "policy violation",
        1009 => "message too big",
        1010 => "mandatory extension",
        1011 => "internal server error",
        1015 => "TLS handshake",
        _ => return None,
    })
}

/// One line for the close a server sent, e.g. `closed by the server: 1008
/// (policy violation) "token expired"`.
pub fn describe_close(frame: Option<&CloseFrame>) -> String {
    let Some(frame) = frame else {
        return "closed by the server (no status code)".to_string();
    };
    let code = u16::from(frame.code);
    let mut line = format!("closed by the server: {code}");
    if let Some(name) = close_code_name(code) {
        line.push_str(&format!(" ({name})"));
    }
    if !frame.reason.is_empty() {
        line.push_str(&format!(" \"{}\"", frame.reason.as_str()));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wss_urls_default_to_port_443() {
        let url = WsUrl::parse("wss://example.test/echo?x=1").unwrap();
        assert!(url.tls);
        assert_eq!((url.port, url.authority()), (443, "example.test".into()));
        assert_eq!(url.resource, "/echo?x=1");
        let url = WsUrl::parse("wss://example.test:80/").unwrap();
        assert_eq!(url.authority(), "example.test:80");
        let url = WsUrl::parse("ws://example.test:443/").unwrap();
        assert!(!url.tls);
        assert_eq!(url.authority(), "example.test:443");
        assert_eq!(WsUrl::parse("ws://[::1]/").unwrap().port, 80);
    }
    use tungstenite::protocol::frame::coding::CloseCode;

    #[test]
    fn close_lines() {
        let frame = CloseFrame {
            code: CloseCode::Policy,
            reason: "token expired".into(),
        };
        assert_eq!(
            describe_close(Some(&frame)),
            "closed by the server: 1008 (policy violation) \"token expired\""
        );
        let frame = CloseFrame {
            code: CloseCode::from(4000),
            reason: "".into(),
        };
        assert_eq!(describe_close(Some(&frame)), "closed by the server: 4000");
        assert_eq!(
            describe_close(None),
            "closed by the server (no status code)"
        );
    }
}
