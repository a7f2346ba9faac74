//! Autobahn category 5, "Fragmentation" (`case/case5_*.py`)
//! ([docs/framing.md](../../../../docs/framing.md#where-the-cases-are)).

use super::cat2_pingpong::CONTROL;
use super::engine::{CloseExpect, Event, Expect, Step};
use super::{echo_ok, f, frag, must_fail, script, text};
use crate::case::{case, Case, Run};
use crate::rule::Rule;
use crate::wire::frame::{opcode, Frame};

const FRAGMENT: Rule = Rule::new(
    "RFC 6455",
    "5.4",
    "A fragmented message consists of a single frame with the FIN bit clear and an opcode other \
than 0, followed by zero or more frames with the FIN bit clear and the opcode set to 0, and terminated by a single frame \
with the FIN bit set and an opcode of 0.",
);

/// Also cited by category 7 (a close in the middle of a message).
pub(super) const FRAGMENT_CONTROL: Rule = Rule::new(
    "RFC 6455",
    "5.4",
    "Control frames (see Section 5.5) MAY be injected in the middle of a fragmented \
message. [...] An endpoint MUST be capable of handling control frames in the middle of a fragmented message.",
);

const INTERLEAVE: Rule = Rule::new(
    "RFC 6455",
    "5.4",
    "The fragments of one message MUST NOT be interleaved between the fragments of another \
message unless an extension has been negotiated that can interpret the interleaving.",
);

/// How a case's frames are written.
#[derive(Clone, Copy)]
enum Writes {
    /// One write per frame, all at once.
    Together,
    /// Each frame after the previous was answered (its own step).
    OneByOne,
    /// As one byte stream, one byte per write.
    Bytes,
}

fn write(frames: Vec<Frame>, how: Writes) -> Vec<Step> {
    match how {
        Writes::Together => vec![Step::Frames(frames)],
        Writes::OneByOne => frames.into_iter().map(|x| Step::Frames(vec![x])).collect(),
        Writes::Bytes => vec![Step::Chopped(frames, 1)],
    }
}

/// 5.3–5.5: `fragment1` | `fragment2`, echoed whole.
fn two_fragments(how: Writes) -> Run {
    script(
        write(
            vec![
                frag(opcode::TEXT, "fragment1"),
                f(opcode::CONTINUATION, "fragment2"),
            ],
            how,
        ),
        echo_ok(vec![Event::text("fragment1fragment2")]),
    )
}

/// 5.6–5.8: `fragment1` | ping | `fragment2`: the pong, then the message.
fn ping_between(how: Writes) -> Run {
    script(
        write(
            vec![
                frag(opcode::TEXT, "fragment1"),
                f(opcode::PING, "ping payload"),
                f(opcode::CONTINUATION, "fragment2"),
            ],
            how,
        ),
        echo_ok(vec![
            Event::pong("ping payload"),
            Event::text("fragment1fragment2"),
        ]),
    )
}

/// 5.9–5.14: a continuation with nothing to continue, then a text message.
fn orphan(fin: bool, how: Writes) -> Run {
    script(
        write(
            vec![
                Frame::new(opcode::CONTINUATION, "non-continuation payload").fin(fin),
                text("Hello, world!"),
            ],
            how,
        ),
        must_fail(),
    )
}

/// 5.16, 5.17: twice a continuation (FIN as given), a text fragment, a final continuation.
fn twice(first_fin: bool) -> Run {
    let once = [
        Frame::new(opcode::CONTINUATION, "fragment1").fin(first_fin),
        frag(opcode::TEXT, "fragment2"),
        f(opcode::CONTINUATION, "fragment3"),
    ];
    script(
        vec![Step::Frames([once.clone(), once].concat())],
        must_fail(),
    )
}

/// 5.19, 5.20: five fragments with two pings between them. Autobahn waits
/// 1 s after the first ping so the pong comes before the rest of the
/// message; waiting for that pong does the same.
fn five_fragments(chop: Option<usize>) -> Run {
    let send = |frames: Vec<Frame>| match chop {
        Some(c) => Step::Chopped(frames, c),
        None => Step::Frames(frames),
    };
    script(
        vec![
            send(vec![
                frag(opcode::TEXT, "fragment1"),
                frag(opcode::CONTINUATION, "fragment2"),
            ]),
            Step::Sync(b"pongme 1!".to_vec()),
            send(vec![
                frag(opcode::CONTINUATION, "fragment3"),
                frag(opcode::CONTINUATION, "fragment4"),
            ]),
            Step::Sync(b"pongme 2!".to_vec()),
            send(vec![f(opcode::CONTINUATION, "fragment5")]),
        ],
        echo_ok(vec![
            Event::pong("pongme 1!"),
            Event::pong("pongme 2!"),
            Event::text("fragment1fragment2fragment3fragment4fragment5"),
        ]),
    )
}

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "framing.fragmentation.5_1".into(),
            autobahn: Some("5.1"),
            title: "ping fragmented into 2 frames".into(),
            rule: CONTROL,
            sends: "ping fragmented into 2 frames".into(),
            expects: "the connection failed with 1002".into(),
            run: script(
                vec![Step::Frames(vec![
                    frag(opcode::PING, "fragment1"),
                    f(opcode::CONTINUATION, "fragment2"),
                ])],
                must_fail(),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_2".into(),
            autobahn: Some("5.2"),
            title: "pong fragmented into 2 frames".into(),
            rule: CONTROL,
            sends: "pong fragmented into 2 frames".into(),
            expects: "the connection failed with 1002".into(),
            run: script(
                vec![Step::Frames(vec![
                    frag(opcode::PONG, "fragment1"),
                    f(opcode::CONTINUATION, "fragment2"),
                ])],
                must_fail(),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_3".into(),
            autobahn: Some("5.3"),
            title: "text message in 2 fragments".into(),
            rule: FRAGMENT,
            sends: "text message in 2 fragments".into(),
            expects: "the whole message echoed".into(),
            run: two_fragments(Writes::Together),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_4".into(),
            autobahn: Some("5.4"),
            title: "text message in 2 fragments, each frame written after the previous".into(),
            rule: FRAGMENT,
            sends: "text message in 2 fragments, each frame written after the previous".into(),
            expects: "the whole message echoed".into(),
            run: two_fragments(Writes::OneByOne),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_5".into(),
            autobahn: Some("5.5"),
            title: "text message in 2 fragments, written one byte at a time".into(),
            rule: FRAGMENT,
            sends: "text message in 2 fragments, written one byte at a time".into(),
            expects: "the whole message echoed".into(),
            run: two_fragments(Writes::Bytes),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_6".into(),
            autobahn: Some("5.6"),
            title: "text message in 2 fragments with a ping between them".into(),
            rule: FRAGMENT_CONTROL,
            sends: "text message in 2 fragments with a ping between them".into(),
            expects: "the pong, then the whole message echoed".into(),
            run: ping_between(Writes::Together),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_7".into(),
            autobahn: Some("5.7"),
            title: "text message in 2 fragments with a ping between them, each frame written after the previous".into(),
            rule: FRAGMENT_CONTROL,
            sends: "text message in 2 fragments with a ping between them, each frame written after the previous".into(),
            expects: "the pong, then the whole message echoed".into(),
            run: ping_between(Writes::OneByOne),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_8".into(),
            autobahn: Some("5.8"),
            title: "text message in 2 fragments with a ping between them, written one byte at a time".into(),
            rule: FRAGMENT_CONTROL,
            sends: "text message in 2 fragments with a ping between them, written one byte at a time".into(),
            expects: "the pong, then the whole message echoed".into(),
            run: ping_between(Writes::Bytes),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_9".into(),
            autobahn: Some("5.9"),
            title: "continuation frame with FIN = 1 and nothing to continue, then a text message".into(),
            rule: FRAGMENT,
            sends: "continuation frame with FIN = 1 and nothing to continue, then a text message".into(),
            expects: "the connection failed with 1002".into(),
            run: orphan(true, Writes::Together),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_10".into(),
            autobahn: Some("5.10"),
            title: "continuation frame with FIN = 1 and nothing to continue, then a text message, each frame written after the previous".into(),
            rule: FRAGMENT,
            sends: "continuation frame with FIN = 1 and nothing to continue, then a text message, each frame written after the previous".into(),
            expects: "the connection failed with 1002".into(),
            run: orphan(true, Writes::OneByOne),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_11".into(),
            autobahn: Some("5.11"),
            title: "continuation frame with FIN = 1 and nothing to continue, then a text message, written one byte at a time".into(),
            rule: FRAGMENT,
            sends: "continuation frame with FIN = 1 and nothing to continue, then a text message, written one byte at a time".into(),
            expects: "the connection failed with 1002".into(),
            run: orphan(true, Writes::Bytes),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_12".into(),
            autobahn: Some("5.12"),
            title: "continuation frame with FIN = 0 and nothing to continue, then a text message".into(),
            rule: FRAGMENT,
            sends: "continuation frame with FIN = 0 and nothing to continue, then a text message".into(),
            expects: "the connection failed with 1002".into(),
            run: orphan(false, Writes::Together),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_13".into(),
            autobahn: Some("5.13"),
            title: "continuation frame with FIN = 0 and nothing to continue, then a text message, each frame written after the previous".into(),
            rule: FRAGMENT,
            sends: "continuation frame with FIN = 0 and nothing to continue, then a text message, each frame written after the previous".into(),
            expects: "the connection failed with 1002".into(),
            run: orphan(false, Writes::OneByOne),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_14".into(),
            autobahn: Some("5.14"),
            title: "continuation frame with FIN = 0 and nothing to continue, then a text message, written one byte at a time".into(),
            rule: FRAGMENT,
            sends: "continuation frame with FIN = 0 and nothing to continue, then a text message, written one byte at a time".into(),
            expects: "the connection failed with 1002".into(),
            run: orphan(false, Writes::Bytes),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_15".into(),
            autobahn: Some("5.15"),
            title: "text message in 2 fragments, then a continuation with FIN = 0 and nothing to continue, then a text message".into(),
            rule: FRAGMENT,
            sends: "text message in 2 fragments, then a continuation with FIN = 0 and nothing to continue, then a text message".into(),
            expects: "the first message echoed, then the connection failed with 1002".into(),
            run: script(
                vec![Step::Frames(vec![
                    frag(opcode::TEXT, "fragment1"),
                    f(opcode::CONTINUATION, "fragment2"),
                    frag(opcode::CONTINUATION, "fragment3"),
                    text("fragment4"),
                ])],
                Expect::ok(vec![Event::text("fragment1fragment2")], CloseExpect::fail(1002))
                    .non_strict(vec![]),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_16".into(),
            autobahn: Some("5.16"),
            title: "twice: continuation (FIN = 0), text (FIN = 0), continuation (FIN = 1)".into(),
            rule: FRAGMENT,
            sends: "twice: continuation (FIN = 0), text (FIN = 0), continuation (FIN = 1)".into(),
            expects: "the connection failed with 1002".into(),
            run: twice(false),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_17".into(),
            autobahn: Some("5.17"),
            title: "twice: continuation (FIN = 1), text (FIN = 0), continuation (FIN = 1)".into(),
            rule: FRAGMENT,
            sends: "twice: continuation (FIN = 1), text (FIN = 0), continuation (FIN = 1)".into(),
            expects: "the connection failed with 1002".into(),
            run: twice(true),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_18".into(),
            autobahn: Some("5.18"),
            title: "text message in 2 fragments, both with the text opcode".into(),
            rule: INTERLEAVE,
            sends: "text message in 2 fragments, both with the text opcode".into(),
            expects: "the connection failed with 1002".into(),
            run: script(
                vec![Step::Frames(vec![
                    frag(opcode::TEXT, "fragment1"),
                    text("fragment2"),
                ])],
                must_fail(),
            ),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_19".into(),
            autobahn: Some("5.19"),
            title: "text message in 5 fragments with 2 pings between them, the first answered before the rest is sent".into(),
            rule: FRAGMENT_CONTROL,
            sends: "text message in 5 fragments with 2 pings between them, the first answered before the rest is sent".into(),
            expects: "both pongs, then the whole message echoed".into(),
            run: five_fragments(None),
            ..Case::BASE
        }),
        case(Case {
            id: "framing.fragmentation.5_20".into(),
            autobahn: Some("5.20"),
            title: "as 5.19, every frame written one byte at a time".into(),
            rule: FRAGMENT_CONTROL,
            sends: "as 5.19, every frame written one byte at a time".into(),
            expects: "both pongs, then the whole message echoed".into(),
            run: five_fragments(Some(1)),
            ..Case::BASE
        }),
    ]
}
