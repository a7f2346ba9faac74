//! Ending connections: named close codes, the closing handshake after a
//! close frame we send, and the lingering close (see docs/framing.md).

use futures_util::StreamExt;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::WebSocketStream;

//= https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
//# 1000 indicates a normal closure, meaning that the purpose for which the
//# connection was established has been fulfilled.
pub const NORMAL: u16 = 1000;
//# 1001 indicates that an endpoint is "going away", such as a server
//# going down or a browser having navigated away from a page.
pub const AWAY: u16 = 1001;
//# 1002 indicates that an endpoint is terminating the connection due
//# to a protocol error.
pub const PROTOCOL: u16 = 1002;
//# 1007 indicates that an endpoint is terminating the connection
//# because it has received data within a message that was not
//# consistent with the type of the message (e.g., non-UTF-8 [RFC3629]
//# data within a text message).
pub const INVALID: u16 = 1007;
//# 1008 indicates that an endpoint is terminating the connection
//# because it has received a message that violates its policy.
pub const POLICY: u16 = 1008;
//# 1009 indicates that an endpoint is terminating the connection
//# because it has received a message that is too big for it to
//# process.
pub const TOO_BIG: u16 = 1009;

/// The close code for an error tungstenite reports while reading.
pub fn code_for(error: &WsError) -> Option<u16> {
    match error {
        WsError::Capacity(_) => Some(TOO_BIG),
        WsError::Utf8(_) => Some(INVALID),
        WsError::Protocol(_) => Some(PROTOCOL),
        _ => None,
    }
}

/// Send a close frame, then finish the closing handshake and the lingering
/// close — all within `grace`. Returns whether the close frame was written:
/// false when the peer did not take it in time (it is not reading, and
/// everything before the close frame is still waiting), so the caller can
/// reset the connection instead of leaving those bytes queued.
pub async fn close<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocketStream<S>,
    code: u16,
    reason: &str,
    grace: Duration,
) -> bool {
    let deadline = tokio::time::Instant::now() + grace;
    let frame = CloseFrame {
        code: CloseCode::from(code),
        reason: reason.to_string().into(),
    };
    // Sending fails only when the connection has already failed: nothing
    // is waiting then either.
    if tokio::time::timeout_at(deadline, ws.close(Some(frame)))
        .await
        .is_err()
    {
        return false;
    }
    let _ = tokio::time::timeout_at(deadline, finish(ws)).await;
    true
}

/// After sending a close frame: read until the peer's close answers it (or
/// the connection fails), then close with a lingering close. The caller
/// bounds the time.
async fn finish<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut WebSocketStream<S>) {
    while let Some(Ok(_)) = ws.next().await {}
    linger(ws.get_mut()).await;
}

/// Lingering close: close our side, then read and discard what still
/// arrives (at most 1 MiB) until the peer closes. Closing with unread bytes
/// would send a reset, which can destroy what was just sent — a refusal's
/// response, or a close frame — before the peer reads it. The caller bounds
/// the time.
//= https://www.rfc-editor.org/rfc/rfc9112#section-9.6
//# If a server performs an immediate close of a TCP connection, there is a
//# significant risk that the client will not be able to read the last HTTP
//# response.
pub async fn linger<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) {
    let _ = stream.shutdown().await;
    // On the heap, and only while lingering: an array here would sit in
    // every connection's future from its first byte, 8 KiB of an idle
    // connection's 29 (docs/performance.md#figures).
    let mut sink = vec![0u8; 8192];
    let mut drained = 0usize;
    while drained < (1 << 20) {
        match stream.read(&mut sink).await {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}
