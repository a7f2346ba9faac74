//! Properties G.711 promises, checked on the reference codec: monotonic
//! encoding, decoded values inside the sample's quantization interval (per
//! the decision values in `vectors/g711/`), codes that survive a decode, and
//! the signal-to-quantization-noise ratio of a full-scale sine.

use proptest::prelude::*;
use std::sync::LazyLock;
use voxproof_reference::g711::Codec;
use voxproof_vectors::g711::LawFile;

// Parsed once: each file holds a 65,536-entry table.
static PCMU: LazyLock<LawFile> = LazyLock::new(voxproof_vectors::g711_pcmu);
static PCMA: LazyLock<LawFile> = LazyLock::new(voxproof_vectors::g711_pcma);

fn law(codec: Codec) -> &'static LawFile {
    match codec {
        Codec::Pcmu => &PCMU,
        Codec::Pcma => &PCMA,
    }
}

fn codec() -> impl Strategy<Value = Codec> {
    prop_oneof![Just(Codec::Pcmu), Just(Codec::Pcma)]
}

fn roundtrip(codec: Codec, x: i16) -> i16 {
    codec.decode_sample(codec.encode_sample(x))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encoding_is_monotonic(codec in codec(), a in any::<i16>(), b in any::<i16>()) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(roundtrip(codec, lo) <= roundtrip(codec, hi), "{codec}: {lo} vs {hi}");
    }

    #[test]
    fn decoded_value_lies_in_the_samples_interval(codec in codec(), x in any::<i16>()) {
        let law = law(codec);
        // The STL's magnitude: ones' complement for negative samples.
        let magnitude = if x < 0 { -1 - i32::from(x) } else { i32::from(x) };
        let n = law.interval_of(magnitude);
        let (lo, hi) = (law.decision_values[n], law.decision_values[n + 1]);
        let y = i32::from(roundtrip(codec, x));
        prop_assert!((lo..hi).contains(&y.abs()), "{codec}: {x} → {y}, interval [{lo}, {hi})");
        prop_assert!(if x < 0 { y <= 0 } else { y >= 0 }, "{codec}: sign of {x} → {y}");
    }
}

#[test]
fn codes_survive_decode_then_encode() {
    for codec in Codec::ALL {
        for c in 0..=255u8 {
            let back = codec.encode_sample(codec.decode_sample(c));
            // µ-law has two zeros: 0x7F (−0) decodes to 0, which encodes as +0.
            let expected = if codec == Codec::Pcmu && c == 0x7F {
                0xFF
            } else {
                c
            };
            assert_eq!(back, expected, "{codec} code {c:02x}");
        }
    }
}

/// SQNR in dB of `samples` through the codec.
fn sqnr(codec: Codec, samples: &[i16]) -> f64 {
    let (mut signal, mut noise) = (0f64, 0f64);
    for &x in samples {
        let e = f64::from(roundtrip(codec, x)) - f64::from(x);
        signal += f64::from(x).powi(2);
        noise += e * e;
    }
    10.0 * (signal / noise).log10()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    // G.711's laws keep the SQNR of a loud sine near 38 dB; a full-scale
    // sine (peak just under the overload point) must not fall below 37 dB.
    // The law is about the sine's amplitude distribution, so its phases
    // are spread evenly (steps of the golden ratio's fraction of a turn):
    // a tone sampled at a few repeating phases (8000/14 Hz hits 14) can
    // land them all on coarse steps, which says nothing about the codec.
    #[test]
    fn full_scale_sine_keeps_sqnr_above_37_db(
        codec in codec(),
        phase in 0.0f64..std::f64::consts::TAU,
    ) {
        let peak = f64::from(law(codec).decision_values[128].min(32767));
        let step = (5f64.sqrt() - 1.0) / 2.0;
        let samples: Vec<i16> = (0..1600)
            .map(|k| {
                let turn = (f64::from(k) * step).fract();
                (peak * (std::f64::consts::TAU * turn + phase).sin()).round() as i16
            })
            .collect();
        let db = sqnr(codec, &samples);
        prop_assert!(db >= 37.0, "{codec} at phase {phase:.3}: {db:.2} dB");
    }
}
