//! `telnyx.*`: the suite plays Telnyx media streaming to a bot
//! ([docs/telephony.md](../../../../docs/telephony.md#telnyx)).

use super::{
    after_stop, barge_in, close_mid_answer, first_audio, hygiene, tolerance, websocket, Nudge,
};
use crate::case::Case;
use crate::platform::caller::Event;
use crate::platform::telnyx::*;
use crate::platform::Platform;

const P: Platform = Platform::Telnyx;

pub fn cases() -> Vec<Case> {
    vec![
        hygiene(P, "telnyx.messages.frames", "The bot sends only JSON media, mark and clear frames", BOT_FRAMES, vec![BOT_FRAMES],
            "text JSON objects whose event is media, mark or clear (stream_id, when present, the stream's)"),
        hygiene(P, "telnyx.messages.payload", "Media payloads are base64", PAYLOAD, vec![PAYLOAD],
            "media.payload in base64 (RFC 4648, padded)"),
        hygiene(P, "telnyx.messages.chunk-length", "Media chunks hold 20 ms to 30 s of audio", CHUNK_LENGTH, vec![CHUNK_LENGTH],
            "each media payload 160 to 240,000 bytes of PCMU"),
        websocket(P, "telnyx.messages.websocket", BOT_FRAMES),
        after_stop(P, "telnyx.stop.nothing-after", STOP),
        tolerance(P, "telnyx.tolerance.dtmf", "The bot keeps the call through dtmf frames", MESSAGES,
            Nudge::Event(Event::Dtmf('5')), true, "a dtmf frame (digit 5) before and after the utterance"),
        tolerance(P, "telnyx.tolerance.unknown-event", "The bot keeps the call through an event type it does not know", MESSAGES,
            Nudge::Event(Event::Unknown), false, "an event \"transcription\" (not in the documentation) before and after the utterance"),
        tolerance(P, "telnyx.tolerance.extra-fields", "The bot keeps the call when frames carry fields it does not know", MESSAGES,
            Nudge::ExtraFields, false, "a plain call whose every frame has an added field at the top level and in each object"),
        tolerance(P, "telnyx.robust.out-of-order", "The bot keeps the call when media frames arrive out of order", ORDER,
            Nudge::Swapped, true, "the utterance with each pair of media frames swapped (each keeps its sequence_number, chunk and timestamp)"),
        tolerance(P, "telnyx.robust.burst", "The bot keeps the call when a second of media arrives at once", MESSAGES,
            Nudge::Burst, false, "200 ms of silence, then 1 s with no media, then the utterance's 54 frames at once"),
        close_mid_answer(P, "telnyx.close.mid-answer", "The bot answers the platform's close frame, sent without a stop mid-answer"),
        first_audio(P, "telnyx.figures.first-audio", PAYLOAD),
        barge_in(P, "telnyx.figures.barge-in", CLEAR),
    ]
}
