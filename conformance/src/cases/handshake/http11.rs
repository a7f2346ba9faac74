//! HTTP/1.1 rules the opening handshake relies on, checked where they need
//! more than one request: read boundaries, size limits, recovery.

use super::expect::ANSWER_WITH_ERROR;
use super::open::{handshake, judge_valid, valid_request, RFC_ACCEPT, RFC_KEY};
use crate::case::{case, Case, Run};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::target::{HttpAnswer, ReadEnd};
use crate::verdict::Outcome;
use std::time::Duration;

const STREAM: Rule = Rule::new(
    "RFC 9112",
    "2.2",
    "A recipient MUST parse an HTTP message as a sequence of octets in an encoding \
that is a superset of US-ASCII [USASCII].",
);

const LIMITS: Rule = Rule::new(
    "RFC 9110",
    "5.4",
    "A server that receives a request header field line, field value, or set of \
fields larger than it wishes to process MUST respond with an appropriate 4xx (Client Error) status code.",
);

const INVALID_REQUEST_LINE: Rule = Rule::new(
    "RFC 9112",
    "3",
    "Recipients of an invalid request-line SHOULD respond with either a 400 (Bad Request) error or a 301 \
(Moved Permanently) redirect with the request-target properly encoded.",
);

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "handshake.http.one-byte-writes".into(),
            title: "A request arriving one byte per TCP segment is still a request".into(),
            rule: STREAM,
            sends: "a valid handshake written one byte per write".into(),
            expects: "101 with the RFC 6455 §1.3 accept".into(),
            run: Run::Fn(one_byte_writes),
            ..Case::BASE
        }),
        case(Case {
            id: "handshake.http.split-in-blank-line".into(),
            title: "A request whose final CRLF arrives in a later segment".into(),
            rule: STREAM,
            sends: "a valid handshake up to the last CR, a pause of 50 ms, then the LF".into(),
            expects: "101 with the RFC 6455 §1.3 accept".into(),
            run: Run::Fn(split_in_blank_line),
            ..Case::BASE
        }),
        case(Case {
            id: "handshake.http.oversized-field".into(),
            title: "A 64 KiB header field gets a 4xx (431), not silence, and the server keeps serving".into(),
            rule: LIMITS,
            sends: "a valid handshake plus X-Voxproof-Filler with a 64 KiB value; then a valid handshake on a new connection".into(),
            expects: "a 4xx response (such as 431) or a 101; then 101 for the second connection".into(),
            run: Run::Fn(oversized_field),
            ..Case::BASE
        }),
        case(Case {
            id: "handshake.http.too-many-fields".into(),
            title: "1,000 header fields get a 4xx (431), not silence, and the server keeps serving".into(),
            rule: LIMITS,
            sends: "a valid handshake plus 1,000 X-Voxproof-Filler-N fields; then a valid handshake on a new connection".into(),
            expects: "a 4xx response (such as 431) or a 101; then 101 for the second connection".into(),
            run: Run::Fn(too_many_fields),
            ..Case::BASE
        }),
        case(Case {
            id: "handshake.http.tls-on-plain-port".into(),
            title: "A TLS ClientHello on a ws:// port is refused, and the server keeps serving".into(),
            rule: INVALID_REQUEST_LINE,
            sends: "the first bytes of a TLS 1.2 ClientHello; then a valid handshake on a new connection".into(),
            expects: "an error response such as 400, never 101 or silence; then 101 for the second connection".into(),
            run: Run::Fn(tls_on_plain_port),
            ..Case::BASE
        }),
    ]
}

fn send_and_read(ctx: &mut Ctx, bytes: &[u8], chunk: usize) -> Result<HttpAnswer, Outcome> {
    let mut conn = ctx.connect()?;
    // A server may answer and close before the whole request is written; the
    // answer is still read.
    let _ = conn.send_chunked(bytes, chunk);
    Ok(conn.read_http_response())
}

fn one_byte_writes(ctx: &mut Ctx) -> Outcome {
    let request = valid_request(ctx, RFC_KEY);
    match send_and_read(ctx, &request, 1) {
        Ok(answer) => judge_valid(&answer),
        Err(o) => o,
    }
}

fn split_in_blank_line(ctx: &mut Ctx) -> Outcome {
    let request = valid_request(ctx, RFC_KEY);
    let (head, tail) = request.split_at(request.len() - 1);
    let mut conn = match ctx.connect() {
        Ok(c) => c,
        Err(o) => return o,
    };
    if let Err(e) = conn.send(head) {
        return Outcome::failed(e);
    }
    // Long enough that the server's first read returns without the LF.
    std::thread::sleep(Duration::from_millis(50));
    if let Err(e) = conn.send(tail) {
        return Outcome::failed(e);
    }
    judge_valid(&conn.read_http_response())
}

/// A request the server may refuse as too large: a 4xx is right, a 101 is
/// allowed (it was willing), silence is not; then the server must still serve.
fn judge_too_large(ctx: &mut Ctx, request: &[u8], what: &str) -> Outcome {
    let first = match send_and_read(ctx, request, 16 * 1024) {
        Ok(a) => a,
        Err(o) => return o,
    };
    let verdict = match &first {
        HttpAnswer::Response(r) if (400..500).contains(&r.status) => {
            Outcome::ok(format!("{what}: refused with {}", r.status_line()))
        }
        HttpAnswer::Response(r) if r.status == 101 => match judge_valid(&first) {
            o if o.verdict == crate::verdict::Verdict::Ok => Outcome::informational(format!(
                "{what}: accepted (the server was willing to process it)"
            )),
            o => return o,
        },
        HttpAnswer::Response(r) => {
            return Outcome::failed(format!(
                "{what}: answered {}, a 4xx is required",
                r.status_line()
            ))
        }
        no @ HttpAnswer::NoResponse(..) => {
            return Outcome::failed(format!("{what}: {no}; a 4xx is required"))
        }
        HttpAnswer::Malformed(e) => {
            return Outcome::failed(format!("{what}: malformed response: {e}"))
        }
    };
    // The second connection gets its own time, whatever the first used.
    ctx.next_phase();
    match handshake(ctx, RFC_KEY, RFC_ACCEPT) {
        Ok(_) => verdict,
        Err(o) => Outcome {
            detail: format!("after {what}, a valid handshake failed: {}", o.detail),
            ..o
        },
    }
}

fn oversized_field(ctx: &mut Ctx) -> Outcome {
    let mut request = valid_request(ctx, RFC_KEY);
    request.truncate(request.len() - 2);
    request.extend_from_slice(b"X-Voxproof-Filler: ");
    request.extend(std::iter::repeat_n(b'a', 64 * 1024));
    request.extend_from_slice(b"\r\n\r\n");
    judge_too_large(ctx, &request, "a 64 KiB field")
}

fn too_many_fields(ctx: &mut Ctx) -> Outcome {
    let mut request = valid_request(ctx, RFC_KEY);
    request.truncate(request.len() - 2);
    for i in 0..1000 {
        request.extend_from_slice(format!("X-Voxproof-Filler-{i}: x\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    judge_too_large(ctx, &request, "1,000 fields")
}

/// The start of a TLS 1.2 ClientHello record (RFC 5246 §6.2.1, §7.4.1.2).
const CLIENT_HELLO: &[u8] = &[
    0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, 0x00, 0x01, 0x02, 0x03, 0x04,
    0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14,
    0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x00, 0x00, 0x02, 0x00, 0x2f,
    0x01, 0x00, 0x00, 0x00,
];

fn tls_on_plain_port(ctx: &mut Ctx) -> Outcome {
    let first = match send_and_read(ctx, CLIENT_HELLO, CLIENT_HELLO.len()) {
        Ok(a) => a,
        Err(o) => return o,
    };
    let verdict = match &first {
        HttpAnswer::Response(r) if r.status == 101 => {
            return Outcome::failed_by(ANSWER_WITH_ERROR, "answered a TLS ClientHello with 101")
        }
        HttpAnswer::Response(r) if r.status == 400 || r.status == 301 => {
            Outcome::ok(format!("answered {}", r.status_line()))
        }
        HttpAnswer::Response(r) if (400..600).contains(&r.status) => Outcome::ok(format!(
            "refused with {} (400 is suggested)",
            r.status_line()
        )),
        HttpAnswer::Response(r) => {
            return Outcome::failed_by(
                ANSWER_WITH_ERROR,
                format!("answered {} to bytes that are not HTTP", r.status_line()),
            )
        }
        // The bytes hold no line end, so no request line is complete yet: a
        // server may wait for more (the case's time runs out, nothing came).
        HttpAnswer::NoResponse(ReadEnd::TimedOut, 0) => Outcome::informational(
            "no answer before the deadline: the server waited for the rest of a request line",
        ),
        // As for every handshake the server will not accept: closing without
        // an answer is never one (docs/target.md, "How a case decides").
        no @ (HttpAnswer::NoResponse(..) | HttpAnswer::Malformed(_)) => {
            return Outcome::failed_by(
                ANSWER_WITH_ERROR,
                format!("{no}; an error response such as 400 is required"),
            )
        }
    };
    // The second connection gets its own time, whatever the first used.
    ctx.next_phase();
    match handshake(ctx, RFC_KEY, RFC_ACCEPT) {
        Ok(_) => verdict,
        Err(o) => Outcome {
            detail: format!(
                "after a TLS ClientHello, a valid handshake failed: {}",
                o.detail
            ),
            ..o
        },
    }
}
