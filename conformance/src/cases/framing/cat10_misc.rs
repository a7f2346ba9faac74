//! Autobahn category 10, "Misc" (`case/case10_1_1.py`): a message sent in
//! fragments, echoed in whatever fragmentation the target chooses.

use super::engine::{Event, Step};
use super::{echo_ok, script};
use crate::case::{case, Case};
use crate::rule::Rule;
use crate::wire::frame::{opcode, Frame};

const FRAGMENT_SEND: Rule = Rule::new(
    "RFC 6455",
    "5.4",
    "An unfragmented message consists of a single frame with the FIN bit set (Section 5.2) and \
an opcode other than 0. [...] EXAMPLE: For a text message sent as three fragments, the first fragment would have an \
opcode of 0x1 and a FIN bit clear, the second fragment would have an opcode of 0x0 and a FIN bit clear, and the third \
fragment would have an opcode of 0x0 and a FIN bit that is set.",
);

/// A text message in frames of `size` bytes.
fn fragments(payload: &[u8], size: usize) -> Vec<Frame> {
    let last = payload.len().div_ceil(size) - 1;
    payload
        .chunks(size)
        .enumerate()
        .map(|(k, piece)| {
            let op = if k == 0 {
                opcode::TEXT
            } else {
                opcode::CONTINUATION
            };
            Frame::new(op, piece).fin(k == last)
        })
        .collect()
}

pub fn cases() -> Vec<Case> {
    let payload = vec![b'*'; 65536];
    vec![case(Case {
        id: "framing.autofrag.10_1_1".into(),
        autobahn: Some("10.1.1"),
        title: "64 KiB text message sent in fragments of 1300 bytes".into(),
        rule: FRAGMENT_SEND,
        sends: "64 KiB text message sent in fragments of 1300 bytes".into(),
        expects: "the whole message echoed (in any fragmentation)".into(),
        run: script(
            vec![Step::Frames(fragments(&payload, 1300))],
            echo_ok(vec![Event::text(payload)]),
        ),
        ..Case::BASE
    })]
}
