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

/// The utterance at `rate` (8000, or 16000 by [`upsample_2x`]).
pub fn utterance(rate: u32) -> Vec<Vec<i16>> {
    let base = utterance_8k();
    if rate == 8000 {
        return base.to_vec();
    }
    frames(&upsample_2x(&base.concat()), frame_samples(rate))
}

/// Taps on each side of a new sample.
const HALF_TAPS: usize = 16;

/// 8 kHz samples at 16 kHz, by band-limited (Hann-windowed sinc)
/// interpolation, as a resampler does: no mirror image of the speech
/// appears above 4 kHz. Linear interpolation leaves one, and the
/// end-of-turn models of voice-agent frameworks hear it as speech that has
/// not finished.
pub fn upsample_2x(x: &[i16]) -> Vec<i16> {
    let half = HALF_TAPS as f64;
    // The weights of x[k - HALF + 1 ..= k + HALF] for the sample at k + 0.5.
    let mut taps: Vec<f64> = (0..2 * HALF_TAPS)
        .map(|j| {
            let t = j as f64 - half + 0.5;
            let sinc = (std::f64::consts::PI * t).sin() / (std::f64::consts::PI * t);
            let hann = 0.5 * (1.0 + (std::f64::consts::PI * t / half).cos());
            sinc * hann
        })
        .collect();
    let gain: f64 = taps.iter().sum();
    taps.iter_mut().for_each(|t| *t /= gain);
    let at = |i: isize| x.get(usize::try_from(i).ok()?).copied();
    let mut out = Vec::with_capacity(x.len() * 2);
    for (k, &sample) in x.iter().enumerate() {
        out.push(sample);
        let mid: f64 = taps
            .iter()
            .enumerate()
            .map(|(j, w)| {
                let i = k as isize + j as isize - HALF_TAPS as isize + 1;
                w * f64::from(at(i).unwrap_or(0))
            })
            .sum();
        out.push(mid.round().clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16);
    }
    out
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

    /// Magnitude of the `freq` component of `x` sampled at `rate`.
    fn tone_level(x: &[i16], freq: f64, rate: f64) -> f64 {
        let (mut re, mut im) = (0.0, 0.0);
        for (n, &s) in x.iter().enumerate() {
            let ph = 2.0 * std::f64::consts::PI * freq * n as f64 / rate;
            re += f64::from(s) * ph.cos();
            im += f64::from(s) * ph.sin();
        }
        (re * re + im * im).sqrt()
    }

    #[test]
    fn doubling_the_rate_leaves_no_image_above_4_khz() {
        let tone: Vec<i16> = (0..1600)
            .map(|n| {
                (10000.0 * (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / 8000.0).sin()) as i16
            })
            .collect();
        let up = upsample_2x(&tone);
        assert_eq!(up.len(), 3200);
        // Away from the edges, where the filter has all its taps.
        let mid = &up[200..3000];
        let signal = tone_level(mid, 1000.0, 16000.0);
        let image = tone_level(mid, 7000.0, 16000.0);
        assert!(image < signal / 1000.0, "image {image}, signal {signal}");
        // The original samples are kept.
        assert!(up.iter().step_by(2).zip(&tone).all(|(a, b)| a == b));
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
