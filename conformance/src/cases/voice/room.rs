//! docs/voice-protocol.md §7: what each participant hears — the others,
//! never itself; forwarded, converted with G.711's tables, or mixed.

use super::expect::{code_frames, in_order, loud_samples, param, tables};
use super::session::{fresh_room, room_resource, together, Listened, Party};
use super::{voice, PACED};
use crate::case::{case, Case};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::verdict::Outcome;
use std::time::{Duration, Instant};
use voxproof_vectors::g711::Law;

const FORWARD: &str =
    "With exactly one other speaker the frame is forwarded unchanged when the codecs \
match and converted with G.711's conversion tables (Tables 3 and 4) when they differ.";

/// Frames each talker sends in the forwarding cases (0.8 s).
const TALK: usize = 40;
/// Share of frames that must arrive: a jitter buffer may drop the oldest
/// when the target's clock stalls, but not more than this.
const MIN_DELIVERED: usize = TALK * 9 / 10;

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "voice.room.two-party-bit-exact".into(),
            title: "Two participants with the same codec hear each other bit for bit".into(),
            rule: Rule::new("voice-protocol", "7", FORWARD),
                        sends: "two participants (pcmu, pcmu) in a fresh room, each 40 distinct frames paced at 20 ms".into(),
            expects: "each hears, besides silence, exactly the other's frames, in order, at least 36 of 40, never its own".into(),
            min_timeout: PACED,
            run: voice(|ctx| forwarding(ctx, Law::Pcmu, Law::Pcmu)),
            ..Case::BASE
        }),
        case(Case {
            id: "voice.room.cross-codec-tables".into(),
            title: "Between µ-law and A-law, frames are converted with G.711's tables".into(),
            rule: Rule::new("voice-protocol", "7; ITU-T G.711 Tables 3 and 4", FORWARD),
                        sends: "two participants (pcmu, pcma) in a fresh room, each 40 distinct frames covering all 256 codes, paced at 20 ms".into(),
            expects: "each hears the other's frames converted with vectors/g711/transcode.json (pcmu_to_pcma, pcma_to_pcmu), \
                      in order, at least 36 of 40 — not decoded and re-encoded".into(),
            min_timeout: PACED,
            run: voice(|ctx| forwarding(ctx, Law::Pcmu, Law::Pcma)),
            ..Case::BASE
        }),
        case(Case {
            id: "voice.room.three-party-mix".into(),
            title: "Three participants each hear the saturated mix of the other two, never themselves".into(),
            rule: Rule::new("voice-protocol", "7", "Every 20 ms each participant receives the mix of everybody else (N−1), never its own \
voice, in its own codec. [...] With two or more, their frames are decoded, summed in 32-bit integers, \
saturated to 16 bits and encoded in the listener's codec."),
                        sends: "three participants (pcmu, pcma, pcmu) in a fresh room, each repeating one loud frame \
                    (±24000, sums saturate) every 20 ms for 1.2 s".into(),
            expects: "each hears only silence, one other's frame (converted by the tables), or the mix of the other two \
                      computed from the vector tables (decode, sum, saturate, encode) — at least 20 mixed frames, \
                      never a frame containing its own voice".into(),
            min_timeout: PACED,
            run: voice(three_party),
            ..Case::BASE
        }),
    ]
}

fn join_all(ctx: &mut Ctx, room: &str, laws: &[Law]) -> Result<Vec<Party>, Outcome> {
    laws.iter()
        .map(|law| Party::join(ctx, &room_resource(room, *law), *law))
        .collect()
}

fn forwarding(ctx: &mut Ctx, a: Law, b: Law) -> Outcome {
    let room = fresh_room("fwd");
    let mut parties = match join_all(ctx, &room, &[a, b]) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let t = tables();
    let sent = vec![code_frames(11, TALK), code_frames(97, TALK)];
    let start = Instant::now() + Duration::from_millis(20);
    let until = start + Duration::from_millis(20 * TALK as u64 + 600);
    let heard = together(&mut parties, &sent, start, until);
    if let Some(o) = Listened::any_breach(&heard) {
        return o;
    }
    let laws = [a, b];
    let mut details = Vec::new();
    for me in 0..2 {
        let other = 1 - me;
        let (my, their) = (laws[me], laws[other]);
        let expected: Vec<Vec<u8>> = sent[other]
            .iter()
            .map(|f| t.convert(their, my, f))
            .collect();
        let got = heard[me].audio();
        let silence = t.silence(my);
        let who = format!("participant {} ({})", me + 1, param(my));
        match in_order(&got, &silence, &expected) {
            Ok(n) if n >= MIN_DELIVERED => details.push(format!("{who}: {n}/{TALK} frames exact")),
            Ok(n) => {
                return Outcome::failed(format!(
                    "{who} heard only {n} of the other's {TALK} frames (at least {MIN_DELIVERED} expected){}",
                    heard[me]
                        .ended
                        .as_ref()
                        .map(|e| format!("; {e}"))
                        .unwrap_or_default()
                ))
            }
            Err(i) => {
                let h = &got[i];
                let own = sent[me].contains(h);
                let reencoded = sent[other]
                    .iter()
                    .any(|f| t.reencode(their, my, f) == *h);
                let mixed_own = sent[me].iter().zip(&sent[other]).any(|(m, o)| {
                    t.mix(my, &[(my, m.as_slice()), (their, o.as_slice())]) == *h
                });
                let why = if own {
                    "its own frame came back".to_string()
                } else if reencoded && my != their {
                    "the other's frame decoded and re-encoded, not converted with G.711's tables"
                        .to_string()
                } else if mixed_own {
                    "the other's frame mixed with its own voice".to_string()
                } else {
                    format!(
                        "a frame that is neither silence nor one the other sent (starts {:02x?})",
                        &h[..h.len().min(8)]
                    )
                };
                return Outcome::failed(format!("{who}, frame {i} heard: {why}"));
            }
        }
    }
    for p in parties {
        p.leave();
    }
    Outcome::ok(details.join("; "))
}

fn three_party(ctx: &mut Ctx) -> Outcome {
    const REPEAT: usize = 60;
    const MIN_MIXED: usize = 20;
    let laws = [Law::Pcmu, Law::Pcma, Law::Pcmu];
    let room = fresh_room("mix");
    let mut parties = match join_all(ctx, &room, &laws) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let t = tables();
    let own: Vec<Vec<u8>> = laws
        .iter()
        .enumerate()
        .map(|(i, law)| t.encode(*law, &loud_samples(i as u32 + 1)))
        .collect();
    let sent: Vec<Vec<Vec<u8>>> = own.iter().map(|f| vec![f.clone(); REPEAT]).collect();
    let start = Instant::now() + Duration::from_millis(20);
    let until = start + Duration::from_millis(20 * REPEAT as u64 + 500);
    let heard = together(&mut parties, &sent, start, until);
    if let Some(o) = Listened::any_breach(&heard) {
        return o;
    }
    let mut details = Vec::new();
    for me in 0..3 {
        let my = laws[me];
        let others: Vec<(Law, &[u8])> = (0..3)
            .filter(|j| *j != me)
            .map(|j| (laws[j], own[j].as_slice()))
            .collect();
        let mixed = t.mix(my, &others);
        let allowed = [
            t.silence(my),
            t.mix(my, &others[..1]),
            t.mix(my, &others[1..]),
            mixed.clone(),
        ];
        let everybody: Vec<(Law, &[u8])> = (0..3).map(|j| (laws[j], own[j].as_slice())).collect();
        let with_own = [
            t.mix(my, &everybody),
            own[me].clone(),
            t.mix(my, &[everybody[me], others[0]]),
            t.mix(my, &[everybody[me], others[1]]),
        ];
        let who = format!("participant {} ({})", me + 1, param(my));
        let got = heard[me].audio();
        if let Some((i, h)) = got.iter().enumerate().find(|(_, h)| !allowed.contains(h)) {
            let why = if with_own.contains(h) {
                "a mix containing its own voice".to_string()
            } else {
                format!(
                    "neither silence, one other's frame, nor the mix of the other two per the vector tables \
                     (byte 0: got {:#04x}, mix {:#04x})",
                    h.first().copied().unwrap_or(0),
                    mixed[0]
                )
            };
            return Outcome::failed(format!("{who}, frame {i}: {why}"));
        }
        let n = got.iter().filter(|h| **h == mixed).count();
        if n < MIN_MIXED {
            return Outcome::failed(format!(
                "{who} heard the mix of the other two in only {n} of {} frames (at least {MIN_MIXED} expected){}",
                got.len(),
                heard[me]
                    .ended
                    .as_ref()
                    .map(|e| format!("; {e}"))
                    .unwrap_or_default()
            ));
        }
        details.push(format!("{who}: {n} mixed frames exact"));
    }
    for p in parties {
        p.leave();
    }
    Outcome::ok(details.join("; "))
}
