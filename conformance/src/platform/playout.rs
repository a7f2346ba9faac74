//! The platform's play-out buffer, kept virtually at real-time rate, for marks and clears
//! ([docs/telephony.md](../../../docs/telephony.md#the-play-out-buffer)).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Audio queued for the caller's ear, with the marks between it. Pure: the
/// caller of each method passes the time.
#[derive(Debug, Default, Clone)]
pub struct Playout {
    /// When the audio queued so far has finished playing.
    ends_at: Option<Instant>,
    /// When the audio playing now started (continuous play since then).
    since: Option<Instant>,
    /// Marks not yet returned, each due when the audio before it has played.
    marks: VecDeque<(Instant, String)>,
}

impl Playout {
    /// Queue `length` of audio that arrived at `now`; when it will play
    /// (start and end).
    pub fn audio(&mut self, length: Duration, now: Instant) -> (Instant, Instant) {
        let start = match self.ends_at {
            Some(end) if end > now => end,
            _ => {
                self.since = Some(now);
                now
            }
        };
        self.ends_at = Some(start + length);
        (start, start + length)
    }

    /// Queue a mark that arrived at `now`: due when what is queued has played.
    pub fn mark(&mut self, name: String, now: Instant) {
        let due = self.ends_at.map_or(now, |end| end.max(now));
        self.marks.push_back((due, name));
    }

    /// Marks whose audio has played by `now`, in the order the bot sent them.
    pub fn due(&mut self, now: Instant) -> Vec<String> {
        let mut out = Vec::new();
        while self.marks.front().is_some_and(|(due, _)| *due <= now) {
            out.extend(self.marks.pop_front().map(|(_, name)| name));
        }
        out
    }

    /// Empty the buffer at `now`; the pending marks come back, in order.
    pub fn clear(&mut self, now: Instant) -> Vec<String> {
        if self.ends_at.is_some_and(|end| end > now) {
            self.ends_at = Some(now);
        }
        self.marks.drain(..).map(|(_, name)| name).collect()
    }

    /// Since when the bot's audio has been playing without a gap, if it
    /// plays at `now`.
    pub fn playing_since(&self, now: Instant) -> Option<Instant> {
        match self.ends_at {
            Some(end) if end > now => self.since,
            _ => None,
        }
    }

    /// Audio still to play at `now`.
    pub fn queued(&self, now: Instant) -> Duration {
        self.ends_at
            .map_or(Duration::ZERO, |end| end.saturating_duration_since(now))
    }

    pub fn pending_marks(&self) -> usize {
        self.marks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_mark_returns_when_the_audio_before_it_has_played() {
        let t = Instant::now();
        let mut p = Playout::default();
        p.audio(ms(100), t);
        p.mark("a".into(), t);
        p.audio(ms(100), t + ms(10));
        p.mark("b".into(), t + ms(10));
        assert!(p.due(t + ms(99)).is_empty());
        assert_eq!(p.due(t + ms(100)), ["a"]);
        assert_eq!(p.due(t + ms(199)), Vec::<String>::new());
        assert_eq!(p.due(t + ms(200)), ["b"]);
        assert_eq!(p.playing_since(t + ms(150)), Some(t));
        assert_eq!(p.playing_since(t + ms(200)), None);
    }

    #[test]
    fn a_mark_on_an_empty_buffer_is_due_at_once() {
        let t = Instant::now();
        let mut p = Playout::default();
        p.audio(ms(20), t);
        p.mark("late".into(), t + ms(50));
        assert_eq!(p.due(t + ms(50)), ["late"]);
    }

    #[test]
    fn clear_returns_the_pending_marks_and_stops_the_audio() {
        let t = Instant::now();
        let mut p = Playout::default();
        p.audio(ms(1000), t);
        p.mark("x".into(), t);
        p.mark("y".into(), t);
        assert_eq!(p.clear(t + ms(300)), ["x", "y"]);
        assert_eq!(p.queued(t + ms(300)), Duration::ZERO);
        assert!(p.due(t + ms(2000)).is_empty());
        assert_eq!(p.playing_since(t + ms(300)), None);
    }

    proptest! {
        /// Marks come back in the order sent, each exactly once, whether by
        /// playing out or by a clear.
        #[test]
        fn every_mark_returns_once_in_order(
            steps in prop::collection::vec((0u64..200, 0u64..60, any::<bool>()), 1..40),
            clear_at in prop::option::of(0usize..40),
        ) {
            let t = Instant::now();
            let mut p = Playout::default();
            let mut now = t;
            let (mut sent, mut back) = (Vec::new(), Vec::new());
            for (k, (audio, gap, mark)) in steps.iter().enumerate() {
                now += ms(*gap);
                back.extend(p.due(now));
                p.audio(ms(*audio), now);
                if *mark {
                    sent.push(k.to_string());
                    p.mark(k.to_string(), now);
                }
                if clear_at == Some(k) {
                    back.extend(p.clear(now));
                }
            }
            back.extend(p.due(now + ms(200 * 40)));
            prop_assert_eq!(back, sent);
        }

        /// The audio queued never exceeds what was sent, and drains at real time.
        #[test]
        fn queued_audio_drains_at_real_time(chunks in prop::collection::vec(1u64..100, 1..20)) {
            let t = Instant::now();
            let mut p = Playout::default();
            for c in &chunks {
                p.audio(ms(*c), t);
            }
            let total: u64 = chunks.iter().sum();
            prop_assert_eq!(p.queued(t), ms(total));
            prop_assert_eq!(p.queued(t + ms(total / 2)), ms(total - total / 2));
        }
    }
}
