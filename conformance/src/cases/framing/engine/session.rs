//! Running a script: sends its steps, reads what the target sends, hands the judge an observation;
//! I/O only ([docs/framing.md](../../../../../docs/framing.md#how-a-case-runs)).

use super::judge::{judge, Observation};
use super::script::{intern, Event, Script, Step, LARGE, MASK, MIN_WAIT};
use crate::cases::handshake::open::{answer_client, handshake, RFC_ACCEPT, RFC_KEY};
use crate::ctx::Ctx;
use crate::target::{Conn, FrameEnd, ReadEnd, STREAM_BLOCK};
use crate::verdict::{Closer, Outcome};
use crate::wire::close_code;
use crate::wire::frame::{opcode, Frame};
use crate::wire::observer::{self, Observer};
use std::time::{Duration, Instant};

/// Largest payload the reader accepts from a target (Autobahn's largest message is 16 MiB).
pub const MAX_PAYLOAD: u64 = observer::MAX_PAYLOAD;
const BARRIER: &[u8] = b"voxproof-barrier";
/// Longest wait for a target to finish reacting after the barrier (Autobahn's `killAfter(1)`).
pub const GRACE: Duration = Duration::from_secs(1);

/// Reads frames, assembles messages, answers pings, notes breaches.
struct Session {
    conn: Conn,
    /// Reads what the target sends: messages, control frames, breaches, replies owed.
    observer: Observer,
    obs: Observation,
    tcp_done: bool,
    /// A write failed: the target stopped reading (it may have closed).
    write_failed: bool,
    /// Round trip of the opening handshake, to scale waits.
    rtt: Duration,
    /// How the suite masks what it sends: with [`MASK`] as a client, not at
    /// all as a server (serving a client, `voxproof serve`).
    mask: Option<[u8; 4]>,
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
            self.closing();
        }
        let mask = self.mask;
        let encode = |f: &Frame| f.encode_with(f.mask.or(mask));
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
                                mask,
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

    /// The suite starts (or answers) the closing handshake.
    fn closing(&mut self) {
        self.obs.first_closer.get_or_insert(Closer::Suite);
        self.obs.suite_sent_close = true;
        self.observer.sent_close();
    }

    /// Read one frame, record what the observer makes of it and send the
    /// replies it owes; `Some(stop)` ends the current wait.
    fn read_one(&mut self) -> Option<Stop> {
        let mut stop = match self.conn.observe(&mut self.observer) {
            Ok(()) => None,
            Err(FrameEnd::Invalid(_)) => {
                // The observer reports the bytes; nothing after them can be read.
                self.tcp_done = true;
                Some(Stop::Ended)
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
        while let Some(seen) = self.observer.poll_event() {
            match seen.event {
                observer::Event::Message { binary, payload } => {
                    let payload = intern(payload);
                    self.obs.events.push(Event::Message { binary, payload });
                }
                observer::Event::Ping(_) => {}
                observer::Event::Pong(payload) => {
                    if !payload.starts_with(BARRIER) {
                        self.obs.events.push(Event::Pong(payload.clone()));
                    }
                    stop = stop.or(Some(Stop::Pong(payload)));
                }
                observer::Event::Close { code, reason } => {
                    if self.obs.target_close.is_none() {
                        self.obs.target_close = Some((code, reason));
                        self.obs.first_closer.get_or_insert(Closer::Target);
                    }
                    stop = stop.or(Some(Stop::TargetClosed));
                }
                observer::Event::Violation(v) => self.obs.violations.push(v.into()),
                observer::Event::Unreadable(e) => self.obs.violations.push(e.into()),
            }
        }
        while let Some(reply) = self.observer.poll_reply() {
            if reply.opcode == opcode::CLOSE {
                // Completing the closing handshake the target started.
                self.send(&[reply], None, true);
            } else {
                // A pong, as an endpoint must (RFC 6455 §5.5.2).
                let reply = match self.mask {
                    Some(key) => reply.masked(key),
                    None => reply,
                };
                let _ = self.conn.send_frame(&reply);
            }
        }
        stop
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

    /// Read until `done` holds or `until` passes (within the case's
    /// deadline); when only `until` passed, the connection counts as open.
    /// `now` is the clock, read once the reading stops.
    fn read_until(
        &mut self,
        until: Instant,
        now: impl Fn() -> Instant,
        done: impl Fn(&Session) -> bool,
    ) {
        self.conn.set_deadline(until);
        while !self.tcp_done && !done(self) {
            let _ = self.read_one();
        }
        // The case's deadline, which a transfer case may have moved on.
        self.conn.end_wait();
        if self.tcp_done && self.obs.timed_out && now() < self.conn.deadline() {
            // Only the wait ended, not the connection.
            self.tcp_done = false;
            self.obs.timed_out = false;
        }
    }

    /// Read for `d` from `now` (scaled to the round trip, see [`Step::Wait`]);
    /// true when still open.
    fn wait(&mut self, d: Duration, now: Instant) -> bool {
        let d = (self.rtt * 20).clamp(MIN_WAIT, d.max(MIN_WAIT));
        self.read_until(now + d, Instant::now, |s| s.obs.target_close.is_some());
        !self.tcp_done && self.obs.target_close.is_none()
    }

    /// After the close: read until TCP closes or the deadline passes. A
    /// server closes the TCP connection itself once both close frames have
    /// passed (RFC 6455 §7.1.1), which ends the connection as it should.
    fn drain(&mut self) {
        while !self.tcp_done {
            if self.mask.is_none() && self.obs.suite_sent_close && self.obs.target_close.is_some() {
                self.conn.shutdown_write();
                self.obs.target_closed_tcp = true;
                // What the client still sends before it closes its side is
                // read (and judged: nothing may follow its close frame).
                self.read_until(Instant::now() + GRACE, Instant::now, |_| false);
                return;
            }
            let _ = self.read_one();
        }
    }
}

/// Run a script against the target and judge it.
pub fn run(ctx: &mut Ctx, script: &Script) -> Outcome {
    match observe(ctx, script) {
        Ok(obs) => judge(&script.expect, &obs),
        Err(o) => o,
    }
}

/// Run a script against the target and return what was observed (the
/// opening handshake's failure as an outcome); `script.expect` only says how
/// long to wait for the target to settle.
pub fn observe(ctx: &mut Ctx, script: &Script) -> Result<Observation, Outcome> {
    let started = Instant::now();
    // Serving a client, the suite is the server: it answers the client's
    // handshake, sends unmasked and expects masked frames.
    let (opened, observer, mask) = match ctx.accepted.take() {
        Some(accepted) => (answer_client(accepted), Observer::facing_client(), None),
        None => (
            handshake(ctx, RFC_KEY, RFC_ACCEPT),
            Observer::new(),
            Some(MASK),
        ),
    };
    let conn = match opened {
        Ok(c) => c,
        Err(o) => {
            let detail = format!("opening handshake: {}", o.detail);
            return Err(Outcome { detail, ..o });
        }
    };
    let mut s = Session {
        conn,
        observer: observer.with_max_payload(MAX_PAYLOAD),
        obs: Observation::default(),
        tcp_done: false,
        write_failed: false,
        rtt: started.elapsed(),
        mask,
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
                    .send_stream(frames, s.mask, chop.unwrap_or(STREAM_BLOCK));
                if sent.is_err() {
                    s.write_failed = true;
                }
                sent.is_ok()
            }
            Step::Raw(bytes) => s.conn.send(bytes).is_ok(),
            Step::RawClose(bytes) => {
                s.closing();
                s.obs.close_in_steps = true;
                s.conn.send(bytes).is_ok()
            }
            Step::Pause(d) => {
                std::thread::sleep(*d);
                true
            }
            Step::Part(frame, range) => {
                let encoded = frame.encode_with(frame.mask.or(s.mask));
                let header = encoded.len() - frame.payload.len();
                let bytes = match range {
                    None => &encoded[..header],
                    Some(r) => &encoded[header + r.start..header + r.end],
                };
                s.conn.send(bytes).is_ok()
            }
            Step::Sync(payload) => {
                s.send(&[Frame::new(opcode::PING, payload.clone())], None, false)
                    && s.read_until_pong(Some(payload))
            }
            Step::Probe => {
                barriers += 1;
                // A pong proves the bytes before the ping were read; an
                // implementation may still be validating them in a higher
                // layer, so give it a short, scaled moment to fail.
                let open = s.barrier(barriers) && s.wait(MIN_WAIT, Instant::now());
                s.obs.probes.push(open);
                open
            }
            Step::Wait(d) => {
                let open = s.wait(*d, Instant::now());
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
        let matched = |s: &Session| {
            !open(s)
                || expect.close.by == Closer::Suite
                    && (expect.ok.contains(&s.obs.events)
                        || expect.non_strict.contains(&s.obs.events))
        };
        s.read_until(Instant::now() + GRACE, Instant::now, matched);
    }
    // The suite starts the close when nobody has yet (a failed write means
    // the target is going away: read what it sent instead).
    if open(&s) {
        s.send(&[Frame::close(Some(close_code::NORMAL), b"")], None, true);
    }
    s.drain();
    if s.obs.timed_out && !s.obs.target_closed_tcp {
        s.conn.shutdown_write();
    }
    Ok(s.obs)
}
