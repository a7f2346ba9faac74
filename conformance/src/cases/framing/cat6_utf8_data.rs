//! Autobahn category 6 and extra UTF-8 cases as data, from Autobahn (Apache-2.0) and Markus Kuhn's
//! stress test (CC BY 4.0) ([docs/autobahn-utf8.md](../../../../docs/autobahn-utf8.md#sources)).

/// This file's path and text, for the origins of its rows.
pub const FILE: &str = file!();
pub const SOURCE: &str = include_str!("cat6_utf8_data.rs");

/// How the payload goes on the wire. Every frame is masked, as a client's must
/// be; [`Utf8Case::steps`] expands a case into the exact writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// One text frame with FIN set carrying the whole payload, one write.
    Whole,
    /// Autobahn's `sendMessage(payload, fragmentSize = n)`: a text frame and
    /// continuation frames of `n` payload bytes each. When the payload is no
    /// longer than `n` it is one frame, as `Whole`. When its length is a
    /// multiple of `n` (always so for `n == 1`) every piece goes with FIN clear
    /// and an empty continuation frame with FIN set ends the message; otherwise
    /// the last, shorter piece carries FIN. All frames are written at once.
    Fragments(usize),
    /// A text frame then continuation frames, the payload cut at these
    /// ascending offsets (a repeated offset makes an empty frame); FIN on the
    /// last frame only. All frames are written at once.
    FragmentsAt(&'static [usize]),
    /// 6.4.1, 6.4.2: three frames cut at `at` — text (FIN clear), continuation
    /// (FIN clear), continuation (FIN set) — with a pause before the second and
    /// the third (see [`FAIL_FAST_PAUSE_MS`] and [`Piece::Pause`]).
    FailFastFrames { at: [usize; 2] },
    /// 6.4.3, 6.4.4: one text frame with FIN clear whose header announces the
    /// whole payload length, its payload written in three chops cut at `at`
    /// with a pause before the second and the third, then an empty continuation
    /// frame with FIN set (Autobahn's `endMessage`).
    FailFastChops { at: [usize; 2] },
}

/// What Autobahn does once its last write is out, if the case has not ended
/// by then: it bounds how long the server has to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// `closeAfter`: start the closing handshake (a Close frame without code)
    /// after this many milliseconds.
    Close(u32),
    /// `killAfter`: fail the connection (Close 1001 "Going Away") after this
    /// many milliseconds; the server then counts as not having closed first.
    Kill(u32),
}

/// The expected result, from Autobahn's `expected` event lists and
/// `expectedClose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utf8Expect {
    /// OK when exactly one text message comes back, equal to the payload.
    /// Autobahn then sends Close 1000 and wants a clean closing handshake:
    /// a Close back with 1000 or no code, and the TCP connection closed.
    Echo,
    /// OK when no message comes back and the server fails the connection
    /// first: a Close with 1007 or without a code, or only closing TCP (a
    /// clean close is not required). Any echoed message, or the server leaving
    /// the connection open until [`After::Kill`], is FAILED; a Close with
    /// another code is "WRONG CODE". There is no NON-STRICT outcome: every
    /// frame is already written when the server can first judge.
    Fail,
    /// 6.4.x: as `Fail`, graded by when the server fails. OK when it fails
    /// after the second part and before the third is written (Autobahn's
    /// events: timeout "A"); NON-STRICT when it fails only after the third
    /// (events "A", "B"); FAILED when it fails already after the first part,
    /// which is a valid prefix (no events), or never.
    FailFast,
}

/// One thing a runner does to reproduce a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// A whole frame. `opcode` is 0x1 (text) or 0x0 (continuation).
    Frame {
        opcode: u8,
        fin: bool,
        payload: &'static [u8],
    },
    /// Only a frame header announcing `len` payload bytes; they follow in
    /// `Data` steps, masked with this header's key, continuing its offset.
    Header { opcode: u8, fin: bool, len: usize },
    /// Payload bytes of the frame whose header is out.
    Data(&'static [u8]),
    /// Wait `ms` milliseconds. If the connection is still open (the server
    /// has not sent Close or dropped TCP), Autobahn records the event
    /// `("timeout", tag)` and goes on; otherwise it writes nothing more.
    Pause { ms: u32, tag: &'static str },
}

/// The pause between the parts of a 6.4.x message.
pub const FAIL_FAST_PAUSE_MS: u32 = 1000;

/// One Autobahn category 6 case (or one of `EXTRA`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utf8Case {
    /// The voxproof case id, written out in full: `framing.utf8.6_5_1`,
    /// `framing.utf8.extra-1`.
    pub id: &'static str,
    /// Autobahn's case id, e.g. "6.5.1"; "extra-N" in `EXTRA`.
    pub autobahn: &'static str,
    /// What the case sends, in our words.
    pub description: &'static str,
    /// The text message's payload; for several frames or chops, their
    /// concatenation.
    pub payload: &'static [u8],
    /// Whether the whole payload is valid UTF-8 (Autobahn's label).
    pub valid: bool,
    /// How the payload is framed and written.
    pub send: Delivery,
    /// How long the server has once everything is written.
    pub after: After,
    /// Autobahn's verdict table where it differs from the default (valid:
    /// echo; invalid: fail with 1007, no NON-STRICT); empty otherwise.
    pub note: &'static str,
}

impl Utf8Case {
    /// The expected result; see [`Utf8Expect`].
    pub fn expect(&self) -> Utf8Expect {
        match (self.valid, self.send) {
            (true, _) => Utf8Expect::Echo,
            (false, Delivery::FailFastFrames { .. } | Delivery::FailFastChops { .. }) => {
                Utf8Expect::FailFast
            }
            (false, _) => Utf8Expect::Fail,
        }
    }

    /// The writes and pauses that reproduce the case, in order. The
    /// [`After`] deadline starts when they are done.
    pub fn steps(&self) -> Vec<Piece> {
        let p: &'static [u8] = self.payload;
        let frames = |cuts: &[usize]| {
            let mut bounds = vec![0];
            bounds.extend_from_slice(cuts);
            bounds.push(p.len());
            let last = bounds.len() - 2;
            (0..=last)
                .map(|i| Piece::Frame {
                    opcode: if i == 0 { 0x1 } else { 0x0 },
                    fin: i == last,
                    payload: &p[bounds[i]..bounds[i + 1]],
                })
                .collect::<Vec<_>>()
        };
        let pause = |tag| Piece::Pause {
            ms: FAIL_FAST_PAUSE_MS,
            tag,
        };
        match self.send {
            Delivery::Whole => frames(&[]),
            Delivery::Fragments(n) if p.len() <= n => frames(&[]),
            Delivery::Fragments(n) => {
                // Autobahn's loop cuts after every n bytes, so when n divides the
                // length the final cut is at the end and the last frame is empty.
                let cuts: Vec<usize> = (1..).map(|i| i * n).take_while(|&c| c <= p.len()).collect();
                frames(&cuts)
            }
            Delivery::FragmentsAt(cuts) => frames(cuts),
            Delivery::FailFastFrames { at } => {
                let mut steps = frames(&at);
                steps.insert(2, pause("B"));
                steps.insert(1, pause("A"));
                steps
            }
            Delivery::FailFastChops { at: [a, b] } => vec![
                Piece::Header {
                    opcode: 0x1,
                    fin: false,
                    len: p.len(),
                },
                Piece::Data(&p[..a]),
                pause("A"),
                Piece::Data(&p[a..b]),
                pause("B"),
                Piece::Data(&p[b..]),
                Piece::Frame {
                    opcode: 0x0,
                    fin: true,
                    payload: b"",
                },
            ],
        }
    }
}

/// Autobahn's subcategories of category 6: id, Autobahn's title, where the
/// sequences come from (sections of Kuhn's file, or Autobahn itself).
#[rustfmt::skip]
pub static GROUPS: &[(&str, &str, &str)] = &[
    ("6.1", "Valid UTF-8 with zero payload fragments", "Autobahn"),
    ("6.2", "Valid UTF-8 unfragmented, fragmented on code-points and within code-points", "Autobahn"),
    ("6.3", "Invalid UTF-8 differently fragmented", "Autobahn"),
    ("6.4", "Fail-fast on invalid UTF-8", "Autobahn"),
    ("6.5", "Some valid UTF-8 sequences", "Autobahn; 6.5.5 is Kuhn §1"),
    ("6.6", "All prefixes of a valid UTF-8 string that contains multi-byte code points", "Autobahn, from Kuhn §1"),
    ("6.7", "First possible sequence of a certain length", "Kuhn §2.1"),
    ("6.8", "First possible sequence length 5/6 (invalid codepoints)", "Kuhn §2.1"),
    ("6.9", "Last possible sequence of a certain length", "Kuhn §2.2, with §2.3's U+10FFFF as the 4-byte one"),
    ("6.10", "Last possible sequence length 4/5/6 (invalid codepoints)", "Kuhn §2.2"),
    ("6.11", "Other boundary conditions", "Kuhn §2.3"),
    ("6.12", "Unexpected continuation bytes", "Kuhn §3.1"),
    ("6.13", "Lonely start characters", "Kuhn §3.2"),
    ("6.14", "Sequences with last continuation byte missing", "Kuhn §3.3"),
    ("6.15", "Concatenation of incomplete sequences", "Kuhn §3.4"),
    ("6.16", "Impossible bytes", "Kuhn §3.5"),
    ("6.17", "Examples of an overlong ASCII character", "Kuhn §4.1"),
    ("6.18", "Maximum overlong sequences", "Kuhn §4.2"),
    ("6.19", "Overlong representation of the NUL character", "Kuhn §4.3"),
    ("6.20", "Single UTF-16 surrogates", "Kuhn §5.1"),
    ("6.21", "Paired UTF-16 surrogates", "Kuhn §5.2"),
    ("6.22", "Non-character code points (valid UTF-8)", "Kuhn §5.3, extended to all planes by Autobahn"),
    ("6.23", "Unicode specials (i.e. replacement char)", "Autobahn (Unicode Specials block)"),
];

/// The generated cases 6.5–6.23: the payload alone in one text frame; the
/// fuzzer kills the connection 0.5 s after writing it.
const fn one_frame(
    id: &'static str,
    autobahn: &'static str,
    description: &'static str,
    payload: &'static [u8],
    valid: bool,
) -> Utf8Case {
    Utf8Case {
        id,
        autobahn,
        description,
        payload,
        valid,
        send: Delivery::Whole,
        after: After::Kill(500),
        note: "",
    }
}

/// κόσμε, the word Autobahn uses throughout (Kuhn §1); its ό is U+1F79
/// (3 bytes), not U+03CC.
const KOSME: &[u8] = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
/// "Hello-µ@ßöäüàá-UTF-8!!" as Autobahn's source file spells it (UTF-8).
const HELLO: &[u8] = b"Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!";
/// κόσμε, the surrogate U+D800 (ED A0 80), "edited": invalid at offset 12.
const KOSME_SURROGATE: &[u8] = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited";
/// κόσμε, the pattern F4 90 80 80 (U+110000), "edited": invalid at offset 12.
const KOSME_ABOVE_MAX: &[u8] =
    b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80edited";

const FAIL_FAST_NOTE: &str = "OK: the server fails the connection (Close 1007 or no code) \
    after the 2nd part, before the 3rd is written (events: timeout A). NON-STRICT: it fails only \
    after the 3rd part (events: timeout A, timeout B). FAILED: it fails after the 1st, valid part, \
    echoes, or never fails.";

/// All 145 cases of Autobahn category 6, in Autobahn's order and numbering.
#[rustfmt::skip]
pub static CASES: &[Utf8Case] = &[
    // 6.1: empty payloads. The fuzzer closes (no code) 1 s after writing if no echo came.
    Utf8Case {
        id: "framing.utf8.6_1_1",
        autobahn: "6.1.1",
        description: "Empty text message in one frame",
        payload: b"",
        valid: true,
        send: Delivery::Whole,
        after: After::Close(1000),
        note: "",
    },
    Utf8Case {
        id: "framing.utf8.6_1_2",
        autobahn: "6.1.2",
        description: "Text message of three empty fragments",
        payload: b"",
        valid: true,
        send: Delivery::FragmentsAt(&[0, 0]),
        after: After::Close(1000),
        note: "",
    },
    Utf8Case {
        id: "framing.utf8.6_1_3",
        autobahn: "6.1.3",
        description: "Text message of three fragments: empty, \"middle frame payload\", empty",
        payload: b"middle frame payload",
        valid: true,
        send: Delivery::FragmentsAt(&[0, 20]),
        after: After::Close(1000),
        note: "",
    },
    // 6.2: valid text, whole and cut on and inside code points.
    Utf8Case {
        id: "framing.utf8.6_2_1",
        autobahn: "6.2.1",
        description: "Valid text \"Hello-µ@ßöäüàá-UTF-8!!\" in one frame",
        payload: HELLO,
        valid: true,
        send: Delivery::Whole,
        after: After::Close(1000),
        note: "",
    },
    Utf8Case {
        id: "framing.utf8.6_2_2",
        autobahn: "6.2.2",
        description: "The 6.2.1 text in two fragments, cut on a code point boundary (after \"ä\")",
        payload: HELLO,
        valid: true,
        send: Delivery::FragmentsAt(&[15]),
        after: After::Close(1000),
        note: "",
    },
    Utf8Case {
        id: "framing.utf8.6_2_3",
        autobahn: "6.2.3",
        description: "The 6.2.1 text in 1-byte fragments, so frames end inside 2-byte code points",
        payload: HELLO,
        valid: true,
        send: Delivery::Fragments(1),
        after: After::Close(1000),
        note: "",
    },
    Utf8Case {
        id: "framing.utf8.6_2_4",
        autobahn: "6.2.4",
        description: "\"κόσμε\" in 1-byte fragments, so frames end inside 2- and 3-byte code points",
        payload: KOSME,
        valid: true,
        send: Delivery::Fragments(1),
        after: After::Close(1000),
        note: "",
    },
    // 6.3: a surrogate inside otherwise valid text; the fuzzer kills 1 s after writing.
    Utf8Case {
        id: "framing.utf8.6_3_1",
        autobahn: "6.3.1",
        description: "\"κόσμε\", the surrogate U+D800 (ED A0 80), \"edited\" in one frame; invalid at offset 12 (0xA0)",
        payload: KOSME_SURROGATE,
        valid: false,
        send: Delivery::Whole,
        after: After::Kill(1000),
        note: "",
    },
    Utf8Case {
        id: "framing.utf8.6_3_2",
        autobahn: "6.3.2",
        description: "The 6.3.1 payload in 1-byte fragments",
        payload: KOSME_SURROGATE,
        valid: false,
        send: Delivery::Fragments(1),
        after: After::Kill(1000),
        note: "",
    },
    // 6.4: fail fast. The invalid byte is 0x90 at offset 12 (F4 90 would be above
    // U+10FFFF); the part before the cut is a valid prefix, so only a validator
    // that checks as bytes arrive can fail before the message ends.
    Utf8Case {
        id: "framing.utf8.6_4_1",
        autobahn: "6.4.1",
        description: "\"κόσμε\" | F4 90 80 80 (the pattern for U+110000) | \"edited\" as three frames with 1 s pauses",
        payload: KOSME_ABOVE_MAX,
        valid: false,
        send: Delivery::FailFastFrames { at: [11, 15] },
        after: After::Kill(1000),
        note: FAIL_FAST_NOTE,
    },
    Utf8Case {
        id: "framing.utf8.6_4_2",
        autobahn: "6.4.2",
        description: "As 6.4.1, cut as \"κόσμε\" F4 | 90 | 80 80 \"edited\": the 2nd frame is only the invalid byte",
        payload: KOSME_ABOVE_MAX,
        valid: false,
        send: Delivery::FailFastFrames { at: [12, 13] },
        after: After::Kill(1000),
        note: FAIL_FAST_NOTE,
    },
    Utf8Case {
        id: "framing.utf8.6_4_3",
        autobahn: "6.4.3",
        description: "As 6.4.1, but one frame whose payload is written in three chops with 1 s pauses",
        payload: KOSME_ABOVE_MAX,
        valid: false,
        send: Delivery::FailFastChops { at: [11, 15] },
        after: After::Kill(1000),
        note: FAIL_FAST_NOTE,
    },
    Utf8Case {
        id: "framing.utf8.6_4_4",
        autobahn: "6.4.4",
        description: "As 6.4.2, but one frame whose payload is written in three chops with 1 s pauses",
        payload: KOSME_ABOVE_MAX,
        valid: false,
        send: Delivery::FailFastChops { at: [12, 13] },
        after: After::Kill(1000),
        note: FAIL_FAST_NOTE,
    },
    // 6.5–6.23: Autobahn's generated cases (see GROUPS), one frame each.
    one_frame("framing.utf8.6_5_1", "6.5.1", "U+0024 (1 byte) between \"hello\" and \"world\"", b"hello$world", true),
    one_frame("framing.utf8.6_5_2", "6.5.2", "U+00A2 (2 bytes) between \"hello\" and \"world\"", b"hello\xc2\xa2world", true),
    one_frame("framing.utf8.6_5_3", "6.5.3", "U+20AC (3 bytes) between \"hello\" and \"world\"", b"hello\xe2\x82\xacworld", true),
    one_frame("framing.utf8.6_5_4", "6.5.4", "U+24B62 (4 bytes) between \"hello\" and \"world\"", b"hello\xf0\xa4\xad\xa2world", true),
    one_frame("framing.utf8.6_5_5", "6.5.5", "\"κόσμε\" (Greek \"cosmos\"), the sample word of Kuhn's section 1", b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", true),
    one_frame("framing.utf8.6_6_1", "6.6.1", "First 1 byte of \"κόσμε\": ends inside a code point", b"\xce", false),
    one_frame("framing.utf8.6_6_2", "6.6.2", "First 2 bytes of \"κόσμε\": ends on a code point boundary", b"\xce\xba", true),
    one_frame("framing.utf8.6_6_3", "6.6.3", "First 3 bytes of \"κόσμε\": ends inside a code point", b"\xce\xba\xe1", false),
    one_frame("framing.utf8.6_6_4", "6.6.4", "First 4 bytes of \"κόσμε\": ends inside a code point", b"\xce\xba\xe1\xbd", false),
    one_frame("framing.utf8.6_6_5", "6.6.5", "First 5 bytes of \"κόσμε\": ends on a code point boundary", b"\xce\xba\xe1\xbd\xb9", true),
    one_frame("framing.utf8.6_6_6", "6.6.6", "First 6 bytes of \"κόσμε\": ends inside a code point", b"\xce\xba\xe1\xbd\xb9\xcf", false),
    one_frame("framing.utf8.6_6_7", "6.6.7", "First 7 bytes of \"κόσμε\": ends on a code point boundary", b"\xce\xba\xe1\xbd\xb9\xcf\x83", true),
    one_frame("framing.utf8.6_6_8", "6.6.8", "First 8 bytes of \"κόσμε\": ends inside a code point", b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce", false),
    one_frame("framing.utf8.6_6_9", "6.6.9", "First 9 bytes of \"κόσμε\": ends on a code point boundary", b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc", true),
    one_frame("framing.utf8.6_6_10", "6.6.10", "First 10 bytes of \"κόσμε\": ends inside a code point", b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce", false),
    one_frame("framing.utf8.6_6_11", "6.6.11", "First 11 bytes of \"κόσμε\": ends on a code point boundary", b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", true),
    one_frame("framing.utf8.6_7_1", "6.7.1", "U+0000, the first 1-byte sequence", b"\x00", true),
    one_frame("framing.utf8.6_7_2", "6.7.2", "U+0080, the first 2-byte sequence", b"\xc2\x80", true),
    one_frame("framing.utf8.6_7_3", "6.7.3", "U+0800, the first 3-byte sequence", b"\xe0\xa0\x80", true),
    one_frame("framing.utf8.6_7_4", "6.7.4", "U+10000, the first 4-byte sequence", b"\xf0\x90\x80\x80", true),
    one_frame("framing.utf8.6_8_1", "6.8.1", "5-byte form of U+200000: UTF-8 stops at 4 bytes and U+10FFFF", b"\xf8\x88\x80\x80\x80", false),
    one_frame("framing.utf8.6_8_2", "6.8.2", "6-byte form of U+4000000: UTF-8 stops at 4 bytes and U+10FFFF", b"\xfc\x84\x80\x80\x80\x80", false),
    one_frame("framing.utf8.6_9_1", "6.9.1", "U+007F, the last 1-byte sequence", b"\x7f", true),
    one_frame("framing.utf8.6_9_2", "6.9.2", "U+07FF, the last 2-byte sequence", b"\xdf\xbf", true),
    one_frame("framing.utf8.6_9_3", "6.9.3", "U+FFFF, the last 3-byte sequence", b"\xef\xbf\xbf", true),
    one_frame("framing.utf8.6_9_4", "6.9.4", "U+10FFFF, the last 4-byte sequence, the highest code point", b"\xf4\x8f\xbf\xbf", true),
    one_frame("framing.utf8.6_10_1", "6.10.1", "4-byte pattern for U+1FFFFF: above U+10FFFF", b"\xf7\xbf\xbf\xbf", false),
    one_frame("framing.utf8.6_10_2", "6.10.2", "5-byte pattern for U+3FFFFFF: above U+10FFFF, and 5-byte forms are not UTF-8", b"\xfb\xbf\xbf\xbf\xbf", false),
    one_frame("framing.utf8.6_10_3", "6.10.3", "6-byte pattern for U+7FFFFFFF: above U+10FFFF, and 6-byte forms are not UTF-8", b"\xfd\xbf\xbf\xbf\xbf\xbf", false),
    one_frame("framing.utf8.6_11_1", "6.11.1", "U+D7FF, the last code point before the surrogates", b"\xed\x9f\xbf", true),
    one_frame("framing.utf8.6_11_2", "6.11.2", "U+E000, the first code point after the surrogates", b"\xee\x80\x80", true),
    one_frame("framing.utf8.6_11_3", "6.11.3", "U+FFFD, the replacement character", b"\xef\xbf\xbd", true),
    one_frame("framing.utf8.6_11_4", "6.11.4", "U+10FFFF, the highest code point", b"\xf4\x8f\xbf\xbf", true),
    one_frame("framing.utf8.6_11_5", "6.11.5", "4-byte pattern for U+110000: one above U+10FFFF", b"\xf4\x90\x80\x80", false),
    one_frame("framing.utf8.6_12_1", "6.12.1", "Lone continuation byte 0x80", b"\x80", false),
    one_frame("framing.utf8.6_12_2", "6.12.2", "Lone continuation byte 0xBF", b"\xbf", false),
    one_frame("framing.utf8.6_12_3", "6.12.3", "2 continuation bytes (80 BF alternating)", b"\x80\xbf", false),
    one_frame("framing.utf8.6_12_4", "6.12.4", "3 continuation bytes (80 BF alternating)", b"\x80\xbf\x80", false),
    one_frame("framing.utf8.6_12_5", "6.12.5", "4 continuation bytes (80 BF alternating)", b"\x80\xbf\x80\xbf", false),
    one_frame("framing.utf8.6_12_6", "6.12.6", "5 continuation bytes (80 BF alternating)", b"\x80\xbf\x80\xbf\x80", false),
    one_frame("framing.utf8.6_12_7", "6.12.7", "6 continuation bytes (80 BF alternating)", b"\x80\xbf\x80\xbf\x80\xbf", false),
    one_frame("framing.utf8.6_12_8", "6.12.8", "The 63 continuation bytes 0x80..=0xBE in a row (Kuhn lists 64; Autobahn's range stops before 0xBF)", b"\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe", false),
    one_frame("framing.utf8.6_13_1", "6.13.1", "Lead bytes of 2-byte sequences 0xC0..=0xDE, each followed by a space (Kuhn: up to 0xDF)", b"\xc0 \xc1 \xc2 \xc3 \xc4 \xc5 \xc6 \xc7 \xc8 \xc9 \xca \xcb \xcc \xcd \xce \xcf \xd0 \xd1 \xd2 \xd3 \xd4 \xd5 \xd6 \xd7 \xd8 \xd9 \xda \xdb \xdc \xdd \xde ", false),
    one_frame("framing.utf8.6_13_2", "6.13.2", "Lead bytes of 3-byte sequences 0xE0..=0xEE, each followed by a space (Kuhn: up to 0xEF)", b"\xe0 \xe1 \xe2 \xe3 \xe4 \xe5 \xe6 \xe7 \xe8 \xe9 \xea \xeb \xec \xed \xee ", false),
    one_frame("framing.utf8.6_13_3", "6.13.3", "Lead bytes of 4-byte sequences 0xF0..=0xF6, each followed by a space (Kuhn: up to 0xF7)", b"\xf0 \xf1 \xf2 \xf3 \xf4 \xf5 \xf6 ", false),
    one_frame("framing.utf8.6_13_4", "6.13.4", "Lead bytes of 5-byte patterns 0xF8..=0xFA, each followed by a space (Kuhn: up to 0xFB)", b"\xf8 \xf9 \xfa ", false),
    one_frame("framing.utf8.6_13_5", "6.13.5", "Lead byte 0xFC of a 6-byte pattern followed by a space (Kuhn: also 0xFD)", b"\xfc ", false),
    one_frame("framing.utf8.6_14_1", "6.14.1", "Pattern for 2-byte U+0000 with its last continuation byte missing", b"\xc0", false),
    one_frame("framing.utf8.6_14_2", "6.14.2", "Pattern for 3-byte U+0000 with its last continuation byte missing", b"\xe0\x80", false),
    one_frame("framing.utf8.6_14_3", "6.14.3", "Pattern for 4-byte U+0000 with its last continuation byte missing", b"\xf0\x80\x80", false),
    one_frame("framing.utf8.6_14_4", "6.14.4", "Pattern for 5-byte U+0000 with its last continuation byte missing", b"\xf8\x80\x80\x80", false),
    one_frame("framing.utf8.6_14_5", "6.14.5", "Pattern for 6-byte U+0000 with its last continuation byte missing", b"\xfc\x80\x80\x80\x80", false),
    one_frame("framing.utf8.6_14_6", "6.14.6", "Pattern for 2-byte U+07FF with its last continuation byte missing", b"\xdf", false),
    one_frame("framing.utf8.6_14_7", "6.14.7", "Pattern for 3-byte U+FFFF with its last continuation byte missing", b"\xef\xbf", false),
    one_frame("framing.utf8.6_14_8", "6.14.8", "Pattern for 4-byte U+1FFFFF with its last continuation byte missing", b"\xf7\xbf\xbf", false),
    one_frame("framing.utf8.6_14_9", "6.14.9", "Pattern for 5-byte U+3FFFFFF with its last continuation byte missing", b"\xfb\xbf\xbf\xbf", false),
    one_frame("framing.utf8.6_14_10", "6.14.10", "Pattern for 6-byte U+7FFFFFFF with its last continuation byte missing", b"\xfd\xbf\xbf\xbf\xbf", false),
    one_frame("framing.utf8.6_15_1", "6.15.1", "The ten truncated sequences of 6.14 concatenated", b"\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80\xfc\x80\x80\x80\x80\xdf\xef\xbf\xf7\xbf\xbf\xfb\xbf\xbf\xbf\xfd\xbf\xbf\xbf\xbf", false),
    one_frame("framing.utf8.6_16_1", "6.16.1", "Byte 0xFE, which never occurs in UTF-8", b"\xfe", false),
    one_frame("framing.utf8.6_16_2", "6.16.2", "Byte 0xFF, which never occurs in UTF-8", b"\xff", false),
    one_frame("framing.utf8.6_16_3", "6.16.3", "Bytes FE FE FF FF", b"\xfe\xfe\xff\xff", false),
    one_frame("framing.utf8.6_17_1", "6.17.1", "Overlong 2-byte form of \"/\" (U+002F)", b"\xc0\xaf", false),
    one_frame("framing.utf8.6_17_2", "6.17.2", "Overlong 3-byte form of \"/\" (U+002F)", b"\xe0\x80\xaf", false),
    one_frame("framing.utf8.6_17_3", "6.17.3", "Overlong 4-byte form of \"/\" (U+002F)", b"\xf0\x80\x80\xaf", false),
    one_frame("framing.utf8.6_17_4", "6.17.4", "Overlong 5-byte form of \"/\" (U+002F)", b"\xf8\x80\x80\x80\xaf", false),
    one_frame("framing.utf8.6_17_5", "6.17.5", "Overlong 6-byte form of \"/\" (U+002F)", b"\xfc\x80\x80\x80\x80\xaf", false),
    one_frame("framing.utf8.6_18_1", "6.18.1", "Overlong 2-byte form of U+007F (the largest value needing 1 byte)", b"\xc1\xbf", false),
    one_frame("framing.utf8.6_18_2", "6.18.2", "Overlong 3-byte form of U+07FF (the largest value needing 2 bytes)", b"\xe0\x9f\xbf", false),
    one_frame("framing.utf8.6_18_3", "6.18.3", "Overlong 4-byte form of U+FFFF (the largest value needing 3 bytes)", b"\xf0\x8f\xbf\xbf", false),
    one_frame("framing.utf8.6_18_4", "6.18.4", "Overlong 5-byte form of U+1FFFFF (the largest value needing 4 bytes)", b"\xf8\x87\xbf\xbf\xbf", false),
    one_frame("framing.utf8.6_18_5", "6.18.5", "Overlong 6-byte form of U+3FFFFFF (the largest value needing 5 bytes)", b"\xfc\x83\xbf\xbf\xbf\xbf", false),
    one_frame("framing.utf8.6_19_1", "6.19.1", "Overlong 2-byte form of NUL (U+0000)", b"\xc0\x80", false),
    one_frame("framing.utf8.6_19_2", "6.19.2", "Overlong 3-byte form of NUL (U+0000)", b"\xe0\x80\x80", false),
    one_frame("framing.utf8.6_19_3", "6.19.3", "Overlong 4-byte form of NUL (U+0000)", b"\xf0\x80\x80\x80", false),
    one_frame("framing.utf8.6_19_4", "6.19.4", "Overlong 5-byte form of NUL (U+0000)", b"\xf8\x80\x80\x80\x80", false),
    one_frame("framing.utf8.6_19_5", "6.19.5", "Overlong 6-byte form of NUL (U+0000)", b"\xfc\x80\x80\x80\x80\x80", false),
    one_frame("framing.utf8.6_20_1", "6.20.1", "Lone high surrogate U+D800 encoded as 3 bytes", b"\xed\xa0\x80", false),
    one_frame("framing.utf8.6_20_2", "6.20.2", "Lone high surrogate U+DB7F encoded as 3 bytes", b"\xed\xad\xbf", false),
    one_frame("framing.utf8.6_20_3", "6.20.3", "Lone high surrogate U+DB80 encoded as 3 bytes", b"\xed\xae\x80", false),
    one_frame("framing.utf8.6_20_4", "6.20.4", "Lone high surrogate U+DBFF encoded as 3 bytes", b"\xed\xaf\xbf", false),
    one_frame("framing.utf8.6_20_5", "6.20.5", "Lone low surrogate U+DC00 encoded as 3 bytes", b"\xed\xb0\x80", false),
    one_frame("framing.utf8.6_20_6", "6.20.6", "Lone low surrogate U+DF80 encoded as 3 bytes", b"\xed\xbe\x80", false),
    one_frame("framing.utf8.6_20_7", "6.20.7", "Lone low surrogate U+DFFF encoded as 3 bytes", b"\xed\xbf\xbf", false),
    one_frame("framing.utf8.6_21_1", "6.21.1", "Surrogate pair U+D800 U+DC00 encoded separately (CESU-8 style)", b"\xed\xa0\x80\xed\xb0\x80", false),
    one_frame("framing.utf8.6_21_2", "6.21.2", "Surrogate pair U+D800 U+DFFF encoded separately (CESU-8 style)", b"\xed\xa0\x80\xed\xbf\xbf", false),
    one_frame("framing.utf8.6_21_3", "6.21.3", "Surrogate pair U+DB7F U+DC00 encoded separately (CESU-8 style)", b"\xed\xad\xbf\xed\xb0\x80", false),
    one_frame("framing.utf8.6_21_4", "6.21.4", "Surrogate pair U+DB7F U+DFFF encoded separately (CESU-8 style)", b"\xed\xad\xbf\xed\xbf\xbf", false),
    one_frame("framing.utf8.6_21_5", "6.21.5", "Surrogate pair U+DB80 U+DC00 encoded separately (CESU-8 style)", b"\xed\xae\x80\xed\xb0\x80", false),
    one_frame("framing.utf8.6_21_6", "6.21.6", "Surrogate pair U+DB80 U+DFFF encoded separately (CESU-8 style)", b"\xed\xae\x80\xed\xbf\xbf", false),
    one_frame("framing.utf8.6_21_7", "6.21.7", "Surrogate pair U+DBFF U+DC00 encoded separately (CESU-8 style)", b"\xed\xaf\xbf\xed\xb0\x80", false),
    one_frame("framing.utf8.6_21_8", "6.21.8", "Surrogate pair U+DBFF U+DFFF encoded separately (CESU-8 style)", b"\xed\xaf\xbf\xed\xbf\xbf", false),
    one_frame("framing.utf8.6_22_1", "6.22.1", "Noncharacter U+FFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xef\xbf\xbe", true),
    one_frame("framing.utf8.6_22_2", "6.22.2", "Noncharacter U+FFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xef\xbf\xbf", true),
    one_frame("framing.utf8.6_22_3", "6.22.3", "Noncharacter U+1FFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf0\x9f\xbf\xbe", true),
    one_frame("framing.utf8.6_22_4", "6.22.4", "Noncharacter U+1FFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf0\x9f\xbf\xbf", true),
    one_frame("framing.utf8.6_22_5", "6.22.5", "Noncharacter U+2FFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf0\xaf\xbf\xbe", true),
    one_frame("framing.utf8.6_22_6", "6.22.6", "Noncharacter U+2FFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf0\xaf\xbf\xbf", true),
    one_frame("framing.utf8.6_22_7", "6.22.7", "Noncharacter U+3FFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf0\xbf\xbf\xbe", true),
    one_frame("framing.utf8.6_22_8", "6.22.8", "Noncharacter U+3FFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf0\xbf\xbf\xbf", true),
    one_frame("framing.utf8.6_22_9", "6.22.9", "Noncharacter U+4FFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf1\x8f\xbf\xbe", true),
    one_frame("framing.utf8.6_22_10", "6.22.10", "Noncharacter U+4FFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf1\x8f\xbf\xbf", true),
    one_frame("framing.utf8.6_22_11", "6.22.11", "Noncharacter U+5FFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf1\x9f\xbf\xbe", true),
    one_frame("framing.utf8.6_22_12", "6.22.12", "Noncharacter U+5FFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf1\x9f\xbf\xbf", true),
    one_frame("framing.utf8.6_22_13", "6.22.13", "Noncharacter U+6FFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf1\xaf\xbf\xbe", true),
    one_frame("framing.utf8.6_22_14", "6.22.14", "Noncharacter U+6FFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf1\xaf\xbf\xbf", true),
    one_frame("framing.utf8.6_22_15", "6.22.15", "Noncharacter U+7FFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf1\xbf\xbf\xbe", true),
    one_frame("framing.utf8.6_22_16", "6.22.16", "Noncharacter U+7FFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf1\xbf\xbf\xbf", true),
    one_frame("framing.utf8.6_22_17", "6.22.17", "Noncharacter U+8FFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf2\x8f\xbf\xbe", true),
    one_frame("framing.utf8.6_22_18", "6.22.18", "Noncharacter U+8FFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf2\x8f\xbf\xbf", true),
    one_frame("framing.utf8.6_22_19", "6.22.19", "Noncharacter U+9FFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf2\x9f\xbf\xbe", true),
    one_frame("framing.utf8.6_22_20", "6.22.20", "Noncharacter U+9FFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf2\x9f\xbf\xbf", true),
    one_frame("framing.utf8.6_22_21", "6.22.21", "Noncharacter U+AFFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf2\xaf\xbf\xbe", true),
    one_frame("framing.utf8.6_22_22", "6.22.22", "Noncharacter U+AFFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf2\xaf\xbf\xbf", true),
    one_frame("framing.utf8.6_22_23", "6.22.23", "Noncharacter U+BFFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf2\xbf\xbf\xbe", true),
    one_frame("framing.utf8.6_22_24", "6.22.24", "Noncharacter U+BFFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf2\xbf\xbf\xbf", true),
    one_frame("framing.utf8.6_22_25", "6.22.25", "Noncharacter U+CFFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf3\x8f\xbf\xbe", true),
    one_frame("framing.utf8.6_22_26", "6.22.26", "Noncharacter U+CFFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf3\x8f\xbf\xbf", true),
    one_frame("framing.utf8.6_22_27", "6.22.27", "Noncharacter U+DFFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf3\x9f\xbf\xbe", true),
    one_frame("framing.utf8.6_22_28", "6.22.28", "Noncharacter U+DFFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf3\x9f\xbf\xbf", true),
    one_frame("framing.utf8.6_22_29", "6.22.29", "Noncharacter U+EFFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf3\xaf\xbf\xbe", true),
    one_frame("framing.utf8.6_22_30", "6.22.30", "Noncharacter U+EFFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf3\xaf\xbf\xbf", true),
    one_frame("framing.utf8.6_22_31", "6.22.31", "Noncharacter U+FFFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf3\xbf\xbf\xbe", true),
    one_frame("framing.utf8.6_22_32", "6.22.32", "Noncharacter U+FFFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf3\xbf\xbf\xbf", true),
    one_frame("framing.utf8.6_22_33", "6.22.33", "Noncharacter U+10FFFE: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf4\x8f\xbf\xbe", true),
    one_frame("framing.utf8.6_22_34", "6.22.34", "Noncharacter U+10FFFF: valid UTF-8 (RFC 3629 does not exclude noncharacters)", b"\xf4\x8f\xbf\xbf", true),
    one_frame("framing.utf8.6_23_1", "6.23.1", "U+FFF9, interlinear annotation anchor (Specials block)", b"\xef\xbf\xb9", true),
    one_frame("framing.utf8.6_23_2", "6.23.2", "U+FFFA, interlinear annotation separator (Specials block)", b"\xef\xbf\xba", true),
    one_frame("framing.utf8.6_23_3", "6.23.3", "U+FFFB, interlinear annotation terminator (Specials block)", b"\xef\xbf\xbb", true),
    one_frame("framing.utf8.6_23_4", "6.23.4", "U+FFFC, object replacement character (Specials block)", b"\xef\xbf\xbc", true),
    one_frame("framing.utf8.6_23_5", "6.23.5", "U+FFFD, replacement character (Specials block)", b"\xef\xbf\xbd", true),
    one_frame("framing.utf8.6_23_6", "6.23.6", "U+FFFE, noncharacter (Specials block)", b"\xef\xbf\xbe", true),
    one_frame("framing.utf8.6_23_7", "6.23.7", "U+FFFF, noncharacter (Specials block)", b"\xef\xbf\xbf", true),
];

/// Valid extras: the echo is due; a missing one ends the case after 1 s.
const fn extra_valid(
    id: &'static str,
    autobahn: &'static str,
    description: &'static str,
    payload: &'static [u8],
    send: Delivery,
) -> Utf8Case {
    Utf8Case {
        id,
        autobahn,
        description,
        payload,
        valid: true,
        send,
        after: After::Close(1000),
        note: "",
    }
}

/// Invalid extras: the server must fail the connection within 1 s.
const fn extra_invalid(
    id: &'static str,
    autobahn: &'static str,
    description: &'static str,
    payload: &'static [u8],
    send: Delivery,
) -> Utf8Case {
    Utf8Case {
        id,
        autobahn,
        description,
        payload,
        valid: false,
        send,
        after: After::Kill(1000),
        note: "",
    }
}

/// UTF-8 cases Autobahn lacks whose outcome RFC 6455 §5.6/§8.1 with RFC 3629
/// make definite. Autobahn never cuts a 4-byte sequence across frames, and
/// never puts a range error (overlong, above U+10FFFF) just past a cut where
/// the first fragment is still a valid prefix except in 6.4.x.
#[rustfmt::skip]
pub static EXTRA: &[Utf8Case] = &[
    extra_valid("framing.utf8.extra-1", "extra-1", "U+1F600 (F0 9F 98 80) between \"a\" and \"b\", cut after its 1st byte", b"a\xf0\x9f\x98\x80b", Delivery::FragmentsAt(&[2])),
    extra_valid("framing.utf8.extra-2", "extra-2", "U+1F600 between \"a\" and \"b\", cut after its 2nd byte", b"a\xf0\x9f\x98\x80b", Delivery::FragmentsAt(&[3])),
    extra_valid("framing.utf8.extra-3", "extra-3", "U+1F600 between \"a\" and \"b\", cut after its 3rd byte", b"a\xf0\x9f\x98\x80b", Delivery::FragmentsAt(&[4])),
    extra_valid("framing.utf8.extra-4", "extra-4", "U+1F600 alone, one byte per frame, FIN on the 4th", b"\xf0\x9f\x98\x80", Delivery::FragmentsAt(&[1, 2, 3])),
    extra_invalid("framing.utf8.extra-5", "extra-5", "F4 90 80 80 (the pattern for U+110000) cut after F4: the 1st fragment is a valid prefix, 0x90 in the 2nd is out of range", b"\xf4\x90\x80\x80", Delivery::FragmentsAt(&[1])),
    extra_invalid("framing.utf8.extra-6", "extra-6", "Overlong NUL E0 80 80 cut after E0: 0x80 in the 2nd fragment is below E0's range", b"\xe0\x80\x80", Delivery::FragmentsAt(&[1])),
    extra_invalid("framing.utf8.extra-7", "extra-7", "CESU-8 form of U+1F600 (surrogates D83D DE00 as ED A0 BD ED B8 80) in one frame", b"\xed\xa0\xbd\xed\xb8\x80", Delivery::Whole),
    extra_invalid("framing.utf8.extra-8", "extra-8", "CESU-8 form of U+1F600 cut between the two surrogates", b"\xed\xa0\xbd\xed\xb8\x80", Delivery::FragmentsAt(&[3])),
    extra_invalid("framing.utf8.extra-9", "extra-9", "Overlong NUL C0 80 (as Java's modified UTF-8 writes NUL) between \"a\" and \"b\"", b"a\xc0\x80b", Delivery::Whole),
    extra_invalid("framing.utf8.extra-10", "extra-10", "\"hello\" | \" world\" + E2 82: the final fragment ends inside U+20AC", b"hello world\xe2\x82", Delivery::FragmentsAt(&[5])),
    extra_invalid("framing.utf8.extra-11", "extra-11", "\"hello\" + E2 82, then an empty final fragment: the message ends inside U+20AC", b"hello\xe2\x82", Delivery::FragmentsAt(&[7])),
    extra_valid("framing.utf8.extra-12", "extra-12", "U+FEFF (byte order mark) before \"hello\": valid UTF-8, RFC 6455 does not forbid it", b"\xef\xbb\xbfhello", Delivery::Whole),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn id_tuple(id: &str) -> (u32, u32, u32) {
        let v: Vec<u32> = id.split('.').map(|x| x.parse().unwrap()).collect();
        assert_eq!(v.len(), 3, "{id}");
        (v[0], v[1], v[2])
    }

    fn case(id: &str) -> &'static Utf8Case {
        CASES.iter().find(|c| c.autobahn == id).unwrap()
    }

    /// A prefix of some valid UTF-8 string: only an unfinished sequence at the end.
    fn is_valid_prefix(b: &[u8]) -> bool {
        match std::str::from_utf8(b) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none(),
        }
    }

    fn all() -> impl Iterator<Item = &'static Utf8Case> {
        CASES.iter().chain(EXTRA.iter())
    }

    #[test]
    fn count_ids_and_order() {
        assert_eq!(CASES.len(), 145);
        let ids: Vec<_> = CASES.iter().map(|c| id_tuple(c.autobahn)).collect();
        let mut prev = (6, 1, 0);
        for &(cat, group, n) in &ids {
            assert_eq!(cat, 6);
            // Numbered without gaps: the next in the group, or the next group's first.
            assert!(
                (group, n) == (prev.1, prev.2 + 1) || (group, n) == (prev.1 + 1, 1),
                "{:?} after {:?}",
                (cat, group, n),
                prev
            );
            prev = (cat, group, n);
        }
        assert_eq!(prev, (6, 23, 7));
    }

    #[test]
    fn group_sizes_and_titles() {
        let sizes = [
            3, 4, 2, 4, 5, 11, 4, 2, 4, 3, 5, 8, 5, 10, 1, 3, 5, 5, 5, 7, 8, 34, 7,
        ];
        assert_eq!(GROUPS.len(), sizes.len());
        for (i, ((group, title, source), size)) in GROUPS.iter().zip(sizes).enumerate() {
            assert_eq!(*group, format!("6.{}", i + 1));
            assert!(!title.is_empty() && !source.is_empty());
            let n = CASES
                .iter()
                .filter(|c| c.autobahn.starts_with(&format!("{group}.")))
                .count();
            assert_eq!(n, size, "{group}");
        }
    }

    #[test]
    fn validity_agrees_with_std() {
        for c in all() {
            assert_eq!(
                std::str::from_utf8(c.payload).is_ok(),
                c.valid,
                "{}",
                c.autobahn
            );
        }
    }

    #[test]
    fn expectations() {
        let count = |e| CASES.iter().filter(|c| c.expect() == e).count();
        assert_eq!(count(Utf8Expect::Echo), 70);
        assert_eq!(count(Utf8Expect::Fail), 71);
        assert_eq!(count(Utf8Expect::FailFast), 4);
        for c in CASES {
            let fail_fast = c.expect() == Utf8Expect::FailFast;
            assert!(
                fail_fast == c.autobahn.starts_with("6.4."),
                "{}",
                c.autobahn
            );
            assert_eq!(!c.note.is_empty(), fail_fast, "{}", c.autobahn);
        }
        assert!(EXTRA.iter().all(|c| c.expect() != Utf8Expect::FailFast));
    }

    #[test]
    fn descriptions_present() {
        for c in all() {
            assert!(!c.description.is_empty(), "{}", c.autobahn);
        }
    }

    #[test]
    fn send_parameters_in_range() {
        for c in all() {
            let len = c.payload.len();
            match c.send {
                Delivery::Whole => {}
                Delivery::Fragments(n) => assert!(n >= 1, "{}", c.autobahn),
                Delivery::FragmentsAt(cuts) => {
                    assert!(!cuts.is_empty(), "{}", c.autobahn);
                    assert!(cuts.windows(2).all(|w| w[0] <= w[1]), "{}", c.autobahn);
                    assert!(cuts.iter().all(|&x| x <= len), "{}", c.autobahn);
                }
                Delivery::FailFastFrames { at: [a, b] }
                | Delivery::FailFastChops { at: [a, b] } => {
                    assert!(0 < a && a < b && b < len, "{}", c.autobahn);
                }
            }
        }
    }

    #[test]
    fn steps_carry_exactly_the_payload_as_one_message() {
        for c in all() {
            let steps = c.steps();
            let mut bytes = Vec::new();
            let mut frames = 0;
            let mut header_left = 0;
            for (i, step) in steps.iter().enumerate() {
                let last = i == steps.len() - 1;
                match *step {
                    Piece::Frame {
                        opcode,
                        fin,
                        payload,
                    } => {
                        assert_eq!(header_left, 0, "{}: frame inside a frame", c.autobahn);
                        assert_eq!(
                            opcode,
                            if frames == 0 { 0x1 } else { 0x0 },
                            "{}",
                            c.autobahn
                        );
                        assert_eq!(fin, last, "{}", c.autobahn);
                        bytes.extend_from_slice(payload);
                        frames += 1;
                    }
                    Piece::Header { opcode, fin, len } => {
                        assert_eq!((opcode, fin), (0x1, false), "{}", c.autobahn);
                        assert_eq!(frames, 0, "{}", c.autobahn);
                        header_left = len;
                        frames += 1;
                    }
                    Piece::Data(d) => {
                        assert!(d.len() <= header_left, "{}", c.autobahn);
                        header_left -= d.len();
                        bytes.extend_from_slice(d);
                    }
                    Piece::Pause { ms, .. } => assert_eq!(ms, FAIL_FAST_PAUSE_MS),
                }
            }
            assert_eq!(header_left, 0, "{}", c.autobahn);
            assert_eq!(bytes, c.payload, "{}", c.autobahn);
        }
    }

    #[test]
    fn autobahn_one_byte_fragments_end_with_an_empty_frame() {
        // sendMessage(fragmentSize=1) leaves FIN clear on the last byte and
        // sends an empty FIN frame after it.
        for (id, frames) in [("6.2.3", 30), ("6.2.4", 12), ("6.3.2", 21)] {
            let steps = case(id).steps();
            assert_eq!(steps.len(), frames, "{id}");
            assert_eq!(
                steps.last(),
                Some(&Piece::Frame {
                    opcode: 0x0,
                    fin: true,
                    payload: b""
                })
            );
        }
        assert_eq!(case("6.1.2").steps().len(), 3);
        assert_eq!(case("6.1.3").steps().len(), 3);
        assert_eq!(case("6.2.2").steps().len(), 2);
    }

    #[test]
    fn fail_fast_error_shows_in_the_second_part() {
        for c in CASES.iter().filter(|c| c.expect() == Utf8Expect::FailFast) {
            let (Delivery::FailFastFrames { at: [a, b] } | Delivery::FailFastChops { at: [a, b] }) =
                c.send
            else {
                unreachable!()
            };
            let first_bad = (0..c.payload.len())
                .find(|&k| !is_valid_prefix(&c.payload[..=k]))
                .unwrap();
            assert!(a <= first_bad && first_bad < b, "{}", c.autobahn);
            let tags: Vec<_> = c
                .steps()
                .iter()
                .filter_map(|s| match s {
                    Piece::Pause { tag, .. } => Some(*tag),
                    _ => None,
                })
                .collect();
            assert_eq!(tags, ["A", "B"]);
        }
    }

    #[test]
    fn generated_cases_are_one_frame_killed_after_half_a_second() {
        for c in &CASES[13..] {
            assert!(id_tuple(c.autobahn).1 >= 5);
            assert_eq!(
                (c.send, c.after),
                (Delivery::Whole, After::Kill(500)),
                "{}",
                c.autobahn
            );
        }
    }

    #[test]
    fn generated_payloads_match_their_derivation() {
        // 6.6.n: the first n bytes of κόσμε.
        for n in 1..=11 {
            assert_eq!(case(&format!("6.6.{n}")).payload, &KOSME[..n]);
        }
        assert_eq!(case("6.5.5").payload, KOSME);
        assert_eq!(KOSME, "κ\u{1f79}σμε".as_bytes());
        assert_eq!(HELLO, "Hello-µ@ßöäüàá-UTF-8!!".as_bytes());
        // 6.12.8: continuation bytes 0x80..0xBF, end excluded as Autobahn has it.
        assert_eq!(case("6.12.8").payload, (0x80..0xbf).collect::<Vec<u8>>());
        // 6.13.x: lead bytes of each range, end excluded, each followed by a space.
        for (n, (lo, hi)) in [
            (0xc0, 0xdf),
            (0xe0, 0xef),
            (0xf0, 0xf7),
            (0xf8, 0xfb),
            (0xfc, 0xfd),
        ]
        .into_iter()
        .enumerate()
        {
            let want: Vec<u8> = (lo..hi).flat_map(|b| [b, b' ']).collect();
            assert_eq!(case(&format!("6.13.{}", n + 1)).payload, want);
        }
        // 6.15.1: the ten payloads of 6.14 in a row.
        let joined: Vec<u8> = (1..=10)
            .flat_map(|n| case(&format!("6.14.{n}")).payload.iter().copied())
            .collect();
        assert_eq!(case("6.15.1").payload, joined);
        // 6.21.x: high surrogates 6.20.1–4 each paired with lows 6.20.5 and 6.20.7.
        let mut n = 1;
        for hi in 1..=4 {
            for lo in [5, 7] {
                let want = [
                    case(&format!("6.20.{hi}")).payload,
                    case(&format!("6.20.{lo}")).payload,
                ]
                .concat();
                assert_eq!(case(&format!("6.21.{n}")).payload, want);
                n += 1;
            }
        }
        // 6.22.x: U+FFFE, U+FFFF, then U+xFFFE, U+xFFFF for planes 1 to 16.
        let nonchars: Vec<String> = std::iter::once(0)
            .chain(1..=16)
            .flat_map(|plane| [plane << 16 | 0xfffe, plane << 16 | 0xffff])
            .map(|cp| char::from_u32(cp).unwrap().to_string())
            .collect();
        for (i, s) in nonchars.iter().enumerate() {
            assert_eq!(case(&format!("6.22.{}", i + 1)).payload, s.as_bytes());
        }
        // 6.23.x: U+FFF9 to U+FFFF.
        for (i, cp) in (0xfff9..=0xffff).enumerate() {
            let s = char::from_u32(cp).unwrap().to_string();
            assert_eq!(case(&format!("6.23.{}", i + 1)).payload, s.as_bytes());
        }
    }

    #[test]
    fn ids_follow_the_autobahn_ids() {
        for c in CASES {
            assert_eq!(
                c.id,
                format!("framing.utf8.{}", c.autobahn.replace('.', "_"))
            );
        }
        for c in EXTRA {
            assert_eq!(c.id, format!("framing.utf8.{}", c.autobahn));
        }
    }

    #[test]
    fn extras_are_numbered_and_new() {
        for (i, c) in EXTRA.iter().enumerate() {
            assert_eq!(c.autobahn, format!("extra-{}", i + 1));
            assert!(
                !CASES
                    .iter()
                    .any(|a| a.payload == c.payload && a.send == c.send),
                "{} repeats an Autobahn case",
                c.autobahn
            );
        }
    }
}
