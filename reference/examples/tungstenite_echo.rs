//! A plain tokio-tungstenite echo server, the peer the reference is compared with in
//! docs/performance.md: `cargo run --release -p voxproof-reference --example tungstenite_echo -- PORT`.

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};

#[tokio::main]
async fn main() {
    let port: u16 = match std::env::args().nth(1).map(|p| p.parse()) {
        None => 9002,
        Some(Ok(p)) => p,
        Some(Err(_)) => {
            eprintln!("usage: tungstenite_echo [PORT]");
            std::process::exit(2);
        }
    };
    let listener = match TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(2);
        }
    };
    eprintln!("tungstenite_echo on ws://127.0.0.1:{port}/ (any path)");
    loop {
        let Ok((sock, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(echo(sock));
    }
}

/// Echo data messages as they come; tungstenite answers pings and closes by itself.
async fn echo(sock: TcpStream) {
    // As the reference does: small messages leave at once.
    let _ = sock.set_nodelay(true);
    let Ok(mut ws) = tokio_tungstenite::accept_async(sock).await else {
        return;
    };
    while let Some(Ok(msg)) = ws.next().await {
        if (msg.is_binary() || msg.is_text()) && ws.send(msg).await.is_err() {
            break;
        }
    }
}
