//! Framing requirements Autobahn does not test. Autobahn's client always masks
//! correctly and never sends certain malformed shapes; these cases do.

use super::cat2_pingpong::CONTROL;
use super::cat3_reserved::RSV;
use super::cat4_opcodes::OPCODE;
use super::cat7_close::CLOSE_BODY;
use super::engine::{CloseExpect, Event, Expect, Step};
use super::script;
use crate::case::{case, Case};
use crate::rule::Rule;
use crate::verdict::Closer;
use crate::wire::frame::{opcode, Frame};

const UNMASKED: Rule = Rule::new(
    "RFC 6455",
    "5.1",
    "The server MUST close the connection upon receiving a frame that is not masked.  In this \
case, a server MAY send a Close frame with a status code of 1002 (protocol error) as defined in Section 7.4.1.",
);

const SERVER_MASK: Rule = Rule::new(
    "RFC 6455",
    "5.1",
    "A server MUST NOT mask any frames that it sends to the client.  A client MUST close a \
connection if it detects a masked frame.",
);

const LENGTH_MSB: Rule = Rule::new(
    "RFC 6455",
    "5.2",
    "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most \
significant bit MUST be 0) are the payload length.",
);

const CODE_1015: Rule = Rule::new(
    "RFC 6455",
    "7.4.1",
    "1015 is a reserved value and MUST NOT be set as a status code in a Close control frame by an \
endpoint.",
);

const MASK_KEY: Rule = Rule::new(
    "RFC 6455",
    "5.3",
    "The masking key is a 32-bit value chosen at random by the client. [...] The unpredictability \
of the masking key is essential to prevent authors of malicious applications from selecting the bytes that appear on \
the wire.",
);

const HELLO: &[u8] = b"Hello, world!";

/// Frames the engine sends as they are (it masks only frames without a key),
/// so an unmasked frame is written as raw bytes.
fn unmasked(frame: Frame) -> Step {
    Step::Raw(frame.encode())
}

/// Failing with 1002 is required; closing without a close frame is NON-STRICT.
fn fail_1002() -> CloseExpect {
    CloseExpect {
        code_required: true,
        ..CloseExpect::fail(1002)
    }
}

/// The suite closes; the target answers with 1002, cleanly or not.
fn suite_close_1002(code_required: bool) -> CloseExpect {
    CloseExpect {
        by: Closer::Suite,
        codes: vec![1002],
        require_clean: false,
        wrong_code_fails: true,
        code_required,
    }
}

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "framing.extra.unmasked-text".into(),
            title: "unmasked text frame from the client".into(),
            rule: UNMASKED,
            sends: "unmasked text frame from the client".into(),
            expects: "the connection failed (1002), no echo".into(),
            run: script(
                vec![unmasked(Frame::new(opcode::TEXT, HELLO))],
                Expect::ok(vec![], fail_1002()),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.extra.unmasked-binary".into(),
            title: "unmasked binary frame from the client".into(),
            rule: UNMASKED,
            sends: "unmasked binary frame from the client".into(),
            expects: "the connection failed (1002), no echo".into(),
            run: script(
                vec![unmasked(Frame::new(opcode::BINARY, [0xfe; 16]))],
                Expect::ok(vec![], fail_1002()),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.extra.unmasked-ping".into(),
            title: "unmasked ping from the client".into(),
            rule: UNMASKED,
            sends: "unmasked ping from the client".into(),
            expects: "the connection failed (1002), no pong".into(),
            run: script(
                vec![unmasked(Frame::new(opcode::PING, "ping"))],
                Expect::ok(vec![], fail_1002()),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.extra.unmasked-after-masked".into(),
            title: "a masked text message, then an unmasked one".into(),
            rule: UNMASKED,
            sends: "a masked text message, then an unmasked one".into(),
            expects: "the first message echoed, then the connection failed (1002)".into(),
            run: script(
                vec![
                    Step::Frames(vec![Frame::new(opcode::TEXT, HELLO)]),
                    unmasked(Frame::new(opcode::TEXT, HELLO)),
                ],
                // As Autobahn's 3.2: failing before echoing the valid message is NON-STRICT.
                Expect::ok(vec![Event::text(HELLO)], fail_1002()).non_strict(vec![]),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.extra.server-frames-unmasked".into(),
            title: "text and binary messages and a ping; every frame the server sends is checked for a mask".into(),
            rule: SERVER_MASK,
            sends: "text and binary messages and a ping; every frame the server sends is checked for a mask".into(),
            expects: "echoes and a pong, all unmasked, then a clean close".into(),
            run: script(
                vec![Step::Frames(vec![
                    Frame::new(opcode::TEXT, HELLO),
                    Frame::new(opcode::BINARY, [1, 2, 3]),
                    Frame::new(opcode::PING, "p"),
                ])],
                {
                    // The pong may overtake the echoes (RFC 6455 §5.5.2: "as soon as is practical").
                    let (t, b, p) = (Event::text(HELLO), Event::binary([1, 2, 3]), Event::pong("p"));
                    let mut e = Expect::ok(vec![t.clone(), b.clone(), p.clone()], CloseExpect::normal());
                    e.ok.push(vec![t.clone(), p.clone(), b.clone()]);
                    e.ok.push(vec![p, t, b]);
                    e
                },
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.extra.close-1-byte-payload".into(),
            title: "close frame with a 1-byte payload, answered as a protocol error".into(),
            rule: CLOSE_BODY,
            sends: "close frame with a 1-byte payload, answered as a protocol error".into(),
            expects: "a close frame with 1002 (Autobahn 7.3.2 also accepts no code or a dropped connection)".into(),
            run: script(
                vec![Step::Close(Frame::new(opcode::CLOSE, "a"))],
                Expect::ok(vec![], suite_close_1002(true)),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.extra.length-msb-set".into(),
            title: "frame whose 64-bit payload length has the most significant bit set".into(),
            rule: LENGTH_MSB,
            sends: "frame whose 64-bit payload length has the most significant bit set".into(),
            expects: "the connection failed (1002)".into(),
            run: script(
                vec![Step::Raw({
                    // 0x81 0xFF + 8-byte length 0x8000…0005 + mask + 5 bytes.
                    let mut b = vec![0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 5, 0x37, 0xfa, 0x21, 0x3d];
                    b.extend(b"Hello".iter().zip([0x37u8, 0xfa, 0x21, 0x3d, 0x37]).map(|(x, k)| x ^ k));
                    b
                })],
                Expect::ok(
                    vec![],
                    CloseExpect {
                        codes: vec![1002, 1009],
                        ..CloseExpect::fail(1002)
                    },
                ),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.extra.fragmented-close".into(),
            title: "close frame with FIN = 0, then a continuation".into(),
            rule: CONTROL,
            sends: "close frame with FIN = 0, then a continuation".into(),
            expects: "the connection failed (1002)".into(),
            run: script(
                vec![Step::Frames(vec![
                    Frame::close(Some(1000), b"").fin(false),
                    Frame::new(opcode::CONTINUATION, "x"),
                ])],
                Expect::ok(vec![], CloseExpect::fail(1002)),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.extra.close-code-1015".into(),
            title: "close with the reserved code 1015".into(),
            rule: CODE_1015,
            sends: "close with the reserved code 1015".into(),
            expects: "a close with 1002, or TCP dropped".into(),
            run: script(
                vec![Step::Close(Frame::close(Some(1015), b""))],
                Expect::ok(vec![], suite_close_1002(false)),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.extra.rsv1-on-continuation".into(),
            title: "text message in 2 fragments, the continuation with RSV1 set".into(),
            rule: RSV,
            sends: "text message in 2 fragments, the continuation with RSV1 set".into(),
            expects: "the connection failed (1002), no echo".into(),
            run: script(
                vec![Step::Frames(vec![
                    Frame::new(opcode::TEXT, "fragment1").fin(false),
                    Frame::new(opcode::CONTINUATION, "fragment2").rsv(0b100),
                ])],
                Expect::ok(vec![], CloseExpect::fail(1002)),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.extra.reserved-opcode-inside-message".into(),
            title: "first fragment of a text message, a frame with reserved opcode 3, then the last fragment".into(),
            rule: OPCODE,
            sends: "first fragment of a text message, a frame with reserved opcode 3, then the last fragment".into(),
            expects: "the connection failed (1002), no echo".into(),
            run: script(
                vec![Step::Frames(vec![
                    Frame::new(opcode::TEXT, "fragment1").fin(false),
                    Frame::new(3, "x"),
                    Frame::new(opcode::CONTINUATION, "fragment2"),
                ])],
                Expect::ok(vec![], CloseExpect::fail(1002)),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.extra.zero-mask-key".into(),
            title: "text message masked with the key 00 00 00 00 (a masked frame whose bytes look unmasked)".into(),
            rule: MASK_KEY,
            sends: "text message masked with the key 00 00 00 00 (a masked frame whose bytes look unmasked)".into(),
            expects: "the message echoed, then a clean close".into(),
            run: script(
                vec![Step::Frames(vec![Frame::new(opcode::TEXT, HELLO).masked([0, 0, 0, 0])])],
                Expect::ok(vec![Event::text(HELLO)], CloseExpect::normal()),
            ),
            ..Case::BASE
        }),
    ]
}
