//! The echo service after the 101: every text and binary message back, as
//! it arrives (docs/target.md).

use super::conn::{Conn, Next, Queue, Transport, WhenFull};

/// One message waits at most: the next is read once the last echo has been
/// handed to the socket, so a peer that does not read stops being read
/// (and is closed after the write timeout) instead of filling memory.
pub const QUEUE: Queue = Queue {
    capacity: 1,
    when_full: WhenFull::PauseReading,
};

pub async fn serve<S: Transport>(mut conn: Conn<S>) {
    loop {
        match conn.next().await {
            Next::Message(message) => {
                conn.send(message);
            }
            Next::Close(code, reason) => return conn.close(code, reason).await,
            Next::Gone => return conn.end().await,
        }
    }
}
