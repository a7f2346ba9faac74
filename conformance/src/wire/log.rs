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
    events: Arc<Mutex<Vec<WireEvent>>>,
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
    /// Log an event; `data` gets the number of bytes to show.
    fn push(&self, conn: u32, dir: Dir, len: usize, data: impl FnOnce(usize) -> String) {
        let at_ms = self.start.elapsed().as_millis() as u64;
        if let Ok(mut events) = self.events.lock() {
            match events.len() {
                n if n < MAX_EVENTS => events.push(WireEvent {
                    at_ms,
                    conn,
                    dir,
                    len,
                    data: data(if n < FULL_EVENTS {
                        MAX_LOGGED_BYTES
                    } else {
                        SHORT_LOGGED_BYTES
                    }),
                }),
                n if n == MAX_EVENTS => events.push(WireEvent {
                    at_ms,
                    conn,
                    dir: Dir::Event,
                    len: 0,
                    data: format!("wire log stopped after {MAX_EVENTS} events"),
                }),
                _ => {}
            }
        }
    }

    pub fn bytes(&self, conn: u32, dir: Dir, bytes: &[u8]) {
        self.push(conn, dir, bytes.len(), |shown| escape_at_most(bytes, shown));
    }

    pub fn event(&self, conn: u32, text: impl Into<String>) {
        let text = text.into();
        self.push(conn, Dir::Event, 0, |_| text);
    }

    pub fn events(&self) -> Vec<WireEvent> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
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
}
