//! `vectors/frames/client.json`, written byte by byte from RFC 6455 §5.2's layout
//! ([docs/vectors.md](../../../docs/vectors.md#generated-files)).

use std::collections::BTreeMap;
use voxproof_vectors::frames::{hex, DecodedFrame, FrameTest, Reply};
use voxproof_vectors::{Envelope, Expected, Group};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A frame's bytes: FIN, RSV, opcode, MASK bit, the length in the chosen
/// width (7, 16 or 64 bits), the key, the masked payload.
fn frame(
    fin: bool,
    rsv: u8,
    opcode: u8,
    key: Option<[u8; 4]>,
    payload: &[u8],
    bits: u8,
) -> Vec<u8> {
    let mut b = vec![(u8::from(fin) << 7) | (rsv << 4) | opcode];
    let m = if key.is_some() { 0x80 } else { 0 };
    let len = payload.len() as u64;
    match bits {
        7 => b.push(m | len as u8),
        16 => {
            b.push(m | 126);
            b.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            b.push(m | 127);
            b.extend_from_slice(&len.to_be_bytes());
        }
    }
    if let Some(k) = key {
        b.extend_from_slice(&k);
        b.extend(payload.iter().enumerate().map(|(i, x)| x ^ k[i % 4]));
    } else {
        b.extend_from_slice(payload);
    }
    b
}

fn minimal_bits(len: usize) -> u8 {
    match len {
        0..=125 => 7,
        126..=65535 => 16,
        _ => 64,
    }
}

struct F {
    fin: bool,
    rsv: u8,
    opcode: u8,
    key: Option<[u8; 4]>,
    payload: Vec<u8>,
    bits: u8,
}

fn f(opcode: u8, payload: &[u8]) -> F {
    F {
        fin: true,
        rsv: 0,
        opcode,
        key: Some(KEY),
        payload: payload.to_vec(),
        bits: minimal_bits(payload.len()),
    }
}

impl F {
    fn fin(mut self, fin: bool) -> F {
        self.fin = fin;
        self
    }
    fn rsv(mut self, rsv: u8) -> F {
        self.rsv = rsv;
        self
    }
    fn key(mut self, key: Option<[u8; 4]>) -> F {
        self.key = key;
        self
    }
    fn bits(mut self, bits: u8) -> F {
        self.bits = bits;
        self
    }
    fn bytes(&self) -> Vec<u8> {
        frame(
            self.fin,
            self.rsv,
            self.opcode,
            self.key,
            &self.payload,
            self.bits,
        )
    }
    fn decoded(&self) -> DecodedFrame {
        DecodedFrame {
            fin: self.fin,
            rsv: self.rsv,
            opcode: self.opcode,
            mask: self.key.map(|k| hex(&k)),
            payload: hex(&self.payload),
            length_bits: self.bits,
        }
    }
}

fn reply(kind: &str, payload: &[u8]) -> Reply {
    Reply {
        kind: kind.into(),
        payload: hex(payload),
    }
}

struct Builder {
    id: u32,
    tests: Vec<FrameTest>,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        comment: &str,
        section: &str,
        frames: Vec<F>,
        result: Expected,
        replies: Option<Vec<Reply>>,
        codes: Option<Vec<u16>>,
        flags: &[&str],
    ) {
        self.id += 1;
        let bytes: Vec<u8> = frames.iter().flat_map(F::bytes).collect();
        self.tests.push(FrameTest {
            tc_id: self.id,
            comment: comment.into(),
            section: section.into(),
            bytes: hex(&bytes),
            decoded: Some(frames.iter().map(F::decoded).collect()),
            result,
            replies,
            close_codes: codes,
            flags: flags.iter().map(|s| s.to_string()).collect(),
        });
    }
    fn valid(
        &mut self,
        comment: &str,
        section: &str,
        frames: Vec<F>,
        replies: Vec<Reply>,
        flags: &[&str],
    ) {
        self.add(
            comment,
            section,
            frames,
            Expected::Valid,
            Some(replies),
            None,
            flags,
        );
    }
    fn invalid(
        &mut self,
        comment: &str,
        section: &str,
        frames: Vec<F>,
        codes: &[u16],
        flags: &[&str],
    ) {
        self.add(
            comment,
            section,
            frames,
            Expected::Invalid,
            None,
            Some(codes.to_vec()),
            flags,
        );
    }
}

pub fn build() -> Envelope<Group<FrameTest>> {
    let mut b = Builder {
        id: 0,
        tests: Vec::new(),
    };
    let hello = b"Hello".as_slice();

    // RFC 6455 §5.7, client side (masked): the RFC's own bytes.
    b.valid("RFC 6455 §5.7: a single-frame masked text message \"Hello\" (81 85 37 fa 21 3d 7f 9f 4d 51 58)", "RFC 6455 §5.7", vec![f(0x1, hello)], vec![reply("text", hello)], &["RfcExample"]);
    b.valid(
        "RFC 6455 §5.7: a masked ping \"Hello\" (89 85 37 fa 21 3d 7f 9f 4d 51 58)",
        "RFC 6455 §5.7",
        vec![f(0x9, hello)],
        vec![reply("pong", hello)],
        &["RfcExample"],
    );
    b.valid(
        "RFC 6455 §5.7's fragmented \"Hel\" + \"lo\", masked",
        "RFC 6455 §5.7",
        vec![f(0x1, b"Hel").fin(false), f(0x0, b"lo")],
        vec![reply("text", hello)],
        &["RfcExample", "Fragmented"],
    );
    let len256 = vec![0x42u8; 256];
    b.valid(
        "RFC 6455 §5.7: 256-byte binary message, 16-bit length (7E 01 00)",
        "RFC 6455 §5.7",
        vec![f(0x2, &len256)],
        vec![reply("binary", &len256)],
        &["RfcExample", "Length"],
    );
    let len64k = vec![0x42u8; 65536];
    b.valid(
        "RFC 6455 §5.7: 64 KiB binary message, 64-bit length (7F 00 00 00 00 00 01 00 00)",
        "RFC 6455 §5.7",
        vec![f(0x2, &len64k)],
        vec![reply("binary", &len64k)],
        &["RfcExample", "Length"],
    );

    // Length boundaries.
    for len in [0usize, 1, 125, 126, 127] {
        let p = vec![b'*'; len];
        b.valid(
            &format!(
                "text message of {len} bytes (minimal {}-bit length)",
                minimal_bits(len)
            ),
            "RFC 6455 §5.2",
            vec![f(0x1, &p)],
            vec![reply("text", &p)],
            &["Length"],
        );
    }
    // Non-minimal lengths: §5.2 tells the sender to be minimal and says nothing
    // of the receiver, so both echoing and failing are allowed.
    for (bits, name) in [(16u8, "16-bit"), (64, "64-bit")] {
        b.add(
            &format!("\"Hello\" with a non-minimal {name} length"),
            "RFC 6455 §5.2",
            vec![f(0x1, hello).bits(bits)],
            Expected::Acceptable,
            Some(vec![reply("text", hello)]),
            Some(vec![1002]),
            &["NonMinimalLength"],
        );
    }
    b.valid(
        "empty binary message",
        "RFC 6455 §5.6",
        vec![f(0x2, b"")],
        vec![reply("binary", b"")],
        &["Length"],
    );
    b.valid(
        "binary message that is not UTF-8 (binary data is not checked)",
        "RFC 6455 §5.6",
        vec![f(0x2, &[0xff, 0xfe, 0xc0, 0x80])],
        vec![reply("binary", &[0xff, 0xfe, 0xc0, 0x80])],
        &["Binary"],
    );
    b.valid(
        "text masked with the key 00 00 00 00",
        "RFC 6455 §5.3",
        vec![f(0x1, hello).key(Some([0; 4]))],
        vec![reply("text", hello)],
        &["Mask"],
    );
    b.valid(
        "ping with 125 bytes (the control-frame maximum)",
        "RFC 6455 §5.5",
        vec![f(0x9, &[0xfe; 125])],
        vec![reply("pong", &[0xfe; 125])],
        &["Control"],
    );
    b.valid(
        "unsolicited pong: no reply",
        "RFC 6455 §5.5.3",
        vec![f(0xA, b"beat")],
        vec![],
        &["Control"],
    );
    b.valid(
        "text in 3 fragments with a ping between the first two",
        "RFC 6455 §5.4",
        vec![
            f(0x1, b"frag").fin(false),
            f(0x9, b"p"),
            f(0x0, b"men").fin(false),
            f(0x0, b"ts"),
        ],
        vec![reply("pong", b"p"), reply("text", b"fragments")],
        &["Fragmented", "Control"],
    );
    b.valid(
        "text whose 4-byte UTF-8 character is split across fragments",
        "RFC 6455 §5.6",
        vec![f(0x1, &[0xf0, 0x9f]).fin(false), f(0x0, &[0x98, 0x80])],
        vec![reply("text", &[0xf0, 0x9f, 0x98, 0x80])],
        &["Fragmented", "Utf8"],
    );

    // Malformed shapes the cases send; §7.4.1 1002 unless noted.
    b.invalid(
        "unmasked text frame from a client",
        "RFC 6455 §5.1",
        vec![f(0x1, hello).key(None)],
        &[1002],
        &["Mask"],
    );
    b.invalid(
        "unmasked ping from a client",
        "RFC 6455 §5.1",
        vec![f(0x9, hello).key(None)],
        &[1002],
        &["Mask"],
    );
    for rsv in 1..=7u8 {
        b.invalid(
            &format!("text frame with RSV = {rsv} and no extension"),
            "RFC 6455 §5.2",
            vec![f(0x1, hello).rsv(rsv)],
            &[1002],
            &["Rsv"],
        );
    }
    for op in [3u8, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF] {
        b.invalid(
            &format!("frame with reserved opcode {op:#x}"),
            "RFC 6455 §5.2",
            vec![f(op, b"")],
            &[1002],
            &["Opcode"],
        );
    }
    b.invalid(
        "ping with 126 bytes",
        "RFC 6455 §5.5",
        vec![f(0x9, &[0xfe; 126])],
        &[1002],
        &["Control"],
    );
    b.invalid(
        "ping with FIN = 0 (fragmented control frame)",
        "RFC 6455 §5.5",
        vec![f(0x9, b"a").fin(false), f(0x0, b"b")],
        &[1002],
        &["Control", "Fragmented"],
    );
    b.invalid(
        "close with FIN = 0",
        "RFC 6455 §5.5",
        vec![f(0x8, &[0x03, 0xe8]).fin(false)],
        &[1002],
        &["Control", "Fragmented"],
    );
    b.invalid(
        "continuation with nothing to continue",
        "RFC 6455 §5.4",
        vec![f(0x0, hello)],
        &[1002],
        &["Fragmented"],
    );
    b.invalid(
        "a new text frame inside a fragmented text message",
        "RFC 6455 §5.4",
        vec![f(0x1, b"a").fin(false), f(0x1, b"b")],
        &[1002],
        &["Fragmented"],
    );
    b.invalid(
        "text message that is not UTF-8 (C0 80, an overlong NUL)",
        "RFC 6455 §8.1",
        vec![f(0x1, &[0xc0, 0x80])],
        &[1007],
        &["Utf8"],
    );
    b.invalid(
        "text message ending inside a UTF-8 sequence",
        "RFC 6455 §8.1",
        vec![f(0x1, &[0x61, 0xe2, 0x82])],
        &[1007],
        &["Utf8"],
    );
    b.invalid(
        "close with a 1-byte payload",
        "RFC 6455 §5.5.1",
        vec![f(0x8, &[0x03])],
        &[1002],
        &["Close"],
    );
    for code in [0u16, 999, 1004, 1005, 1006, 1015, 1016, 2999] {
        b.invalid(
            &format!("close with the invalid code {code}"),
            "RFC 6455 §7.4",
            vec![f(0x8, &code.to_be_bytes())],
            &[1002],
            &["Close"],
        );
    }
    let mut bad_reason = 1000u16.to_be_bytes().to_vec();
    bad_reason.extend_from_slice(&[0xce, 0xba, 0xed, 0xa0, 0x80]);
    b.invalid(
        "close whose reason is not UTF-8",
        "RFC 6455 §5.5.1",
        vec![f(0x8, &bad_reason)],
        &[1002, 1007],
        &["Close", "Utf8"],
    );

    // Bytes that are not a frame at all: the 64-bit length's top bit is set.
    b.id += 1;
    let mut msb = vec![0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 5];
    msb.extend_from_slice(&KEY);
    msb.extend(hello.iter().enumerate().map(|(i, x)| x ^ KEY[i % 4]));
    b.tests.push(FrameTest {
        tc_id: b.id,
        comment: "64-bit payload length with the most significant bit set".into(),
        section: "RFC 6455 §5.2".into(),
        bytes: hex(&msb),
        decoded: None,
        result: Expected::Invalid,
        replies: None,
        close_codes: Some(vec![1002, 1009]),
        flags: vec!["Length".into()],
    });

    let notes: BTreeMap<String, String> = [
        ("RfcExample", "Bytes of RFC 6455 §5.7's examples (client side, masked with 37 fa 21 3d)."),
        ("Length", "Payload length encodings and boundaries (RFC 6455 §5.2)."),
        ("NonMinimalLength", "A length in a wider encoding than needed: RFC 6455 §5.2 requires senders to use the minimal one and says nothing of receivers, so echoing and failing are both acceptable."),
        ("Binary", "Binary data, which is never checked as UTF-8."),
        ("Mask", "Client-to-server masking (RFC 6455 §5.1, §5.3)."),
        ("Control", "Control frames: at most 125 bytes, never fragmented, pings answered (RFC 6455 §5.5)."),
        ("Fragmented", "Fragmentation rules (RFC 6455 §5.4)."),
        ("Utf8", "Text must be valid UTF-8 across the whole message (RFC 6455 §5.6, §8.1); failing uses 1007."),
        ("Rsv", "Reserved bits without a negotiated extension (RFC 6455 §5.2)."),
        ("Opcode", "Reserved opcodes (RFC 6455 §5.2)."),
        ("Close", "Close frame bodies and status codes (RFC 6455 §5.5.1, §7.4)."),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Envelope {
        suite: "websocket-frames".into(),
        schema: "schema/frames.schema.json".into(),
        header: crate::header(&[
            "Layouts from RFC 6455 §5.2 (Base Framing Protocol), written out byte by byte by vectors/generator/src/frames.rs (no code shared with the runner's crafter or with tungstenite); the first tests reproduce RFC 6455 §5.7's examples.",
            "Expected behaviour from RFC 6455 §5.1–§5.6, §7.4 and §8.1 as each test's section says: `replies` for valid input (what an echo server sends back, messages reassembled), `closeCodes` for invalid input (the server must fail the connection; 1002 for protocol errors, 1007 for invalid UTF-8, §7.4.1).",
            "All client frames are masked with 37 fa 21 3d unless the test is about masking.",
        ]),
        number_of_tests: b.tests.len(),
        notes,
        test_groups: vec![Group { kind: "ClientFrames".into(), comment: "Frames a client sends after the opening handshake.".into(), tests: b.tests }],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc_6455_section_5_7_bytes() {
        let hello = super::frame(true, 0, 1, Some([0x37, 0xfa, 0x21, 0x3d]), b"Hello", 7);
        assert_eq!(
            hello,
            [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        );
        let ping = super::frame(true, 0, 9, Some([0x37, 0xfa, 0x21, 0x3d]), b"Hello", 7);
        assert_eq!(ping[..2], [0x89, 0x85]);
    }
}
