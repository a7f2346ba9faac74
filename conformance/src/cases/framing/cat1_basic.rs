//! Autobahn category 1, "Framing" (`case/case1_*.py`): text and binary
//! messages at the payload length boundaries, echoed.

use super::engine::{Event, Step};
use super::{echo_ok, f, script};
use crate::case::{from_row, Case};
use crate::rule::Rule;
use crate::wire::frame::opcode;

/// This file, for the origins of its table rows.
const SOURCE: &str = include_str!("cat1_basic.rs");

const LENGTH: Rule = Rule::new(
    "RFC 6455",
    "5.2",
    "Payload length:  7 bits, 7+16 bits, or 7+64 bits [...] If 0-125, that is the payload length.  If \
126, the following 2 bytes interpreted as a 16-bit unsigned integer are the payload length.  If 127, the following 8 bytes \
interpreted as a 64-bit unsigned integer (the most significant bit MUST be 0) are the payload length.",
);

/// id, Autobahn id, opcode, payload length, written in chops of this many
/// bytes (one write otherwise). Text is filled with `*`, binary with 0xfe.
#[rustfmt::skip]
const MESSAGES: &[(&str, &str, u8, usize, Option<usize>)] = &[
    ("framing.basic.1_1_1", "1.1.1", opcode::TEXT, 0, None),
    ("framing.basic.1_1_2", "1.1.2", opcode::TEXT, 125, None),
    ("framing.basic.1_1_3", "1.1.3", opcode::TEXT, 126, None),
    ("framing.basic.1_1_4", "1.1.4", opcode::TEXT, 127, None),
    ("framing.basic.1_1_5", "1.1.5", opcode::TEXT, 128, None),
    ("framing.basic.1_1_6", "1.1.6", opcode::TEXT, 65535, None),
    ("framing.basic.1_1_7", "1.1.7", opcode::TEXT, 65536, None),
    ("framing.basic.1_1_8", "1.1.8", opcode::TEXT, 65536, Some(997)),
    ("framing.basic.1_2_1", "1.2.1", opcode::BINARY, 0, None),
    ("framing.basic.1_2_2", "1.2.2", opcode::BINARY, 125, None),
    ("framing.basic.1_2_3", "1.2.3", opcode::BINARY, 126, None),
    ("framing.basic.1_2_4", "1.2.4", opcode::BINARY, 127, None),
    ("framing.basic.1_2_5", "1.2.5", opcode::BINARY, 128, None),
    ("framing.basic.1_2_6", "1.2.6", opcode::BINARY, 65535, None),
    ("framing.basic.1_2_7", "1.2.7", opcode::BINARY, 65536, None),
    ("framing.basic.1_2_8", "1.2.8", opcode::BINARY, 65536, Some(997)),
];

pub fn cases() -> Vec<Case> {
    MESSAGES
        .iter()
        .map(|&(id, autobahn, op, len, chop)| {
            let (name, payload, event) = if op == opcode::TEXT {
                let payload = vec![b'*'; len];
                ("text", payload.clone(), Event::text(payload))
            } else {
                let payload = vec![0xfe; len];
                ("binary", payload.clone(), Event::binary(payload))
            };
            let (title, step) = match chop {
                Some(chop) => (
                    format!("{name} message of {len} bytes written in chops of {chop} bytes"),
                    Step::Chopped(vec![f(op, payload)], chop),
                ),
                None => (
                    format!("{name} message of {len} bytes"),
                    Step::Frames(vec![f(op, payload)]),
                ),
            };
            from_row(
                Case {
                    id: id.into(),
                    autobahn: Some(autobahn),
                    title: title.clone().into(),
                    rule: LENGTH,
                    sends: title.into(),
                    expects: format!("the {name} message echoed, then a clean close with 1000")
                        .into(),
                    run: script(vec![step], echo_ok(vec![event])),
                    ..Case::BASE
                },
                file!(),
                SOURCE,
            )
        })
        .collect()
}
