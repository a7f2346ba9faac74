//! RFC 6455 §4.2.2: the server's opening handshake, checked across
//! connections and past the 101.

use crate::case::{Case, Ctx};
use crate::target::{FrameEnd, HttpAnswer};
use crate::verdict::Outcome;
use crate::wire::frame::{opcode, Frame};
use std::sync::Arc;

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
                got => problems.push(format!(
                    "Sec-WebSocket-Accept {accept} required, got {:?}",
                    got.iter()
                        .map(|v| String::from_utf8_lossy(v))
                        .collect::<Vec<_>>()
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
        HttpAnswer::NoResponse(end, n) => Err(Outcome::failed(format!(
            "no HTTP response to a valid handshake ({end:?} after {n} bytes)"
        ))),
        HttpAnswer::Malformed(e) => Err(Outcome::failed(format!("malformed HTTP response: {e}"))),
    }
}

/// Open a connection and complete a valid handshake with `key`.
pub fn handshake(ctx: &mut Ctx, key: &str, accept: &str) -> Result<crate::target::Conn, Outcome> {
    let request = valid_request(ctx, key);
    let mut conn = ctx.connect()?;
    conn.send(&request).map_err(Outcome::failed)?;
    check_101(&conn.read_http_response(), accept)?;
    Ok(conn)
}

const ACCEPT_REQUIREMENT: &str = "5.4.  A |Sec-WebSocket-Accept| header field.  The value of this header field is \
constructed by concatenating /key/, defined above in step 4 in Section 4.2.2, with the string \
\"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\", taking the SHA-1 hash of this concatenated value to obtain a \
20-byte value and base64-encoding (see Section 4 of [RFC4648]) this 20-byte hash.";

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "handshake.4_2_2.accept-per-key".into(),
            title: "Sec-WebSocket-Accept is computed from each connection's own key".into(),
            section: "RFC 6455 §4.2.2".into(),
            requirement: ACCEPT_REQUIREMENT.into(),
            sends: "three valid handshakes on three connections, keys from vectors/accept.json (Generated)".into(),
            expects: "101 on each, with the accept the vector gives for that key".into(),
            autobahn: None,
            origin: "conformance/src/cases/handshake/rfc6455_4_2_2.rs".into(),
            run: Arc::new(accept_per_key),
        },
        Case {
            id: "handshake.4_2_2.established".into(),
            title: "After the 101 the connection speaks WebSocket: a close is answered with a close".into(),
            section: "RFC 6455 §4.2.2".into(),
            requirement: "If the server chooses to accept the incoming connection, it MUST reply with a valid \
HTTP response indicating the following. [...] This completes the server's handshake.  If the server finishes \
these steps without aborting the WebSocket handshake, the server considers the WebSocket connection to be \
established and that the WebSocket connection is in the OPEN state."
                .into(),
            sends: "a valid handshake, then a masked close frame (1000)".into(),
            expects: "101, then an unmasked close frame back".into(),
            autobahn: None,
            origin: "conformance/src/cases/handshake/rfc6455_4_2_2.rs".into(),
            run: Arc::new(established),
        },
    ]
}

fn accept_per_key(ctx: &mut Ctx) -> Outcome {
    let vectors = voxproof_vectors::accept();
    let generated: Vec<_> = vectors
        .tests()
        .filter(|t| t.flags.iter().any(|f| f == "Generated"))
        .collect();
    // Spread over the group so the keys share no prefix.
    let picks = [0, generated.len() / 2, generated.len() - 1];
    for i in picks {
        let t = generated[i];
        let accept = t.accept.as_deref().unwrap_or_default();
        if let Err(o) = handshake(ctx, &t.key, accept) {
            return Outcome::new(
                o.verdict,
                format!("key {} (accept.json tcId {}): {}", t.key, t.tc_id, o.detail),
            );
        }
    }
    Outcome::ok("three keys, three correct accepts")
}

fn established(ctx: &mut Ctx) -> Outcome {
    let mut conn = match handshake(ctx, RFC_KEY, RFC_ACCEPT) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let close = Frame::close(Some(1000), b"").masked([0x11, 0x22, 0x33, 0x44]);
    if let Err(e) = conn.send_frame(&close) {
        return Outcome::failed(format!(
            "101 but the connection would not take a frame: {e}"
        ));
    }
    // Skip data the server may have sent first; the close must come.
    for _ in 0..16 {
        match conn.read_frame(1 << 20) {
            Ok(f) if f.mask.is_some() => {
                return Outcome::failed(
                    "the server masked a frame (RFC 6455 §5.1: a server MUST NOT mask)",
                )
            }
            Ok(f) if f.opcode == opcode::CLOSE => {
                return Outcome::ok("close answered with a close frame")
            }
            Ok(_) => continue,
            Err(FrameEnd::Invalid(e)) => {
                return Outcome::failed(format!("not a WebSocket frame: {e}"))
            }
            Err(FrameEnd::Read(end, n)) => {
                return Outcome::failed(format!(
                "101, but no close frame came back ({end:?} with {n} bytes of an incomplete frame)"
            ))
            }
        }
    }
    Outcome::failed("16 frames and no close frame")
}

/// Used by http11: the 101 check for requests judged like a valid vector.
pub fn judge_valid(answer: &HttpAnswer) -> Outcome {
    match check_101(answer, RFC_ACCEPT) {
        Ok(()) => Outcome::ok("101 with the required fields"),
        Err(o) => o,
    }
}
