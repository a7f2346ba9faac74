//! Telnyx media streaming: the frames Telnyx sends a bot and the rules for
//! what the bot sends back ([docs/platforms/telnyx.md](../../../docs/platforms/telnyx.md)).

use super::{b64, from_mulaw, object, unb64, Breach, FromBot, Session, ToBot, Wire};
use crate::rule::Rule;
use serde_json::{json, Value};

pub const DOC: &str = "docs/platforms/telnyx.md";

/// The frames a bot may send: JSON `media`, `mark` and `clear`.
pub const BOT_FRAMES: Rule = Rule::new(
    "Telnyx",
    "Media Streaming, connection flow",
    "If bidirectional streaming is enabled, the connected application can send `media`, `mark`, \
     and `clear` frames back to Telnyx. \
     (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket)",
);
pub const PAYLOAD: Rule = Rule::new(
    "Telnyx",
    "Media Streaming, client media frame",
    "In RTP bidirectional mode, media.payload is a base64-encoded RTP payload. \
     (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket)",
);
pub const CHUNK_LENGTH: Rule = Rule::new(
    "Telnyx",
    "Media Streaming, bidirectional media",
    "RTP media chunks sent back to Telnyx can contain 20 milliseconds to 30 seconds of audio. \
     (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket)",
);
pub const ORDER: Rule = Rule::new(
    "Telnyx",
    "Media Streaming, ordering",
    "Media frame order is not guaranteed. \
     (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket)",
);
pub const MESSAGES: Rule = Rule::new(
    "Telnyx",
    "Media Streaming, connection flow",
    "Telnyx sends `dtmf`, `mark`, `error`, and `stop` frames as applicable. \
     (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket)",
);
pub const MARK: Rule = Rule::new(
    "Telnyx",
    "Media Streaming, mark frame",
    "Telnyx sends the same mark back when the immediately preceding media finishes playing, or \
     immediately if no audio is queued. \
     (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket)",
);
pub const CLEAR: Rule = Rule::new(
    "Telnyx",
    "Media Streaming, clear frame",
    "Stops the current media playback and clears queued media. Queued marks are sent back by \
     Telnyx. (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket)",
);
pub const STOP: Rule = Rule::new(
    "Telnyx",
    "Media Streaming, stop frame",
    "Frame sent when Telnyx stops media streaming for the call. \
     (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket)",
);

/// 20 ms to 30 s of PCMU at 8000 samples/s, one byte each.
const MIN_CHUNK: usize = 160;
const MAX_CHUNK: usize = 8000 * 30;

pub fn to_bot(s: &mut Session, msg: ToBot) -> Vec<Wire> {
    let id = s.ids.stream.clone();
    let m = match msg {
        ToBot::Opening => {
            let start = json!({
                "event": "start",
                "sequence_number": s.next_seq(),
                "stream_id": id,
                "start": {
                    "user_id": s.ids.account,
                    "call_control_id": s.ids.call,
                    "call_session_id": id,
                    "from": "+13125550100",
                    "to": "+13125550199",
                    "custom_parameters": {"caller": "voxproof"},
                    "media_format": {"encoding": "PCMU", "sample_rate": 8000, "channels": 1}
                }
            });
            return vec![
                Wire::json(json!({"event": "connected", "version": "1.0.0"})),
                Wire::json(start),
            ];
        }
        ToBot::Media { index, pcm } => json!({
            "event": "media",
            "sequence_number": s.next_seq(),
            "media": {
                "track": "inbound",
                "chunk": (index + 1).to_string(),
                "timestamp": (index * 20).to_string(),
                "payload": b64(&s.payload(pcm))
            },
            "stream_id": id
        }),
        ToBot::Dtmf(digit) => json!({
            "event": "dtmf",
            "stream_id": id,
            "sequence_number": s.next_seq(),
            "dtmf": {"digit": digit.to_string()}
        }),
        ToBot::MarkDone(name) => json!({
            "event": "mark",
            "sequence_number": s.next_seq(),
            "stream_id": id,
            "mark": {"name": name}
        }),
        ToBot::Cleared => return Vec::new(),
        ToBot::Unknown => json!({
            "event": "transcription",
            "sequence_number": s.next_seq(),
            "stream_id": id
        }),
        ToBot::Stop => json!({
            "event": "stop",
            "sequence_number": s.next_seq(),
            "stop": {"user_id": s.ids.account, "call_control_id": s.ids.call},
            "stream_id": id
        }),
    };
    vec![Wire::json(m)]
}

pub fn judge(s: &Session, wire: &Wire) -> Result<FromBot, Breach> {
    let m = object(wire).map_err(|why| Breach::new(BOT_FRAMES, why))?;
    if let Some(id) = m.get("stream_id") {
        if id.as_str() != Some(s.ids.stream.as_str()) {
            return Err(Breach::new(
                BOT_FRAMES,
                format!("stream_id {id}, the stream's is \"{}\"", s.ids.stream),
            ));
        }
    }
    let field = |outer: &str, inner: &str| {
        m.get(outer)
            .and_then(|o| o.get(inner))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                Breach::new(
                    BOT_FRAMES,
                    format!("{outer} without a string {outer}.{inner}"),
                )
            })
    };
    match m.get("event").and_then(Value::as_str) {
        Some("media") => {
            let bytes = unb64(&field("media", "payload")?).map_err(|e| Breach::new(PAYLOAD, e))?;
            let audio = FromBot::Audio {
                pcm: from_mulaw(&bytes),
                bytes: bytes.clone(),
            };
            if !(MIN_CHUNK..=MAX_CHUNK).contains(&bytes.len()) {
                let detail = format!(
                    "a media payload of {} bytes ({} ms of PCMU)",
                    bytes.len(),
                    bytes.len() / 8
                );
                return Err(Breach::new(CHUNK_LENGTH, detail).hearing(audio));
            }
            Ok(audio)
        }
        Some("mark") => Ok(FromBot::Mark(field("mark", "name")?)),
        Some("clear") => Ok(FromBot::Clear),
        Some(other) => Err(Breach::new(BOT_FRAMES, format!("event \"{other}\""))),
        None => Err(Breach::new(BOT_FRAMES, "a frame without an event")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Platform;
    use super::*;

    #[test]
    fn bot_frames_and_refusals() {
        let s = Session::new(Platform::Telnyx, 3, false);
        let ok = |v: Value| judge(&s, &Wire::Text(v.to_string()));
        let payload = b64(&[0xff; 160]);
        assert!(matches!(
            ok(json!({"event": "media", "media": {"payload": payload}})),
            Ok(FromBot::Audio { .. })
        ));
        assert_eq!(
            ok(json!({"event": "mark", "mark": {"name": "a"}})),
            Ok(FromBot::Mark("a".into()))
        );
        assert_eq!(
            ok(json!({"event": "clear", "stream_id": s.ids.stream})),
            Ok(FromBot::Clear)
        );
        let short = b64(&[0xff; 80]);
        assert_eq!(
            ok(json!({"event": "media", "media": {"payload": short}}))
                .unwrap_err()
                .rule,
            CHUNK_LENGTH
        );
        assert_eq!(
            ok(json!({"event": "clear", "stream_id": "x"}))
                .unwrap_err()
                .rule,
            BOT_FRAMES
        );
        assert_eq!(ok(json!({"event": "speak"})).unwrap_err().rule, BOT_FRAMES);
        assert_eq!(
            judge(&s, &Wire::Binary(vec![1])).unwrap_err().rule,
            BOT_FRAMES
        );
        assert_eq!(
            ok(json!({"event": "media", "media": {"payload": "*"}}))
                .unwrap_err()
                .rule,
            PAYLOAD
        );
    }
}
