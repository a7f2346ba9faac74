//! Target `frame_reader`: the runner's frame reader
//! ([`decode_header`], [`decode`] and [`Pending::take_frame`], which
//! `Conn::read_frame` uses) on whatever a server sends.
//!
//! **Input**: the bytes a server sends after its 101, as they come. Seeds
//! are the frames of `vectors/frames/client.json` (masked, as a client sends
//! them, and unmasked, as a server would) and crafted server frames.
//!
//! **Properties**, with the reader's payload limit at 64 KiB and at 125
//! bytes, reading frame after frame from the start of the input:
//!
//! 1. `decode_header` and `decode` never panic and agree: the same
//!    `Partial`, the same `Invalid` reason, or a header whose frame length
//!    is what `decode` consumed.
//! 2. A decoded frame took at least 2 bytes and at most those left; its
//!    payload has the header's length; encoded again (`Frame::encode`, with
//!    the length encoding and mask it was read with) it is exactly the bytes
//!    it was read from; any shorter prefix of those bytes is `Partial`.
//! 3. Split invariance: the bytes fed to a [`Pending`] in pieces (cut where
//!    the input's hash says) and taken frame by frame give the same frames
//!    and the same end (the same `Invalid` reason, or the same bytes left
//!    over).

use crate::wire::frame::{decode, decode_header, Decoded, Frame, HeaderParse, Pending};
use voxproof_reference::fuzzing::cut_of;

/// Payload limits the reader is run with: the runner's usual order of
/// magnitude, and one small enough for short inputs to exceed it.
const LIMITS: [u64; 2] = [1 << 16, 125];

/// How a sequence of frames ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum End {
    /// Bytes of an incomplete frame (possibly none) were left.
    Leftover(Vec<u8>),
    Invalid(String),
}

pub fn run(data: &[u8]) {
    for limit in LIMITS {
        let whole = read_whole(data, limit);
        let cuts = [cut_of(data, 1), cut_of(data, 2), cut_of(data, 3)];
        assert_eq!(
            read_piecewise(data, &cuts, limit),
            whole,
            "pieces cut at {cuts:?} read differently (limit {limit})"
        );
    }
}

fn read_whole(data: &[u8], limit: u64) -> (Vec<Frame>, End) {
    let mut frames = Vec::new();
    let mut rest = data;
    loop {
        let header = decode_header(rest, limit);
        match decode(rest, limit) {
            Decoded::Frame(frame, used) => {
                let HeaderParse::Header(h) = header else {
                    panic!("decode read a frame where decode_header says {header:?}")
                };
                assert_eq!(h.frame_len(), used);
                assert!(
                    (2..=rest.len()).contains(&used),
                    "consumed {used} of {}",
                    rest.len()
                );
                assert_eq!(frame.payload.len() as u64, h.len);
                assert_eq!(frame.encode(), &rest[..used], "re-encoded frame differs");
                let cut = cut_of(&rest[..used], 0) % used;
                assert_eq!(
                    decode(&rest[..cut], limit),
                    Decoded::Partial,
                    "prefix of {cut}"
                );
                frames.push(frame);
                rest = &rest[used..];
            }
            Decoded::Partial => {
                match header {
                    HeaderParse::Partial => {}
                    HeaderParse::Header(h) => assert!(h.frame_len() > rest.len()),
                    HeaderParse::Invalid(e) => panic!("decode Partial, decode_header {e}"),
                }
                return (frames, End::Leftover(rest.to_vec()));
            }
            Decoded::Invalid(e) => {
                assert_eq!(header, HeaderParse::Invalid(e.clone()));
                return (frames, End::Invalid(e));
            }
        }
    }
}

fn read_piecewise(data: &[u8], cuts: &[usize], limit: u64) -> (Vec<Frame>, End) {
    let mut ends: Vec<usize> = cuts.to_vec();
    ends.push(data.len());
    ends.sort_unstable();
    let (mut pending, mut at, mut frames) = (Pending::new(), 0, Vec::new());
    for end in ends {
        pending.extend_from_slice(&data[at..end]);
        at = end;
        loop {
            match pending.take_frame(limit) {
                Ok(Some(frame)) => frames.push(frame),
                Ok(None) => break,
                Err(e) => return (frames, End::Invalid(e)),
            }
        }
    }
    (frames, End::Leftover(pending.bytes().to_vec()))
}
