//! Autobahn category 4, "Opcodes" (`case/case4_*.py`): frames with the
//! reserved non-control (3–7) and control (11–15) opcodes.

use super::engine::{CloseExpect, Event, Expect, Step};
use super::{f, must_fail, script, text};
use crate::case::{case, Case, Run};
use crate::rule::Rule;
use crate::wire::frame::opcode;

/// Also cited by `extra`.
pub(super) const OPCODE: Rule = Rule::new(
    "RFC 6455",
    "5.2",
    "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_.",
);

const EXPECTS: &str = "the connection failed with 1002 (after the echo of a preceding message)";
const HELLO: &[u8] = b"Hello, world!";

/// A frame with this opcode and payload alone.
fn alone(op: u8, payload: &[u8]) -> Run {
    script(vec![Step::Frames(vec![f(op, payload)])], must_fail())
}

/// A text message, a frame with this opcode and payload, then a ping; in
/// one write each, or as one stream in writes of `chop` bytes.
fn after_text(op: u8, payload: &[u8], chop: Option<usize>) -> Run {
    let frames = vec![text(HELLO), f(op, payload), f(opcode::PING, b"")];
    let steps = match chop {
        Some(chop) => vec![Step::Chopped(frames, chop)],
        None => vec![Step::Frames(frames)],
    };
    script(
        steps,
        Expect::ok(vec![Event::text(HELLO)], CloseExpect::fail(1002)).non_strict(vec![]),
    )
}

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "framing.opcodes.4_1_1".into(),
            autobahn: Some("4.1.1"),
            title: "frame with reserved non-control opcode 3".into(),
            rule: OPCODE,
            sends: "frame with reserved non-control opcode 3".into(),
            expects: EXPECTS.into(),
            run: alone(3, b""),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.opcodes.4_1_2".into(),
            autobahn: Some("4.1.2"),
            title: "frame with reserved non-control opcode 4 and a payload".into(),
            rule: OPCODE,
            sends: "frame with reserved non-control opcode 4 and a payload".into(),
            expects: EXPECTS.into(),
            run: alone(4, b"reserved opcode payload"),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.opcodes.4_1_3".into(),
            autobahn: Some("4.1.3"),
            title: "text message, then a frame with reserved non-control opcode 5, then ping".into(),
            rule: OPCODE,
            sends: "text message, then a frame with reserved non-control opcode 5, then ping".into(),
            expects: EXPECTS.into(),
            run: after_text(5, b"", None),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.opcodes.4_1_4".into(),
            autobahn: Some("4.1.4"),
            title: "text message, then a frame with reserved non-control opcode 6 and a payload, then ping".into(),
            rule: OPCODE,
            sends: "text message, then a frame with reserved non-control opcode 6 and a payload, then ping".into(),
            expects: EXPECTS.into(),
            run: after_text(6, HELLO, None),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.opcodes.4_1_5".into(),
            autobahn: Some("4.1.5"),
            title: "text message, then a frame with reserved non-control opcode 7 and a payload, then ping, written in chops of 1 byte".into(),
            rule: OPCODE,
            sends: "text message, then a frame with reserved non-control opcode 7 and a payload, then ping, written in chops of 1 byte".into(),
            expects: EXPECTS.into(),
            run: after_text(7, HELLO, Some(1)),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.opcodes.4_2_1".into(),
            autobahn: Some("4.2.1"),
            title: "frame with reserved control opcode 11".into(),
            rule: OPCODE,
            sends: "frame with reserved control opcode 11".into(),
            expects: EXPECTS.into(),
            run: alone(11, b""),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.opcodes.4_2_2".into(),
            autobahn: Some("4.2.2"),
            title: "frame with reserved control opcode 12 and a payload".into(),
            rule: OPCODE,
            sends: "frame with reserved control opcode 12 and a payload".into(),
            expects: EXPECTS.into(),
            run: alone(12, b"reserved opcode payload"),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.opcodes.4_2_3".into(),
            autobahn: Some("4.2.3"),
            title: "text message, then a frame with reserved control opcode 13, then ping".into(),
            rule: OPCODE,
            sends: "text message, then a frame with reserved control opcode 13, then ping".into(),
            expects: EXPECTS.into(),
            run: after_text(13, b"", None),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.opcodes.4_2_4".into(),
            autobahn: Some("4.2.4"),
            title: "text message, then a frame with reserved control opcode 14 and a payload, then ping".into(),
            rule: OPCODE,
            sends: "text message, then a frame with reserved control opcode 14 and a payload, then ping".into(),
            expects: EXPECTS.into(),
            run: after_text(14, HELLO, None),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.opcodes.4_2_5".into(),
            autobahn: Some("4.2.5"),
            title: "text message, then a frame with reserved control opcode 15 and a payload, then ping, written in chops of 1 byte".into(),
            rule: OPCODE,
            sends: "text message, then a frame with reserved control opcode 15 and a payload, then ping, written in chops of 1 byte".into(),
            expects: EXPECTS.into(),
            run: after_text(15, HELLO, Some(1)),
            ..Case::BASE
        }),
    ]
}
