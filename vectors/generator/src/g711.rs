//! `vectors/g711/`: the G.711 tables, reference tones and WAV fixtures, computed from the text of
//! G.711 ([docs/g711.md](../../../docs/g711.md#where-the-values-come-from)).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use voxproof_vectors::g711::{CodecTest, Law, LawFile, TranscodeFile, TranscodeTest};
use voxproof_vectors::{Expected, Group};

/// A law as G.711 tabulates it.
struct Table {
    suite: &'static str,
    name: &'static str,
    /// Segments as (lower end, upper end, step) on the table's own scale,
    /// from the segment end points of G.711 Table 1 / Table 2.
    segments: &'static [(u32, u32, u32)],
    /// Table 2 starts with an interval of width 1 around 0 (µ-law only).
    zero_interval: bool,
    /// 16-bit units per unit of the table's scale: Table 2 (µ-law) spans
    /// ±8159 for 14-bit samples, Table 1 (A-law) ±4096 for 13-bit samples.
    scale: i32,
    /// Overload point in dBm0 (G.711 §3: theoretical load capacity).
    overload_dbm0: f64,
}

/// G.711 Table 2, µ-law: segment 1 holds the interval [0, 1) and fifteen of
/// width 2; segments 2–8 hold sixteen equal intervals each.
const ULAW: Table = Table {
    suite: "g711-pcmu",
    name: "µ-law",
    segments: &[
        (1, 31, 2),
        (31, 95, 4),
        (95, 223, 8),
        (223, 479, 16),
        (479, 991, 32),
        (991, 2015, 64),
        (2015, 4063, 128),
        (4063, 8159, 256),
    ],
    zero_interval: true,
    scale: 4,
    overload_dbm0: 3.17,
};

/// G.711 Table 1, A-law: segments 1 and 2 both have step 2; each further
/// segment doubles range and step.
#[allow(clippy::approx_constant)] // 3.14 dBm0 is G.711's load capacity, not π
const ALAW: Table = Table {
    suite: "g711-pcma",
    name: "A-law",
    segments: &[
        (0, 32, 2),
        (32, 64, 2),
        (64, 128, 4),
        (128, 256, 8),
        (256, 512, 16),
        (512, 1024, 32),
        (1024, 2048, 64),
        (2048, 4096, 128),
    ],
    zero_interval: false,
    scale: 8,
    overload_dbm0: 3.14,
};

/// Decision values x_0 … x_128 on the table's scale (x_128 = overload point).
fn decision_values(t: &Table) -> Vec<u32> {
    let mut x = Vec::with_capacity(129);
    if t.zero_interval {
        x.push(0);
    }
    for &(lo, hi, step) in t.segments {
        let mut v = lo;
        while v < hi {
            x.push(v);
            v += step;
        }
    }
    x.push(t.segments.last().expect("segments").1);
    assert_eq!(x.len(), 129, "{}: 128 intervals", t.name);
    x
}

/// Reconstruction values y_n on the 16-bit scale: the middle of each
/// interval, except that Table 2's interval [0, 1) decodes to 0.
fn reconstruction_values(t: &Table) -> Vec<i32> {
    let x = decision_values(t);
    (0..128)
        .map(|n| {
            let y2 = if t.zero_interval && n == 0 {
                0
            } else {
                x[n] + x[n + 1] // twice the midpoint, to stay in integers
            };
            (y2 as i32) * t.scale / 2
        })
        .collect()
}

/// Character signal for interval `n` and polarity (G.711 Tables 1 and 2).
fn character(t: &Table, n: usize, positive: bool) -> u8 {
    let polarity = if positive { 0x80 } else { 0x00 };
    if t.zero_interval {
        // µ-law: polarity bit (1 = positive), then the interval number with
        // all bits inverted.
        polarity | (0x7F - n as u8)
    } else {
        // A-law: polarity bit (1 = positive), then segment and interval
        // bits, with the even bits inverted.
        (polarity | n as u8) ^ 0x55
    }
}

/// Interval and polarity of a 16-bit sample under the STL's rule: negative
/// samples take the ones' complement as magnitude, and the magnitude is
/// compared against the decision values at the table's resolution (low bits
/// dropped, not rounded).
fn quantize(t: &Table, x: &[u32], sample: i32) -> (usize, bool) {
    let positive = sample >= 0;
    let magnitude = if positive { sample } else { -1 - sample };
    let on_table = (magnitude / t.scale) as u32;
    // Largest n with x_n ≤ magnitude; above the overload point, the last.
    let n = x[..128]
        .iter()
        .rposition(|&d| d <= on_table)
        .expect("x_0 = 0");
    (n, positive)
}

fn encode_table(t: &Table) -> Vec<u8> {
    let x = decision_values(t);
    (-32768..=32767)
        .map(|s| {
            let (n, positive) = quantize(t, &x, s);
            character(t, n, positive)
        })
        .collect()
}

fn decode_table(t: &Table) -> Vec<i16> {
    let y = reconstruction_values(t);
    let mut out = vec![0i16; 256];
    for (n, &v) in y.iter().enumerate() {
        out[character(t, n, true) as usize] = v as i16;
        out[character(t, n, false) as usize] = -v as i16;
    }
    out
}

// ------------------------------------------------------------ tones

/// Peak amplitude (16-bit scale) of a sine at `dbm0` for this law: the
/// overload point lies `overload_dbm0` above 0 dBm0.
fn amplitude(t: &Table, dbm0: f64) -> f64 {
    let overload = f64::from(decision_values(t)[128] * t.scale as u32);
    overload * 10f64.powf((dbm0 - t.overload_dbm0) / 20.0)
}

/// The 1 kHz 0 dBm0 sine sampled at phases π/8 + kπ/4, starting with the
/// negative half: the eight samples the reference sequences encode.
fn reference_sine(t: &Table) -> Vec<i16> {
    let a = amplitude(t, 0.0);
    // sin(π/8) and sin(3π/8) in closed form (sqrt is exact in IEEE 754).
    let s1 = (2.0 - 2f64.sqrt()).sqrt() / 2.0;
    let s3 = (2.0 + 2f64.sqrt()).sqrt() / 2.0;
    [-s1, -s3, -s3, -s1, s1, s3, s3, s1]
        .iter()
        .map(|s| (a * s).round() as i16)
        .collect()
}

/// The reference sequences (1 kHz, 0 dBm0) as published for G.711
/// (the "digital milliwatt").
const ULAW_REFERENCE: [u8; 8] = [0x1E, 0x0B, 0x0B, 0x1E, 0x9E, 0x8B, 0x8B, 0x9E];
const ALAW_REFERENCE: [u8; 8] = [0x34, 0x21, 0x21, 0x34, 0xB4, 0xA1, 0xA1, 0xB4];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Builds tests numbered in file order, their expectations from the tables.
struct Tests {
    next: u32,
}

impl Tests {
    fn codec(
        &mut self,
        enc: &[u8],
        dec: &[i16],
        comment: String,
        samples: Vec<i16>,
        flags: &[&str],
    ) -> CodecTest {
        self.next += 1;
        let codes: Vec<u8> = samples
            .iter()
            .map(|&s| enc[(i32::from(s) + 32768) as usize])
            .collect();
        CodecTest {
            tc_id: self.next,
            comment,
            decoded: codes.iter().map(|&c| dec[c as usize]).collect(),
            codes: hex(&codes),
            samples,
            result: Expected::Valid,
            flags: flags.iter().map(|f| f.to_string()).collect(),
        }
    }
}

fn group<T>(kind: &str, comment: &str, tests: Vec<T>) -> Group<T> {
    Group {
        kind: kind.into(),
        comment: comment.into(),
        tests,
    }
}

fn law_file(t: &Table, reference: [u8; 8]) -> LawFile {
    let x = decision_values(t);
    let enc = encode_table(t);
    let dec = decode_table(t);
    let mut ids = Tests { next: 0 };

    let sine = reference_sine(t);
    let tone = ids.codec(
        &enc,
        &dec,
        format!(
            "1 kHz sine at 0 dBm0, phases π/8 + kπ/4: encodes to the reference sequence {}",
            hex(&reference)
        ),
        sine,
        &["ReferenceTone"],
    );
    // The sequence is published independently of the tables: if they ever
    // disagreed, the tables would be wrong.
    assert_eq!(tone.code_bytes(), reference, "{} reference tone", t.name);
    let tone_decoded = ids.codec(
        &enc,
        &dec,
        "the reference sequence's decoded values encode back to the sequence".into(),
        reference.iter().map(|&c| dec[c as usize]).collect(),
        &["ReferenceTone"],
    );
    assert_eq!(tone_decoded.code_bytes(), reference);

    let s = t.scale;
    let first = x[1] as i32 * s; // lowest magnitude of interval 1
    let mut sign = Vec::new();
    for (sample, why) in [
        (0, "zero is positive".to_string()),
        (-1, "−1: ones' complement magnitude 0, negative".to_string()),
        (first - 1, "largest sample in interval 0".to_string()),
        (
            -first,
            "most negative sample in interval 0 (ones' complement)".to_string(),
        ),
        (first, "smallest sample in interval 1".to_string()),
        (
            -first - 1,
            "least negative sample in interval 1 (ones' complement)".to_string(),
        ),
    ] {
        sign.push(ids.codec(&enc, &dec, why, vec![sample as i16], &["ZeroAndSign"]));
    }

    let mut edges = Vec::new();
    for (k, &(lo, _, step)) in t.segments.iter().enumerate().skip(1) {
        let m = lo as i32 * s;
        for (sample, why) in [
            (m - 1, "last sample below"),
            (m, "first sample of"),
            (-m, "ones' complement: last negative sample below"),
            (-m - 1, "ones' complement: first negative sample of"),
        ] {
            edges.push(ids.codec(
                &enc,
                &dec,
                format!(
                    "{why} segment {} (decision value {lo}, step {step} on the {} scale)",
                    k + 1,
                    if s == 4 { "14-bit" } else { "13-bit" }
                ),
                vec![sample as i16],
                &["SegmentEdge"],
            ));
        }
    }

    let top = x[127] as i32 * s;
    let overload = x[128] as i32 * s;
    let mut full = Vec::new();
    for (sample, why) in [
        (top - 1, "last sample below the top interval".to_string()),
        (top, "first sample of the top interval".to_string()),
        (
            -top - 1,
            "first negative sample of the top interval".to_string(),
        ),
        (32767, "positive full scale".to_string()),
        (-32768, "negative full scale".to_string()),
    ] {
        full.push(ids.codec(&enc, &dec, why, vec![sample as i16], &["FullScale"]));
    }
    if overload <= 32767 {
        // µ-law's table ends below 16-bit full scale: beyond it, saturation.
        full.push(ids.codec(
            &enc,
            &dec,
            "the overload point: beyond the table, the top interval".into(),
            vec![overload as i16],
            &["FullScale"],
        ));
    }

    let groups = vec![
        group(
            "ReferenceTone",
            "The 1 kHz 0 dBm0 reference sequence (digital milliwatt).",
            vec![tone, tone_decoded],
        ),
        group(
            "ZeroAndSign",
            "Around zero: the STL's ones' complement rule for negative samples.",
            sign,
        ),
        group(
            "SegmentEdge",
            "Each side of every segment's first decision value, both signs.",
            edges,
        ),
        group(
            "FullScale",
            "The top interval and the ends of the 16-bit range.",
            full,
        ),
    ];
    let number_of_tests = groups.iter().map(|g| g.tests.len()).sum();
    let name = t.name;
    let (table_no, bits, shift) = if t.zero_interval {
        (2, 14, 2)
    } else {
        (1, 13, 3)
    };
    LawFile {
        suite: t.suite.into(),
        schema: "../schema/g711-law.schema.json".into(),
        header: vec![
            format!(
                "ITU-T G.711 Table {table_no} ({name}): decision values from the segment end points \
                 and steps, reconstruction values at the middle of each interval, character \
                 signals as tabulated."
            ),
            format!(
                "16-bit samples are brought onto the table's {bits}-bit scale as the ITU-T G.191 \
                 STL (module g711) does: a negative sample's magnitude is its ones' complement, \
                 and the {shift} low bits are dropped, not rounded."
            ),
            "Computed by vectors/generator/src/g711.rs, which shares no code with the reference \
             codec, and cross-checked against the STL on all 65,536 inputs and 256 codes."
                .into(),
            format!("The reference sequence is the published 1 kHz 0 dBm0 sequence for {name}."),
            "Regenerate with `cargo run -p voxproof-vectors-generator`.".into(),
        ],
        number_of_tests,
        notes: BTreeMap::from([
            (
                "FullScale".into(),
                "The top quantization interval, the overload point and the ends of the 16-bit range."
                    .into(),
            ),
            (
                "ReferenceTone".into(),
                "A 1 kHz sine at 0 dBm0 sampled at phases π/8 + kπ/4 and its published code \
                 sequence."
                    .into(),
            ),
            (
                "SegmentEdge".into(),
                "A sample at or next to a segment's lowest decision value.".into(),
            ),
            (
                "ZeroAndSign".into(),
                "Zero and the smallest magnitudes: negative samples use the ones' complement \
                 (−1 − x) as magnitude, so −1 encodes like 0 with the sign bit clear."
                    .into(),
            ),
        ]),
        test_groups: groups,
        decision_values: x.iter().map(|&d| d as i32 * s).collect(),
        encode: enc,
        decode: dec,
    }
}

pub fn pcmu() -> LawFile {
    law_file(&ULAW, ULAW_REFERENCE)
}

pub fn pcma() -> LawFile {
    law_file(&ALAW, ALAW_REFERENCE)
}

// -------------------------------------------------------- conversion

/// G.711 Table 3 (µ-law → A-law) as runs over µ-law decoder output value
/// numbers: (first µ number, last µ number, A-law number of the first, mode
/// as in [`expand`]).
const TABLE_3: &[(u8, u8, u8, u8)] = &[
    (0, 15, 1, 2),    // 0,1 → 1; 2,3 → 2; … 14,15 → 8
    (16, 32, 9, 1),   // 16 → 9 … 32 → 25
    (33, 35, 27, 0),  // 33 → 27, 34 → 29, 35 → 31 (step 2, see below)
    (36, 47, 33, 1),  // 36 → 33 … 47 → 44
    (48, 48, 46, 1),  // 48 → 46
    (49, 63, 48, 1),  // 49 → 48 … 63 → 62
    (64, 80, 64, 1),  // 64 → 64 … 80 → 80
    (81, 127, 82, 1), // 81 → 82 … 127 → 128
];

/// G.711 Table 4 (A-law → µ-law) as runs over A-law decoder output value
/// numbers, in the same form.
const TABLE_4: &[(u8, u8, u8, u8)] = &[
    (1, 8, 1, 0),     // 1 → 1, 2 → 3, … 8 → 15 (step 2)
    (9, 24, 16, 1),   // 9 → 16 … 24 → 31
    (25, 32, 32, 2),  // 25,26 → 32; … 31,32 → 35
    (33, 44, 36, 1),  // 33 → 36 … 44 → 47
    (45, 48, 48, 2),  // 45,46 → 48; 47,48 → 49
    (49, 63, 50, 1),  // 49 → 50 … 63 → 64
    (64, 64, 64, 1),  // 64 → 64
    (65, 80, 65, 1),  // 65 → 65 … 80 → 80
    (81, 81, 80, 1),  // 81 → 80
    (82, 128, 81, 1), // 82 → 81 … 128 → 127
];

/// Expands runs into a number → number map. Mode 1: one-to-one, step 1;
/// mode 2: two inputs per output, step 1; mode 0: one-to-one, step 2.
fn expand(runs: &[(u8, u8, u8, u8)]) -> BTreeMap<u8, u8> {
    let mut map = BTreeMap::new();
    for &(first, last, start, mode) in runs {
        for (i, n) in (first..=last).enumerate() {
            let i = i as u8;
            let out = match mode {
                0 => start + 2 * i,
                1 => start + i,
                2 => start + i / 2,
                _ => unreachable!("modes 0, 1, 2"),
            };
            assert!(map.insert(n, out).is_none(), "run overlap at {n}");
        }
    }
    map
}

fn ulaw_number(code: u8) -> u8 {
    // Table 2 character: polarity, then the number with all bits inverted.
    0x7F - (code & 0x7F)
}

fn alaw_number(code: u8) -> u8 {
    // Table 1 character: polarity, then number − 1, even bits inverted.
    ((code ^ 0x55) & 0x7F) + 1
}

fn conversion_tables() -> (Vec<u8>, Vec<u8>) {
    let t3 = expand(TABLE_3);
    let t4 = expand(TABLE_4);
    assert_eq!(t3.len(), 128);
    assert_eq!(t4.len(), 128);
    assert!(t3.keys().copied().eq(0..=127) && t4.keys().copied().eq(1..=128));
    let u2a = (0..=255u8)
        .map(|c| {
            let positive = c & 0x80 != 0;
            character(&ALAW, usize::from(t3[&ulaw_number(c)] - 1), positive)
        })
        .collect();
    let a2u = (0..=255u8)
        .map(|c| {
            let positive = c & 0x80 != 0;
            character(&ULAW, usize::from(t4[&alaw_number(c)]), positive)
        })
        .collect();
    (u2a, a2u)
}

pub fn transcode() -> TranscodeFile {
    let (u2a, a2u) = conversion_tables();
    let (uenc, udec) = (encode_table(&ULAW), decode_table(&ULAW));
    let (aenc, adec) = (encode_table(&ALAW), decode_table(&ALAW));
    let tandem =
        |enc: &[u8], dec: &[i16], c: u8| enc[(i32::from(dec[c as usize]) + 32768) as usize];

    let mut next = 0;
    let mut test = |comment: String, from: Law, input: &[u8], output: &[u8], flags: &[&str]| {
        next += 1;
        TranscodeTest {
            tc_id: next,
            comment,
            from,
            input: hex(input),
            output: hex(output),
            result: Expected::Valid,
            flags: flags.iter().map(|f| f.to_string()).collect(),
        }
    };

    let tone_u: Vec<u8> = ULAW_REFERENCE.iter().map(|&c| u2a[c as usize]).collect();
    let tone_a: Vec<u8> = ALAW_REFERENCE.iter().map(|&c| a2u[c as usize]).collect();
    let tones = vec![
        test(
            "µ-law reference sequence through Table 3".into(),
            Law::Pcmu,
            &ULAW_REFERENCE,
            &tone_u,
            &["ReferenceTone"],
        ),
        test(
            "A-law reference sequence through Table 4".into(),
            Law::Pcma,
            &ALAW_REFERENCE,
            &tone_a,
            &["ReferenceTone"],
        ),
    ];

    let mut u_diff = Vec::new();
    for c in 0..=255u8 {
        let t = tandem(&aenc, &udec, c);
        if u2a[c as usize] != t {
            u_diff.push(test(
                format!(
                    "µ-law {c:02x} (decodes to {}): Table 3 gives A-law {:02x}; decoding then \
                     encoding would give {t:02x}",
                    udec[c as usize], u2a[c as usize]
                ),
                Law::Pcmu,
                &[c],
                &[u2a[c as usize]],
                &["NotTandem"],
            ));
        }
    }
    let mut a_diff = Vec::new();
    for c in 0..=255u8 {
        let t = tandem(&uenc, &adec, c);
        if a2u[c as usize] != t {
            a_diff.push(test(
                format!(
                    "A-law {c:02x} (decodes to {}): Table 4 gives µ-law {:02x}; decoding then \
                     encoding would give {t:02x}",
                    adec[c as usize], a2u[c as usize]
                ),
                Law::Pcma,
                &[c],
                &[a2u[c as usize]],
                &["NotTandem"],
            ));
        }
    }
    let groups = vec![
        group("ReferenceTone", "The reference sequences converted.", tones),
        group(
            "NotTandem",
            "Every µ-law code whose Table 3 entry differs from decode-then-encode.",
            u_diff,
        ),
        group(
            "NotTandem",
            "Every A-law code whose Table 4 entry differs from decode-then-encode.",
            a_diff,
        ),
    ];
    TranscodeFile {
        suite: "g711-transcode".into(),
        schema: "../schema/g711-transcode.schema.json".into(),
        header: crate::header(&[
            "ITU-T G.711 Tables 3 (µ-law to A-law) and 4 (A-law to µ-law), written out in vectors/generator/src/g711.rs as runs over the decoder output value numbers (µ-law 0–127 per Table 2, A-law 1–128 per Table 1) and mapped to character signals with those tables; the sign is carried over.",
            "Cross-checked against SpanDSP's tables (which reproduce G.711's) on all 512 entries.",
            "The NotTandem tests compare with decode-then-encode through pcmu.json and pcma.json.",
            "Regenerate with `cargo run -p voxproof-vectors-generator`.",
        ]),
        number_of_tests: groups.iter().map(|g| g.tests.len()).sum(),
        notes: BTreeMap::from([
            (
                "NotTandem".into(),
                "G.711's table entry differs from decoding with one law and encoding with the \
                 other; an implementation that transcodes by decode-then-encode fails it."
                    .into(),
            ),
            (
                "ReferenceTone".into(),
                "The 1 kHz 0 dBm0 reference sequence of one law, converted to the other.".into(),
            ),
        ]),
        test_groups: groups,
        pcmu_to_pcma: u2a,
        pcma_to_pcmu: a2u,
    }
}

// ---------------------------------------------------------- JSON text

/// A number array laid out `per_line` values to a line, indented for a
/// top-level field of a pretty-printed object.
fn rows<T: std::fmt::Display>(values: &[T], per_line: usize) -> String {
    let lines: Vec<String> = values
        .chunks(per_line)
        .map(|c| {
            let items: Vec<String> = c.iter().map(|v| v.to_string()).collect();
            format!("    {}", items.join(", "))
        })
        .collect();
    format!("[\n{}\n  ]", lines.join(",\n"))
}

/// Pretty JSON like every other file, but with each big table 16 numbers to
/// a line: `text` was printed with the tables empty, `tables` fills them in.
fn with_tables(text: String, tables: &[(&str, Vec<i64>)]) -> String {
    let mut text = text;
    for (field, nums) in tables {
        let empty = format!("\"{field}\": []");
        assert_eq!(text.matches(&empty).count(), 1, "{field} appears once");
        text = text.replacen(&empty, &format!("\"{field}\": {}", rows(nums, 16)), 1);
    }
    text
}

fn widen<T: Copy + Into<i64>>(v: &[T]) -> Vec<i64> {
    v.iter().map(|&x| x.into()).collect()
}

pub fn law_json(file: &LawFile) -> String {
    let mut bare = file.clone();
    let tables = [
        (
            "decisionValues",
            widen(&std::mem::take(&mut bare.decision_values)),
        ),
        ("encode", widen(&std::mem::take(&mut bare.encode))),
        ("decode", widen(&std::mem::take(&mut bare.decode))),
    ];
    with_tables(super::to_json(&bare), &tables)
}

pub fn transcode_json(file: &TranscodeFile) -> String {
    let mut bare = file.clone();
    let tables = [
        (
            "pcmu_to_pcma",
            widen(&std::mem::take(&mut bare.pcmu_to_pcma)),
        ),
        (
            "pcma_to_pcmu",
            widen(&std::mem::take(&mut bare.pcma_to_pcmu)),
        ),
    ];
    with_tables(super::to_json(&bare), &tables)
}

// ------------------------------------------------------------- WAV

const RATE: f64 = 8000.0;

/// 0.5 s of 1 kHz at −10 dBm0 (µ-law scale): phases kπ/4, so every sample
/// is 0, ±A/√2 or ±A — exact in IEEE 754, no trigonometry needed.
pub fn tone_1khz() -> Vec<i16> {
    let a = amplitude(&ULAW, -10.0);
    let h = a * 2f64.sqrt() / 2.0;
    let period = [0.0, h, a, h, 0.0, -h, -a, -h];
    (0..4000).map(|k| period[k % 8].round() as i16).collect()
}

/// 1 s linear sweep from 100 Hz to 3400 Hz at −10 dBm0 (µ-law scale).
pub fn sweep() -> Vec<i16> {
    let a = amplitude(&ULAW, -10.0);
    let (f0, f1, n) = (100.0, 3400.0, 8000);
    (0..n)
        .map(|k| {
            let t = f64::from(k) / RATE;
            // Phase in cycles; its fractional part is kept small before sin.
            let cycles = f0 * t + (f1 - f0) * t * t / 2.0;
            let frac = cycles - cycles.floor();
            (a * (std::f64::consts::TAU * frac).sin()).round() as i16
        })
        .collect()
}

/// A 16-bit mono 8 kHz WAV written with hound (the PCM twins).
pub fn pcm16_wav(samples: &[i16]) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut buf, spec).expect("in-memory writer");
        for &s in samples {
            w.write_sample(s).expect("in-memory write");
        }
        w.finalize().expect("in-memory finalize");
    }
    buf.into_inner()
}

/// Reads the samples of a 16-bit mono 8 kHz WAV with hound.
pub fn read_pcm16(bytes: &[u8]) -> Result<Vec<i16>, String> {
    let r = hound::WavReader::new(bytes).map_err(|e| e.to_string())?;
    let spec = r.spec();
    if spec.channels != 1 || spec.sample_rate != 8000 || spec.bits_per_sample != 16 {
        return Err(format!("not 8 kHz mono 16-bit: {spec:?}"));
    }
    r.into_samples::<i16>()
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())
}

/// A G.711 WAV: RIFF, `fmt ` (WAVEFORMATEX, 18 bytes, cbSize 0), `fact`
/// (sample count), `data`. Format tag 7 is µ-law, 6 A-law (RFC 2361).
fn g711_wav(format_tag: u16, codes: &[u8]) -> Vec<u8> {
    let n = codes.len() as u32;
    let pad = codes.len() % 2;
    let mut f = Vec::new();
    f.extend_from_slice(b"RIFF");
    f.extend_from_slice(&(4 + 26 + 12 + 8 + n + pad as u32).to_le_bytes());
    f.extend_from_slice(b"WAVE");
    f.extend_from_slice(b"fmt ");
    f.extend_from_slice(&18u32.to_le_bytes());
    f.extend_from_slice(&format_tag.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes()); // channels
    f.extend_from_slice(&8000u32.to_le_bytes()); // samples per second
    f.extend_from_slice(&8000u32.to_le_bytes()); // bytes per second
    f.extend_from_slice(&1u16.to_le_bytes()); // block align
    f.extend_from_slice(&8u16.to_le_bytes()); // bits per sample
    f.extend_from_slice(&0u16.to_le_bytes()); // cbSize
    f.extend_from_slice(b"fact");
    f.extend_from_slice(&4u32.to_le_bytes());
    f.extend_from_slice(&n.to_le_bytes());
    f.extend_from_slice(b"data");
    f.extend_from_slice(&n.to_le_bytes());
    f.extend_from_slice(codes);
    f.resize(f.len() + pad, 0);
    f
}

/// The three files of one fixture: (file name, bytes).
pub fn wav_set(name: &str, samples: &[i16]) -> Vec<(String, Vec<u8>)> {
    let ulaw = encode_table(&ULAW);
    let alaw = encode_table(&ALAW);
    let idx = |s: i16| (i32::from(s) + 32768) as usize;
    let u: Vec<u8> = samples.iter().map(|&s| ulaw[idx(s)]).collect();
    let a: Vec<u8> = samples.iter().map(|&s| alaw[idx(s)]).collect();
    vec![
        (format!("g711/wav/{name}.pcm16.wav"), pcm16_wav(samples)),
        (format!("g711/wav/{name}.pcmu.wav"), g711_wav(7, &u)),
        (format!("g711/wav/{name}.pcma.wav"), g711_wav(6, &a)),
    ]
}

/// Every file under `vectors/g711/`: (path relative to `vectors/`, bytes).
/// `speech` is the recorded source `g711/wav/speech.pcm16.wav` (made with
/// espeak-ng and sox, see docs/g711.md), read from `dir` and re-derived.
pub fn outputs(dir: &std::path::Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = vec![
        ("g711/pcmu.json".to_string(), law_json(&pcmu()).into_bytes()),
        ("g711/pcma.json".to_string(), law_json(&pcma()).into_bytes()),
        (
            "g711/transcode.json".to_string(),
            transcode_json(&transcode()).into_bytes(),
        ),
    ];
    out.extend(wav_set("tone-1khz", &tone_1khz()));
    out.extend(wav_set("sweep", &sweep()));
    let speech_path = dir.join("g711/wav/speech.pcm16.wav");
    let speech = std::fs::read(&speech_path)
        .map_err(|e| format!("cannot read {}: {e}", speech_path.display()))?;
    let speech = read_pcm16(&speech).map_err(|e| format!("{}: {e}", speech_path.display()))?;
    out.extend(wav_set("speech", &speech));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stl_end_points() {
        let (u, a) = (pcmu(), pcma());
        assert_eq!(u.encode_of(32767), 0x80);
        assert_eq!(u.decode_of(0x80), 32124);
        assert_eq!(u.encode_of(-5), 0x7E);
        assert_eq!(a.encode_of(32767), 0xAA);
        assert_eq!(a.decode_of(0xAA), 32256);
        assert_eq!(a.encode_of(-17), 0x54);
    }

    #[test]
    fn conversion_tables_differ_from_tandem_where_g711_says() {
        let t = transcode();
        let counts: Vec<usize> = t.test_groups[1..].iter().map(|g| g.tests.len()).collect();
        assert_eq!(counts, [44, 32]);
    }

    #[test]
    fn tone_levels() {
        // 0 dBm0 puts the µ-law peak 3.17 dB under 4 · 8159.
        let a = amplitude(&ULAW, 0.0);
        assert!((a - 22656.7).abs() < 0.1, "{a}");
    }
}
