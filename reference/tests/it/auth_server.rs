//! The reference server with bearer-token authentication, over real sockets.

use jsonwebtoken::{encode, EncodingKey, Header};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};
use voxproof_reference::auth::{Auth, Policy, Scope};
use voxproof_reference::handshake::ServerConfig;
use voxproof_reference::server::{spawn, Config, Handle};

const SECRET: &[u8] = b"an HMAC secret of at least 32 bytes, for tests";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn server(scope: Scope) -> Handle {
    let policy = Policy::hmac(SECRET, &["HS256"])
        .unwrap()
        .audience(["voxproof"]);
    spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        handshake: ServerConfig {
            protocols: vec!["chat".into()],
            ..ServerConfig::default()
        },
        auth: Some(Auth::new(policy, scope)),
        ..Config::default()
    })
    .expect("server starts")
}

fn token_with(claims: serde_json::Value, secret: &[u8]) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn token(exp_in: i64, rooms: serde_json::Value) -> String {
    let exp = now() as i64 + exp_in;
    token_with(
        serde_json::json!({"aud": "voxproof", "exp": exp, "rooms": rooms}),
        SECRET,
    )
}

/// Send a handshake; return the response head and the open stream.
fn upgrade(h: &Handle, target: &str, extra: &str) -> (String, TcpStream) {
    let mut s = TcpStream::connect(h.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let req = format!(
        "GET {target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    (String::from_utf8_lossy(&head).into_owned(), s)
}

/// The whole refusal: head and body, read to the end.
fn refusal(h: &Handle, target: &str, extra: &str) -> String {
    let (mut head, mut s) = upgrade(h, target, extra);
    let mut rest = String::new();
    let _ = s.read_to_string(&mut rest);
    head.push_str(&rest);
    head
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    response.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn each_carrier_is_accepted_and_the_bearer_protocol_never_echoed() {
    let h = server(Scope::All);
    let t = token(300, serde_json::json!([]));
    for (target, extra, protocol) in [
        (
            "/echo".to_string(),
            format!("Authorization: Bearer {t}\r\n"),
            None,
        ),
        (format!("/echo?access_token={t}"), String::new(), None),
        (
            "/echo".to_string(),
            format!("Sec-WebSocket-Protocol: bearer.{t}, chat\r\n"),
            Some("chat"),
        ),
        (
            "/echo".to_string(),
            format!("Sec-WebSocket-Protocol: bearer.{t}\r\n"),
            None,
        ),
    ] {
        let (head, s) = upgrade(&h, &target, &extra);
        assert!(head.starts_with("HTTP/1.1 101"), "{extra}: {head}");
        assert_eq!(header(&head, "Sec-WebSocket-Protocol"), protocol, "{head}");
        let mut ws = WebSocket::from_raw_socket(s, Role::Client, None);
        ws.send(Message::text("hi")).unwrap();
        assert_eq!(ws.read().unwrap(), Message::text("hi"));
    }
}

#[test]
fn missing_bad_and_expired_tokens_get_401_saying_nothing_specific() {
    let h = server(Scope::All);
    let missing = refusal(&h, "/echo", "");
    assert!(missing.starts_with("HTTP/1.1 401"), "{missing}");
    assert_eq!(header(&missing, "WWW-Authenticate"), Some("Bearer"));

    let bad = token_with(
        serde_json::json!({"aud": "voxproof", "exp": now() + 300}),
        b"another secret, also 32 bytes or longer",
    );
    let expired = token(-60, serde_json::json!([]));
    for t in [bad, expired, "not.a.token".to_string()] {
        let r = refusal(&h, "/echo", &format!("Authorization: Bearer {t}\r\n"));
        assert!(r.starts_with("HTTP/1.1 401"), "{r}");
        assert_eq!(
            header(&r, "WWW-Authenticate"),
            Some("Bearer error=\"invalid_token\"")
        );
        let body = r.split("\r\n\r\n").nth(1).unwrap_or_default();
        assert_eq!(body.trim(), "unauthorized", "{r}");
    }
}

#[test]
fn a_token_without_the_room_gets_403() {
    let h = server(Scope::All);
    let t = token(300, serde_json::json!(["a"]));
    let r = refusal(&h, "/rooms/b", &format!("Authorization: Bearer {t}\r\n"));
    assert!(r.starts_with("HTTP/1.1 403"), "{r}");
    assert_eq!(
        header(&r, "WWW-Authenticate"),
        Some("Bearer error=\"insufficient_scope\"")
    );
}

#[test]
fn a_scoped_server_serves_echo_openly_and_secure_echo_with_a_token() {
    let h = server(Scope::Under("/secure".into()));
    let (open, _s) = upgrade(&h, "/echo", "");
    assert!(open.starts_with("HTTP/1.1 101"), "{open}");
    let r = refusal(&h, "/secure/echo", "");
    assert!(r.starts_with("HTTP/1.1 401"), "{r}");
    let t = token(300, serde_json::json!([]));
    let (ok, _s) = upgrade(
        &h,
        "/secure/echo",
        &format!("Authorization: Bearer {t}\r\n"),
    );
    assert!(ok.starts_with("HTTP/1.1 101"), "{ok}");
}

#[test]
fn a_token_expiring_during_the_connection_closes_it_with_1008() {
    let h = server(Scope::All);
    let t = token(2, serde_json::json!([]));
    let (head, s) = upgrade(&h, "/echo", &format!("Authorization: Bearer {t}\r\n"));
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut ws = WebSocket::from_raw_socket(s, Role::Client, None);
    match ws.read() {
        Ok(Message::Close(Some(frame))) => assert_eq!(frame.code, CloseCode::Policy),
        other => panic!("expected a close frame with 1008, got {other:?}"),
    }
}
