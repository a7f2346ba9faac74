//! One pure reader of what a target sends: events, owed replies and RFC 6455 breaches out
//! ([docs/framing.md](../../../docs/framing.md#the-observer)).

use super::close_code;
use super::frame::{decode_header, opcode, Frame, HeaderParse, Pending};
use crate::rule::Rule;
use std::collections::VecDeque;
use std::time::Instant;

/// Largest payload read by default (Autobahn's largest message is 16 MiB).
pub const MAX_PAYLOAD: u64 = 32 << 20;

/// What the target sent, once whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A text or binary message, reassembled from its fragments.
    Message {
        binary: bool,
        payload: Vec<u8>,
    },
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    /// A close frame: its code (none for an empty body) and reason bytes.
    Close {
        code: Option<u16>,
        reason: Vec<u8>,
    },
    /// The target broke RFC 6455.
    Violation(Violation),
    /// Bytes that cannot be read as a frame here (a payload over the
    /// reader's limit); nothing after them is read.
    Unreadable(String),
}

/// An [`Event`] and the `now` of the input that completed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub at: Instant,
    pub event: Event,
}

/// The kinds of breach the observer reports, each with its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A masked frame (§5.1).
    Masked,
    /// RSV bits set with no extension negotiated (§5.2).
    Rsv,
    /// An opcode RFC 6455 reserves (§5.2).
    ReservedOpcode,
    /// A 64-bit length with its most significant bit set (§5.2); nothing after it is read.
    LengthMsb,
    /// A control frame with more than 125 bytes of payload (§5.5).
    ControlTooLong,
    /// A control frame without FIN (§5.5).
    ControlFragmented,
    /// A continuation frame with no message to continue (§5.4).
    ContinuationWithoutStart,
    /// A text or binary frame inside a fragmented message (§5.4).
    DataInsideMessage,
    /// A text message that is not UTF-8 (§5.6, §8.1).
    TextNotUtf8,
    /// A close frame with a body of one byte (§5.5.1).
    CloseBodyOneByte,
    /// A close code that may not be sent (§7.4).
    CloseCode,
    /// A close reason that is not UTF-8 (§5.5.1, §8.1).
    CloseReasonNotUtf8,
    /// A data frame after the target's close frame (§5.5.1).
    DataAfterClose,
    /// An unmasked frame from a client (§5.1), when the suite serves one.
    Unmasked,
}

const R_MASK: &str =
    "A server MUST NOT mask any frames that it sends to the client.  A client MUST close a \
connection if it detects a masked frame.";
const R_UNMASKED: &str = "a client MUST mask all frames that it sends to the server (see Section 5.3 for \
further details). [...] The server MUST close the connection upon receiving a frame that is not masked.";
const R_RSV: &str = "RSV1, RSV2, RSV3:  1 bit each  MUST be 0 unless an extension is negotiated that defines meanings \
for non-zero values.  If a nonzero value is received and none of the negotiated extensions defines the meaning of such a \
nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_.";
const R_OPCODE: &str = "Opcode:  4 bits  Defines the interpretation of the \"Payload data\".  If an unknown opcode is \
received, the receiving endpoint MUST _Fail the WebSocket Connection_.";
const R_LENGTH_MSB: &str =
    "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most \
significant bit MUST be 0) are the payload length.";
const R_CONTROL: &str =
    "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented.";
const R_FRAGMENT: &str = "A fragmented message consists of a single frame with the FIN bit clear and an opcode other \
than 0, followed by zero or more frames with the FIN bit clear and the opcode set to 0, and terminated by a single frame \
with the FIN bit set and an opcode of 0.";
const R_INTERLEAVE: &str =
    "The fragments of one message MUST NOT be interleaved between the fragments of another \
message unless an extension has been negotiated that can interpret the interleaving.";
const R_TEXT: &str =
    "The \"Payload data\" is text data encoded as UTF-8.  Note that a particular text frame might \
include a partial UTF-8 sequence; however, the whole message MUST contain valid UTF-8.";
const R_CLOSE_BODY: &str =
    "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer (in \
network byte order) representing a status code with value /code/ defined in Section 7.4.";
const R_RESERVED_CODE: &str = "1005 is a reserved value and MUST NOT be set as a status code in a Close control frame \
by an endpoint. [...] 1006 is a reserved value and MUST NOT be set as a status code in a Close control frame by an \
endpoint. [...] 1015 is a reserved value and MUST NOT be set as a status code in a Close control frame by an endpoint.";
const R_CLOSE_REASON: &str =
    "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream \
is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_.";
const R_AFTER_CLOSE: &str =
    "The application MUST NOT send any more data frames after sending a Close frame.";

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::Masked,
        Kind::Rsv,
        Kind::ReservedOpcode,
        Kind::LengthMsb,
        Kind::ControlTooLong,
        Kind::ControlFragmented,
        Kind::ContinuationWithoutStart,
        Kind::DataInsideMessage,
        Kind::TextNotUtf8,
        Kind::CloseBodyOneByte,
        Kind::CloseCode,
        Kind::CloseReasonNotUtf8,
        Kind::DataAfterClose,
        Kind::Unmasked,
    ];

    /// What a [`Kind::CloseCode`] breaks when the code is 1005, 1006 or
    /// 1015, which §7.4.1 names.
    pub fn reserved_code_rule() -> Rule {
        Rule::new("RFC 6455", "7.4.1", R_RESERVED_CODE)
    }

    /// The requirement this kind of breach breaks.
    pub fn rule(self) -> Rule {
        let r = |section, text| Rule::new("RFC 6455", section, text);
        match self {
            Kind::Masked => r("5.1", R_MASK),
            Kind::Rsv => r("5.2", R_RSV),
            Kind::ReservedOpcode => r("5.2", R_OPCODE),
            Kind::LengthMsb => r("5.2", R_LENGTH_MSB),
            Kind::ControlTooLong | Kind::ControlFragmented => r("5.5", R_CONTROL),
            Kind::ContinuationWithoutStart => r("5.4", R_FRAGMENT),
            Kind::DataInsideMessage => r("5.4", R_INTERLEAVE),
            Kind::TextNotUtf8 => r("5.6, §8.1", R_TEXT),
            Kind::CloseBodyOneByte => r("5.5.1", R_CLOSE_BODY),
            Kind::CloseCode => r("5.5.1, §7.4", R_CLOSE_BODY),
            Kind::CloseReasonNotUtf8 => r("5.5.1, §8.1", R_CLOSE_REASON),
            Kind::DataAfterClose => r("5.5.1, §1.4", R_AFTER_CLOSE),
            Kind::Unmasked => r("5.1", R_UNMASKED),
        }
    }
}

/// A breach of RFC 6455 in what the target sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub kind: Kind,
    /// What the target did, in words.
    pub detail: String,
    /// The requirement it broke.
    pub rule: Rule,
}

impl Violation {
    fn new(kind: Kind, detail: impl Into<String>) -> Violation {
        Violation {
            kind,
            detail: detail.into(),
            rule: kind.rule(),
        }
    }
}

impl std::fmt::Display for Violation {
    /// `the target masked a frame (RFC 6455 §5.1: "A server MUST NOT …")`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}: \"{}\")",
            self.detail,
            self.rule.citation(),
            self.rule.text
        )
    }
}

/// A text or binary message being reassembled.
#[derive(Debug)]
struct Partial {
    binary: bool,
    payload: Vec<u8>,
    /// Bytes of `payload` known to be whole UTF-8 code points (text only).
    checked: usize,
    /// Already reported as not UTF-8.
    broken: bool,
}

impl Partial {
    /// Check the bytes added since the last call; a code point split
    /// across fragments is fine until the message ends.
    fn check_utf8(&mut self, fin: bool) -> bool {
        if self.binary || self.broken {
            return true;
        }
        match std::str::from_utf8(&self.payload[self.checked..]) {
            Ok(_) => self.checked = self.payload.len(),
            Err(e) if e.error_len().is_none() && !fin => self.checked += e.valid_up_to(),
            Err(_) => {
                self.broken = true;
                return false;
            }
        }
        true
    }
}

/// Reads everything a target sends on one connection (the client's view):
/// feed it bytes ([`Observer::receive_data`]) or decoded frames
/// ([`Observer::receive_frame`]) with the time they arrived, then take
/// [`Observer::poll_event`] and [`Observer::poll_reply`] until empty. It
/// does no I/O and reads no clock.
#[derive(Debug)]
pub struct Observer {
    pending: Pending,
    max_payload: u64,
    message: Option<Partial>,
    /// The target sent a close frame.
    close_received: bool,
    /// The client sent (or owes) a close frame.
    close_sent: bool,
    /// Unreadable bytes arrived: nothing after them is read.
    stopped: bool,
    events: VecDeque<Observed>,
    replies: VecDeque<Frame>,
    /// The suite serves a client: frames must come masked (and a masked
    /// one is the rule, not a breach).
    facing_client: bool,
}

impl Default for Observer {
    fn default() -> Observer {
        Observer::new()
    }
}

impl Observer {
    /// A client's observer with no extension negotiated.
    pub fn new() -> Observer {
        Observer {
            pending: Pending::new(),
            max_payload: MAX_PAYLOAD,
            message: None,
            close_received: false,
            close_sent: false,
            stopped: false,
            events: VecDeque::new(),
            replies: VecDeque::new(),
            facing_client: false,
        }
    }

    /// A server's observer of a client (`voxproof serve`): the same rules,
    /// but every frame must be masked.
    pub fn facing_client() -> Observer {
        Observer {
            facing_client: true,
            ..Observer::new()
        }
    }

    /// Refuse payloads above `max` bytes (as [`Event::Unreadable`]).
    pub fn with_max_payload(mut self, max: u64) -> Observer {
        self.max_payload = max;
        self
    }

    pub fn max_payload(&self) -> u64 {
        self.max_payload
    }

    /// The target has sent a close frame.
    pub fn close_received(&self) -> bool {
        self.close_received
    }

    /// The client sent a close frame: no pong or close reply is owed any more.
    pub fn sent_close(&mut self) {
        self.close_sent = true;
        self.replies
            .retain(|f| f.opcode != opcode::PONG && f.opcode != opcode::CLOSE);
    }

    /// Bytes from the target, as they arrived at `now`.
    pub fn receive_data(&mut self, bytes: &[u8], now: Instant) {
        if self.stopped {
            return;
        }
        self.pending.extend_from_slice(bytes);
        loop {
            match self.pending.take_frame(self.max_payload) {
                Ok(Some(frame)) => self.receive_frame(frame, now),
                Ok(None) => return,
                Err(e) => {
                    let front = self.pending.bytes().to_vec();
                    self.receive_unreadable(&front, e, now);
                    return;
                }
            }
        }
    }

    /// Bytes at the front of what the target sent that the decoder refused
    /// (`detail` says why): a 64-bit length with its top bit set is a
    /// violation, anything else (a payload over the limit) unreadable.
    /// Nothing after them is read.
    pub fn receive_unreadable(&mut self, front: &[u8], detail: String, now: Instant) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let event = match decode_header(front, u64::MAX) {
            HeaderParse::Invalid(_) => Event::Violation(Violation::new(
                Kind::LengthMsb,
                "the target sent a 64-bit payload length with the most significant bit set",
            )),
            _ => Event::Unreadable(format!(
                "the target sent bytes that are not a frame: {detail}"
            )),
        };
        self.push(now, event);
    }

    /// One whole frame from the target, as it arrived at `now`.
    pub fn receive_frame(&mut self, frame: Frame, now: Instant) {
        if self.stopped {
            return;
        }
        //= https://www.rfc-editor.org/rfc/rfc6455#section-5.1
        //# A server MUST NOT mask any frames that it sends to the client.
        if frame.mask.is_some() && !self.facing_client {
            self.violation(now, Kind::Masked, "the target masked a frame");
        }
        //= https://www.rfc-editor.org/rfc/rfc6455#section-5.1
        //# a client MUST mask all frames that it sends to the server
        if frame.mask.is_none() && self.facing_client {
            self.violation(
                now,
                Kind::Unmasked,
                "the client sent a frame without a mask",
            );
        }
        if frame.rsv != 0 {
            let detail = format!(
                "the target set RSV bits {:03b} with no extension negotiated",
                frame.rsv
            );
            self.violation(now, Kind::Rsv, detail);
        }
        if frame.is_control() {
            if frame.payload.len() > 125 {
                let detail = format!(
                    "the target sent a control frame (opcode {:#x}) of {} bytes",
                    frame.opcode,
                    frame.payload.len()
                );
                self.violation(now, Kind::ControlTooLong, detail);
            }
            if !frame.fin {
                let detail = format!(
                    "the target sent a fragmented control frame (opcode {:#x})",
                    frame.opcode
                );
                self.violation(now, Kind::ControlFragmented, detail);
            }
        }
        match frame.opcode {
            opcode::TEXT | opcode::BINARY | opcode::CONTINUATION if self.close_received => {
                self.violation(
                    now,
                    Kind::DataAfterClose,
                    format!(
                        "the target sent a data frame (opcode {:#x}) after its close frame",
                        frame.opcode
                    ),
                );
            }
            opcode::TEXT | opcode::BINARY => {
                if self.message.is_some() {
                    self.violation(
                        now,
                        Kind::DataInsideMessage,
                        "the target started a message inside another",
                    );
                }
                self.message = Some(Partial {
                    binary: frame.opcode == opcode::BINARY,
                    payload: frame.payload,
                    checked: 0,
                    broken: false,
                });
                self.fragment(frame.fin, now);
            }
            opcode::CONTINUATION => match self.message.as_mut() {
                Some(m) => {
                    m.payload.extend_from_slice(&frame.payload);
                    self.fragment(frame.fin, now);
                }
                None => self.violation(
                    now,
                    Kind::ContinuationWithoutStart,
                    "the target sent a continuation with nothing to continue",
                ),
            },
            opcode::PING => {
                //= https://www.rfc-editor.org/rfc/rfc6455#section-5.5.2
                //# Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in
                //# response, unless it already received a Close frame.
                if !self.close_received && !self.close_sent {
                    self.replies
                        .push_back(Frame::new(opcode::PONG, frame.payload.clone()));
                }
                self.push(now, Event::Ping(frame.payload));
            }
            opcode::PONG => self.push(now, Event::Pong(frame.payload)),
            opcode::CLOSE => self.close(frame.payload, now),
            other => self.violation(
                now,
                Kind::ReservedOpcode,
                format!("the target sent a frame with reserved opcode {other:#x}"),
            ),
        }
    }

    /// After a text, binary or continuation frame: check its text, deliver the message at its end.
    fn fragment(&mut self, fin: bool, now: Instant) {
        let Some(m) = self.message.as_mut() else {
            return;
        };
        if !m.check_utf8(fin) {
            //= https://www.rfc-editor.org/rfc/rfc6455#section-8.1
            //# When an endpoint is to interpret a byte stream as UTF-8 but finds
            //# that the byte stream is not, in fact, a valid UTF-8 stream, that
            //# endpoint MUST _Fail the WebSocket Connection_.
            let at = m.checked;
            self.violation(
                now,
                Kind::TextNotUtf8,
                format!("the target sent a text message that is not UTF-8 (from byte {at})"),
            );
        }
        if fin {
            if let Some(m) = self.message.take() {
                let event = Event::Message {
                    binary: m.binary,
                    payload: m.payload,
                };
                self.push(now, event);
            }
        }
    }

    fn close(&mut self, payload: Vec<u8>, now: Instant) {
        let code = (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
        if payload.len() == 1 {
            self.violation(
                now,
                Kind::CloseBodyOneByte,
                "the target sent a close frame with a body of one byte",
            );
        }
        if let Some(c) = code.filter(|c| !close_code::allowed_on_wire(*c)) {
            let mut v = Violation::new(
                Kind::CloseCode,
                format!("the target sent close code {c}, which may not be sent"),
            );
            if matches!(
                c,
                close_code::NO_STATUS | close_code::ABNORMAL | close_code::TLS_HANDSHAKE
            ) {
                v.rule = Kind::reserved_code_rule();
            }
            self.push(now, Event::Violation(v));
        }
        let reason = payload.get(2..).unwrap_or_default().to_vec();
        if std::str::from_utf8(&reason).is_err() {
            self.violation(
                now,
                Kind::CloseReasonNotUtf8,
                "the target sent a close reason that is not UTF-8",
            );
        }
        if !self.close_received && !self.close_sent {
            // Echo the code, as a client completing the closing handshake does.
            let echo = code.filter(|c| close_code::allowed_on_wire(*c));
            self.replies.push_back(Frame::close(echo, b""));
            self.close_sent = true;
        }
        self.close_received = true;
        self.push(now, Event::Close { code, reason });
    }

    fn violation(&mut self, now: Instant, kind: Kind, detail: impl Into<String>) {
        self.push(now, Event::Violation(Violation::new(kind, detail)));
    }

    fn push(&mut self, at: Instant, event: Event) {
        self.events.push_back(Observed { at, event });
    }

    /// The next event, in the order the target sent it.
    pub fn poll_event(&mut self) -> Option<Observed> {
        self.events.pop_front()
    }

    /// The next frame the client owes the target (a pong, a close reply),
    /// unmasked: the caller masks it as it sends it.
    pub fn poll_reply(&mut self) -> Option<Frame> {
        self.replies.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(frames: &[Frame]) -> Vec<Event> {
        let mut o = Observer::new();
        let now = Instant::now();
        for f in frames {
            o.receive_frame(f.clone(), now);
        }
        std::iter::from_fn(|| o.poll_event().map(|e| e.event)).collect()
    }

    fn kinds(frames: &[Frame]) -> Vec<Kind> {
        events(frames)
            .into_iter()
            .filter_map(|e| match e {
                Event::Violation(v) => Some(v.kind),
                _ => None,
            })
            .collect()
    }

    fn text(s: &[u8]) -> Frame {
        Frame::new(opcode::TEXT, s.to_vec())
    }

    #[test]
    fn messages_are_reassembled_with_control_frames_between() {
        let got = events(&[
            text(b"he").fin(false),
            Frame::new(opcode::PING, "p"),
            Frame::new(opcode::CONTINUATION, "llo"),
            Frame::new(opcode::BINARY, vec![1, 2]),
            Frame::close(Some(close_code::NORMAL), b"bye"),
        ]);
        assert_eq!(
            got,
            vec![
                Event::Ping(b"p".to_vec()),
                Event::Message {
                    binary: false,
                    payload: b"hello".to_vec()
                },
                Event::Message {
                    binary: true,
                    payload: vec![1, 2]
                },
                Event::Close {
                    code: Some(1000),
                    reason: b"bye".to_vec()
                },
            ]
        );
    }

    #[test]
    fn replies_owed_a_pong_and_a_close_echo() {
        let mut o = Observer::new();
        let now = Instant::now();
        o.receive_frame(Frame::new(opcode::PING, "x"), now);
        o.receive_frame(Frame::close(Some(close_code::GOING_AWAY), b""), now);
        o.receive_frame(Frame::new(opcode::PING, "late"), now);
        assert_eq!(o.poll_reply(), Some(Frame::new(opcode::PONG, "x")));
        assert_eq!(
            o.poll_reply(),
            Some(Frame::close(Some(close_code::GOING_AWAY), b""))
        );
        assert_eq!(o.poll_reply(), None);
        // Once the client has sent its close, nothing more is owed.
        let mut o = Observer::new();
        o.sent_close();
        o.receive_frame(Frame::new(opcode::PING, "x"), now);
        o.receive_frame(Frame::close(Some(close_code::NORMAL), b""), now);
        assert_eq!(o.poll_reply(), None);
        assert!(o.close_received());
    }

    #[test]
    fn facing_a_client_frames_must_come_masked() {
        let now = Instant::now();
        let mut o = Observer::facing_client();
        o.receive_frame(text(b"hi").masked([1, 2, 3, 4]), now);
        o.receive_frame(text(b"bare"), now);
        let got: Vec<Event> = std::iter::from_fn(|| o.poll_event().map(|e| e.event)).collect();
        assert_eq!(
            got[0],
            Event::Message {
                binary: false,
                payload: b"hi".to_vec()
            }
        );
        assert!(
            matches!(&got[1], Event::Violation(v) if v.kind == Kind::Unmasked && v.rule.section == "5.1"),
            "{got:?}"
        );
    }

    #[test]
    fn each_violation_kind_is_reported_with_its_rule() {
        let cases: Vec<(Kind, Vec<Frame>, &str)> = vec![
            (Kind::Masked, vec![text(b"a").masked([1, 2, 3, 4])], "5.1"),
            (Kind::Rsv, vec![text(b"a").rsv(0b100)], "5.2"),
            (Kind::ReservedOpcode, vec![Frame::new(0x3, "a")], "5.2"),
            (
                Kind::ControlTooLong,
                vec![Frame::new(opcode::PING, vec![0; 126])],
                "5.5",
            ),
            (
                Kind::ControlFragmented,
                vec![Frame::new(opcode::PONG, "a").fin(false)],
                "5.5",
            ),
            (
                Kind::ContinuationWithoutStart,
                vec![Frame::new(opcode::CONTINUATION, "a")],
                "5.4",
            ),
            (
                Kind::DataInsideMessage,
                vec![text(b"a").fin(false), text(b"b")],
                "5.4",
            ),
            (
                Kind::TextNotUtf8,
                vec![text(&[0xce, 0xba, 0xff])],
                "5.6, §8.1",
            ),
            (
                Kind::CloseBodyOneByte,
                vec![Frame::new(opcode::CLOSE, vec![3])],
                "5.5.1",
            ),
            (
                Kind::CloseCode,
                vec![Frame::close(Some(999), b"")],
                "5.5.1, §7.4",
            ),
            (
                Kind::CloseReasonNotUtf8,
                vec![Frame::close(Some(1000), &[0xc0, 0x80])],
                "5.5.1, §8.1",
            ),
            (
                Kind::DataAfterClose,
                vec![Frame::close(Some(1000), b""), text(b"late")],
                "5.5.1, §1.4",
            ),
        ];
        for (kind, frames, section) in cases {
            let got = events(&frames);
            let v = got
                .iter()
                .find_map(|e| match e {
                    Event::Violation(v) => Some(v),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{kind:?}: no violation in {got:?}"));
            assert_eq!(v.kind, kind);
            assert_eq!(v.rule, kind.rule());
            assert_eq!(v.rule.section, section, "{kind:?}");
            assert!(!v.rule.text.is_empty(), "{kind:?}");
            let shown = v.to_string();
            assert!(shown.contains(&format!("RFC 6455 §{section}")), "{shown}");
        }
        // The 64-bit length with its top bit set comes as bytes.
        let mut o = Observer::new();
        let mut bytes = vec![0x82, 127];
        bytes.extend_from_slice(&(1u64 << 63).to_be_bytes());
        o.receive_data(&bytes, Instant::now());
        o.receive_data(&text(b"never read").encode(), Instant::now());
        let got: Vec<Event> = std::iter::from_fn(|| o.poll_event().map(|e| e.event)).collect();
        assert!(
            matches!(got.as_slice(), [Event::Violation(v)] if v.kind == Kind::LengthMsb),
            "{got:?}"
        );
    }

    #[test]
    fn reserved_close_codes_cite_their_own_sentence() {
        for code in [
            close_code::NO_STATUS,
            close_code::ABNORMAL,
            close_code::TLS_HANDSHAKE,
        ] {
            let got = events(&[Frame::close(Some(code), b"")]);
            let Some(Event::Violation(v)) = got.first() else {
                panic!("{got:?}")
            };
            assert_eq!(
                (v.kind, v.rule.section.as_ref()),
                (Kind::CloseCode, "7.4.1")
            );
            assert!(v.rule.text.contains(&code.to_string()));
        }
        for code in [0, 1004, 1016, 2999, 5000, u16::MAX] {
            assert_eq!(kinds(&[Frame::close(Some(code), b"")]), [Kind::CloseCode]);
        }
        for code in [1000, 1003, 1007, 1011, 1014, 3000, 4999] {
            assert_eq!(kinds(&[Frame::close(Some(code), b"")]), []);
        }
    }

    #[test]
    fn a_code_point_split_across_fragments_is_fine() {
        let euro = "€".as_bytes();
        let frames = [
            text(&euro[..1]).fin(false),
            Frame::new(opcode::CONTINUATION, &euro[1..2]).fin(false),
            Frame::new(opcode::CONTINUATION, &euro[2..]),
        ];
        assert_eq!(kinds(&frames), []);
        // Cut short at the end of the message, it is not.
        assert_eq!(kinds(&[text(&euro[..2])]), [Kind::TextNotUtf8]);
        // An invalid byte is reported as soon as it arrives, once.
        let frames = [
            text(&[b'a', 0xff]).fin(false),
            Frame::new(opcode::CONTINUATION, vec![0xff]).fin(false),
        ];
        assert_eq!(kinds(&frames), [Kind::TextNotUtf8]);
    }

    #[test]
    fn payloads_over_the_limit_are_unreadable() {
        let mut o = Observer::new().with_max_payload(4);
        o.receive_data(&text(b"hello").encode(), Instant::now());
        let got = o.poll_event().map(|e| e.event);
        assert!(matches!(got, Some(Event::Unreadable(_))), "{got:?}");
    }

    #[test]
    fn events_carry_the_time_of_the_input_that_completed_them() {
        let mut o = Observer::new();
        let t0 = Instant::now();
        let t1 = t0 + std::time::Duration::from_millis(20);
        let bytes = text(b"hi").encode();
        o.receive_data(&bytes[..3], t0);
        o.receive_data(&bytes[3..], t1);
        assert_eq!(o.poll_event().map(|e| e.at), Some(t1));
    }
}
