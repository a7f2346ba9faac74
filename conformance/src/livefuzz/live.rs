//! Playing one conversation to a live target and judging it; the only I/O of `voxproof fuzz`
//! ([docs/fuzzing-servers.md](../../../docs/fuzzing-servers.md#how-a-conversation-runs)).

use super::conversation::{Handshake, Write};
use super::oracle::{self, Judged, Prediction};
use crate::cases::framing::engine::{self, Event, Script, Step};
use crate::ctx::Ctx;
use crate::target::{HttpAnswer, ReadEnd, Target};
use crate::verdict::{Closer, Verdict};
use crate::wire::WireEvent;
use std::time::{Duration, Instant};

/// What a target did with one conversation, judged.
#[derive(Debug, Clone)]
pub struct Played {
    pub judged: Judged,
    /// What could be seen, for comparing two targets.
    pub seen: Seen,
    /// A deadline passed while waiting for the target.
    pub timed_out: bool,
    pub wire: Vec<WireEvent>,
    pub duration: Duration,
}

/// The observable outcome of a conversation, in words, field by field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Seen {
    /// The HTTP status of the answer to the handshake (None: none came).
    pub status: Option<u16>,
    /// Messages and pongs received, in order.
    pub events: Vec<String>,
    pub close_code: Option<u16>,
    pub closed_by: Option<Closer>,
}

fn describe(e: &Event) -> String {
    match e {
        Event::Message { binary, payload } => {
            let kind = if *binary { "binary" } else { "text" };
            format!("{kind} {}", super::conversation::show(payload))
        }
        Event::Pong(p) => format!("pong {}", super::conversation::show(p)),
    }
}

/// Play `writes` after `handshake` to `target` within `timeout`, and judge
/// what came back against `prediction`.
pub fn play(
    target: &Target,
    handshake: &Handshake,
    writes: &[Write],
    prediction: &Prediction,
    timeout: Duration,
) -> Played {
    let started = Instant::now();
    let mut ctx = Ctx::new(target, started + timeout);
    let (judged, seen, timed_out) = match prediction {
        Prediction::Refusal { version } => refusal(&mut ctx, handshake, *version),
        Prediction::Session {
            alternatives,
            close_end,
            ..
        } => {
            let mut steps = Vec::new();
            let mut at = 0;
            let mut close_marked = false;
            for w in writes {
                at += w.bytes.len();
                let closes = close_end.is_some_and(|end| at >= end) && !close_marked;
                close_marked |= closes;
                steps.push(if closes {
                    Step::RawClose(w.bytes.clone())
                } else {
                    Step::Raw(w.bytes.clone())
                });
                if w.pause_ms > 0 {
                    steps.push(Step::Pause(Duration::from_millis(w.pause_ms)));
                }
            }
            // The settle wait ends once what came is what the strict
            // alternative expects, in either order.
            let mut expect = alternatives[0].expect.clone();
            expect.ok.push(alternatives[0].natural.clone());
            let script = Script { steps, expect };
            match engine::observe(&mut ctx, &script) {
                Ok(obs) => {
                    let judged = oracle::judge_session(prediction, &obs);
                    let seen = Seen {
                        status: Some(101),
                        events: obs.events.iter().map(describe).collect(),
                        close_code: obs.target_close.as_ref().and_then(|(c, _)| *c),
                        closed_by: judged.close.as_ref().map(|c| c.closed_by),
                    };
                    (judged, seen, obs.timed_out)
                }
                Err(o) => {
                    let timed_out = ctx.budget.timed_out();
                    let judged = Judged {
                        verdict: Verdict::Failed,
                        detail: o.detail,
                        rule: Some(o.rule.map_or(oracle::SWITCH, |r| *r)),
                        close: None,
                    };
                    (judged, Seen::default(), timed_out)
                }
            }
        }
    };
    Played {
        judged,
        seen,
        timed_out,
        wire: ctx.log.events(),
        duration: started.elapsed(),
    }
}

/// Send an invalid handshake and judge the answer.
fn refusal(ctx: &mut Ctx, handshake: &Handshake, version: bool) -> (Judged, Seen, bool) {
    let target = ctx.target;
    let request = target
        .shape
        .apply(handshake.request(&target.authority, &target.resource));
    let mut conn = match ctx.connect() {
        Ok(c) => c,
        Err(o) => {
            let judged = oracle::judge_refusal(version, None, false);
            let judged = Judged {
                detail: o.detail,
                ..judged
            };
            return (judged, Seen::default(), false);
        }
    };
    let _ = conn.send(&request);
    let (status, has_version, timed_out) = match conn.read_http_response() {
        HttpAnswer::Response(r) => (Some(r.status), r.has("Sec-WebSocket-Version"), false),
        HttpAnswer::NoResponse(end, _) => (None, false, end == ReadEnd::TimedOut),
        HttpAnswer::Malformed(_) => (None, false, false),
    };
    let judged = oracle::judge_refusal(version, status, has_version);
    let seen = Seen {
        status,
        ..Seen::default()
    };
    (judged, seen, timed_out)
}

/// Can a fresh connection still complete a handshake and an echo?
pub fn alive(target: &Target, timeout: Duration) -> bool {
    crate::run::preflight(target, true, timeout).is_ok()
}
