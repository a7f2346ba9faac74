//! The model of a framing case: steps, the events and close it expects, shared fillers
//! ([docs/framing.md](../../../../../docs/framing.md#how-the-engine-is-laid-out)).

use crate::verdict::Closer;
use crate::wire::close_code;
use crate::wire::frame::Frame;
use std::borrow::Cow;
use std::sync::OnceLock;

/// The mask every suite frame uses unless a step says otherwise (RFC 6455 §5.7's example key).
pub const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
/// Payloads above this are streamed rather than encoded whole.
pub(super) const LARGE: usize = 256 * 1024;
/// Shortest [`Step::Wait`].
pub const MIN_WAIT: std::time::Duration = std::time::Duration::from_millis(100);

/// One thing a script does.
#[derive(Debug, Clone)]
pub enum Step {
    /// Write these frames, masked with [`MASK`] unless they carry a mask, in one write each.
    Frames(Vec<Frame>),
    /// Write these frames (masked as above) as one byte stream cut into writes of `chunk` bytes.
    Chopped(Vec<Frame>, usize),
    /// Write one message of shared bytes (see [`pattern`]) in frames of
    /// `fragment` bytes, masked with [`MASK`], as a byte stream cut into
    /// writes of `chop` bytes (or large blocks): the limits cases' messages,
    /// sent without building them in memory.
    Stream {
        opcode: u8,
        payload: &'static [u8],
        fragment: usize,
        chop: Option<usize>,
    },
    /// Write raw bytes as they are.
    Raw(Vec<u8>),
    /// Write raw bytes that complete the suite's close frame: from then on the
    /// suite has started the close (`voxproof fuzz` sends its own close bytes).
    RawClose(Vec<u8>),
    /// Write nothing for this long (a pause between writes; nothing is read).
    Pause(std::time::Duration),
    /// Write part of a frame, encoded (and masked) as the suite's role
    /// does: its header (None) or a range of its payload. A frame whose
    /// payload goes out in pieces with pauses between them.
    Part(std::sync::Arc<Frame>, Option<std::ops::Range<usize>>),
    /// Send a ping and read until its pong (or a close) arrives; the pong is
    /// recorded as an event like any other.
    Sync(Vec<u8>),
    /// Read until the target closes or a pong to a barrier arrives, then
    /// record whether the connection is still open (for fail-fast checks).
    Probe,
    /// Read for a while (or until the target closes), then record whether
    /// the connection is still open. Used where a ping cannot be sent (in the
    /// middle of a frame's payload). The wait is 20 round trips of the opening
    /// handshake, at least [`MIN_WAIT`] and at most the duration given
    /// (Autobahn's fixed pause): long enough for a target that acts on bytes as
    /// they arrive, without sleeping a second on a fast loopback.
    Wait(std::time::Duration),
    /// Send a close frame (counts as the suite starting the close).
    Close(Frame),
    /// Send `count` messages one at a time, each waiting for its echo.
    PingPong {
        opcode: u8,
        len: usize,
        count: usize,
    },
}

/// The fillers of Autobahn's large messages, one 16 MiB buffer each, built
/// once and shared by every case that sends or expects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// `BAsd7&jh23` repeated (categories 9.1, 9.2 text and 9.5).
    Text,
    /// `*` repeated (9.3 and 9.7).
    Star,
    /// 0xfe repeated (binary messages).
    Binary,
}

/// Longest shared pattern: Autobahn's largest message (only 4 MiB of `*`
/// are ever used).
pub const PATTERN_LEN: usize = 16 << 20;

/// The first `len` bytes of `p` (at most [`PATTERN_LEN`], 4 MiB for `Star`).
pub fn pattern(p: Pattern, len: usize) -> &'static [u8] {
    static TEXT: OnceLock<Vec<u8>> = OnceLock::new();
    static STAR: OnceLock<Vec<u8>> = OnceLock::new();
    static BINARY: OnceLock<Vec<u8>> = OnceLock::new();
    let full = match p {
        Pattern::Text => TEXT.get_or_init(|| {
            let mut v = b"BAsd7&jh23".repeat(PATTERN_LEN / 10 + 1);
            v.truncate(PATTERN_LEN);
            v
        }),
        Pattern::Star => STAR.get_or_init(|| vec![b'*'; PATTERN_LEN / 4]),
        Pattern::Binary => BINARY.get_or_init(|| vec![0xfe; PATTERN_LEN]),
    };
    &full[..len.min(full.len())]
}

/// A received message's bytes. A large one equal to the start of a shared
/// pattern that is already built refers to the pattern instead, so its
/// buffer is freed at once and reused by the next large read.
pub(super) fn intern(payload: Vec<u8>) -> Cow<'static, [u8]> {
    if payload.len() > LARGE {
        for p in [Pattern::Text, Pattern::Star, Pattern::Binary] {
            let shared = pattern(p, payload.len());
            if shared.len() == payload.len() && shared == payload.as_slice() {
                crate::wire::frame::recycle(payload);
                return Cow::Borrowed(shared);
            }
        }
    }
    Cow::Owned(payload)
}

/// What the target sent, as Autobahn records it.
#[derive(Debug, Clone, Eq)]
pub enum Event {
    Message {
        binary: bool,
        payload: Cow<'static, [u8]>,
    },
    Pong(Vec<u8>),
}

impl PartialEq for Event {
    fn eq(&self, other: &Event) -> bool {
        match (self, other) {
            (
                Event::Message {
                    binary: a,
                    payload: p,
                },
                Event::Message {
                    binary: b,
                    payload: q,
                },
            ) => {
                // Both sides often refer to the same shared pattern: no need
                // to compare megabytes with themselves.
                let same = std::ptr::eq(p.as_ref(), q.as_ref());
                a == b && (same || p == q)
            }
            (Event::Pong(p), Event::Pong(q)) => p == q,
            _ => false,
        }
    }
}

impl Event {
    pub fn text(s: impl AsRef<[u8]>) -> Event {
        Event::Message {
            binary: false,
            payload: Cow::Owned(s.as_ref().to_vec()),
        }
    }
    pub fn binary(b: impl AsRef<[u8]>) -> Event {
        Event::Message {
            binary: true,
            payload: Cow::Owned(b.as_ref().to_vec()),
        }
    }
    /// A message of shared bytes (no copy).
    pub fn shared(binary: bool, payload: &'static [u8]) -> Event {
        Event::Message {
            binary,
            payload: Cow::Borrowed(payload),
        }
    }
    pub fn pong(b: impl AsRef<[u8]>) -> Event {
        Event::Pong(b.as_ref().to_vec())
    }

    /// The event in words, a long payload by its length.
    pub(super) fn describe(&self) -> String {
        let show = |p: &[u8]| match std::str::from_utf8(p) {
            _ if p.len() > 24 => format!("{} bytes", p.len()),
            Ok(text) => format!("\"{}\"", text.escape_debug()),
            // Not text: the bytes in hex rather than replacement characters.
            Err(_) => format!(
                "0x{}",
                p.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ),
        };
        match self {
            Event::Message {
                binary: false,
                payload,
            } => format!("text {}", show(payload)),
            Event::Message {
                binary: true,
                payload,
            } => format!("binary {}", show(payload)),
            Event::Pong(p) => format!("pong {}", show(p)),
        }
    }
}

/// The close a case expects (Autobahn's `expectedClose`).
#[derive(Debug, Clone)]
pub struct CloseExpect {
    /// Who must start the closing handshake.
    pub by: Closer,
    /// Close codes allowed in the target's close frame (none sent is allowed too, as in Autobahn).
    pub codes: Vec<u16>,
    /// The closing handshake must complete both ways and the target must close TCP.
    pub require_clean: bool,
    /// A wrong code fails the case (Autobahn's category 7) instead of being NON-STRICT.
    pub wrong_code_fails: bool,
    /// A close frame with one of `codes` is required; without one the case is
    /// NON-STRICT (RFC 6455 §7.1.7: an endpoint failing the connection SHOULD send one).
    pub code_required: bool,
}

impl CloseExpect {
    /// The suite closes with 1000 (normal) and expects a clean close with 1000.
    pub fn normal() -> CloseExpect {
        CloseExpect {
            by: Closer::Suite,
            codes: vec![close_code::NORMAL],
            require_clean: true,
            wrong_code_fails: false,
            code_required: false,
        }
    }
    /// The target must fail the connection with `code`.
    pub fn fail(code: u16) -> CloseExpect {
        CloseExpect {
            by: Closer::Target,
            codes: vec![code],
            require_clean: false,
            wrong_code_fails: false,
            code_required: false,
        }
    }
}

/// The event sequences that count, and the close.
#[derive(Debug, Clone)]
pub struct Expect {
    pub ok: Vec<Vec<Event>>,
    pub non_strict: Vec<Vec<Event>>,
    pub close: CloseExpect,
    /// The RFC leaves the outcome open: report what happened as INFORMATIONAL.
    pub informational: bool,
    /// Size-limit cases: a target refusing the message as too large (1009,
    /// or 1008 as some libraries use) is NON-STRICT, not FAILED — RFC 6455
    /// §10.4 lets an implementation protect itself (Autobahn fails it).
    pub limits: bool,
    /// Fail-fast cases (two probes or waits): the target must still be open
    /// at the first (the message so far is a valid prefix) and closed by the
    /// second; closing only later is NON-STRICT, closing at the first FAILED.
    pub fail_fast: bool,
}

impl Expect {
    pub fn ok(events: Vec<Event>, close: CloseExpect) -> Expect {
        Expect {
            ok: vec![events],
            non_strict: Vec::new(),
            close,
            informational: false,
            fail_fast: false,
            limits: false,
        }
    }
    pub fn non_strict(mut self, events: Vec<Event>) -> Expect {
        self.non_strict.push(events);
        self
    }
    pub fn informational(mut self) -> Expect {
        self.informational = true;
        self
    }
    pub fn limits(mut self) -> Expect {
        self.limits = true;
        self
    }
    pub fn fail_fast(mut self) -> Expect {
        self.fail_fast = true;
        self
    }
}

/// A framing case's script.
#[derive(Debug, Clone)]
pub struct Script {
    pub steps: Vec<Step>,
    pub expect: Expect,
}

/// A case streaming a message at least this large keeps a processor busy:
/// it sets `Case::bulk`.
pub const BULK: usize = 1 << 20;
