//! `twilio.*`: the suite plays Twilio Media Streams to a bot
//! ([docs/telephony.md](../../../../docs/telephony.md#twilio)).

use super::{
    after_stop, barge_in, call, close_mid_answer, first_audio, hygiene, on, plain_call, tolerance,
    websocket, Nudge, CALL,
};
use crate::case::{case, Case};
use crate::cases::handshake::open::{check_101, RFC_ACCEPT};
use crate::ctx::Ctx;
use crate::platform::call::{dial, play, Plan, Signing};
use crate::platform::caller::Event;
use crate::platform::twilio::*;
use crate::platform::{Platform, Session};
use crate::target::HttpAnswer;
use crate::verdict::Outcome;

const P: Platform = Platform::Twilio;

pub fn cases() -> Vec<Case> {
    vec![
        hygiene(P, "twilio.messages.text-frames", "The bot sends text frames only", BINARY, vec![BINARY],
            "only text messages (a binary one is refused: error 31950)"),
        hygiene(P, "twilio.messages.json", "Every message from the bot is a JSON object", NOT_JSON, vec![NOT_JSON],
            "every text message a JSON object"),
        hygiene(P, "twilio.messages.event-types", "The bot sends only media, mark and clear", UNKNOWN_TYPE, vec![UNKNOWN_TYPE],
            "every message's event one of media, mark, clear"),
        hygiene(P, "twilio.messages.fields", "Each message has exactly its documented fields", FIELDS, vec![FIELDS],
            "media {event, streamSid, media {payload}}, mark {event, streamSid, mark {name}}, clear {event, streamSid}: no field missing, none extra"),
        hygiene(P, "twilio.messages.stream-sid", "Each message carries the stream's streamSid", STREAM_SID, vec![STREAM_SID],
            "streamSid equal to the start message's"),
        hygiene(P, "twilio.messages.payload", "Media payloads are base64 µ-law with no file header", PAYLOAD, vec![PAYLOAD, HEADER_BYTES],
            "media.payload in base64 (RFC 4648, padded); NON-STRICT when it starts with a RIFF header"),
        websocket(P, "twilio.messages.websocket", CONTROL_FRAGMENTED),
        after_stop(P, "twilio.stop.nothing-after", STOP),
        tolerance(P, "twilio.tolerance.dtmf", "The bot keeps the call through dtmf messages", DTMF,
            Nudge::Event(Event::Dtmf('5')), true, "a dtmf message (digit 5) before and after the utterance"),
        tolerance(P, "twilio.tolerance.unknown-event", "The bot keeps the call through an event type it does not know", VERSION,
            Nudge::Event(Event::Unknown), false, "an event \"transcription\" (not in the documentation) before and after the utterance"),
        tolerance(P, "twilio.tolerance.extra-fields", "The bot keeps the call when messages carry fields it does not know", VERSION,
            Nudge::ExtraFields, false, "a plain call whose every message has an added field at the top level and in each object"),
        tolerance(P, "twilio.robust.burst", "The bot keeps the call when a second of media arrives at once", TIMESTAMP,
            Nudge::Burst, false, "200 ms of silence, then 1 s with no media, then the utterance's 54 frames at once (their timestamps spread as sent)"),
        close_mid_answer(P, "twilio.close.mid-answer", "The bot answers the platform's close frame, sent without a stop mid-answer"),
        first_audio(P, "twilio.figures.first-audio", PAYLOAD),
        barge_in(P, "twilio.figures.barge-in", CLEAR),
        case(Case {
            id: "twilio.signature.valid-accepted".into(),
            title: "A request signed with the auth token is accepted".into(),
            rule: SIGNATURE,
            sends: "the opening handshake with X-Twilio-Signature: base64(HMAC-SHA1(token, URL)) under --twilio-auth-token".into(),
            expects: "101 Switching Protocols".into(),
            min_timeout: CALL,
            run: on(P, |ctx, p| signed(ctx, p, Signing::Valid)),
            ..Case::BASE
        }),
        case(Case {
            id: "twilio.signature.wrong-refused".into(),
            title: "A request signed with another token is refused".into(),
            rule: SIGNATURE,
            sends: "the opening handshake with an X-Twilio-Signature made with a different token, then a plain call if it is accepted".into(),
            expects: "a refusal (any status but 101), or a close before the bot answers the call".into(),
            min_timeout: CALL,
            run: on(P, |ctx, p| signed(ctx, p, Signing::Wrong)),
            ..Case::BASE
        }),
    ]
}

fn signed(ctx: &mut Ctx, p: Platform, signing: Signing) -> Outcome {
    let has_token = ctx
        .target
        .telephony
        .as_ref()
        .is_some_and(|t| t.twilio_auth_token.is_some());
    if !has_token {
        return Outcome::unimplemented(
            "pass --twilio-auth-token, the token the bot verifies signatures with",
        );
    }
    let plan = Plan {
        signing,
        ..Plan::new(p, plain_call())
    };
    if signing == Signing::Valid {
        return match call(ctx, &plan) {
            Ok(_) => Outcome::ok("accepted"),
            Err(o) => o,
        };
    }
    let (conn, answer) = match dial(ctx, &plan) {
        Ok(x) => x,
        Err(o) => return o,
    };
    match &answer {
        HttpAnswer::Response(r) if r.status != 101 => {
            return Outcome::ok(format!("refused with {}", r.status_line()))
        }
        HttpAnswer::Response(_) => {}
        other => return Outcome::ok(format!("refused: {other}")),
    }
    if let Err(o) = check_101(&answer, RFC_ACCEPT) {
        return o;
    }
    let session = Session::new(p, u64::from(conn.id()), false);
    let rec = match play(conn, &plan, session) {
        Ok(r) => r,
        Err(e) => return Outcome::failed(e),
    };
    let answered = rec.bot_audio() > 0
        || rec
            .timeline
            .iter()
            .any(|(_, s)| matches!(s, crate::platform::figures::Seen::BotMark(_)));
    match (rec.bot_closed(), answered) {
        (_, true) => Outcome::failed(format!(
            "accepted a wrong signature and answered the call ({} media messages)",
            rec.bot_audio()
        )),
        (Some(_), false) => Outcome::ok("upgraded, then closed before answering"),
        (None, false) => Outcome::failed("accepted a wrong signature and kept the call open"),
    }
}
