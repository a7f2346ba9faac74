//! Which rooms a connection may enter, and the room check before the 101
//! (docs/voice-protocol.md#2-resources).

use super::protocol::{route, Route};
use crate::handshake::Request;
use crate::response::Rejection;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

//= docs/voice-protocol.md#9-room-scope
//# When an authorization layer is configured, a token's `rooms` claim
//# (`"*"` or an array of room names) limits the rooms a client may join;
//# a request for any other room is refused with 403 (Forbidden) before the
//# upgrade.
/// The rooms a connection may enter, as an authorization layer grants them
/// (a token's `rooms` claim: `"*"` or an array of names).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RoomGrant {
    /// Every room (no authorization configured, or `"*"`).
    #[default]
    All,
    /// Only these.
    Rooms(BTreeSet<String>),
}

impl RoomGrant {
    /// From a `rooms` claim value: `"*"` or an array of strings. Anything
    /// else is an error (the token is refused, not read as "no rooms").
    pub fn from_claim(value: &Value) -> Result<RoomGrant, String> {
        match value {
            Value::String(s) if s == "*" => Ok(RoomGrant::All),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<BTreeSet<String>>>()
                .map(RoomGrant::Rooms)
                .ok_or_else(|| "rooms claim: array of strings expected".into()),
            _ => Err("rooms claim: \"*\" or an array of room names expected".into()),
        }
    }

    /// From a verified token's `rooms` claim, as the bearer check reads it:
    /// a string or an array of strings naming rooms, `"*"` naming all;
    /// other values name nothing, and no claim grants no room.
    pub fn from_token_claim(value: Option<&Value>) -> RoomGrant {
        let names: Vec<&str> = match value {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(s)) => vec![s.as_str()],
            _ => Vec::new(),
        };
        if names.contains(&"*") {
            return RoomGrant::All;
        }
        RoomGrant::Rooms(names.into_iter().map(str::to_string).collect())
    }

    /// Whether this grant lets a connection into `room`.
    pub fn allows(&self, room: &str) -> bool {
        match self {
            RoomGrant::All => true,
            RoomGrant::Rooms(rooms) => rooms.contains(room),
        }
    }
}

/// Decides a request's [`RoomGrant`] (or refuses it, e.g. 401) before the 101:
/// where an authorization layer plugs in.
pub type GrantHook = Arc<dyn Fn(&Request) -> Result<RoomGrant, Rejection> + Send + Sync>;

//= docs/voice-protocol.md#2-codec-negotiation
//# Checks happen in this order: path (404), codec (400), room scope (403,
//# §9).
/// The voice route of a path, admitted under `grant`: `Ok(None)` for a path
/// that is not a voice route; `Err` for a refused voice request (400 codec,
/// 404 room name, 403 room not granted, in that order).
pub fn accept(
    path: &str,
    query: Option<&str>,
    grant: &RoomGrant,
) -> Result<Option<Route>, Rejection> {
    let route = route(path, query)?;
    if let Some(Route::Room { room, .. }) = &route {
        if !grant.allows(room) {
            return Err(Rejection::new(
                403,
                format!("room {room} is not granted to this client"),
            ));
        }
    }
    Ok(route)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants() {
        let some = RoomGrant::from_claim(&serde_json::json!(["a", "b"])).unwrap();
        assert!(some.allows("a"));
        assert!(!some.allows("c"));
        assert!(RoomGrant::from_claim(&serde_json::json!("*"))
            .unwrap()
            .allows("c"));
        assert!(RoomGrant::from_claim(&serde_json::json!("a")).is_err());
        assert!(RoomGrant::from_claim(&serde_json::json!([1])).is_err());
        assert_eq!(
            accept("/rooms/c", Some("codec=pcmu"), &some)
                .unwrap_err()
                .status,
            403
        );
        assert!(accept("/rooms/a", Some("codec=pcmu"), &some).is_ok());
        // The codec is checked before the grant.
        assert_eq!(accept("/rooms/c", None, &some).unwrap_err().status, 400);
    }

    #[test]
    fn token_claims_are_read_leniently() {
        let read = |v: Value| RoomGrant::from_token_claim(Some(&v));
        assert!(read(serde_json::json!("b")).allows("b"));
        assert!(!read(serde_json::json!("b")).allows("a"));
        assert_eq!(read(serde_json::json!(["a", 1, "*"])), RoomGrant::All);
        assert!(read(serde_json::json!(["a", 1])).allows("a"));
        assert!(!read(serde_json::json!(7)).allows("a"));
        assert!(!RoomGrant::from_token_claim(None).allows("a"));
    }
}
