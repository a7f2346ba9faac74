//! Load frames that name their speaker and sequence number even inside a mix, and the judge
//! of what a listener hears ([docs/performance.md](../../../../docs/performance.md#load-voice)).

use crate::cases::voice::expect::Tables;
use voxproof_vectors::g711::Law;

/// Most participants in a room: each owns a block of [`BITS`] samples.
pub const MAX_PARTY: usize = 8;
/// Bits of the sequence number a frame carries (it wraps after 21 minutes).
pub const BITS: usize = 16;
/// Amplitude of a bit: far from 0 (a silent speaker) after any mix of up to
/// [`MAX_PARTY`] codes for 0, and from saturation.
const BIT_LEVEL: i16 = 16_000;
/// A block sample nearer 0 than this is "not speaking"; farther than
/// [`BIT_LEVEL`] / 2, a bit; in between, neither.
const QUIET: i32 = 4_000;

/// The samples of frame `seq` from the participant in position `who`:
/// `seq`'s low bits as ±16000 in the block of `who`, 0 in the other
/// blocks (so each speaker can be read back out of a mix, where only it
/// contributes to its block), then loud pseudo-random samples that every
/// speaker fills (so mixes sum and saturate there).
pub fn samples(who: usize, seq: u64, n: usize) -> Vec<i16> {
    let mut x = (seq as u32)
        .wrapping_mul(2_654_435_761)
        .wrapping_add(who as u32 * 40_503 + 1);
    (0..n)
        .map(|k| {
            if k < MAX_PARTY * BITS {
                if k / BITS != who {
                    return 0;
                }
                return if seq >> (k % BITS) & 1 == 1 {
                    BIT_LEVEL
                } else {
                    -BIT_LEVEL
                };
            }
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (((x >> 8) % 48_001) as i32 - 24_000) as i16
        })
        .collect()
}

/// Frame `seq` of the participant in position `who`, in its law.
pub fn frame(t: &Tables, law: Law, who: usize, seq: u64) -> Vec<u8> {
    t.encode(law, &samples(who, seq, super::FRAME_BYTES))
}

/// What a block of samples says about its speaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    Silent,
    /// The low [`BITS`] bits of a sequence number.
    Seq(u16),
    Garbled,
}

pub fn read_block(samples: &[i16], who: usize) -> Block {
    let block = &samples[who * BITS..(who + 1) * BITS];
    if block.iter().all(|s| i32::from(*s).abs() < QUIET) {
        return Block::Silent;
    }
    let mut seq = 0u16;
    for (b, s) in block.iter().enumerate() {
        match i32::from(*s) {
            v if v > i32::from(BIT_LEVEL) / 2 => seq |= 1 << b,
            v if v < -i32::from(BIT_LEVEL) / 2 => {}
            _ => return Block::Garbled,
        }
    }
    Block::Seq(seq)
}

/// The whole sequence number whose low bits are `low`: the latest one sent
/// at or before `latest` (frames are heard after they are sent).
pub fn unwrap_seq(low: u16, latest: u64) -> Option<u64> {
    let span = 1u64 << BITS;
    let base = latest & !(span - 1);
    let seq = base | u64::from(low);
    if seq <= latest {
        Some(seq)
    } else {
        seq.checked_sub(span)
    }
}

/// A room as the listener in position `me` knows it: everybody's law.
#[derive(Debug, Clone)]
pub struct Room {
    pub laws: Vec<Law>,
    pub me: usize,
    /// The listener hears itself (a voice or bot echo); in a room, never.
    pub hears_itself: bool,
}

/// One speaker's frame in what was heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub who: usize,
    pub seq: u64,
}

/// Why a frame heard is not one a correct target could send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wrong {
    Size(usize),
    OwnVoice,
    /// A speaker's block is neither silence nor a sequence number.
    Garbled(usize),
    /// A speaker's sequence number it has not sent yet.
    NotSent {
        who: usize,
    },
    /// The blocks name frames, but the rest is not their mix.
    NotTheMix {
        parts: Vec<Part>,
    },
    Missing,
    /// A message the platform's documentation does not allow.
    Platform(String),
}

impl Wrong {
    pub fn describe(&self) -> String {
        match self {
            Wrong::Size(n) => format!("a binary message of {n} bytes, not a 160-byte frame"),
            Wrong::OwnVoice => "the listener's own voice came back in its mix".into(),
            Wrong::Garbled(who) => format!(
                "participant {}'s part of the frame is neither silence nor a frame it sent",
                who + 1
            ),
            Wrong::NotSent { who } => format!(
                "a frame of participant {} that it had not sent yet",
                who + 1
            ),
            Wrong::NotTheMix { parts } => format!(
                "not the mix of the frames it names ({}) per the G.711 vector tables",
                parts
                    .iter()
                    .map(|p| format!("participant {} frame {}", p.who + 1, p.seq))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Wrong::Missing => "an echo with no audio in it".into(),
            Wrong::Platform(why) => why.clone(),
        }
    }
}

/// Judge a frame the listener heard: the speakers' frames in it, or why it
/// is wrong. `latest(who)` is the last sequence number `who` had sent.
/// The expected frame is recomputed from the vector tables
/// ([`Tables::mix`], as the voice cases do) and compared byte for byte.
pub fn judge(
    t: &Tables,
    room: &Room,
    heard: &[u8],
    latest: impl Fn(usize) -> Option<u64>,
) -> Result<Vec<Part>, Wrong> {
    if heard.len() != super::FRAME_BYTES {
        return Err(Wrong::Size(heard.len()));
    }
    let my = room.laws[room.me];
    let pcm: Vec<i16> = heard.iter().map(|c| t.law(my).decode_of(*c)).collect();
    let mut parts = Vec::new();
    for who in 0..room.laws.len() {
        match read_block(&pcm, who) {
            Block::Silent => {}
            Block::Garbled => return Err(Wrong::Garbled(who)),
            Block::Seq(_) if who == room.me && !room.hears_itself => return Err(Wrong::OwnVoice),
            Block::Seq(low) => {
                let seq = latest(who)
                    .and_then(|l| unwrap_seq(low, l))
                    .ok_or(Wrong::NotSent { who })?;
                parts.push(Part { who, seq });
            }
        }
    }
    // Blocks beyond the room's participants must stay silent.
    for who in room.laws.len()..MAX_PARTY {
        if read_block(&pcm, who) != Block::Silent {
            return Err(Wrong::Garbled(who));
        }
    }
    let frames: Vec<(Law, Vec<u8>)> = parts
        .iter()
        .map(|p| (room.laws[p.who], frame(t, room.laws[p.who], p.who, p.seq)))
        .collect();
    let speakers: Vec<(Law, &[u8])> = frames.iter().map(|(l, f)| (*l, f.as_slice())).collect();
    if t.mix(my, &speakers) != heard {
        return Err(Wrong::NotTheMix { parts });
    }
    if room.hears_itself && parts.is_empty() {
        return Err(Wrong::Missing);
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::voice::expect::tables;
    use proptest::prelude::*;

    fn room(laws: &[Law], me: usize) -> Room {
        Room {
            laws: laws.to_vec(),
            me,
            hears_itself: false,
        }
    }

    #[test]
    fn sequence_numbers_unwrap_to_the_latest_sent() {
        assert_eq!(unwrap_seq(5, 5), Some(5));
        assert_eq!(unwrap_seq(5, 70_000), Some(65_536 + 5));
        assert_eq!(unwrap_seq(65_535, 65_540), Some(65_535));
        assert_eq!(unwrap_seq(9, 5), None);
    }

    #[test]
    fn silence_is_an_empty_mix_and_a_speaker_alone_is_forwarded_or_converted() {
        let t = tables();
        let r = room(&[Law::Pcmu, Law::Pcma, Law::Pcmu], 1);
        assert_eq!(
            judge(t, &r, &t.silence(Law::Pcma), |_| Some(10)),
            Ok(vec![])
        );
        let f = frame(t, Law::Pcmu, 2, 7);
        let heard = t.convert(Law::Pcmu, Law::Pcma, &f);
        assert_eq!(
            judge(t, &r, &heard, |_| Some(10)),
            Ok(vec![Part { who: 2, seq: 7 }])
        );
    }

    #[test]
    fn faults_are_named() {
        let t = tables();
        let laws = [Law::Pcmu, Law::Pcmu, Law::Pcma];
        let r = room(&laws, 0);
        let own = frame(t, Law::Pcmu, 0, 3);
        assert_eq!(judge(t, &r, &own, |_| Some(10)), Err(Wrong::OwnVoice));
        let other = frame(t, Law::Pcmu, 1, 3);
        assert_eq!(
            judge(t, &r, &other, |_| Some(2)),
            Err(Wrong::NotSent { who: 1 })
        );
        let mut damaged = other.clone();
        damaged[150] ^= 0x10;
        assert!(matches!(
            judge(t, &r, &damaged, |_| Some(10)),
            Err(Wrong::NotTheMix { .. })
        ));
        // Decoding and re-encoding instead of G.711's conversion tables.
        let a = frame(t, Law::Pcma, 2, 4);
        let reencoded = t.reencode(Law::Pcma, Law::Pcmu, &a);
        assert_ne!(reencoded, t.convert(Law::Pcma, Law::Pcmu, &a));
        assert!(judge(t, &r, &reencoded, |_| Some(10)).is_err());
        assert_eq!(
            judge(t, &r, &other[..80], |_| Some(10)),
            Err(Wrong::Size(80))
        );
    }

    proptest! {
        /// Any mix of the others' frames, in any laws, is read back as
        /// exactly the frames it was made of.
        #[test]
        fn every_mix_names_its_frames(
            laws in proptest::collection::vec(prop_oneof![Just(Law::Pcmu), Just(Law::Pcma)], 1..=MAX_PARTY),
            me_pick in 0usize..MAX_PARTY,
            // Within 2^16 of the latest sent, as the judge reads them.
            speaking in proptest::collection::vec(proptest::option::of(134_465u64..=200_000), MAX_PARTY),
        ) {
            let t = tables();
            let me = me_pick % laws.len();
            let r = room(&laws, me);
            let mut parts = Vec::new();
            let mut frames = Vec::new();
            for (who, seq) in speaking.iter().enumerate().take(laws.len()) {
                if let (Some(seq), true) = (seq, who != me) {
                    parts.push(Part { who, seq: *seq });
                    frames.push((laws[who], frame(t, laws[who], who, *seq)));
                }
            }
            let speakers: Vec<(Law, &[u8])> = frames.iter().map(|(l, f)| (*l, f.as_slice())).collect();
            let heard = t.mix(laws[me], &speakers);
            prop_assert_eq!(judge(t, &r, &heard, |_| Some(200_000)), Ok(parts));
        }
    }
}
