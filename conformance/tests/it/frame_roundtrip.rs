//! Law: any frame the crafter writes, the reader decodes back to the same
//! frame, whatever the chunking — fed piecewise in memory (random cuts, and
//! every possible chunking of small frames), and through a real TCP
//! connection written in arbitrary pieces; and a large frame streamed block
//! by block puts the same bytes on the wire as the crafter.

use crate::common;

use proptest::prelude::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};
use voxproof_conformance::ctx::Ctx;
use voxproof_conformance::target::Target;
use voxproof_conformance::wire::frame::{Frame, LenEncoding};

fn arb_frame() -> impl Strategy<Value = Frame> {
    (
        any::<bool>(),
        0u8..8,
        0u8..16,
        proptest::option::of(any::<[u8; 4]>()),
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            prop::collection::vec(any::<u8>(), 65530..65600),
        ],
        prop_oneof![
            Just(LenEncoding::Minimal),
            Just(LenEncoding::Bits16),
            Just(LenEncoding::Bits64)
        ],
    )
        .prop_map(|(fin, rsv, opcode, mask, payload, enc)| {
            // A 16-bit length cannot carry more than 65535 bytes.
            let enc = if enc == LenEncoding::Bits16 && payload.len() > 65535 {
                LenEncoding::Bits64
            } else {
                enc
            };
            // The reader reports the minimal form of a length as Minimal.
            let enc = match (enc, payload.len()) {
                (LenEncoding::Bits16, 126..=65535) | (LenEncoding::Bits64, 65536..) => {
                    LenEncoding::Minimal
                }
                (e, _) => e,
            };
            let mut f = Frame::new(opcode, payload)
                .fin(fin)
                .rsv(rsv)
                .len_encoding(enc);
            f.mask = mask;
            f
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn crafted_frames_read_back_in_any_chunking(frames in prop::collection::vec(arb_frame(), 1..4), cuts in prop::collection::vec(any::<usize>(), 0..16)) {
        let bytes: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
        prop_assert_eq!(common::decode_piecewise(&bytes, &cuts, 1 << 20), Ok(frames));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn crafted_frames_read_back_over_tcp(frames in prop::collection::vec(arb_frame(), 1..4), chunk in 1usize..300) {
        // A loopback peer that sends back whatever it receives.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let echo = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 || s.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        });
        let target = Target::parse(&format!("ws://{addr}/")).unwrap();
        let mut ctx = Ctx::new(&target, Instant::now() + Duration::from_secs(10));
        let mut conn = ctx.connect().unwrap();
        let bytes: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
        conn.send_chunked(&bytes, chunk).unwrap();
        let mut back = Vec::new();
        for _ in &frames {
            back.push(conn.read_frame(1 << 20).unwrap());
        }
        conn.shutdown_write();
        drop(conn);
        echo.join().unwrap();
        prop_assert_eq!(back, frames);
    }
}

/// Every header shape — minimal, 16- and 64-bit lengths, masked or not —
/// with payloads of 0 to 2 bytes: at most 16 bytes, so every one of the
/// 2^(n-1) ways to cut n bytes into reads can be tried.
#[test]
fn small_frames_read_back_in_every_chunking() {
    let mut tried = 0usize;
    for enc in [
        LenEncoding::Minimal,
        LenEncoding::Bits16,
        LenEncoding::Bits64,
    ] {
        for mask in [None, Some([0x37, 0xfa, 0x21, 0x3d])] {
            for len in 0..=2u8 {
                let mut frame = Frame::new(0x1, vec![b'a' + len; usize::from(len)])
                    .fin(len != 1)
                    .rsv(len)
                    .len_encoding(enc);
                frame.mask = mask;
                let bytes = frame.encode();
                let n = bytes.len();
                assert!(n <= 16, "{n} bytes");
                for ends in common::every_chunking(n) {
                    assert_eq!(
                        common::decode_piecewise(&bytes, &ends, 1 << 20),
                        Ok(vec![frame.clone()]),
                        "{enc:?}, mask {mask:?}, {len}-byte payload, reads ending at {ends:?}"
                    );
                    tried += 1;
                }
            }
        }
    }
    assert!(tried > 60_000, "{tried} chunkings");
}

/// Two frames back to back (a ping inside a fragmented message), cut every
/// possible way: a read may end inside the first, at the boundary or inside
/// the second.
#[test]
fn two_frames_read_back_in_every_chunking() {
    let frames = vec![
        Frame::new(0x1, b"ab".to_vec())
            .fin(false)
            .masked([1, 2, 3, 4]),
        Frame::new(0x9, b"p".to_vec()).masked([5, 6, 7, 8]),
        Frame::new(0x0, Vec::new()),
    ];
    let bytes: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
    let n = bytes.len();
    assert!(n <= 20, "{n} bytes");
    for ends in common::every_chunking(n) {
        assert_eq!(
            common::decode_piecewise(&bytes, &ends, 1 << 20),
            Ok(frames.clone()),
            "reads ending at {ends:?}"
        );
    }
}

/// `Conn::send_stream` builds frames piece by piece in one reused buffer,
/// masking each piece at its offset, and writes them in pieces of the given
/// size: the bytes a peer receives are the crafter's, and read back as the
/// masked frames. Sizes straddle the 256 KiB block, fragments and write sizes
/// are not multiples of 4, so the key's phase must carry over.
#[test]
fn streamed_frames_are_the_crafted_bytes() {
    const BLOCK: usize = 256 * 1024;
    let key = [0x37, 0xfa, 0x21, 0x3d];
    for (len, fragment, write) in [
        (0, 1, BLOCK),
        (1, 1, BLOCK),
        (125, 125, 7),
        (65_536, 1300, BLOCK),
        (BLOCK - 1, BLOCK, BLOCK),
        (BLOCK, 64, BLOCK),
        (BLOCK + 1, BLOCK + 1, 997),
        (2 * BLOCK + 3, 5, 64),
    ] {
        let payload: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        let pieces: Vec<&[u8]> = if payload.is_empty() {
            vec![&[]]
        } else {
            payload.chunks(fragment).collect()
        };
        let frames: Vec<Frame> = pieces
            .iter()
            .enumerate()
            .map(|(k, p)| {
                Frame::new(if k == 0 { 0x2 } else { 0x0 }, p.to_vec()).fin(k + 1 == pieces.len())
            })
            .collect();
        // A loopback peer that keeps everything until the suite's FIN.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut got = Vec::new();
            s.read_to_end(&mut got).unwrap();
            got
        });
        let target = Target::parse(&format!("ws://{addr}/")).unwrap();
        let mut ctx = Ctx::new(&target, Instant::now() + Duration::from_secs(10));
        let mut conn = ctx.connect().unwrap();
        let parts = frames
            .iter()
            .map(|f| (f.first_byte(), f.payload.as_slice()));
        conn.send_stream(parts, Some(key), write).unwrap();
        conn.shutdown_write();
        drop(conn);
        let got = peer.join().unwrap();
        let want: Vec<u8> = frames
            .iter()
            .flat_map(|f| f.encode_with(Some(key)))
            .collect();
        assert!(got == want, "{len}-byte payload: other bytes");
        let masked: Vec<Frame> = frames.into_iter().map(|f| f.masked(key)).collect();
        assert_eq!(
            common::decode_piecewise(&got, &[], 1 << 22),
            Ok(masked),
            "{len}-byte payload"
        );
    }
}
