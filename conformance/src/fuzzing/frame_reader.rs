//! Fuzz target `frame_reader`: the runner's frame reader on whatever a server sends
//! ([fuzz/README.md](../../../fuzz/README.md#frame_reader)).

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
