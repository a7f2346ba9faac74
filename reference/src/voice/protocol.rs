//! The voice protocol's values (docs/voice-protocol.md): routes, codec
//! negotiation, frame size, control events. Pure: strings in, decisions out.

use crate::g711::Codec;
use crate::response::Rejection;
use serde::{Deserialize, Serialize};

//= docs/voice-protocol.md#3-audio-frames
//# Every binary message, both ways, is one 20 ms frame of G.711 in the
//# participant's codec: exactly 160 bytes, one code per sample at 8000
//# samples/s.
/// One frame lasts 20 ms.
pub const FRAME_MS: u64 = 20;
/// 20 ms of G.711 at 8000 samples/s, one byte per sample.
pub const FRAME_BYTES: usize = 160;
/// A room's clock: 50 frames per second.
pub const FRAMES_PER_SECOND: u32 = 50;
/// Longest room name, in bytes.
pub const MAX_ROOM_NAME: usize = 64;

/// One 20 ms G.711 frame.
pub type Frame = [u8; FRAME_BYTES];

//= docs/voice-protocol.md#5-close-codes
//# A binary message of any other size closes the connection with 1007.
/// Close code for a binary message that is not one frame (§5): RFC 6455
/// §7.4.1's 1007, "data within a message that was not consistent with the
/// type of the message".
pub const CLOSE_FRAME_SIZE: u16 = 1007;

/// A voice resource the request names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/rooms/{room}?codec=…`
    Room { room: String, codec: Codec },
    /// `/echo?codec=…`: the participant's own audio back.
    Echo { codec: Codec },
}

/// The codec's name in URLs and events: `pcmu` or `pcma`.
pub fn codec_param(codec: Codec) -> &'static str {
    match codec {
        Codec::Pcmu => "pcmu",
        Codec::Pcma => "pcma",
    }
}

//= docs/voice-protocol.md#1-resources
//# A room name is 1–64 characters of `A–Z a–z 0–9 - . _ ~` (URI
//# "unreserved", RFC 3986 §2.3, so it never needs percent-encoding); any
//# other path under `/rooms/` gets 404.
/// Room names: 1–64 URI "unreserved" characters (RFC 3986 §2.3), so a name
/// needs no percent-encoding anywhere.
pub fn valid_room_name(name: &str) -> bool {
    (1..=MAX_ROOM_NAME).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

//= docs/voice-protocol.md#2-codec-negotiation
//# The `codec` query parameter is required and names the participant's
//# codec: `pcmu` (G.711 µ-law) or `pcma` (G.711 A-law). A request without
//# it, with another value, or with it twice is refused with 400 (Bad
//# Request) before the upgrade. [...]
//# Values are compared ASCII case-insensitively.
/// The `codec` query parameter: exactly one, `pcmu` or `pcma` (ASCII
/// case-insensitive). Anything else is refused with 400 before the upgrade.
pub fn negotiate_codec(query: Option<&str>) -> Result<Codec, Rejection> {
    let values: Vec<String> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(k, _)| k == "codec")
        .map(|(_, v)| v.into_owned())
        .collect();
    match values.as_slice() {
        [] => Err(Rejection::new(
            400,
            "codec query parameter missing: use ?codec=pcmu or ?codec=pcma",
        )),
        [v] => Codec::from_name(v).ok_or_else(|| {
            Rejection::new(
                400,
                format!("codec {v:?} not supported: use ?codec=pcmu or ?codec=pcma"),
            )
        }),
        _ => Err(Rejection::new(400, "more than one codec query parameter")),
    }
}

/// Whether a request is for a voice resource, and which. `Ok(None)`: not a
/// voice route (plain `/echo` without `codec` stays the echo of every message).
pub fn route(path: &str, query: Option<&str>) -> Result<Option<Route>, Rejection> {
    if path == "/echo" {
        let has_codec =
            url::form_urlencoded::parse(query.unwrap_or("").as_bytes()).any(|(k, _)| k == "codec");
        if !has_codec {
            return Ok(None);
        }
        return negotiate_codec(query).map(|codec| Some(Route::Echo { codec }));
    }
    let Some(room) = path.strip_prefix("/rooms/") else {
        return Ok(None);
    };
    if !valid_room_name(room) {
        return Err(Rejection::new(
            404,
            "no such room resource: room names are 1-64 characters of A-Z a-z 0-9 - . _ ~",
        ));
    }
    let codec = negotiate_codec(query)?;
    Ok(Some(Route::Room {
        room: room.to_string(),
        codec,
    }))
}

/// A participant as events name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Unique within the room while it exists, e.g. `p3`.
    pub id: String,
    /// `pcmu` or `pcma`.
    pub codec: String,
}

//= docs/voice-protocol.md#4-control-events
//# Text messages carry JSON control events from the server. Each has a
//# `type`:
/// Control events the server sends as text messages (§4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Event {
    /// To a participant that has just joined: itself and everybody present
    /// (itself included), in order of arrival.
    Participants {
        room: String,
        you: String,
        participants: Vec<Participant>,
    },
    /// To the others, when a participant joins.
    Joined {
        room: String,
        participant: Participant,
    },
    /// To the others, when a participant leaves.
    Left { room: String, participant: String },
    /// Something the participant sent was refused.
    Error { code: String, message: String },
}

impl Event {
    pub fn to_json(&self) -> String {
        // Serializing these plain structs cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn error(code: &str, message: impl Into<String>) -> Event {
        Event::Error {
            code: code.into(),
            message: message.into(),
        }
    }
}

//= docs/voice-protocol.md#4-control-events
//# A client reads an event by its `type` and ignores members it does not
//# know, so later versions can add some;
/// Reads a control event from the text of a message (§4), as a client does.
/// Members the event's type does not define are ignored, so a client keeps
/// working when later versions add some; a missing or mistyped member, an
/// unknown `type` or a duplicate member name is an error.
pub fn parse_event(text: &str) -> Result<Event, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// One line for people, as `voxproof-client` prints events.
impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::Participants {
                room,
                you,
                participants,
            } => {
                let list: Vec<String> = participants
                    .iter()
                    .map(|p| format!("{} ({})", p.id, p.codec))
                    .collect();
                write!(f, "in room {room} as {you}: {}", list.join(", "))
            }
            Event::Joined { room, participant } => write!(
                f,
                "{} ({}) joined room {room}",
                participant.id, participant.codec
            ),
            Event::Left { room, participant } => write!(f, "{participant} left room {room}"),
            Event::Error { code, message } => {
                write!(f, "error from the server ({code}): {message}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("/echo", None).unwrap(), None);
        assert_eq!(route("/echo", Some("x=1")).unwrap(), None);
        assert_eq!(
            route("/echo", Some("codec=pcma")).unwrap(),
            Some(Route::Echo { codec: Codec::Pcma })
        );
        assert_eq!(
            route("/rooms/a-1", Some("codec=PCMU")).unwrap(),
            Some(Route::Room {
                room: "a-1".into(),
                codec: Codec::Pcmu
            })
        );
        assert_eq!(route("/other", None).unwrap(), None);
        assert_eq!(route("/rooms/x", None).unwrap_err().status, 400);
        assert_eq!(
            route("/rooms/x", Some("codec=opus")).unwrap_err().status,
            400
        );
        assert_eq!(
            route("/rooms/x", Some("codec=pcmu&codec=pcma"))
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(route("/echo", Some("codec=")).unwrap_err().status, 400);
        assert_eq!(
            route("/rooms/", Some("codec=pcmu")).unwrap_err().status,
            404
        );
        assert_eq!(
            route("/rooms/a/b", Some("codec=pcmu")).unwrap_err().status,
            404
        );
        assert_eq!(
            route(&format!("/rooms/{}", "r".repeat(65)), Some("codec=pcmu"))
                .unwrap_err()
                .status,
            404
        );
    }

    #[test]
    fn events_have_the_documented_json() {
        let e = Event::Joined {
            room: "r".into(),
            participant: Participant {
                id: "p2".into(),
                codec: "pcma".into(),
            },
        };
        assert_eq!(
            e.to_json(),
            r#"{"type":"joined","room":"r","participant":{"id":"p2","codec":"pcma"}}"#
        );
        let l = Event::Left {
            room: "r".into(),
            participant: "p2".into(),
        };
        assert_eq!(
            l.to_json(),
            r#"{"type":"left","room":"r","participant":"p2"}"#
        );
        assert_eq!(parse_event(&e.to_json()), Ok(e));
        assert_eq!(
            parse_event(r#"{"type":"left","room":"r","participant":"p2","later":1}"#),
            Ok(l)
        );
        assert!(parse_event(r#"{"type":"left","room":"r"}"#).is_err());
        assert!(parse_event(r#"{"type":"gone","room":"r","participant":"p2"}"#).is_err());
        assert_eq!(
            Event::error("frame-size", "x").to_json(),
            r#"{"type":"error","code":"frame-size","message":"x"}"#
        );
    }
}
