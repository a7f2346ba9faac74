//! The echo service after the 101: every text and binary message back, as
//! it arrives (docs/target.md).

use super::close;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut ws: WebSocketStream<S>,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
    lifetime: Option<Duration>,
) {
    let expiry = close::token_expiry(lifetime);
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            message = ws.next() => match message {
                Some(Ok(m @ (Message::Text(_) | Message::Binary(_)))) => {
                    if ws.send(m).await.is_err() {
                        return;
                    }
                }
                // Pongs to pings and the close reply are tungstenite's.
                Some(Ok(_)) => {}
                Some(Err(error)) => {
                    if let Some(code) = close::code_for(&error) {
                        close::close(&mut ws, code, "", grace).await;
                    }
                    return;
                }
                None => return,
            },
            _ = &mut expiry => {
                close::close(&mut ws, close::POLICY, "token expired", grace).await;
                return;
            }
            _ = stop.changed() => {
                close::close(&mut ws, close::AWAY, "server shutting down", grace).await;
                return;
            }
        }
    }
}
