//! The opening handshake every family starts with: the RFC 6455 §1.3 request
//! shape and the checks of a 101 ([docs/target.md](../../../../docs/target.md)).

use crate::ctx::Ctx;
use crate::target::{Conn, HttpAnswer};
use crate::verdict::Outcome;

/// A valid opening handshake in the shape of the RFC 6455 §1.3 example.
pub fn valid_request(ctx: &Ctx, key: &str) -> Vec<u8> {
    ctx.fill(&format!(
        "GET {{{{path}}}} HTTP/1.1\r\nHost: {{{{host}}}}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ))
}

/// The RFC 6455 §1.3 key and accept.
pub const RFC_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
pub const RFC_ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// Check a 101 carries the three fields every accepted handshake needs.
pub fn check_101(answer: &HttpAnswer, accept: &str) -> Result<(), Outcome> {
    match answer {
        HttpAnswer::Response(r) if r.status == 101 => {
            let mut problems = Vec::new();
            if !r.has_token("Upgrade", "websocket") {
                problems.push("Upgrade: websocket missing".to_string());
            }
            if !r.has_token("Connection", "Upgrade") {
                problems.push("Connection: Upgrade missing".to_string());
            }
            match r.values("Sec-WebSocket-Accept").as_slice() {
                [a] if *a == accept.as_bytes() => {}
                [] => problems.push(format!("Sec-WebSocket-Accept {accept} required, got none")),
                got => problems.push(format!(
                    "Sec-WebSocket-Accept {accept} required, got {}",
                    got.iter()
                        .map(|v| format!("\"{}\"", String::from_utf8_lossy(v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
            if problems.is_empty() {
                Ok(())
            } else {
                Err(Outcome::failed(format!(
                    "101 response: {}",
                    problems.join("; ")
                )))
            }
        }
        HttpAnswer::Response(r) => Err(Outcome::failed(format!(
            "refused a valid handshake with {}",
            r.status_line()
        ))),
        no @ HttpAnswer::NoResponse(..) => {
            Err(Outcome::failed(format!("{no} to a valid handshake")))
        }
        HttpAnswer::Malformed(e) => Err(Outcome::failed(format!("malformed HTTP response: {e}"))),
    }
}

/// Open a connection and complete a valid handshake with `key`.
pub fn handshake(ctx: &mut Ctx, key: &str, accept: &str) -> Result<Conn, Outcome> {
    let request = valid_request(ctx, key);
    let mut conn = ctx.connect()?;
    conn.send(&request).map_err(Outcome::failed)?;
    check_101(&conn.read_http_response(), accept)?;
    Ok(conn)
}

/// The verdict on the answer to a valid handshake.
pub fn judge_valid(answer: &HttpAnswer) -> Outcome {
    match check_101(answer, RFC_ACCEPT) {
        Ok(()) => Outcome::ok("101 with the required fields"),
        Err(o) => o,
    }
}

/// Serving a client (`voxproof serve`): answer the opening handshake it
/// sent with a 101 for its key, or, when the request is not one (RFC 6455
/// §4.1's client requirements), with a 400 and the outcome saying why.
pub fn answer_client(accepted: crate::target::Accepted) -> Result<Conn, Outcome> {
    let crate::target::Accepted { mut conn, request } = accepted;
    let key = request.values("Sec-WebSocket-Key");
    let problem = if request.method != "GET" {
        Some(format!("method {}, not GET", request.method))
    } else if !request
        .list("Upgrade")
        .iter()
        .any(|t| t.eq_ignore_ascii_case("websocket"))
    {
        Some("no Upgrade: websocket".into())
    } else if !request
        .list("Connection")
        .iter()
        .any(|t| t.eq_ignore_ascii_case("upgrade"))
    {
        Some("no Connection: Upgrade".into())
    } else if request.values("Sec-WebSocket-Version") != [b"13".as_slice()] {
        Some("Sec-WebSocket-Version is not 13".into())
    } else if key.len() != 1 {
        Some(format!(
            "{} Sec-WebSocket-Key fields, one expected",
            key.len()
        ))
    } else {
        None
    };
    if let Some(why) = problem {
        let _ = conn
            .send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return Err(Outcome::failed_by(
            CLIENT_REQUEST,
            format!("the client's opening handshake: {why}"),
        ));
    }
    let accept = crate::wire::http::accept_key(key[0].trim_ascii());
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    conn.send(response.as_bytes()).map_err(Outcome::failed)?;
    Ok(conn)
}

/// What a client's opening handshake must carry (RFC 6455 §4.1).
pub const CLIENT_REQUEST: crate::rule::Rule = crate::rule::Rule::new(
    "RFC 6455",
    "4.1",
    "The handshake MUST be a valid HTTP request as specified by [RFC2616]. [...] The method of the request MUST be GET, and the HTTP version MUST be at least 1.1.",
);
