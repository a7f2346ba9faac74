//! Conversations `voxproof fuzz` sends: a handshake, then frames cut into writes with pauses
//! ([docs/fuzzing-servers.md](../../../docs/fuzzing-servers.md#strategies)).

use crate::wire::frame::{opcode, Frame, LenEncoding};
use proptest::collection::vec;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

/// The opening handshake of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Handshake {
    /// A valid request (RFC 6455 §1.3's key): the target must answer 101.
    Valid,
    /// No `Sec-WebSocket-Key`.
    MissingKey,
    /// A `Sec-WebSocket-Key` that is not 16 bytes in base64.
    InvalidKey { key: String },
    /// A `Sec-WebSocket-Version` other than 13.
    WrongVersion { version: String },
    /// A method other than GET.
    BadMethod { method: String },
}

impl Handshake {
    /// The request, for a target at `host` and `path` (a valid one comes from the engine).
    pub fn request(&self, host: &str, path: &str) -> Vec<u8> {
        const KEY: &str = crate::cases::handshake::open::RFC_KEY;
        let (method, key, version) = match self {
            Handshake::Valid => ("GET", Some(KEY), "13"),
            Handshake::MissingKey => ("GET", None, "13"),
            Handshake::InvalidKey { key } => ("GET", Some(key.as_str()), "13"),
            Handshake::WrongVersion { version } => ("GET", Some(KEY), version.as_str()),
            Handshake::BadMethod { method } => (method.as_str(), Some(KEY), "13"),
        };
        let key = key.map_or(String::new(), |k| format!("Sec-WebSocket-Key: {k}\r\n"));
        format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             {key}Sec-WebSocket-Version: {version}\r\n\r\n"
        )
        .into_bytes()
    }

    /// In words, for reports.
    pub fn describe(&self) -> String {
        match self {
            Handshake::Valid => "a valid handshake".into(),
            Handshake::MissingKey => "a handshake without Sec-WebSocket-Key".into(),
            Handshake::InvalidKey { key } => {
                format!("a handshake with Sec-WebSocket-Key \"{key}\"")
            }
            Handshake::WrongVersion { version } => {
                format!("a handshake with Sec-WebSocket-Version {version}")
            }
            Handshake::BadMethod { method } => format!("a handshake with method {method}"),
        }
    }
}

/// One frame as sent: the frame (its mask, or none for an unmasked one),
/// where its bytes are cut into writes, and the pause after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub frame: Frame,
    /// Offsets into the encoded frame where a new write starts (taken modulo its length).
    pub cuts: Vec<u16>,
    /// Milliseconds of silence after the frame's last byte.
    pub pause_ms: u8,
}

/// A whole conversation, as generated (and shrunk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub handshake: Handshake,
    pub pieces: Vec<Piece>,
}

/// One write of the client's byte stream and the pause after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Write {
    #[serde(with = "b64")]
    pub bytes: Vec<u8>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub pause_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

mod b64 {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("bytes are not base64: {e}")))
    }
}

impl Conversation {
    /// The client's byte stream after the handshake, as writes.
    pub fn writes(&self) -> Vec<Write> {
        let mut out = Vec::new();
        for p in &self.pieces {
            let bytes = p.frame.encode();
            let mut cuts: Vec<usize> = p
                .cuts
                .iter()
                .map(|c| usize::from(*c) % bytes.len().max(1))
                .filter(|c| *c > 0)
                .collect();
            cuts.sort_unstable();
            cuts.dedup();
            let mut start = 0;
            for c in cuts.into_iter().chain([bytes.len()]) {
                out.push(Write {
                    bytes: bytes[start..c].to_vec(),
                    pause_ms: 0,
                });
                start = c;
            }
            if let Some(last) = out.last_mut() {
                last.pause_ms = u64::from(p.pause_ms);
            }
        }
        out
    }

    /// The frames in words, one line each.
    pub fn describe(&self) -> Vec<String> {
        self.pieces
            .iter()
            .map(|p| describe_frame(&p.frame))
            .collect()
    }
}

/// All bytes of `writes`, joined.
pub fn stream(writes: &[Write]) -> Vec<u8> {
    writes
        .iter()
        .flat_map(|w| w.bytes.iter().copied())
        .collect()
}

/// A frame in words: `text "hé" (2 of 3 bytes) masked, FIN`.
pub fn describe_frame(f: &Frame) -> String {
    let name = match f.opcode {
        opcode::CONTINUATION => "continuation".to_string(),
        opcode::TEXT => "text".into(),
        opcode::BINARY => "binary".into(),
        opcode::CLOSE => "close".into(),
        opcode::PING => "ping".into(),
        opcode::PONG => "pong".into(),
        other => format!("opcode {other:#x}"),
    };
    let body = if f.opcode == opcode::CLOSE && f.payload.len() >= 2 {
        format!(
            "code {} reason {}",
            u16::from_be_bytes([f.payload[0], f.payload[1]]),
            show(&f.payload[2..])
        )
    } else {
        show(&f.payload)
    };
    let mut flags = vec![if f.fin { "FIN" } else { "no FIN" }.to_string()];
    if f.mask.is_none() {
        flags.push("unmasked".into());
    }
    if f.rsv != 0 {
        flags.push(format!("RSV {:03b}", f.rsv));
    }
    match f.len_encoding {
        LenEncoding::Minimal => {}
        LenEncoding::Bits16 => flags.push("16-bit length".into()),
        LenEncoding::Bits64 => flags.push("64-bit length".into()),
    }
    format!("{name} {body} ({})", flags.join(", "))
}

/// Bytes as text when they are short UTF-8, else as hex or a length.
pub fn show(p: &[u8]) -> String {
    match std::str::from_utf8(p) {
        _ if p.len() > 32 => format!("{} bytes", p.len()),
        Ok(t) => format!("\"{}\"", t.escape_debug()),
        Err(_) => format!(
            "0x{}",
            p.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
    }
}

// ---- strategies ----

/// Byte sequences that are never UTF-8 (RFC 3629): a stray byte, an
/// overlong form, a surrogate, past U+10FFFF, a cut sequence, a lone continuation.
const INVALID_UTF8: &[&[u8]] = &[
    &[0xff],
    &[0xc0, 0x80],
    &[0xed, 0xa0, 0x80],
    &[0xf4, 0x90, 0x80, 0x80],
    &[0xe2, 0x82],
    &[0x80],
    &[0xf8, 0x88, 0x80, 0x80, 0x80],
];

/// Close codes a target must accept (RFC 6455 §7.4.1, §7.4.2, and the IANA registry).
const VALID_CODES: &[u16] = &[
    1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
];
/// Close codes that may not be sent (§7.4).
const INVALID_CODES: &[u16] = &[
    0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
];

/// A small deterministic stream of numbers: payloads come from a length and
/// a seed, so shrinking halves a length instead of removing bytes one by one.
fn numbers(seed: u64) -> impl Iterator<Item = u64> {
    let mut x = seed | 1;
    std::iter::repeat_with(move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    })
}

/// `n` bytes from `seed`.
fn bytes(len: impl Strategy<Value = usize>) -> impl Strategy<Value = Vec<u8>> {
    (len, any::<u64>().no_shrink())
        .prop_map(|(n, seed)| numbers(seed).take(n).map(|x| x as u8).collect())
}

/// `n` characters from `seed`: ASCII, and two-, three- and four-byte forms.
fn chars(len: impl Strategy<Value = usize>) -> impl Strategy<Value = Vec<u8>> {
    (len, any::<u64>().no_shrink()).prop_map(|(n, seed)| {
        let pick = |x: u64| -> char {
            let (lo, hi) = match x % 10 {
                0..=4 => (0x20, 0x7f),
                5 | 6 => (0x80, 0x800),
                7 | 8 => (0x800, 0x10000),
                _ => (0x10000, 0x110000),
            };
            char::from_u32(lo + ((x >> 8) as u32) % (hi - lo)).unwrap_or('\u{fffd}')
        };
        String::from_iter(numbers(seed).take(n).map(pick)).into_bytes()
    })
}

fn text_bytes() -> impl Strategy<Value = Vec<u8>> {
    let valid = chars(0usize..24);
    prop_oneof![
        8 => chars(0usize..24),
        2 => chars(40usize..120),
        1 => (valid, 0..INVALID_UTF8.len(), any::<u16>().no_shrink()).prop_map(|(mut v, bad, at)| {
            // Inserted between code points, so only `bad` breaks the text.
            let s = String::from_utf8(v.clone()).unwrap_or_default();
            let cuts: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
            let at = cuts[usize::from(at) % cuts.len()];
            v.splice(at..at, INVALID_UTF8[bad].iter().copied());
            v
        }),
    ]
}

fn binary_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        10 => bytes(0usize..40),
        3 => bytes(120usize..300),
        1 => bytes(65_530usize..65_600),
    ]
}

fn control_payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        30 => bytes(0usize..16),
        4 => bytes(120usize..=125),
        1 => bytes(126usize..140),
    ]
}

/// A ping or pong, rarely without FIN (which §5.5 forbids).
fn control() -> impl Strategy<Value = Frame> {
    (
        prop_oneof![3 => Just(opcode::PING), 1 => Just(opcode::PONG)],
        control_payload(),
        prop_oneof![40 => Just(true), 1 => Just(false)],
    )
        .prop_map(|(op, p, fin)| Frame::new(op, p).fin(fin))
}

/// A message cut into fragments at `splits`, with control frames between them.
fn message(op: u8, payload: Vec<u8>, splits: Vec<u16>, between: Vec<(u16, Frame)>) -> Vec<Frame> {
    let mut at: Vec<usize> = splits
        .iter()
        .map(|s| usize::from(*s) % (payload.len() + 1))
        .collect();
    at.sort_unstable();
    let mut bounds = vec![0];
    bounds.extend(at);
    bounds.push(payload.len());
    let n = bounds.len() - 1;
    let mut frames: Vec<Frame> = (0..n)
        .map(|k| {
            let code = if k == 0 { op } else { opcode::CONTINUATION };
            Frame::new(code, payload[bounds[k]..bounds[k + 1]].to_vec()).fin(k + 1 == n)
        })
        .collect();
    for (pos, ctl) in between {
        if n > 1 {
            // Only strictly between fragments.
            let at = 1 + usize::from(pos) % (n - 1);
            let at = frames
                .iter()
                .enumerate()
                .filter(|(_, f)| !f.is_control())
                .nth(at)
                .map_or(frames.len(), |(i, _)| i);
            frames.insert(at, ctl);
        }
    }
    frames
}

fn close() -> impl Strategy<Value = Frame> {
    let reason = prop_oneof![
        6 => chars(0usize..12),
        2 => (0..INVALID_UTF8.len()).prop_map(|i| INVALID_UTF8[i].to_vec()),
        1 => (121usize..126).prop_map(|n| vec![b'*'; n]),
    ];
    prop_oneof![
        8 => ((0..VALID_CODES.len()), reason.clone())
            .prop_map(|(i, r)| Frame::close(Some(VALID_CODES[i]), &r)),
        1 => Just(Frame::new(opcode::CLOSE, Vec::new())),
        2 => ((0..INVALID_CODES.len()), reason)
            .prop_map(|(i, r)| Frame::close(Some(INVALID_CODES[i]), &r)),
        1 => any::<u8>().no_shrink().prop_map(|b| Frame::new(opcode::CLOSE, vec![b])),
    ]
}

/// One unit of a conversation: a message, a control frame, a close, or a
/// frame a server must refuse.
fn unit() -> impl Strategy<Value = Vec<Frame>> {
    let splits = || {
        prop_oneof![
            3 => Just(Vec::new()),
            2 => vec(any::<u16>().no_shrink(), 1..4),
        ]
    };
    let between = || {
        prop_oneof![
            3 => Just(Vec::new()),
            1 => vec((any::<u16>().no_shrink(), control()), 1..3),
        ]
    };
    let reserved = prop_oneof![3u8..=7, 11u8..=15];
    prop_oneof![
        12 => (text_bytes(), splits(), between())
            .prop_map(|(p, s, b)| message(opcode::TEXT, p, s, b)),
        8 => (binary_bytes(), splits(), between())
            .prop_map(|(p, s, b)| message(opcode::BINARY, p, s, b)),
        6 => control().prop_map(|f| vec![f]),
        2 => close().prop_map(|f| vec![f]),
        1 => (reserved, bytes(0usize..8)).prop_map(|(op, p)| vec![Frame::new(op, p)]),
        1 => (any::<bool>(), bytes(0usize..8))
            .prop_map(|(fin, p)| vec![Frame::new(opcode::CONTINUATION, p).fin(fin)]),
        1 => text_bytes().prop_map(|p| vec![Frame::new(opcode::TEXT, p).fin(false)]),
    ]
}

/// How one frame goes out beyond its mask: RSV bits, length encoding,
/// unmasked, cuts, pause. Mostly plain, which shrinking reaches in one step.
#[derive(Debug, Clone, Default)]
struct Sending {
    unmasked: bool,
    rsv: u8,
    len: Option<LenEncoding>,
    cuts: Vec<u16>,
    pause_ms: u8,
}

fn sending() -> impl Strategy<Value = ([u8; 4], Sending)> {
    let unusual = (
        prop_oneof![15 => Just(false), 1 => Just(true)],
        prop_oneof![8 => Just(0u8), 1 => 1u8..8],
        prop_oneof![
            4 => Just(None),
            1 => Just(Some(LenEncoding::Bits16)),
            1 => Just(Some(LenEncoding::Bits64)),
        ],
        prop_oneof![1 => Just(Vec::new()), 2 => vec(any::<u16>().no_shrink(), 1..4)],
        prop_oneof![1 => Just(0u8), 1 => 1u8..20],
    )
        .prop_map(|(unmasked, rsv, len, cuts, pause_ms)| Sending {
            unmasked,
            rsv,
            len,
            cuts,
            pause_ms,
        });
    (
        any::<[u8; 4]>().no_shrink(),
        prop_oneof![9 => Just(Sending::default()), 1 => unusual],
    )
}

/// Frames per unit at most: a message in four fragments with two control frames between.
const UNIT_FRAMES: usize = 6;

fn handshake() -> impl Strategy<Value = Handshake> {
    let keys = [
        "",
        "abc",
        "dGhlIHNhbXBsZSBub25jZQ",
        "AAAAAAAAAAAAAAAAAAAAAAAA",
        "!!!!!!!!!!!!!!!!!!!!!!==",
    ];
    // 8 is left out: some servers still speak hybi-08 (RFC 6455 lets them).
    let versions = ["0", "7", "12", "14", "99"];
    let methods = ["POST", "PUT", "HEAD", "DELETE"];
    prop_oneof![
        40 => Just(Handshake::Valid),
        1 => Just(Handshake::MissingKey),
        1 => (0..keys.len()).prop_map(move |i| Handshake::InvalidKey { key: keys[i].into() }),
        1 => (0..versions.len())
            .prop_map(move |i| Handshake::WrongVersion { version: versions[i].into() }),
        1 => (0..methods.len()).prop_map(move |i| Handshake::BadMethod { method: methods[i].into() }),
    ]
}

/// The strategy behind every generated conversation.
pub fn conversation() -> impl Strategy<Value = Conversation> {
    let unit = (unit(), vec(sending(), UNIT_FRAMES));
    (handshake(), vec(unit, 0..6)).prop_map(|(handshake, units)| {
        let pieces = units
            .into_iter()
            .flat_map(|(frames, sendings)| {
                frames
                    .into_iter()
                    .zip(sendings)
                    .map(|(mut frame, (key, s))| {
                        frame.mask = (!s.unmasked).then_some(key);
                        frame.rsv = s.rsv;
                        frame.len_encoding = s.len.unwrap_or(LenEncoding::Minimal);
                        Piece {
                            frame,
                            cuts: s.cuts,
                            pause_ms: s.pause_ms,
                        }
                    })
            })
            .collect();
        Conversation { handshake, pieces }
    })
}
