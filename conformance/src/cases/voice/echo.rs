//! docs/voice-protocol.md §8: `/echo?codec=…` returns each frame unchanged.

use super::expect::{code_frames, param};
use super::session::{together, Listened, Party};
use super::{voice, PACED};
use crate::case::{case, Case};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::verdict::Outcome;
use std::time::{Duration, Instant};
use voxproof_vectors::g711::Law;

pub fn cases() -> Vec<Case> {
    vec![case(Case {
        id: "voice.echo.bit-exact".into(),
        title: "The voice echo returns every frame bit for bit, in order, in both codecs".into(),
        rule: Rule::new("voice-protocol", "8", "`/echo?codec=…` sends each frame back to its sender as it arrives, unchanged."),
                sends: "on /echo?codec=pcmu and /echo?codec=pcma at once: 25 frames each (every one of the 256 codes, \
                µ-law's 0x7F included), paced at 20 ms".into(),
        expects: "the same 25 frames back on each, byte for byte and in order".into(),
        min_timeout: PACED,
        run: voice(echo),
        ..Case::BASE
    })]
}

fn echo(ctx: &mut Ctx) -> Outcome {
    const N: usize = 25;
    let mut parties = Vec::new();
    for law in [Law::Pcmu, Law::Pcma] {
        match Party::join(ctx, &format!("/echo?codec={}", param(law)), law) {
            Ok(mut p) => {
                p.expect_audio = Some(N);
                parties.push(p);
            }
            Err(o) => return o,
        }
    }
    let frames = vec![code_frames(1, N), code_frames(2, N)];
    let start = Instant::now() + Duration::from_millis(20);
    // Generous: listening stops as soon as all N are back.
    let until = start + Duration::from_millis(20 * N as u64 + 2000);
    let heard = together(&mut parties, &frames, start, until);
    if let Some(o) = Listened::any_breach(&heard) {
        return o;
    }
    let mut details = Vec::new();
    for ((party, sent), listened) in parties.iter().zip(&frames).zip(&heard) {
        let got = listened.audio();
        let name = param(party.law);
        if got == *sent {
            details.push(format!("{name}: {N} frames back unchanged"));
            continue;
        }
        let first_diff = got.iter().zip(sent).position(|(g, s)| g != s);
        let detail = match first_diff {
            Some(k) => {
                let i = got[k]
                    .iter()
                    .zip(&sent[k])
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                format!(
                    "{name}: frame {k} differs at byte {i}: sent {:#04x}, got back {:#04x}",
                    sent[k].get(i).copied().unwrap_or(0),
                    got[k].get(i).copied().unwrap_or(0)
                )
            }
            None => format!(
                "{name}: {} of {N} frames came back{}",
                got.len(),
                listened
                    .ended
                    .as_ref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            ),
        };
        return Outcome::failed(detail);
    }
    for p in parties {
        p.leave();
    }
    Outcome::ok(details.join("; "))
}
