//! The client's side of the opening handshake (RFC 6455 §4.1): build the
//! request, then judge the server's response.

use super::accept::accept_for;
use super::fields::{extension_name, list, list_has, values};

/// What the client asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequest {
    /// `host[:port]` for the Host field.
    pub host: String,
    /// Resource name: path and optional query.
    pub resource: String,
    /// The base64 nonce sent as Sec-WebSocket-Key.
    pub key: String,
    pub protocols: Vec<String>,
    pub extensions: Vec<String>,
    /// Further fields, e.g. Authorization.
    pub extra_headers: Vec<(String, String)>,
}

impl ClientRequest {
    pub fn new(host: &str, resource: &str, key: &str) -> Self {
        ClientRequest {
            host: host.to_string(),
            resource: resource.to_string(),
            key: key.to_string(),
            protocols: Vec::new(),
            extensions: Vec::new(),
            extra_headers: Vec::new(),
        }
    }

    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.1
    //# 1.   The handshake MUST be a valid HTTP request as specified by
    //#      [RFC2616].
    //#
    //# 2.   The method of the request MUST be GET, and the HTTP version MUST
    //#      be at least 1.1.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n",
            self.resource, self.host, self.key
        );
        if !self.protocols.is_empty() {
            out.push_str(&format!(
                "Sec-WebSocket-Protocol: {}\r\n",
                self.protocols.join(", ")
            ));
        }
        if !self.extensions.is_empty() {
            out.push_str(&format!(
                "Sec-WebSocket-Extensions: {}\r\n",
                self.extensions.join(", ")
            ));
        }
        for (name, value) in &self.extra_headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        out.into_bytes()
    }
}

/// Why the client fails the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    Malformed(String),
    /// Not 101; the status and its reason phrase.
    Status(u16),
    Upgrade,
    Connection,
    Accept,
    Protocol(String),
    Extension(String),
    Duplicate(&'static str),
    TooLarge,
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Malformed(e) => write!(f, "malformed response: {e}"),
            ClientError::Status(s) => write!(f, "server answered {s}, not 101"),
            ClientError::Upgrade => f.write_str("response lacks Upgrade: websocket"),
            ClientError::Connection => f.write_str("response lacks Connection: Upgrade"),
            ClientError::Accept => f.write_str("Sec-WebSocket-Accept is wrong or missing"),
            ClientError::Protocol(p) => write!(f, "server selected subprotocol {p:?}, not offered"),
            ClientError::Extension(e) => write!(f, "server selected extension {e:?}, not offered"),
            ClientError::Duplicate(h) => write!(f, "{h} appears more than once"),
            ClientError::TooLarge => f.write_str("response header section too large"),
        }
    }
}

impl std::error::Error for ClientError {}

/// The handshake as the client concludes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Established {
    pub protocol: Option<String>,
    pub extensions: Vec<String>,
    /// Bytes of the response; anything after them is WebSocket data.
    pub consumed: usize,
}

/// Outcome of feeding the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseParse {
    Partial,
    Complete(Established),
}

const MAX_RESPONSE_BYTES: usize = 16 * 1024;
const MAX_RESPONSE_HEADERS: usize = 64;

/// Judge the server's response (all bytes received so far).
pub fn validate_response(buf: &[u8], req: &ClientRequest) -> Result<ResponseParse, ClientError> {
    let window = &buf[..buf.len().min(MAX_RESPONSE_BYTES + 1)];
    let mut headers = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    let consumed = match resp.parse(window) {
        Ok(httparse::Status::Complete(n)) if n <= MAX_RESPONSE_BYTES => n,
        Ok(httparse::Status::Partial) if window.len() <= MAX_RESPONSE_BYTES => {
            return Ok(ResponseParse::Partial)
        }
        Ok(_) | Err(httparse::Error::TooManyHeaders) => return Err(ClientError::TooLarge),
        Err(e) => return Err(ClientError::Malformed(e.to_string())),
    };
    let fields: Vec<(String, Vec<u8>)> = resp
        .headers
        .iter()
        .map(|h| (h.name.to_string(), h.value.to_vec()))
        .collect();

    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.1
    //# 1.  If the status code received from the server is not 101, the
    //#     client handles the response per HTTP [RFC2616] procedures.
    let status = resp.code.unwrap_or(0);
    if status != 101 {
        return Err(ClientError::Status(status));
    }
    // 101 is an HTTP/1.1 status (RFC 9110 §15.2.2): an HTTP/1.0 server cannot switch.
    if resp.version != Some(1) {
        return Err(ClientError::Malformed(
            "101 from an HTTP/1.0 response".into(),
        ));
    }

    //# 2.  If the response lacks an |Upgrade| header field or the |Upgrade|
    //#     header field contains a value that is not an ASCII case-
    //#     insensitive match for the value "websocket", the client MUST
    //#     _Fail the WebSocket Connection_.
    let upgrade = values(&fields, "Upgrade");
    if upgrade.len() != 1 || !upgrade[0].eq_ignore_ascii_case(b"websocket") {
        return Err(ClientError::Upgrade);
    }

    //# 3.  If the response lacks a |Connection| header field or the
    //#     |Connection| header field doesn't contain a token that is an
    //#     ASCII case-insensitive match for the value "Upgrade", the client
    //#     MUST _Fail the WebSocket Connection_.
    if !list_has(&fields, "Connection", "Upgrade") {
        return Err(ClientError::Connection);
    }

    //# 4.  If the response lacks a |Sec-WebSocket-Accept| header field or
    //#     the |Sec-WebSocket-Accept| contains a value other than the
    //#     base64-encoded SHA-1 of the concatenation of the |Sec-WebSocket-
    //#     Key| (as a string, not base64-decoded) with the string "258EAFA5-
    //#     E914-47DA-95CA-C5AB0DC85B11" but ignoring any leading and
    //#     trailing whitespace, the client MUST _Fail the WebSocket
    //#     Connection_.
    //= https://www.rfc-editor.org/rfc/rfc6455#section-11.3.3
    //# The |Sec-WebSocket-Accept| header MUST NOT appear more than once in an
    //# HTTP response.
    match values(&fields, "Sec-WebSocket-Accept").as_slice() {
        [accept] if *accept == accept_for(&req.key).as_bytes() => {}
        [_] | [] => return Err(ClientError::Accept),
        _ => return Err(ClientError::Duplicate("Sec-WebSocket-Accept")),
    }

    //# 5.  If the response includes a |Sec-WebSocket-Extensions| header
    //#     field and this header field indicates the use of an extension
    //#     that was not present in the client's handshake (the server has
    //#     indicated an extension not requested by the client), the client
    //#     MUST _Fail the WebSocket Connection_.
    let mut extensions = Vec::new();
    // Names compare as bytes: a byte that is not UTF-8 must not match the
    // replacement character a lossy conversion would make of it.
    for element in list(&fields, "Sec-WebSocket-Extensions") {
        let name = extension_name(element);
        if !req
            .extensions
            .iter()
            .any(|offered| offered.as_bytes().eq_ignore_ascii_case(name))
        {
            return Err(ClientError::Extension(
                String::from_utf8_lossy(name).into_owned(),
            ));
        }
        extensions.push(String::from_utf8_lossy(element).into_owned());
    }

    //# 6.  If the response includes a |Sec-WebSocket-Protocol| header field
    //#     and this header field indicates the use of a subprotocol that was
    //#     not present in the client's handshake (the server has indicated a
    //#     subprotocol not requested by the client), the client MUST _Fail
    //#     the WebSocket Connection_.
    //= https://www.rfc-editor.org/rfc/rfc6455#section-11.3.4
    //# However, the |Sec-WebSocket-Protocol| header field MUST NOT appear
    //# more than once in an HTTP response.
    let protocol = match values(&fields, "Sec-WebSocket-Protocol").as_slice() {
        [] => None,
        [p] => {
            // A list is not "a single value": it can never equal one offered name.
            match req
                .protocols
                .iter()
                .find(|offered| offered.as_bytes() == *p)
            {
                Some(offered) => Some(offered.clone()),
                None => {
                    return Err(ClientError::Protocol(
                        String::from_utf8_lossy(p).into_owned(),
                    ))
                }
            }
        }
        _ => return Err(ClientError::Duplicate("Sec-WebSocket-Protocol")),
    };

    Ok(ResponseParse::Complete(Established {
        protocol,
        extensions,
        consumed,
    }))
}
