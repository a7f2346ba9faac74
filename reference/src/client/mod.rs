//! A small blocking client: our handshake code, then tungstenite framing.

pub mod stream;

use crate::handshake::accept::key_from_nonce;
use crate::handshake::client::{validate_response, ClientRequest, ResponseParse};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use tungstenite::protocol::{CloseFrame, Role, WebSocket};

/// A `ws://host[:port]/path` URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    pub host: String,
    pub port: u16,
    pub resource: String,
}

impl WsUrl {
    pub fn parse(s: &str) -> Result<WsUrl, String> {
        let url = url::Url::parse(s).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
        match url.scheme() {
            "ws" => {}
            "wss" => return Err("wss:// is not supported (no TLS); use ws://".into()),
            other => return Err(format!("scheme {other}:// is not ws://")),
        }
        let host = url
            .host_str()
            .ok_or_else(|| format!("{s:?} has no host"))?
            .to_string();
        let port = url.port().unwrap_or(80);
        let mut resource = url.path().to_string();
        if let Some(q) = url.query() {
            resource.push('?');
            resource.push_str(q);
        }
        Ok(WsUrl {
            host,
            port,
            resource,
        })
    }

    /// The Host field value: the port is omitted when it is the default.
    pub fn authority(&self) -> String {
        if self.port == 80 {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Connect, handshake with our own code, and hand the socket to tungstenite.
pub fn connect(
    url: &WsUrl,
    protocols: &[String],
    extra_headers: &[(String, String)],
    timeout: Duration,
) -> Result<(WebSocket<TcpStream>, Option<String>), String> {
    let addr = format!("{}:{}", url.host.trim_matches(['[', ']']), url.port);
    let mut stream =
        TcpStream::connect(&addr).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
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
