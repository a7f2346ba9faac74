//! What a load run reports: error kinds, latency percentiles, the summary text and JSON
//! ([docs/performance.md](../../../docs/performance.md#what-is-reported)).

use hdrhistogram::Histogram;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Why a connection or a message did not make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    ConnectFailed,
    HandshakeRefused,
    ConnectionClosed,
    WrongEcho,
    Timeout,
}

impl Fault {
    pub const ALL: [Fault; 5] = [
        Fault::ConnectFailed,
        Fault::HandshakeRefused,
        Fault::ConnectionClosed,
        Fault::WrongEcho,
        Fault::Timeout,
    ];

    /// The key in `errors`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::ConnectFailed => "connect_failed",
            Fault::HandshakeRefused => "handshake_refused",
            Fault::ConnectionClosed => "connection_closed",
            Fault::WrongEcho => "wrong_echo",
            Fault::Timeout => "timeout",
        }
    }
}

/// Faults counted by kind from any thread, with the first message of each
/// kind (what a user needs to see why, say, connects failed).
#[derive(Debug, Default)]
pub struct Faults {
    counts: [AtomicU64; 5],
    first: Mutex<[Option<String>; 5]>,
}

impl Faults {
    pub fn add(&self, fault: Fault, why: impl FnOnce() -> String) {
        let i = fault as usize;
        if self.counts[i].fetch_add(1, Ordering::Relaxed) == 0 {
            let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
            first[i].get_or_insert_with(why);
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    /// Every kind with its count, zeros included.
    pub fn counts(&self) -> BTreeMap<String, u64> {
        Fault::ALL
            .iter()
            .map(|&f| {
                (
                    f.name().to_string(),
                    self.counts[f as usize].load(Ordering::Relaxed),
                )
            })
            .collect()
    }

    /// `connect_failed: 12 (first: Connection refused)`, one per kind seen.
    pub fn lines(&self) -> Vec<String> {
        let first = self.first.lock().unwrap_or_else(|e| e.into_inner());
        Fault::ALL
            .iter()
            .filter_map(|&f| {
                let n = self.counts[f as usize].load(Ordering::Relaxed);
                (n > 0).then(|| {
                    let why = first[f as usize].as_deref().unwrap_or("?");
                    format!("{}: {n} (first: {why})", f.name())
                })
            })
            .collect()
    }
}

/// Highest latency recorded, in microseconds; slower ones count as this.
pub const MAX_LATENCY_US: u64 = 3_600_000_000;

/// A histogram of round trips in microseconds, three significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("valid histogram bounds")
}

/// Round-trip percentiles in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

/// The percentiles of `h` (microseconds), None when it is empty.
pub fn latency(h: &Histogram<u64>) -> Option<Latency> {
    if h.is_empty() {
        return None;
    }
    let ms = |us: u64| us as f64 / 1000.0;
    Some(Latency {
        p50: ms(h.value_at_quantile(0.50)),
        p90: ms(h.value_at_quantile(0.90)),
        p99: ms(h.value_at_quantile(0.99)),
        p999: ms(h.value_at_quantile(0.999)),
        max: ms(h.max()),
    })
}

/// The figures of one `load echo` run.
#[derive(Debug, Clone)]
pub struct EchoSummary {
    pub target: String,
    pub connections: usize,
    /// Connections whose handshake completed.
    pub connected: usize,
    pub size: usize,
    pub threads: usize,
    pub warmup: Duration,
    /// The measured window (after the warm-up).
    pub duration: Duration,
    /// Messages per second asked for; None for a closed loop.
    pub rate: Option<f64>,
    /// Echoes counted in the window.
    pub messages: u64,
    pub latency: Option<Latency>,
    pub errors: BTreeMap<String, u64>,
}

impl EchoSummary {
    pub fn messages_per_second(&self) -> f64 {
        let secs = self.duration.as_secs_f64();
        if secs > 0.0 {
            self.messages as f64 / secs
        } else {
            0.0
        }
    }

    /// Payload bytes echoed per second, one way.
    pub fn bytes_per_second(&self) -> f64 {
        self.messages_per_second() * self.size as f64
    }

    pub fn to_json(&self) -> Value {
        json!({
            "target": self.target,
            "connections": self.connections,
            "connected": self.connected,
            "size": self.size,
            "threads": self.threads,
            "warmup_s": self.warmup.as_secs_f64(),
            "duration_s": self.duration.as_secs_f64(),
            "rate": self.rate,
            "messages": self.messages,
            "messages_per_second": round(self.messages_per_second(), 1),
            "bytes_per_second": round(self.bytes_per_second(), 1),
            "latency_ms": latency_json(self.latency),
            "errors": self.errors,
        })
    }

    pub fn text(&self) -> String {
        let mode = match self.rate {
            Some(r) => format!("open loop at {r} msg/s"),
            None => "closed loop".to_string(),
        };
        let mut out = format!(
            "load echo {}: {} connections ({} connected), {} B messages, {mode}, {:.1} s measured after {:.1} s warm-up, {} threads\n",
            self.target,
            self.connections,
            self.connected,
            self.size,
            self.duration.as_secs_f64(),
            self.warmup.as_secs_f64(),
            self.threads
        );
        out.push_str(&format!(
            "  {} messages: {:.0} msg/s, {} /s\n",
            self.messages,
            self.messages_per_second(),
            bytes_text(self.bytes_per_second())
        ));
        match self.latency {
            Some(l) => out.push_str(&format!(
                "  round trip (ms): p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}\n",
                l.p50, l.p90, l.p99, l.p999, l.max
            )),
            None => out.push_str("  round trip: no echo in the measured window\n"),
        }
        out.push_str(&errors_text(&self.errors));
        out
    }
}

/// Resident memory of the target: before, with every connection open, after closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rss {
    pub pid: u32,
    pub before_kib: u64,
    pub with_kib: u64,
    pub after_kib: u64,
}

impl Rss {
    /// (with − before) / opened, in KiB.
    pub fn per_connection_kib(&self, opened: usize) -> Option<f64> {
        (opened > 0).then(|| (self.with_kib as f64 - self.before_kib as f64) / opened as f64)
    }
}

/// The figures of one `load connections` run.
#[derive(Debug, Clone)]
pub struct ConnectionsSummary {
    pub target: String,
    pub count: usize,
    pub opened: usize,
    /// From the first connect to the last handshake's end.
    pub opening: Duration,
    pub rate: Option<f64>,
    pub hold: Duration,
    pub open_files_limit: Option<u64>,
    pub rss: Option<Rss>,
    pub errors: BTreeMap<String, u64>,
}

impl ConnectionsSummary {
    /// Connections opened per second.
    pub fn connect_rate(&self) -> f64 {
        let secs = self.opening.as_secs_f64();
        if secs > 0.0 {
            self.opened as f64 / secs
        } else {
            0.0
        }
    }

    pub fn to_json(&self) -> Value {
        let rss = self.rss.map(|r| {
            json!({
                "pid": r.pid,
                "before_kib": r.before_kib,
                "with_kib": r.with_kib,
                "after_kib": r.after_kib,
                "per_connection_kib": r.per_connection_kib(self.opened).map(|v| round(v, 2)),
            })
        });
        json!({
            "target": self.target,
            "count": self.count,
            "opened": self.opened,
            "opening_s": round(self.opening.as_secs_f64(), 3),
            "connects_per_second": round(self.connect_rate(), 1),
            "rate": self.rate,
            "hold_s": self.hold.as_secs_f64(),
            "open_files_limit": self.open_files_limit,
            "rss": rss,
            "errors": self.errors,
        })
    }

    pub fn text(&self) -> String {
        let mut out = format!(
            "load connections {}: {} of {} opened in {:.2} s ({:.0} /s), held {:.1} s\n",
            self.target,
            self.opened,
            self.count,
            self.opening.as_secs_f64(),
            self.connect_rate(),
            self.hold.as_secs_f64()
        );
        if let Some(r) = self.rss {
            let per = r
                .per_connection_kib(self.opened)
                .map_or("-".to_string(), |v| format!("{v:.1} KiB"));
            out.push_str(&format!(
                "  target (pid {}) resident memory: {} KiB before, {} KiB with all open, {} KiB after closing; {per} per connection\n",
                r.pid, r.before_kib, r.with_kib, r.after_kib
            ));
        }
        out.push_str(&errors_text(&self.errors));
        out
    }
}

pub fn errors_text(errors: &BTreeMap<String, u64>) -> String {
    let seen: Vec<String> = errors
        .iter()
        .filter(|(_, &n)| n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if seen.is_empty() {
        "  errors: none\n".to_string()
    } else {
        format!("  errors: {}\n", seen.join(", "))
    }
}

pub fn latency_json(l: Option<Latency>) -> Value {
    match l {
        Some(l) => json!({
            "p50": round(l.p50, 3),
            "p90": round(l.p90, 3),
            "p99": round(l.p99, 3),
            "p999": round(l.p999, 3),
            "max": round(l.max, 3),
        }),
        None => json!({"p50": null, "p90": null, "p99": null, "p999": null, "max": null}),
    }
}

pub fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

/// `1.2 MB`, decimal units.
fn bytes_text(b: f64) -> String {
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.2} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{b:.0} B")
    }
}

/// `VmRSS` of a `/proc/PID/status` text, in KiB.
pub fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let mut words = line["VmRSS:".len()..].split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => Some(value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_histogram_in_milliseconds() {
        let mut h = histogram();
        for us in 1..=1000u64 {
            h.record(us).unwrap();
        }
        h.record(250_000).unwrap();
        let l = latency(&h).unwrap();
        // Three significant digits: within 0.1 % of the exact values.
        assert!((l.p50 - 0.500).abs() < 0.002, "{l:?}");
        assert!((l.p90 - 0.900).abs() < 0.002, "{l:?}");
        assert!((l.p99 - 0.990).abs() < 0.002, "{l:?}");
        assert!((l.p999 - 1.000).abs() < 0.002, "{l:?}");
        assert!((l.max - 250.0).abs() < 0.3, "{l:?}");
        assert_eq!(latency(&histogram()), None);
    }

    fn echo_summary() -> EchoSummary {
        let faults = Faults::default();
        faults.add(Fault::Timeout, || "no echo in 5 s".into());
        EchoSummary {
            target: "ws://127.0.0.1:9001/echo".into(),
            connections: 100,
            connected: 100,
            size: 20,
            threads: 2,
            warmup: Duration::from_secs(1),
            duration: Duration::from_secs(10),
            rate: None,
            messages: 123_456,
            latency: Some(Latency {
                p50: 1.0,
                p90: 2.0,
                p99: 3.0,
                p999: 4.0,
                max: 5.0,
            }),
            errors: faults.counts(),
        }
    }

    #[test]
    fn echo_json_has_the_documented_fields() {
        let v = echo_summary().to_json();
        assert_eq!(v["messages_per_second"], 12345.6);
        assert_eq!(v["bytes_per_second"], 246912.0);
        assert_eq!(v["latency_ms"]["p999"], 4.0);
        assert_eq!(v["rate"], Value::Null);
        assert_eq!(v["connections"], 100);
        assert_eq!(v["size"], 20);
        assert_eq!(v["duration_s"], 10.0);
        assert_eq!(v["target"], "ws://127.0.0.1:9001/echo");
        let errors = v["errors"].as_object().unwrap();
        assert_eq!(errors.len(), 5);
        assert_eq!(errors["timeout"], 1);
        assert_eq!(errors["wrong_echo"], 0);
        let empty = EchoSummary {
            latency: None,
            rate: Some(500.0),
            ..echo_summary()
        };
        let v = empty.to_json();
        assert_eq!(v["latency_ms"]["p50"], Value::Null);
        assert_eq!(v["rate"], 500.0);
        assert!(empty.text().contains("open loop at 500 msg/s"));
    }

    #[test]
    fn faults_keep_the_first_reason_of_each_kind() {
        let f = Faults::default();
        f.add(Fault::ConnectFailed, || "refused".into());
        f.add(Fault::ConnectFailed, || "unreachable".into());
        assert_eq!(f.total(), 2);
        assert_eq!(f.lines(), ["connect_failed: 2 (first: refused)"]);
    }

    #[test]
    fn rss_per_connection_is_the_growth_over_the_connections() {
        let r = Rss {
            pid: 1,
            before_kib: 10_000,
            with_kib: 30_000,
            after_kib: 12_000,
        };
        assert_eq!(r.per_connection_kib(1000), Some(20.0));
        assert_eq!(r.per_connection_kib(0), None);
    }

    #[test]
    fn vm_rss_is_read_from_proc_status() {
        let status = "Name:\tvoxproof-server\nVmPeak:\t  900000 kB\nVmRSS:\t   12345 kB\nRssAnon:\t 8000 kB\n";
        assert_eq!(parse_vm_rss(status), Some(12345));
        assert_eq!(parse_vm_rss("Name:\tzombie\n"), None);
        assert_eq!(parse_vm_rss("VmRSS:\tlots kB\n"), None);
    }
}
