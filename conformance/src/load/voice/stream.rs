//! The shell of `load voice`: connections, the 20 ms send schedule and the reads of one step
//! ([docs/performance.md](../../../../docs/performance.md#load-voice)).

use super::account::{record, Ear, Window};
use super::frames::{self, Block, Part, Room, Wrong};
use super::summary::Step;
use super::{Mode, VoiceConfig, FRAME_US};
use crate::cases::voice::expect::{param, tables};
use crate::load::conn::Conn;
use crate::load::summary::{self as load_summary, Fault, Faults};
use crate::load::OPENING_AT_ONCE;
use crate::platform::{FromBot, Session, ToBot, Wire};
use crate::wire::frame::opcode;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Send times kept per stream, for the delay of each frame heard (10 s).
const RING: usize = 512;
/// After the last frame is sent, how long listeners keep listening (the
/// reference's jitter buffer holds at most 500 ms).
const DRAIN: Duration = Duration::from_secs(1);

/// What every stream of a step shares.
struct Shared {
    start: Instant,
    window: Window,
    streams: usize,
    sent: Vec<Sent>,
    /// Frames received so far (for the progress line).
    received: AtomicU64,
    faults: Faults,
}

/// One stream's sends: how many, and when each of the last [`RING`] left.
struct Sent {
    count: AtomicU64,
    at: Vec<AtomicU64>,
}

impl Shared {
    fn us(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.start).as_micros() as u64
    }

    /// Stream `ix`'s phase: the streams' sends are spread evenly over 20 ms.
    fn phase(&self, ix: usize) -> u64 {
        ix as u64 * FRAME_US / self.streams as u64
    }

    fn latest(&self, stream: usize) -> Option<u64> {
        self.sent[stream]
            .count
            .load(Ordering::Acquire)
            .checked_sub(1)
    }

    fn sent_at(&self, stream: usize, seq: u64) -> Option<u64> {
        let s = &self.sent[stream];
        let count = s.count.load(Ordering::Acquire);
        (seq < count && count - seq <= RING as u64)
            .then(|| s.at[seq as usize % RING].load(Ordering::Relaxed))
    }

    fn record_send(&self, stream: usize, seq: u64, at: u64) {
        let s = &self.sent[stream];
        s.at[seq as usize % RING].store(at, Ordering::Relaxed);
        s.count.store(seq + 1, Ordering::Release);
    }
}

/// The frames of a stream with phase `phase` due in `window`: frame k is
/// due at `phase + k × 20 ms`.
pub fn due_in(phase: u64, window: Window) -> Range<u64> {
    let first = |t: u64| t.saturating_sub(phase).div_ceil(FRAME_US);
    first(window.from)..first(window.to)
}

/// One stream's place: its group's first stream, its position, the room.
struct Place {
    base: usize,
    room: Room,
    resource: String,
}

fn places(mode: Mode, groups: usize, step: usize) -> Vec<Place> {
    let per = mode.per_group();
    let mut out = Vec::with_capacity(groups * per);
    for g in 0..groups {
        for me in 0..per {
            let (laws, resource, hears_itself) = match mode {
                Mode::Rooms { codec, .. } => {
                    let laws: Vec<_> = (0..per).map(|p| codec.law(p)).collect();
                    let resource = format!(
                        "/rooms/voxproof-load-{}-{step}-{g}?codec={}",
                        std::process::id(),
                        param(laws[me])
                    );
                    (laws, resource, false)
                }
                Mode::Calls(_) => (vec![voxproof_vectors::g711::Law::Pcmu], String::new(), true),
            };
            out.push(Place {
                base: g * per,
                room: Room {
                    laws,
                    me,
                    hears_itself,
                },
                resource,
            });
        }
    }
    out
}

/// Run one step with `groups` rooms (or calls).
pub async fn step(config: &VoiceConfig, step: usize, groups: usize) -> Result<Step, String> {
    let places = places(config.mode, groups, step);
    let streams = places.len();
    let faults = Faults::default();
    let gate = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    let mut opening = tokio::task::JoinSet::new();
    for place in places {
        let mut target = config.target.clone();
        if matches!(config.mode, Mode::Rooms { .. }) {
            target.resource = place.resource.clone();
        }
        let (timeout, gate) = (config.timeout, gate.clone());
        opening.spawn(async move {
            let _permit = gate.acquire_owned().await;
            (place, Conn::open_within(&target, timeout).await)
        });
    }
    let mut open = Vec::new();
    while let Some(joined) = opening.join_next().await {
        match joined {
            Ok((place, Ok(conn))) => open.push((place, conn)),
            Ok((_, Err((fault, why)))) => faults.add(fault, || why),
            Err(e) => faults.add(Fault::ConnectionClosed, || e.to_string()),
        }
    }
    if open.is_empty() {
        return Err(format!(
            "target {}: no stream could be opened ({})",
            config.target.url,
            faults.lines().join("; ")
        ));
    }
    let connected = open.len();
    let start = Instant::now() + Duration::from_millis(50);
    let from = config.warmup.as_micros() as u64;
    let window = Window {
        from,
        to: from + config.duration.as_micros() as u64,
    };
    let shared = Arc::new(Shared {
        start,
        window,
        streams,
        sent: (0..streams)
            .map(|_| Sent {
                count: AtomicU64::new(0),
                at: (0..RING).map(|_| AtomicU64::new(0)).collect(),
            })
            .collect(),
        received: AtomicU64::new(0),
        faults,
    });
    let progress = config.progress.then(|| {
        let shared = shared.clone();
        tokio::spawn(async move { progress(&shared).await })
    });
    let mut tasks = tokio::task::JoinSet::new();
    for (place, conn) in open {
        let shared = shared.clone();
        let mode = config.mode;
        tasks.spawn(async move { drive(mode, place, conn, &shared).await });
    }
    let mut ears = Vec::new();
    let mut lateness = load_summary::histogram();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((place, ear, sends)) => {
                record(&mut lateness, &sends);
                ears.push((place, ear));
            }
            Err(e) => shared.faults.add(Fault::ConnectionClosed, || e.to_string()),
        }
    }
    if let Some(p) = progress {
        p.abort();
        eprintln!();
    }
    let mut tally = super::account::Tally::default();
    let mut jitter = load_summary::histogram();
    let mut first_wrong = None;
    for (place, ear) in &ears {
        record(&mut jitter, &ear.jitter);
        tally += ear.tally(|who| {
            if who == place.room.me && !place.room.hears_itself {
                return 0..0;
            }
            let s = place.base + who;
            let due = due_in(shared.phase(s), window);
            let sent = shared.sent[s].count.load(Ordering::Acquire);
            due.start.min(sent)..due.end.min(sent)
        });
        if first_wrong.is_none() {
            first_wrong.clone_from(&ear.first_wrong);
        }
    }
    for line in shared.faults.lines() {
        eprintln!("note: {line}");
    }
    Ok(Step {
        streams,
        connected,
        tally,
        jitter,
        send_lateness: lateness,
        first_wrong,
        errors: shared.faults.counts(),
        repeated: false,
    })
}

async fn progress(shared: &Shared) {
    use std::io::Write;
    let mut last = 0;
    let mut tick = tokio::time::interval_at(
        (shared.start + Duration::from_secs(1)).into(),
        Duration::from_secs(1),
    );
    loop {
        tick.tick().await;
        let now = shared.received.load(Ordering::Relaxed);
        let t = shared.us(Instant::now());
        let phase = if t < shared.window.from {
            "warm-up"
        } else if t < shared.window.to {
            "measuring"
        } else {
            "draining"
        };
        eprint!(
            "\r{:>6.1} s  {phase:<9}  {:>8} frames/s heard  errors {}   ",
            t as f64 / 1e6,
            now - last,
            shared.faults.total()
        );
        let _ = std::io::stderr().flush();
        last = now;
    }
}

/// One stream: its frames out on schedule until the window ends, what it
/// hears judged until the drain is over.
async fn drive(
    mode: Mode,
    place: Place,
    mut conn: Conn,
    shared: &Shared,
) -> (Place, Ear, Vec<u32>) {
    let mut ear = Ear::new(shared.window, place.room.laws.len());
    // How late each frame left after it was due, µs.
    let mut lateness = Vec::new();
    let me = place.base + place.room.me;
    let phase = shared.phase(me);
    let law = place.room.laws[place.room.me];
    let mut session = match mode {
        Mode::Calls(p) => Some(Session::new(p, me as u64 + 1, false)),
        Mode::Rooms { .. } => None,
    };
    // Calls: what opens the stream, before the first frame.
    if let Some(s) = &mut session {
        for w in s.to_bot(ToBot::Opening) {
            if let Err(e) = send_wire(&mut conn, &w).await {
                shared.faults.add(Fault::ConnectionClosed, || e.to_string());
                return (place, ear, lateness);
            }
        }
    }
    let samples_per_frame = session
        .as_ref()
        .map_or(super::FRAME_BYTES, |s| s.rate as usize / 50);
    let last_send = shared.start + Duration::from_micros(shared.window.to);
    let stop_listening = last_send + DRAIN;
    let mut seq = 0u64;
    loop {
        let due = shared.start + Duration::from_micros(phase + seq * FRAME_US);
        let sending = due < last_send;
        let wake = if sending { due } else { stop_listening };
        tokio::select! {
            read = conn.read_some() => {
                let n = match read {
                    Ok(0) => {
                        shared.faults.add(Fault::ConnectionClosed, || "the target closed the connection (FIN)".into());
                        break;
                    }
                    Ok(n) => n,
                    Err(e) => {
                        shared.faults.add(Fault::ConnectionClosed, || e.to_string());
                        break;
                    }
                };
                if let Err(e) = conn.absorb(n).await {
                    shared.faults.add(Fault::ConnectionClosed, || e.to_string());
                    break;
                }
                let at = shared.us(Instant::now());
                match take_frames(&mut conn, &place, session.as_ref(), samples_per_frame, shared, &mut ear, at).await {
                    Ok(()) => {}
                    Err(why) => {
                        shared.faults.add(Fault::ConnectionClosed, || why);
                        break;
                    }
                }
            }
            _ = tokio::time::sleep_until(wake.into()) => {
                if !sending {
                    break;
                }
                let sent = send_frame(&mut conn, session.as_mut(), law, place.room.me, seq, samples_per_frame).await;
                let now = Instant::now();
                if let Err(e) = sent {
                    shared.faults.add(Fault::ConnectionClosed, || e.to_string());
                    break;
                }
                let late = now.saturating_duration_since(due).as_micros();
                lateness.push(u32::try_from(late).unwrap_or(u32::MAX));
                shared.record_send(me, seq, shared.us(now));
                seq += 1;
            }
        }
    }
    if let Some(s) = &mut session {
        for w in s.to_bot(ToBot::Stop) {
            let _ = send_wire(&mut conn, &w).await;
        }
    }
    conn.close().await;
    (place, ear, lateness)
}

async fn send_wire(conn: &mut Conn, w: &Wire) -> std::io::Result<()> {
    match w {
        Wire::Text(t) => conn.send(opcode::TEXT, t.as_bytes()).await,
        Wire::Binary(b) => conn.send(opcode::BINARY, b).await,
    }
}

async fn send_frame(
    conn: &mut Conn,
    session: Option<&mut Session>,
    law: voxproof_vectors::g711::Law,
    who: usize,
    seq: u64,
    samples: usize,
) -> std::io::Result<()> {
    match session {
        None => {
            conn.send(opcode::BINARY, &frames::frame(tables(), law, who, seq))
                .await
        }
        Some(s) => {
            let pcm = frames::samples(who, seq, samples);
            for w in s.to_bot(ToBot::Media {
                index: seq,
                pcm: &pcm,
            }) {
                send_wire(conn, &w).await?;
            }
            Ok(())
        }
    }
}

/// Judge every whole frame received; Err ends the stream.
async fn take_frames(
    conn: &mut Conn,
    place: &Place,
    session: Option<&Session>,
    samples: usize,
    shared: &Shared,
    ear: &mut Ear,
    at: u64,
) -> Result<(), String> {
    let t = tables();
    loop {
        let frame = match conn.next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(()),
            Err(e) => return Err(format!("unreadable frame: {e}")),
        };
        let wire = match frame.opcode {
            opcode::PING => {
                conn.pong(&frame).await.map_err(|e| e.to_string())?;
                continue;
            }
            opcode::PONG => continue,
            opcode::CLOSE => {
                let code = frame
                    .close_code()
                    .map_or("no code".to_string(), |c| c.to_string());
                return Err(format!("the target sent a close frame ({code})"));
            }
            opcode::TEXT => Wire::Text(String::from_utf8_lossy(&frame.payload).into_owned()),
            _ => Wire::Binary(frame.payload),
        };
        let latest = |who: usize| shared.latest(place.base + who);
        let judged = match (session, wire) {
            // Rooms: text messages are the protocol's control events.
            (None, Wire::Text(_)) => continue,
            (None, Wire::Binary(b)) => frames::judge(t, &place.room, &b, latest),
            (Some(s), w) => match s.judge(&w) {
                Ok(FromBot::Audio { pcm, bytes }) => echoed(s, &pcm, &bytes, samples, latest(0)),
                Ok(FromBot::Mark(_) | FromBot::Clear) => continue,
                Err(b) => Err(Wrong::Platform(format!(
                    "{} ({} {})",
                    b.detail, b.rule.rfc, b.rule.section
                ))),
            },
        };
        shared.received.fetch_add(1, Ordering::Relaxed);
        ear.arrived(at, judged, |p| shared.sent_at(place.base + p.who, p.seq));
    }
}

/// A bot's audio on a call: the caller's frame it echoes, or (silent in
/// the caller's block) audio of its own, which is no echo.
fn echoed(
    s: &Session,
    pcm: &[i16],
    bytes: &[u8],
    samples: usize,
    latest: Option<u64>,
) -> Result<Vec<Part>, Wrong> {
    if pcm.len() < frames::MAX_PARTY * frames::BITS {
        return Err(Wrong::Size(bytes.len()));
    }
    match frames::read_block(pcm, 0) {
        Block::Silent => Ok(vec![]),
        Block::Garbled => Err(Wrong::Garbled(0)),
        Block::Seq(low) => {
            let seq = latest
                .and_then(|l| frames::unwrap_seq(low, l))
                .ok_or(Wrong::NotSent { who: 0 })?;
            if s.payload(&frames::samples(0, seq, samples)) == bytes {
                Ok(vec![Part { who: 0, seq }])
            } else {
                Err(Wrong::NotTheMix {
                    parts: vec![Part { who: 0, seq }],
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_due_in_a_window() {
        let w = Window {
            from: 1_000_000,
            to: 2_000_000,
        };
        assert_eq!(due_in(0, w), 50..100);
        assert_eq!(due_in(5_000, w), 50..100);
        assert_eq!(
            due_in(
                0,
                Window {
                    from: 0,
                    to: 30_000
                }
            ),
            0..2
        );
    }
}
