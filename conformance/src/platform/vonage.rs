//! Vonage Voice WebSockets: the messages Vonage sends a bot and the rules
//! for what the bot sends back ([docs/platforms/vonage.md](../../../docs/platforms/vonage.md)).

use super::{object, Breach, FromBot, Session, ToBot, Wire};
use crate::rule::Rule;
use serde_json::{json, Value};

pub const DOC: &str = "docs/platforms/vonage.md";

pub const FRAME_SIZE: Rule = Rule::new(
    "Vonage",
    "Voice WebSockets, writing audio",
    "It is important that each message is 320 or 640 bytes (depending on sample rate) and \
     contains 20ms of audio. (https://developer.vonage.com/en/voice/voice-api/concepts/websockets)",
);
pub const TEXT_MESSAGES: Rule = Rule::new(
    "Vonage",
    "Voice WebSockets",
    "Process both binary messages (audio) and text messages (JSON commands/events). \
     (https://developer.vonage.com/en/voice/voice-api/concepts/websockets)",
);
pub const FORMAT: Rule = Rule::new(
    "Vonage",
    "Voice WebSockets, audio format",
    "The audio codec presently supported on the WebSocket interface is Linear PCM 16-bit, with \
     either a 8kHz or a 16kHz sample rate, and a 20ms frame size. \
     (https://developer.vonage.com/en/voice/voice-api/concepts/websockets)",
);
pub const DTMF: Rule = Rule::new(
    "Vonage",
    "Voice WebSockets, DTMF",
    "You will receive one event for each keypress and each event will contain only one digit. \
     (https://developer.vonage.com/en/voice/voice-api/concepts/websockets)",
);
pub const FIRST_MESSAGE: Rule = Rule::new(
    "Vonage",
    "Voice WebSockets, connecting",
    "After the initial text message subsequent messages on the WebSocket can be text or binary. \
     (https://developer.vonage.com/en/voice/voice-api/concepts/websockets)",
);

/// The commands a bot may send as text.
const ACTIONS: [&str; 2] = ["clear", "notify"];

pub fn to_bot(s: &mut Session, msg: ToBot) -> Vec<Wire> {
    let m = match msg {
        ToBot::Opening => json!({
            "event": "websocket:connected",
            "content-type": format!("audio/l16;rate={}", s.rate),
            "caller": "voxproof"
        }),
        ToBot::Media { pcm, .. } => return vec![Wire::Binary(s.payload(pcm))],
        ToBot::Dtmf(digit) => json!({
            "event": "websocket:dtmf",
            "digit": digit.to_string(),
            "duration": 260
        }),
        ToBot::MarkDone(payload) => json!({
            "event": "websocket:notify",
            "payload": serde_json::from_str::<Value>(&payload).unwrap_or(Value::String(payload))
        }),
        ToBot::Cleared => json!({"event": "websocket:cleared"}),
        ToBot::Unknown => json!({"event": "websocket:transcription"}),
        // Vonage ends a stream by closing the WebSocket.
        ToBot::Stop => return Vec::new(),
    };
    vec![Wire::json(m)]
}

pub fn judge(s: &Session, wire: &Wire) -> Result<FromBot, Breach> {
    if let Wire::Binary(bytes) = wire {
        let want = s.rate as usize / 50 * 2;
        let pcm = bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        let audio = FromBot::Audio {
            pcm,
            bytes: bytes.clone(),
        };
        if bytes.len() != want {
            let detail = format!(
                "a binary message of {} bytes; 20 ms at {} Hz is {want}",
                bytes.len(),
                s.rate
            );
            return Err(Breach::new(FRAME_SIZE, detail).hearing(audio));
        }
        return Ok(audio);
    }
    let m = object(wire).map_err(|why| Breach::new(TEXT_MESSAGES, why))?;
    match m.get("action").and_then(Value::as_str) {
        Some("clear") => Ok(FromBot::Clear),
        Some("notify") => Ok(FromBot::Mark(
            m.get("payload").cloned().unwrap_or(Value::Null).to_string(),
        )),
        _ => Err(Breach {
            strict: false,
            ..Breach::new(
                TEXT_MESSAGES,
                format!(
                    "a text message that is no command ({}): {}",
                    ACTIONS.join(", "),
                    super::clip(&Value::Object(m).to_string())
                ),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Platform;
    use super::*;

    #[test]
    fn audio_is_640_bytes_at_16_khz() {
        let s = Session::new(Platform::Vonage, 1, false);
        assert!(matches!(
            judge(&s, &Wire::Binary(vec![0; 640])),
            Ok(FromBot::Audio { .. })
        ));
        assert_eq!(
            judge(&s, &Wire::Binary(vec![0; 320])).unwrap_err().rule,
            FRAME_SIZE
        );
        assert_eq!(
            judge(&s, &Wire::Binary(vec![0; 641])).unwrap_err().rule,
            FRAME_SIZE
        );
        let clear = Wire::Text(r#"{"action":"clear"}"#.into());
        assert_eq!(judge(&s, &clear), Ok(FromBot::Clear));
        let notify = Wire::Text(r#"{"action":"notify","payload":{"n":1}}"#.into());
        assert_eq!(judge(&s, &notify), Ok(FromBot::Mark(r#"{"n":1}"#.into())));
        let b = judge(&s, &Wire::Text("hello".into())).unwrap_err();
        assert_eq!((b.rule, b.strict), (TEXT_MESSAGES, true));
        let b = judge(&s, &Wire::Text(r#"{"action":"dance"}"#.into())).unwrap_err();
        assert!(!b.strict);
    }
}
