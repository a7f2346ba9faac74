//! Too many clients: past `--max-connections`, and past the process's
//! descriptor limit, a new client gets a prompt 503 with `Retry-After`
//! while those already connected are served (docs/README.md).
#![cfg(target_os = "linux")]

use crate::common::ServerProcess;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};
use voxproof_reference::client::{connect, WsUrl};
use voxproof_reference::server::{spawn, Config};

const REQUEST: &str =
    "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/// The response head a raw client gets (optionally sending a request
/// first), and how long it took; empty if nothing came within 5 s.
fn response_head(addr: SocketAddr, send_request: bool) -> (String, Duration) {
    let (head, took, _) = exchange(addr, send_request);
    (head, took)
}

/// As [`response_head`], keeping the connection.
fn exchange(addr: SocketAddr, send_request: bool) -> (String, Duration, TcpStream) {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    if send_request {
        let _ = s.write_all(REQUEST.as_bytes());
    }
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    (
        String::from_utf8_lossy(&head).into_owned(),
        start.elapsed(),
        s,
    )
}

fn echoes<S: Read + Write>(ws: &mut WebSocket<S>, text: &str) -> bool {
    ws.send(Message::text(text)).is_ok() && matches!(ws.read(), Ok(m) if m == Message::text(text))
}

#[test]
fn past_the_connection_cap_a_client_gets_503_at_once() {
    let h = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        max_connections: Some(2),
        ..Config::default()
    })
    .unwrap();
    let url = WsUrl::parse(&format!("ws://{}/echo", h.addr())).unwrap();
    let mut first = connect(&url, &[], &[], Duration::from_secs(5)).unwrap().0;
    let second = connect(&url, &[], &[], Duration::from_secs(5)).unwrap().0;
    // Without sending a byte: the answer does not wait for the request.
    let (head, took) = response_head(h.addr(), false);
    assert!(
        head.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\nRetry-After: 5\r\n"), "{head}");
    assert!(took < Duration::from_secs(2), "{took:?}");
    let (head, _) = response_head(h.addr(), true);
    assert!(head.starts_with("HTTP/1.1 503 "), "{head}");
    assert!(echoes(&mut first, "served"));
    // A place frees up: the next client is served.
    drop(second);
    let start = Instant::now();
    while h.connections() > 1 && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let (mut third, _) = connect(&url, &[], &[], Duration::from_secs(5)).unwrap();
    assert!(echoes(&mut third, "served too"));
}

#[test]
fn at_the_descriptor_limit_new_clients_are_refused_promptly() {
    // Few descriptors: the runtime, the listener and the spare take some,
    // a handful of clients the rest.
    let server = ServerProcess::start(&[], Some(24));
    let mut served: Vec<WebSocket<TcpStream>> = Vec::new();
    let mut refusals = Vec::new();
    for _ in 0..40 {
        let (head, took, stream) = exchange(server.addr, true);
        assert!(
            took < Duration::from_secs(2),
            "a client waited {took:?} for an answer"
        );
        if head.starts_with("HTTP/1.1 503 ") {
            assert!(head.contains("\r\nRetry-After: "), "{head}");
            refusals.push(took);
            if refusals.len() == 10 {
                break;
            }
            continue;
        }
        assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
        served.push(WebSocket::from_raw_socket(stream, Role::Client, None));
    }
    eprintln!(
        "{} clients served, then {} refused in at most {:?} each",
        served.len(),
        refusals.len(),
        refusals.iter().max()
    );
    assert!(!served.is_empty(), "some clients are served");
    assert_eq!(refusals.len(), 10, "clients past the limit are refused");
    // Those connected are still served.
    for ws in &mut served {
        assert!(echoes(ws, "still here"));
    }
    // One line for all those refusals, not one every 50 ms.
    std::thread::sleep(Duration::from_millis(200));
    let accept_lines = server.lines_with("accept failed");
    assert_eq!(accept_lines.len(), 1, "{accept_lines:?}");
    // stderr is a pipe here: plain text, no colour codes.
    assert!(server.log().iter().all(|l| !l.contains('\u{1b}')));
    // A descriptor freed is a client served again.
    served.pop();
    let start = Instant::now();
    let again = loop {
        let (head, _) = response_head(server.addr, true);
        if head.starts_with("HTTP/1.1 101 ") || start.elapsed() > Duration::from_secs(5) {
            break head;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(again.starts_with("HTTP/1.1 101 "), "{again}");
}
