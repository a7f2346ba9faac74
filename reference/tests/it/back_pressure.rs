//! Peers that do not read: the server binary closes them after the write
//! timeout, and at token expiry whatever is waiting for them, and frees
//! what it held (docs/README.md, docs/auth.md). The server runs as a child
//! process so that its sockets and memory can be watched from outside.
#![cfg(target_os = "linux")]

use crate::common::ServerProcess;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tungstenite::{Message, WebSocket};
use voxproof_reference::client::{connect, MaybeTls, WsUrl};

const MIB: usize = 1 << 20;

fn echo_url(s: &ServerProcess) -> WsUrl {
    WsUrl::parse(&format!("ws://{}/echo", s.addr)).unwrap()
}

/// Connect and send one binary message of `size` bytes; the echo then
/// waits for a reader that never comes.
fn send_and_stop_reading(
    url: &WsUrl,
    headers: &[(String, String)],
    size: usize,
) -> WebSocket<MaybeTls> {
    let (mut ws, _) = connect(url, &[], headers, Duration::from_secs(5)).unwrap();
    ws.send(Message::binary(vec![0x5A; size])).unwrap();
    ws
}

/// What a client reads once it starts reading: the echoed bytes, and the
/// close code if a close frame came.
fn read_everything(ws: &mut WebSocket<MaybeTls>) -> (usize, Option<u16>) {
    ws.get_mut()
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut bytes = 0;
    loop {
        match ws.read() {
            Ok(Message::Binary(b)) => bytes += b.len(),
            Ok(Message::Close(frame)) => return (bytes, frame.map(|f| u16::from(f.code))),
            Ok(_) => {}
            Err(_) => return (bytes, None),
        }
    }
}

#[test]
fn clients_that_do_not_read_are_closed_after_the_write_timeout() {
    let server = ServerProcess::start(&["--write-timeout", "1s"], None);
    let listening = server.sockets();
    let rss_before = server.rss_mib();
    let url = echo_url(&server);
    let clients: Vec<WebSocket<MaybeTls>> = (0..4)
        .map(|_| send_and_stop_reading(&url, &[], 16 * MIB))
        .collect();
    let sent = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    let rss_pinned = server.rss_mib();
    let open = server.sockets();
    // Write timeout 1 s, then at most the 2 s grace for the close frame.
    let gone = server.wait_for_sockets(listening, Duration::from_secs(8));
    let rss_after = server.rss_mib();
    eprintln!(
        "4 clients × 16 MiB unread: RSS {rss_before:.0} MiB idle, {rss_pinned:.0} MiB pinned \
         ({} connections), {rss_after:.0} MiB after; connections gone {:?} after the sends",
        open - listening,
        gone.map(|_| sent.elapsed())
    );
    assert_eq!(open - listening, 4, "the four connections were open");
    let gone = gone.expect("the connections of clients that do not read are closed");
    assert!(gone + Duration::from_millis(300) < Duration::from_secs(5));
    assert!(
        rss_after < rss_pinned - 32.0,
        "memory held for the clients is freed: {rss_pinned:.0} MiB → {rss_after:.0} MiB"
    );
    // One log line for the four, not one each.
    let lines = server.lines_with("has not read");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("1008"), "{lines:?}");
    // Others are served.
    let (mut ws, _) = connect(&url, &[], &[], Duration::from_secs(5)).unwrap();
    ws.send(Message::text("still serving")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("still serving"));
    drop(clients);
}

const SECRET: &str = "an HMAC secret of at least 32 bytes, for tests";

fn token_expiring_at(exp: u64) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &serde_json::json!({ "exp": exp }),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

#[test]
fn an_expired_token_closes_a_connection_that_does_not_read() {
    let server = ServerProcess::start(&["--jwt-secret", SECRET], None);
    let listening = server.sockets();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let exp = now.as_secs() + 3;
    // The token expires this long from now (2–3 s).
    let expires_in = Duration::from_secs(exp) - now;
    let start = Instant::now();
    let headers = [(
        "Authorization".to_string(),
        format!("Bearer {}", token_expiring_at(exp)),
    )];
    // 8 MiB echoed to a client that does not read: far more than the
    // socket buffers hold, so the server's writes are blocked at expiry.
    let mut ws = send_and_stop_reading(&echo_url(&server), &headers, 8 * MIB);
    // Expiry, then at most the 2 s grace for the close frame (which
    // cannot pass the unread echo), then the connection is reset.
    let gone = server.wait_for_sockets(listening, Duration::from_secs(10));
    let closed_after = gone.map(|_| start.elapsed());
    eprintln!("token expiring after {expires_in:.2?}: connection closed after {closed_after:.2?}");
    let closed_after = closed_after.expect("the connection is closed at expiry, unread");
    assert!(
        closed_after + Duration::from_millis(200) >= expires_in,
        "not before the token expires"
    );
    assert!(
        closed_after <= expires_in + Duration::from_millis(3500),
        "within the grace period of the expiry"
    );
    let lines = server.lines_with("token expired");
    assert!(
        lines.len() == 1 && lines[0].contains("1008"),
        "the server logs the 1008 close: {lines:?}"
    );
    // The client, reading only now, gets part of the echo and then the end
    // of the connection: the server did not wait for it.
    let (bytes, code) = read_everything(&mut ws);
    eprintln!("then the client read {bytes} bytes of the 8 MiB echo, close code {code:?}");
    assert!(
        bytes < 8 * MIB || code == Some(1008),
        "the server stopped echoing at expiry"
    );
}
