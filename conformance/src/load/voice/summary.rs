//! What `load voice` reports: each step's jitter, late, lost and wrong frames, and the capacity
//! ([docs/performance.md](../../../../docs/performance.md#load-voice)).

use super::account::Tally;
use super::{Mode, Platform};
use crate::load::summary::{errors_text, latency, latency_json, round};
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// The figures of one step (one number of streams).
#[derive(Debug, Clone)]
pub struct Step {
    pub streams: usize,
    pub connected: usize,
    pub tally: Tally,
    /// |inter-arrival − 20 ms| of every frame heard in the window, µs.
    pub jitter: Histogram<u64>,
    /// How late the generator sent its frames after they were due, µs.
    pub send_lateness: Histogram<u64>,
    pub first_wrong: Option<String>,
    pub errors: BTreeMap<String, u64>,
    /// The ramp ran this step twice: the first run was over the bound.
    pub repeated: bool,
}

impl Step {
    /// p99 jitter in ms; None without frames.
    pub fn p99_jitter_ms(&self) -> Option<f64> {
        latency(&self.jitter).map(|l| l.p99)
    }

    /// The step carries its load: every stream connected, no wrong frame,
    /// frames heard, p99 inter-arrival jitter within `bound`.
    pub fn within(&self, bound: Duration) -> bool {
        self.connected == self.streams
            && self.tally.wrong == 0
            && self.errors.values().all(|n| *n == 0)
            && self
                .p99_jitter_ms()
                .is_some_and(|p| p <= bound.as_secs_f64() * 1000.0)
    }

    pub fn to_json(&self, duration: Duration) -> Value {
        let t = &self.tally;
        let secs = duration.as_secs_f64();
        json!({
            "streams": self.streams,
            "connected": self.connected,
            "frames_received": t.received,
            "frames_per_second": if secs > 0.0 { round(t.received as f64 / secs, 1) } else { 0.0 },
            "jitter_ms": latency_json(latency(&self.jitter)),
            "late_20ms": t.late_20,
            "late_40ms": t.late_40,
            "heard": t.heard,
            "lost": t.lost,
            "wrong": t.wrong,
            "first_wrong": self.first_wrong,
            "send_lateness_ms": latency_json(latency(&self.send_lateness)),
            "errors": self.errors,
            "repeated": self.repeated,
        })
    }

    pub fn text(&self, duration: Duration) -> String {
        let t = &self.tally;
        let mut out = format!(
            "  {} streams ({} connected): {} frames heard ({:.0}/s)\n",
            self.streams,
            self.connected,
            t.received,
            t.received as f64 / duration.as_secs_f64().max(1e-9)
        );
        match latency(&self.jitter) {
            Some(l) => out.push_str(&format!(
                "  inter-arrival jitter (ms): p50 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}\n",
                l.p50, l.p99, l.p999, l.max
            )),
            None => out.push_str("  inter-arrival jitter: no frames in the measured window\n"),
        }
        out.push_str(&format!(
            "  speakers' frames: {} heard, {} lost, late > 20 ms {}, > 40 ms {}\n",
            t.heard, t.lost, t.late_20, t.late_40
        ));
        match &self.first_wrong {
            Some(w) => out.push_str(&format!("  wrong frames: {} (first: {w})\n", t.wrong)),
            None => out.push_str("  wrong frames: 0\n"),
        }
        if let Some(l) = latency(&self.send_lateness) {
            out.push_str(&format!(
                "  generator's sends after due (ms): p50 {:.3}  p99 {:.3}  max {:.3}\n",
                l.p50, l.p99, l.max
            ));
        }
        out.push_str(&errors_text(&self.errors));
        out
    }
}

/// The figures of a whole `load voice` run.
#[derive(Debug, Clone)]
pub struct VoiceSummary {
    pub target: String,
    pub mode: Mode,
    pub warmup: Duration,
    pub duration: Duration,
    pub ramp: bool,
    pub max_jitter: Duration,
    pub threads: usize,
    pub steps: Vec<Step>,
}

impl VoiceSummary {
    /// The most streams of a step that carried its load, counting only
    /// steps up to the first that did not.
    pub fn capacity(&self) -> Option<usize> {
        if !self.ramp {
            return None;
        }
        self.steps
            .iter()
            .take_while(|s| s.within(self.max_jitter))
            .map(|s| s.streams)
            .last()
    }

    pub fn to_json(&self) -> Value {
        let mut top = json!({
            "target": self.target,
            "mode": self.mode.name(),
            "participants": self.mode.per_group(),
            "codec": match self.mode {
                Mode::Rooms { codec, .. } => json!(codec.name()),
                // Vonage streams 16-bit linear PCM at 16 kHz, the others µ-law.
                Mode::Calls(Platform::Vonage) => json!("l16"),
                Mode::Calls(_) => json!("pcmu"),
            },
            "warmup_s": self.warmup.as_secs_f64(),
            "duration_s": self.duration.as_secs_f64(),
            "threads": self.threads,
            "max_jitter_ms": self.max_jitter.as_secs_f64() * 1000.0,
            "capacity_streams": self.capacity(),
            "steps": self.steps.iter().map(|s| s.to_json(self.duration)).collect::<Vec<_>>(),
        });
        // A single step's figures are also top-level fields.
        if let (false, Some(s), Value::Object(top)) = (self.ramp, self.steps.last(), &mut top) {
            if let Value::Object(fields) = s.to_json(self.duration) {
                top.extend(fields);
            }
        }
        top
    }

    pub fn text(&self) -> String {
        let what = match self.mode {
            Mode::Rooms {
                participants,
                codec,
            } => {
                format!("rooms of {participants} ({})", codec.name())
            }
            Mode::Calls(p) => format!("{} calls", p.name()),
        };
        let mut out = format!(
            "load voice {}: {what}, {:.1} s measured after {:.1} s warm-up per step, {} threads\n",
            self.target,
            self.duration.as_secs_f64(),
            self.warmup.as_secs_f64(),
            self.threads
        );
        for (i, s) in self.steps.iter().enumerate() {
            if self.ramp {
                let mark = if s.within(self.max_jitter) {
                    "within"
                } else {
                    "over"
                };
                let again = if s.repeated { ", second run" } else { "" };
                out.push_str(&format!(
                    "step {}: {} streams, p99 jitter {} ({mark} {} ms{again})\n",
                    i + 1,
                    s.streams,
                    s.p99_jitter_ms()
                        .map_or("-".into(), |p| format!("{p:.3} ms")),
                    self.max_jitter.as_secs_f64() * 1000.0
                ));
            }
            out.push_str(&s.text(self.duration));
        }
        if self.ramp {
            match self.capacity() {
                Some(c) => out.push_str(&format!(
                    "capacity: {c} streams (p99 jitter within {} ms, every stream connected, no wrong frame)\n",
                    self.max_jitter.as_secs_f64() * 1000.0
                )),
                None => out.push_str("capacity: not reached even at the first step\n"),
            }
        }
        out
    }
}
