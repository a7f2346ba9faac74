//! Voice connections: a handshake on a voice resource, then a paced participant that records
//! ([docs/voice-protocol.md](../../../../docs/voice-protocol.md#running-the-voice-cases)).

use super::expect::FRAME_MS;
use crate::cases::framing::engine::MASK;
use crate::cases::handshake::open::{check_101, RFC_ACCEPT, RFC_KEY};
use crate::ctx::Ctx;
use crate::target::{Conn, FrameEnd, HttpAnswer, ReadEnd};
use crate::verdict::Outcome;
use crate::wire::close_code;
use crate::wire::frame::{opcode, Frame};
use crate::wire::observer::{Event, Observed, Observer, Violation};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use voxproof_vectors::g711::Law;

/// A room name no other case (or run) uses.
pub fn fresh_room(tag: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "vp-{tag}-{}-{nonce}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn room_resource(room: &str, law: Law) -> String {
    format!("/rooms/{room}?codec={}", super::expect::param(law))
}

/// Send an opening handshake for `resource` (Host from the target) with
/// extra header lines, and read the answer.
pub fn ask(
    ctx: &mut Ctx,
    resource: &str,
    headers: &[(&str, &str)],
) -> Result<(Conn, HttpAnswer), Outcome> {
    let extra: String = headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}\r\n"))
        .collect();
    let request = format!(
        "GET {resource} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {RFC_KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n",
        ctx.target.authority
    );
    let request = ctx.target.shape.apply(request.into_bytes());
    let mut conn = ctx.connect()?;
    conn.send(&request).map_err(Outcome::failed)?;
    let answer = conn.read_http_response();
    Ok((conn, answer))
}

/// What a participant heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    Audio(Vec<u8>),
    Text(String),
    Close(Option<u16>),
}

/// Everything heard, with arrival times, and how listening ended.
#[derive(Debug, Clone, Default)]
pub struct Listened {
    pub heard: Vec<(Instant, Heard)>,
    /// Set when the connection ended before the listening time was up.
    pub ended: Option<String>,
    /// The first breach of RFC 6455 in what the target sent, with its rule
    /// (listening stops there).
    pub violation: Option<Violation>,
}

impl Listened {
    /// FAILED, citing the rule, when the target broke RFC 6455 while heard.
    pub fn breach(&self) -> Option<Outcome> {
        self.violation
            .as_ref()
            .map(|v| Outcome::failed_by(v.rule.clone(), v.detail.clone()))
    }

    /// The first breach among several participants' listening.
    pub fn any_breach(all: &[Listened]) -> Option<Outcome> {
        all.iter().find_map(Listened::breach)
    }

    pub fn audio(&self) -> Vec<Vec<u8>> {
        self.heard
            .iter()
            .filter_map(|(_, h)| match h {
                Heard::Audio(a) => Some(a.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn close(&self) -> Option<Option<u16>> {
        self.heard.iter().find_map(|(_, h)| match h {
            Heard::Close(c) => Some(*c),
            _ => None,
        })
    }
}

/// A participant in a room (or on the voice echo).
pub struct Party {
    pub law: Law,
    /// Stop listening once this many audio frames have arrived (the echo
    /// knows how many it waits for; rooms send audio without end).
    pub expect_audio: Option<usize>,
    reader: Conn,
    writer: Conn,
}

impl Party {
    /// Join `resource` with a valid handshake; anything but a correct 101 is
    /// the returned outcome.
    pub fn join(ctx: &mut Ctx, resource: &str, law: Law) -> Result<Party, Outcome> {
        Self::join_with(ctx, resource, law, &[])
    }

    pub fn join_with(
        ctx: &mut Ctx,
        resource: &str,
        law: Law,
        headers: &[(&str, &str)],
    ) -> Result<Party, Outcome> {
        let (reader, answer) = ask(ctx, resource, headers)?;
        check_101(&answer, RFC_ACCEPT)
            .map_err(|o| Outcome::new(o.verdict, format!("{resource}: {}", o.detail)))?;
        let writer = reader.writer().map_err(Outcome::failed)?;
        Ok(Party {
            law,
            expect_audio: None,
            reader,
            writer,
        })
    }

    /// Send one binary message now.
    pub fn send_binary(&mut self, payload: &[u8]) -> Result<(), String> {
        self.writer
            .send_frame(&Frame::new(opcode::BINARY, payload.to_vec()).masked(MASK))
    }

    /// Send `frames` at `start + k × 20 ms` on the suite's clock, from a
    /// second thread, while recording what arrives until `until` (or until
    /// the target closes).
    pub fn talk_and_listen(
        &mut self,
        frames: &[Vec<u8>],
        start: Instant,
        until: Instant,
    ) -> Listened {
        let expect_audio = self.expect_audio;
        let writer = &mut self.writer;
        let reader = &mut self.reader;
        std::thread::scope(|s| {
            s.spawn(move || {
                for (k, f) in frames.iter().enumerate() {
                    let due = start + Duration::from_millis(FRAME_MS * k as u64);
                    std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    let frame = Frame::new(opcode::BINARY, f.clone()).masked(MASK);
                    if writer.send_frame(&frame).is_err() {
                        break;
                    }
                }
            });
            listen(reader, until, expect_audio)
        })
    }

    /// Record what arrives until `until` without sending.
    pub fn listen(&mut self, until: Instant) -> Listened {
        listen(&mut self.reader, until, self.expect_audio)
    }

    /// Start a normal close and stop; the case has what it needs.
    pub fn leave(mut self) {
        let _ = self
            .writer
            .send_frame(&Frame::close(Some(close_code::NORMAL), b"").masked(MASK));
        self.writer.shutdown_write();
    }
}

/// Read through an [`Observer`] until `until`, the target's close, a
/// breach of RFC 6455 or (with `expect_audio`) enough audio. Pings are not
/// answered here: the talking thread owns the writes.
fn listen(conn: &mut Conn, until: Instant, expect_audio: Option<usize>) -> Listened {
    let hard = conn.deadline();
    conn.set_deadline(until.min(hard));
    let mut observer = Observer::new().with_max_payload(1 << 20);
    let mut out = Listened::default();
    let mut audio = 0;
    while expect_audio.is_none_or(|n| audio < n) {
        let read = conn.observe(&mut observer);
        let mut stop = false;
        while let Some(Observed { at, event }) = observer.poll_event() {
            match event {
                Event::Message {
                    binary: true,
                    payload,
                } => {
                    audio += 1;
                    out.heard.push((at, Heard::Audio(payload)));
                }
                Event::Message {
                    binary: false,
                    payload,
                } => out.heard.push((
                    at,
                    Heard::Text(String::from_utf8_lossy(&payload).into_owned()),
                )),
                Event::Close { code, .. } => {
                    out.heard.push((at, Heard::Close(code)));
                    out.ended = Some("the target closed the connection".into());
                    stop = true;
                }
                Event::Violation(v) => {
                    out.violation.get_or_insert(v);
                    stop = true;
                }
                Event::Unreadable(e) => {
                    out.ended = Some(e);
                    stop = true;
                }
                Event::Ping(_) | Event::Pong(_) => {}
            }
        }
        match read {
            _ if stop => break,
            Ok(()) => {}
            Err(FrameEnd::Read(ReadEnd::TimedOut, _)) => break,
            Err(FrameEnd::Read(end, _)) => {
                out.ended = Some(format!("the connection ended: {end}"));
                break;
            }
            Err(FrameEnd::Invalid(e)) => {
                out.ended = Some(format!("the target sent bytes that are not a frame: {e}"));
                break;
            }
        }
    }
    conn.set_deadline(hard);
    out
}

/// Run several parties at once, each sending its frames from `start`.
pub fn together(
    parties: &mut [Party],
    frames: &[Vec<Vec<u8>>],
    start: Instant,
    until: Instant,
) -> Vec<Listened> {
    std::thread::scope(|s| {
        let handles: Vec<_> = parties
            .iter_mut()
            .zip(frames)
            .map(|(p, f)| s.spawn(move || p.talk_and_listen(f, start, until)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    })
}
