//! Autobahn category 9, "Limits/Performance" (`case/case9_*.py`), payloads built when a case runs
//! ([docs/framing.md](../../../../docs/framing.md#where-the-cases-are)).

use super::engine::{pattern, Event, Pattern, Script, Step, BULK};
use super::{echo_ok, lazy};
use crate::case::{from_row, Case};
use crate::rule::Rule;
use crate::wire::frame::opcode::{BINARY, TEXT};
use std::time::Duration;

/// This file, for the origins of its table rows.
const SOURCE: &str = include_str!("cat9_limits.rs");

const LIMITS: Rule = Rule::new(
    "RFC 6455",
    "10.4",
    "Implementations that have implementation- and/or platform-specific limitations regarding the \
frame size or total message size after reassembly from multiple frames MUST protect themselves against exceeding those \
limits.",
);

/// Autobahn allows 10 to 100 s for these; as [transfers](Case::transfer)
/// this bounds their overall cap, and their deadline counts from the last
/// bytes moved.
const MIN_TIMEOUT: Option<Duration> = Some(Duration::from_secs(60));

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;

/// 9.1, 9.2: one message of this many bytes (id, Autobahn id, opcode, length, as titled).
#[rustfmt::skip]
const MESSAGES: &[(&str, &str, u8, usize, &str)] = &[
    ("framing.limits.9_1_1", "9.1.1", TEXT, 64 * KIB, "64 KiB"),
    ("framing.limits.9_1_2", "9.1.2", TEXT, 256 * KIB, "256 KiB"),
    ("framing.limits.9_1_3", "9.1.3", TEXT, MIB, "1 MiB"),
    ("framing.limits.9_1_4", "9.1.4", TEXT, 4 * MIB, "4 MiB"),
    ("framing.limits.9_1_5", "9.1.5", TEXT, 8 * MIB, "8 MiB"),
    ("framing.limits.9_1_6", "9.1.6", TEXT, 16 * MIB, "16 MiB"),
    ("framing.limits.9_2_1", "9.2.1", BINARY, 64 * KIB, "64 KiB"),
    ("framing.limits.9_2_2", "9.2.2", BINARY, 256 * KIB, "256 KiB"),
    ("framing.limits.9_2_3", "9.2.3", BINARY, MIB, "1 MiB"),
    ("framing.limits.9_2_4", "9.2.4", BINARY, 4 * MIB, "4 MiB"),
    ("framing.limits.9_2_5", "9.2.5", BINARY, 8 * MIB, "8 MiB"),
    ("framing.limits.9_2_6", "9.2.6", BINARY, 16 * MIB, "16 MiB"),
];

/// 9.3, 9.4: a 4 MiB message in frames of this many bytes (id, Autobahn id, opcode, fragment).
#[rustfmt::skip]
const FRAGMENTS: &[(&str, &str, u8, usize)] = &[
    ("framing.limits.9_3_1", "9.3.1", TEXT, 64),
    ("framing.limits.9_3_2", "9.3.2", TEXT, 256),
    ("framing.limits.9_3_3", "9.3.3", TEXT, KIB),
    ("framing.limits.9_3_4", "9.3.4", TEXT, 4 * KIB),
    ("framing.limits.9_3_5", "9.3.5", TEXT, 16 * KIB),
    ("framing.limits.9_3_6", "9.3.6", TEXT, 64 * KIB),
    ("framing.limits.9_3_7", "9.3.7", TEXT, 256 * KIB),
    ("framing.limits.9_3_8", "9.3.8", TEXT, MIB),
    ("framing.limits.9_3_9", "9.3.9", TEXT, 4 * MIB),
    ("framing.limits.9_4_1", "9.4.1", BINARY, 64),
    ("framing.limits.9_4_2", "9.4.2", BINARY, 256),
    ("framing.limits.9_4_3", "9.4.3", BINARY, KIB),
    ("framing.limits.9_4_4", "9.4.4", BINARY, 4 * KIB),
    ("framing.limits.9_4_5", "9.4.5", BINARY, 16 * KIB),
    ("framing.limits.9_4_6", "9.4.6", BINARY, 64 * KIB),
    ("framing.limits.9_4_7", "9.4.7", BINARY, 256 * KIB),
    ("framing.limits.9_4_8", "9.4.8", BINARY, MIB),
    ("framing.limits.9_4_9", "9.4.9", BINARY, 4 * MIB),
];

/// 9.5, 9.6: a 1 MiB message written in chops of this many bytes (id, Autobahn id, opcode, chop).
#[rustfmt::skip]
const CHOPS: &[(&str, &str, u8, usize)] = &[
    ("framing.limits.9_5_1", "9.5.1", TEXT, 64),
    ("framing.limits.9_5_2", "9.5.2", TEXT, 128),
    ("framing.limits.9_5_3", "9.5.3", TEXT, 256),
    ("framing.limits.9_5_4", "9.5.4", TEXT, 512),
    ("framing.limits.9_5_5", "9.5.5", TEXT, 1024),
    ("framing.limits.9_5_6", "9.5.6", TEXT, 2048),
    ("framing.limits.9_6_1", "9.6.1", BINARY, 64),
    ("framing.limits.9_6_2", "9.6.2", BINARY, 128),
    ("framing.limits.9_6_3", "9.6.3", BINARY, 256),
    ("framing.limits.9_6_4", "9.6.4", BINARY, 512),
    ("framing.limits.9_6_5", "9.6.5", BINARY, 1024),
    ("framing.limits.9_6_6", "9.6.6", BINARY, 2048),
];

/// 9.7, 9.8: 1000 messages of this many bytes, one at a time (id, Autobahn id, opcode, length).
#[rustfmt::skip]
const ROUND_TRIPS: &[(&str, &str, u8, usize)] = &[
    ("framing.limits.9_7_1", "9.7.1", TEXT, 0),
    ("framing.limits.9_7_2", "9.7.2", TEXT, 16),
    ("framing.limits.9_7_3", "9.7.3", TEXT, 64),
    ("framing.limits.9_7_4", "9.7.4", TEXT, 256),
    ("framing.limits.9_7_5", "9.7.5", TEXT, 1024),
    ("framing.limits.9_7_6", "9.7.6", TEXT, 4096),
    ("framing.limits.9_8_1", "9.8.1", BINARY, 0),
    ("framing.limits.9_8_2", "9.8.2", BINARY, 16),
    ("framing.limits.9_8_3", "9.8.3", BINARY, 64),
    ("framing.limits.9_8_4", "9.8.4", BINARY, 256),
    ("framing.limits.9_8_5", "9.8.5", BINARY, 1024),
    ("framing.limits.9_8_6", "9.8.6", BINARY, 4096),
];

fn name(op: u8) -> &'static str {
    if op == TEXT {
        "text"
    } else {
        "binary"
    }
}

/// Autobahn's filler for a message: `BAsd7&jh23` or `*` for text, 0xfe for binary.
fn filler(op: u8, text: Pattern) -> Pattern {
    if op == TEXT {
        text
    } else {
        Pattern::Binary
    }
}

/// One message of shared bytes in frames of `fragment` bytes, written in
/// chops of `chop` bytes (or large blocks), expected back.
fn stream_echo(op: u8, payload: &'static [u8], fragment: usize, chop: Option<usize>) -> Script {
    Script {
        steps: vec![Step::Stream {
            opcode: op,
            payload,
            fragment,
            chop,
        }],
        expect: echo_ok(vec![Event::shared(op == BINARY, payload)]).limits(),
    }
}

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for &(id, autobahn, op, len, label) in MESSAGES {
        let title = format!("{} message of {label}", name(op));
        cases.push(from_row(
            Case {
                id: id.into(),
                autobahn: Some(autobahn),
                title: title.clone().into(),
                rule: LIMITS,
                sends: title.into(),
                expects: "the message echoed".into(),
                min_timeout: MIN_TIMEOUT,
                transfer: true,
                bulk: len >= BULK,
                run: lazy(move || {
                    stream_echo(op, pattern(filler(op, Pattern::Text), len), len, None)
                }),
                ..Case::BASE
            },
            file!(),
            SOURCE,
        ));
    }
    for &(id, autobahn, op, fragment) in FRAGMENTS {
        let title = format!(
            "4 MiB {} message in fragments of {fragment} bytes",
            name(op)
        );
        cases.push(from_row(
            Case {
                id: id.into(),
                autobahn: Some(autobahn),
                title: title.clone().into(),
                rule: LIMITS,
                sends: title.into(),
                expects: "the message echoed".into(),
                min_timeout: MIN_TIMEOUT,
                transfer: true,
                bulk: true,
                run: lazy(move || {
                    stream_echo(
                        op,
                        pattern(filler(op, Pattern::Star), 4 * MIB),
                        fragment,
                        None,
                    )
                }),
                ..Case::BASE
            },
            file!(),
            SOURCE,
        ));
    }
    for &(id, autobahn, op, chop) in CHOPS {
        let title = format!(
            "1 MiB {} message written in chops of {chop} bytes",
            name(op)
        );
        cases.push(from_row(
            Case {
                id: id.into(),
                autobahn: Some(autobahn),
                title: title.clone().into(),
                rule: LIMITS,
                sends: title.into(),
                expects: "the message echoed".into(),
                min_timeout: MIN_TIMEOUT,
                transfer: true,
                bulk: true,
                run: lazy(move || {
                    stream_echo(op, pattern(filler(op, Pattern::Text), MIB), MIB, Some(chop))
                }),
                ..Case::BASE
            },
            file!(),
            SOURCE,
        ));
    }
    for &(id, autobahn, op, len) in ROUND_TRIPS {
        let title = format!(
            "1000 {} messages of {len} bytes, each sent after the previous echo",
            name(op)
        );
        cases.push(from_row(
            Case {
                id: id.into(),
                autobahn: Some(autobahn),
                title: title.clone().into(),
                rule: LIMITS,
                sends: title.into(),
                expects: "1000 echoes".into(),
                min_timeout: MIN_TIMEOUT,
                transfer: true,
                // 4 MB at most, one round trip at a time: bound by waiting, not bulk.
                bulk: false,
                run: lazy(move || {
                    let payload = pattern(filler(op, Pattern::Star), len);
                    Script {
                        steps: vec![Step::PingPong {
                            opcode: op,
                            len,
                            count: 1000,
                        }],
                        expect: echo_ok(vec![Event::shared(op == BINARY, payload); 1000]).limits(),
                    }
                }),
                ..Case::BASE
            },
            file!(),
            SOURCE,
        ));
    }
    cases
}
