//! Frames faster than real time: dropped past a burst, then the sender closed
//! ([docs/voice-protocol.md](../../../docs/voice-protocol.md#sending-faster-than-real-time)).

use super::protocol::FRAME_MS;
use std::time::{Duration, Instant};

//= docs/voice-protocol.md#6-timing
//# A participant may send at most 25 frames (500 ms) ahead of real time:
//# frames beyond that are dropped. A participant with more than 250 frames
//# dropped (5 s of audio) within 10 s of the first of them is closed with
//# 1008 (policy violation).
/// Frames a participant may send ahead of real time (the jitter buffer's
/// size: a larger burst would be dropped there anyway).
pub const BURST: u32 = 25;
/// Dropped frames that close the connection, within [`WINDOW`].
pub const DROPS_TO_CLOSE: u32 = 250;
/// The window over which dropped frames are counted, from the first.
pub const WINDOW: Duration = Duration::from_secs(10);

/// What happens to a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// On to the room.
    Accept,
    /// Dropped: the participant is too far ahead of real time.
    Drop,
    /// Dropped, and the participant has been too far ahead for too long:
    /// close the connection with 1008.
    Close,
}

/// One participant's allowance.
#[derive(Debug, Clone, Default)]
pub struct Policer {
    /// The slot the next accepted frame books (None before the first).
    next_slot: Option<Instant>,
    /// The first drop of the current window, and the drops since.
    drops: Option<(Instant, u32)>,
}

impl Policer {
    pub fn new() -> Policer {
        Policer::default()
    }

    /// A frame arrives at `now`.
    pub fn frame(&mut self, now: Instant) -> Verdict {
        let frame = Duration::from_millis(FRAME_MS);
        let slot = self.next_slot.map_or(now, |s| s.max(now));
        if slot.saturating_duration_since(now) < frame * BURST {
            self.next_slot = Some(slot + frame);
            return Verdict::Accept;
        }
        let count = match self.drops {
            Some((first, n)) if now.saturating_duration_since(first) < WINDOW => n + 1,
            _ => {
                self.drops = Some((now, 0));
                1
            }
        };
        if let Some((_, n)) = &mut self.drops {
            *n = count;
        }
        if count > DROPS_TO_CLOSE {
            Verdict::Close
        } else {
            Verdict::Drop
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn real_time_is_always_accepted() {
        let t0 = Instant::now();
        let mut p = Policer::new();
        for k in 0..10_000 {
            assert_eq!(p.frame(t0 + ms(20 * k)), Verdict::Accept, "frame {k}");
        }
    }

    #[test]
    fn a_burst_of_25_passes_the_rest_is_dropped() {
        let t0 = Instant::now();
        let mut p = Policer::new();
        let verdicts: Vec<Verdict> = (0..40).map(|_| p.frame(t0)).collect();
        assert!(verdicts[..25].iter().all(|v| *v == Verdict::Accept));
        assert!(verdicts[25..].iter().all(|v| *v == Verdict::Drop));
        // 20 ms later one more slot is free.
        assert_eq!(p.frame(t0 + ms(20)), Verdict::Accept);
        assert_eq!(p.frame(t0 + ms(20)), Verdict::Drop);
    }

    #[test]
    fn a_network_hiccup_is_not_a_flood() {
        // Two seconds held up, then delivered at once: 25 accepted, 75
        // dropped, no close; then real time again.
        let t0 = Instant::now();
        let mut p = Policer::new();
        for k in 0..50 {
            assert_eq!(p.frame(t0 + ms(20 * k)), Verdict::Accept);
        }
        let late = t0 + ms(3000);
        let burst: Vec<Verdict> = (0..100).map(|_| p.frame(late)).collect();
        assert_eq!(burst.iter().filter(|v| **v == Verdict::Accept).count(), 25);
        assert!(!burst.contains(&Verdict::Close));
        for k in 1..500 {
            assert_ne!(p.frame(late + ms(20 * k)), Verdict::Close);
        }
    }

    #[test]
    fn a_slightly_fast_clock_is_never_closed() {
        // 0.5 % fast for an hour: a drop now and then, never a close.
        let t0 = Instant::now();
        let mut p = Policer::new();
        let mut dropped = 0;
        for k in 0..180_000u64 {
            match p.frame(t0 + Duration::from_micros(k * 19_900)) {
                Verdict::Accept => {}
                Verdict::Drop => dropped += 1,
                Verdict::Close => panic!("closed at frame {k}"),
            }
        }
        assert!(dropped > 0 && dropped < 1000, "{dropped}");
    }

    #[test]
    fn a_flood_is_closed_after_250_drops() {
        let t0 = Instant::now();
        let mut p = Policer::new();
        let verdicts: Vec<Verdict> = (0..300).map(|_| p.frame(t0)).collect();
        let first_close = verdicts.iter().position(|v| *v == Verdict::Close);
        assert_eq!(first_close, Some(25 + 250));
    }

    #[test]
    fn twice_real_time_is_closed_about_five_seconds_in() {
        // 100 frames/s: 50 accepted and 50 dropped every second once the
        // burst is used up (0.5 s), so the 251st drop comes about 5 s later.
        let t0 = Instant::now();
        let mut p = Policer::new();
        let closed = (0..2000u64).position(|k| p.frame(t0 + ms(10 * k)) == Verdict::Close);
        let at = closed.expect("closed") as u64 * 10;
        assert!((5_000..6_000).contains(&at), "closed at {at} ms");
    }

    #[test]
    fn a_quarter_too_fast_is_dropped_from_but_not_closed() {
        // 62.5 frames/s: 12.5 dropped per second, 125 per window.
        let t0 = Instant::now();
        let mut p = Policer::new();
        for k in 0..37_500u64 {
            assert_ne!(p.frame(t0 + ms(16 * k)), Verdict::Close, "frame {k}");
        }
    }
}
