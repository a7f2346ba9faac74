//! The mix: what each participant hears in one 20 ms tick, a pure function
//! of the frames that tick (docs/voice-protocol.md#7-mixing).

use super::protocol::{Frame, FRAME_BYTES};
use crate::g711::transcode::{alaw_to_ulaw, ulaw_to_alaw};
use crate::g711::Codec;

/// One participant in a tick: its codec and its frame, if it spoke.
#[derive(Debug, Clone, Copy)]
pub struct Voice<'a> {
    pub codec: Codec,
    pub frame: Option<&'a Frame>,
}

//= docs/voice-protocol.md#7-mixing
//# With exactly one other speaker the frame is forwarded unchanged when
//# the codecs match and converted with G.711's conversion tables (Tables
//# 3 and 4) when they differ.
/// `frame` in codec `to`: copied when the laws match, else G.711's
/// conversion tables (not decode-then-encode, which differs on some codes).
pub fn convert(from: Codec, to: Codec, frame: &Frame) -> Frame {
    let mut out = *frame;
    match (from, to) {
        (Codec::Pcmu, Codec::Pcma) => ulaw_to_alaw(frame, &mut out),
        (Codec::Pcma, Codec::Pcmu) => alaw_to_ulaw(frame, &mut out),
        _ => {}
    }
    out
}

//= docs/voice-protocol.md#7-mixing
//# Every 20 ms each participant receives the mix of everybody else (N−1),
//# never its own voice, in its own codec. [...]
//# When nobody else speaks the participant receives silence: its codec's
//# code for 0 (0xFF in µ-law, 0xD5 in A-law). [...]
//# With two or more, their frames are decoded, summed in 32-bit integers,
//# saturated to 16 bits and encoded in the listener's codec.
/// For each participant, in order, the frame it hears: the others' voices
/// and never its own (N−1). Nobody else speaking: the listener's silence
/// code. Exactly one other: that frame, forwarded or converted. Two or more:
/// decoded, summed in i32, saturated to i16, encoded in the listener's codec.
///
/// A frame made only of its codec's silence code counts as not speaking:
/// A-law has no code for 0 (0xD5 decodes to +8), so summing silent frames
/// would otherwise not give silence.
pub fn mix(voices: &[Voice]) -> Vec<Frame> {
    let voices: Vec<Voice> = voices
        .iter()
        .map(|v| Voice {
            codec: v.codec,
            frame: v
                .frame
                .filter(|f| f.iter().any(|c| *c != v.codec.silence())),
        })
        .collect();
    let decoded: Vec<Option<[i16; FRAME_BYTES]>> = voices
        .iter()
        .map(|v| {
            v.frame.map(|f| {
                let mut s = [0i16; FRAME_BYTES];
                v.codec.decode(f, &mut s);
                s
            })
        })
        .collect();
    let speakers = decoded.iter().flatten().count();
    // Everybody's sum once; each listener's mix is the sum minus its own
    // voice, exact in i32 before saturation.
    let mut total = [0i32; FRAME_BYTES];
    for d in decoded.iter().flatten() {
        for (t, s) in total.iter_mut().zip(d) {
            *t += i32::from(*s);
        }
    }
    voices
        .iter()
        .enumerate()
        .map(|(i, listener)| {
            let own = decoded[i].as_ref();
            match speakers - usize::from(own.is_some()) {
                0 => [listener.codec.silence(); FRAME_BYTES],
                1 => {
                    let (other, frame) = voices
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != i)
                        .find_map(|(_, v)| v.frame.map(|f| (v.codec, f)))
                        .expect("one other speaker");
                    convert(other, listener.codec, frame)
                }
                _ => {
                    let mut samples = [0i16; FRAME_BYTES];
                    for (k, s) in samples.iter_mut().enumerate() {
                        let sum = total[k] - own.map_or(0, |o| i32::from(o[k]));
                        *s = sum.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
                    }
                    let mut out = [0u8; FRAME_BYTES];
                    listener.codec.encode(&samples, &mut out);
                    out
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn codec() -> impl Strategy<Value = Codec> {
        prop_oneof![Just(Codec::Pcmu), Just(Codec::Pcma)]
    }

    fn frame() -> impl Strategy<Value = Frame> {
        proptest::collection::vec(any::<u8>(), FRAME_BYTES).prop_map(|v| {
            let mut f = [0u8; FRAME_BYTES];
            f.copy_from_slice(&v);
            f
        })
    }

    fn party() -> impl Strategy<Value = (Codec, Option<Frame>)> {
        (codec(), proptest::option::of(frame()))
    }

    fn voices(p: &[(Codec, Option<Frame>)]) -> Vec<Voice<'_>> {
        p.iter()
            .map(|(c, f)| Voice {
                codec: *c,
                frame: f.as_ref(),
            })
            .collect()
    }

    #[test]
    fn nobody_speaking_is_silence_in_each_codec() {
        let out = mix(&[
            Voice {
                codec: Codec::Pcmu,
                frame: None,
            },
            Voice {
                codec: Codec::Pcma,
                frame: None,
            },
        ]);
        assert_eq!(out[0], [0xFF; FRAME_BYTES]);
        assert_eq!(out[1], [0xD5; FRAME_BYTES]);
    }

    #[test]
    fn one_other_speaker_is_forwarded_or_converted_with_the_tables() {
        let f: Frame = std::array::from_fn(|i| i as u8);
        let out = mix(&[
            Voice {
                codec: Codec::Pcmu,
                frame: Some(&f),
            },
            Voice {
                codec: Codec::Pcmu,
                frame: None,
            },
            Voice {
                codec: Codec::Pcma,
                frame: None,
            },
        ]);
        assert_eq!(out[0], [0xFF; FRAME_BYTES], "never its own voice");
        assert_eq!(out[1], f);
        let mut want = [0u8; FRAME_BYTES];
        ulaw_to_alaw(&f, &mut want);
        assert_eq!(out[2], want);
    }

    #[test]
    fn two_voices_saturate() {
        // µ-law 0x80 decodes to +32124: two of them exceed i16.
        let loud = [0x80u8; FRAME_BYTES];
        let out = mix(&[
            Voice {
                codec: Codec::Pcmu,
                frame: Some(&loud),
            },
            Voice {
                codec: Codec::Pcmu,
                frame: Some(&loud),
            },
            Voice {
                codec: Codec::Pcmu,
                frame: None,
            },
        ]);
        assert_eq!(out[2], [Codec::Pcmu.encode_sample(i16::MAX); FRAME_BYTES]);
        assert_eq!(out[0], loud);
    }

    proptest! {
        #[test]
        fn silence_in_silence_out(parties in proptest::collection::vec(codec(), 1..6)) {
            let frames: Vec<(Codec, Option<Frame>)> =
                parties.iter().map(|c| (*c, Some([c.silence(); FRAME_BYTES]))).collect();
            let out = mix(&voices(&frames));
            for (o, c) in out.iter().zip(&parties) {
                prop_assert_eq!(*o, [c.silence(); FRAME_BYTES]);
            }
        }

        #[test]
        fn a_listener_never_hears_its_own_voice(
            parties in proptest::collection::vec(party(), 1..6),
            replacement in proptest::option::of(frame()),
            who in any::<prop::sample::Index>(),
        ) {
            let i = who.index(parties.len());
            let before = mix(&voices(&parties))[i];
            let mut changed = parties.clone();
            changed[i].1 = replacement;
            prop_assert_eq!(mix(&voices(&changed))[i], before);
        }

        #[test]
        fn mix_is_the_saturated_sum_of_the_others(parties in proptest::collection::vec(party(), 3..6)) {
            let out = mix(&voices(&parties));
            for (i, (codec, _)) in parties.iter().enumerate() {
                let others: Vec<_> = parties.iter().enumerate()
                    .filter(|(j, p)| *j != i && p.1.is_some()).map(|(_, p)| p).collect();
                if others.len() < 2 { continue; }
                for (k, got) in out[i].iter().enumerate() {
                    let sum: i32 = others.iter()
                        .map(|(c, f)| i32::from(c.decode_sample(f.unwrap()[k]))).sum();
                    // Saturation bounds: the sum is clamped to i16 before encoding.
                    let want = codec.encode_sample(sum.clamp(-32768, 32767) as i16);
                    prop_assert_eq!(*got, want);
                }
            }
        }
    }
}
