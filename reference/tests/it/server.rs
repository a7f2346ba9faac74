//! The reference server over real sockets: echo, limits, refusals, shutdown.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::Message;
use voxproof_reference::client::{connect, WsUrl};
use voxproof_reference::handshake::{Limits, ServerConfig};
use voxproof_reference::server::{spawn, Config, Handle};

fn server(config: Config) -> Handle {
    spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..config
    })
    .expect("server starts")
}

fn url(h: &Handle, path: &str) -> WsUrl {
    WsUrl::parse(&format!("ws://{}{path}", h.addr())).unwrap()
}

/// Send raw bytes, return everything the server sends until it closes.
fn raw_exchange(h: &Handle, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(h.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

const REQUEST: &str =
    "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

#[test]
fn echoes_text_and_binary() {
    let h = server(Config::default());
    let (mut ws, protocol) = connect(&url(&h, "/echo"), &[], &[], Duration::from_secs(5)).unwrap();
    assert_eq!(protocol, None);
    ws.send(Message::text("hello")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("hello"));
    ws.send(Message::binary(vec![0u8, 1, 2, 255])).unwrap();
    assert_eq!(ws.read().unwrap(), Message::binary(vec![0u8, 1, 2, 255]));
    ws.close(None).unwrap();
}

#[test]
fn selects_an_offered_subprotocol_it_speaks() {
    let config = Config {
        handshake: ServerConfig {
            protocols: vec!["chat".into()],
            limits: Limits::default(),
        },
        ..Config::default()
    };
    let h = server(config);
    let offered = ["superchat".to_string(), "chat".to_string()];
    let (_ws, protocol) =
        connect(&url(&h, "/echo"), &offered, &[], Duration::from_secs(5)).unwrap();
    assert_eq!(protocol.as_deref(), Some("chat"));
    let (_ws, protocol) = connect(
        &url(&h, "/echo"),
        &["other".to_string()],
        &[],
        Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(protocol, None);
}

#[test]
fn oversized_message_closes_with_1009_and_others_are_served() {
    let h = server(Config {
        max_message_size: 1024,
        ..Config::default()
    });
    let (mut ws, _) = connect(&url(&h, "/echo"), &[], &[], Duration::from_secs(5)).unwrap();
    ws.send(Message::binary(vec![7u8; 4096])).unwrap();
    let close = loop {
        match ws.read() {
            Ok(Message::Close(frame)) => break frame,
            Ok(_) => continue,
            Err(e) => panic!("no close frame: {e}"),
        }
    };
    assert_eq!(close.map(|f| f.code), Some(CloseCode::Size));
    let (mut other, _) = connect(&url(&h, "/echo"), &[], &[], Duration::from_secs(5)).unwrap();
    other.send(Message::text("still here")).unwrap();
    assert_eq!(other.read().unwrap(), Message::text("still here"));
}

#[test]
fn refusals_carry_the_right_status() {
    let h = server(Config {
        handshake: ServerConfig {
            protocols: Vec::new(),
            limits: Limits {
                max_header_bytes: 2048,
                max_headers: 16,
            },
        },
        ..Config::default()
    });
    let big = format!("{REQUEST}X-Filler: {}\r\n\r\n", "a".repeat(4096));
    assert!(raw_exchange(&h, big.as_bytes()).starts_with("HTTP/1.1 431 "));
    let many: String = (0..32).map(|i| format!("X-{i}: 1\r\n")).collect();
    assert!(
        raw_exchange(&h, format!("{REQUEST}{many}\r\n").as_bytes()).starts_with("HTTP/1.1 431 ")
    );
    let elsewhere = format!("{REQUEST}\r\n").replace("GET /echo", "GET /nowhere");
    assert!(raw_exchange(&h, elsewhere.as_bytes()).starts_with("HTTP/1.1 404 "));
    let v8 = format!("{REQUEST}\r\n").replace("Version: 13", "Version: 8");
    let answer = raw_exchange(&h, v8.as_bytes());
    assert!(
        answer.starts_with("HTTP/1.1 426 ") && answer.contains("Sec-WebSocket-Version: 13\r\n"),
        "{answer}"
    );
}

#[test]
fn incomplete_handshake_times_out_with_408() {
    let h = server(Config {
        handshake_timeout: Duration::from_millis(200),
        ..Config::default()
    });
    assert!(raw_exchange(&h, REQUEST.as_bytes()).starts_with("HTTP/1.1 408 "));
}

#[test]
fn shutdown_closes_connections_with_1001() {
    let h = server(Config::default());
    let (mut ws, _) = connect(&url(&h, "/echo"), &[], &[], Duration::from_secs(5)).unwrap();
    ws.send(Message::text("ping")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("ping"));
    let code = crate::common::stop_and_read_close(h, &mut ws);
    assert_eq!(code, Some(CloseCode::Away));
}

#[test]
fn an_idle_connection_is_closed_with_1001() {
    let h = server(Config {
        idle_timeout: Some(Duration::from_millis(300)),
        ..Config::default()
    });
    let (mut ws, _) = connect(&url(&h, "/echo"), &[], &[], Duration::from_secs(5)).unwrap();
    // Traffic keeps it open.
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(150));
        ws.send(Message::text("busy")).unwrap();
        assert_eq!(ws.read().unwrap(), Message::text("busy"));
    }
    let start = std::time::Instant::now();
    let close = loop {
        match ws.read() {
            Ok(Message::Close(frame)) => break frame,
            Ok(_) => continue,
            Err(e) => panic!("no close frame: {e}"),
        }
    };
    let close = close.expect("a close frame");
    assert_eq!(close.code, CloseCode::Away);
    assert_eq!(close.reason.as_str(), "idle timeout");
    assert!(start.elapsed() < Duration::from_secs(2));
}
