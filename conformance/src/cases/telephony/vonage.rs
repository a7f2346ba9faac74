//! `vonage.*`: the suite plays Vonage Voice WebSockets to a bot
//! ([docs/telephony.md](../../../../docs/telephony.md#vonage)).

use super::{barge_in, close_mid_answer, first_audio, hygiene, tolerance, websocket, Nudge};
use crate::case::Case;
use crate::platform::caller::Event;
use crate::platform::vonage::*;
use crate::platform::Platform;

const P: Platform = Platform::Vonage;

pub fn cases() -> Vec<Case> {
    vec![
        hygiene(P, "vonage.messages.frame-size", "Every binary message is one 20 ms frame of L16 at the call's rate", FRAME_SIZE, vec![FRAME_SIZE],
            "binary messages of exactly 640 bytes (20 ms of 16-bit PCM at 16 kHz, as the first message announced)"),
        hygiene(P, "vonage.messages.text", "Text messages are JSON commands", TEXT_MESSAGES, vec![TEXT_MESSAGES],
            "text messages that are JSON objects with action clear or notify (another action: NON-STRICT)"),
        websocket(P, "vonage.messages.websocket", FORMAT),
        tolerance(P, "vonage.tolerance.dtmf", "The bot keeps the call through DTMF events", DTMF,
            Nudge::Event(Event::Dtmf('5')), true, "a websocket:dtmf event (digit 5) before and after the utterance"),
        tolerance(P, "vonage.tolerance.unknown-event", "The bot keeps the call through an event it does not know", FIRST_MESSAGE,
            Nudge::Event(Event::Unknown), false, "an event \"websocket:transcription\" (not in the documentation) before and after the utterance"),
        tolerance(P, "vonage.tolerance.extra-fields", "The bot keeps the call when events carry fields it does not know", FIRST_MESSAGE,
            Nudge::ExtraFields, false, "a plain call whose every text message has an added field"),
        tolerance(P, "vonage.robust.burst", "The bot keeps the call when a second of audio arrives at once", FORMAT,
            Nudge::Burst, false, "200 ms of silence, then 1 s with no audio, then the utterance's 54 frames at once"),
        close_mid_answer(P, "vonage.close.mid-answer", "The bot answers the close frame that ends a Vonage call, sent mid-answer"),
        first_audio(P, "vonage.figures.first-audio", FORMAT),
        barge_in(P, "vonage.figures.barge-in", TEXT_MESSAGES),
    ]
}
