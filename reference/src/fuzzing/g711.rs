//! Fuzz target `g711`: the G.711 codec, transcoding and WAV reader on arbitrary bytes
//! ([fuzz/README.md](../../../fuzz/README.md#g711)).

use crate::g711::transcode::{alaw_to_ulaw_vec, ulaw_to_alaw_vec};
use crate::g711::{alaw_to_ulaw_sample, ulaw_to_alaw_sample, wav, Codec};

pub fn run(data: &[u8]) {
    let samples: Vec<i16> = data
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    for codec in Codec::ALL {
        check_samples(codec, &samples);
        check_codes(codec, data);
    }
    check_transcoding(data);
    check_wav(data);
}

/// The largest |decode(encode(x)) − x| the law allows at `x`.
///
/// Within a segment the error is at most half the step plus the dropped
/// low bits; steps double from segment to segment, so relative to |x| the
/// error stays under 1/32 of the magnitude (plus an absolute floor for the
/// lowest segments); the top interval and the clipping above the overload
/// point (µ-law 32124 for 31612…32767; A-law 32256 for 32767) stay
/// inside that bound too.
pub fn max_error(codec: Codec, x: i16) -> i32 {
    let magnitude = i32::from(x).abs();
    match codec {
        // 16-bit steps: 8 in the first segment, doubling, drop 2 bits.
        Codec::Pcmu => magnitude / 32 + 8,
        // 16-bit steps: 16 in the first two segments, doubling, drop 4 bits.
        Codec::Pcma => magnitude / 32 + 16,
    }
}

fn check_samples(codec: Codec, samples: &[i16]) {
    let codes = codec.encode_vec(samples);
    let per_sample: Vec<u8> = samples.iter().map(|&x| codec.encode_sample(x)).collect();
    assert_eq!(
        codes, per_sample,
        "{codec}: frame encode differs from per-sample"
    );
    let decoded = codec.decode_vec(&codes);
    for (&x, (&c, &y)) in samples.iter().zip(codes.iter().zip(&decoded)) {
        assert!(
            if x < 0 { y <= 0 } else { y >= 0 },
            "{codec}: sign of {x} lost ({y})"
        );
        let again = codec.encode_sample(y);
        let negative_zero = codec == Codec::Pcmu && c == 0x7F;
        assert!(
            again == c || (negative_zero && again == 0xFF),
            "{codec}: {x} → {c:#04x} → {y} → {again:#04x}"
        );
        let error = (i32::from(y) - i32::from(x)).abs();
        assert!(
            error <= max_error(codec, x),
            "{codec}: {x} → {y}, error {error} over {}",
            max_error(codec, x)
        );
    }
    for (pair, out) in samples.windows(2).zip(decoded.windows(2)) {
        let (a, b) = (pair[0], pair[1]);
        let (ya, yb) = (out[0], out[1]);
        let (lo, hi) = if a <= b { (ya, yb) } else { (yb, ya) };
        assert!(lo <= hi, "{codec}: not monotonic: {a} → {ya}, {b} → {yb}");
    }
}

fn check_codes(codec: Codec, codes: &[u8]) {
    let decoded = codec.decode_vec(codes);
    let per_sample: Vec<i16> = codes.iter().map(|&c| codec.decode_sample(c)).collect();
    assert_eq!(
        decoded, per_sample,
        "{codec}: frame decode differs from per-sample"
    );
    let back = codec.encode_vec(&decoded);
    for (&c, &b) in codes.iter().zip(&back) {
        let expected = if codec == Codec::Pcmu && c == 0x7F {
            0xFF
        } else {
            c
        };
        assert_eq!(
            b, expected,
            "{codec}: code {c:#04x} does not survive decoding"
        );
    }
}

/// µ-law magnitude as G.711 Table 2 numbers it (0–127).
fn ulaw_number(c: u8) -> i16 {
    i16::from(!c & 0x7F)
}

/// A-law magnitude as G.711 Table 1 numbers it (1–128).
fn alaw_number(c: u8) -> i16 {
    i16::from((c ^ 0x55) & 0x7F) + 1
}

fn check_transcoding(codes: &[u8]) {
    let to_a = ulaw_to_alaw_vec(codes);
    let to_u = alaw_to_ulaw_vec(codes);
    for (i, &c) in codes.iter().enumerate() {
        let (a, u) = (to_a[i], to_u[i]);
        assert_eq!(
            a,
            ulaw_to_alaw_sample(c),
            "µ→A frame differs from per-sample"
        );
        assert_eq!(
            u,
            alaw_to_ulaw_sample(c),
            "A→µ frame differs from per-sample"
        );
        assert_eq!(a & 0x80, c & 0x80, "µ→A changed the sign of {c:#04x}");
        assert_eq!(u & 0x80, c & 0x80, "A→µ changed the sign of {c:#04x}");
        // µ-law code c round trip.
        let uu = alaw_to_ulaw_sample(a);
        assert_eq!(uu & 0x80, c & 0x80);
        assert!(
            (ulaw_number(uu) - ulaw_number(c)).abs() <= 1,
            "µ {c:#04x} → {uu:#04x}"
        );
        assert_eq!(ulaw_to_alaw_sample(uu), a, "µ→A→µ→A is not µ→A");
        // A-law code c round trip.
        let aa = ulaw_to_alaw_sample(u);
        assert_eq!(aa & 0x80, c & 0x80);
        assert!(
            (alaw_number(aa) - alaw_number(c)).abs() <= 1,
            "A {c:#04x} → {aa:#04x}"
        );
        assert_eq!(alaw_to_ulaw_sample(aa), u, "A→µ→A→µ is not A→µ");
    }
}

fn check_wav(bytes: &[u8]) {
    let Ok(audio) = wav::read(bytes) else { return };
    let written = wav::write(&audio);
    match wav::read(&written) {
        Ok(back) => assert_eq!(
            back, audio,
            "a WAV file read, written and read again changed"
        ),
        Err(e) => panic!("a WAV file read and written again does not read: {e}"),
    }
    assert_eq!(audio.to_linear().len(), audio.len());
    for codec in Codec::ALL {
        assert_eq!(audio.to_codes(codec).len(), audio.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every sample in ascending order (so monotonicity is checked over the
    // whole range) and every code: the bounds hold on all inputs, not only
    // on those a fuzzer happens to try.
    #[test]
    fn properties_hold_on_every_sample_and_code() {
        let all: Vec<u8> = (i16::MIN..=i16::MAX).flat_map(i16::to_le_bytes).collect();
        run(&all);
        run(&(0..=255).collect::<Vec<u8>>());
    }

    #[test]
    fn error_bound_is_tight_enough_to_mean_something() {
        // The largest error relative to the bound, over every sample, is
        // above half of it: a much looser bound would hide a wrong table.
        for codec in Codec::ALL {
            let worst = (i16::MIN..=i16::MAX)
                .map(|x| {
                    let y = codec.decode_sample(codec.encode_sample(x));
                    f64::from((i32::from(y) - i32::from(x)).abs()) / f64::from(max_error(codec, x))
                })
                .fold(0.0, f64::max);
            assert!((0.5..=1.0).contains(&worst), "{codec}: {worst}");
        }
    }
}
