//! Cases equivalent to Autobahn's categories 1–7, 9 and 10: same frames, same
//! chopping, same expected events and close. Where Autobahn waits a fixed
//! time the engine uses a ping barrier (see `engine`), so the verdicts match
//! and the run takes milliseconds.

use super::engine::{pattern, CloseExpect, Event, Expect, Pattern, Script, Step};
use super::{Def, Source};
use crate::verdict::Closer;
use crate::wire::frame::{opcode, Frame};
use std::sync::Arc;
use std::time::Duration;

const ORIGIN: &str = "conformance/src/cases/framing/autobahn.rs";

// Requirement sentences, quoted from RFC 6455.
const R_LENGTH: &str = "Payload length:  7 bits, 7+16 bits, or 7+64 bits [...] If 0-125, that is the payload length.  If \
126, the following 2 bytes interpreted as a 16-bit unsigned integer are the payload length.  If 127, the following 8 bytes \
interpreted as a 64-bit unsigned integer (the most significant bit MUST be 0) are the payload length.";
const R_PING: &str = "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless it already \
received a Close frame. [...] A Pong frame sent in response to a Ping frame must have identical \"Application data\" as \
found in the message body of the Ping frame being replied to.";
const R_PONG_UNSOLICITED: &str =
    "A Pong frame MAY be sent unsolicited.  This serves as a unidirectional heartbeat.  A \
response to an unsolicited Pong frame is not expected.";
const R_CONTROL: &str = "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented.";
const R_RSV: &str = "RSV1, RSV2, RSV3:  1 bit each  MUST be 0 unless an extension is negotiated that defines meanings \
for non-zero values.  If a nonzero value is received and none of the negotiated extensions defines the meaning of such a \
nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_.";
const R_OPCODE: &str = "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_.";
const R_FRAGMENT_CONTROL: &str = "Control frames (see Section 5.5) MAY be injected in the middle of a fragmented \
message. [...] An endpoint MUST be capable of handling control frames in the middle of a fragmented message.";
const R_FRAGMENT: &str = "A fragmented message consists of a single frame with the FIN bit clear and an opcode other \
than 0, followed by zero or more frames with the FIN bit clear and the opcode set to 0, and terminated by a single frame \
with the FIN bit set and an opcode of 0.";
const R_INTERLEAVE: &str =
    "The fragments of one message MUST NOT be interleaved between the fragments of another \
message unless an extension has been negotiated that can interpret the interleaving.";
const R_CLOSE_REPLY: &str =
    "If an endpoint receives a Close frame and did not previously send a Close frame, the \
endpoint MUST send a Close frame in response.";
const R_DISCARD: &str = "After sending a control frame indicating the connection should be closed, a peer does not send \
any further data; after receiving a control frame indicating the connection should be closed, a peer discards any \
further data received.";
const R_CLOSE_BODY: &str =
    "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer (in \
network byte order) representing a status code with value /code/ defined in Section 7.4.";
const R_CLOSE_REASON: &str =
    "Following the 2-byte integer, the body MAY contain UTF-8-encoded data with value /reason/, \
the interpretation of which is not defined by this specification.";
const R_CODES_VALID: &str = "Endpoints MAY use the following pre-defined status codes when sending a Close frame. [...] \
Status codes in the range 3000-3999 are reserved for use by libraries, frameworks, and applications. [...] Status codes \
in the range 4000-4999 are reserved for private use and thus can't be registered.";
const R_CODES_INVALID: &str = "Status codes in the range 0-999 are not used. [...] 1005 is a reserved value and MUST NOT \
be set as a status code in a Close control frame by an endpoint. [...] 1006 is a reserved value and MUST NOT be set as a \
status code in a Close control frame by an endpoint.";
const R_LIMITS: &str = "Implementations that have implementation- and/or platform-specific limitations regarding the \
frame size or total message size after reassembly from multiple frames MUST protect themselves against exceeding those \
limits.";
const R_FRAGMENT_SEND: &str = "An unfragmented message consists of a single frame with the FIN bit set (Section 5.2) and \
an opcode other than 0. [...] EXAMPLE: For a text message sent as three fragments, the first fragment would have an \
opcode of 0x1 and a FIN bit clear, the second fragment would have an opcode of 0x0 and a FIN bit clear, and the third \
fragment would have an opcode of 0x0 and a FIN bit that is set.";

fn f(op: u8, payload: impl Into<Vec<u8>>) -> Frame {
    Frame::new(op, payload)
}
fn frag(op: u8, payload: impl Into<Vec<u8>>) -> Frame {
    Frame::new(op, payload).fin(false)
}
fn text(p: impl Into<Vec<u8>>) -> Frame {
    f(opcode::TEXT, p)
}

#[allow(clippy::too_many_arguments)]
fn def(
    topic: &str,
    ab: &str,
    title: &str,
    section: &'static str,
    requirement: &'static str,
    expects: &str,
    steps: Vec<Step>,
    expect: Expect,
) -> Def {
    Def {
        id: format!("framing.{topic}.{}", ab.replace('.', "_")),
        autobahn: Some(ab.to_string()),
        title: title.to_string(),
        section,
        requirement,
        sends: title.to_string(),
        expects: expects.to_string(),
        min_timeout: None,
        origin: ORIGIN,
        script: Source::Ready(Script { steps, expect }),
    }
}

fn echo_ok(events: Vec<Event>) -> Expect {
    Expect::ok(events, CloseExpect::normal())
}
fn must_fail() -> Expect {
    Expect::ok(vec![], CloseExpect::fail(1002))
}

pub fn defs() -> Vec<Def> {
    let mut d = Vec::new();
    category_1(&mut d);
    category_2(&mut d);
    category_3(&mut d);
    category_4(&mut d);
    category_5(&mut d);
    super::utf8::category_6(&mut d);
    category_7(&mut d);
    category_9(&mut d);
    category_10(&mut d);
    d
}

fn category_1(d: &mut Vec<Def>) {
    for (sub, op, fill, name) in [
        (1, opcode::TEXT, b'*', "text"),
        (2, opcode::BINARY, 0xfe, "binary"),
    ] {
        for (i, len) in [0usize, 125, 126, 127, 128, 65535, 65536, 65536]
            .into_iter()
            .enumerate()
        {
            let payload = vec![fill; len];
            let chopped = i == 7;
            let event = if op == opcode::BINARY {
                Event::binary(&payload)
            } else {
                Event::text(&payload)
            };
            let steps = if chopped {
                vec![Step::Chopped(vec![f(op, payload)], 997)]
            } else {
                vec![Step::Frames(vec![f(op, payload)])]
            };
            let title = if chopped {
                format!("{name} message of {len} bytes written in chops of 997 bytes")
            } else {
                format!("{name} message of {len} bytes")
            };
            d.push(def(
                "basic",
                &format!("1.{sub}.{}", i + 1),
                &title,
                "RFC 6455 §5.2",
                R_LENGTH,
                &format!("the {name} message echoed, then a clean close with 1000"),
                steps,
                echo_ok(vec![event]),
            ));
        }
    }
}

fn category_2(d: &mut Vec<Def>) {
    let pong = |p: &[u8]| echo_ok(vec![Event::pong(p)]);
    let ping = |p: &[u8]| f(opcode::PING, p.to_vec());
    d.push(def(
        "pingpong",
        "2.1",
        "ping without payload",
        "RFC 6455 §5.5.2",
        R_PING,
        "a pong without payload",
        vec![Step::Frames(vec![ping(b"")])],
        pong(b""),
    ));
    d.push(def(
        "pingpong",
        "2.2",
        "ping with a small text payload",
        "RFC 6455 §5.5.2",
        R_PING,
        "a pong with the same payload",
        vec![Step::Frames(vec![ping(b"Hello, world!")])],
        pong(b"Hello, world!"),
    ));
    let bin = [0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff];
    d.push(def(
        "pingpong",
        "2.3",
        "ping with a small binary payload",
        "RFC 6455 §5.5.2",
        R_PING,
        "a pong with the same payload",
        vec![Step::Frames(vec![ping(&bin)])],
        pong(&bin),
    ));
    d.push(def(
        "pingpong",
        "2.4",
        "ping with a 125-byte binary payload",
        "RFC 6455 §5.5.2",
        R_PING,
        "a pong with the same payload",
        vec![Step::Frames(vec![ping(&[0xfe; 125])])],
        pong(&[0xfe; 125]),
    ));
    d.push(def(
        "pingpong",
        "2.5",
        "ping with a 126-byte payload (over the control-frame limit)",
        "RFC 6455 §5.5",
        R_CONTROL,
        "the connection failed with 1002",
        vec![Step::Frames(vec![ping(&[0xfe; 126])])],
        must_fail(),
    ));
    d.push(def(
        "pingpong",
        "2.6",
        "ping with a 125-byte payload written one byte at a time",
        "RFC 6455 §5.5.2",
        R_PING,
        "a pong with the same payload",
        vec![Step::Chopped(vec![ping(&[0xfe; 125])], 1)],
        pong(&[0xfe; 125]),
    ));
    d.push(def(
        "pingpong",
        "2.7",
        "unsolicited pong without payload",
        "RFC 6455 §5.5.3",
        R_PONG_UNSOLICITED,
        "nothing, then a clean close",
        vec![Step::Frames(vec![f(opcode::PONG, b"".to_vec())])],
        echo_ok(vec![]),
    ));
    d.push(def(
        "pingpong",
        "2.8",
        "unsolicited pong with payload",
        "RFC 6455 §5.5.3",
        R_PONG_UNSOLICITED,
        "nothing, then a clean close",
        vec![Step::Frames(vec![f(
            opcode::PONG,
            b"unsolicited pong payload".to_vec(),
        )])],
        echo_ok(vec![]),
    ));
    d.push(def(
        "pingpong",
        "2.9",
        "unsolicited pong, then a ping",
        "RFC 6455 §5.5.3",
        R_PONG_UNSOLICITED,
        "a pong for the ping only",
        vec![Step::Frames(vec![
            f(opcode::PONG, b"unsolicited pong payload".to_vec()),
            ping(b"ping payload"),
        ])],
        pong(b"ping payload"),
    ));
    let ten: Vec<Frame> = (0..10)
        .map(|i| ping(format!("payload-{i}").as_bytes()))
        .collect();
    let pongs: Vec<Event> = (0..10)
        .map(|i| Event::pong(format!("payload-{i}")))
        .collect();
    d.push(def(
        "pingpong",
        "2.10",
        "10 pings with payloads",
        "RFC 6455 §5.5.2",
        R_PING,
        "10 pongs with the same payloads, in order",
        vec![Step::Frames(ten.clone())],
        echo_ok(pongs.clone()),
    ));
    d.push(def(
        "pingpong",
        "2.11",
        "10 pings with payloads, written one byte at a time",
        "RFC 6455 §5.5.2",
        R_PING,
        "10 pongs with the same payloads, in order",
        vec![Step::Chopped(ten, 1)],
        echo_ok(pongs),
    ));
}

fn category_3(d: &mut Vec<Def>) {
    let hello = b"Hello, world!".to_vec();
    let echo_then_fail = || {
        Expect::ok(vec![Event::text(b"Hello, world!")], CloseExpect::fail(1002)).non_strict(vec![])
    };
    d.push(def(
        "reserved",
        "3.1",
        "small text message with RSV = 1",
        "RFC 6455 §5.2",
        R_RSV,
        "the connection failed with 1002",
        vec![Step::Frames(vec![text(hello.clone()).rsv(1)])],
        must_fail(),
    ));
    let seq = |rsv: u8| {
        vec![
            text(hello.clone()),
            text(hello.clone()).rsv(rsv),
            f(opcode::PING, b"".to_vec()),
        ]
    };
    d.push(def(
        "reserved",
        "3.2",
        "text message, then text with RSV = 2, then ping",
        "RFC 6455 §5.2",
        R_RSV,
        "the first message echoed, then the connection failed with 1002 (no pong)",
        vec![Step::Frames(seq(2))],
        echo_then_fail(),
    ));
    d.push(def("reserved", "3.3", "text message, then text with RSV = 3, then ping, each written after the previous was answered", "RFC 6455 §5.2", R_RSV, "the first message echoed, then the connection failed with 1002 (no pong)", seq(3).into_iter().map(|fr| Step::Frames(vec![fr])).collect(), echo_then_fail()));
    d.push(def(
        "reserved",
        "3.4",
        "text message, then text with RSV = 4, then ping, written in chops of 1 byte",
        "RFC 6455 §5.2",
        R_RSV,
        "the first message echoed, then the connection failed with 1002 (no pong)",
        vec![Step::Chopped(seq(4), 1)],
        echo_then_fail(),
    ));
    d.push(def(
        "reserved",
        "3.5",
        "binary message with RSV = 5",
        "RFC 6455 §5.2",
        R_RSV,
        "the connection failed with 1002",
        vec![Step::Frames(vec![f(
            opcode::BINARY,
            vec![0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff],
        )
        .rsv(5)])],
        must_fail(),
    ));
    d.push(def(
        "reserved",
        "3.6",
        "binary message with RSV = 6",
        "RFC 6455 §5.2",
        R_RSV,
        "the connection failed with 1002",
        vec![Step::Frames(vec![f(opcode::BINARY, hello.clone()).rsv(6)])],
        must_fail(),
    ));
    d.push(def(
        "reserved",
        "3.7",
        "close with RSV = 7",
        "RFC 6455 §5.2",
        R_RSV,
        "the connection failed with 1002",
        vec![Step::Frames(vec![f(opcode::CLOSE, vec![]).rsv(7)])],
        Expect::ok(vec![], CloseExpect::fail(1002)),
    ));
}

fn category_4(d: &mut Vec<Def>) {
    for (sub, ops) in [(1, [3u8, 4, 5, 6, 7]), (2, [11, 12, 13, 14, 15])] {
        for (i, op) in ops.into_iter().enumerate() {
            let ab = format!("4.{sub}.{}", i + 1);
            let kind = if sub == 1 { "non-control" } else { "control" };
            let (title, steps, expect) = match i {
                0 => (format!("frame with reserved {kind} opcode {op}"), vec![Step::Frames(vec![f(op, b"".to_vec())])], must_fail()),
                1 => (format!("frame with reserved {kind} opcode {op} and a payload"), vec![Step::Frames(vec![f(op, b"reserved opcode payload".to_vec())])], must_fail()),
                2 => (
                    format!("text message, then a frame with reserved {kind} opcode {op}, then ping"),
                    vec![Step::Frames(vec![text(b"Hello, world!".to_vec()), f(op, b"".to_vec()), f(opcode::PING, b"".to_vec())])],
                    Expect::ok(vec![Event::text(b"Hello, world!")], CloseExpect::fail(1002)).non_strict(vec![]),
                ),
                3 => (
                    format!("text message, then a frame with reserved {kind} opcode {op} and a payload, then ping"),
                    vec![Step::Frames(vec![text(b"Hello, world!".to_vec()), f(op, b"Hello, world!".to_vec()), f(opcode::PING, b"".to_vec())])],
                    Expect::ok(vec![Event::text(b"Hello, world!")], CloseExpect::fail(1002)).non_strict(vec![]),
                ),
                _ => (
                    format!("text message, then a frame with reserved {kind} opcode {op} and a payload, then ping, written in chops of 1 byte"),
                    vec![Step::Chopped(vec![text(b"Hello, world!".to_vec()), f(op, b"Hello, world!".to_vec()), f(opcode::PING, b"".to_vec())], 1)],
                    Expect::ok(vec![Event::text(b"Hello, world!")], CloseExpect::fail(1002)).non_strict(vec![]),
                ),
            };
            d.push(def(
                "opcodes",
                &ab,
                &title,
                "RFC 6455 §5.2",
                R_OPCODE,
                "the connection failed with 1002 (after the echo of a preceding message)",
                steps,
                expect,
            ));
        }
    }
}

fn category_5(d: &mut Vec<Def>) {
    let fr = |s: &str| s.as_bytes().to_vec();
    d.push(def(
        "fragmentation",
        "5.1",
        "ping fragmented into 2 frames",
        "RFC 6455 §5.5",
        R_CONTROL,
        "the connection failed with 1002",
        vec![Step::Frames(vec![
            frag(opcode::PING, fr("fragment1")),
            f(opcode::CONTINUATION, fr("fragment2")),
        ])],
        must_fail(),
    ));
    d.push(def(
        "fragmentation",
        "5.2",
        "pong fragmented into 2 frames",
        "RFC 6455 §5.5",
        R_CONTROL,
        "the connection failed with 1002",
        vec![Step::Frames(vec![
            frag(opcode::PONG, fr("fragment1")),
            f(opcode::CONTINUATION, fr("fragment2")),
        ])],
        must_fail(),
    ));
    let two = || {
        vec![
            frag(opcode::TEXT, fr("fragment1")),
            f(opcode::CONTINUATION, fr("fragment2")),
        ]
    };
    let joined = || echo_ok(vec![Event::text("fragment1fragment2")]);
    d.push(def(
        "fragmentation",
        "5.3",
        "text message in 2 fragments",
        "RFC 6455 §5.4",
        R_FRAGMENT,
        "the whole message echoed",
        vec![Step::Frames(two())],
        joined(),
    ));
    d.push(def(
        "fragmentation",
        "5.4",
        "text message in 2 fragments, each frame written after the previous",
        "RFC 6455 §5.4",
        R_FRAGMENT,
        "the whole message echoed",
        two().into_iter().map(|x| Step::Frames(vec![x])).collect(),
        joined(),
    ));
    d.push(def(
        "fragmentation",
        "5.5",
        "text message in 2 fragments, written one byte at a time",
        "RFC 6455 §5.4",
        R_FRAGMENT,
        "the whole message echoed",
        vec![Step::Chopped(two(), 1)],
        joined(),
    ));
    let with_ping = || {
        vec![
            frag(opcode::TEXT, fr("fragment1")),
            f(opcode::PING, fr("ping payload")),
            f(opcode::CONTINUATION, fr("fragment2")),
        ]
    };
    let pong_then = || {
        echo_ok(vec![
            Event::pong("ping payload"),
            Event::text("fragment1fragment2"),
        ])
    };
    d.push(def(
        "fragmentation",
        "5.6",
        "text message in 2 fragments with a ping between them",
        "RFC 6455 §5.4",
        R_FRAGMENT_CONTROL,
        "the pong, then the whole message echoed",
        vec![Step::Frames(with_ping())],
        pong_then(),
    ));
    d.push(def("fragmentation", "5.7", "text message in 2 fragments with a ping between them, each frame written after the previous", "RFC 6455 §5.4", R_FRAGMENT_CONTROL, "the pong, then the whole message echoed", with_ping().into_iter().map(|x| Step::Frames(vec![x])).collect(), pong_then()));
    d.push(def(
        "fragmentation",
        "5.8",
        "text message in 2 fragments with a ping between them, written one byte at a time",
        "RFC 6455 §5.4",
        R_FRAGMENT_CONTROL,
        "the pong, then the whole message echoed",
        vec![Step::Chopped(with_ping(), 1)],
        pong_then(),
    ));
    let orphan = |fin: bool| {
        vec![
            Frame::new(opcode::CONTINUATION, fr("non-continuation payload")).fin(fin),
            text(fr("Hello, world!")),
        ]
    };
    for (ab, fin, how) in [
        ("5.9", true, 0),
        ("5.10", true, 1),
        ("5.11", true, 2),
        ("5.12", false, 0),
        ("5.13", false, 1),
        ("5.14", false, 2),
    ] {
        let (steps, suffix) = match how {
            0 => (vec![Step::Frames(orphan(fin))], ""),
            1 => (
                orphan(fin)
                    .into_iter()
                    .map(|x| Step::Frames(vec![x]))
                    .collect(),
                ", each frame written after the previous",
            ),
            _ => (
                vec![Step::Chopped(orphan(fin), 1)],
                ", written one byte at a time",
            ),
        };
        let title = format!(
            "continuation frame with FIN = {} and nothing to continue, then a text message{suffix}",
            fin as u8
        );
        d.push(def(
            "fragmentation",
            ab,
            &title,
            "RFC 6455 §5.4",
            R_FRAGMENT,
            "the connection failed with 1002",
            steps,
            must_fail(),
        ));
    }
    d.push(def(
        "fragmentation",
        "5.15",
        "text message in 2 fragments, then a continuation with FIN = 0 and nothing to continue, then a text message",
        "RFC 6455 §5.4",
        R_FRAGMENT,
        "the first message echoed, then the connection failed with 1002",
        vec![Step::Frames(vec![frag(opcode::TEXT, fr("fragment1")), f(opcode::CONTINUATION, fr("fragment2")), frag(opcode::CONTINUATION, fr("fragment3")), text(fr("fragment4"))])],
        Expect::ok(vec![Event::text("fragment1fragment2")], CloseExpect::fail(1002)).non_strict(vec![]),
    ));
    let twice = |first_fin: bool| {
        let mut v = Vec::new();
        for _ in 0..2 {
            v.push(Frame::new(opcode::CONTINUATION, fr("fragment1")).fin(first_fin));
            v.push(frag(opcode::TEXT, fr("fragment2")));
            v.push(f(opcode::CONTINUATION, fr("fragment3")));
        }
        v
    };
    d.push(def(
        "fragmentation",
        "5.16",
        "twice: continuation (FIN = 0), text (FIN = 0), continuation (FIN = 1)",
        "RFC 6455 §5.4",
        R_FRAGMENT,
        "the connection failed with 1002",
        vec![Step::Frames(twice(false))],
        must_fail(),
    ));
    d.push(def(
        "fragmentation",
        "5.17",
        "twice: continuation (FIN = 1), text (FIN = 0), continuation (FIN = 1)",
        "RFC 6455 §5.4",
        R_FRAGMENT,
        "the connection failed with 1002",
        vec![Step::Frames(twice(true))],
        must_fail(),
    ));
    d.push(def(
        "fragmentation",
        "5.18",
        "text message in 2 fragments, both with the text opcode",
        "RFC 6455 §5.4",
        R_INTERLEAVE,
        "the connection failed with 1002",
        vec![Step::Frames(vec![
            frag(opcode::TEXT, fr("fragment1")),
            text(fr("fragment2")),
        ])],
        must_fail(),
    ));
    // 5.19/5.20: Autobahn waits 1 s after the first ping so the pong comes
    // before the rest of the message; waiting for that pong does the same.
    let five: Vec<Vec<u8>> = (1..=5).map(|i| fr(&format!("fragment{i}"))).collect();
    let steps = |chop: Option<usize>| {
        let send = |frames: Vec<Frame>| match chop {
            Some(c) => Step::Chopped(frames, c),
            None => Step::Frames(frames),
        };
        vec![
            send(vec![
                frag(opcode::TEXT, five[0].clone()),
                frag(opcode::CONTINUATION, five[1].clone()),
            ]),
            Step::Sync(fr("pongme 1!")),
            send(vec![
                frag(opcode::CONTINUATION, five[2].clone()),
                frag(opcode::CONTINUATION, five[3].clone()),
            ]),
            Step::Sync(fr("pongme 2!")),
            send(vec![f(opcode::CONTINUATION, five[4].clone())]),
        ]
    };
    let expect = || {
        echo_ok(vec![
            Event::pong("pongme 1!"),
            Event::pong("pongme 2!"),
            Event::text(five.concat()),
        ])
    };
    d.push(def("fragmentation", "5.19", "text message in 5 fragments with 2 pings between them, the first answered before the rest is sent", "RFC 6455 §5.4", R_FRAGMENT_CONTROL, "both pongs, then the whole message echoed", steps(None), expect()));
    d.push(def(
        "fragmentation",
        "5.20",
        "as 5.19, every frame written one byte at a time",
        "RFC 6455 §5.4",
        R_FRAGMENT_CONTROL,
        "both pongs, then the whole message echoed",
        steps(Some(1)),
        expect(),
    ));
}

fn close_expect(by: Closer, codes: &[u16], clean: bool) -> CloseExpect {
    CloseExpect {
        by,
        codes: codes.to_vec(),
        require_clean: clean,
        wrong_code_fails: true,
        code_required: false,
    }
}

fn category_7(d: &mut Vec<Def>) {
    let fr = |s: &str| s.as_bytes().to_vec();
    let normal = || close_expect(Closer::Suite, &[1000], true);
    let close = |code: u16, reason: &[u8]| Step::Close(Frame::close(Some(code), reason));
    d.push(def(
        "close",
        "7.1.1",
        "text message, then the close handshake",
        "RFC 6455 §5.5.1",
        R_CLOSE_REPLY,
        "the message echoed, then a clean close with 1000",
        vec![Step::Frames(vec![text(fr("Hello World!"))])],
        Expect::ok(vec![Event::text("Hello World!")], normal()),
    ));
    d.push(def(
        "close",
        "7.1.2",
        "two close frames",
        "RFC 6455 §1.4",
        R_DISCARD,
        "a clean close with 1000; the second close ignored",
        vec![
            close(1000, b""),
            Step::Frames(vec![f(opcode::CLOSE, vec![])]),
        ],
        Expect::ok(vec![], normal()),
    ));
    d.push(def(
        "close",
        "7.1.3",
        "close, then a ping",
        "RFC 6455 §1.4",
        R_DISCARD,
        "a clean close with 1000; no pong",
        vec![
            close(1000, b""),
            Step::Frames(vec![f(opcode::PING, vec![])]),
        ],
        Expect::ok(vec![], normal()),
    ));
    d.push(def(
        "close",
        "7.1.4",
        "close, then a text message",
        "RFC 6455 §1.4",
        R_DISCARD,
        "a clean close with 1000; no echo",
        vec![
            close(1000, b""),
            Step::Frames(vec![text(fr("Hello World!"))]),
        ],
        Expect::ok(vec![], normal()),
    ));
    d.push(def(
        "close",
        "7.1.5",
        "first fragment of a message, close, then the last fragment",
        "RFC 6455 §1.4",
        R_DISCARD,
        "a clean close with 1000; no echo",
        vec![
            Step::Frames(vec![frag(opcode::TEXT, fr("fragment1"))]),
            close(1000, b""),
            Step::Frames(vec![f(opcode::CONTINUATION, fr("fragment2"))]),
        ],
        Expect::ok(vec![], normal()),
    ));
    let big = fr("BAsd7&jh23").repeat(256 * 1024 / 10 + 1)[..256 * 1024].to_vec();
    d.push(def(
        "close",
        "7.1.6",
        "256 KiB text message, a small one, close and ping back to back",
        "RFC 6455 §1.4",
        R_DISCARD,
        "implementation-defined: the messages may or may not come back before the close",
        vec![
            Step::Frames(vec![text(big), text(fr("Hello World!"))]),
            close(1000, b""),
            Step::Frames(vec![f(opcode::PING, vec![])]),
        ],
        Expect::ok(vec![Event::text("Hello World!")], normal())
            .non_strict(vec![])
            .informational(),
    ));
    d.push(def(
        "close",
        "7.3.1",
        "close frame with an empty payload",
        "RFC 6455 §5.5.1",
        R_CLOSE_REPLY,
        "a clean close with 1000 (or no code)",
        vec![Step::Close(f(opcode::CLOSE, vec![]))],
        Expect::ok(vec![], normal()),
    ));
    d.push(def(
        "close",
        "7.3.2",
        "close frame with a 1-byte payload",
        "RFC 6455 §5.5.1",
        R_CLOSE_BODY,
        "a close with 1002, or TCP dropped",
        vec![Step::Close(f(opcode::CLOSE, b"a".to_vec()))],
        Expect::ok(vec![], close_expect(Closer::Suite, &[1002], false)),
    ));
    d.push(def(
        "close",
        "7.3.3",
        "close frame with a code only",
        "RFC 6455 §5.5.1",
        R_CLOSE_REPLY,
        "a clean close with 1000",
        vec![close(1000, b"")],
        Expect::ok(vec![], normal()),
    ));
    d.push(def(
        "close",
        "7.3.4",
        "close frame with a code and a reason",
        "RFC 6455 §5.5.1",
        R_CLOSE_REASON,
        "a clean close with 1000",
        vec![close(1000, b"Hello World!")],
        Expect::ok(vec![], normal()),
    ));
    d.push(def(
        "close",
        "7.3.5",
        "close frame with a 123-byte reason (125-byte payload)",
        "RFC 6455 §5.5",
        R_CONTROL,
        "a clean close with 1000",
        vec![close(1000, &[b'*'; 123])],
        Expect::ok(vec![], normal()),
    ));
    d.push(def(
        "close",
        "7.3.6",
        "close frame with a 124-byte reason (126-byte payload)",
        "RFC 6455 §5.5",
        R_CONTROL,
        "a close with 1002, or TCP dropped",
        vec![close(1000, &[b'*'; 124])],
        Expect::ok(vec![], close_expect(Closer::Suite, &[1002], false)),
    ));
    let bad_utf8 =
        b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64";
    d.push(def(
        "close",
        "7.5.1",
        "close frame whose reason is not valid UTF-8",
        "RFC 6455 §5.5.1",
        R_CLOSE_REASON,
        "a close with 1002 or 1007, or TCP dropped",
        vec![close(1000, bad_utf8)],
        Expect::ok(vec![], close_expect(Closer::Suite, &[1002, 1007], false)),
    ));
    for (i, code) in [
        1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
    ]
    .into_iter()
    .enumerate()
    {
        d.push(def(
            "close",
            &format!("7.7.{}", i + 1),
            &format!("close with the valid code {code}"),
            "RFC 6455 §7.4",
            R_CODES_VALID,
            "a clean close with 1000 or the code echoed",
            vec![close(code, b"")],
            Expect::ok(vec![], close_expect(Closer::Suite, &[1000, code], true)),
        ));
    }
    for (i, code) in [0u16, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999]
        .into_iter()
        .enumerate()
    {
        d.push(def(
            "close",
            &format!("7.9.{}", i + 1),
            &format!("close with the invalid code {code}"),
            "RFC 6455 §7.4",
            R_CODES_INVALID,
            "a close with 1002, or TCP dropped",
            vec![close(code, b"")],
            Expect::ok(vec![], close_expect(Closer::Suite, &[1002], false)),
        ));
    }
    for (i, code) in [5000u16, 65535].into_iter().enumerate() {
        d.push(def(
            "close",
            &format!("7.13.{}", i + 1),
            &format!("close with the undefined code {code}"),
            "RFC 6455 §7.4",
            R_CODES_VALID,
            "undefined by the RFC: reported",
            vec![close(code, b"")],
            Expect::ok(
                vec![],
                close_expect(Closer::Suite, &[1000, code, 1002], false),
            )
            .informational(),
        ));
    }
}

/// A limits case whose frames are built when it runs.
fn lazy(
    ab: &str,
    title: String,
    expects: &str,
    build: impl Fn() -> Script + Send + Sync + 'static,
) -> Def {
    Def {
        id: format!("framing.limits.{}", ab.replace('.', "_")),
        autobahn: Some(ab.to_string()),
        sends: title.clone(),
        title,
        section: "RFC 6455 §10.4",
        requirement: R_LIMITS,
        expects: expects.to_string(),
        // Autobahn allows 10 to 100 s for these.
        min_timeout: Some(Duration::from_secs(60)),
        origin: ORIGIN,
        script: Source::Lazy(Arc::new(build)),
    }
}

/// Autobahn's filler for a message: `BAsd7&jh23` or `*` for text, 0xfe for binary.
fn filler(op: u8, text: Pattern) -> Pattern {
    if op == opcode::TEXT {
        text
    } else {
        Pattern::Binary
    }
}

/// A limits case sending one message of shared bytes and expecting it back.
fn stream_echo(op: u8, payload: &'static [u8], fragment: usize, chop: Option<usize>) -> Script {
    Script {
        steps: vec![Step::Stream {
            opcode: op,
            payload,
            fragment,
            chop,
        }],
        expect: echo_ok(vec![Event::shared(op == opcode::BINARY, payload)]).limits(),
    }
}

fn category_9(d: &mut Vec<Def>) {
    let sizes = [
        (64 << 10, "64 KiB"),
        (256 << 10, "256 KiB"),
        (1 << 20, "1 MiB"),
        (4 << 20, "4 MiB"),
        (8 << 20, "8 MiB"),
        (16 << 20, "16 MiB"),
    ];
    for (sub, op, name) in [(1, opcode::TEXT, "text"), (2, opcode::BINARY, "binary")] {
        for (i, (len, label)) in sizes.into_iter().enumerate() {
            d.push(lazy(
                &format!("9.{sub}.{}", i + 1),
                format!("{name} message of {label}"),
                "the message echoed",
                move || {
                    let payload = pattern(filler(op, Pattern::Text), len);
                    stream_echo(op, payload, len, None)
                },
            ));
        }
    }
    let frags = [
        64usize,
        256,
        1 << 10,
        4 << 10,
        16 << 10,
        64 << 10,
        256 << 10,
        1 << 20,
        4 << 20,
    ];
    for (sub, op, name) in [(3, opcode::TEXT, "text"), (4, opcode::BINARY, "binary")] {
        for (i, size) in frags.into_iter().enumerate() {
            d.push(lazy(
                &format!("9.{sub}.{}", i + 1),
                format!("4 MiB {name} message in fragments of {size} bytes"),
                "the message echoed",
                move || {
                    let payload = pattern(filler(op, Pattern::Star), 4 << 20);
                    stream_echo(op, payload, size, None)
                },
            ));
        }
    }
    for (sub, op, name) in [(5, opcode::TEXT, "text"), (6, opcode::BINARY, "binary")] {
        for (i, chop) in [64usize, 128, 256, 512, 1024, 2048].into_iter().enumerate() {
            d.push(lazy(
                &format!("9.{sub}.{}", i + 1),
                format!("1 MiB {name} message written in chops of {chop} bytes"),
                "the message echoed",
                move || {
                    let payload = pattern(filler(op, Pattern::Text), 1 << 20);
                    stream_echo(op, payload, 1 << 20, Some(chop))
                },
            ));
        }
    }
    for (sub, op, name) in [(7, opcode::TEXT, "text"), (8, opcode::BINARY, "binary")] {
        for (i, len) in [0usize, 16, 64, 256, 1024, 4096].into_iter().enumerate() {
            d.push(lazy(
                &format!("9.{sub}.{}", i + 1),
                format!("1000 {name} messages of {len} bytes, each sent after the previous echo"),
                "1000 echoes",
                move || {
                    let payload = pattern(filler(op, Pattern::Star), len);
                    let events = vec![Event::shared(op == opcode::BINARY, payload); 1000];
                    Script {
                        steps: vec![Step::PingPong {
                            opcode: op,
                            len,
                            count: 1000,
                        }],
                        expect: echo_ok(events).limits(),
                    }
                },
            ));
        }
    }
}

fn category_10(d: &mut Vec<Def>) {
    let payload = vec![b'*'; 65536];
    let frames: Vec<Frame> = payload
        .chunks(1300)
        .enumerate()
        .map(|(k, c)| {
            Frame::new(
                if k == 0 {
                    opcode::TEXT
                } else {
                    opcode::CONTINUATION
                },
                c.to_vec(),
            )
            .fin((k + 1) * 1300 >= payload.len())
        })
        .collect();
    d.push(def(
        "autofrag",
        "10.1.1",
        "64 KiB text message sent in fragments of 1300 bytes",
        "RFC 6455 §5.4",
        R_FRAGMENT_SEND,
        "the whole message echoed (in any fragmentation)",
        vec![Step::Frames(frames)],
        echo_ok(vec![Event::text(payload)]),
    ));
}
