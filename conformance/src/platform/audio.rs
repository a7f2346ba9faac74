//! The caller's audio, from the WAV fixtures, and the speech level the figures use
//! ([docs/telephony.md](../../../docs/telephony.md#figures)).

use std::sync::OnceLock;

/// Samples in 20 ms at `rate`.
pub fn frame_samples(rate: u32) -> usize {
    rate as usize / 50
}

/// RMS level of a frame above which the suite counts it as speech. The
/// fixture's voiced frames are above 900; its pauses and the G.711 round
/// trip of silence stay below 350.
pub const SPEECH_RMS: f64 = 500.0;

/// Frames of the fixture the caller says: up to its first pause of 20 ms of silence.
const UTTERANCE_FRAMES: usize = 54;

/// The 16-bit samples of a PCM WAV file's `data` chunk (the fixtures are
/// mono, 16-bit little-endian: the vector generator writes them so).
pub fn wav_samples(wav: &[u8]) -> Vec<i16> {
    let mut at = 12;
    while at + 8 <= wav.len() {
        let id = &wav[at..at + 4];
        let len = u32::from_le_bytes([wav[at + 4], wav[at + 5], wav[at + 6], wav[at + 7]]) as usize;
        let body = &wav[at + 8..(at + 8 + len).min(wav.len())];
        if id == b"data" {
            return body
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect();
        }
        at += 8 + len + (len & 1);
    }
    Vec::new()
}

/// The caller's utterance: the first 1.08 s of
/// `vectors/g711/wav/speech.pcm16.wav` (8 kHz), which ends at a pause, in
/// 20 ms frames. One second keeps each call short; the pauses inside it are
/// shorter than [`END_OF_UTTERANCE`](super::figures::END_OF_UTTERANCE).
pub fn utterance_8k() -> &'static [Vec<i16>] {
    static FRAMES: OnceLock<Vec<Vec<i16>>> = OnceLock::new();
    FRAMES.get_or_init(|| {
        let speech = voxproof_vectors::g711::WAV_FIXTURES
            .iter()
            .find(|f| f.name == "speech")
            .map(|f| wav_samples(f.pcm16))
            .unwrap_or_default();
        let mut all = frames(&speech, frame_samples(8000));
        all.truncate(UTTERANCE_FRAMES);
        all
    })
}

/// The utterance at `rate` (8000 or 16000; 16 kHz by linear
/// interpolation, which keeps the speech and pause pattern the figures use).
pub fn utterance(rate: u32) -> Vec<Vec<i16>> {
    let base = utterance_8k();
    if rate == 8000 {
        return base.to_vec();
    }
    let flat: Vec<i16> = base.concat();
    let mut up = Vec::with_capacity(flat.len() * 2);
    for (i, &s) in flat.iter().enumerate() {
        let next = flat.get(i + 1).copied().unwrap_or(s);
        up.push(s);
        up.push(((i32::from(s) + i32::from(next)) / 2) as i16);
    }
    frames(&up, frame_samples(rate))
}

fn frames(samples: &[i16], n: usize) -> Vec<Vec<i16>> {
    samples
        .chunks(n)
        .map(|c| {
            let mut f = c.to_vec();
            f.resize(n, 0);
            f
        })
        .collect()
}

pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len() as f64).sqrt()
}

pub fn is_speech(samples: &[i16]) -> bool {
    rms(samples) > SPEECH_RMS
}

/// Index of the last speech frame of `frames`.
pub fn last_speech(frames: &[Vec<i16>]) -> Option<usize> {
    frames.iter().rposition(|f| is_speech(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_utterance_is_speech_then_ends() {
        let u = utterance_8k();
        assert_eq!(u.len(), 54);
        assert!(u.iter().all(|f| f.len() == 160));
        assert!(u.iter().filter(|f| is_speech(f)).count() > 35);
        assert_eq!(last_speech(u), Some(53));
        // The fixture's next frame is silent: the utterance ends at a pause.
        let whole = voxproof_vectors::g711::WAV_FIXTURES[2].pcm16;
        let next = &wav_samples(whole)[54 * 160..55 * 160];
        assert!(!is_speech(next));
    }

    #[test]
    fn sixteen_khz_keeps_the_frame_count_and_the_speech() {
        let u8k = utterance(8000);
        let u16k = utterance(16000);
        assert_eq!(u16k.len(), u8k.len());
        assert!(u16k.iter().all(|f| f.len() == 320));
        assert_eq!(last_speech(&u16k), last_speech(&u8k));
    }
}
