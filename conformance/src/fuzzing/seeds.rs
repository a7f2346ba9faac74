//! Seed corpora for the fuzz targets, made from the vectors
//! ([fuzz/README.md](../../../fuzz/README.md#seeds)).

use crate::wire::close_code;
use crate::wire::frame::{opcode, Frame, LenEncoding};
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use voxproof_reference::g711::{wav, Codec};
use voxproof_reference::voice::protocol::{Event, Participant};
use voxproof_vectors::g711::Law;

/// The targets of `fuzz/`, in the order the README lists them.
pub const TARGETS: [&str; 9] = [
    "handshake_request",
    "handshake_response",
    "frame_reader",
    "server_stream",
    "jwt_verify",
    "g711",
    "voice_control",
    "adapter_protocol",
    "live_oracle",
];

/// Every target's seeds, deduplicated, keyed by target name.
pub fn seeds() -> BTreeMap<&'static str, Vec<Vec<u8>>> {
    let mut out = BTreeMap::new();
    out.insert("handshake_request", handshake_request());
    out.insert("handshake_response", handshake_response());
    out.insert("frame_reader", frame_reader());
    out.insert("server_stream", server_stream());
    out.insert(
        "jwt_verify",
        voxproof_reference::fuzzing::jwt_verify::seeds(),
    );
    out.insert("g711", g711());
    out.insert("voice_control", voice_control());
    out.insert(
        "adapter_protocol",
        crate::fuzzing::adapter_protocol::seeds(),
    );
    out.insert("live_oracle", live_oracle());
    for seeds in out.values_mut() {
        seeds.sort();
        seeds.dedup();
    }
    out
}

/// The file name of a seed: the SHA-1 of its bytes, in hex.
pub fn file_name(seed: &[u8]) -> String {
    Sha1::digest(seed)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `fuzz/` in a source checkout.
pub fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Seeds missing from `corpus` (a `fuzz/corpus`), as `target/name`.
pub fn missing(corpus: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (target, seeds) in seeds() {
        for seed in seeds {
            let name = file_name(&seed);
            if std::fs::read(corpus.join(target).join(&name)).ok().as_ref() != Some(&seed) {
                out.push(format!("{target}/{name}"));
            }
        }
    }
    out
}

/// Files of `corpus` that are no seed (inputs a fuzzer added), as `target/name`.
pub fn extra(corpus: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (target, seeds) in seeds() {
        let names: Vec<String> = seeds.iter().map(|s| file_name(s)).collect();
        let Ok(entries) = std::fs::read_dir(corpus.join(target)) else {
            continue;
        };
        let mut found: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| !names.contains(n))
            .map(|n| format!("{target}/{n}"))
            .collect();
        found.sort();
        out.extend(found);
    }
    out
}

/// Writes every seed under `corpus`; returns how many files were written.
pub fn write(corpus: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    for (target, seeds) in seeds() {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir)?;
        for seed in seeds {
            let path = dir.join(file_name(&seed));
            if std::fs::read(&path).ok().as_ref() != Some(&seed) {
                std::fs::write(&path, &seed)?;
                written += 1;
            }
        }
    }
    Ok(written)
}

fn handshake_request() -> Vec<Vec<u8>> {
    voxproof_vectors::handshake_server()
        .tests()
        .map(|t| t.request_for("127.0.0.1:9001", "/echo"))
        .collect()
}

fn handshake_response() -> Vec<Vec<u8>> {
    voxproof_vectors::handshake_client()
        .tests()
        .map(|t| {
            let head = format!(
                "{}\n{}\n{}\n",
                t.key,
                t.protocols.join(", "),
                t.extensions.join(", ")
            );
            [head.into_bytes(), voxproof_vectors::octets(&t.response)].concat()
        })
        .collect()
}

/// The frames of `frames/client.json` as they are (masked) and unmasked.
fn client_frame_vectors() -> Vec<(Vec<u8>, Vec<u8>)> {
    use voxproof_vectors::frames::unhex;
    voxproof_vectors::frames_client()
        .tests()
        .map(|t| {
            let unmasked: Vec<u8> = t
                .decoded
                .iter()
                .flatten()
                .flat_map(|d| {
                    let encoding = match d.length_bits {
                        16 => LenEncoding::Bits16,
                        64 => LenEncoding::Bits64,
                        _ => LenEncoding::Minimal,
                    };
                    Frame::new(d.opcode, unhex(&d.payload))
                        .fin(d.fin)
                        .rsv(d.rsv)
                        .len_encoding(encoding)
                        .encode()
                })
                .collect();
            (unhex(&t.bytes), unmasked)
        })
        .collect()
}

fn frame_reader() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (masked, unmasked) in client_frame_vectors() {
        out.push(masked);
        if !unmasked.is_empty() {
            out.push(unmasked);
        }
    }
    // What servers send: replies, closes, and the malformed lengths a
    // hostile one might.
    let frames = [
        Frame::new(opcode::TEXT, "Hello"),
        Frame::new(opcode::BINARY, vec![0xFF; 160]),
        Frame::new(opcode::PONG, "ping"),
        Frame::close(Some(close_code::NORMAL), b""),
        Frame::close(Some(close_code::PROTOCOL_ERROR), b"protocol error"),
        Frame::new(opcode::TEXT, "Hel").fin(false),
        Frame::new(opcode::BINARY, vec![7; 300]).len_encoding(LenEncoding::Bits64),
        Frame::new(opcode::TEXT, "x").len_encoding(LenEncoding::Bits16),
    ];
    let all: Vec<u8> = frames.iter().flat_map(Frame::encode).collect();
    out.push(all);
    for f in &frames {
        out.push(f.encode());
    }
    // 64-bit length with the top bit set; a length over the 64 KiB limit.
    out.push(vec![0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 1]);
    out.push(vec![0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]);
    out
}

const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn masked(frames: &[Frame]) -> Vec<u8> {
    frames
        .iter()
        .flat_map(|f| f.encode_with(Some(MASK)))
        .collect()
}

/// `live_oracle`: the generator's random bytes, so seeds are byte strings
/// from a fixed sequence (each a different conversation) and the empty one.
fn live_oracle() -> Vec<Vec<u8>> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    };
    let mut out = vec![Vec::new()];
    for len in [64, 256, 512, 1024, 2048, 4096] {
        for _ in 0..4 {
            out.push((0..len).map(|_| next()).collect());
        }
    }
    out
}

fn server_stream() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // Plain echo: every client frame vector.
    for (bytes, _) in client_frame_vectors() {
        out.push([vec![0], bytes].concat());
    }
    // Voice echo, µ-law (1) and A-law (2).
    let voice = [
        vec![Frame::new(opcode::BINARY, vec![0xFF; 160])],
        vec![
            Frame::new(
                opcode::BINARY,
                (0..160).map(|i| i as u8).collect::<Vec<u8>>(),
            ),
            Frame::new(opcode::PING, "p"),
            Frame::new(opcode::BINARY, vec![0xD5; 160]),
            Frame::close(Some(close_code::NORMAL), b""),
        ],
        vec![Frame::new(opcode::TEXT, "hello")],
        vec![Frame::new(opcode::BINARY, vec![0xFF; 80])],
        vec![
            Frame::new(opcode::BINARY, vec![0x55; 100]).fin(false),
            Frame::new(opcode::CONTINUATION, vec![0x55; 60]),
        ],
    ];
    for (i, frames) in voice.iter().enumerate() {
        let choice = 1 + (i % 2) as u8;
        out.push([vec![choice], masked(frames)].concat());
    }
    // Over the harness's caps: a 1 KiB + 1 frame; a 2 KiB + 1 message.
    out.push(
        [
            vec![0],
            masked(&[Frame::new(opcode::BINARY, vec![1; 1025])]),
        ]
        .concat(),
    );
    let fragments = [
        Frame::new(opcode::BINARY, vec![2; 1000]).fin(false),
        Frame::new(opcode::CONTINUATION, vec![2; 1000]).fin(false),
        Frame::new(opcode::CONTINUATION, vec![2; 49]),
    ];
    out.push([vec![0], masked(&fragments)].concat());
    out
}

fn le_bytes(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

fn g711() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    // Each test's samples; the codes of all tests of a file as one input
    // (each is a handful of codes, and every input is also read as codes).
    for law in [voxproof_vectors::g711_pcmu(), voxproof_vectors::g711_pcma()] {
        for t in law.tests() {
            out.push(le_bytes(&t.samples));
        }
        out.push(law.tests().flat_map(|t| t.code_bytes()).collect());
    }
    let transcode = voxproof_vectors::g711_transcode();
    for from in [Law::Pcmu, Law::Pcma] {
        let codes = transcode.tests().filter(|t| t.from == from);
        out.push(codes.flat_map(|t| t.input_bytes()).collect());
    }
    // Short WAV files of each encoding, and the start of each fixture file
    // (a header whose data chunk is cut short).
    for f in voxproof_vectors::g711::WAV_FIXTURES {
        let audio = wav::read(f.pcm16).expect("the fixtures read");
        let samples: Vec<i16> = audio.to_linear().into_iter().take(240).collect();
        out.push(wav::write_pcm16(&samples));
        for codec in Codec::ALL {
            out.push(wav::write_g711(codec, &codec.encode_vec(&samples)));
        }
        for file in [f.pcm16, f.pcmu, f.pcma] {
            out.push(file[..file.len().min(96)].to_vec());
        }
    }
    out
}

fn voice_control() -> Vec<Vec<u8>> {
    let participant = |id: &str, codec: &str| Participant {
        id: id.into(),
        codec: codec.into(),
    };
    let events = [
        Event::Participants {
            room: "standup".into(),
            you: "p2".into(),
            participants: vec![participant("p1", "pcmu"), participant("p2", "pcma")],
        },
        Event::Joined {
            room: "standup".into(),
            participant: participant("p2", "pcma"),
        },
        Event::Left {
            room: "standup".into(),
            participant: "p2".into(),
        },
        Event::error(
            "frame-size",
            "binary message of 80 bytes; a frame is 160 bytes (20 ms of G.711)",
        ),
        Event::error(
            "unsupported-message",
            "clients send no control messages; text is ignored",
        ),
    ];
    let mut out: Vec<Vec<u8>> = events.iter().map(|e| e.to_json().into_bytes()).collect();
    let texts = [
        // An event with a member this version does not define.
        r#"{"type":"left","room":"r","participant":"p1","reason":"timeout"}"#,
        "/rooms/standup?codec=pcma",
        "/rooms/standup",
        "/rooms/standup?codec=opus",
        "/rooms/standup?codec=PCMU&x=1",
        "/rooms/granted?codec=pcmu",
        "/rooms/a/b?codec=pcmu",
        "/rooms/x?codec=pcmu&codec=pcma",
        "/echo?codec=pcmu",
        "/echo?codec=",
        "/echo",
        "/echo?co%64ec=pcm%75",
        // `rooms` claims.
        r#""*""#,
        r#"["standup","granted"]"#,
        "[1]",
    ];
    out.extend(texts.iter().map(|t| t.as_bytes().to_vec()));
    out
}
