//! The server's side of the opening handshake (RFC 6455 §4.2): a request in,
//! a 101 response or a refusal out.

use super::accept::{accept_for, decode_key};
use super::fields::{is_extension_list, is_token_list, list, list_has, values};
use super::request::{Limits, Request};
use crate::response::{Rejection, Response};

/// What the server supports.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Subprotocols the server speaks, most preferred first.
    pub protocols: Vec<String>,
    pub limits: Limits,
}

/// A completed handshake: the 101 response and what was agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub response: Response,
    pub protocol: Option<String>,
    pub path: String,
    pub query: Option<String>,
}

/// Decide the server's answer to a parsed request.
pub fn respond(req: &Request, config: &ServerConfig) -> Result<Accepted, Rejection> {
    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
    //# 1.   An HTTP/1.1 or higher GET request, including a "Request-URI"
    //#      [RFC2616] that should be interpreted as a /resource name/
    //#      defined in Section 3 (or an absolute HTTP/HTTPS URI containing
    //#      the /resource name/).
    //= https://www.rfc-editor.org/rfc/rfc9110#section-9.1
    //# The method token is case-sensitive
    if req.method != "GET" {
        return Err(
            Rejection::new(405, format!("method {} is not GET", req.method))
                .with_header("Allow", "GET"),
        );
    }
    if req.minor_version < 1 {
        return Err(Rejection::new(400, "HTTP/1.1 or higher required"));
    }
    let Some((path, query)) = req.path_and_query() else {
        return Err(Rejection::new(400, "request target is not a resource name"));
    };

    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
    //# 2.   A |Host| header field containing the server's authority.
    //= https://www.rfc-editor.org/rfc/rfc9112#section-3.2
    //# A server MUST respond with a 400 (Bad Request) status code to any
    //# HTTP/1.1 request message that lacks a Host header field and to any
    //# request message that contains more than one Host header field line or
    //# a Host header field with an invalid field value.
    match values(&req.headers, "Host").as_slice() {
        [host] if is_authority(host) => {}
        [] => return Err(Rejection::new(400, "Host header field missing")),
        [_] => return Err(Rejection::new(400, "Host header field invalid")),
        _ => return Err(Rejection::new(400, "more than one Host header field")),
    }

    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
    //# 3.   An |Upgrade| header field containing the value "websocket",
    //#      treated as an ASCII case-insensitive value.
    if !list_has(&req.headers, "Upgrade", "websocket") {
        //= https://www.rfc-editor.org/rfc/rfc9110#section-15.5.22
        //# The server MUST send an Upgrade header field in a 426 response to
        //# indicate the required protocol(s)
        return Err(Rejection::new(426, "Upgrade: websocket required")
            .with_header("Upgrade", "websocket")
            .with_header("Sec-WebSocket-Version", "13"));
    }

    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
    //# 4.   A |Connection| header field that includes the token "Upgrade",
    //#      treated as an ASCII case-insensitive value.
    if !list_has(&req.headers, "Connection", "Upgrade") {
        return Err(Rejection::new(
            400,
            "Connection must include the token Upgrade",
        ));
    }

    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
    //# 6.   A |Sec-WebSocket-Version| header field, with a value of 13.
    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
    //# If this version does not match a version understood by the server, the
    //# server MUST abort the WebSocket handshake described in this section and
    //# instead send an appropriate HTTP error code (such as 426 Upgrade
    //# Required) and a |Sec-WebSocket-Version| header field indicating the
    //# version(s) the server is capable of understanding.
    //= https://www.rfc-editor.org/rfc/rfc6455#section-11.3.5
    //# However, the |Sec-WebSocket-Version| header field MUST NOT appear
    //# more than once in an HTTP request.
    match values(&req.headers, "Sec-WebSocket-Version").as_slice() {
        [v] if *v == b"13" => {}
        versions => {
            let why = match versions {
                [] => "Sec-WebSocket-Version missing".to_string(),
                [v] => format!(
                    "Sec-WebSocket-Version {} not supported",
                    String::from_utf8_lossy(v)
                ),
                _ => "more than one Sec-WebSocket-Version field".to_string(),
            };
            //= https://www.rfc-editor.org/rfc/rfc9110#section-15.5.22
            //# The server MUST send an Upgrade header field in a 426 response to
            //# indicate the required protocol(s)
            return Err(Rejection::new(426, why)
                .with_header("Upgrade", "websocket")
                .with_header("Sec-WebSocket-Version", "13"));
        }
    }

    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
    //# 5.   A |Sec-WebSocket-Key| header field with a base64-encoded (see
    //#      Section 4 of [RFC4648]) value that, when decoded, is 16 bytes in
    //#      length.
    //= https://www.rfc-editor.org/rfc/rfc6455#section-11.3.1
    //# The |Sec-WebSocket-Key| header field MUST NOT appear more than once in
    //# an HTTP request.
    let key = match values(&req.headers, "Sec-WebSocket-Key").as_slice() {
        [key] => match std::str::from_utf8(key) {
            Ok(key) => key.to_string(),
            Err(_) => return Err(Rejection::new(400, "Sec-WebSocket-Key is not base64")),
        },
        [] => return Err(Rejection::new(400, "Sec-WebSocket-Key missing")),
        _ => return Err(Rejection::new(400, "more than one Sec-WebSocket-Key field")),
    };
    if let Err(e) = decode_key(&key) {
        return Err(Rejection::new(400, e.to_string()));
    }

    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1
    //# If the server, while reading the handshake, finds that the client did
    //# not send a handshake that matches the description below [...],
    //# including but not limited to any violations of the ABNF grammar
    //# specified for the components of the handshake, the server MUST stop
    //# processing the client's handshake and return an HTTP response with an
    //# appropriate error code (such as 400 Bad Request).
    if !is_token_list(&req.headers, "Sec-WebSocket-Protocol") {
        return Err(Rejection::new(
            400,
            "Sec-WebSocket-Protocol is not a list of tokens",
        ));
    }
    if !is_extension_list(&req.headers, "Sec-WebSocket-Extensions") {
        return Err(Rejection::new(
            400,
            "Sec-WebSocket-Extensions does not follow RFC 6455 §9.1",
        ));
    }

    //= https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
    //# Either a single value representing the subprotocol the server is ready
    //# to use or null.  The value chosen MUST be derived from the client's
    //# handshake, specifically by selecting one of the values from the
    //# |Sec-WebSocket-Protocol| field that the server is willing to use for
    //# this connection (if any).
    let offered = list(&req.headers, "Sec-WebSocket-Protocol");
    let protocol = config
        .protocols
        .iter()
        .find(|p| offered.contains(&p.as_bytes()))
        .cloned();

    //# 4.  A |Sec-WebSocket-Accept| header field.  The value of this
    //#     header field is constructed by concatenating /key/, defined
    //#     above in step 4 in Section 4.2.2, with the string "258EAFA5-
    //#     E914-47DA-95CA-C5AB0DC85B11", taking the SHA-1 hash of this
    //#     concatenated value to obtain a 20-byte value and base64-
    //#     encoding (see Section 4 of [RFC4648]) this 20-byte hash.
    let mut headers = vec![
        //# 2.  An |Upgrade| header field with value "websocket" as per RFC
        //#     2616 [RFC2616].
        ("Upgrade".to_string(), "websocket".to_string()),
        //# 3.  A |Connection| header field with value "Upgrade".
        ("Connection".to_string(), "Upgrade".to_string()),
        ("Sec-WebSocket-Accept".to_string(), accept_for(&key)),
    ];
    //# 5.  Optionally, a |Sec-WebSocket-Protocol| header field, with a
    //#     value /subprotocol/ as defined in step 4 in Section 4.2.2.
    if let Some(p) = &protocol {
        headers.push(("Sec-WebSocket-Protocol".to_string(), p.clone()));
    }
    // No extension is supported, so Sec-WebSocket-Extensions is never sent
    // and every offered extension is declined:
    //# 6.  Optionally, a |Sec-WebSocket-Extensions| header field, with a
    //#     value /extensions/ as defined in step 4 in Section 4.2.2.

    Ok(Accepted {
        response: Response {
            status: 101,
            headers,
            body: String::new(),
        },
        protocol,
        path: path.to_string(),
        query: query.map(str::to_string),
    })
}

/// RFC 9110 §7.2 `Host = uri-host [ ":" port ]`, checked for characters that
/// cannot appear (whitespace, '/', '@', controls) and for a numeric port.
fn is_authority(v: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(v) else {
        return false;
    };
    if s.is_empty() {
        return false;
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, "")) => (h, None),
            Some((h, p)) => match p.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None => return false,
            },
            None => return false,
        }
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%:".contains(&b));
    let port_ok = port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}
