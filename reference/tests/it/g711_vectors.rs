//! The G.711 codec, transcoder and WAV module against `vectors/g711/`: every
//! table entry, every named test, every WAV fixture.

use voxproof_reference::g711::transcode::{alaw_to_ulaw_vec, ulaw_to_alaw_vec};
use voxproof_reference::g711::wav::{self, Audio};
use voxproof_reference::g711::Codec;
use voxproof_vectors::g711::{Law, LawFile, WAV_FIXTURES};
use voxproof_vectors::Expected;

fn laws() -> [(Codec, LawFile); 2] {
    [
        (Codec::Pcmu, voxproof_vectors::g711_pcmu()),
        (Codec::Pcma, voxproof_vectors::g711_pcma()),
    ]
}

#[test]
fn every_encode_entry() {
    for (codec, law) in laws() {
        let samples: Vec<i16> = (i16::MIN..=i16::MAX).collect();
        // Per sample and through the frame API, which use different paths.
        let mut frame = vec![0u8; samples.len()];
        codec.encode(&samples, &mut frame);
        for (i, &x) in samples.iter().enumerate() {
            assert_eq!(codec.encode_sample(x), law.encode[i], "{codec} encode({x})");
        }
        assert_eq!(frame, law.encode, "{codec} frame encode");
        assert_eq!(codec.encode_vec(&samples), law.encode);
    }
}

#[test]
fn every_decode_entry() {
    for (codec, law) in laws() {
        let codes: Vec<u8> = (0..=255).collect();
        for &c in &codes {
            assert_eq!(
                codec.decode_sample(c),
                law.decode[c as usize],
                "{codec} decode({c:02x})"
            );
        }
        let mut frame = vec![0i16; 256];
        codec.decode(&codes, &mut frame);
        assert_eq!(frame, law.decode);
        assert_eq!(codec.decode_vec(&codes), law.decode);
    }
}

#[test]
fn every_conversion_entry() {
    let t = voxproof_vectors::g711_transcode();
    let codes: Vec<u8> = (0..=255).collect();
    assert_eq!(ulaw_to_alaw_vec(&codes), t.pcmu_to_pcma);
    assert_eq!(alaw_to_ulaw_vec(&codes), t.pcma_to_pcmu);
}

#[test]
fn named_codec_tests() {
    for (codec, law) in laws() {
        for t in law.tests() {
            assert_eq!(t.result, Expected::Valid);
            let codes = codec.encode_vec(&t.samples);
            assert_eq!(
                codes,
                t.code_bytes(),
                "{} tcId {}: {}",
                law.suite,
                t.tc_id,
                t.comment
            );
            assert_eq!(
                codec.decode_vec(&codes),
                t.decoded,
                "{} tcId {}",
                law.suite,
                t.tc_id
            );
        }
    }
}

#[test]
fn named_conversion_tests() {
    let file = voxproof_vectors::g711_transcode();
    for t in file.tests() {
        let out = match t.from {
            Law::Pcmu => ulaw_to_alaw_vec(&t.input_bytes()),
            Law::Pcma => alaw_to_ulaw_vec(&t.input_bytes()),
        };
        assert_eq!(out, t.output_bytes(), "tcId {}: {}", t.tc_id, t.comment);
    }
}

/// The PCM twin as hound reads it: an independent WAV reader.
fn hound_samples(bytes: &[u8]) -> Vec<i16> {
    let r = hound::WavReader::new(bytes).expect("hound reads the PCM fixture");
    assert_eq!((r.spec().sample_rate, r.spec().channels), (8000, 1));
    r.into_samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect()
}

#[test]
fn wav_fixtures_are_the_table_encoding_of_their_pcm_twins() {
    let laws = laws();
    for f in WAV_FIXTURES {
        let samples = hound_samples(f.pcm16);
        assert!(!samples.is_empty(), "{}", f.name);
        assert_eq!(
            wav::read(f.pcm16),
            Ok(Audio::Pcm16(samples.clone())),
            "{}",
            f.name
        );
        for ((codec, law), bytes) in laws.iter().zip([f.pcmu, f.pcma]) {
            let expected: Vec<u8> = samples.iter().map(|&x| law.encode_of(x)).collect();
            assert_eq!(
                wav::read(bytes),
                Ok(Audio::G711 {
                    codec: *codec,
                    codes: expected
                }),
                "{}.{} is not the table encoding of {}.pcm16",
                f.name,
                codec.name().to_lowercase(),
                f.name
            );
        }
    }
}

#[test]
fn wav_writer_reproduces_the_fixtures_and_round_trips() {
    for f in WAV_FIXTURES {
        let Ok(Audio::Pcm16(samples)) = wav::read(f.pcm16) else {
            panic!("{} is PCM", f.name)
        };
        assert_eq!(wav::write_pcm16(&samples), f.pcm16, "{}.pcm16", f.name);
        for (codec, bytes) in [(Codec::Pcmu, f.pcmu), (Codec::Pcma, f.pcma)] {
            let audio = wav::read(bytes).expect("fixture reads");
            assert_eq!(wav::write(&audio), bytes, "{}.{codec}", f.name);
            assert_eq!(wav::read(&wav::write(&audio)), Ok(audio.clone()));
            assert_eq!(audio.to_codes(codec), codec.encode_vec(&samples));
            assert_eq!(
                audio.to_linear(),
                codec.decode_vec(&codec.encode_vec(&samples))
            );
        }
    }
}
