//! G.711 (ITU-T Recommendation G.711, "Pulse code modulation (PCM) of voice
//! frequencies"): µ-law and A-law companding of 16-bit linear samples.
//!
//! * [`codec`] — encode (linear → code) and decode (code → linear) for both
//!   laws, per sample and per frame, bit-exact with the ITU-T G.191 Software
//!   Tool Library (module g711) on every input.
//! * [`transcode`] — direct A-law ↔ µ-law conversion with G.711's own
//!   conversion tables (not decode-then-encode).
//! * [`wav`] — a small RIFF reader/writer for 8 kHz mono WAV files holding
//!   16-bit PCM or G.711 (format tags 1, 7 and 6).
//!
//! Everything here is a pure function over values and byte slices; no I/O.

pub mod codec;
pub mod transcode;
pub mod wav;

pub use codec::{
    decode_alaw, decode_alaw_sample, decode_alaw_vec, decode_ulaw, decode_ulaw_sample,
    decode_ulaw_vec, encode_alaw, encode_alaw_sample, encode_alaw_vec, encode_ulaw,
    encode_ulaw_sample, encode_ulaw_vec, Codec,
};
pub use transcode::{alaw_to_ulaw, alaw_to_ulaw_sample, ulaw_to_alaw, ulaw_to_alaw_sample};

//= https://www.itu.int/rec/T-REC-G.711 §1
/// G.711's sampling rate: 8000 samples per second (G.711 §1).
pub const SAMPLE_RATE: u32 = 8000;
