//! The JSON media-stream protocol Twilio and Telnyx share, in each one's spelling
//! ([docs/telephony.md](../../../docs/telephony.md#reference-bot)).

use super::call::{number, BotAction, CallEvent, Format};
use crate::g711::Codec;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

/// Whose spelling: Twilio's camelCase or Telnyx's snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Twilio,
    Telnyx,
}

impl Dialect {
    fn stream_key(self) -> &'static str {
        match self {
            Dialect::Twilio => "streamSid",
            Dialect::Telnyx => "stream_id",
        }
    }

    /// The call's format from `start.mediaFormat` / `start.media_format`;
    /// absent, the platform's default (µ-law at 8 kHz on both).
    fn format(self, start: &Value) -> Option<Format> {
        let (key, rate_key) = match self {
            Dialect::Twilio => ("mediaFormat", "sampleRate"),
            Dialect::Telnyx => ("media_format", "sample_rate"),
        };
        let media_format = &start[key];
        if media_format.is_null() {
            return Some(Format::G711(Codec::Pcmu));
        }
        let rate = number(&media_format[rate_key]).unwrap_or(8000);
        let codec = match media_format["encoding"].as_str()? {
            "audio/x-mulaw" => Some(Codec::Pcmu),
            "audio/x-alaw" => Some(Codec::Pcma),
            // Telnyx names RTP encodings. L16 is not taken: RTP's L16 is
            // big-endian, and the bot has no use for it yet.
            other => Codec::from_name(other),
        }?;
        (rate == 8000).then_some(Format::G711(codec))
    }
}

/// A text message from the platform. Unknown events, missing or extra
/// fields and text that is not JSON are [`CallEvent::Other`].
pub fn parse(dialect: Dialect, text: &str) -> CallEvent {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return CallEvent::Other;
    };
    let string = |v: &Value| v.as_str().map(str::to_string);
    let event = match v["event"].as_str() {
        Some("start") => Some(CallEvent::Start {
            // At the top level in both; Twilio repeats it inside `start`.
            stream: string(&v[dialect.stream_key()])
                .or_else(|| string(&v["start"][dialect.stream_key()]))
                .unwrap_or_default(),
            format: dialect.format(&v["start"]),
        }),
        Some("media") => {
            let media = &v["media"];
            // With both tracks streamed, `outbound` is what the caller
            // hears — the bot's own audio — not the caller.
            let caller = media["track"]
                .as_str()
                .is_none_or(|t| t.starts_with("inbound"));
            let payload = media["payload"]
                .as_str()
                .and_then(|p| STANDARD.decode(p).ok());
            payload.filter(|_| caller).map(|payload| CallEvent::Audio {
                payload,
                chunk: number(&media["chunk"]),
            })
        }
        Some("dtmf") => string(&v["dtmf"]["digit"]).map(|digit| CallEvent::Dtmf { digit }),
        Some("mark") => string(&v["mark"]["name"]).map(|name| CallEvent::Mark { name }),
        Some("stop") => Some(CallEvent::Stop),
        _ => None,
    };
    event.unwrap_or(CallEvent::Other)
}

/// The text message that asks the platform for `action` on `stream`.
/// Twilio needs the stream's SID in each; Telnyx has one stream per socket.
pub fn encode(dialect: Dialect, action: &BotAction, stream: &str) -> String {
    let mut message = match action {
        BotAction::Audio(payload) => {
            json!({"event": "media", "media": {"payload": STANDARD.encode(payload)}})
        }
        BotAction::Mark(name) => json!({"event": "mark", "mark": {"name": name}}),
        BotAction::Clear => json!({"event": "clear"}),
    };
    if dialect == Dialect::Twilio {
        message["streamSid"] = json!(stream);
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_messages() {
        let start = r#"{"event":"start","sequenceNumber":"1","start":{"streamSid":"MZ1",
            "accountSid":"AC1","callSid":"CA1","tracks":["inbound"],"customParameters":{},
            "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},
            "streamSid":"MZ1"}"#;
        assert_eq!(
            parse(Dialect::Twilio, start),
            CallEvent::Start {
                stream: "MZ1".into(),
                format: Some(Format::G711(Codec::Pcmu))
            }
        );
        let media = r#"{"event":"media","sequenceNumber":"3","media":{"track":"inbound",
            "chunk":"1","timestamp":"5","payload":"AAEC"},"streamSid":"MZ1","new":{"x":1}}"#;
        assert_eq!(
            parse(Dialect::Twilio, media),
            CallEvent::Audio {
                payload: vec![0, 1, 2],
                chunk: Some(1)
            }
        );
        let outbound = media.replace("\"inbound\"", "\"outbound\"");
        assert_eq!(parse(Dialect::Twilio, &outbound), CallEvent::Other);
        let dtmf = r#"{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5",
            "dtmf":{"track":"inbound_track","digit":"1"}}"#;
        assert_eq!(
            parse(Dialect::Twilio, dtmf),
            CallEvent::Dtmf { digit: "1".into() }
        );
        let mark = r#"{"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"m"}}"#;
        assert_eq!(
            parse(Dialect::Twilio, mark),
            CallEvent::Mark { name: "m".into() }
        );
        let stop = r#"{"event":"stop","sequenceNumber":"5","streamSid":"MZ1",
            "stop":{"accountSid":"AC1","callSid":"CA1"}}"#;
        assert_eq!(parse(Dialect::Twilio, stop), CallEvent::Stop);
    }

    #[test]
    fn telnyx_messages() {
        let start = r#"{"event":"start","sequence_number":"1","stream_id":"S1",
            "start":{"call_control_id":"v3:x","media_format":
            {"encoding":"PCMA","sample_rate":8000,"channels":1}}}"#;
        assert_eq!(
            parse(Dialect::Telnyx, start),
            CallEvent::Start {
                stream: "S1".into(),
                format: Some(Format::G711(Codec::Pcma))
            }
        );
        let wideband = start.replace("\"PCMA\"", "\"G722\"");
        assert!(matches!(
            parse(Dialect::Telnyx, &wideband),
            CallEvent::Start { format: None, .. }
        ));
        let media = r#"{"event":"media","sequence_number":"4","media":{"track":"inbound",
            "chunk":"2","timestamp":"5","payload":"/w=="},"stream_id":"S1"}"#;
        assert_eq!(
            parse(Dialect::Telnyx, media),
            CallEvent::Audio {
                payload: vec![0xFF],
                chunk: Some(2)
            }
        );
    }

    #[test]
    fn what_is_not_understood_is_other() {
        for text in [
            "not json",
            "[]",
            r#"{"event":"connected","protocol":"Call","version":"1.0.0"}"#,
            r#"{"event":"error","payload":{"code":100003}}"#,
            r#"{"event":"media","media":{"payload":"***"}}"#,
            r#"{"event":"mark"}"#,
            r#"{"event":7}"#,
        ] {
            assert_eq!(parse(Dialect::Twilio, text), CallEvent::Other, "{text}");
        }
    }

    #[test]
    fn encoding() {
        let v = |s: String| serde_json::from_str::<Value>(&s).unwrap();
        assert_eq!(
            v(encode(
                Dialect::Twilio,
                &BotAction::Audio(vec![0, 1, 2]),
                "MZ1"
            )),
            json!({"event": "media", "streamSid": "MZ1", "media": {"payload": "AAEC"}})
        );
        assert_eq!(
            v(encode(Dialect::Twilio, &BotAction::Mark("m".into()), "MZ1")),
            json!({"event": "mark", "streamSid": "MZ1", "mark": {"name": "m"}})
        );
        assert_eq!(
            v(encode(Dialect::Telnyx, &BotAction::Clear, "S1")),
            json!({"event": "clear"})
        );
    }
}
