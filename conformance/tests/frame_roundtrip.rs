//! Law: any frame the crafter writes, the reader decodes back to the same
//! frame, whatever the chunking — fed piecewise in memory, and through a real
//! TCP connection written in arbitrary pieces.

mod common;

use proptest::prelude::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};
use voxproof_conformance::case::Ctx;
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
