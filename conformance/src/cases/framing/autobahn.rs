//! Cases equivalent to Autobahn's categories 7, 9 and 10: same frames, same
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
const R_CONTROL: &str = "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented.";
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

pub fn defs() -> Vec<Def> {
    let mut d = Vec::new();
    category_7(&mut d);
    category_9(&mut d);
    category_10(&mut d);
    d
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
