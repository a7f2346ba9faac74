//! Autobahn category 3, "Reserved Bits" (`case/case3_*.py`): RSV bits set
//! without a negotiated extension.

use super::engine::{CloseExpect, Event, Expect, Step};
use super::{f, must_fail, script, text};
use crate::case::{case, Case};
use crate::rule::Rule;
use crate::wire::frame::{opcode, Frame};

/// Also cited by `extra`.
pub(super) const RSV: Rule = Rule::new(
    "RFC 6455",
    "5.2",
    "RSV1, RSV2, RSV3:  1 bit each  MUST be 0 unless an extension is negotiated that defines meanings \
for non-zero values.  If a nonzero value is received and none of the negotiated extensions defines the meaning of such a \
nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_.",
);

const HELLO: &[u8] = b"Hello, world!";

/// 3.2–3.4: a text message, the same with these RSV bits, then a ping.
fn text_rsv_ping(rsv: u8) -> Vec<Frame> {
    vec![text(HELLO), text(HELLO).rsv(rsv), f(opcode::PING, b"")]
}

/// The first message echoed, then the connection failed with 1002; failing
/// before the echo is NON-STRICT.
fn echo_then_fail() -> Expect {
    Expect::ok(vec![Event::text(HELLO)], CloseExpect::fail(1002)).non_strict(vec![])
}

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "framing.reserved.3_1".into(),
            autobahn: Some("3.1"),
            title: "small text message with RSV = 1".into(),
            rule: RSV,
            sends: "small text message with RSV = 1".into(),
            expects: "the connection failed with 1002".into(),
            run: script(vec![Step::Frames(vec![text(HELLO).rsv(1)])], must_fail()),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.reserved.3_2".into(),
            autobahn: Some("3.2"),
            title: "text message, then text with RSV = 2, then ping".into(),
            rule: RSV,
            sends: "text message, then text with RSV = 2, then ping".into(),
            expects: "the first message echoed, then the connection failed with 1002 (no pong)".into(),
            run: script(vec![Step::Frames(text_rsv_ping(2))], echo_then_fail()),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.reserved.3_3".into(),
            autobahn: Some("3.3"),
            title: "text message, then text with RSV = 3, then ping, each written after the previous was answered".into(),
            rule: RSV,
            sends: "text message, then text with RSV = 3, then ping, each written after the previous was answered".into(),
            expects: "the first message echoed, then the connection failed with 1002 (no pong)".into(),
            run: script(
                text_rsv_ping(3).into_iter().map(|fr| Step::Frames(vec![fr])).collect(),
                echo_then_fail(),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.reserved.3_4".into(),
            autobahn: Some("3.4"),
            title: "text message, then text with RSV = 4, then ping, written in chops of 1 byte".into(),
            rule: RSV,
            sends: "text message, then text with RSV = 4, then ping, written in chops of 1 byte".into(),
            expects: "the first message echoed, then the connection failed with 1002 (no pong)".into(),
            run: script(vec![Step::Chopped(text_rsv_ping(4), 1)], echo_then_fail()),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.reserved.3_5".into(),
            autobahn: Some("3.5"),
            title: "binary message with RSV = 5".into(),
            rule: RSV,
            sends: "binary message with RSV = 5".into(),
            expects: "the connection failed with 1002".into(),
            run: script(
                vec![Step::Frames(vec![f(
                    opcode::BINARY,
                    [0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff],
                )
                .rsv(5)])],
                must_fail(),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.reserved.3_6".into(),
            autobahn: Some("3.6"),
            title: "binary message with RSV = 6".into(),
            rule: RSV,
            sends: "binary message with RSV = 6".into(),
            expects: "the connection failed with 1002".into(),
            run: script(
                vec![Step::Frames(vec![f(opcode::BINARY, HELLO).rsv(6)])],
                must_fail(),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.reserved.3_7".into(),
            autobahn: Some("3.7"),
            title: "close with RSV = 7".into(),
            rule: RSV,
            sends: "close with RSV = 7".into(),
            expects: "the connection failed with 1002".into(),
            run: script(
                vec![Step::Frames(vec![f(opcode::CLOSE, b"").rsv(7)])],
                must_fail(),
            ),
            ..Case::BASE
        }),
    ]
}
