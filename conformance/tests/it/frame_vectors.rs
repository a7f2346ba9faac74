//! vectors/frames/client.json against the runner's frame reader (every shape
//! the cases send decodes as the vector says, however the bytes are split)
//! and against the reference server (it answers as the vector says).

use crate::common;

use proptest::prelude::*;
use std::time::{Duration, Instant};
use voxproof_conformance::cases::handshake::open::{handshake, RFC_ACCEPT, RFC_KEY};
use voxproof_conformance::ctx::Ctx;
use voxproof_conformance::embedded;
use voxproof_conformance::target::FrameEnd;
use voxproof_conformance::wire::frame::{opcode, Frame, LenEncoding};
use voxproof_vectors::frames::{hex, unhex, DecodedFrame, FrameTest};
use voxproof_vectors::Expected;

fn tests() -> Vec<FrameTest> {
    voxproof_vectors::frames_client().tests().cloned().collect()
}

fn as_vector(f: &Frame) -> DecodedFrame {
    let len = f.payload.len();
    let minimal = match len {
        0..=125 => 7,
        126..=65535 => 16,
        _ => 64,
    };
    DecodedFrame {
        fin: f.fin,
        rsv: f.rsv,
        opcode: f.opcode,
        mask: f.mask.map(|k| hex(&k)),
        payload: hex(&f.payload),
        length_bits: match f.len_encoding {
            LenEncoding::Minimal => minimal,
            LenEncoding::Bits16 => 16,
            LenEncoding::Bits64 => 64,
        },
    }
}

/// Decode all frames, feeding the bytes in the given pieces.
fn read_all(bytes: &[u8], cuts: &[usize]) -> Result<Vec<DecodedFrame>, String> {
    common::decode_piecewise(bytes, cuts, 1 << 24)
        .map(|frames| frames.iter().map(as_vector).collect())
}

#[test]
fn the_reader_decodes_every_vector() {
    for t in tests() {
        let got = read_all(&unhex(&t.bytes), &[]);
        match &t.decoded {
            Some(want) => assert_eq!(got.as_ref(), Ok(want), "tcId {} ({})", t.tc_id, t.comment),
            None => assert!(
                got.is_err(),
                "tcId {}: decoded bytes that are not frames",
                t.tc_id
            ),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_reader_does_not_depend_on_read_boundaries(which in any::<prop::sample::Index>(), cuts in prop::collection::vec(any::<usize>(), 0..12)) {
        let all = tests();
        let t = &all[which.index(all.len())];
        let bytes = unhex(&t.bytes);
        prop_assert_eq!(read_all(&bytes, &cuts), read_all(&bytes, &[]));
    }
}

/// Replies (kind, payload) and the close code (0: TCP closed without a close frame).
type Answer = (Vec<(String, Vec<u8>)>, Option<u16>);

/// What the reference does with one vector's bytes.
fn reference_answer(ctx: &mut Ctx, t: &FrameTest) -> Result<Answer, String> {
    let mut conn = handshake(ctx, RFC_KEY, RFC_ACCEPT).map_err(|o| o.detail)?;
    conn.send(&unhex(&t.bytes))?;
    // A ping after the input: its pong marks the end of the replies.
    let barrier = Frame::new(opcode::PING, b"end-of-vector".to_vec()).masked([1, 2, 3, 4]);
    conn.send_frame(&barrier)?;
    let mut replies = Vec::new();
    loop {
        match conn.read_frame(1 << 24) {
            Ok(f) if f.opcode == opcode::PONG && f.payload == b"end-of-vector" => {
                return Ok((replies, None))
            }
            Ok(f) if f.opcode == opcode::CLOSE => return Ok((replies, f.close_code().or(Some(0)))),
            Ok(f) => {
                let kind = match f.opcode {
                    opcode::TEXT => "text",
                    opcode::BINARY => "binary",
                    opcode::PONG => "pong",
                    _ => "other",
                };
                replies.push((kind.to_string(), f.payload));
            }
            Err(FrameEnd::Read(..)) => return Ok((replies, Some(0))),
            Err(FrameEnd::Invalid(e)) => return Err(e),
        }
    }
}

#[test]
fn the_reference_answers_every_vector() {
    let (_server, target) = embedded::start().unwrap();
    for t in tests() {
        let mut ctx = Ctx::new(&target, Instant::now() + Duration::from_secs(10));
        let (replies, close) =
            reference_answer(&mut ctx, &t).unwrap_or_else(|e| panic!("tcId {}: {e}", t.tc_id));
        let want_replies: Option<Vec<(String, Vec<u8>)>> = t.replies.as_ref().map(|r| {
            r.iter()
                .map(|r| (r.kind.clone(), unhex(&r.payload)))
                .collect()
        });
        let echoed = close.is_none() && Some(&replies) == want_replies.as_ref();
        let failed = close.is_some_and(|c| {
            t.close_codes
                .as_ref()
                .is_some_and(|codes| codes.contains(&c))
        });
        let ok = match t.result {
            Expected::Valid => echoed,
            Expected::Invalid => failed,
            Expected::Acceptable => echoed || failed,
        };
        assert!(
            ok,
            "tcId {} ({}): replies {replies:?}, close {close:?}",
            t.tc_id, t.comment
        );
    }
}
