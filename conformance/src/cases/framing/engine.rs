//! The framing engine: a case is a script of frames to send and the event
//! sequences that count as OK or NON-STRICT, plus the close it expects —
//! Autobahn's model. Running a script is I/O; judging it ([`judge`]) is a
//! pure function of what was observed.
//!
//! Where Autobahn waits fixed times (1 s after the last frame), a ping sent
//! after the script's frames works as a barrier: a target processes frames in
//! order, so when the barrier's pong arrives everything the script provoked
//! has arrived too; a target that fails the connection closes before it.

use crate::cases::handshake::open::{handshake, RFC_ACCEPT, RFC_KEY};
use crate::ctx::Ctx;
use crate::target::{Conn, FrameEnd, ReadEnd, STREAM_BLOCK};
use crate::verdict::{CloseOutcome, Closer, Outcome, Verdict};
use crate::wire::frame::{opcode, Frame};
use std::borrow::Cow;
use std::sync::OnceLock;

/// The mask every suite frame uses unless a step says otherwise (RFC 6455 §5.7's example key).
pub const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
/// Largest payload the reader accepts from a target (Autobahn's largest message is 16 MiB).
pub const MAX_PAYLOAD: u64 = 32 << 20;
const BARRIER: &[u8] = b"voxproof-barrier";
/// Payloads above this are streamed rather than encoded whole.
const LARGE: usize = 256 * 1024;
/// Longest wait for a target to finish reacting after the barrier (Autobahn's `killAfter(1)`).
pub const GRACE: std::time::Duration = std::time::Duration::from_secs(1);
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
fn intern(payload: Vec<u8>) -> Cow<'static, [u8]> {
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

    fn describe(&self) -> String {
        let show = |p: &[u8]| match std::str::from_utf8(p) {
            _ if p.len() > 24 => format!("{} bytes", p.len()),
            Ok(text) => format!("{text:?}"),
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
    /// The suite closes with 1000 and expects a clean close with 1000.
    pub fn normal() -> CloseExpect {
        CloseExpect {
            by: Closer::Suite,
            codes: vec![1000],
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

/// Everything observed on the connection, for the judge.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    pub events: Vec<Event>,
    /// The target's close frame: code and reason, when it sent one.
    pub target_close: Option<(Option<u16>, Vec<u8>)>,
    /// Who sent the first close frame (or dropped TCP first).
    pub first_closer: Option<Closer>,
    /// The target closed TCP (FIN or reset) before the suite did.
    pub target_closed_tcp: bool,
    /// The suite sent a close frame.
    pub suite_sent_close: bool,
    /// For each [`Step::Probe`] or [`Step::Wait`]: was the connection still open?
    pub probes: Vec<bool>,
    /// Breaches of RFC 6455 seen in what the target sent (masked frames, bad frames).
    pub violations: Vec<String>,
    /// The deadline passed while waiting.
    pub timed_out: bool,
    /// The target's frames, counted by opcode (for auto-fragmentation checks).
    pub frames_by_opcode: [usize; 16],
}

fn severity(v: Verdict) -> u8 {
    match v {
        Verdict::Ok => 0,
        Verdict::Informational => 1,
        Verdict::NonStrict => 2,
        Verdict::Unimplemented => 3,
        Verdict::Failed => 4,
    }
}

/// The worse of two verdicts.
pub fn worse(a: Verdict, b: Verdict) -> Verdict {
    if severity(a) >= severity(b) {
        a
    } else {
        b
    }
}

/// The events in words, a run of equal events once with its count (a case
/// exchanging 1000 messages reads "1000 × text 16 bytes").
fn describe(events: &[Event]) -> String {
    if events.is_empty() {
        return "nothing".into();
    }
    let mut parts = Vec::new();
    let mut rest = events;
    while let Some(first) = rest.first() {
        let run = rest.iter().take_while(|e| *e == first).count();
        parts.push(match run {
            1 => first.describe(),
            n => format!("{n} × {}", first.describe()),
        });
        rest = &rest[run..];
    }
    parts.join(", ")
}

/// The close verdict (Autobahn's `behaviorClose`).
pub fn judge_close(expect: &CloseExpect, obs: &Observation) -> CloseOutcome {
    let code = obs.target_close.as_ref().and_then(|(c, _)| *c);
    let closed_by = obs.first_closer.unwrap_or(Closer::Nobody);
    let clean = obs.suite_sent_close && obs.target_close.is_some() && obs.target_closed_tcp;
    let out = |verdict, detail: String| CloseOutcome {
        verdict,
        detail,
        closed_by,
        code,
        clean,
    };
    if closed_by != expect.by {
        let who = |c: Closer| match c {
            Closer::Suite => "the suite",
            Closer::Target => "the target",
            Closer::Nobody => "nobody",
        };
        return out(
            Verdict::Failed,
            format!(
                "the connection should have been closed by {}, was closed by {}",
                who(expect.by),
                who(closed_by)
            ),
        );
    }
    if expect.require_clean && !clean {
        let why = if obs.target_close.is_none() {
            "the target sent no close frame"
        } else {
            "the target did not close the TCP connection"
        };
        return out(Verdict::Failed, format!("unclean close: {why}"));
    }
    if let Some(c) = code {
        if !expect.codes.contains(&c) {
            let allowed = expect
                .codes
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(" or ");
            let verdict = if expect.wrong_code_fails {
                Verdict::Failed
            } else {
                Verdict::NonStrict
            };
            return out(
                verdict,
                format!("close code {c}; {allowed} (or none) expected"),
            );
        }
    }
    if expect.code_required && code.is_none() {
        //= https://www.rfc-editor.org/rfc/rfc6455#section-7.1.7
        //# If _The WebSocket Connection is Established_ prior to the point where
        //# the endpoint is required to _Fail the WebSocket Connection_, the
        //# endpoint SHOULD send a Close frame with an appropriate status code
        //# (Section 7.4) before proceeding to _Close the WebSocket Connection_.
        return out(
            Verdict::NonStrict,
            "the target closed without a close frame carrying a code".into(),
        );
    }
    if !obs.target_closed_tcp {
        //= https://www.rfc-editor.org/rfc/rfc6455#section-7.1.1
        //# The underlying TCP connection, in most normal cases, SHOULD be closed
        //# first by the server, so that it holds the TIME_WAIT state and not the
        //# client
        return out(
            Verdict::NonStrict,
            "the suite had to close the TCP connection".into(),
        );
    }
    let detail = match code {
        Some(c) => format!("closed with {c}"),
        None => "closed without a code".into(),
    };
    out(Verdict::Ok, detail)
}

/// The case's verdict from what was observed.
pub fn judge(expect: &Expect, obs: &Observation) -> Outcome {
    let close = judge_close(&expect.close, obs);
    let (mut verdict, mut detail) = if expect.ok.contains(&obs.events) {
        (Verdict::Ok, format!("received {}", describe(&obs.events)))
    } else if expect.non_strict.contains(&obs.events) {
        (
            Verdict::NonStrict,
            format!(
                "received {} (acceptable, not strict)",
                describe(&obs.events)
            ),
        )
    } else {
        let want = expect.ok.first().map(|e| describe(e)).unwrap_or_default();
        (
            Verdict::Failed,
            format!("received {}; expected {want}", describe(&obs.events)),
        )
    };
    if expect.fail_fast && verdict == Verdict::Ok {
        match obs.probes.as_slice() {
            [true, false] => {}
            [true, true] => {
                verdict = Verdict::NonStrict;
                detail = "failed the connection only at the end of the message, not as soon as the error arrived".into();
            }
            [false, ..] | [] => {
                verdict = Verdict::Failed;
                detail = "failed the connection on a valid prefix of the message".into();
            }
            _ => {}
        }
    }
    if expect.informational && obs.violations.is_empty() {
        return Outcome {
            verdict: Verdict::Informational,
            detail: format!("{detail}; {}", close.detail),
            close: Some(CloseOutcome {
                verdict: Verdict::Informational,
                ..close
            }),
        };
    }
    // A breach of RFC 6455 in what the target sent fails any case, informational or not.
    if let Some(v) = obs.violations.first() {
        verdict = Verdict::Failed;
        detail = v.clone();
    }
    if expect.limits
        && close.closed_by == Closer::Target
        && matches!(close.code, Some(1008 | 1009))
        && obs.violations.is_empty()
    {
        //= https://www.rfc-editor.org/rfc/rfc6455#section-10.4
        //# Implementations that have implementation- and/or platform-specific
        //# limitations regarding the frame size or total message size after
        //# reassembly from multiple frames MUST protect themselves against
        //# exceeding those limits.
        let code = close.code.unwrap_or_default();
        let detail = format!("the target refused the message as over its limits (close {code}); RFC 6455 §10.4 allows that");
        return Outcome {
            verdict: Verdict::NonStrict,
            detail,
            close: Some(close),
        };
    }
    let overall = worse(verdict, close.verdict);
    let detail = if close.verdict == Verdict::Ok || verdict != Verdict::Ok {
        format!("{detail}; {}", close.detail)
    } else {
        format!("{}; {detail}", close.detail)
    };
    Outcome {
        verdict: overall,
        detail,
        close: Some(close),
    }
}

// ------------------------------------------------------------------ running

/// Reads frames, assembles messages, answers pings, notes breaches.
struct Session {
    conn: Conn,
    obs: Observation,
    /// Text or binary message being assembled from fragments.
    partial: Option<(bool, Vec<u8>)>,
    tcp_done: bool,
    /// A write failed: the target stopped reading (it may have closed).
    write_failed: bool,
    /// Round trip of the opening handshake, to scale waits.
    rtt: std::time::Duration,
}

/// What reading stopped on.
enum Stop {
    Pong(Vec<u8>),
    TargetClosed,
    Ended,
}

impl Session {
    /// Write frames — all in one write, or each frame chopped into writes of
    /// `chunk` bytes as Autobahn's `chopsize` does. `closing` marks a close the
    /// suite starts or answers (a close frame sent as a test input does not).
    fn send(&mut self, frames: &[Frame], chunk: Option<usize>, closing: bool) -> bool {
        if closing {
            self.obs.first_closer.get_or_insert(Closer::Suite);
            self.obs.suite_sent_close = true;
        }
        let encode = |f: &Frame| f.encode_with(Some(f.mask.unwrap_or(MASK)));
        let sent = match chunk {
            Some(c) => frames
                .iter()
                .try_for_each(|f| self.conn.send_chunked(&encode(f), c)),
            None => {
                // Small frames go out together in one write; a large one is
                // streamed (masked block by block) rather than copied whole.
                let mut bytes = Vec::new();
                let mut result = Ok(());
                for f in frames {
                    if f.payload.len() > LARGE && f.mask.is_none() {
                        if !bytes.is_empty() {
                            let pending = std::mem::take(&mut bytes);
                            result = result.and_then(|()| self.conn.send(&pending));
                        }
                        let first = f.first_byte();
                        result = result.and_then(|()| {
                            self.conn.send_stream(
                                [(first, f.payload.as_slice())],
                                MASK,
                                STREAM_BLOCK,
                            )
                        });
                    } else {
                        bytes.extend_from_slice(&encode(f));
                    }
                }
                if !bytes.is_empty() {
                    result = result.and_then(|()| self.conn.send(&bytes));
                }
                result
            }
        };
        if sent.is_err() {
            self.write_failed = true;
        }
        sent.is_ok()
    }

    /// Read one frame and record it; `Some(stop)` ends the current wait.
    fn read_one(&mut self) -> Option<Stop> {
        let frame = match self.conn.read_frame(MAX_PAYLOAD) {
            Ok(f) => f,
            Err(FrameEnd::Invalid(e)) => {
                self.obs
                    .violations
                    .push(format!("the target sent bytes that are not a frame: {e}"));
                self.tcp_done = true;
                return Some(Stop::Ended);
            }
            Err(FrameEnd::Read(end, _)) => {
                self.tcp_done = true;
                match end {
                    ReadEnd::TimedOut => self.obs.timed_out = true,
                    ReadEnd::Closed | ReadEnd::Error(_) => {
                        self.obs.target_closed_tcp = true;
                        self.obs.first_closer.get_or_insert(Closer::Target);
                    }
                }
                return Some(Stop::Ended);
            }
        };
        self.obs.frames_by_opcode[usize::from(frame.opcode & 0xF)] += 1;
        //= https://www.rfc-editor.org/rfc/rfc6455#section-5.1
        //# A server MUST NOT mask any frames that it sends to the client.
        if frame.mask.is_some() {
            self.obs
                .violations
                .push("the target masked a frame (RFC 6455 §5.1: a server MUST NOT mask)".into());
        }
        if frame.rsv != 0 {
            self.obs.violations.push(format!(
                "the target set RSV bits {:03b} with no extension negotiated",
                frame.rsv
            ));
        }
        match frame.opcode {
            opcode::TEXT | opcode::BINARY => {
                if self.partial.is_some() {
                    self.obs
                        .violations
                        .push("the target started a message inside another".into());
                }
                let binary = frame.opcode == opcode::BINARY;
                if frame.fin {
                    self.obs.events.push(Event::Message {
                        binary,
                        payload: intern(frame.payload),
                    });
                } else {
                    self.partial = Some((binary, frame.payload));
                }
            }
            opcode::CONTINUATION => match self.partial.as_mut() {
                Some((_, buf)) => {
                    buf.extend_from_slice(&frame.payload);
                    if frame.fin {
                        let (binary, payload) = self.partial.take().unwrap_or_default();
                        let payload = intern(payload);
                        self.obs.events.push(Event::Message { binary, payload });
                    }
                }
                None => self
                    .obs
                    .violations
                    .push("the target sent a continuation with nothing to continue".into()),
            },
            opcode::PING => {
                // Answer as a client must (RFC 6455 §5.5.2), unless closing.
                if !self.obs.suite_sent_close {
                    let _ = self
                        .conn
                        .send_frame(&Frame::new(opcode::PONG, frame.payload).masked(MASK));
                }
            }
            opcode::PONG => {
                if frame.payload.starts_with(BARRIER) {
                    return Some(Stop::Pong(frame.payload));
                }
                self.obs.events.push(Event::Pong(frame.payload.clone()));
                return Some(Stop::Pong(frame.payload));
            }
            opcode::CLOSE => {
                if self.obs.target_close.is_none() {
                    let code = frame.close_code();
                    let reason = frame.payload.get(2..).unwrap_or_default().to_vec();
                    self.obs.target_close = Some((code, reason));
                    self.obs.first_closer.get_or_insert(Closer::Target);
                    if !self.obs.suite_sent_close {
                        // Echo the code, as a client completing the handshake does.
                        let echo = Frame::close(code.filter(|c| *c != 1005 && *c != 1006), b"");
                        self.send(&[echo], None, true);
                    }
                }
                return Some(Stop::TargetClosed);
            }
            other => self.obs.violations.push(format!(
                "the target sent a frame with reserved opcode {other:#x}"
            )),
        }
        None
    }

    /// Read until a pong with `payload` (or any stop when `payload` is None).
    fn read_until_pong(&mut self, payload: Option<&[u8]>) -> bool {
        loop {
            if self.tcp_done {
                return false;
            }
            match self.read_one() {
                Some(Stop::Pong(p)) if payload.is_none_or(|want| want == p.as_slice()) => {
                    return true
                }
                Some(Stop::Pong(_)) | None => {}
                Some(Stop::TargetClosed) | Some(Stop::Ended) => return false,
            }
        }
    }

    fn barrier(&mut self, n: u32) -> bool {
        let mut payload = BARRIER.to_vec();
        payload.extend_from_slice(format!("-{n}").as_bytes());
        if !self.send(&[Frame::new(opcode::PING, payload.clone())], None, false) {
            return false;
        }
        self.read_until_pong(Some(&payload))
    }

    /// Read for `d` (within the case's deadline); true when still open.
    fn wait(&mut self, d: std::time::Duration) -> bool {
        let d = (self.rtt * 20).clamp(MIN_WAIT, d.max(MIN_WAIT));
        let hard = self.conn.deadline();
        let until = (std::time::Instant::now() + d).min(hard);
        self.conn.set_deadline(until);
        while !self.tcp_done && self.obs.target_close.is_none() {
            let _ = self.read_one();
        }
        self.conn.set_deadline(hard);
        if self.tcp_done && self.obs.timed_out && std::time::Instant::now() < hard {
            // Only the wait ended, not the connection.
            self.tcp_done = false;
            self.obs.timed_out = false;
        }
        !self.tcp_done && self.obs.target_close.is_none()
    }

    /// After the close: read until TCP closes or the deadline passes.
    fn drain(&mut self) {
        while !self.tcp_done {
            let _ = self.read_one();
        }
    }
}

/// Messages at least this large count against [`BULK_SLOTS`].
const BULK: usize = 1 << 20;

/// Cases moving a large message at once, per core. Such a case is bound by
/// processor time, not by waiting, so running more of them together only
/// slows the cases that are waiting for round trips, and it spreads receive
/// buffers over more memory instead of reusing a few.
const BULK_SLOTS_PER_CORE: usize = 2;

/// A place among the cases moving large messages; waits until one is free.
struct BulkSlot;

static BULK_BUSY: std::sync::Mutex<usize> = std::sync::Mutex::new(0);
static BULK_FREED: std::sync::Condvar = std::sync::Condvar::new();

impl BulkSlot {
    fn take() -> BulkSlot {
        let slots =
            std::thread::available_parallelism().map_or(2, |n| n.get()) * BULK_SLOTS_PER_CORE;
        if let Ok(mut busy) = BULK_BUSY.lock() {
            while *busy >= slots {
                match BULK_FREED.wait(busy) {
                    Ok(b) => busy = b,
                    Err(_) => return BulkSlot,
                }
            }
            *busy += 1;
        }
        BulkSlot
    }
}

impl Drop for BulkSlot {
    fn drop(&mut self) {
        if let Ok(mut busy) = BULK_BUSY.lock() {
            *busy = busy.saturating_sub(1);
        }
        BULK_FREED.notify_one();
    }
}

/// Run a script against the target and judge it.
pub fn run(ctx: &mut Ctx, script: &Script) -> Outcome {
    let bulk = script
        .steps
        .iter()
        .any(|s| matches!(s, Step::Stream { payload, .. } if payload.len() >= BULK));
    let _slot = bulk.then(|| {
        // Time spent waiting for a place does not count against the case.
        let waiting = std::time::Instant::now();
        let slot = BulkSlot::take();
        ctx.deadline += waiting.elapsed();
        slot
    });
    let started = std::time::Instant::now();
    let conn = match handshake(ctx, RFC_KEY, RFC_ACCEPT) {
        Ok(c) => c,
        Err(o) => return Outcome::new(o.verdict, format!("opening handshake: {}", o.detail)),
    };
    let mut s = Session {
        conn,
        obs: Observation::default(),
        partial: None,
        tcp_done: false,
        write_failed: false,
        rtt: started.elapsed(),
    };
    let mut barriers = 0;
    for step in &script.steps {
        if s.tcp_done || s.obs.target_close.is_some() {
            break;
        }
        let ok = match step {
            Step::Frames(frames) => s.send(frames, None, false),
            Step::Chopped(frames, chunk) => s.send(frames, Some(*chunk), false),
            Step::Stream {
                opcode: op,
                payload,
                fragment,
                chop,
            } => {
                let pieces = payload.chunks((*fragment).max(1)).collect::<Vec<_>>();
                let last = pieces.len().saturating_sub(1);
                let frames = pieces.iter().enumerate().map(|(k, piece)| {
                    let code = if k == 0 { *op } else { opcode::CONTINUATION };
                    let fin = if k == last { 0x80 } else { 0 };
                    (fin | code, *piece)
                });
                let sent = s
                    .conn
                    .send_stream(frames, MASK, chop.unwrap_or(STREAM_BLOCK));
                if sent.is_err() {
                    s.write_failed = true;
                }
                sent.is_ok()
            }
            Step::Raw(bytes) => s.conn.send(bytes).is_ok(),
            Step::Sync(payload) => {
                s.send(&[Frame::new(opcode::PING, payload.clone())], None, false)
                    && s.read_until_pong(Some(payload))
            }
            Step::Probe => {
                barriers += 1;
                // A pong proves the bytes before the ping were read; an
                // implementation may still be validating them in a higher
                // layer, so give it a short, scaled moment to fail.
                let open = s.barrier(barriers) && s.wait(MIN_WAIT);
                s.obs.probes.push(open);
                open
            }
            Step::Wait(d) => {
                let open = s.wait(*d);
                s.obs.probes.push(open);
                open
            }
            Step::Close(frame) => s.send(std::slice::from_ref(frame), None, true),
            Step::PingPong { opcode, len, count } => {
                let fill = if *opcode == opcode::TEXT { b'*' } else { 0xfe };
                let mut ok = true;
                for _ in 0..*count {
                    let before = s.obs.events.len();
                    if !s.send(&[Frame::new(*opcode, vec![fill; *len])], None, false) {
                        ok = false;
                        break;
                    }
                    while s.obs.events.len() == before
                        && !s.tcp_done
                        && s.obs.target_close.is_none()
                    {
                        let _ = s.read_one();
                    }
                    if s.obs.events.len() == before {
                        ok = false;
                        break;
                    }
                }
                ok
            }
        };
        if !ok {
            break;
        }
    }
    // Settle: everything the script provoked arrives before the barrier's pong.
    let open = |s: &Session| {
        !s.tcp_done && !s.write_failed && s.obs.target_close.is_none() && !s.obs.suite_sent_close
    };
    if open(&s) {
        barriers += 1;
        s.barrier(barriers);
    }
    // Some implementations answer pings below the layer that echoes messages
    // or validates them, so the barrier's pong can overtake an echo or a
    // failure. As Autobahn does, wait (at most GRACE) until what was received
    // matches an expectation or the target closes; a conforming target costs
    // no time here.
    if open(&s) {
        let expect = &script.expect;
        let hard = s.conn.deadline();
        s.conn
            .set_deadline((std::time::Instant::now() + GRACE).min(hard));
        while open(&s) {
            let matched = expect.close.by == Closer::Suite
                && (expect.ok.contains(&s.obs.events) || expect.non_strict.contains(&s.obs.events));
            if matched {
                break;
            }
            let _ = s.read_one();
        }
        s.conn.set_deadline(hard);
        if s.obs.timed_out && std::time::Instant::now() < hard {
            s.tcp_done = false;
            s.obs.timed_out = false;
        }
    }
    // The suite starts the close when nobody has yet (a failed write means
    // the target is going away: read what it sent instead).
    if open(&s) {
        s.send(&[Frame::close(Some(1000), b"")], None, true);
    }
    s.drain();
    if s.obs.timed_out && !s.obs.target_closed_tcp {
        s.conn.shutdown_write();
    }
    judge(&script.expect, &s.obs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean_by(by: Closer, code: u16) -> Observation {
        Observation {
            target_close: Some((Some(code), Vec::new())),
            first_closer: Some(by),
            target_closed_tcp: true,
            suite_sent_close: true,
            ..Observation::default()
        }
    }

    #[test]
    fn echo_and_clean_close_is_ok() {
        let expect = Expect::ok(vec![Event::text("hi")], CloseExpect::normal());
        let obs = Observation {
            events: vec![Event::text("hi")],
            ..clean_by(Closer::Suite, 1000)
        };
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Ok);
    }

    #[test]
    fn wrong_events_fail() {
        let expect = Expect::ok(vec![Event::text("hi")], CloseExpect::normal());
        let obs = clean_by(Closer::Suite, 1000);
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Failed);
    }

    #[test]
    fn non_strict_alternative() {
        let expect =
            Expect::ok(vec![Event::text("hi")], CloseExpect::fail(1002)).non_strict(vec![]);
        let obs = clean_by(Closer::Target, 1002);
        assert_eq!(judge(&expect, &obs).verdict, Verdict::NonStrict);
    }

    #[test]
    fn close_by_the_wrong_side_fails() {
        let expect = Expect::ok(vec![], CloseExpect::fail(1002));
        let out = judge(&expect, &clean_by(Closer::Suite, 1000));
        assert_eq!(out.verdict, Verdict::Failed);
        assert_eq!(out.close.unwrap().closed_by, Closer::Suite);
    }

    #[test]
    fn wrong_code_is_non_strict_unless_category_7() {
        let mut expect = Expect::ok(vec![], CloseExpect::fail(1002));
        assert_eq!(
            judge(&expect, &clean_by(Closer::Target, 1011)).verdict,
            Verdict::NonStrict
        );
        expect.close.wrong_code_fails = true;
        assert_eq!(
            judge(&expect, &clean_by(Closer::Target, 1011)).verdict,
            Verdict::Failed
        );
    }

    #[test]
    fn no_close_frame_is_allowed_when_failing() {
        let expect = Expect::ok(vec![], CloseExpect::fail(1002));
        let obs = Observation {
            first_closer: Some(Closer::Target),
            target_closed_tcp: true,
            ..Observation::default()
        };
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Ok);
    }

    #[test]
    fn unclean_close_fails_when_clean_is_required() {
        let expect = Expect::ok(vec![], CloseExpect::normal());
        let obs = Observation {
            target_closed_tcp: false,
            ..clean_by(Closer::Suite, 1000)
        };
        let out = judge(&expect, &obs);
        assert_eq!(out.verdict, Verdict::Failed, "{out:?}");
    }

    #[test]
    fn masked_server_frame_fails() {
        let expect = Expect::ok(vec![], CloseExpect::normal());
        let mut obs = clean_by(Closer::Suite, 1000);
        obs.violations.push("masked".into());
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Failed);
    }

    #[test]
    fn late_failure_is_non_strict_for_fail_fast_cases() {
        let expect = Expect::ok(vec![], CloseExpect::fail(1007)).fail_fast();
        let mut obs = clean_by(Closer::Target, 1007);
        obs.probes = vec![true, true];
        assert_eq!(judge(&expect, &obs).verdict, Verdict::NonStrict);
        obs.probes = vec![true, false];
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Ok);
        obs.probes = vec![false];
        assert_eq!(judge(&expect, &obs).verdict, Verdict::Failed);
    }
}
