//! RFC 6455 §4.2.2: the server's opening handshake, checked across
//! connections and past the 101.

use super::open::{handshake, RFC_ACCEPT, RFC_KEY};
use crate::case::{case, Case, Run};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::target::FrameEnd;
use crate::verdict::Outcome;
use crate::wire::close_code;
use crate::wire::frame::Frame;
use crate::wire::observer::{Event, Observer};

const ACCEPT: Rule = Rule::new(
    "RFC 6455",
    "4.2.2",
    "4.  A |Sec-WebSocket-Accept| header field.  The value of this header field is \
constructed by concatenating /key/, defined above in step 4 in Section 4.2.2, with the string \
\"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\", taking the SHA-1 hash of this concatenated value to obtain a \
20-byte value and base64-encoding (see Section 4 of [RFC4648]) this 20-byte hash.",
);

const ESTABLISHED: Rule = Rule::new(
    "RFC 6455",
    "4.2.2",
    "If the server chooses to accept the incoming connection, it MUST reply with a valid \
HTTP response indicating the following. [...] This completes the server's handshake.  If the server finishes \
these steps without aborting the WebSocket handshake, the server considers the WebSocket connection to be \
established and that the WebSocket connection is in the OPEN state.",
);

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "handshake.4_2_2.accept-per-key".into(),
            title: "Sec-WebSocket-Accept is computed from each connection's own key".into(),
            rule: ACCEPT,
            sends: "three valid handshakes on three connections, keys from vectors/accept.json (Generated)".into(),
            expects: "101 on each, with the accept the vector gives for that key".into(),
            run: Run::Fn(accept_per_key),
            ..Case::BASE
        }),
        case(Case {
            id: "handshake.4_2_2.established".into(),
            title: "After the 101 the connection speaks WebSocket: a close is answered with a close".into(),
            rule: ESTABLISHED,
            sends: "a valid handshake, then a masked close frame (1000)".into(),
            expects: "101, then an unmasked close frame back".into(),
            run: Run::Fn(established),
            ..Case::BASE
        }),
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
    let close = Frame::close(Some(close_code::NORMAL), b"").masked([0x11, 0x22, 0x33, 0x44]);
    if let Err(e) = conn.send_frame(&close) {
        return Outcome::failed(format!(
            "101 but the connection would not take a frame: {e}"
        ));
    }
    let mut observer = Observer::new().with_max_payload(1 << 20);
    observer.sent_close();
    // Skip data the server may have sent first; the close must come, and
    // every frame before it must keep RFC 6455.
    for _ in 0..16 {
        let read = conn.observe(&mut observer);
        while let Some(seen) = observer.poll_event() {
            match seen.event {
                Event::Violation(v) => return Outcome::failed_by(v.rule, v.detail),
                Event::Unreadable(e) => return Outcome::failed(e),
                Event::Close { .. } => return Outcome::ok("close answered with a close frame"),
                Event::Message { .. } | Event::Ping(_) | Event::Pong(_) => {}
            }
        }
        if let Err(end @ FrameEnd::Read(..)) = read {
            return Outcome::failed(format!("101, but no close frame came back: {end}"));
        }
    }
    Outcome::failed("16 frames and no close frame")
}
