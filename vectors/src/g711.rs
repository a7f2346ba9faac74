//! Types for `vectors/g711/`: the law tables, the conversion tables and the WAV fixtures
//! ([docs/g711.md](../../docs/g711.md#the-vectors)).

use crate::{Expected, Group};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `g711/pcmu.json` or `g711/pcma.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LawFile {
    pub suite: String,
    pub schema: String,
    /// Where the expected values come from, one sentence per element.
    pub header: Vec<String>,
    pub number_of_tests: usize,
    pub notes: BTreeMap<String, String>,
    pub test_groups: Vec<Group<CodecTest>>,
    /// 129 magnitudes on the 16-bit scale: entry n is the lowest magnitude
    /// of quantization interval n (0–127), entry 128 the law's overload
    /// point. A negative sample's magnitude is its ones' complement (−1 − x).
    pub decision_values: Vec<i32>,
    /// 65,536 codes: entry `x + 32768` is the code of sample `x`.
    pub encode: Vec<u8>,
    /// 256 samples: entry `c` is the 16-bit value code `c` decodes to.
    pub decode: Vec<i16>,
}

impl LawFile {
    /// The code the table gives for sample `x`.
    pub fn encode_of(&self, x: i16) -> u8 {
        self.encode[(i32::from(x) + 32768) as usize]
    }

    /// The value the table gives for code `c`.
    pub fn decode_of(&self, c: u8) -> i16 {
        self.decode[usize::from(c)]
    }

    /// Index (0–127) of the quantization interval holding magnitude `m`;
    /// magnitudes at or above the overload point belong to the last one.
    pub fn interval_of(&self, magnitude: i32) -> usize {
        let upper = self.decision_values.partition_point(|&d| d <= magnitude);
        upper.clamp(1, 128) - 1
    }

    /// Every test of every group, in file order.
    pub fn tests(&self) -> impl Iterator<Item = &CodecTest> {
        self.test_groups.iter().flat_map(|g| g.tests.iter())
    }
}

/// Samples and the codes they encode to; the codes and what they decode to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CodecTest {
    pub tc_id: u32,
    pub comment: String,
    /// 16-bit linear input samples.
    pub samples: Vec<i16>,
    /// Expected codes of `samples`, as hex (two digits per code).
    pub codes: String,
    /// Expected decoded value of each code in `codes`.
    pub decoded: Vec<i16>,
    pub result: Expected,
    pub flags: Vec<String>,
}

impl CodecTest {
    /// `codes` as bytes.
    pub fn code_bytes(&self) -> Vec<u8> {
        hex(&self.codes)
    }
}

/// `g711/transcode.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TranscodeFile {
    pub suite: String,
    pub schema: String,
    /// Where the expected values come from, one sentence per element.
    pub header: Vec<String>,
    pub number_of_tests: usize,
    pub notes: BTreeMap<String, String>,
    pub test_groups: Vec<Group<TranscodeTest>>,
    /// 256 A-law codes: entry `c` is the A-law code for µ-law code `c`.
    #[serde(rename = "pcmu_to_pcma")]
    pub pcmu_to_pcma: Vec<u8>,
    /// 256 µ-law codes: entry `c` is the µ-law code for A-law code `c`.
    #[serde(rename = "pcma_to_pcmu")]
    pub pcma_to_pcmu: Vec<u8>,
}

impl TranscodeFile {
    /// Every test of every group, in file order.
    pub fn tests(&self) -> impl Iterator<Item = &TranscodeTest> {
        self.test_groups.iter().flat_map(|g| g.tests.iter())
    }
}

/// The law a code sequence is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Law {
    Pcmu,
    Pcma,
}

/// Codes of one law and the codes of the other law G.711's tables give.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TranscodeTest {
    pub tc_id: u32,
    pub comment: String,
    /// The law of `input`; `output` is in the other law.
    pub from: Law,
    /// Input codes, hex.
    pub input: String,
    /// Expected output codes, hex.
    pub output: String,
    pub result: Expected,
    pub flags: Vec<String>,
}

impl TranscodeTest {
    pub fn input_bytes(&self) -> Vec<u8> {
        hex(&self.input)
    }

    pub fn output_bytes(&self) -> Vec<u8> {
        hex(&self.output)
    }
}

/// Bytes of a hex string (the files use lowercase, two digits per byte).
/// The schemas only admit well-formed hex, so a bad digit is a file defect.
pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() & 1 == 0, "odd-length hex string {s:?}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digits"))
        .collect()
}

/// One WAV fixture: the same signal as 16-bit PCM, µ-law and A-law files.
#[derive(Debug, Clone, Copy)]
pub struct WavFixture {
    /// File stem in `vectors/g711/wav/`, e.g. `tone-1khz`.
    pub name: &'static str,
    pub pcm16: &'static [u8],
    pub pcmu: &'static [u8],
    pub pcma: &'static [u8],
}

macro_rules! fixture {
    ($name:literal) => {
        WavFixture {
            name: $name,
            pcm16: include_bytes!(concat!("../g711/wav/", $name, ".pcm16.wav")),
            pcmu: include_bytes!(concat!("../g711/wav/", $name, ".pcmu.wav")),
            pcma: include_bytes!(concat!("../g711/wav/", $name, ".pcma.wav")),
        }
    };
}

/// The WAV fixtures, embedded. Each µ-law and A-law file holds the encoding
/// (per the tables of `pcmu.json` / `pcma.json`) of its PCM twin.
pub const WAV_FIXTURES: [WavFixture; 3] =
    [fixture!("tone-1khz"), fixture!("sweep"), fixture!("speech")];
