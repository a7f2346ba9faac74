//! A small RIFF/WAVE reader and writer for 8 kHz mono voice files
//! ([docs/g711.md](../../../docs/g711.md#wav-files)).

use super::codec::Codec;
use super::SAMPLE_RATE;
use std::fmt;

const TAG_PCM: u16 = 1;
const TAG_ALAW: u16 = 6;
const TAG_ULAW: u16 = 7;
/// WAVE_FORMAT_EXTENSIBLE: the real tag is in the sub-format GUID.
const TAG_EXTENSIBLE: u16 = 0xFFFE;

/// The audio of a WAV file, in the encoding the file stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audio {
    /// 16-bit linear PCM samples.
    Pcm16(Vec<i16>),
    /// G.711 codes of one law.
    G711 { codec: Codec, codes: Vec<u8> },
}

impl Audio {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Audio::Pcm16(s) => s.len(),
            Audio::G711 { codes, .. } => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The audio as 16-bit samples (G.711 codes are decoded).
    pub fn to_linear(&self) -> Vec<i16> {
        match self {
            Audio::Pcm16(s) => s.clone(),
            Audio::G711 { codec, codes } => codec.decode_vec(codes),
        }
    }

    /// The audio as codes of `target`: PCM is encoded, the other law is
    /// converted with G.711's tables, the same law is copied.
    pub fn to_codes(&self, target: Codec) -> Vec<u8> {
        use super::transcode::{alaw_to_ulaw_vec, ulaw_to_alaw_vec};
        match (self, target) {
            (Audio::Pcm16(s), _) => target.encode_vec(s),
            (Audio::G711 { codec, codes }, _) if *codec == target => codes.clone(),
            (Audio::G711 { codes, .. }, Codec::Pcma) => ulaw_to_alaw_vec(codes),
            (Audio::G711 { codes, .. }, Codec::Pcmu) => alaw_to_ulaw_vec(codes),
        }
    }
}

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WavError {
    /// Not a RIFF/WAVE file at all.
    NotWav,
    /// The file ends inside a header or chunk.
    Truncated(&'static str),
    /// A required chunk (`fmt ` or `data`) is missing.
    MissingChunk(&'static str),
    /// An encoding other than 16-bit PCM, µ-law or A-law.
    UnsupportedEncoding {
        format_tag: u16,
        bits_per_sample: u16,
    },
    /// Not one channel.
    Channels(u16),
    /// Not 8000 samples per second.
    SampleRate(u32),
    /// A `fmt ` field contradicts the others.
    Inconsistent(&'static str),
}

impl fmt::Display for WavError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NEED: &str = "expected 8000 Hz mono 16-bit PCM, µ-law or A-law";
        match self {
            WavError::NotWav => write!(f, "not a WAV file (no RIFF/WAVE header); {NEED}"),
            WavError::Truncated(what) => write!(f, "WAV file is truncated in the {what}"),
            WavError::MissingChunk(id) => write!(f, "WAV file has no '{id}' chunk"),
            WavError::UnsupportedEncoding {
                format_tag,
                bits_per_sample,
            } => write!(
                f,
                "WAV encoding not supported (format tag {format_tag}, {bits_per_sample} bits \
                 per sample); {NEED}"
            ),
            WavError::Channels(n) => write!(f, "WAV file has {n} channels; {NEED}"),
            WavError::SampleRate(hz) => write!(f, "WAV file is {hz} Hz; {NEED}"),
            WavError::Inconsistent(what) => write!(f, "WAV header is inconsistent: {what}"),
        }
    }
}

impl std::error::Error for WavError {}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Reads a WAV file held in memory.
pub fn read(bytes: &[u8]) -> Result<Audio, WavError> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(WavError::NotWav);
    }
    let mut fmt_chunk: Option<&[u8]> = None;
    let mut data: Option<&[u8]> = None;
    let mut at = 12;
    // Chunks in any order; unknown ones (LIST, fact, …) are skipped. The RIFF
    // size field is not trusted: many writers get it wrong when streaming.
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32_at(bytes, at + 4) as usize;
        let body = at + 8;
        let end = body
            .checked_add(size)
            .ok_or(WavError::Truncated("chunk size"))?;
        if end > bytes.len() {
            // A streamed file may leave the data size unset (0xFFFFFFFF);
            // anything else running past the end is damage.
            if id == b"data" && size == u32::MAX as usize {
                data = Some(&bytes[body..]);
                break;
            }
            return Err(WavError::Truncated(if id == b"data" {
                "data chunk"
            } else {
                "chunk list"
            }));
        }
        match id {
            b"fmt " => fmt_chunk = Some(&bytes[body..end]),
            b"data" => data = Some(&bytes[body..end]),
            _ => {}
        }
        // RIFF chunks are padded to an even length.
        at = end + (size & 1);
    }
    let fmt_chunk = fmt_chunk.ok_or(WavError::MissingChunk("fmt "))?;
    let data = data.ok_or(WavError::MissingChunk("data"))?;
    if fmt_chunk.len() < 16 {
        return Err(WavError::Truncated("fmt chunk"));
    }
    let mut format_tag = u16_at(fmt_chunk, 0);
    let channels = u16_at(fmt_chunk, 2);
    let sample_rate = u32_at(fmt_chunk, 4);
    let block_align = u16_at(fmt_chunk, 12);
    let bits_per_sample = u16_at(fmt_chunk, 14);
    if format_tag == TAG_EXTENSIBLE {
        // WAVEFORMATEXTENSIBLE: the sub-format GUID starts at offset 24 and
        // its first two bytes are the classic format tag.
        if fmt_chunk.len() < 40 {
            return Err(WavError::Truncated("fmt chunk"));
        }
        format_tag = u16_at(fmt_chunk, 24);
    }
    let codec = match (format_tag, bits_per_sample) {
        (TAG_PCM, 16) => None,
        (TAG_ULAW, 8) => Some(Codec::Pcmu),
        (TAG_ALAW, 8) => Some(Codec::Pcma),
        _ => {
            return Err(WavError::UnsupportedEncoding {
                format_tag,
                bits_per_sample,
            })
        }
    };
    if channels != 1 {
        return Err(WavError::Channels(channels));
    }
    if sample_rate != SAMPLE_RATE {
        return Err(WavError::SampleRate(sample_rate));
    }
    if block_align != bits_per_sample / 8 {
        return Err(WavError::Inconsistent(
            "block align does not match the sample size",
        ));
    }
    Ok(match codec {
        None => {
            if data.len() % 2 != 0 {
                return Err(WavError::Inconsistent("odd number of bytes of 16-bit PCM"));
            }
            Audio::Pcm16(
                data.chunks_exact(2)
                    .map(|b| i16::from_le_bytes([b[0], b[1]]))
                    .collect(),
            )
        }
        Some(codec) => Audio::G711 {
            codec,
            codes: data.to_vec(),
        },
    })
}

fn chunk(out: &mut Vec<u8>, id: &[u8; 4], body: &[u8]) {
    out.extend_from_slice(id);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    if body.len() % 2 == 1 {
        out.push(0);
    }
}

fn riff(chunks: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + chunks.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(4 + chunks.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(chunks);
    out
}

fn format(tag: u16, bits: u16, cb_size: Option<u16>) -> Vec<u8> {
    let block_align = bits / 8;
    let mut f = Vec::with_capacity(18);
    f.extend_from_slice(&tag.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes()); // mono
    f.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    f.extend_from_slice(&(SAMPLE_RATE * u32::from(block_align)).to_le_bytes());
    f.extend_from_slice(&block_align.to_le_bytes());
    f.extend_from_slice(&bits.to_le_bytes());
    if let Some(cb) = cb_size {
        f.extend_from_slice(&cb.to_le_bytes());
    }
    f
}

/// An 8 kHz mono 16-bit PCM WAV file.
pub fn write_pcm16(samples: &[i16]) -> Vec<u8> {
    let mut chunks = Vec::with_capacity(32 + 2 * samples.len());
    chunk(&mut chunks, b"fmt ", &format(TAG_PCM, 16, None));
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    chunk(&mut chunks, b"data", &data);
    riff(&chunks)
}

/// An 8 kHz mono G.711 WAV file (format tag 7 for µ-law, 6 for A-law).
pub fn write_g711(codec: Codec, codes: &[u8]) -> Vec<u8> {
    let mut chunks = Vec::with_capacity(48 + codes.len());
    // Non-PCM formats use WAVEFORMATEX, whose cbSize (0: no extra bytes)
    // makes the chunk 18 bytes, and need a `fact` chunk with the sample count.
    chunk(
        &mut chunks,
        b"fmt ",
        &format(codec.wav_format_tag(), 8, Some(0)),
    );
    chunk(&mut chunks, b"fact", &(codes.len() as u32).to_le_bytes());
    chunk(&mut chunks, b"data", codes);
    riff(&chunks)
}

/// A WAV file holding `audio` in its own encoding.
pub fn write(audio: &Audio) -> Vec<u8> {
    match audio {
        Audio::Pcm16(s) => write_pcm16(s),
        Audio::G711 { codec, codes } => write_g711(*codec, codes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_fmt(tag: u16, channels: u16, rate: u32, bits: u16) -> Vec<u8> {
        let mut f = Vec::new();
        f.extend_from_slice(&tag.to_le_bytes());
        f.extend_from_slice(&channels.to_le_bytes());
        f.extend_from_slice(&rate.to_le_bytes());
        f.extend_from_slice(&(rate * u32::from(channels * bits / 8)).to_le_bytes());
        f.extend_from_slice(&(channels * bits / 8).to_le_bytes());
        f.extend_from_slice(&bits.to_le_bytes());
        let mut chunks = Vec::new();
        chunk(&mut chunks, b"fmt ", &f);
        chunk(&mut chunks, b"data", &[0; 8]);
        riff(&chunks)
    }

    #[test]
    fn refuses_what_is_not_8_khz_mono_voice() {
        assert_eq!(
            read(&with_fmt(1, 1, 44100, 16)),
            Err(WavError::SampleRate(44100))
        );
        assert_eq!(read(&with_fmt(1, 2, 8000, 16)), Err(WavError::Channels(2)));
        assert_eq!(
            read(&with_fmt(3, 1, 8000, 32)),
            Err(WavError::UnsupportedEncoding {
                format_tag: 3,
                bits_per_sample: 32
            })
        );
        assert_eq!(
            read(&with_fmt(1, 1, 8000, 8)),
            Err(WavError::UnsupportedEncoding {
                format_tag: 1,
                bits_per_sample: 8
            })
        );
        assert_eq!(read(b"OggS\0\0\0\0\0\0\0\0"), Err(WavError::NotWav));
        let msg = WavError::SampleRate(16000).to_string();
        assert!(
            msg.contains("16000 Hz") && msg.contains("8000 Hz mono"),
            "{msg}"
        );
    }

    #[test]
    fn accepts_what_it_should() {
        assert_eq!(
            read(&with_fmt(1, 1, 8000, 16)),
            Ok(Audio::Pcm16(vec![0; 4]))
        );
        assert_eq!(
            read(&with_fmt(7, 1, 8000, 8)),
            Ok(Audio::G711 {
                codec: Codec::Pcmu,
                codes: vec![0; 8]
            })
        );
    }

    #[test]
    fn extensible_format_uses_the_sub_format_tag() {
        // WAVE_FORMAT_EXTENSIBLE (40-byte fmt): the tag is the sub-format
        // GUID's first two bytes, here KSDATAFORMAT_SUBTYPE_PCM.
        let mut f = Vec::new();
        for v in [0xFFFEu16, 1] {
            f.extend_from_slice(&v.to_le_bytes());
        }
        f.extend_from_slice(&8000u32.to_le_bytes());
        f.extend_from_slice(&16000u32.to_le_bytes());
        for v in [2u16, 16, 22, 16] {
            f.extend_from_slice(&v.to_le_bytes());
        }
        f.extend_from_slice(&4u32.to_le_bytes()); // channel mask
        f.extend_from_slice(&[
            1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71,
        ]);
        let mut chunks = Vec::new();
        chunk(&mut chunks, b"fmt ", &f);
        chunk(&mut chunks, b"data", &[1, 0, 0xFF, 0xFF]);
        assert_eq!(read(&riff(&chunks)), Ok(Audio::Pcm16(vec![1, -1])));
    }

    #[test]
    fn truncated_data_is_an_error() {
        let mut f = write_g711(Codec::Pcma, &[1, 2, 3, 4]);
        f.truncate(f.len() - 1);
        assert_eq!(read(&f), Err(WavError::Truncated("data chunk")));
    }

    #[test]
    fn odd_length_g711_is_padded_and_reads_back() {
        let f = write_g711(Codec::Pcmu, &[1, 2, 3]);
        assert_eq!(f.len() % 2, 0);
        assert_eq!(
            read(&f),
            Ok(Audio::G711 {
                codec: Codec::Pcmu,
                codes: vec![1, 2, 3]
            })
        );
    }
}
