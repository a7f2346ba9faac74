//! The client's side of the opening handshake (RFC 6455 §4.1): responses from
//! `vectors/handshake/client.json` ([docs/clients.md](../../../../docs/clients.md#handshake)).

use super::accepted;
use crate::case::{case, from_vector, line_of, Case, Run};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::target::{Accepted, Conn, FrameEnd, ReadEnd};
use crate::verdict::Outcome;
use crate::wire::frame::{self, opcode, Decoded, Frame};
use crate::wire::http::{accept_key as accept, HttpRequest};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::time::{Duration, Instant};
use voxproof_vectors::{ClientTest, Expected};

const FILE: &str = "vectors/handshake/client.json";

/// The text message sent after every response: a client that took the
/// response as establishing the connection echoes it.
pub const PROBE: &[u8] = b"voxproof-probe";

/// Largest frame read back: the echoes are short.
const MAX_PAYLOAD: u64 = 1 << 16;

/// Pause between the one-byte writes of the split response, so the bytes
/// reach the client over many reads; no verdict depends on it.
const BYTE_PAUSE: Duration = Duration::from_millis(2);

/// Longest HTTP method token (`OPTIONS`, `CONNECT`).
const MAX_METHOD: usize = 7;

/// One case per test of the vector file, then the 101 of tcId 1 split into
/// one-byte writes (the file has no test of how the response is delivered).
pub fn cases() -> Vec<Case> {
    let file = voxproof_vectors::handshake_client();
    let mut all: Vec<Case> = file.tests().map(vector_case).collect();
    if let Some(example) = file.tests().find(|t| t.tc_id == 1) {
        all.push(byte_by_byte(example));
    }
    all
}

fn vector_case(t: &ClientTest) -> Case {
    let script = Script {
        test: t.clone(),
        byte_by_byte: false,
    };
    from_vector(
        Case {
            id: format!("client.handshake.{}", t.name).into(),
            title: t.comment.clone().into(),
            rule: Rule::from_citation(&t.section, &t.requirement),
            sends: script.sends().into(),
            expects: script.expects().into(),
            run: Run::with(move |ctx: &mut Ctx| run(ctx, &script)),
            ..Case::BASE
        },
        FILE,
        line_of(voxproof_vectors::raw::HANDSHAKE_CLIENT, &t.name),
        t.tc_id,
    )
}

fn byte_by_byte(example: &ClientTest) -> Case {
    let script = Script {
        test: example.clone(),
        byte_by_byte: true,
    };
    case(Case {
        id: "client.handshake.rfc-example-byte-by-byte".into(),
        title: "The RFC 6455 §1.3 server handshake written one byte per write: the client must \
                read the response across many reads."
            .into(),
        rule: Rule::from_citation(&example.section, &example.requirement),
        sends: script.sends().into(),
        expects: script.expects().into(),
        run: Run::with(move |ctx: &mut Ctx| run(ctx, &script)),
        ..Case::BASE
    })
}

/// What a case sends: a vector's response, whole or a byte per write.
struct Script {
    test: ClientTest,
    byte_by_byte: bool,
}

impl Script {
    fn sends(&self) -> String {
        let t = &self.test;
        let first = t.response.split("\r\n").next().unwrap_or_default();
        let how = if self.byte_by_byte {
            ", one byte per write"
        } else {
            ""
        };
        let accept = if has_field(&t.response, "Sec-WebSocket-Accept") {
            ", its Sec-WebSocket-Accept made from the client's own key as the vector makes it \
             from its key"
        } else {
            ""
        };
        format!(
            "the response of handshake/client.json tcId {} ({first}){how}{accept}{}, then an \
             unmasked text frame \"voxproof-probe\"",
            t.tc_id,
            offer_text(t)
        )
    }

    fn expects(&self) -> String {
        let t = &self.test;
        match t.result {
            Expected::Valid if echoes(t).len() > 1 => {
                "the client takes the connection as established: it echoes the frames sent with \
                 the 101, then the probe"
                    .into()
            }
            Expected::Valid => {
                "the client takes the connection as established: it echoes the probe".into()
            }
            Expected::Invalid if status_of(&t.response) == Some(101) => {
                "the client fails the WebSocket connection: no WebSocket frame (no echo, no \
                 close frame); it closes the connection or sends nothing"
                    .into()
            }
            Expected::Invalid => "the client does not establish the WebSocket connection: no \
                                  WebSocket frame (HTTP lets it keep the TCP connection)"
                .into(),
            Expected::Acceptable => "either: the client echoes the probe (established) or sends \
                                     no frame (refused); reported as INFORMATIONAL"
                .into(),
        }
    }
}

/// `, to a client that offered chat, superchat`, as the vector's client did.
fn offer_text(t: &ClientTest) -> String {
    let mut offers = Vec::new();
    if !t.protocols.is_empty() {
        offers.push(format!("subprotocols {}", t.protocols.join(", ")));
    }
    if !t.extensions.is_empty() {
        offers.push(format!("extensions {}", t.extensions.join(", ")));
    }
    if offers.is_empty() {
        String::new()
    } else {
        format!(", to a client that offered {}", offers.join(" and "))
    }
}

fn run(ctx: &mut Ctx, s: &Script) -> Outcome {
    let Accepted { mut conn, request } = match accepted(ctx) {
        Ok(a) => a,
        Err(o) => return o,
    };
    let t = &s.test;
    if let Some(why) = offer_gap(t, &request) {
        return Outcome::unimplemented(why);
    }
    let response = match response_for(t, &request) {
        Ok(r) => r,
        Err(why) => return Outcome::unimplemented(why),
    };
    let written = if s.byte_by_byte {
        send_paced(&mut conn, &response)
    } else {
        conn.send(&response)
    };
    if let Err(e) = written {
        let why = format!(
            "the client closed the connection before all of the response was written ({e})"
        );
        return match t.result {
            Expected::Valid => Outcome::failed(why),
            // It never saw the response it would be judged on.
            _ => Outcome::unimplemented(why),
        };
    }
    // After every response, 101 or not: a client that took a 200 as
    // established has something to echo too. A write error is left to the
    // read below, which sees how the client ended the connection.
    let _ = conn.send_frame(&Frame::new(opcode::TEXT, PROBE));
    let compressed_ok = has_field(&t.response, "Sec-WebSocket-Extensions");
    let after = match status_of(&t.response) {
        Some(101) => "the 101".to_string(),
        Some(n) => format!("the {n} response"),
        None => "the response".to_string(),
    };
    let (outcome, echoed) = match t.result {
        Expected::Valid => valid(read_echoes(&mut conn, &echoes(t), compressed_ok)),
        Expected::Invalid => invalid(next_frame(&mut conn), &after),
        Expected::Acceptable => {
            acceptable(read_echoes(&mut conn, &echoes(t), compressed_ok), &after)
        }
    };
    if echoed {
        close_politely(&mut conn);
    }
    outcome
}

// ------------------------------------------------------------- the response

/// The ways the vector file makes a Sec-WebSocket-Accept value from its key
/// (its header and comments): the right value, and the wrong ones made from
/// it. A value none of them makes is the accept of another key (tcId 18),
/// wrong for any key but that one.
const DERIVATIONS: [fn(&str) -> Option<String>; 5] = [
    |k| Some(accept(k.as_bytes())),
    |k| Some(accept(k.as_bytes()).to_ascii_lowercase()),
    |k| Some(accept(k.as_bytes()).trim_end_matches('=').to_string()),
    // Over the decoded key bytes instead of the key string.
    |k| STANDARD.decode(k).ok().map(|bytes| accept(&bytes)),
    |k| Some(k.to_string()),
];

/// `value` made from `client_key` the way the vector made it from
/// `vector_key`; an error when that cannot be done.
fn rederive(value: &str, vector_key: &str, client_key: &str) -> Result<String, String> {
    let made = DERIVATIONS
        .iter()
        .find(|d| d(vector_key).as_deref() == Some(value));
    let new = match made {
        Some(d) => d(client_key).ok_or_else(|| {
            format!(
                "the client's Sec-WebSocket-Key {client_key:?} is not base64, and this case's \
                 accept is computed over the decoded key"
            )
        })?,
        None => value.to_string(),
    };
    let was_right = value == accept(vector_key.as_bytes());
    if !was_right && new == accept(client_key.as_bytes()) {
        return Err(format!(
            "the client's Sec-WebSocket-Key {client_key:?} makes this case's wrong accept value \
             the right one"
        ));
    }
    Ok(new)
}

/// The vector's response for this client: every Sec-WebSocket-Accept value
/// made again from the client's own key (the client picks its key; the
/// vector answers a fixed one). What follows the head is kept as it is.
fn response_for(t: &ClientTest, request: &HttpRequest) -> Result<Vec<u8>, String> {
    let (head, rest) = match t.response.find("\r\n\r\n") {
        Some(i) => t.response.split_at(i + 4),
        None => (t.response.as_str(), ""),
    };
    if !has_field(head, "Sec-WebSocket-Accept") {
        return Ok(voxproof_vectors::octets(&t.response));
    }
    let keys = request.values("Sec-WebSocket-Key");
    let client_key = match keys.as_slice() {
        [key] => String::from_utf8_lossy(key).trim().to_string(),
        [] => {
            return Err("the client's request has no Sec-WebSocket-Key to make the \
                        response's Sec-WebSocket-Accept from"
                .into())
        }
        more => {
            return Err(format!(
                "the client's request has {} Sec-WebSocket-Key fields",
                more.len()
            ))
        }
    };
    let mut out = String::new();
    for line in head.split_inclusive("\r\n") {
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("Sec-WebSocket-Accept") => {
                let old = value.trim_matches([' ', '\t', '\r', '\n']);
                let new = rederive(old, &t.key, &client_key)?;
                out.push_str(name);
                out.push(':');
                // The whitespace around the value stays (tcId 15).
                out.push_str(&value.replacen(old, &new, 1));
            }
            _ => out.push_str(line),
        }
    }
    out.push_str(rest);
    Ok(voxproof_vectors::octets(&out))
}

/// Values of the field lines called `name` in a response's head, trimmed.
fn field_values<'a>(response: &'a str, name: &str) -> Vec<&'a str> {
    let head = response.split("\r\n\r\n").next().unwrap_or_default();
    head.split("\r\n")
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim_matches([' ', '\t']))
        .collect()
}

fn has_field(response: &str, name: &str) -> bool {
    !field_values(response, name).is_empty()
}

/// The status code of a response's status line.
fn status_of(response: &str) -> Option<u16> {
    response.split(' ').nth(1)?.parse().ok()
}

fn extension_name(element: &str) -> &str {
    element.split(';').next().unwrap_or_default().trim()
}

/// Why this client's request does not give the response the meaning the
/// vector gives it: the vector's client offered `protocols` and
/// `extensions`; each one the response names must be offered by this
/// client exactly when it was in the vector's offer.
fn offer_gap(t: &ClientTest, request: &HttpRequest) -> Option<String> {
    let named: Vec<&str> = field_values(&t.response, "Sec-WebSocket-Protocol");
    let offered = request.list("Sec-WebSocket-Protocol");
    if let Some(why) = gap("subprotocol", &t.protocols, &offered, &named) {
        return Some(why);
    }
    let named: Vec<&str> = field_values(&t.response, "Sec-WebSocket-Extensions")
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(extension_name)
        .collect();
    let offered: Vec<String> = request
        .list("Sec-WebSocket-Extensions")
        .iter()
        .map(|e| extension_name(e).to_string())
        .collect();
    gap("extension", &t.extensions, &offered, &named)
}

fn gap(what: &str, vector: &[String], offered: &[String], named: &[&str]) -> Option<String> {
    if !vector.is_empty() && offered.is_empty() {
        return Some(format!(
            "the client offered no {what} (this case answers an offer of {}; offer it to run \
             the case)",
            vector.join(", ")
        ));
    }
    // Names compare exactly: a subprotocol's case is significant (tcId 39).
    for n in named {
        let in_vector = vector.iter().any(|v| v == n);
        let in_offer = offered.iter().any(|o| o == n);
        if in_vector && !in_offer {
            return Some(format!(
                "the client did not offer the {what} {n} (it offered {}), which this response \
                 selects as offered",
                offered.join(", ")
            ));
        }
        if !in_vector && in_offer {
            return Some(format!(
                "the client offered the {what} {n}, which this response selects as not offered"
            ));
        }
    }
    None
}

/// One byte per write.
fn send_paced(conn: &mut Conn, bytes: &[u8]) -> Result<(), String> {
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 && Instant::now() + BYTE_PAUSE < conn.deadline() {
            std::thread::sleep(BYTE_PAUSE);
        }
        conn.send(std::slice::from_ref(byte))
            .map_err(|e| format!("{e}, after {i} of its {} bytes", bytes.len()))?;
    }
    Ok(())
}

// ---------------------------------------------------------- what came back

/// A message the client sends (or must send back).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Message {
    opcode: u8,
    /// RSV1 set: compressed by an extension, if one was agreed.
    compressed: bool,
    payload: Vec<u8>,
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.opcode {
            opcode::TEXT => "text",
            opcode::BINARY => "binary",
            _ => "data",
        };
        let text = String::from_utf8_lossy(&self.payload);
        let shown: String = text.chars().take(60).collect();
        let more = if shown.len() < text.len() { "…" } else { "" };
        let rsv = if self.compressed { " (RSV1 set)" } else { "" };
        write!(f, "a {kind} message {shown:?}{more}{rsv}")
    }
}

/// What the client must echo, in order: the data frames the vector sends
/// after the head of its response (tcId 14), then the probe.
fn echoes(t: &ClientTest) -> Vec<Message> {
    let bytes = voxproof_vectors::octets(&t.response);
    let mut out = Vec::new();
    if let Some(i) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        let mut rest = &bytes[i + 4..];
        while let Decoded::Frame(f, used) = frame::decode(rest, MAX_PAYLOAD) {
            if matches!(f.opcode, opcode::TEXT | opcode::BINARY) {
                out.push(Message {
                    opcode: f.opcode,
                    compressed: false,
                    payload: f.payload,
                });
            }
            rest = &rest[used..];
        }
    }
    out.push(Message {
        opcode: opcode::TEXT,
        compressed: false,
        payload: PROBE.to_vec(),
    });
    out
}

/// The next thing the client sends.
enum Got {
    Frame(Frame),
    /// An HTTP request line (its start): the client went on speaking HTTP.
    Http(String),
    /// Bytes that begin a frame header no frame can have.
    Unreadable(String),
    /// The connection ended, or the deadline passed, with this many bytes
    /// of an unfinished frame.
    Ended(ReadEnd, usize),
}

fn next_frame(conn: &mut Conn) -> Got {
    loop {
        match http_start(conn.pending_bytes()) {
            Some(true) => {
                let line = conn.pending_bytes().split(|&b| b == b'\r').next();
                return Got::Http(String::from_utf8_lossy(line.unwrap_or_default()).into_owned());
            }
            Some(false) => break,
            None => {
                if let Err(end) = conn.read_some() {
                    return Got::Ended(end, conn.pending_bytes().len());
                }
            }
        }
    }
    match conn.read_frame(MAX_PAYLOAD) {
        Ok(f) => Got::Frame(f),
        Err(FrameEnd::Invalid(e)) => Got::Unreadable(e),
        Err(FrameEnd::Read(end, n)) => Got::Ended(end, n),
    }
}

/// Whether `bytes` start an HTTP request line (a method of uppercase
/// letters, then a space) rather than a frame; None while too few to tell.
/// A client's frame cannot look so: its second byte has the mask bit set.
fn http_start(bytes: &[u8]) -> Option<bool> {
    for (i, &b) in bytes.iter().enumerate().take(MAX_METHOD + 1) {
        match b {
            b'A'..=b'Z' => {}
            b' ' if i > 0 => return Some(true),
            _ => return Some(false),
        }
    }
    (bytes.len() > MAX_METHOD).then_some(false)
}

/// How the client answered the probe.
enum Reply {
    /// Every expected message came back, in order.
    Echoed,
    /// A data message where `want` was expected.
    Other {
        got: Message,
        want: Message,
    },
    /// Frames no message can be made of (a continuation with no message).
    Broken(String),
    Close(Option<u16>),
    Http(String),
    Unreadable(String),
    Ended(ReadEnd, usize),
}

/// Read messages until each of `expected` came back; pings and pongs are
/// passed over (a client may keep its connection alive). With
/// `compressed_ok` (the response named an extension), a message with RSV1
/// set counts as the echo whatever its payload: it is not inflated here.
fn read_echoes(conn: &mut Conn, expected: &[Message], compressed_ok: bool) -> Reply {
    let mut message: Option<Message> = None;
    for want in expected {
        loop {
            let frame = match next_frame(conn) {
                Got::Frame(f) => f,
                Got::Http(line) => return Reply::Http(line),
                Got::Unreadable(e) => return Reply::Unreadable(e),
                Got::Ended(end, n) => return Reply::Ended(end, n),
            };
            match (frame.opcode, message.as_mut()) {
                (opcode::PING | opcode::PONG, _) => continue,
                (opcode::CLOSE, _) => return Reply::Close(frame.close_code()),
                (opcode::CONTINUATION, Some(m)) => m.payload.extend_from_slice(&frame.payload),
                (opcode::CONTINUATION, None) => {
                    return Reply::Broken("a continuation frame with no message to continue".into())
                }
                (op, None) => {
                    message = Some(Message {
                        opcode: op,
                        compressed: frame.rsv & 0b100 != 0,
                        payload: frame.payload,
                    })
                }
                (op, Some(_)) => {
                    return Reply::Broken(format!(
                        "a frame with opcode {op:#x} inside an unfinished message"
                    ))
                }
            }
            if frame.fin {
                break;
            }
        }
        let Some(got) = message.take() else {
            return Reply::Broken("no message".into());
        };
        let same = got.opcode == want.opcode
            && (got.payload == want.payload || (got.compressed && compressed_ok));
        if !same {
            return Reply::Other {
                got,
                want: want.clone(),
            };
        }
    }
    Reply::Echoed
}

/// The verdict, and whether the client echoed (then the suite closes the
/// WebSocket connection it took as open).
type Judged = (Outcome, bool);

fn valid(reply: Reply) -> Judged {
    let failed = |why: String| (Outcome::failed(why), false);
    match reply {
        Reply::Echoed => (
            Outcome::ok("the client echoed the probe: it took the connection as established"),
            true,
        ),
        Reply::Other { got, want } if want.payload != PROBE && got.payload == PROBE => {
            failed(format!(
                "the client echoed the probe where {want} was expected: it lost the frame that \
                 came in the same write as the 101"
            ))
        }
        Reply::Other { got, want } => failed(format!(
            "the client sent {got} where the echo, {want}, was expected"
        )),
        Reply::Broken(what) => failed(format!("the client sent {what}, not an echo of the probe")),
        Reply::Close(code) => failed(format!(
            "the client sent a close frame{} instead of echoing the probe: it failed the \
             connection on a valid response",
            code_text(code)
        )),
        Reply::Http(line) => failed(format!(
            "the client sent HTTP ({line:?}) instead of echoing the probe"
        )),
        Reply::Unreadable(e) => failed(format!(
            "the client sent bytes that are not a frame ({e}) instead of echoing the probe"
        )),
        Reply::Ended(ReadEnd::TimedOut, 0) => failed(
            "no echo of the probe before the deadline: the client did not take the connection \
             as established"
                .into(),
        ),
        Reply::Ended(end, 0) => failed(format!(
            "{end} without an echo of the probe: the client failed the connection on a valid \
             response"
        )),
        Reply::Ended(end, n) => failed(format!(
            "{end} with {n} bytes of an unfinished frame, and no echo of the probe"
        )),
    }
}

fn invalid(got: Got, after: &str) -> Judged {
    let frame_after = |what: String| {
        Outcome::failed(format!(
            "after {after} the client sent {what}: it took the connection as established"
        ))
    };
    let outcome = match got {
        Got::Frame(f) => frame_after(frame_text(&f)),
        Got::Unreadable(e) => frame_after(format!("the header of a frame ({e})")),
        Got::Ended(end, n) if n > 0 => {
            frame_after(format!("{n} bytes of a WebSocket frame, then {end}"))
        }
        Got::Http(line) => Outcome::ok(format!(
            "after {after} the client sent a new HTTP request ({line:?}), no WebSocket frame"
        )),
        Got::Ended(ReadEnd::Closed, _) => Outcome::ok(format!(
            "after {after} the client closed the connection without a WebSocket frame"
        )),
        Got::Ended(ReadEnd::Error(e), _) => Outcome::ok(format!(
            "after {after} the connection failed ({e}) without a WebSocket frame from the client"
        )),
        Got::Ended(ReadEnd::TimedOut, _) => Outcome::ok(format!(
            "after {after} the client sent nothing until the deadline: no WebSocket frame (a \
             client that failed the connection may stop reading without closing it)"
        )),
    };
    (outcome, false)
}

fn acceptable(reply: Reply, after: &str) -> Judged {
    let info = |why: String| (Outcome::informational(why), false);
    match reply {
        Reply::Echoed => (
            Outcome::informational(format!(
                "the client took {after} as establishing the connection: it echoed the probe"
            )),
            true,
        ),
        // Having taken the connection as open, it must carry the probe as sent.
        Reply::Other { got, want } => (
            Outcome::failed(format!(
                "the client took {after} as establishing the connection (it sent {got}) but did \
                 not echo {want}"
            )),
            false,
        ),
        Reply::Broken(what) => (
            Outcome::failed(format!(
                "the client took {after} as establishing the connection but sent {what}"
            )),
            false,
        ),
        Reply::Close(code) => info(format!(
            "the client sent a close frame{} after {after}: it took the connection as \
             established, then failed it",
            code_text(code)
        )),
        Reply::Http(line) => info(format!(
            "the client refused {after}: it sent a new HTTP request ({line:?})"
        )),
        Reply::Unreadable(e) => info(format!(
            "after {after} the client sent bytes that are not a frame ({e})"
        )),
        Reply::Ended(ReadEnd::TimedOut, 0) => info(format!(
            "after {after} the client sent nothing until the deadline: it refused the response \
             and stopped reading, or took it and never echoed"
        )),
        Reply::Ended(end, 0) => info(format!("the client refused {after}: {end}")),
        Reply::Ended(end, n) => info(format!(
            "after {after}: {end} with {n} bytes of an unfinished frame"
        )),
    }
}

fn code_text(code: Option<u16>) -> String {
    code.map(|c| format!(" ({c})")).unwrap_or_default()
}

fn frame_text(f: &Frame) -> String {
    match f.opcode {
        opcode::CLOSE => format!("a close frame{}", code_text(f.close_code())),
        opcode::PING => "a ping frame".into(),
        opcode::PONG => "a pong frame".into(),
        opcode::CONTINUATION => "a continuation frame".into(),
        op => Message {
            opcode: op,
            compressed: f.rsv & 0b100 != 0,
            payload: f.payload.clone(),
        }
        .to_string(),
    }
}

/// End the WebSocket connection the client took as open with a close
/// handshake, as the harness's next case expects; its reply is read up to
/// the deadline and not judged.
fn close_politely(conn: &mut Conn) {
    if conn.send_frame(&Frame::close(Some(1000), b"")).is_err() {
        return;
    }
    while let Ok(f) = conn.read_frame(MAX_PAYLOAD) {
        if f.opcode == opcode::CLOSE {
            break;
        }
    }
    conn.shutdown_write();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(key: &str, protocols: &[String], extensions: &[String]) -> HttpRequest {
        let mut headers = vec![("Sec-WebSocket-Key".to_string(), key.as_bytes().to_vec())];
        if !protocols.is_empty() {
            headers.push((
                "Sec-WebSocket-Protocol".into(),
                protocols.join(", ").into_bytes(),
            ));
        }
        if !extensions.is_empty() {
            headers.push((
                "Sec-WebSocket-Extensions".into(),
                extensions.join(", ").into_bytes(),
            ));
        }
        HttpRequest {
            method: "GET".into(),
            target: "/".into(),
            minor_version: 1,
            headers,
        }
    }

    fn tests() -> Vec<ClientTest> {
        voxproof_vectors::handshake_client()
            .tests()
            .cloned()
            .collect()
    }

    #[test]
    fn one_case_per_vector_and_the_split_101() {
        let cases = cases();
        assert_eq!(cases.len(), tests().len() + 1);
        for (c, t) in cases.iter().zip(tests()) {
            assert_eq!(c.id, format!("client.handshake.{}", t.name));
            assert_eq!(c.rule, Rule::from_citation(&t.section, &t.requirement));
        }
    }

    /// Answering the vector's own key, the response is the vector's, byte
    /// for byte: every accept value it holds is recognised.
    #[test]
    fn the_vectors_own_key_gets_the_vectors_response() {
        for t in tests() {
            let r = request(&t.key, &t.protocols, &t.extensions);
            assert_eq!(offer_gap(&t, &r), None, "tcId {}", t.tc_id);
            assert_eq!(
                response_for(&t, &r).as_deref(),
                Ok(voxproof_vectors::octets(&t.response).as_slice()),
                "tcId {}",
                t.tc_id
            );
        }
    }

    /// For another key, an accept value is right exactly where the vector's
    /// was right for its key.
    #[test]
    fn another_key_keeps_right_values_right_and_wrong_ones_wrong() {
        let key = "AAAAAAAAAAAAAAAAAAAAAA==";
        let right = accept(key.as_bytes());
        for t in tests() {
            let r = request(key, &t.protocols, &t.extensions);
            let sent = String::from_utf8_lossy(&response_for(&t, &r).unwrap()).into_owned();
            let was: Vec<bool> = field_values(&t.response, "Sec-WebSocket-Accept")
                .iter()
                .map(|v| *v == accept(t.key.as_bytes()))
                .collect();
            let is: Vec<bool> = field_values(&sent, "Sec-WebSocket-Accept")
                .iter()
                .map(|v| *v == right)
                .collect();
            assert_eq!(was, is, "tcId {}: {sent}", t.tc_id);
        }
    }

    #[test]
    fn wrong_values_are_made_from_the_clients_key() {
        let t = tests().into_iter().find(|t| t.tc_id == 22).unwrap();
        let key = "AQIDBAUGBwgJCgsMDQ4PEA==";
        let sent = response_for(&t, &request(key, &[], &[])).unwrap();
        let from_bytes = accept(&(1..=16).collect::<Vec<u8>>());
        assert!(String::from_utf8(sent).unwrap().contains(&from_bytes));
        assert!(
            rederive("x", "a", "!!").is_ok(),
            "another key's accept is kept"
        );
        assert!(
            rederive(&accept(b"a"), "k", "a").is_err(),
            "unless it is the client's"
        );
    }

    #[test]
    fn a_client_offering_nothing_leaves_out_the_cases_about_offers() {
        let left_out: Vec<String> = tests()
            .into_iter()
            .filter(|t| offer_gap(t, &request("k", &[], &[])).is_some())
            .map(|t| t.name)
            .collect();
        assert_eq!(
            left_out,
            [
                "rfc-example-subprotocol",
                "subprotocol-second-choice",
                "subprotocol-none-selected",
                "extension-accepted",
                "subprotocol-not-among-offered",
                "subprotocol-list-returned",
                "subprotocol-duplicate",
                "subprotocol-case-mismatch",
                "extension-not-among-offered",
            ]
        );
        // An offer that names what the response calls unoffered.
        let t = tests().into_iter().find(|t| t.tc_id == 35).unwrap();
        let chat = ["chat".to_string()];
        assert!(offer_gap(&t, &request("k", &chat, &[])).is_some());
    }

    #[test]
    fn http_or_a_frame() {
        assert_eq!(http_start(b"GET / HTTP/1.1"), Some(true));
        assert_eq!(http_start(b"GE"), None);
        assert_eq!(http_start(b"\x81\x8e"), Some(false));
        assert_eq!(http_start(b"A\x8e"), Some(false));
        assert_eq!(http_start(b"ABCDEFGH"), Some(false));
        assert_eq!(http_start(b""), None);
    }

    #[test]
    fn the_trailing_frame_is_echoed_first() {
        let t = tests().into_iter().find(|t| t.tc_id == 14).unwrap();
        let e = echoes(&t);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].payload, b"Hello");
        assert_eq!(e[1].payload, PROBE);
    }
}
