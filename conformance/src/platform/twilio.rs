//! Twilio Media Streams: the messages Twilio sends a bot and the rules for
//! what the bot sends back ([docs/platforms/twilio.md](../../../docs/platforms/twilio.md)).

use super::{
    b64, field_problems, from_mulaw, object, unb64, Breach, FromBot, Session, ToBot, Wire,
};
use crate::rule::Rule;
use serde_json::{json, Value};

pub const DOC: &str = "docs/platforms/twilio.md";

/// Error 31950: binary frames.
pub const BINARY: Rule = Rule::new(
    "Twilio",
    "Error 31950",
    "Send Media Streams messages as text WebSocket messages. Do not use binary frames. \
     (https://www.twilio.com/docs/api/errors/31950)",
);
pub const NOT_JSON: Rule = Rule::new(
    "Twilio",
    "Error 31951",
    "Message does not have JSON format (https://www.twilio.com/docs/api/errors/31951)",
);
pub const UNKNOWN_TYPE: Rule = Rule::new(
    "Twilio",
    "Error 31951",
    "Unknown message type (https://www.twilio.com/docs/api/errors/31951)",
);
pub const FIELDS: Rule = Rule::new(
    "Twilio",
    "Error 31951",
    "Missing or extra field in message (https://www.twilio.com/docs/api/errors/31951)",
);
pub const STREAM_SID: Rule = Rule::new(
    "Twilio",
    "Error 31951",
    "Wrong Stream SID used in message (https://www.twilio.com/docs/api/errors/31951)",
);
pub const PAYLOAD: Rule = Rule::new(
    "Twilio",
    "Media Streams, media message",
    "The payload must be encoded `audio/x-mulaw` with a sample rate of `8000` and must be \
     base64 encoded. The audio can be of any size. \
     (https://www.twilio.com/docs/voice/media-streams/websocket-messages)",
);
pub const HEADER_BYTES: Rule = Rule::new(
    "Twilio",
    "Media Streams, media message",
    "The `media.payload` should not contain audio file type header bytes. Providing header bytes \
     causes the media to be streamed incorrectly. \
     (https://www.twilio.com/docs/voice/media-streams/websocket-messages)",
);
pub const CONTROL_FRAGMENTED: Rule = Rule::new(
    "Twilio",
    "Error 31924",
    "The WebSocket control frame was fragmented. (https://www.twilio.com/docs/api/errors/31924)",
);
/// A bot receives dtmf messages.
pub const DTMF: Rule = Rule::new(
    "Twilio",
    "Media Streams, dtmf message",
    "A `dtmf` message is sent when someone presses a touch-tone number key in the inbound \
     stream, typically in response to a prompt in the outbound stream. \
     (https://www.twilio.com/docs/voice/media-streams/websocket-messages)",
);
/// Media carry their own timestamps: a late burst still says when each was spoken.
pub const TIMESTAMP: Rule = Rule::new(
    "Twilio",
    "Media Streams, media message",
    "Presentation Timestamp in Milliseconds from the start of the stream. \
     (https://www.twilio.com/docs/voice/media-streams/websocket-messages)",
);
pub const VERSION: Rule = Rule::new(
    "Twilio",
    "Media Streams, connected message",
    "Semantic version of the protocol. \
     (https://www.twilio.com/docs/voice/media-streams/websocket-messages)",
);
pub const MARK: Rule = Rule::new(
    "Twilio",
    "Media Streams, mark message",
    "When that `media` message's playback is complete, Twilio sends a `mark` message to your \
     server using the same `mark.name` as the one your server sent. \
     (https://www.twilio.com/docs/voice/media-streams/websocket-messages)",
);
pub const CLEAR: Rule = Rule::new(
    "Twilio",
    "Media Streams, clear message",
    "Send a `clear` message if you want to interrupt the audio that has been sent in various \
     `media` messages. (https://www.twilio.com/docs/voice/media-streams/websocket-messages)",
);
pub const STOP: Rule = Rule::new(
    "Twilio",
    "Media Streams, stop message",
    "Twilio sends a `stop` message when the Stream has stopped or the call has ended. \
     (https://www.twilio.com/docs/voice/media-streams/websocket-messages)",
);
pub const SIGNATURE: Rule = Rule::new(
    "Twilio",
    "Media Streams firewall configuration",
    "You must also configure your application to validate the `X-Twilio-Signature` header. \
     (https://www.twilio.com/docs/global-infrastructure/firewall-configurations/media-streams-configuration)",
);

pub fn to_bot(s: &mut Session, msg: ToBot) -> Vec<Wire> {
    let sid = s.ids.stream.clone();
    let m = match msg {
        ToBot::Opening => {
            let start = json!({
                "event": "start",
                "sequenceNumber": s.next_seq(),
                "start": {
                    "accountSid": s.ids.account,
                    "streamSid": sid,
                    "callSid": s.ids.call,
                    "tracks": ["inbound"],
                    "customParameters": {"caller": "voxproof"},
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}
                },
                "streamSid": sid
            });
            return vec![
                Wire::json(json!({"event": "connected", "protocol": "Call", "version": "1.0.0"})),
                Wire::json(start),
            ];
        }
        ToBot::Media { index, pcm } => json!({
            "event": "media",
            "sequenceNumber": s.next_seq(),
            "media": {
                "track": "inbound",
                "chunk": (index + 1).to_string(),
                "timestamp": (index * 20).to_string(),
                "payload": b64(&s.payload(pcm))
            },
            "streamSid": sid
        }),
        ToBot::Dtmf(digit) => json!({
            "event": "dtmf",
            "streamSid": sid,
            "sequenceNumber": s.next_seq(),
            "dtmf": {"track": "inbound_track", "digit": digit.to_string()}
        }),
        ToBot::MarkDone(name) => json!({
            "event": "mark",
            "sequenceNumber": s.next_seq(),
            "streamSid": sid,
            "mark": {"name": name}
        }),
        ToBot::Cleared => return Vec::new(),
        ToBot::Unknown => json!({
            "event": "transcription",
            "sequenceNumber": s.next_seq(),
            "streamSid": sid
        }),
        ToBot::Stop => json!({
            "event": "stop",
            "sequenceNumber": s.next_seq(),
            "stop": {"accountSid": s.ids.account, "callSid": s.ids.call},
            "streamSid": sid
        }),
    };
    vec![Wire::json(m)]
}

pub fn judge(s: &Session, wire: &Wire) -> Result<FromBot, Breach> {
    let m = object(wire).map_err(|why| match wire {
        Wire::Binary(b) => Breach::new(BINARY, format!("a binary message of {} bytes", b.len()))
            .hearing(FromBot::Audio {
                pcm: from_mulaw(b),
                bytes: b.clone(),
            }),
        Wire::Text(_) => Breach::new(NOT_JSON, why),
    })?;
    let event = m.get("event").and_then(Value::as_str).unwrap_or_default();
    let (allowed, inner): (&[&str], Option<(&str, &[&str])>) = match event {
        "media" => (
            &["event", "streamSid", "media"],
            Some(("media", &["payload"])),
        ),
        "mark" => (&["event", "streamSid", "mark"], Some(("mark", &["name"]))),
        "clear" => (&["event", "streamSid"], None),
        "" => return Err(Breach::new(UNKNOWN_TYPE, "a message without an event")),
        other => return Err(Breach::new(UNKNOWN_TYPE, format!("event \"{other}\""))),
    };
    if let Some(p) = field_problems(&m, allowed, allowed) {
        return Err(Breach::new(FIELDS, format!("{event}: {p}")));
    }
    match m.get("streamSid").and_then(Value::as_str) {
        Some(sid) if sid == s.ids.stream => {}
        got => {
            return Err(Breach::new(
                STREAM_SID,
                format!(
                    "{event} with streamSid {got:?}, the stream's is \"{}\"",
                    s.ids.stream
                ),
            ))
        }
    }
    let Some((key, fields)) = inner else {
        return Ok(FromBot::Clear);
    };
    let body = m.get(key).and_then(Value::as_object);
    let Some(body) = body else {
        return Err(Breach::new(
            FIELDS,
            format!("{event}: \"{key}\" is not an object"),
        ));
    };
    if let Some(p) = field_problems(body, fields, fields) {
        return Err(Breach::new(FIELDS, format!("{event}.{key}: {p}")));
    }
    let text = body.get(fields[0]).and_then(Value::as_str);
    let Some(text) = text else {
        return Err(Breach::new(
            FIELDS,
            format!("{event}.{key}.{} is not a string", fields[0]),
        ));
    };
    if event == "mark" {
        return Ok(FromBot::Mark(text.to_string()));
    }
    let bytes = unb64(text).map_err(|e| Breach::new(PAYLOAD, e))?;
    let audio = FromBot::Audio {
        pcm: from_mulaw(&bytes),
        bytes: bytes.clone(),
    };
    if bytes.starts_with(b"RIFF") {
        let b = Breach::new(HEADER_BYTES, "the payload starts with a RIFF (WAV) header");
        return Err(Breach { strict: false, ..b }.hearing(audio));
    }
    Ok(audio)
}

#[cfg(test)]
mod tests {
    use super::super::{Platform, Session};
    use super::*;

    fn session() -> Session {
        Session::new(Platform::Twilio, 7, false)
    }

    fn text(v: Value) -> Wire {
        Wire::Text(v.to_string())
    }

    #[test]
    fn well_formed_bot_messages() {
        let s = session();
        let sid = s.ids.stream.clone();
        let media = text(json!({"event": "media", "streamSid": sid, "media": {"payload": "//8A"}}));
        assert_eq!(
            judge(&s, &media),
            Ok(FromBot::Audio {
                pcm: from_mulaw(&[0xff, 0xff, 0]),
                bytes: vec![0xff, 0xff, 0]
            })
        );
        let mark = text(json!({"event": "mark", "streamSid": sid, "mark": {"name": "m1"}}));
        assert_eq!(judge(&s, &mark), Ok(FromBot::Mark("m1".into())));
        let clear = text(json!({"event": "clear", "streamSid": sid}));
        assert_eq!(judge(&s, &clear), Ok(FromBot::Clear));
    }

    #[test]
    fn each_refusal_names_its_rule() {
        let s = session();
        let sid = s.ids.stream.clone();
        let rule = |w: Wire| judge(&s, &w).unwrap_err().rule;
        assert_eq!(rule(Wire::Binary(vec![0; 160])), BINARY);
        assert_eq!(rule(Wire::Text("{\"event\":".into())), NOT_JSON);
        assert_eq!(rule(Wire::Text("[1]".into())), NOT_JSON);
        assert_eq!(
            rule(text(json!({"event": "play", "streamSid": sid}))),
            UNKNOWN_TYPE
        );
        assert_eq!(rule(text(json!({"event": "clear"}))), FIELDS);
        assert_eq!(
            rule(text(json!({"event": "clear", "streamSid": "MZ0"}))),
            STREAM_SID
        );
        assert_eq!(
            rule(text(json!({"event": "clear", "streamSid": sid, "x": 1}))),
            FIELDS
        );
        assert_eq!(
            rule(text(
                json!({"event": "media", "streamSid": sid, "media": {"payload": "%%"}})
            )),
            PAYLOAD
        );
        let wav = b64(b"RIFF\x24\x00\x00\x00WAVE");
        let b = judge(
            &s,
            &text(json!({"event": "media", "streamSid": sid, "media": {"payload": wav}})),
        )
        .unwrap_err();
        assert_eq!((b.rule, b.strict), (HEADER_BYTES, false));
    }

    #[test]
    fn the_opening_is_connected_then_start_numbered_from_one() {
        let mut s = session();
        let open = s.to_bot(ToBot::Opening);
        let Wire::Text(start) = &open[1] else {
            panic!()
        };
        let start: Value = serde_json::from_str(start).unwrap();
        assert_eq!(start["sequenceNumber"], "1");
        assert_eq!(start["start"]["mediaFormat"]["sampleRate"], 8000);
        let media = s.to_bot(ToBot::Media {
            index: 0,
            pcm: &[0; 160],
        });
        let Wire::Text(media) = &media[0] else {
            panic!()
        };
        let media: Value = serde_json::from_str(media).unwrap();
        assert_eq!(media["sequenceNumber"], "2");
        assert_eq!(media["media"]["chunk"], "1");
        assert_eq!(media["media"]["payload"].as_str().unwrap().len(), 216);
    }
}
