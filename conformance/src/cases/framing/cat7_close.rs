//! Autobahn category 7, "Close Handling" (`case/case7_*.py`): data after a
//! close, close payloads, valid and invalid close codes.

use super::cat2_pingpong::CONTROL;
use super::cat5_fragmentation::FRAGMENT_CONTROL;
use super::engine::{CloseExpect, Event, Expect, Step};
use super::{f, frag, script, text};
use crate::case::{case, from_row, Case};
use crate::rule::Rule;
use crate::verdict::Closer;
use crate::wire::frame::{opcode, Frame};

/// This file, for the origins of its table rows.
const SOURCE: &str = include_str!("cat7_close.rs");

const CLOSE_REPLY: Rule = Rule::new(
    "RFC 6455",
    "5.5.1",
    "If an endpoint receives a Close frame and did not previously send a Close frame, the \
endpoint MUST send a Close frame in response.",
);

const DISCARD: Rule = Rule::new(
    "RFC 6455",
    "1.4",
    "After sending a control frame indicating the connection should be closed, a peer does not send \
any further data; after receiving a control frame indicating the connection should be closed, a peer discards any \
further data received.",
);

/// Also cited by `extra`.
pub(super) const CLOSE_BODY: Rule = Rule::new(
    "RFC 6455",
    "5.5.1",
    "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer (in \
network byte order) representing a status code with value /code/ defined in Section 7.4.",
);

const CLOSE_REASON: Rule = Rule::new(
    "RFC 6455",
    "5.5.1",
    "Following the 2-byte integer, the body MAY contain UTF-8-encoded data with value /reason/, \
the interpretation of which is not defined by this specification.",
);

const CODES_VALID: Rule = Rule::new(
    "RFC 6455",
    "7.4",
    "Endpoints MAY use the following pre-defined status codes when sending a Close frame. [...] \
Status codes in the range 3000-3999 are reserved for use by libraries, frameworks, and applications. [...] Status codes \
in the range 4000-4999 are reserved for private use and thus can't be registered.",
);

const CODES_INVALID: Rule = Rule::new(
    "RFC 6455",
    "7.4",
    "Status codes in the range 0-999 are not used. [...] 1005 is a reserved value and MUST NOT \
be set as a status code in a Close control frame by an endpoint. [...] 1006 is a reserved value and MUST NOT be set as a \
status code in a Close control frame by an endpoint.",
);

/// 7.7.x: close codes the target must accept (id, Autobahn id, code).
#[rustfmt::skip]
const VALID_CODES: &[(&str, &str, u16)] = &[
    ("framing.close.7_7_1", "7.7.1", 1000),
    ("framing.close.7_7_2", "7.7.2", 1001),
    ("framing.close.7_7_3", "7.7.3", 1002),
    ("framing.close.7_7_4", "7.7.4", 1003),
    ("framing.close.7_7_5", "7.7.5", 1007),
    ("framing.close.7_7_6", "7.7.6", 1008),
    ("framing.close.7_7_7", "7.7.7", 1009),
    ("framing.close.7_7_8", "7.7.8", 1010),
    ("framing.close.7_7_9", "7.7.9", 1011),
    ("framing.close.7_7_10", "7.7.10", 3000),
    ("framing.close.7_7_11", "7.7.11", 3999),
    ("framing.close.7_7_12", "7.7.12", 4000),
    ("framing.close.7_7_13", "7.7.13", 4999),
];

/// 7.9.x: close codes the target must refuse (id, Autobahn id, code).
#[rustfmt::skip]
const INVALID_CODES: &[(&str, &str, u16)] = &[
    ("framing.close.7_9_1", "7.9.1", 0),
    ("framing.close.7_9_2", "7.9.2", 999),
    ("framing.close.7_9_3", "7.9.3", 1004),
    ("framing.close.7_9_4", "7.9.4", 1005),
    ("framing.close.7_9_5", "7.9.5", 1006),
    ("framing.close.7_9_6", "7.9.6", 1016),
    ("framing.close.7_9_7", "7.9.7", 1100),
    ("framing.close.7_9_8", "7.9.8", 2000),
    ("framing.close.7_9_9", "7.9.9", 2999),
];

/// The suite closes; the target answers with one of `codes`, and must close
/// TCP cleanly if `clean`.
fn closed_by_suite(codes: &[u16], clean: bool) -> Expect {
    Expect::ok(
        vec![],
        CloseExpect {
            by: Closer::Suite,
            codes: codes.to_vec(),
            require_clean: clean,
            wrong_code_fails: true,
            code_required: false,
        },
    )
}

/// The suite's close answered with 1000, after these events.
fn normal(events: Vec<Event>) -> Expect {
    Expect::ok(
        events,
        CloseExpect {
            by: Closer::Suite,
            codes: vec![1000],
            require_clean: true,
            wrong_code_fails: true,
            code_required: false,
        },
    )
}

fn close(code: u16, reason: &[u8]) -> Step {
    Step::Close(Frame::close(Some(code), reason))
}

pub fn cases() -> Vec<Case> {
    let mut cases = vec![
        case(Case {
            id: "framing.close.7_1_1".into(),
            autobahn: Some("7.1.1"),
            title: "text message, then the close handshake".into(),
            rule: CLOSE_REPLY,
            sends: "text message, then the close handshake".into(),
            expects: "the message echoed, then a clean close with 1000".into(),
            run: script(
                vec![Step::Frames(vec![text("Hello World!")])],
                normal(vec![Event::text("Hello World!")]),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_1_2".into(),
            autobahn: Some("7.1.2"),
            title: "two close frames".into(),
            rule: DISCARD,
            sends: "two close frames".into(),
            expects: "a clean close with 1000; the second close ignored".into(),
            run: script(
                vec![close(1000, b""), Step::Frames(vec![f(opcode::CLOSE, b"")])],
                normal(vec![]),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_1_3".into(),
            autobahn: Some("7.1.3"),
            title: "close, then a ping".into(),
            rule: DISCARD,
            sends: "close, then a ping".into(),
            expects: "a clean close with 1000; no pong".into(),
            run: script(
                vec![close(1000, b""), Step::Frames(vec![f(opcode::PING, b"")])],
                normal(vec![]),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_1_4".into(),
            autobahn: Some("7.1.4"),
            title: "close, then a text message".into(),
            rule: DISCARD,
            sends: "close, then a text message".into(),
            expects: "a clean close with 1000; no echo".into(),
            run: script(
                vec![close(1000, b""), Step::Frames(vec![text("Hello World!")])],
                normal(vec![]),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_1_5".into(),
            autobahn: Some("7.1.5"),
            title: "first fragment of a message, close, then the last fragment".into(),
            // The close arrives in the middle of a message: what a target
            // that fails here breaks is §5.4, not §1.4's discarding.
            rule: FRAGMENT_CONTROL,
            sends: "first fragment of a message, close, then the last fragment".into(),
            expects: "a clean close with 1000; no echo".into(),
            run: script(
                vec![
                    Step::Frames(vec![frag(opcode::TEXT, "fragment1")]),
                    close(1000, b""),
                    Step::Frames(vec![f(opcode::CONTINUATION, "fragment2")]),
                ],
                normal(vec![]),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_1_6".into(),
            autobahn: Some("7.1.6"),
            title: "256 KiB text message, a small one, close and ping back to back".into(),
            rule: DISCARD,
            sends: "256 KiB text message, a small one, close and ping back to back".into(),
            expects: "implementation-defined: the messages may or may not come back before the close".into(),
            run: script(
                vec![
                    Step::Frames(vec![
                        text(b"BAsd7&jh23".repeat(256 * 1024 / 10 + 1)[..256 * 1024].to_vec()),
                        text("Hello World!"),
                    ]),
                    close(1000, b""),
                    Step::Frames(vec![f(opcode::PING, b"")]),
                ],
                normal(vec![Event::text("Hello World!")])
                    .non_strict(vec![])
                    .informational(),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_3_1".into(),
            autobahn: Some("7.3.1"),
            title: "close frame with an empty payload".into(),
            rule: CLOSE_REPLY,
            sends: "close frame with an empty payload".into(),
            expects: "a clean close with 1000 (or no code)".into(),
            run: script(vec![Step::Close(f(opcode::CLOSE, b""))], normal(vec![])),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_3_2".into(),
            autobahn: Some("7.3.2"),
            title: "close frame with a 1-byte payload".into(),
            rule: CLOSE_BODY,
            sends: "close frame with a 1-byte payload".into(),
            expects: "a close with 1002, or TCP dropped".into(),
            run: script(
                vec![Step::Close(f(opcode::CLOSE, "a"))],
                closed_by_suite(&[1002], false),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_3_3".into(),
            autobahn: Some("7.3.3"),
            title: "close frame with a code only".into(),
            rule: CLOSE_REPLY,
            sends: "close frame with a code only".into(),
            expects: "a clean close with 1000".into(),
            run: script(vec![close(1000, b"")], normal(vec![])),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_3_4".into(),
            autobahn: Some("7.3.4"),
            title: "close frame with a code and a reason".into(),
            rule: CLOSE_REASON,
            sends: "close frame with a code and a reason".into(),
            expects: "a clean close with 1000".into(),
            run: script(vec![close(1000, b"Hello World!")], normal(vec![])),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_3_5".into(),
            autobahn: Some("7.3.5"),
            title: "close frame with a 123-byte reason (125-byte payload)".into(),
            rule: CONTROL,
            sends: "close frame with a 123-byte reason (125-byte payload)".into(),
            expects: "a clean close with 1000".into(),
            run: script(vec![close(1000, &[b'*'; 123])], normal(vec![])),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_3_6".into(),
            autobahn: Some("7.3.6"),
            title: "close frame with a 124-byte reason (126-byte payload)".into(),
            rule: CONTROL,
            sends: "close frame with a 124-byte reason (126-byte payload)".into(),
            expects: "a close with 1002, or TCP dropped".into(),
            run: script(
                vec![close(1000, &[b'*'; 124])],
                closed_by_suite(&[1002], false),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_5_1".into(),
            autobahn: Some("7.5.1"),
            title: "close frame whose reason is not valid UTF-8".into(),
            rule: CLOSE_REASON,
            sends: "close frame whose reason is not valid UTF-8".into(),
            expects: "a close with 1002 or 1007, or TCP dropped".into(),
            run: script(
                // κόσμε, the surrogate U+D800 (ED A0 80), "edited".
                vec![close(
                    1000,
                    b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64",
                )],
                closed_by_suite(&[1002, 1007], false),
            ),
            ..Case::BASE
        }),
    ];
    for &(id, autobahn, code) in VALID_CODES {
        cases.push(from_row(
            Case {
                id: id.into(),
                autobahn: Some(autobahn),
                title: format!("close with the valid code {code}").into(),
                rule: CODES_VALID,
                sends: format!("close with the valid code {code}").into(),
                expects: "a clean close with 1000 or the code echoed".into(),
                run: script(vec![close(code, b"")], closed_by_suite(&[1000, code], true)),
                ..Case::BASE
            },
            file!(),
            SOURCE,
        ));
    }
    for &(id, autobahn, code) in INVALID_CODES {
        cases.push(from_row(
            Case {
                id: id.into(),
                autobahn: Some(autobahn),
                title: format!("close with the invalid code {code}").into(),
                rule: CODES_INVALID,
                sends: format!("close with the invalid code {code}").into(),
                expects: "a close with 1002, or TCP dropped".into(),
                run: script(vec![close(code, b"")], closed_by_suite(&[1002], false)),
                ..Case::BASE
            },
            file!(),
            SOURCE,
        ));
    }
    cases.extend([
        case(Case {
            id: "framing.close.7_13_1".into(),
            autobahn: Some("7.13.1"),
            title: "close with the undefined code 5000".into(),
            rule: CODES_VALID,
            sends: "close with the undefined code 5000".into(),
            expects: "undefined by the RFC: reported".into(),
            run: script(
                vec![close(5000, b"")],
                closed_by_suite(&[1000, 5000, 1002], false).informational(),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.close.7_13_2".into(),
            autobahn: Some("7.13.2"),
            title: "close with the undefined code 65535".into(),
            rule: CODES_VALID,
            sends: "close with the undefined code 65535".into(),
            expects: "undefined by the RFC: reported".into(),
            run: script(
                vec![close(65535, b"")],
                closed_by_suite(&[1000, 65535, 1002], false).informational(),
            ),
            ..Case::BASE
        }),
    ]);
    cases
}
