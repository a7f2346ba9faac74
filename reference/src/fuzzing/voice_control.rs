//! Fuzz target `voice_control`: the voice protocol's control events, resources and room grants
//! ([fuzz/README.md](../../../fuzz/README.md#voice_control)).

use crate::g711::Codec;
use crate::voice::protocol::{
    codec_param, negotiate_codec, parse_event, route, valid_room_name, Event, Route,
};
use crate::voice::{accept, RoomGrant};
use serde_json::Value;
use std::collections::BTreeSet;

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_event(&text);
    let (path, query) = match text.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (&*text, None),
    };
    check_route(path, query);
    check_grant(&text);
}

fn check_event(text: &str) {
    let Ok(event) = parse_event(text) else { return };
    let json = event.to_json();
    assert_eq!(
        parse_event(&json),
        Ok(event.clone()),
        "{json} reads back differently"
    );
    let kind = match event {
        Event::Participants { .. } => "participants",
        Event::Joined { .. } => "joined",
        Event::Left { .. } => "left",
        Event::Error { .. } => "error",
    };
    let value: Value = serde_json::from_str(&json).expect("to_json writes JSON");
    assert_eq!(value["type"], kind);
}

/// The `codec` parameters of a query, decoded.
fn codec_values(query: Option<&str>) -> Vec<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(k, _)| k == "codec")
        .map(|(_, v)| v.into_owned())
        .collect()
}

fn names(codec: Codec, values: &[String]) -> bool {
    matches!(values, [v] if v.eq_ignore_ascii_case(codec_param(codec)))
}

fn check_route(path: &str, query: Option<&str>) {
    let values = codec_values(query);
    let negotiated = negotiate_codec(query);
    match &negotiated {
        Ok(codec) => assert!(names(*codec, &values), "{query:?} negotiated {codec:?}"),
        Err(r) => {
            assert_eq!(r.status, 400);
            assert!(!Codec::ALL.iter().any(|&c| names(c, &values)));
        }
    }
    let routed = route(path, query);
    match &routed {
        Ok(Some(Route::Room { room, codec })) => {
            assert_eq!(path.strip_prefix("/rooms/"), Some(room.as_str()));
            assert!(valid_room_name(room), "room {room:?}");
            assert!(names(*codec, &values), "room route with codec {values:?}");
        }
        Ok(Some(Route::Echo { codec })) => {
            assert_eq!(path, "/echo");
            assert!(names(*codec, &values), "echo route with codec {values:?}");
        }
        Ok(None) => assert!(
            !path.starts_with("/rooms/") && (path != "/echo" || values.is_empty()),
            "{path}?{query:?} is not a voice route"
        ),
        Err(r) => match r.status {
            404 => assert!(path
                .strip_prefix("/rooms/")
                .is_some_and(|room| !valid_room_name(room))),
            400 => assert!(negotiated.is_err()),
            s => panic!("route refused with {s}"),
        },
    }
    let grant = RoomGrant::Rooms(BTreeSet::from(["granted".to_string()]));
    match (accept(path, query, &grant), routed) {
        (Err(r), Ok(Some(Route::Room { room, .. }))) => {
            assert_eq!(r.status, 403);
            assert!(!grant.allows(&room));
        }
        (Ok(accepted), Ok(routed)) => {
            if let Some(Route::Room { room, .. }) = &accepted {
                assert!(grant.allows(room));
            }
            assert_eq!(accepted, routed);
        }
        (Err(a), Err(r)) => assert_eq!(a, r),
        (a, r) => panic!("accept {a:?} but route {r:?}"),
    }
}

fn check_grant(text: &str) {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return;
    };
    match (RoomGrant::from_claim(&value), &value) {
        (Ok(RoomGrant::All), Value::String(s)) => assert_eq!(s, "*"),
        (Ok(RoomGrant::Rooms(rooms)), Value::Array(items)) => {
            let listed: BTreeSet<String> = items
                .iter()
                .map(|i| i.as_str().expect("granted from a non-string").to_string())
                .collect();
            assert_eq!(rooms, listed);
        }
        (Ok(grant), _) => panic!("{value} read as {grant:?}"),
        (Err(_), Value::String(s)) => assert_ne!(s, "*"),
        (Err(_), Value::Array(items)) => assert!(items.iter().any(|i| !i.is_string())),
        (Err(_), _) => {}
    }
}
