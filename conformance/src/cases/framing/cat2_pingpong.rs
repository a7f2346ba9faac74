//! Autobahn category 2, "Pings/Pongs" (`case/case2_*.py`): pings answered
//! with identical payloads, unsolicited pongs ignored.

use super::engine::{Event, Expect, Step};
use super::{echo_ok, f, must_fail, script};
use crate::case::{case, Case};
use crate::rule::Rule;
use crate::wire::frame::{opcode, Frame};

const PING: Rule = Rule::new(
    "RFC 6455",
    "5.5.2",
    "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless it already \
received a Close frame. [...] A Pong frame sent in response to a Ping frame must have identical \"Application data\" as \
found in the message body of the Ping frame being replied to.",
);

const PONG_UNSOLICITED: Rule = Rule::new(
    "RFC 6455",
    "5.5.3",
    "A Pong frame MAY be sent unsolicited.  This serves as a unidirectional heartbeat.  A \
response to an unsolicited Pong frame is not expected.",
);

/// Also cited by categories 5 and 7 and by `extra`.
pub(super) const CONTROL: Rule = Rule::new(
    "RFC 6455",
    "5.5",
    "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented.",
);

fn ping(payload: &[u8]) -> Frame {
    f(opcode::PING, payload)
}

/// A pong with this payload, then a clean close.
fn pong(payload: &[u8]) -> Expect {
    echo_ok(vec![Event::pong(payload)])
}

const BINARY: [u8; 8] = [0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff];

/// 2.10, 2.11: ten pings with payloads `payload-0` to `payload-9`.
fn ten_pings() -> Vec<Frame> {
    (0..10)
        .map(|i| ping(format!("payload-{i}").as_bytes()))
        .collect()
}

fn ten_pongs() -> Expect {
    echo_ok(
        (0..10)
            .map(|i| Event::pong(format!("payload-{i}")))
            .collect(),
    )
}

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "framing.pingpong.2_1".into(),
            autobahn: Some("2.1"),
            title: "ping without payload".into(),
            rule: PING,
            sends: "ping without payload".into(),
            expects: "a pong without payload".into(),
            run: script(vec![Step::Frames(vec![ping(b"")])], pong(b"")),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.pingpong.2_2".into(),
            autobahn: Some("2.2"),
            title: "ping with a small text payload".into(),
            rule: PING,
            sends: "ping with a small text payload".into(),
            expects: "a pong with the same payload".into(),
            run: script(
                vec![Step::Frames(vec![ping(b"Hello, world!")])],
                pong(b"Hello, world!"),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.pingpong.2_3".into(),
            autobahn: Some("2.3"),
            title: "ping with a small binary payload".into(),
            rule: PING,
            sends: "ping with a small binary payload".into(),
            expects: "a pong with the same payload".into(),
            run: script(vec![Step::Frames(vec![ping(&BINARY)])], pong(&BINARY)),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.pingpong.2_4".into(),
            autobahn: Some("2.4"),
            title: "ping with a 125-byte binary payload".into(),
            rule: PING,
            sends: "ping with a 125-byte binary payload".into(),
            expects: "a pong with the same payload".into(),
            run: script(
                vec![Step::Frames(vec![ping(&[0xfe; 125])])],
                pong(&[0xfe; 125]),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.pingpong.2_5".into(),
            autobahn: Some("2.5"),
            title: "ping with a 126-byte payload (over the control-frame limit)".into(),
            rule: CONTROL,
            sends: "ping with a 126-byte payload (over the control-frame limit)".into(),
            expects: "the connection failed with 1002".into(),
            run: script(vec![Step::Frames(vec![ping(&[0xfe; 126])])], must_fail()),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.pingpong.2_6".into(),
            autobahn: Some("2.6"),
            title: "ping with a 125-byte payload written one byte at a time".into(),
            rule: PING,
            sends: "ping with a 125-byte payload written one byte at a time".into(),
            expects: "a pong with the same payload".into(),
            run: script(
                vec![Step::Chopped(vec![ping(&[0xfe; 125])], 1)],
                pong(&[0xfe; 125]),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.pingpong.2_7".into(),
            autobahn: Some("2.7"),
            title: "unsolicited pong without payload".into(),
            rule: PONG_UNSOLICITED,
            sends: "unsolicited pong without payload".into(),
            expects: "nothing, then a clean close".into(),
            run: script(
                vec![Step::Frames(vec![f(opcode::PONG, b"")])],
                echo_ok(vec![]),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.pingpong.2_8".into(),
            autobahn: Some("2.8"),
            title: "unsolicited pong with payload".into(),
            rule: PONG_UNSOLICITED,
            sends: "unsolicited pong with payload".into(),
            expects: "nothing, then a clean close".into(),
            run: script(
                vec![Step::Frames(vec![f(
                    opcode::PONG,
                    b"unsolicited pong payload",
                )])],
                echo_ok(vec![]),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.pingpong.2_9".into(),
            autobahn: Some("2.9"),
            title: "unsolicited pong, then a ping".into(),
            rule: PONG_UNSOLICITED,
            sends: "unsolicited pong, then a ping".into(),
            expects: "a pong for the ping only".into(),
            run: script(
                vec![Step::Frames(vec![
                    f(opcode::PONG, b"unsolicited pong payload"),
                    ping(b"ping payload"),
                ])],
                pong(b"ping payload"),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.pingpong.2_10".into(),
            autobahn: Some("2.10"),
            title: "10 pings with payloads".into(),
            rule: PING,
            sends: "10 pings with payloads".into(),
            expects: "10 pongs with the same payloads, in order".into(),
            run: script(vec![Step::Frames(ten_pings())], ten_pongs()),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.pingpong.2_11".into(),
            autobahn: Some("2.11"),
            title: "10 pings with payloads, written one byte at a time".into(),
            rule: PING,
            sends: "10 pings with payloads, written one byte at a time".into(),
            expects: "10 pongs with the same payloads, in order".into(),
            run: script(vec![Step::Chopped(ten_pings(), 1)], ten_pongs()),
            ..Case::BASE
        }),
    ]
}
