//! The wire log: every byte a case sent and received, with timestamps.

use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Bytes kept per event among a case's first [`FULL_EVENTS`] (the opening
/// handshake and the first frames); larger payloads are summarized by their length.
pub const MAX_LOGGED_BYTES: usize = 2048;
/// Events logged with up to [`MAX_LOGGED_BYTES`] bytes.
pub const FULL_EVENTS: usize = 64;
/// Bytes kept per event after that: enough for a frame header and the start
/// of its payload, and cheap for cases writing thousands of frames.
pub const SHORT_LOGGED_BYTES: usize = 128;
/// Events kept per case; a case writing thousands of frames keeps its first
/// ones and a count of the rest.
pub const MAX_EVENTS: usize = 1000;
/// Bytes of shown data (escaped text, plus [`EVENT_COST`] per event) kept per
/// case, whatever the target sends: a target flooding a case (endless pings,
/// a header line that never ends) cannot grow the report past this.
pub const MAX_LOG_BYTES: usize = 64 * 1024;
/// What an event costs against [`MAX_LOG_BYTES`] besides its data (the
/// report's fields around it).
pub const EVENT_COST: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    /// Bytes the suite wrote.
    Send,
    /// Bytes the target wrote.
    Recv,
    /// Something that is not bytes: connect, close, timeout.
    Event,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireEvent {
    /// Milliseconds since the case started.
    pub at_ms: u64,
    /// Connection number within the case, from 1.
    pub conn: u32,
    pub dir: Dir,
    /// Byte count (for events, 0).
    pub len: usize,
    /// The bytes, escaped (printable ASCII kept, others as \r \n \t \xNN), or the event text.
    pub data: String,
}

/// A case's log, shared by its connections.
#[derive(Debug, Clone)]
pub struct WireLog {
    start: Instant,
    events: Arc<Mutex<Events>>,
}

/// The events kept, and what they cost against [`MAX_LOG_BYTES`].
#[derive(Debug, Default)]
struct Events {
    kept: Vec<WireEvent>,
    cost: usize,
    /// The log stopped (event cap or byte budget); later events are dropped.
    stopped: bool,
}

impl Default for WireLog {
    fn default() -> Self {
        WireLog {
            start: Instant::now(),
            events: Arc::default(),
        }
    }
}

impl WireLog {
    /// Log an event; `data` gets the number of bytes to show. The log stops
    /// (with one event saying why) at [`MAX_EVENTS`] events or
    /// [`MAX_LOG_BYTES`] bytes, whichever comes first.
    fn push(&self, conn: u32, dir: Dir, len: usize, data: impl FnOnce(usize) -> String) {
        let at_ms = self.start.elapsed().as_millis() as u64;
        let Ok(mut events) = self.events.lock() else {
            return;
        };
        if events.stopped {
            return;
        }
        let n = events.kept.len();
        let left = MAX_LOG_BYTES.saturating_sub(events.cost + EVENT_COST);
        let stop = if n >= MAX_EVENTS {
            Some(format!("wire log stopped after {MAX_EVENTS} events"))
        } else if left < EVENT_COST {
            Some(format!(
                "wire log stopped after {} KiB (the suite's limit per case)",
                MAX_LOG_BYTES / 1024
            ))
        } else {
            None
        };
        if let Some(text) = stop {
            events.stopped = true;
            events.kept.push(WireEvent {
                at_ms,
                conn,
                dir: Dir::Event,
                len: 0,
                data: text,
            });
            return;
        }
        let shown = if n < FULL_EVENTS {
            MAX_LOGGED_BYTES
        } else {
            SHORT_LOGGED_BYTES
        };
        // Escaping shows a byte as up to 4 characters.
        let mut data = data(shown.min(left / 4).max(1));
        if data.len() > left {
            // An event's text (not bytes) too long for what is left.
            let mut cut = left;
            while !data.is_char_boundary(cut) {
                cut -= 1;
            }
            data.truncate(cut);
            data.push('…');
        }
        events.cost += EVENT_COST + data.len();
        events.kept.push(WireEvent {
            at_ms,
            conn,
            dir,
            len,
            data,
        });
    }

    pub fn bytes(&self, conn: u32, dir: Dir, bytes: &[u8]) {
        self.push(conn, dir, bytes.len(), |shown| escape_at_most(bytes, shown));
    }

    /// A message as text (a decoded telephony message) instead of its bytes.
    pub fn message(&self, conn: u32, dir: Dir, len: usize, text: String) {
        self.push(conn, dir, len, |_| text);
    }

    pub fn event(&self, conn: u32, text: impl Into<String>) {
        let text = text.into();
        self.push(conn, Dir::Event, 0, |_| text);
    }

    pub fn events(&self) -> Vec<WireEvent> {
        self.events
            .lock()
            .map(|e| e.kept.clone())
            .unwrap_or_default()
    }
}

/// Escape bytes for a readable log line.
pub fn escape(bytes: &[u8]) -> String {
    escape_at_most(bytes, MAX_LOGGED_BYTES)
}

/// [`escape`] showing at most `max` bytes.
pub fn escape_at_most(bytes: &[u8], max: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let shown = &bytes[..bytes.len().min(max)];
    // Built as bytes: every large message passes through here, and pushing
    // ASCII bytes is several times cheaper than pushing chars.
    let mut out = Vec::with_capacity(shown.len() * 4 + 32);
    for &b in shown {
        match b {
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(&[
                b'\\',
                b'x',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]),
        }
    }
    // Only ASCII was written, so this cannot fail.
    let mut out = String::from_utf8(out).unwrap_or_default();
    if bytes.len() > shown.len() {
        out.push_str(&format!("… ({} more bytes)", bytes.len() - shown.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_controls_and_truncates() {
        assert_eq!(
            super::escape(b"GET /\r\n\x00\xff\\"),
            "GET /\\r\\n\\x00\\xff\\\\"
        );
        let long = vec![b'a'; super::MAX_LOGGED_BYTES + 5];
        assert!(super::escape(&long).ends_with("… (5 more bytes)"));
    }

    #[test]
    fn a_flood_stays_within_the_byte_budget() {
        let log = super::WireLog::default();
        for i in 0..100_000u32 {
            log.bytes(
                1,
                super::Dir::Recv,
                &[0x89, 0x7d, (i % 251) as u8].repeat(40),
            );
        }
        let events = log.events();
        let shown: usize = events
            .iter()
            .map(|e| e.data.len() + super::EVENT_COST)
            .sum();
        assert!(shown <= super::MAX_LOG_BYTES + 200, "{shown} bytes kept");
        assert!(
            events.last().unwrap().data.contains("KiB"),
            "{:?}",
            events.last()
        );
    }
}
