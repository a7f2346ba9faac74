//! Log lines a client or a failing system call could repeat, at most once per interval
//! ([docs/README.md](../../../docs/README.md#the-reference-servers-limits)).

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Throttle {
    interval: Duration,
    state: Mutex<State>,
}

struct State {
    last: Option<Instant>,
    suppressed: u64,
}

impl Throttle {
    pub const fn new(interval: Duration) -> Throttle {
        Throttle {
            interval,
            state: Mutex::new(State {
                last: None,
                suppressed: 0,
            }),
        }
    }

    /// `Some(n)` when a line may be logged now, `n` occurrences having been
    /// left out since the last one; `None` to stay quiet.
    pub fn check(&self) -> Option<u64> {
        self.check_at(Instant::now())
    }

    pub fn check_at(&self, now: Instant) -> Option<u64> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match s.last {
            Some(last) if now.saturating_duration_since(last) < self.interval => {
                s.suppressed += 1;
                None
            }
            _ => {
                s.last = Some(now);
                Some(std::mem::take(&mut s.suppressed))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_per_interval_with_the_count_left_out() {
        let t = Throttle::new(Duration::from_secs(10));
        let t0 = Instant::now();
        assert_eq!(t.check_at(t0), Some(0));
        for ms in [1, 50, 9_999] {
            assert_eq!(t.check_at(t0 + Duration::from_millis(ms)), None);
        }
        assert_eq!(t.check_at(t0 + Duration::from_secs(10)), Some(3));
        assert_eq!(t.check_at(t0 + Duration::from_secs(11)), None);
        assert_eq!(t.check_at(t0 + Duration::from_secs(30)), Some(1));
    }
}
