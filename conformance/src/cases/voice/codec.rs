//! docs/voice-protocol.md §2: codec negotiation, decided before the upgrade.

use super::expect::{tables, FRAME_BYTES};
use super::session::{ask, fresh_room, room_resource, Heard, Party};
use super::{voice, PACED};
use crate::case::{case, Case};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::target::HttpAnswer;
use crate::verdict::Outcome;
use std::time::{Duration, Instant};
use voxproof_vectors::g711::Law;

const NEGOTIATION: &str =
    "The `codec` query parameter is required and names the participant's codec: \
`pcmu` (G.711 µ-law) or `pcma` (G.711 A-law). A request without it, with another value, or with it \
twice is refused with 400 (Bad Request) before the upgrade.";
const ACCEPTED: &str = "The `codec` query parameter is required and names the participant's codec: \
`pcmu` (G.711 µ-law) or `pcma` (G.711 A-law). [...] When nobody else speaks the participant receives silence: its codec's code \
for 0 (0xFF in µ-law, 0xD5 in A-law).";

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "voice.codec.pcmu-accepted".into(),
            title: "codec=pcmu is accepted and the room speaks µ-law".into(),
            rule: Rule::new("voice-protocol", "2, §7", ACCEPTED),
            sends: "a handshake for /rooms/{fresh room}?codec=pcmu".into(),
            expects: "101, then 160-byte frames of µ-law silence (the code pcmu.json encodes 0 to) while alone".into(),
            min_timeout: PACED,
            run: voice(|ctx| accepted(ctx, Law::Pcmu)),
            ..Case::BASE
        }),
        case(Case {
            id: "voice.codec.pcma-accepted".into(),
            title: "codec=pcma is accepted and the room speaks A-law".into(),
            rule: Rule::new("voice-protocol", "2, §7", ACCEPTED),
            sends: "a handshake for /rooms/{fresh room}?codec=pcma".into(),
            expects: "101, then 160-byte frames of A-law silence (the code pcma.json encodes 0 to) while alone".into(),
            min_timeout: PACED,
            run: voice(|ctx| accepted(ctx, Law::Pcma)),
            ..Case::BASE
        }),
        case(Case {
            id: "voice.codec.unknown-refused".into(),
            title: "An unknown codec is refused with 400 before the upgrade".into(),
            rule: Rule::new("voice-protocol", "2", NEGOTIATION),
            sends: "a handshake for /rooms/{fresh room}?codec=opus".into(),
            expects: "400, no 101".into(),
            min_timeout: PACED,
            run: voice(|ctx| refused(ctx, "?codec=opus")),
            ..Case::BASE
        }),
        case(Case {
            id: "voice.codec.missing-refused".into(),
            title: "A room request without a codec is refused with 400 before the upgrade".into(),
            rule: Rule::new("voice-protocol", "2", NEGOTIATION),
            sends: "a handshake for /rooms/{fresh room} (no query)".into(),
            expects: "400, no 101".into(),
            min_timeout: PACED,
            run: voice(|ctx| refused(ctx, "")),
            ..Case::BASE
        }),
    ]
}

fn accepted(ctx: &mut Ctx, law: Law) -> Outcome {
    let room = fresh_room("codec");
    let mut party = match Party::join(ctx, &room_resource(&room, law), law) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let silence = tables().silence(law);
    // Alone in the room, the clock still sends silence every 20 ms: take
    // the first frames of the first half second.
    let heard = party.listen(Instant::now() + Duration::from_millis(500));
    party.leave();
    if let Some(o) = heard.breach() {
        return o;
    }
    let audio = heard.audio();
    let Some(first) = audio.first() else {
        return Outcome::failed(format!(
            "101, but no audio frame within 500 ms{}",
            heard.ended.map(|e| format!(" ({e})")).unwrap_or_default()
        ));
    };
    if first.len() != FRAME_BYTES {
        return Outcome::failed(format!(
            "101, but the first frame is {} bytes, not {FRAME_BYTES}",
            first.len()
        ));
    }
    if let Some(bad) = audio.iter().find(|f| **f != silence) {
        return Outcome::failed(format!(
            "alone in the room, heard a frame that is not {} silence ({:#04x}): starts {:02x?}",
            law_name(law),
            silence[0],
            &bad[..bad.len().min(8)]
        ));
    }
    let texts = heard
        .heard
        .iter()
        .filter(|(_, h)| matches!(h, Heard::Text(_)))
        .count();
    Outcome::ok(format!(
        "101; {} frames of {} silence ({:#04x}) in 500 ms; {texts} control events",
        audio.len(),
        law_name(law),
        silence[0]
    ))
}

fn law_name(law: Law) -> &'static str {
    match law {
        Law::Pcmu => "µ-law",
        Law::Pcma => "A-law",
    }
}

/// A voice request the target must refuse with 400 before any 101.
pub fn refused(ctx: &mut Ctx, query: &str) -> Outcome {
    let resource = format!("/rooms/{}{query}", fresh_room("refuse"));
    let (_conn, answer) = match ask(ctx, &resource, &[]) {
        Ok(a) => a,
        Err(o) => return o,
    };
    judge_refusal(&answer, 400, &resource)
}

/// A refusal with `status` is OK, another error status NON-STRICT, a 101 or
/// no answer FAILED.
pub fn judge_refusal(answer: &HttpAnswer, status: u16, resource: &str) -> Outcome {
    match answer {
        HttpAnswer::Response(r) if r.status == status => {
            Outcome::ok(format!("{resource}: {}", r.status_line()))
        }
        HttpAnswer::Response(r) if r.status == 101 => Outcome::failed(format!(
            "{resource}: upgraded (101) where {status} is required before the upgrade"
        )),
        HttpAnswer::Response(r) if r.status >= 400 => Outcome::non_strict(format!(
            "{resource}: refused with {}; {status} expected",
            r.status_line()
        )),
        HttpAnswer::Response(r) => Outcome::failed(format!(
            "{resource}: {}; {status} expected",
            r.status_line()
        )),
        no @ HttpAnswer::NoResponse(..) => {
            Outcome::failed(format!("{resource}: {no}; {status} expected"))
        }
        HttpAnswer::Malformed(e) => {
            Outcome::failed(format!("{resource}: malformed HTTP response: {e}"))
        }
    }
}
