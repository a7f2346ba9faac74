//! G.711: µ-law and A-law codecs, transcoding and 8 kHz WAV files, as pure functions
//! ([docs/g711.md](../../../docs/g711.md#the-reference-module)).

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
