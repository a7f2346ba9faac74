//! docs/voice-protocol.md §3 and §5: a binary message is one 160-byte frame;
//! any other size closes the connection with 1007.

use super::session::{fresh_room, room_resource, Heard, Party};
use super::{voice, PACED};
use crate::case::{case, Case};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::verdict::Outcome;
use crate::wire::close_code;
use std::time::{Duration, Instant};
use voxproof_vectors::g711::Law;

const REQUIREMENT: &str = "Every binary message, both ways, is one 20 ms frame of G.711 in the \
participant's codec: exactly 160 bytes, one code per sample at 8000 samples/s. [...] A binary message \
of any other size closes the connection with 1007. [...] 1007 indicates that an endpoint \
is terminating the connection because it has received data within a message that was not consistent \
with the type of the message";

pub fn cases() -> Vec<Case> {
    vec![
        case(Case {
            id: "voice.frames.short-frame-refused".into(),
            title: "A 10 ms (80-byte) binary message closes the connection with 1007".into(),
            rule: Rule::new("voice-protocol", "3, §5; RFC 6455 §7.4.1", REQUIREMENT),
            sends: "joins a fresh room (pcmu), then one 80-byte binary message".into(),
            expects:
                "a close frame with 1007 (another code: NON-STRICT; still open after 1.5 s: FAILED)"
                    .into(),
            min_timeout: PACED,
            run: voice(|ctx| wrong_size(ctx, 80)),
            ..Case::BASE
        }),
        case(Case {
            id: "voice.frames.long-frame-refused".into(),
            title: "A 40 ms (320-byte) binary message closes the connection with 1007".into(),
            rule: Rule::new("voice-protocol", "3, §5; RFC 6455 §7.4.1", REQUIREMENT),
            sends: "joins a fresh room (pcmu), then one 320-byte binary message".into(),
            expects:
                "a close frame with 1007 (another code: NON-STRICT; still open after 1.5 s: FAILED)"
                    .into(),
            min_timeout: PACED,
            run: voice(|ctx| wrong_size(ctx, 320)),
            ..Case::BASE
        }),
    ]
}

fn wrong_size(ctx: &mut Ctx, size: usize) -> Outcome {
    let room = fresh_room("size");
    let mut party = match Party::join(ctx, &room_resource(&room, Law::Pcmu), Law::Pcmu) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if let Err(e) = party.send_binary(&vec![0xFF; size]) {
        return Outcome::failed(format!("could not send the {size}-byte message: {e}"));
    }
    let heard = party.listen(Instant::now() + Duration::from_millis(1500));
    if let Some(o) = heard.breach() {
        party.leave();
        return o;
    }
    let audio_after = heard
        .heard
        .iter()
        .filter(|(_, h)| matches!(h, Heard::Audio(_)))
        .count();
    let outcome = match heard.close() {
        Some(Some(close_code::INVALID_PAYLOAD)) => Outcome::ok(format!("{size}-byte message: closed with 1007")),
        Some(Some(code)) => Outcome::non_strict(format!(
            "{size}-byte message: closed with {code}; the protocol's code is 1007"
        )),
        Some(None) => Outcome::non_strict(format!(
            "{size}-byte message: close frame without a code; 1007 expected"
        )),
        None => match heard.ended {
            Some(e) => Outcome::non_strict(format!(
                "{size}-byte message: no close frame ({e}); RFC 6455 §7.1.7: an endpoint SHOULD send one, with 1007 here"
            )),
            None => Outcome::failed(format!(
                "{size}-byte message accepted: the connection stayed open 1.5 s ({audio_after} frames received)"
            )),
        },
    };
    party.leave();
    outcome
}
