//! The oracle: what a correct echo server must and may answer to a conversation, and the verdict
//! on what it did; pure ([docs/fuzzing-servers.md](../../../docs/fuzzing-servers.md#the-oracle)).

use super::conversation::Handshake;
use crate::cases::framing::engine::{self, CloseExpect, Event, Expect, Observation};
use crate::rule::Rule;
use crate::verdict::{CloseOutcome, Closer, Verdict};
use crate::wire::close_code;
use crate::wire::frame::{decode, opcode, Decoded, Frame, LenEncoding};
use crate::wire::observer::{self, Kind, Observer};
use std::time::Instant;

pub const PONG: Rule = Rule::new(
    "RFC 6455",
    "5.5.2",
    "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless it already \
received a Close frame.",
);
pub const CLOSE_REPLY: Rule = Rule::new(
    "RFC 6455",
    "5.5.1",
    "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint MUST \
send a Close frame in response.",
);
pub const CONTROL_BETWEEN: Rule = Rule::new(
    "RFC 6455",
    "5.4",
    "An endpoint MUST be capable of handling control frames in the middle of a fragmented message.",
);
pub const DATA: Rule = Rule::new(
    "RFC 6455",
    "6.2",
    "Incoming data MUST be parsed as WebSocket frames as defined in Section 5.2. [...] Upon receiving a \
data frame (Section 5.6), the endpoint MUST note the /type/ of the data as defined by the opcode (frame-opcode) from \
Section 5.2.",
);
pub const UTF8_FAIL: Rule = Rule::new(
    "RFC 6455",
    "8.1",
    "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in \
fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_.",
);
pub const VERSION: Rule = Rule::new(
    "RFC 6455",
    "4.2.2",
    "If this version does not match a version understood by the server, the server MUST abort the \
WebSocket handshake described in this section and instead send an appropriate HTTP error code (such as 426 Upgrade \
Required) and a |Sec-WebSocket-Version| header field indicating the version(s) the server is capable of understanding.",
);
pub const SWITCH: Rule = Rule::new(
    "RFC 6455",
    "4.2.2",
    "If the server chooses to accept the incoming connection, it MUST reply with a valid HTTP response \
indicating the following.",
);
pub use crate::cases::handshake::expect::ANSWER_WITH_ERROR;

/// Why the server's part of a conversation ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The conversation ended: the suite closes with 1000 and expects it answered.
    End,
    /// The client's own close frame (its code, if any), which the server must answer.
    ClientClose(Option<u16>),
    /// The server must fail the connection at frame `frame` (from 0), for this breach.
    Fail {
        frame: usize,
        kind: Option<Kind>,
        detail: String,
        codes: Vec<u16>,
        /// The breach is in the client's close frame: only the code tells a
        /// failure from an answer, so a wrong one fails.
        in_close: bool,
    },
}

/// One allowed way for the server to answer, and the best verdict it earns.
#[derive(Debug, Clone)]
pub struct Alternative {
    /// Messages then pongs (the judge compares them apart).
    pub expect: Expect,
    /// The same events in the order a server that answers frame by frame
    /// sends them (what the runner waits for before it closes).
    pub natural: Vec<Event>,
    pub stop: Stop,
    /// OK for the strict reading, NON-STRICT for a permitted but weaker one.
    pub cap: Verdict,
    /// The server this alternative describes, in words (empty for the strict one).
    pub why: &'static str,
}

/// The oracle's prediction for one conversation.
#[derive(Debug, Clone)]
pub enum Prediction {
    /// An invalid handshake: an HTTP error response, never a 101.
    Refusal { version: bool },
    /// A valid handshake, then the frames: the first alternative is the strict one.
    Session {
        alternatives: Vec<Alternative>,
        /// Control frames arrived between fragments.
        interleaved: bool,
        /// Byte offset just past the client's close frame, when the server
        /// must answer it (the suite has started the close from there).
        close_end: Option<usize>,
    },
}

impl Prediction {
    /// The strict expectation in words.
    pub fn describe(&self) -> String {
        match self {
            Prediction::Refusal { version: true } => {
                "an HTTP error response (such as 426) with Sec-WebSocket-Version, no 101".into()
            }
            Prediction::Refusal { version: false } => {
                "an HTTP error response (such as 400), no 101".into()
            }
            Prediction::Session { alternatives, .. } => {
                let a = &alternatives[0];
                let pongs = a.expect.ok[0]
                    .iter()
                    .filter(|e| matches!(e, Event::Pong(_)))
                    .count();
                let messages = a.expect.ok[0].len() - pongs;
                let then = match &a.stop {
                    Stop::End => {
                        "then a pong to the suite's ping and the suite's close answered".to_string()
                    }
                    Stop::ClientClose(Some(c)) => format!("then the close (code {c}) answered"),
                    Stop::ClientClose(None) => "then the close answered".to_string(),
                    Stop::Fail {
                        frame,
                        detail,
                        codes,
                        ..
                    } => format!(
                        "then the connection failed at frame {} ({detail}), with {} or no close frame",
                        frame + 1,
                        join(codes)
                    ),
                };
                format!("{messages} message(s) echoed and {pongs} pong(s), {then}")
            }
        }
    }
}

fn join(codes: &[u16]) -> String {
    codes
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The client's frames in `bytes`, in order; a trailing partial frame is dropped,
/// undecodable bytes end the list (their reason returned).
pub fn frames(bytes: &[u8]) -> (Vec<(Frame, usize)>, Option<String>) {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        match decode(&bytes[at..], observer::MAX_PAYLOAD) {
            Decoded::Frame(f, used) => {
                at += used;
                out.push((f, at));
            }
            Decoded::Partial => return (out, None),
            Decoded::Invalid(e) => return (out, Some(e)),
        }
    }
}

/// What a server does on the way through the frames.
struct Path {
    natural: Vec<Event>,
    messages: Vec<Event>,
    pongs: Vec<Event>,
    stop: Stop,
    stop_at: Option<usize>,
    /// A fragmented message was still open where the server reads a close
    /// (the client's, or the suite's at the end).
    open_message: bool,
}

/// The receiver's rule for a breach of the client's.
pub fn receiver_rule(kind: Kind) -> Rule {
    match kind {
        Kind::TextNotUtf8 | Kind::CloseReasonNotUtf8 => UTF8_FAIL,
        other => other.rule(),
    }
}

/// How a server reads: strictly (the RFC's reading), refusing lengths not
/// in their minimal form, or finding invalid UTF-8 late: in a layer above
/// the frames, so pongs to later pings may go out before the failure, and
/// (`at_end`) only once the text message is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Strict,
    /// Fails at the n-th length not in its minimal form (from 0): a server
    /// may refuse any of them, as the client broke §5.2's MUST.
    StrictLength(usize),
    LateUtf8 {
        at_end: bool,
    },
}

/// Walk the frames as a server does: the observer (facing a client) says
/// what each frame is and which breach it carries.
fn walk(frames: &[(Frame, usize)], tail: &Option<String>, mode: Mode, now: Instant) -> Path {
    let mut ob = Observer::facing_client();
    let mut path = Path {
        natural: Vec::new(),
        messages: Vec::new(),
        pongs: Vec::new(),
        stop: Stop::End,
        stop_at: None,
        open_message: false,
    };
    let fail = |frame: usize, kind: Option<Kind>, detail: String, in_close: bool| {
        let codes = match kind {
            Some(Kind::TextNotUtf8 | Kind::CloseReasonNotUtf8) => vec![close_code::INVALID_PAYLOAD],
            _ => vec![close_code::PROTOCOL_ERROR],
        };
        Stop::Fail {
            frame,
            kind,
            detail,
            codes,
            in_close,
        }
    };
    let not_utf8 = |i| {
        fail(
            i,
            Some(Kind::TextNotUtf8),
            "a text message that is not UTF-8".into(),
            false,
        )
    };
    // LateUtf8: the text message in progress is broken, not yet found so.
    let mut broken = false;
    // LateUtf8: found, and the failure is on its way; only pongs go out.
    let mut failing: Option<Stop> = None;
    let mut non_minimal = 0;
    for (i, (f, end)) in frames.iter().enumerate() {
        if f.len_encoding != LenEncoding::Minimal {
            if mode == Mode::StrictLength(non_minimal) {
                path.stop = fail(i, None, "a length not in its minimal form".into(), false);
                return path;
            }
            non_minimal += 1;
        }
        ob.receive_frame(f.clone(), now);
        if !f.is_control() {
            path.open_message = !f.fin;
        }
        while let Some(seen) = ob.poll_event() {
            if let Some(stop) = &failing {
                match seen.event {
                    observer::Event::Ping(p) => {
                        path.natural.push(Event::pong(&p));
                        path.pongs.push(Event::pong(p));
                    }
                    observer::Event::Message { .. } | observer::Event::Pong(_) => {}
                    _ => {
                        path.stop = stop.clone();
                        return path;
                    }
                }
                continue;
            }
            let stop = match seen.event {
                observer::Event::Message { binary, payload } => {
                    if broken && !binary {
                        failing = Some(not_utf8(i));
                        None
                    } else {
                        let e = Event::Message {
                            binary,
                            payload: payload.into(),
                        };
                        path.natural.push(e.clone());
                        path.messages.push(e);
                        None
                    }
                }
                observer::Event::Ping(p) => {
                    path.natural.push(Event::pong(&p));
                    path.pongs.push(Event::pong(p));
                    None
                }
                observer::Event::Pong(_) => None,
                observer::Event::Close { code, .. } => {
                    path.stop_at = Some(*end);
                    Some(Stop::ClientClose(code))
                }
                observer::Event::Violation(v) if v.kind == Kind::TextNotUtf8 => match mode {
                    Mode::LateUtf8 { at_end: true } if !f.fin && !f.is_control() => {
                        broken = true;
                        None
                    }
                    Mode::LateUtf8 { .. } => {
                        failing = Some(not_utf8(i));
                        None
                    }
                    Mode::Strict | Mode::StrictLength(_) => Some(not_utf8(i)),
                },
                observer::Event::Violation(v) => Some(fail(
                    i,
                    Some(v.kind),
                    client_words(&v.detail),
                    f.opcode == opcode::CLOSE,
                )),
                observer::Event::Unreadable(e) => Some(fail(i, None, e, false)),
            };
            if let Some(mut stop) = stop {
                // A close frame can break several rules at once: the code
                // of any of them is a right answer.
                if let Stop::Fail {
                    in_close: true,
                    codes,
                    ..
                } = &mut stop
                {
                    while let Some(seen) = ob.poll_event() {
                        if let observer::Event::Violation(v) = seen.event {
                            let code = match v.kind {
                                Kind::CloseReasonNotUtf8 => close_code::INVALID_PAYLOAD,
                                _ => close_code::PROTOCOL_ERROR,
                            };
                            if !codes.contains(&code) {
                                codes.push(code);
                            }
                        }
                    }
                }
                path.stop = stop;
                return path;
            }
        }
    }
    if let Some(stop) = failing {
        path.stop = stop;
        return path;
    }
    if let Some(e) = tail {
        let kind = e
            .contains("most significant bit")
            .then_some(Kind::LengthMsb);
        path.stop = fail(frames.len(), kind, e.clone(), false);
    }
    path
}

/// The observer speaks of "the client"; the prediction of what it sent.
fn client_words(detail: &str) -> String {
    detail
        .trim_start_matches("the client sent ")
        .trim_start_matches("the target sent ")
        .replace("the target set", "")
        .trim()
        .to_string()
}

/// The expectation a path makes.
fn expect_of(path: &Path) -> Expect {
    let mut all = path.messages.clone();
    all.extend(path.pongs.iter().cloned());
    let close = match &path.stop {
        // A close in the middle of a fragmented message must be handled
        // like any control frame there (§5.4): answered, not refused with an
        // error code, as `framing.close.7_1_5` judges.
        Stop::End => CloseExpect {
            by: Closer::Suite,
            codes: vec![close_code::NORMAL],
            require_clean: true,
            wrong_code_fails: path.open_message,
            code_required: false,
        },
        Stop::ClientClose(code) => CloseExpect {
            by: Closer::Suite,
            codes: match code.filter(|c| close_code::allowed_on_wire(*c)) {
                Some(c) if c != close_code::NORMAL => vec![c, close_code::NORMAL],
                _ => vec![close_code::NORMAL],
            },
            require_clean: true,
            wrong_code_fails: path.open_message,
            code_required: false,
        },
        Stop::Fail {
            codes, in_close, ..
        } => CloseExpect {
            by: Closer::Target,
            codes: codes.clone(),
            require_clean: false,
            wrong_code_fails: *in_close,
            code_required: false,
        },
    };
    let mut expect = Expect::ok(all, close);
    if path.stop != Stop::End {
        // Failing or closing before every echo went out is weaker, not wrong.
        for i in 0..=path.messages.len() {
            for j in 0..=path.pongs.len() {
                if (i, j) != (path.messages.len(), path.pongs.len()) {
                    let mut e = path.messages[..i].to_vec();
                    e.extend(path.pongs[..j].iter().cloned());
                    expect = expect.non_strict(e);
                }
            }
        }
    }
    expect
}

/// What a correct echo server must (and may) answer to `handshake` then
/// the client bytes `bytes`; `now` is only a stamp for the observer.
pub fn predict(handshake: &Handshake, bytes: &[u8], now: Instant) -> Prediction {
    if *handshake != Handshake::Valid {
        return Prediction::Refusal {
            version: matches!(handshake, Handshake::WrongVersion { .. }),
        };
    }
    let (frames, tail) = frames(bytes);
    let strict = walk(&frames, &tail, Mode::Strict, now);
    let close_end = match strict.stop {
        Stop::ClientClose(_) => strict.stop_at,
        _ => None,
    };
    let interleaved = strict.open_message || {
        let mut open = false;
        frames.iter().any(|(f, _)| {
            let between = open && f.is_control();
            if !f.is_control() {
                open = !f.fin;
            }
            between
        })
    };
    let mut alternatives = vec![Alternative {
        natural: strict.natural.clone(),
        expect: expect_of(&strict),
        stop: strict.stop.clone(),
        cap: Verdict::Ok,
        why: "",
    }];
    if let Stop::Fail {
        in_close: true,
        codes,
        ..
    } = &strict.stop
    {
        // Any error code tells a failure from an answer (1000 does not).
        let mut expect = expect_of(&strict);
        expect.close.codes = (1001..=4999)
            .filter(|c| close_code::allowed_on_wire(*c) && !codes.contains(c))
            .collect();
        alternatives.push(Alternative {
            expect,
            natural: strict.natural.clone(),
            stop: strict.stop.clone(),
            cap: Verdict::NonStrict,
            why: "fails the connection with another error code",
        });
    }
    if let Stop::ClientClose(Some(code @ 1012..=1014)) = strict.stop {
        // Registered with IANA after RFC 6455, which leaves 1000-2999 to
        // "future revisions": a server that knows only RFC 6455's codes may
        // refuse them.
        let path = Path {
            stop: Stop::Fail {
                frame: frames.len(),
                kind: Some(Kind::CloseCode),
                detail: format!("close code {code}, not defined by RFC 6455"),
                codes: vec![close_code::PROTOCOL_ERROR],
                in_close: true,
            },
            natural: strict.natural.clone(),
            messages: strict.messages.clone(),
            pongs: strict.pongs.clone(),
            stop_at: strict.stop_at,
            open_message: strict.open_message,
        };
        alternatives.push(Alternative {
            natural: path.natural.clone(),
            expect: expect_of(&path),
            stop: path.stop.clone(),
            cap: Verdict::Ok,
            why: "knows only the close codes RFC 6455 defines",
        });
    }
    let mut other = |mode: Mode, cap: Verdict, why: &'static str| {
        let path = walk(&frames, &tail, mode, now);
        let same = path.stop == strict.stop && path.natural == strict.natural;
        if !same {
            alternatives.push(Alternative {
                natural: path.natural.clone(),
                expect: expect_of(&path),
                stop: path.stop.clone(),
                cap,
                why,
            });
        }
    };
    other(
        Mode::LateUtf8 { at_end: false },
        Verdict::NonStrict,
        "checks UTF-8 above the frames (pongs may precede the failure)",
    );
    other(
        Mode::LateUtf8 { at_end: true },
        Verdict::NonStrict,
        "checks UTF-8 only when a text message ends",
    );
    // The client broke RFC 6455 §5.2's MUST: refusing it is fair.
    let non_minimal = frames
        .iter()
        .filter(|(f, _)| f.len_encoding != LenEncoding::Minimal)
        .count();
    for n in 0..non_minimal {
        other(
            Mode::StrictLength(n),
            Verdict::Ok,
            "refuses lengths not in their minimal form",
        );
    }
    Prediction::Session {
        alternatives,
        interleaved,
        close_end,
    }
}

/// A verdict on what a target did, with the rule it rests on.
#[derive(Debug, Clone)]
pub struct Judged {
    pub verdict: Verdict,
    pub detail: String,
    pub rule: Option<Rule>,
    pub close: Option<CloseOutcome>,
}

/// Pongs may be coalesced (RFC 6455 §5.5.3: a pong for only the most recent
/// ping is allowed): observed pongs that are a subsequence of the expected
/// ones ending with the last count as all of them. Messages keep their
/// order; pongs are compared apart from them (a target may answer pings
/// below the layer that echoes).
fn normalize(events: &[Event], expected: &[Event]) -> Vec<Event> {
    let is_pong = |e: &&Event| matches!(e, Event::Pong(_));
    let mut out: Vec<Event> = events.iter().filter(|e| !is_pong(e)).cloned().collect();
    let got: Vec<&Event> = events.iter().filter(is_pong).collect();
    let want: Vec<&Event> = expected.iter().filter(is_pong).collect();
    let mut it = want.iter();
    let subsequence = got.iter().all(|g| it.any(|w| w == g));
    if subsequence && !got.is_empty() && got.last() == want.last() {
        out.extend(want.into_iter().cloned());
    } else {
        out.extend(got.into_iter().cloned());
    }
    out
}

/// The verdict on an observed session: the best over the alternatives.
/// When the suite wrote the conversation's close frame, who closed first is
/// a race, and each alternative says.
pub fn judge_session(prediction: &Prediction, obs: &Observation) -> Judged {
    let close_sent = obs.close_in_steps;
    let Prediction::Session {
        alternatives,
        interleaved,
        ..
    } = prediction
    else {
        return Judged {
            verdict: Verdict::Failed,
            detail: "no session was predicted".into(),
            rule: None,
            close: None,
        };
    };
    let mut best: Option<(Verdict, Judged)> = None;
    for alt in alternatives {
        let mut o = obs.clone();
        o.events = normalize(&obs.events, &alt.expect.ok[0]);
        if close_sent
            && alt.expect.close.by == Closer::Target
            && o.first_closer == Some(Closer::Suite)
            && (o.target_close.is_some() || o.target_closed_tcp)
        {
            o.first_closer = Some(Closer::Target);
        }
        let out = engine::judge(&alt.expect, &o);
        let verdict = out.verdict.max(alt.cap);
        let detail = if alt.why.is_empty() || verdict == Verdict::Failed {
            out.detail.clone()
        } else {
            format!("{} (as a target that {})", out.detail, alt.why)
        };
        let rule = out.rule.map(|r| *r);
        let judged = Judged {
            verdict,
            detail,
            rule,
            close: out.close,
        };
        if best.as_ref().is_none_or(|(v, _)| verdict < *v) {
            best = Some((verdict, judged));
        }
    }
    let (_, mut judged) = best.expect("at least the strict alternative");
    let strict = &alternatives[0];
    // A target that did not fail the connection when it must broke the
    // receiver's rule, whatever it then sent.
    if let Stop::Fail { kind, .. } = &strict.stop {
        let failed_close = judged
            .close
            .as_ref()
            .is_some_and(|c| c.verdict == Verdict::Failed);
        if judged.verdict == Verdict::Failed && failed_close {
            judged.rule = Some(kind.map_or(DATA, receiver_rule));
        }
    }
    if judged.verdict == Verdict::Failed && obs.timed_out && obs.first_closer.is_none() {
        // The suite pings after the conversation and waits for the pong
        // before it closes: nothing came back.
        judged.rule = Some(PONG);
        judged.detail = format!(
            "no pong to the suite's ping after the conversation within the time limit; {}",
            judged.detail
        );
    }
    if judged.verdict == Verdict::Failed && judged.rule.is_none() {
        judged.rule = Some(match &strict.stop {
            Stop::Fail { kind: Some(k), .. } => receiver_rule(*k),
            Stop::Fail { .. } => DATA,
            Stop::ClientClose(_) if obs.target_close.is_none() => CLOSE_REPLY,
            _ => {
                let pongs = |e: &[Event]| e.iter().filter(|e| matches!(e, Event::Pong(_))).count();
                if pongs(&obs.events) < pongs(&strict.expect.ok[0]) {
                    PONG
                } else if *interleaved {
                    CONTROL_BETWEEN
                } else if strict.stop == Stop::End && obs.target_close.is_none() {
                    CLOSE_REPLY
                } else {
                    DATA
                }
            }
        });
    }
    judged
}

/// The verdict on the answer to an invalid handshake: status (None: no
/// response at all) and whether it carried `Sec-WebSocket-Version`.
pub fn judge_refusal(version: bool, status: Option<u16>, has_version: bool) -> Judged {
    let rule = if version { VERSION } else { ANSWER_WITH_ERROR };
    let (verdict, detail) = match status {
        Some(101) => (
            Verdict::Failed,
            "the target answered 101 Switching Protocols".to_string(),
        ),
        None => (
            Verdict::Failed,
            "the target sent no HTTP response".to_string(),
        ),
        Some(s) if (400..500).contains(&s) && version && !has_version => (
            Verdict::Failed,
            format!("the target answered {s} without Sec-WebSocket-Version"),
        ),
        Some(s) if (400..500).contains(&s) => (Verdict::Ok, format!("the target answered {s}")),
        Some(s) => (
            Verdict::NonStrict,
            format!("the target answered {s}, not a 4xx error"),
        ),
    };
    Judged {
        rule: (verdict == Verdict::Failed).then_some(rule),
        verdict,
        detail,
        close: None,
    }
}
