//! The shell that plays a call: the caller's frames on one thread, the bot read on another
//! ([docs/telephony.md](../../../docs/telephony.md#what-a-call-plays)).

use super::caller::{Caller, Event, Phase, Step, View, TICK};
use super::figures::{Seen, Timeline, END_OF_UTTERANCE};
use super::playout::Playout;
use super::{audio, signature, FromBot, Platform, Session, ToBot, Wire};
use crate::cases::framing::engine::MASK;
use crate::cases::voice::session::ask;
use crate::ctx::Ctx;
use crate::target::{Conn, FrameEnd, HttpAnswer, ReadEnd};
use crate::wire::close_code;
use crate::wire::frame::{opcode, Frame};
use crate::wire::observer::{Event as Observed, Observer, Violation};
use crate::wire::Dir;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the request is signed (Twilio, when the suite has an auth token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    Valid,
    /// Signed with another token: a bot that checks must refuse it.
    Wrong,
}

/// A call to play.
#[derive(Debug, Clone)]
pub struct Plan {
    pub platform: Platform,
    pub phases: Vec<Phase>,
    pub extra_fields: bool,
    pub signing: Signing,
    /// How long to keep listening once the caller's phases are done.
    pub linger: Duration,
    /// Wait for the bot's reply to the suite's close until the deadline
    /// (otherwise a moment, and the reply is not judged).
    pub await_close_reply: bool,
}

impl Plan {
    pub fn new(platform: Platform, phases: Vec<Phase>) -> Plan {
        Plan {
            platform,
            phases,
            extra_fields: false,
            signing: Signing::Valid,
            linger: Duration::from_millis(600),
            await_close_reply: false,
        }
    }
}

/// A played call.
#[derive(Debug)]
pub struct Recorded {
    pub session: Session,
    pub timeline: Timeline,
    /// The bot's first breach of RFC 6455, if any (reading stopped there).
    pub violation: Option<Violation>,
    /// How the connection ended, when not by the suite's close.
    pub ended: Option<String>,
    /// The caller played every phase before the connection ended.
    pub completed: bool,
}

impl Recorded {
    /// The bot's own close during the call: before the platform's stop or
    /// close (a bot may hang up once the stream has stopped).
    pub fn bot_closed(&self) -> Option<(Instant, Option<u16>)> {
        self.timeline
            .iter()
            .take_while(|(_, s)| {
                !matches!(
                    s,
                    Seen::CallerEvent(Event::Close) | Seen::CallerEvent(Event::Stop)
                )
            })
            .find_map(|(at, s)| match s {
                Seen::BotClosed(code) => Some((*at, *code)),
                _ => None,
            })
    }

    /// The bot closed after the platform's stop (and before its close).
    pub fn closed_after_stop(&self) -> bool {
        self.timeline
            .iter()
            .skip_while(|(_, s)| *s != Seen::CallerEvent(Event::Stop))
            .take_while(|(_, s)| *s != Seen::CallerEvent(Event::Close))
            .any(|(_, s)| matches!(s, Seen::BotClosed(_)))
    }

    /// The suite sent its close frame (the call was not cut short before).
    pub fn suite_closed(&self) -> bool {
        self.sent(Event::Close).is_some()
    }

    /// Messages the bot sent (well-formed or not).
    pub fn bot_messages(&self) -> usize {
        self.timeline
            .iter()
            .filter(|(_, s)| {
                matches!(
                    s,
                    Seen::BotAudio { .. } | Seen::BotMark(_) | Seen::BotClear | Seen::Breach(_)
                )
            })
            .count()
    }

    /// The bot's close in reply to the suite's.
    pub fn close_reply(&self) -> Option<Option<u16>> {
        self.timeline
            .iter()
            .skip_while(|(_, s)| *s != Seen::CallerEvent(Event::Close))
            .find_map(|(_, s)| match s {
                Seen::BotClosed(code) => Some(*code),
                _ => None,
            })
    }

    /// When the caller sent `event`.
    pub fn sent(&self, event: Event) -> Option<Instant> {
        self.timeline.iter().find_map(|(at, s)| match s {
            Seen::CallerEvent(e) if *e == event => Some(*at),
            _ => None,
        })
    }

    pub fn breaches(&self) -> impl Iterator<Item = &super::Breach> {
        self.timeline.iter().filter_map(|(_, s)| match s {
            Seen::Breach(b) => Some(b),
            _ => None,
        })
    }

    /// Audio frames from the bot.
    pub fn bot_audio(&self) -> usize {
        self.timeline
            .iter()
            .filter(|(_, s)| matches!(s, Seen::BotAudio { .. }))
            .count()
    }

    /// Anything the bot sent after it had read the stop (its pong to the
    /// ping that followed the stop came first).
    pub fn after_stop(&self) -> Vec<&Seen> {
        let Some(read) = self.timeline.iter().position(|(_, s)| *s == Seen::StopRead) else {
            return Vec::new();
        };
        self.timeline[read..]
            .iter()
            .map(|(_, s)| s)
            .filter(|s| {
                matches!(
                    s,
                    Seen::BotAudio { .. } | Seen::BotMark(_) | Seen::BotClear | Seen::Breach(_)
                )
            })
            .collect()
    }
}

/// The request's extra fields: the signature, when the suite signs.
fn headers(ctx: &Ctx, plan: &Plan, resource: &str) -> Vec<(String, String)> {
    let Some(tel) = ctx.target.telephony.as_ref() else {
        return Vec::new();
    };
    match (plan.platform, tel.twilio_auth_token.as_deref()) {
        (Platform::Twilio, Some(token)) => {
            let url = tel.signed_url(ctx.target, resource);
            let key = match plan.signing {
                Signing::Valid => token.to_string(),
                Signing::Wrong => format!("{token}-not"),
            };
            vec![(
                "X-Twilio-Signature".into(),
                signature::twilio(&key, &url, &[]),
            )]
        }
        _ => Vec::new(),
    }
}

/// Open the platform's WebSocket to the bot: the connection and the
/// answer to the handshake.
pub fn dial(ctx: &mut Ctx, plan: &Plan) -> Result<(Conn, HttpAnswer), crate::verdict::Outcome> {
    let resource = ctx
        .target
        .telephony
        .as_ref()
        .and_then(|t| t.resource(plan.platform.name()))
        .unwrap_or_else(|| ctx.target.resource.clone());
    let fields = headers(ctx, plan, &resource);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    ask(ctx, &resource, &fields)
}

/// What the reader and the writer share.
#[derive(Default)]
struct Shared {
    playout: Playout,
    timeline: Timeline,
    /// Messages the platform owes the bot now (returned marks).
    owed: Vec<ToBotOwned>,
    /// Frames owed at the WebSocket level (pongs, the close reply).
    replies: Vec<Frame>,
    /// The bot's speech in the play-out buffer: when its current run
    /// started playing and when it ends.
    speech_from: Option<Instant>,
    speech_until: Option<Instant>,
    ended: Option<String>,
    violation: Option<Violation>,
    closed_by_bot: bool,
}

enum ToBotOwned {
    MarkDone(String),
    Cleared,
}

/// Play `plan` on an upgraded connection.
pub fn play(mut reader: Conn, plan: &Plan, session: Session) -> Result<Recorded, String> {
    // The wire log holds the call as messages, well-formed audio in one line
    // each, so a whole call fits in it.
    reader.log_messages_only();
    let log = reader.log().clone();
    let id = reader.id();
    let mut writer = reader.writer()?;
    let shared = Arc::new(Mutex::new(Shared::default()));
    let done = Arc::new(AtomicBool::new(false));
    let judge = session.clone();
    let mut session = session;
    let mut caller = Caller::new(plan.phases.clone(), session.rate);
    let mut completed = false;
    std::thread::scope(|s| {
        let (sh, dn) = (shared.clone(), done.clone());
        s.spawn(move || read(reader, &judge, &sh, &dn));
        let send = |w: &mut Conn, wire: Wire| -> Result<(), String> {
            let (len, text) = match &wire {
                Wire::Text(t) => (t.len(), super::logged(&wire, None)),
                Wire::Binary(b) => (b.len(), format!("binary: {} octets of audio", b.len())),
            };
            log.message(id, Dir::Send, len, text);
            let frame = match wire {
                Wire::Text(t) => Frame::new(opcode::TEXT, t.into_bytes()),
                Wire::Binary(b) => Frame::new(opcode::BINARY, b),
            };
            w.send_frame(&frame.masked(MASK))
        };
        let start = Instant::now();
        let mut tick = 0u32;
        let mut finished_at: Option<Instant> = None;
        let mut we_closed = false;
        // The stream has ended (the caller sent stop): nothing more goes to the bot.
        let mut stopped = false;
        let result = (|| -> Result<(), String> {
            for wire in session.to_bot(ToBot::Opening) {
                send(&mut writer, wire)?;
            }
            loop {
                let now = Instant::now();
                if now >= writer.deadline() {
                    return Ok(());
                }
                // What the platform owes the bot now.
                let (owed, replies, bot_closed, view) = {
                    let mut sh = shared.lock().unwrap_or_else(|e| e.into_inner());
                    // Once the stream has ended no mark comes back.
                    let due: Vec<String> = if stopped || we_closed {
                        Vec::new()
                    } else {
                        sh.playout.due(now)
                    };
                    for name in &due {
                        sh.timeline.push((now, Seen::MarkReturned(name.clone())));
                    }
                    let mut owed: Vec<ToBotOwned> = std::mem::take(&mut sh.owed);
                    owed.extend(due.into_iter().map(ToBotOwned::MarkDone));
                    let view = View {
                        now,
                        speech_from: sh.speech_from,
                        speech_until: sh.speech_until,
                        pending_marks: sh.playout.pending_marks(),
                    };
                    (
                        owed,
                        std::mem::take(&mut sh.replies),
                        sh.closed_by_bot,
                        view,
                    )
                };
                for r in replies {
                    log.message(id, Dir::Send, r.payload.len(), control(&r));
                    writer.send_frame(&r.masked(MASK))?;
                }
                if bot_closed || done.load(Ordering::Relaxed) {
                    return Ok(());
                }
                if !we_closed && !stopped {
                    for o in owed {
                        let msg = match o {
                            ToBotOwned::MarkDone(name) => ToBot::MarkDone(name),
                            ToBotOwned::Cleared => ToBot::Cleared,
                        };
                        for wire in session.to_bot(msg) {
                            send(&mut writer, wire)?;
                        }
                    }
                }
                let due = start + TICK * tick;
                if now >= due && !caller.done() {
                    tick += 1;
                    for step in caller.tick(view) {
                        match step {
                            Step::Media { index, pcm, speech } => {
                                let payload = session.payload(&pcm);
                                // Recorded before it leaves: whatever the bot
                                // does in answer comes later on the timeline.
                                let over_bot = view.speaking_since().is_some();
                                record(
                                    &shared,
                                    Seen::Caller {
                                        index,
                                        speech,
                                        over_bot,
                                        payload: payload.clone(),
                                    },
                                );
                                for wire in session.to_bot(ToBot::Media { index, pcm: &pcm }) {
                                    let frame = match wire {
                                        Wire::Text(t) => Frame::new(opcode::TEXT, t.into_bytes()),
                                        Wire::Binary(b) => Frame::new(opcode::BINARY, b),
                                    };
                                    log.message(
                                        id,
                                        Dir::Send,
                                        frame.payload.len(),
                                        format!(
                                            "media {}: {} octets of audio",
                                            index + 1,
                                            payload.len()
                                        ),
                                    );
                                    writer.send_frame(&frame.masked(MASK))?;
                                }
                            }
                            Step::Event(e) => {
                                let msg = match e {
                                    Event::Dtmf(d) => Some(ToBot::Dtmf(d)),
                                    Event::Unknown => Some(ToBot::Unknown),
                                    Event::Stop => Some(ToBot::Stop),
                                    Event::Close => None,
                                };
                                record(&shared, Seen::CallerEvent(e));
                                stopped |= e == Event::Stop;
                                if let Some(msg) = msg {
                                    for wire in session.to_bot(msg) {
                                        send(&mut writer, wire)?;
                                    }
                                }
                                match e {
                                    // A pong to this ping proves the bot has read the stop.
                                    Event::Stop => {
                                        log.message(
                                            id,
                                            Dir::Send,
                                            STOP_PING.len(),
                                            "ping \"stop-read?\"".into(),
                                        );
                                        writer.send_frame(
                                            &Frame::new(opcode::PING, STOP_PING.to_vec())
                                                .masked(MASK),
                                        )?
                                    }
                                    Event::Close => {
                                        we_closed = true;
                                        log.message(id, Dir::Send, 2, "close 1000".into());
                                        writer.send_frame(
                                            &Frame::close(Some(close_code::NORMAL), b"")
                                                .masked(MASK),
                                        )?;
                                    }
                                    _ => {}
                                }
                            }
                        }
                    }
                    if caller.done() {
                        finished_at = Some(Instant::now());
                        completed = true;
                    }
                }
                if finished_at.is_some_and(|f| now >= f + plan.linger) {
                    return Ok(());
                }
                let next = if caller.done() {
                    now + POLL
                } else {
                    due.min(now + POLL)
                };
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
        })();
        if let Err(e) = &result {
            shared
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .ended
                .get_or_insert(format!("the connection failed while sending: {e}"));
        }
        let closed_by_bot = shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .closed_by_bot;
        if !we_closed && !closed_by_bot && result.is_ok() {
            record(&shared, Seen::CallerEvent(Event::Close));
            log.message(id, Dir::Send, 2, "close 1000".into());
            let _ = writer.send_frame(&Frame::close(Some(close_code::NORMAL), b"").masked(MASK));
        }
        // The reader stops at the bot's close reply, or soon after; a case
        // about that reply waits for it until its deadline.
        let grace = if plan.await_close_reply {
            writer.deadline()
        } else {
            Instant::now() + CLOSE_GRACE
        };
        while !done.load(Ordering::Relaxed) && Instant::now() < grace {
            std::thread::sleep(POLL);
        }
        done.store(true, Ordering::Relaxed);
        let replies = std::mem::take(&mut shared.lock().unwrap_or_else(|e| e.into_inner()).replies);
        for r in replies {
            let _ = writer.send_frame(&r.masked(MASK));
        }
        writer.shutdown_write();
    });
    let sh = std::mem::take(&mut *shared.lock().unwrap_or_else(|e| e.into_inner()));
    let mut timeline = sh.timeline;
    timeline.sort_by_key(|(at, _)| *at);
    Ok(Recorded {
        session,
        timeline,
        violation: sh.violation,
        ended: sh.ended,
        completed,
    })
}

/// The ping after a stop.
const STOP_PING: &[u8] = b"stop-read?";
/// How often the writer looks at what the reader heard.
const POLL: Duration = Duration::from_millis(4);
/// How long the bot has to answer the suite's close.
const CLOSE_GRACE: Duration = Duration::from_millis(1000);
/// Reads wait at most this long, so the reader sees the end of the call.
const READ_SLICE: Duration = Duration::from_millis(200);

fn len_of(wire: &Wire) -> usize {
    match wire {
        Wire::Text(t) => t.len(),
        Wire::Binary(b) => b.len(),
    }
}

/// A control frame the suite owes, for the wire log.
fn control(f: &Frame) -> String {
    match f.opcode {
        opcode::PONG => format!("pong of {} octets", f.payload.len()),
        opcode::CLOSE => format!(
            "close {}",
            f.close_code().map_or("(no code)".into(), |c| c.to_string())
        ),
        other => format!("control frame {other:#x}"),
    }
}

fn record(shared: &Mutex<Shared>, seen: Seen) {
    let mut sh = shared.lock().unwrap_or_else(|e| e.into_inner());
    sh.timeline.push((Instant::now(), seen));
}

/// Read the bot until it closes, breaks RFC 6455, or the writer is done.
fn read(mut conn: Conn, judge: &Session, shared: &Mutex<Shared>, done: &AtomicBool) {
    let mut observer = Observer::new().with_max_payload(1 << 20);
    let (log, id) = (conn.log().clone(), conn.id());
    let rate = judge.rate;
    while !done.load(Ordering::Relaxed) {
        conn.set_deadline(Instant::now() + READ_SLICE);
        let read = conn.observe(&mut observer);
        let mut sh = shared.lock().unwrap_or_else(|e| e.into_inner());
        let mut stop = false;
        let we_closed = sent_close(&sh);
        while let Some(reply) = observer.poll_reply() {
            // After the suite's own close, the bot's close is the reply.
            if !(we_closed && reply.opcode == opcode::CLOSE) {
                sh.replies.push(reply);
            }
        }
        while let Some(o) = observer.poll_event() {
            let now = o.at;
            match o.event {
                Observed::Message { binary, payload } => {
                    let wire = if binary {
                        Wire::Binary(payload)
                    } else {
                        Wire::Text(String::from_utf8_lossy(&payload).into_owned())
                    };
                    let judged = judge.judge(&wire);
                    let meaning = match &judged {
                        Ok(m) => Some(m.clone()),
                        Err(b) => {
                            let text = super::logged(&wire, None);
                            log.message(id, Dir::Recv, len_of(&wire), text);
                            sh.timeline.push((now, Seen::Breach(b.clone())));
                            b.heard.as_deref().cloned()
                        }
                    };
                    if let Ok(m) = &judged {
                        log.message(id, Dir::Recv, len_of(&wire), super::logged(&wire, Some(m)));
                    }
                    match meaning {
                        Some(FromBot::Audio { pcm, bytes }) => {
                            let length =
                                Duration::from_secs_f64(pcm.len() as f64 / f64::from(rate));
                            let (from, until) = sh.playout.audio(length, now);
                            let speech = audio::is_speech(&pcm);
                            if speech {
                                // A run of speech goes on across pauses shorter than an
                                // utterance's end.
                                let continues = sh
                                    .speech_until
                                    .is_some_and(|u| from <= u + END_OF_UTTERANCE);
                                if !continues {
                                    sh.speech_from = Some(from);
                                }
                                sh.speech_until = Some(until);
                            }
                            sh.timeline.push((
                                now,
                                Seen::BotAudio {
                                    length,
                                    speech,
                                    payload: bytes,
                                    plays_at: from,
                                },
                            ));
                        }
                        Some(FromBot::Mark(name)) => {
                            sh.playout.mark(name.clone(), now);
                            sh.timeline.push((now, Seen::BotMark(name)));
                        }
                        Some(FromBot::Clear) => {
                            let returned = sh.playout.clear(now);
                            if sh.speech_until.is_some_and(|u| u > now) {
                                sh.speech_until = Some(now);
                            }
                            sh.timeline.push((now, Seen::BotClear));
                            for name in returned {
                                sh.timeline.push((now, Seen::MarkReturned(name.clone())));
                                sh.owed.push(ToBotOwned::MarkDone(name));
                            }
                            sh.owed.push(ToBotOwned::Cleared);
                        }
                        None => {}
                    }
                }
                Observed::Pong(p) if p == STOP_PING => {
                    log.message(id, Dir::Recv, p.len(), "pong \"stop-read?\"".into());
                    sh.timeline.push((now, Seen::StopRead))
                }
                Observed::Ping(p) | Observed::Pong(p) => log.message(
                    id,
                    Dir::Recv,
                    p.len(),
                    format!("ping or pong of {} octets", p.len()),
                ),
                Observed::Close { code, .. } => {
                    let shown = code.map_or("(no code)".to_string(), |c| c.to_string());
                    log.message(id, Dir::Recv, 2, format!("close {shown}"));
                    sh.timeline.push((now, Seen::BotClosed(code)));
                    sh.closed_by_bot = !sent_close(&sh);
                    stop = true;
                }
                Observed::Violation(v) => {
                    sh.ended
                        .get_or_insert(format!("the bot broke RFC 6455: {}", v.detail));
                    sh.violation.get_or_insert(v);
                    stop = true;
                }
                Observed::Unreadable(e) => {
                    sh.ended.get_or_insert(e);
                    stop = true;
                }
            }
        }
        match read {
            _ if stop => break,
            Ok(()) | Err(FrameEnd::Read(ReadEnd::TimedOut, _)) => {}
            Err(end) => {
                sh.ended
                    .get_or_insert(format!("the connection ended: {end}"));
                break;
            }
        }
    }
    done.store(true, Ordering::Relaxed);
}

/// Whether the suite's own close went out first (then the bot's close is
/// its reply, not its own ending of the call).
fn sent_close(sh: &Shared) -> bool {
    sh.timeline
        .iter()
        .any(|(_, s)| *s == Seen::CallerEvent(Event::Close))
}
