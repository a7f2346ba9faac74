//! Voice rooms (docs/voice-protocol.md): `/rooms/{room}?codec=pcmu|pcma`
//! and `/echo?codec=…`.
//!
//! * [`protocol`] — routes, codec negotiation, frame size, control events (pure).
//! * [`mixer`] — the N−1 mix of one tick (pure).
//! * [`jitter`] — the bounded per-participant buffer (pure).
//! * [`room`] — the room state (pure) and the task that clocks it.
//! * this module — the connection glue: the decision before the 101
//!   ([`accept`]), the room registry ([`Hub`]), the WebSocket loop ([`serve`]).

pub mod jitter;
pub mod mixer;
pub mod protocol;
pub mod room;

use crate::handshake::{Rejection, Request};
use futures_util::{SinkExt, StreamExt};
use protocol::{Event, Frame, Route, CLOSE_FRAME_SIZE, FRAME_BYTES};
use room::{Buffering, Command, Out};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

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
    pub fn from_claim(value: &serde_json::Value) -> Result<RoomGrant, String> {
        match value {
            serde_json::Value::String(s) if s == "*" => Ok(RoomGrant::All),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<BTreeSet<String>>>()
                .map(RoomGrant::Rooms)
                .ok_or_else(|| "rooms claim: array of strings expected".into()),
            _ => Err("rooms claim: \"*\" or an array of room names expected".into()),
        }
    }
}

/// Whether `grant` lets a connection into `room`.
pub fn room_allowed(grant: &RoomGrant, room: &str) -> bool {
    match grant {
        RoomGrant::All => true,
        RoomGrant::Rooms(rooms) => rooms.contains(room),
    }
}

/// Decides a request's [`RoomGrant`] (or refuses it, e.g. 401) before the 101:
/// where an authorization layer plugs in.
pub type GrantHook = Arc<dyn Fn(&Request) -> Result<RoomGrant, Rejection> + Send + Sync>;

/// The voice settings of the server.
#[derive(Clone, Default)]
pub struct VoiceConfig {
    pub buffering: Buffering,
    /// None: every room is open to everybody.
    pub grant: Option<GrantHook>,
}

impl std::fmt::Debug for VoiceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceConfig")
            .field("buffering", &self.buffering)
            .field("grant", &self.grant.as_ref().map(|_| "hook"))
            .finish()
    }
}

/// The decision before the 101: `Ok(None)` for a path that is not a voice
/// route; `Err` for a refused voice request (400 codec, 404 room name, 403
/// room not granted).
pub fn accept(
    path: &str,
    query: Option<&str>,
    grant: &RoomGrant,
) -> Result<Option<Route>, Rejection> {
    let route = protocol::route(path, query)?;
    if let Some(Route::Room { room, .. }) = &route {
        if !room_allowed(grant, room) {
            return Err(Rejection::new(
                403,
                format!("room {room} is not granted to this client"),
            ));
        }
    }
    Ok(route)
}

/// [`accept`] with the grant the configured hook gives (all rooms without one).
pub fn accept_request(
    request: &Request,
    path: &str,
    query: Option<&str>,
    config: &VoiceConfig,
) -> Result<Option<Route>, Rejection> {
    if protocol::route(path, query)?.is_none() {
        return Ok(None);
    }
    let grant = match &config.grant {
        Some(hook) => hook(request)?,
        None => RoomGrant::All,
    };
    accept(path, query, &grant)
}

struct RoomEntry {
    commands: mpsc::Sender<Command>,
    members: usize,
}

/// The server's rooms by name. A room exists while somebody is in it.
#[derive(Default)]
pub struct Hub {
    rooms: Mutex<HashMap<String, RoomEntry>>,
    buffering: Buffering,
}

impl Hub {
    pub fn new(buffering: Buffering) -> Arc<Hub> {
        Arc::new(Hub {
            rooms: Mutex::default(),
            buffering,
        })
    }

    fn enter(&self, name: &str) -> mpsc::Sender<Command> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let entry = rooms.entry(name.to_string()).or_insert_with(|| {
            let (tx, rx) = mpsc::channel(256);
            tokio::spawn(room::run(name.to_string(), self.buffering, rx));
            RoomEntry {
                commands: tx,
                members: 0,
            }
        });
        entry.members += 1;
        entry.commands.clone()
    }

    fn exit(&self, name: &str) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = rooms.get_mut(name) {
            entry.members -= 1;
            if entry.members == 0 {
                // The task ends once the last connection drops its sender.
                rooms.remove(name);
            }
        }
    }
}

/// What a binary message is to the protocol.
fn as_frame(data: &[u8]) -> Option<Frame> {
    data.try_into().ok()
}

async fn close_with<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocketStream<S>,
    code: CloseCode,
    reason: &str,
    grace: Duration,
) {
    let frame = CloseFrame {
        code,
        reason: reason.to_string().into(),
    };
    let _ = ws.close(Some(frame)).await;
    crate::server::finish_close(ws, grace).await;
}

/// Serve one voice connection after the 101.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut ws: WebSocketStream<S>,
    route: Route,
    hub: Arc<Hub>,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
    lifetime: Option<Duration>,
) {
    let expiry = crate::server::token_expiry(lifetime);
    tokio::pin!(expiry);
    let (out_tx, mut out_rx) = mpsc::channel::<Out>(64);
    let joined = match &route {
        Route::Room { room, codec } => {
            let commands = hub.enter(room);
            let (reply_tx, reply_rx) = oneshot::channel();
            let join = Command::Join {
                codec: *codec,
                out: out_tx.clone(),
                reply: reply_tx,
            };
            match (commands.send(join).await, reply_rx.await) {
                (Ok(()), Ok(id)) => Some((room.clone(), commands, id)),
                _ => {
                    hub.exit(room);
                    return;
                }
            }
        }
        Route::Echo { .. } => None,
    };
    drop(out_tx);
    loop {
        tokio::select! {
            message = ws.next() => match message {
                Some(Ok(Message::Binary(data))) => {
                    let Some(frame) = as_frame(&data) else {
                        //= docs/voice-protocol.md §5
                        //# A binary message of any other size closes the
                        //# connection with 1007.
                        let why = format!(
                            "binary message of {} bytes; a frame is {FRAME_BYTES} bytes (20 ms of G.711)",
                            data.len()
                        );
                        let _ = ws.send(Message::text(Event::error("frame-size", why.clone()).to_json())).await;
                        close_with(&mut ws, CloseCode::from(CLOSE_FRAME_SIZE), "frame size", grace).await;
                        break;
                    };
                    let sent = match &joined {
                        Some((_, commands, id)) => commands
                            .send(Command::Frame { id: id.clone(), frame })
                            .await
                            .is_ok(),
                        // Echo: the participant's own audio, as it arrives.
                        None => ws.send(Message::binary(frame.to_vec())).await.is_ok(),
                    };
                    if !sent {
                        break;
                    }
                }
                Some(Ok(Message::Text(_))) => {
                    let e = Event::error("unsupported-message", "clients send no control messages; text is ignored");
                    if ws.send(Message::text(e.to_json())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    if let Some(code) = crate::server::close_code_for(&error) {
                        close_with(&mut ws, code, "", grace).await;
                    }
                    break;
                }
                None => break,
            },
            out = out_rx.recv(), if joined.is_some() => match out {
                Some(Out::Audio(frame)) => {
                    if ws.send(Message::binary(frame.to_vec())).await.is_err() {
                        break;
                    }
                }
                Some(Out::Event(e)) => {
                    if ws.send(Message::text(e.to_json())).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            _ = &mut expiry => {
                //= https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
                //# 1008 indicates that an endpoint is terminating the connection
                //# because it has received a message that violates its policy.
                close_with(&mut ws, CloseCode::Policy, "token expired", grace).await;
                break;
            }
            _ = stop.changed() => {
                close_with(&mut ws, CloseCode::Away, "server shutting down", grace).await;
                break;
            }
        }
    }
    if let Some((room, commands, id)) = joined {
        let _ = commands.send(Command::Leave { id }).await;
        drop(commands);
        hub.exit(&room);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants() {
        let some = RoomGrant::from_claim(&serde_json::json!(["a", "b"])).unwrap();
        assert!(room_allowed(&some, "a"));
        assert!(!room_allowed(&some, "c"));
        assert!(room_allowed(
            &RoomGrant::from_claim(&serde_json::json!("*")).unwrap(),
            "c"
        ));
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
}
