//! Vonage's WebSocket: a JSON greeting naming the L16 rate, binary PCM frames, JSON events
//! and actions ([docs/telephony.md](../../../docs/telephony.md#reference-bot)).

use super::call::{BotAction, CallEvent, Format, WsMessage};
use serde_json::{json, Value};

/// The format `audio/l16;rate=16000` names; None for anything else.
pub fn format_of(content_type: &str) -> Option<Format> {
    let mut parts = content_type.split(';').map(str::trim);
    if !parts.next()?.eq_ignore_ascii_case("audio/l16") {
        return None;
    }
    let rate: u32 = parts.find_map(|p| p.strip_prefix("rate="))?.parse().ok()?;
    // Whole 20 ms frames: 8000 and 16000 are what Vonage offers.
    (rate > 0 && rate.is_multiple_of(50) && rate <= 48_000).then_some(Format::L16 { rate })
}

/// A message from Vonage. Binary messages are audio; text ones are events.
pub fn parse(message: &WsMessage) -> CallEvent {
    let text = match message {
        WsMessage::Binary(payload) => {
            return CallEvent::Audio {
                payload: payload.clone(),
                chunk: None,
            }
        }
        WsMessage::Text(text) => text,
    };
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return CallEvent::Other;
    };
    let string = |v: &Value| v.as_str().map(str::to_string);
    let event = match v["event"].as_str() {
        // The first message; the other fields are the NCCO's custom headers.
        Some("websocket:connected") => Some(CallEvent::Start {
            stream: string(&v["uuid"]).unwrap_or_default(),
            format: v["content-type"].as_str().and_then(format_of),
        }),
        Some("websocket:dtmf") => string(&v["digit"])
            .or_else(|| string(&v["dtmf"]["digit"]))
            .map(|digit| CallEvent::Dtmf { digit }),
        // The answer to a notify action: the bot's marks travel as its payload.
        Some("websocket:notify") => {
            string(&v["payload"]["name"]).map(|name| CallEvent::Mark { name })
        }
        _ => None,
    };
    event.unwrap_or(CallEvent::Other)
}

/// The message for `action`: audio as one binary frame, the rest as actions.
pub fn encode(action: &BotAction) -> WsMessage {
    match action {
        BotAction::Audio(frame) => WsMessage::Binary(frame.clone()),
        BotAction::Mark(name) => {
            WsMessage::Text(json!({"action": "notify", "payload": {"name": name}}).to_string())
        }
        BotAction::Clear => WsMessage::Text(json!({"action": "clear"}).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: Value) -> WsMessage {
        WsMessage::Text(v.to_string())
    }

    #[test]
    fn events() {
        let connected = json!({"event": "websocket:connected", "content-type": "audio/l16;rate=16000", "caller": "x"});
        assert_eq!(
            parse(&text(connected)),
            CallEvent::Start {
                stream: String::new(),
                format: Some(Format::L16 { rate: 16000 })
            }
        );
        assert_eq!(
            parse(&text(
                json!({"event": "websocket:dtmf", "digit": "5", "duration": 260})
            )),
            CallEvent::Dtmf { digit: "5".into() }
        );
        assert_eq!(
            parse(&text(
                json!({"event": "websocket:notify", "payload": {"name": "m"}})
            )),
            CallEvent::Mark { name: "m".into() }
        );
        for other in [
            json!({"event": "websocket:cleared"}),
            json!({"event": "websocket:notify", "payload": {"id": 1}}),
            json!({"event": "websocket:media:update"}),
            json!("text"),
        ] {
            assert_eq!(parse(&text(other)), CallEvent::Other);
        }
        assert_eq!(
            parse(&WsMessage::Binary(vec![1, 2])),
            CallEvent::Audio {
                payload: vec![1, 2],
                chunk: None
            }
        );
    }

    #[test]
    fn content_types() {
        assert_eq!(
            format_of("audio/l16;rate=8000"),
            Some(Format::L16 { rate: 8000 })
        );
        assert_eq!(
            format_of("audio/L16; rate=16000"),
            Some(Format::L16 { rate: 16000 })
        );
        for bad in [
            "audio/l16",
            "audio/pcmu;rate=8000",
            "audio/l16;rate=8001",
            "",
        ] {
            assert_eq!(format_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn actions() {
        assert_eq!(
            encode(&BotAction::Audio(vec![1, 2])),
            WsMessage::Binary(vec![1, 2])
        );
        assert_eq!(
            encode(&BotAction::Clear),
            WsMessage::Text(r#"{"action":"clear"}"#.into())
        );
        assert_eq!(
            encode(&BotAction::Mark("m".into())),
            WsMessage::Text(r#"{"action":"notify","payload":{"name":"m"}}"#.into())
        );
    }
}
