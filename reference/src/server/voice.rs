//! Voice connections after the 101: the room registry, each room's clock task and the WebSocket
//! loop ([docs/voice-protocol.md](../../../docs/voice-protocol.md)).

use super::close;
use super::conn::{Conn, Next, Queue, Transport, WhenFull};
use super::throttle::Throttle;
use crate::g711::Codec;
use crate::voice::policing::{Policer, Verdict};
use crate::voice::protocol::{Event, Frame, Route, CLOSE_FRAME_SIZE, FRAME_BYTES, FRAME_MS};
use crate::voice::room::{Buffering, Out, Room};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::Message;

/// What a connection tells its room task. Frames do not go this way: a
/// connection puts them straight into the room's jitter buffers (see
/// [`Shared`]).
pub enum Command {
    Join {
        codec: Codec,
        out: mpsc::Sender<Out>,
        reply: oneshot::Sender<String>,
    },
    Leave {
        id: String,
    },
}

/// A room's state, shared by its task and its connections. Frames are
/// pushed under the lock by the connection that read them, so the room
/// task wakes only for its clock and for joins and leaves: a message to
/// the task per frame woke it 200 times a second per room of 4, a
/// quarter of the server's work at 2,000 streams (docs/performance.md#load-voice).
pub type Shared = Arc<Mutex<Room>>;

fn lock(room: &Shared) -> std::sync::MutexGuard<'_, Room> {
    room.lock().unwrap_or_else(|e| e.into_inner())
}

/// The room task: commands in, a tick every 20 ms, frames out. Ends when
/// every sender of commands is gone.
pub async fn run_room(room: Shared, mut commands: mpsc::Receiver<Command>) {
    let mut outs: Vec<(String, mpsc::Sender<Out>)> = Vec::new();
    //= docs/voice-protocol.md#6-timing
    //# Each room has one clock: every 20 ms, on a monotonic clock, every
    //# participant receives one frame, 50 frames per second without drift.
    // Ticks are due at start + n × 20 ms on tokio's monotonic clock; Burst
    // fires late ticks at once, so the count over any long window is exact
    // (50/s) however the task is delayed.
    let mut clock = tokio::time::interval(Duration::from_millis(FRAME_MS));
    clock.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let deliver = |outs: &[(String, mpsc::Sender<Out>)], to: &str, what: Out| {
        if let Some((_, tx)) = outs.iter().find(|(id, _)| id == to) {
            // A listener that does not keep up loses frames; it never
            // holds up the room.
            let _ = tx.try_send(what);
        }
    };
    loop {
        tokio::select! {
            // The clock first: a tick is never kept waiting by commands,
            // however fast they come.
            biased;
            _ = clock.tick() => {
                let frames = lock(&room).tick();
                for (to, frame) in frames {
                    deliver(&outs, &to, Out::Audio(frame));
                }
            }
            command = commands.recv() => match command {
                None => return,
                Some(Command::Join { codec, out, reply }) => {
                    let (id, events) = lock(&room).join(codec);
                    outs.push((id.clone(), out));
                    let _ = reply.send(id);
                    for (to, e) in events {
                        deliver(&outs, &to, e);
                    }
                }
                Some(Command::Leave { id }) => {
                    outs.retain(|(o, _)| *o != id);
                    let events = lock(&room).leave(&id);
                    for (to, e) in events {
                        deliver(&outs, &to, e);
                    }
                }
            },
        }
    }
}

struct RoomEntry {
    commands: mpsc::Sender<Command>,
    state: Shared,
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

    fn enter(&self, name: &str) -> (mpsc::Sender<Command>, Shared) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let entry = rooms.entry(name.to_string()).or_insert_with(|| {
            let (tx, rx) = mpsc::channel(256);
            let state = Arc::new(Mutex::new(Room::new(name, self.buffering)));
            tokio::spawn(run_room(state.clone(), rx));
            RoomEntry {
                commands: tx,
                state,
                members: 0,
            }
        });
        entry.members += 1;
        (entry.commands.clone(), entry.state.clone())
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

/// A room's listener gets frames 50 times a second; when they back up
/// (the peer reads slowly), the newest are dropped and reading goes on.
pub const ROOM_QUEUE: Queue = Queue {
    capacity: 32,
    when_full: WhenFull::Drop,
};

/// The voice echo answers every frame, so it slows a peer down to the
/// pace it reads at, as the plain echo does.
pub const ECHO_QUEUE: Queue = Queue {
    capacity: 8,
    when_full: WhenFull::PauseReading,
};

static FLOODS: Throttle = Throttle::new(Duration::from_secs(10));

/// Serve one voice connection after the 101.
pub async fn serve<S: Transport>(mut conn: Conn<S>, route: Route, hub: Arc<Hub>, peer: SocketAddr) {
    let (out_tx, mut out_rx) = mpsc::channel::<Out>(64);
    let joined = match &route {
        Route::Room { room, codec } => {
            let (commands, state) = hub.enter(room);
            let (reply_tx, reply_rx) = oneshot::channel();
            let join = Command::Join {
                codec: *codec,
                out: out_tx.clone(),
                reply: reply_tx,
            };
            match (commands.send(join).await, reply_rx.await) {
                (Ok(()), Ok(id)) => Some((room.clone(), commands, state, id)),
                _ => {
                    hub.exit(room);
                    return;
                }
            }
        }
        Route::Echo { .. } => None,
    };
    drop(out_tx);
    let mut policer = Policer::new();
    let ending: Option<(u16, &str)> = loop {
        tokio::select! {
            next = conn.next() => match next {
                Next::Message(Message::Binary(data)) => {
                    let Some(frame) = as_frame(&data) else {
                        //= docs/voice-protocol.md#5-close-codes
                        //# A binary message of any other size closes the
                        //# connection with 1007.
                        let why = format!(
                            "binary message of {} bytes; a frame is {FRAME_BYTES} bytes (20 ms of G.711)",
                            data.len()
                        );
                        //# The server first sends an `error` event
                        //# (`frame-size`), then the close frame.
                        conn.send(Message::text(Event::error("frame-size", why).to_json()));
                        break Some((CLOSE_FRAME_SIZE, "frame size"));
                    };
                    match &joined {
                        Some((_, _, state, id)) => match policer.frame(std::time::Instant::now()) {
                            Verdict::Accept => lock(state).push(id, frame),
                            Verdict::Drop => {}
                            Verdict::Close => {
                                if let Some(more) = FLOODS.check() {
                                    tracing::warn!(
                                        %peer,
                                        "frames faster than real time: closing with 1008 \
                                         ({more} more since the last such line)"
                                    );
                                }
                                break Some((close::POLICY, "frames faster than real time"));
                            }
                        },
                        //= docs/voice-protocol.md#8-echo
                        //# `/echo?codec=…` sends each frame back to its sender
                        //# as it arrives, unchanged.
                        None => {
                            conn.send(Message::binary(frame.to_vec()));
                        }
                    }
                }
                Next::Message(Message::Text(_)) => {
                    //= docs/voice-protocol.md#4-control-events
                    //# Clients send no control messages in this version; a
                    //# text message from a client is answered with an `error`
                    //# event (`unsupported-message`) and otherwise ignored.
                    let e = Event::error("unsupported-message", "clients send no control messages; text is ignored");
                    conn.send(Message::text(e.to_json()));
                }
                Next::Message(_) => {}
                Next::Close(code, reason) => break Some((code, reason)),
                Next::Gone => break None,
            },
            out = out_rx.recv(), if joined.is_some() => match out {
                Some(Out::Audio(frame)) => {
                    conn.send(Message::binary(frame.to_vec()));
                }
                Some(Out::Event(e)) => {
                    conn.send(Message::text(e.to_json()));
                }
                None => break None,
            },
        }
    };
    // Leave first: the others hear of it now, not after the closing handshake.
    if let Some((room, commands, _, id)) = joined {
        let _ = commands.send(Command::Leave { id }).await;
        drop(commands);
        hub.exit(&room);
    }
    match ending {
        Some((code, reason)) => conn.close(code, reason).await,
        None => conn.end().await,
    }
}
