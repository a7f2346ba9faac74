//! docs/voice-protocol.md §6: one frame every 20 ms, 50 per second.

use super::expect::{pacing, FRAME_BYTES};
use super::session::{fresh_room, room_resource, Heard, Party};
use super::{voice, PACED};
use crate::case::{case, Case};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::verdict::Outcome;
use std::time::{Duration, Instant};
use voxproof_vectors::g711::Law;

/// The window the rate is measured over.
const WINDOW_MS: u64 = 2000;
/// Frames skipped first: the room's first ticks and the connection settle.
const SKIP: usize = 5;

pub fn cases() -> Vec<Case> {
    vec![case(Case {
        id: "voice.timing.pacing".into(),
        title: "A participant receives 50 ± 1 frames per second (jitter reported)".into(),
        rule: Rule::new("voice-protocol", "6", "Each room has one clock: every 20 ms, on a monotonic clock, every participant receives \
one frame, 50 frames per second without drift."),
                sends: "joins a fresh room (pcmu) alone and listens for 2 s after the first 5 frames".into(),
        expects: "a rate of 50 ± 1 frames/s on the suite's clock (median of per-frame periods, so a delayed \
                  receiver does not count against the target); inter-arrival p50/p99 reported, not judged".into(),
        min_timeout: PACED,
        run: voice(pacing_case),
        ..Case::BASE
    })]
}

fn pacing_case(ctx: &mut Ctx) -> Outcome {
    let room = fresh_room("pace");
    let mut party = match Party::join(ctx, &room_resource(&room, Law::Pcmu), Law::Pcmu) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let until = Instant::now() + Duration::from_millis(SKIP as u64 * 20 + WINDOW_MS + 150);
    let heard = party.listen(until);
    party.leave();
    if let Some(o) = heard.breach() {
        return o;
    }
    let arrivals: Vec<Instant> = heard
        .heard
        .iter()
        .filter(|(_, h)| matches!(h, Heard::Audio(a) if a.len() == FRAME_BYTES))
        .map(|(t, _)| *t)
        .skip(SKIP)
        .collect();
    let Some(first) = arrivals.first().copied() else {
        return Outcome::failed(
            "no audio frames while alone in a room (silence is sent every 20 ms)",
        );
    };
    let window = Duration::from_millis(WINDOW_MS);
    let ms: Vec<f64> = arrivals
        .iter()
        .take_while(|t| t.duration_since(first) <= window)
        .map(|t| t.duration_since(first).as_secs_f64() * 1000.0)
        .collect();
    let Some(p) = pacing(&ms, WINDOW_MS as f64) else {
        return Outcome::failed(format!(
            "only {} frames in {WINDOW_MS} ms (100 expected)",
            ms.len()
        ));
    };
    let detail = format!(
        "{:.2} frames/s ({} frames in {WINDOW_MS} ms); inter-arrival p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        p.rate, p.in_window, p.p50_ms, p.p99_ms, p.max_ms
    );
    if (49.0..=51.0).contains(&p.rate) {
        Outcome::ok(detail)
    } else {
        Outcome::failed(format!("{detail}; 50 ± 1 required"))
    }
}
