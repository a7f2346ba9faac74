//! What one listener heard, in figures: inter-arrival jitter, late, lost and wrong frames,
//! with times passed in ([docs/performance.md](../../../../docs/performance.md#load-voice)).

use super::frames::{Part, Wrong};
use super::FRAME_US;
use crate::load::summary;
use hdrhistogram::Histogram;

/// Values in µs into a histogram (the lowest it holds is 1 µs).
pub fn record(h: &mut Histogram<u64>, values: &[u32]) {
    for v in values {
        h.saturating_record(u64::from(*v).max(1));
    }
}

/// A histogram of µs values, as the load tools' percentiles read them.
pub fn histogram_of(values: &[u32]) -> Histogram<u64> {
    let mut h = summary::histogram();
    record(&mut h, values);
    h
}

/// The measured window, in microseconds from the run's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: u64,
    pub to: u64,
}

impl Window {
    pub fn holds(&self, t: u64) -> bool {
        (self.from..self.to).contains(&t)
    }
}

/// One listener's record. Frames are counted when they arrive in the
/// window; a speaker's frame is expected when it was sent in the window.
#[derive(Debug)]
pub struct Ear {
    window: Window,
    last_arrival: Option<u64>,
    /// |inter-arrival − 20 ms| of frames arriving in the window, in µs
    /// (kept as values: a histogram per listener would cost hundreds of
    /// KiB each, thousands of listeners at once).
    pub jitter: Vec<u32>,
    pub received: u64,
    pub wrong: u64,
    pub first_wrong: Option<String>,
    /// Per speaker: (sequence number, sent at, delay from its send to its
    /// arrival) of each of its frames heard.
    heard: Vec<Vec<(u64, u64, u64)>>,
}

/// A listener's figures once the run is over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub received: u64,
    pub wrong: u64,
    /// Speakers' frames sent in the window and heard.
    pub heard: u64,
    /// Speakers' frames sent in the window and never heard.
    pub lost: u64,
    /// Heard more than 20 ms (40 ms) after due.
    pub late_20: u64,
    pub late_40: u64,
}

impl Ear {
    pub fn new(window: Window, speakers: usize) -> Ear {
        Ear {
            window,
            last_arrival: None,
            jitter: Vec::new(),
            received: 0,
            wrong: 0,
            first_wrong: None,
            heard: vec![Vec::new(); speakers],
        }
    }

    /// A frame arrived at `at`, judged; `sent(part)` is when that speaker
    /// frame left its sender (None if no longer known).
    pub fn arrived(
        &mut self,
        at: u64,
        judged: Result<Vec<Part>, Wrong>,
        sent: impl Fn(&Part) -> Option<u64>,
    ) {
        let in_window = self.window.holds(at);
        if let Some(last) = self.last_arrival {
            if in_window && self.window.holds(last) {
                let jitter = at.saturating_sub(last).abs_diff(FRAME_US);
                self.jitter.push(u32::try_from(jitter).unwrap_or(u32::MAX));
            }
        }
        self.last_arrival = Some(at);
        if in_window {
            self.received += 1;
        }
        match judged {
            Ok(parts) => {
                for p in parts {
                    if let Some(s) = sent(&p) {
                        self.heard[p.who].push((p.seq, s, at.saturating_sub(s)));
                    }
                }
            }
            Err(w) => {
                if in_window {
                    self.wrong += 1;
                    self.first_wrong.get_or_insert_with(|| w.describe());
                }
            }
        }
    }

    /// The figures: `expected(who)` is the sequence numbers speaker `who`
    /// sent in the window (none for the listener itself in a room).
    /// A speaker frame is due at its send time plus the smallest delay
    /// any of that speaker's frames took to this listener (the path's own
    /// latency: the target's jitter buffer, its clock's phase, the
    /// network); it is late by how much more it took.
    pub fn tally(&self, expected: impl Fn(usize) -> std::ops::Range<u64>) -> Tally {
        let mut t = Tally {
            received: self.received,
            wrong: self.wrong,
            ..Tally::default()
        };
        for (who, frames) in self.heard.iter().enumerate() {
            let want = expected(who);
            if want.is_empty() {
                continue;
            }
            let Some(base) = frames.iter().map(|f| f.2).min() else {
                t.lost += want.end - want.start;
                continue;
            };
            let mut seqs: Vec<u64> = Vec::new();
            for &(seq, _, delay) in frames.iter().filter(|f| want.contains(&f.0)) {
                seqs.push(seq);
                let late = delay - base;
                if late > 2 * FRAME_US {
                    t.late_40 += 1;
                }
                if late > FRAME_US {
                    t.late_20 += 1;
                }
            }
            seqs.sort_unstable();
            seqs.dedup();
            t.heard += seqs.len() as u64;
            t.lost += (want.end - want.start) - seqs.len() as u64;
        }
        t
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.received += o.received;
        self.wrong += o.wrong;
        self.heard += o.heard;
        self.lost += o.lost;
        self.late_20 += o.late_20;
        self.late_40 += o.late_40;
    }
}

#[cfg(test)]
mod tests {
    //! A deterministic room in place of a target: frames mixed from the
    //! vector tables, arriving at times set here, with faults put in on
    //! purpose; the accounting must find exactly those.

    use super::super::frames::{frame, judge, Room};
    use super::*;
    use crate::cases::voice::expect::tables;
    use voxproof_vectors::g711::Law;

    const MS: u64 = 1_000;

    /// Four participants; the listener is the first. Speakers 1–3 send
    /// frame k at k × 20 ms; tick k carries each speaker's frame k − 3
    /// (a 60 ms jitter buffer) and arrives 5 ms after the tick, unless
    /// `fault` changes it. Returns the listener's Ear after 100 ticks.
    fn listen(fault: impl Fn(u64, &mut Vec<(usize, u64)>, &mut u64, &mut Vec<u8>)) -> Ear {
        let t = tables();
        let laws = vec![Law::Pcmu, Law::Pcma, Law::Pcmu, Law::Pcma];
        let room = Room {
            laws: laws.clone(),
            me: 0,
            hears_itself: false,
        };
        let window = Window {
            from: 200 * MS,
            to: 1_800 * MS,
        };
        let mut ear = Ear::new(window, 4);
        let mut last = 0;
        for tick in 0..100u64 {
            let mut parts: Vec<(usize, u64)> = if tick >= 3 {
                (1..4).map(|who| (who, tick - 3)).collect()
            } else {
                vec![]
            };
            let mut at = tick * 20 * MS + 5 * MS;
            let frames: Vec<(Law, Vec<u8>)> = parts
                .iter()
                .map(|&(w, s)| (laws[w], frame(t, laws[w], w, s)))
                .collect();
            let speakers: Vec<(Law, &[u8])> =
                frames.iter().map(|(l, f)| (*l, f.as_slice())).collect();
            let mut heard = t.mix(Law::Pcmu, &speakers);
            let before = parts.clone();
            fault(tick, &mut parts, &mut at, &mut heard);
            if parts != before {
                let frames: Vec<(Law, Vec<u8>)> = parts
                    .iter()
                    .map(|&(w, s)| (laws[w], frame(t, laws[w], w, s)))
                    .collect();
                let speakers: Vec<(Law, &[u8])> =
                    frames.iter().map(|(l, f)| (*l, f.as_slice())).collect();
                heard = t.mix(Law::Pcmu, &speakers);
            }
            if heard.is_empty() {
                continue;
            }
            // One connection delivers in order: a late frame holds back
            // the ones behind it.
            at = at.max(last);
            last = at;
            let judged = judge(t, &room, &heard, |_| Some(tick));
            ear.arrived(at, judged, |p| Some(p.seq * 20 * MS));
        }
        ear
    }

    /// Speakers' frames sent in the window: 10..90 for speakers 1–3.
    fn expected(who: usize) -> std::ops::Range<u64> {
        if who == 0 {
            0..0
        } else {
            10..90
        }
    }

    fn percentile(ear: &Ear, q: f64) -> u64 {
        histogram_of(&ear.jitter).value_at_quantile(q)
    }

    #[test]
    fn a_faultless_room_is_all_heard_on_time() {
        let ear = listen(|_, _, _, _| {});
        let t = ear.tally(expected);
        assert_eq!(
            t,
            Tally {
                received: 80,
                wrong: 0,
                heard: 240,
                lost: 0,
                late_20: 0,
                late_40: 0,
            }
        );
        // Every inter-arrival is exactly 20 ms: the lowest value, 1 µs.
        assert_eq!(ear.jitter.len(), 79);
        assert_eq!(percentile(&ear, 1.0), 1);
    }

    #[test]
    fn lost_late_and_wrong_frames_are_counted_exactly() {
        let ear = listen(|tick, parts, at, heard| {
            match tick {
                // Speaker 2's frame 37 never reaches the mix.
                40 => parts.retain(|p| p.0 != 2),
                // Ticks 50 and 51 come 30 ms late (late > 20 ms, not > 40).
                50 | 51 => *at += 30 * MS,
                // Tick 60 comes 50 ms late (both).
                60 => *at += 50 * MS,
                // Tick 70 is damaged: wrong, and its parts are not heard.
                70 => heard[155] ^= 0x04,
                // Tick 80 is not sent at all: the tick's three frames are lost.
                80 => heard.clear(),
                _ => {}
            }
        });
        let t = ear.tally(expected);
        assert_eq!(t.wrong, 1);
        assert_eq!(t.received, 79);
        // 37 of speaker 2, the three of tick 70 (damaged) and of tick 80.
        assert_eq!(t.lost, 7);
        assert_eq!(t.heard, 240 - 7);
        // Ticks 50, 51 (30 ms), 60 (50 ms) and 61, held back behind 60
        // (30 ms); tick 52 and 62 are held back 10 ms.
        assert_eq!(t.late_20, 12);
        assert_eq!(t.late_40, 3);
        assert_eq!(
            ear.first_wrong.as_deref(),
            Some(
                "not the mix of the frames it names (participant 2 frame 67, participant 3 frame 67, \
                 participant 4 frame 67) per the G.711 vector tables"
            )
        );
        // Inter-arrivals 50, 20, 0, 10 ms around tick 50; 70, 0, 0, 10
        // around tick 60; 40 over the missing tick 80; 20 ms elsewhere.
        let j = &ear.jitter;
        let off = |ms: u64| j.iter().filter(|v| u64::from(**v) == ms * MS).count();
        assert_eq!(off(30), 1);
        assert_eq!(off(50), 1);
        assert_eq!(off(20), 4);
        assert_eq!(off(10), 2);
        assert_eq!(j.len(), 78);
        assert_eq!(j.iter().filter(|v| **v == 0).count(), 78 - 8);
        // p99 of 78 values is the largest, 50 ms (to the histogram's three
        // significant digits).
        let h = histogram_of(j);
        assert!(h.equivalent(percentile(&ear, 0.99), 50 * MS));
    }

    #[test]
    fn percentiles_come_from_every_value() {
        let values: Vec<u32> = (1..=1000).collect();
        let h = histogram_of(&values);
        assert_eq!(h.len(), 1000);
        assert_eq!(h.value_at_quantile(0.5), 500);
        assert_eq!(h.value_at_quantile(0.99), 990);
        assert_eq!(h.max(), 1000);
    }
}
