//! A bounded per-participant buffer between the network and the room's clock
//! ([docs/voice-protocol.md](../../../docs/voice-protocol.md#6-timing)).

use super::protocol::Frame;
use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub struct Jitter {
    frames: VecDeque<Frame>,
    capacity: usize,
    prefill: usize,
    playing: bool,
    /// Frames dropped because the buffer was full.
    pub dropped: u64,
}

impl Jitter {
    /// `capacity` ≥ 1 frames at most; playing starts once `prefill` are held
    /// (clamped to 1..=capacity).
    pub fn new(capacity: usize, prefill: usize) -> Jitter {
        let capacity = capacity.max(1);
        Jitter {
            frames: VecDeque::with_capacity(capacity),
            capacity,
            prefill: prefill.clamp(1, capacity),
            playing: false,
            dropped: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// A frame from the network.
    pub fn push(&mut self, frame: Frame) {
        if self.frames.len() == self.capacity {
            self.frames.pop_front();
            self.dropped += 1;
        }
        self.frames.push_back(frame);
    }

    /// The frame for this tick, or `None` (silent).
    pub fn pop(&mut self) -> Option<Frame> {
        if !self.playing && self.frames.len() >= self.prefill {
            self.playing = true;
        }
        if !self.playing {
            return None;
        }
        let f = self.frames.pop_front();
        if f.is_none() {
            self.playing = false;
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn f(n: u8) -> Frame {
        [n; 160]
    }

    #[test]
    fn waits_for_prefill_then_plays_in_order() {
        let mut j = Jitter::new(4, 2);
        j.push(f(1));
        assert_eq!(j.pop(), None);
        j.push(f(2));
        assert_eq!(j.pop(), Some(f(1)));
        assert_eq!(j.pop(), Some(f(2)));
        // Underrun: silent, then prefill again.
        assert_eq!(j.pop(), None);
        j.push(f(3));
        assert_eq!(j.pop(), None);
        j.push(f(4));
        assert_eq!(j.pop(), Some(f(3)));
    }

    #[test]
    fn overflow_drops_the_oldest() {
        let mut j = Jitter::new(3, 1);
        for n in 1..=5 {
            j.push(f(n));
        }
        assert_eq!(j.dropped, 2);
        assert_eq!(j.pop(), Some(f(3)));
        assert_eq!(j.pop(), Some(f(4)));
        assert_eq!(j.pop(), Some(f(5)));
        assert_eq!(j.pop(), None);
    }

    proptest! {
        /// Whatever the interleaving, the buffer never exceeds its capacity
        /// and what comes out is an in-order subsequence of what went in.
        #[test]
        fn bounded_and_in_order(ops in proptest::collection::vec(any::<bool>(), 0..200),
                                capacity in 1usize..8, prefill in 0usize..8) {
            let mut j = Jitter::new(capacity, prefill);
            let mut next = 0u8;
            let mut last: Option<u8> = None;
            for push in ops {
                if push {
                    j.push(f(next));
                    next = next.wrapping_add(1);
                } else if let Some(out) = j.pop() {
                    if let Some(l) = last { prop_assert!(out[0] > l); }
                    last = Some(out[0]);
                }
                prop_assert!(j.len() <= capacity);
                if next == 255 { break; }
            }
        }
    }
}
