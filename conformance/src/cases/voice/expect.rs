//! Expectations, computed from the G.711 vector tables only (never from the
//! code under test), and the pure judges the voice cases share.

use std::sync::OnceLock;
use voxproof_vectors::g711::{Law, LawFile, TranscodeFile};

/// 20 ms of G.711 at 8000 samples/s.
pub const FRAME_BYTES: usize = 160;
pub const FRAME_MS: u64 = 20;

/// `vectors/g711/{pcmu,pcma,transcode}.json`, parsed once per process.
pub struct Tables {
    pub pcmu: LawFile,
    pub pcma: LawFile,
    pub transcode: TranscodeFile,
}

pub fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| Tables {
        pcmu: voxproof_vectors::g711_pcmu(),
        pcma: voxproof_vectors::g711_pcma(),
        transcode: voxproof_vectors::g711_transcode(),
    })
}

/// The codec's name in URLs.
pub fn param(law: Law) -> &'static str {
    match law {
        Law::Pcmu => "pcmu",
        Law::Pcma => "pcma",
    }
}

impl Tables {
    pub fn law(&self, law: Law) -> &LawFile {
        match law {
            Law::Pcmu => &self.pcmu,
            Law::Pcma => &self.pcma,
        }
    }

    /// A frame of the law's code for 0.
    pub fn silence(&self, law: Law) -> Vec<u8> {
        vec![self.law(law).encode_of(0); FRAME_BYTES]
    }

    pub fn encode(&self, law: Law, samples: &[i16]) -> Vec<u8> {
        samples
            .iter()
            .map(|s| self.law(law).encode_of(*s))
            .collect()
    }

    /// G.711's conversion tables (identity within one law).
    pub fn convert(&self, from: Law, to: Law, frame: &[u8]) -> Vec<u8> {
        let table = match (from, to) {
            (Law::Pcmu, Law::Pcma) => &self.transcode.pcmu_to_pcma,
            (Law::Pcma, Law::Pcmu) => &self.transcode.pcma_to_pcmu,
            _ => return frame.to_vec(),
        };
        frame.iter().map(|c| table[usize::from(*c)]).collect()
    }

    /// What converting by decoding and re-encoding gives (the mistake the
    /// conversion tables exist to avoid), to name it in a detail.
    pub fn reencode(&self, from: Law, to: Law, frame: &[u8]) -> Vec<u8> {
        frame
            .iter()
            .map(|c| self.law(to).encode_of(self.law(from).decode_of(*c)))
            .collect()
    }

    /// What `listener` hears from `speakers` (docs/voice-protocol.md §7):
    /// silence, one frame converted, or the saturated sum encoded.
    /// A frame of only its law's silence code counts as not speaking.
    pub fn mix(&self, listener: Law, speakers: &[(Law, &[u8])]) -> Vec<u8> {
        let speakers: Vec<(Law, &[u8])> = speakers
            .iter()
            .filter(|(law, f)| f.iter().any(|c| *c != self.law(*law).encode_of(0)))
            .copied()
            .collect();
        match speakers.as_slice() {
            [] => self.silence(listener),
            [(law, frame)] => self.convert(*law, listener, frame),
            _ => (0..FRAME_BYTES)
                .map(|k| {
                    let sum: i32 = speakers
                        .iter()
                        .map(|(law, f)| i32::from(self.law(*law).decode_of(f[k])))
                        .sum();
                    self.law(listener)
                        .encode_of(sum.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16)
                })
                .collect(),
        }
    }
}

/// `n` distinct frames in which every byte of a frame differs from the
/// others (so none is ever a silence frame) and, over a few frames, every
/// one of the 256 codes appears — including those where G.711's conversion
/// tables and decode-then-encode disagree.
pub fn code_frames(seed: u8, n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|k| {
            (0..FRAME_BYTES)
                .map(|i| ((k * 13 + i * 7 + usize::from(seed)) % 256) as u8)
                .collect()
        })
        .collect()
}

/// 160 loud pseudo-random samples (±24000, so two of them often saturate).
pub fn loud_samples(seed: u32) -> Vec<i16> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..FRAME_BYTES)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (((x >> 8) % 48_001) as i32 - 24_000) as i16
        })
        .collect()
}

/// Checks that the frames heard, silence removed, are the expected frames in
/// order with at most a few missing (a jitter buffer may drop the oldest on
/// overflow). Returns how many arrived, or the index in `heard` of the first
/// frame that does not fit.
pub fn in_order(heard: &[Vec<u8>], silence: &[u8], expected: &[Vec<u8>]) -> Result<usize, usize> {
    let mut next = 0;
    let mut delivered = 0;
    for (i, h) in heard.iter().enumerate() {
        if h.as_slice() == silence {
            continue;
        }
        match expected[next..].iter().position(|e| e == h) {
            Some(p) => {
                next += p + 1;
                delivered += 1;
            }
            None => return Err(i),
        }
    }
    Ok(delivered)
}

/// Pacing of a stream of frames as the receiver's clock saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pacing {
    /// Frames that arrived within `window_ms` of the first one.
    pub in_window: usize,
    /// Frames per second: 1000 over the median of the per-frame periods
    /// between pairs of arrivals at least a quarter of the series apart
    /// (Theil–Sen). A receiver delayed now and then shifts a minority of
    /// arrivals; the median ignores them, where a count at a window's edge
    /// would not.
    pub rate: f64,
    /// Inter-arrival times, ms.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// `arrivals`: milliseconds on the receiver's clock, ascending.
pub fn pacing(arrivals: &[f64], window_ms: f64) -> Option<Pacing> {
    if arrivals.len() < 8 {
        return None;
    }
    let t0 = arrivals[0];
    let in_window = arrivals.iter().filter(|t| **t - t0 < window_ms).count();
    let n = arrivals.len();
    let gap = (n / 4).max(1);
    let mut periods = Vec::new();
    for i in 0..n {
        for j in (i + gap)..n {
            periods.push((arrivals[j] - arrivals[i]) / (j - i) as f64);
        }
    }
    periods.sort_by(f64::total_cmp);
    let period = percentile(&periods, 0.5);
    let mut gaps: Vec<f64> = arrivals.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_by(f64::total_cmp);
    Some(Pacing {
        in_window,
        rate: if period > 0.0 {
            1000.0 / period
        } else {
            f64::INFINITY
        },
        p50_ms: percentile(&gaps, 0.5),
        p99_ms: percentile(&gaps, 0.99),
        max_ms: *gaps.last().unwrap_or(&0.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_and_conversion_come_from_the_tables() {
        let t = tables();
        assert_eq!(t.silence(Law::Pcmu)[0], 0xFF);
        assert_eq!(t.silence(Law::Pcma)[0], 0xD5);
        let all: Vec<u8> = (0..=255).collect();
        // The tables and decode-then-encode differ on some codes; the frames
        // the cases send contain them.
        let frames = code_frames(0, 4).concat();
        for (from, to) in [(Law::Pcmu, Law::Pcma), (Law::Pcma, Law::Pcmu)] {
            assert_ne!(t.convert(from, to, &all), t.reencode(from, to, &all));
            assert_ne!(t.convert(from, to, &frames), t.reencode(from, to, &frames));
        }
    }

    #[test]
    fn mix_saturates() {
        let t = tables();
        let loud = vec![0x80u8; FRAME_BYTES]; // µ-law +32124
        let m = t.mix(Law::Pcmu, &[(Law::Pcmu, &loud), (Law::Pcmu, &loud)]);
        assert_eq!(m, vec![t.pcmu.encode_of(i16::MAX); FRAME_BYTES]);
    }

    #[test]
    fn in_order_skips_silence_and_allows_gaps() {
        let s = vec![0xFF; 2];
        let e: Vec<Vec<u8>> = (1..=4).map(|n| vec![n; 2]).collect();
        let heard = vec![
            s.clone(),
            e[0].clone(),
            s.clone(),
            e[2].clone(),
            e[3].clone(),
        ];
        assert_eq!(in_order(&heard, &s, &e), Ok(3));
        let wrong = vec![e[1].clone(), e[0].clone()];
        assert_eq!(in_order(&wrong, &s, &e), Err(1));
    }

    #[test]
    fn pacing_ignores_a_stalled_minority() {
        let mut a: Vec<f64> = (0..100).map(|i| f64::from(i) * 20.0).collect();
        // The receiver stalls 150 ms once: eight frames arrive together.
        for t in a.iter_mut().skip(50).take(8) {
            *t = 50.0 * 20.0 + 150.0;
        }
        let p = pacing(&a, 2000.0).unwrap();
        assert!((p.rate - 50.0).abs() < 0.5, "{p:?}");
        assert_eq!(p.in_window, 100);
        let slow: Vec<f64> = (0..90).map(|i| f64::from(i) * 1000.0 / 45.0).collect();
        assert!((pacing(&slow, 2000.0).unwrap().rate - 45.0).abs() < 0.1);
    }
}
