//! Bot connections after the 101: each message into the pure session, its actions out in order
//! ([docs/telephony.md](../../../docs/telephony.md#reference-bot)).

use super::conn::{Conn, Next, Queue, Transport, WhenFull};
use crate::bots::{BotRoute, Session, Wire, WsMessage};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// Room for a whole prompt (50 frames and 5 marks), so that a prompt goes
/// out at once; reading pauses while the peer has not taken the queue.
pub const QUEUE: Queue = Queue {
    capacity: 64,
    when_full: WhenFull::PauseReading,
};

/// How often a backlog is offered to the queue again while nothing arrives.
const RETRY: Duration = Duration::from_millis(20);

/// Serve one call. Actions that do not fit the queue wait in a backlog, in
/// order: none is dropped, and reading stays paused while the queue is full.
pub async fn serve<S: Transport>(mut conn: Conn<S>, route: BotRoute) {
    let began = Instant::now();
    let mut wire = Wire::new(route.platform);
    let mut session = Session::new(route.behaviour);
    let mut backlog: VecDeque<Message> = VecDeque::new();
    loop {
        while conn.has_room() {
            match backlog.pop_front() {
                Some(message) => conn.send(message),
                None => break,
            };
        }
        let next = if backlog.is_empty() {
            conn.next().await
        } else {
            // `next` is cancel-safe: the timer only lets the backlog in.
            tokio::select! {
                next = conn.next() => next,
                _ = tokio::time::sleep(RETRY) => continue,
            }
        };
        let message = match next {
            Next::Message(Message::Text(text)) => WsMessage::Text(text.to_string()),
            Next::Message(Message::Binary(data)) => WsMessage::Binary(data.to_vec()),
            Next::Message(_) => continue,
            Next::Close(code, reason) => return conn.close(code, reason).await,
            // The platform closed (after `stop` or without it): tungstenite
            // has answered its close frame.
            Next::Gone => return conn.end().await,
        };
        let event = wire.parse(&message);
        let now_ms = u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX);
        for action in session.on_event(event, now_ms) {
            backlog.push_back(match wire.encode(&action) {
                WsMessage::Text(text) => Message::text(text),
                WsMessage::Binary(data) => Message::binary(data),
            });
        }
    }
}
