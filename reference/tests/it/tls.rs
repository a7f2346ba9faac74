//! wss://: the reference server and client over TLS, with throw-away
//! certificates made for each test (never stored in the repository).

use crate::common::tls::{run_bounded, TempDir};
use crate::common::ServerProcess;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::Message;
use voxproof_reference::client::{connect_with, stream, WsUrl};
use voxproof_reference::server::{spawn, Config, Handle};
use voxproof_reference::tls::{self, ThrowawayCa};

const WAIT: Duration = Duration::from_secs(5);

/// A wss:// server with a certificate for localhost and 127.0.0.1.
fn tls_server(ca: &ThrowawayCa, config: Config) -> Handle {
    let issued = ca.issue(&["localhost", "127.0.0.1"]);
    spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: Some(issued.server_config()),
        ..config
    })
    .expect("server starts")
}

fn wss(addr: SocketAddr, path: &str) -> WsUrl {
    WsUrl::parse(&format!("wss://localhost:{}{path}", addr.port())).unwrap()
}

fn trusting(ca: &ThrowawayCa) -> Arc<rustls::ClientConfig> {
    tls::client_config(&ca.trust()).unwrap()
}

/// A TLS connection made by hand (no WebSocket request yet).
fn tls_only(
    addr: SocketAddr,
    ca: &ThrowawayCa,
) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    let name = tls::server_name("localhost").unwrap();
    let mut conn = rustls::ClientConnection::new(trusting(ca), name).unwrap();
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).expect("the TLS handshake");
    }
    rustls::StreamOwned::new(conn, tcp)
}

/// Everything the server sends inside TLS until it closes.
fn read_all(stream: &mut impl Read) -> String {
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn echoes<S: Read + Write>(ws: &mut tungstenite::WebSocket<S>, text: &str) -> bool {
    ws.send(Message::text(text)).is_ok() && matches!(ws.read(), Ok(m) if m == Message::text(text))
}

#[test]
fn echo_over_wss_with_the_client_library() {
    let ca = ThrowawayCa::new();
    let h = tls_server(&ca, Config::default());
    let config = trusting(&ca);
    let (mut ws, protocol) =
        connect_with(&wss(h.addr(), "/echo"), &[], &[], WAIT, Some(&config)).unwrap();
    assert_eq!(protocol, None);
    ws.send(Message::text("hello")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("hello"));
    // Larger than a TLS record (16 KiB): several records make one message.
    let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    ws.send(Message::binary(big.clone())).unwrap();
    assert_eq!(ws.read().unwrap(), Message::binary(big));
    // The certificate also names the address.
    let by_ip = WsUrl::parse(&format!("wss://{}/echo", h.addr())).unwrap();
    let (mut other, _) = connect_with(&by_ip, &[], &[], WAIT, Some(&config)).unwrap();
    assert!(echoes(&mut other, "by address"));
    ws.close(None).unwrap();
}

#[test]
fn voice_echo_and_a_room_over_wss() {
    let ca = ThrowawayCa::new();
    let h = tls_server(&ca, Config::default());
    let config = trusting(&ca);
    let frames: Vec<Vec<u8>> = (0..25)
        .map(|k| (0..160).map(|i| ((k * 13 + i * 7) % 256) as u8).collect())
        .collect();
    let url = wss(h.addr(), "/echo?codec=pcmu");
    let (mut ws, _) = connect_with(&url, &[], &[], WAIT, Some(&config)).unwrap();
    let got = stream::stream(&mut ws, &frames, Duration::from_millis(900), |_| {}).unwrap();
    assert_eq!(got, frames.concat(), "the voice echo over wss");

    // Two talk at once in a room: each hears the other's frames, sent and
    // read on one thread per client.
    let url = wss(h.addr(), "/rooms/tls?codec=pcmu");
    let sent = [frames.clone(), frames.iter().rev().cloned().collect()];
    // Both in the room before either talks (a TLS handshake takes longer
    // than the first frame's wait).
    let clients: Vec<_> = sent
        .iter()
        .map(|_| connect_with(&url, &[], &[], WAIT, Some(&config)).unwrap().0)
        .collect();
    let heard: Vec<Vec<u8>> = std::thread::scope(|s| {
        let joins: Vec<_> = clients
            .into_iter()
            .zip(&sent)
            .map(|(mut ws, mine)| {
                s.spawn(move || {
                    stream::stream(&mut ws, mine, Duration::from_millis(1200), |_| {}).unwrap()
                })
            })
            .collect();
        joins.into_iter().map(|j| j.join().unwrap()).collect()
    });
    for (i, got) in heard.iter().enumerate() {
        let voiced: Vec<&[u8]> = got.chunks(160).filter(|f| *f != [0xFF; 160]).collect();
        let want: Vec<&[u8]> = sent[1 - i].iter().map(Vec::as_slice).collect();
        assert!(
            voiced == want,
            "client {i} heard other frames than were sent"
        );
    }
}

#[test]
fn shutdown_closes_wss_connections_with_1001() {
    let ca = ThrowawayCa::new();
    let h = tls_server(&ca, Config::default());
    let config = trusting(&ca);
    let (mut ws, _) = connect_with(&wss(h.addr(), "/echo"), &[], &[], WAIT, Some(&config)).unwrap();
    assert!(echoes(&mut ws, "ping"));
    let code = crate::common::stop_and_read_close(h, &mut ws);
    assert_eq!(code, Some(CloseCode::Away));
}

#[test]
fn past_max_connections_the_503_arrives_inside_tls() {
    let ca = ThrowawayCa::new();
    let h = tls_server(
        &ca,
        Config {
            max_connections: Some(1),
            ..Config::default()
        },
    );
    let config = trusting(&ca);
    let url = wss(h.addr(), "/echo");
    let (mut first, _) = connect_with(&url, &[], &[], WAIT, Some(&config)).unwrap();
    // Without sending a request: the answer comes after the TLS handshake.
    let start = Instant::now();
    let answer = read_all(&mut tls_only(h.addr(), &ca));
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{answer}"
    );
    assert!(answer.contains("\r\nRetry-After: 5\r\n"), "{answer}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let err = connect_with(&url, &[], &[], WAIT, Some(&config)).unwrap_err();
    assert!(err.contains("503"), "{err}");
    assert!(echoes(&mut first, "served"));
    // A place frees up: the next client is served.
    drop(first);
    let start = Instant::now();
    while h.connections() > 0 && start.elapsed() < WAIT {
        std::thread::sleep(Duration::from_millis(10));
    }
    let (mut next, _) = connect_with(&url, &[], &[], WAIT, Some(&config)).unwrap();
    assert!(echoes(&mut next, "served too"));
}

#[test]
fn a_client_silent_before_or_after_the_tls_handshake_is_dropped_in_time() {
    let ca = ThrowawayCa::new();
    let timeout = Duration::from_millis(500);
    let h = tls_server(
        &ca,
        Config {
            handshake_timeout: timeout,
            ..Config::default()
        },
    );
    let config = trusting(&ca);
    let start = Instant::now();
    let mut silent = TcpStream::connect(h.addr()).unwrap();
    silent.set_read_timeout(Some(WAIT)).unwrap();
    // Past the TLS handshake, but no request.
    let mut quiet = tls_only(h.addr(), &ca);
    // Others are served meanwhile.
    let (mut ws, _) = connect_with(&wss(h.addr(), "/echo"), &[], &[], WAIT, Some(&config)).unwrap();
    assert!(echoes(&mut ws, "served"));
    // No ClientHello: the connection is closed, without a word (there is
    // no TLS to say one in).
    let mut byte = [0u8; 1];
    let read = silent.read(&mut byte);
    let took = start.elapsed();
    assert!(
        matches!(&read, Ok(0)) || matches!(&read, Err(e) if e.kind() == ErrorKind::ConnectionReset),
        "the silent client was not dropped: {read:?} after {took:?}"
    );
    assert!(took >= timeout - Duration::from_millis(50), "{took:?}");
    assert!(took < timeout + Duration::from_secs(2), "{took:?}");
    // TLS but no request: 408 inside TLS, within the same timeout.
    let answer = read_all(&mut quiet);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(start.elapsed() < timeout + Duration::from_secs(2));
    assert!(echoes(&mut ws, "still served"));
}

#[test]
fn failed_tls_handshakes_do_not_disturb_other_connections() {
    let ca = ThrowawayCa::new();
    let h = tls_server(&ca, Config::default());
    let (mut ws, _) = connect_with(
        &wss(h.addr(), "/echo"),
        &[],
        &[],
        WAIT,
        Some(&trusting(&ca)),
    )
    .unwrap();
    assert!(echoes(&mut ws, "before"));
    // Plain HTTP, garbage, and clients that refuse the certificate.
    for bytes in [
        &b"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"[..],
        &[0x16, 0x03, 0x01, 0xFF, 0xFF, 0, 0, 0][..],
    ] {
        let mut s = TcpStream::connect(h.addr()).unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        let _ = s.write_all(bytes);
        let answer = read_all(&mut s);
        assert!(!answer.contains("HTTP/1.1 101"), "{answer}");
    }
    let stranger = trusting(&ThrowawayCa::new());
    for _ in 0..3 {
        let err =
            connect_with(&wss(h.addr(), "/echo"), &[], &[], WAIT, Some(&stranger)).unwrap_err();
        assert!(err.contains("trusted authority"), "{err}");
    }
    assert!(echoes(&mut ws, "after"));
    // The failed ones end (the server may learn of a refusal after the client).
    let start = Instant::now();
    while h.connections() > 1 && start.elapsed() < WAIT {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(h.connections(), 1);
}

// The binaries.

fn client(args: &[&str]) -> Output {
    run_bounded(
        Command::new(env!("CARGO_BIN_EXE_voxproof-client")).args(args),
        Duration::from_secs(20),
    )
}

/// The one line a failing client printed, after checking it exited with 2.
fn one_error_line(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    err.trim_end().to_string()
}

#[test]
fn the_server_binary_serves_wss_to_the_client_binary() {
    let ca = ThrowawayCa::new();
    let dir = TempDir::new("tls-bin");
    let (cert, key) = ca
        .issue(&["localhost", "127.0.0.1"])
        .write_to(dir.path())
        .unwrap();
    let ca_file = dir.write("ca.pem", &ca.cert_pem());
    let server = ServerProcess::start(
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
        None,
    );
    let listening = server.lines_with("listening on ");
    assert!(
        listening.iter().any(|l| l.contains("listening on wss://")),
        "{listening:?}"
    );
    let url = format!("wss://localhost:{}/echo", server.addr.port());
    let out = client(&[
        "--url",
        &url,
        "--ca-file",
        ca_file.to_str().unwrap(),
        "hi",
        "there",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\nthere\n");
    assert!(err.is_empty(), "{err}");

    // A CA the certificate does not come from.
    let stranger = dir.write("stranger.pem", &ThrowawayCa::new().cert_pem());
    let out = client(&["--url", &url, "--ca-file", stranger.to_str().unwrap(), "hi"]);
    assert_eq!(
        one_error_line(&out),
        "error: TLS handshake with localhost failed: the certificate is not signed by a \
         trusted authority (see --ca-file)"
    );

    // --insecure: served, with a warning.
    let out = client(&["--url", &url, "--insecure", "hi"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("warning: --insecure"), "{err}");

    let missing = dir.path().join("missing.pem");
    let out = client(&["--url", &url, "--ca-file", missing.to_str().unwrap()]);
    assert!(one_error_line(&out).contains("cannot read"));
    let out = client(&[
        "--url",
        &url,
        "--ca-file",
        ca_file.to_str().unwrap(),
        "--insecure",
    ]);
    assert!(one_error_line(&out).contains("exclude each other"));

    // ws:// to the wss:// port.
    let plain = format!("ws://localhost:{}/echo", server.addr.port());
    assert_eq!(
        one_error_line(&client(&["--url", &plain, "hi"])),
        "error: handshake failed: the server answered in TLS (use wss://)"
    );

    // The failures did not disturb the server.
    let out = client(&[
        "--url",
        &url,
        "--ca-file",
        ca_file.to_str().unwrap(),
        "again",
    ]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "again\n");
}

#[test]
fn the_client_binary_names_each_certificate_failure_in_one_line() {
    let ca = ThrowawayCa::new();
    let dir = TempDir::new("tls-names");
    let ca_file = dir.write("ca.pem", &ca.cert_pem());
    let ca_file = ca_file.to_str().unwrap();
    let serve = |issued: tls::Issued| {
        spawn(Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            tls: Some(issued.server_config()),
            ..Config::default()
        })
        .unwrap()
    };
    // A certificate for another name.
    let other = serve(ca.issue(&["example.test"]));
    let url = format!("wss://localhost:{}/echo", other.addr().port());
    let line = one_error_line(&client(&["--url", &url, "--ca-file", ca_file, "hi"]));
    assert!(
        line.starts_with("error: TLS handshake with localhost failed: ")
            && line.ends_with("not valid for the name localhost (it names example.test)"),
        "{line}"
    );
    // An expired certificate.
    let expired = serve(ca.issue_expired(&["localhost"]));
    let url = format!("wss://localhost:{}/echo", expired.addr().port());
    let line = one_error_line(&client(&["--url", &url, "--ca-file", ca_file, "hi"]));
    assert!(
        line.starts_with("error: TLS handshake with localhost failed: ")
            && line.contains("expired"),
        "{line}"
    );
    // wss:// to a plain ws:// server.
    let plain = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    })
    .unwrap();
    let url = format!("wss://localhost:{}/echo", plain.addr().port());
    let line = one_error_line(&client(&["--url", &url, "--ca-file", ca_file, "hi"]));
    assert!(
        line.starts_with("error: TLS handshake with localhost failed: ")
            && line.contains("plain ws://"),
        "{line}"
    );
}

fn server_error(args: &[&str]) -> String {
    let out = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_voxproof-server"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args),
        Duration::from_secs(10),
    );
    one_error_line(&out)
}

#[test]
fn server_tls_flag_errors_are_one_line_and_exit_2() {
    let ca = ThrowawayCa::new();
    let dir = TempDir::new("tls-flags");
    let one = ca.issue(&["localhost"]);
    let two = ca.issue(&["localhost"]);
    let cert = dir.write("cert.pem", &one.cert_pem);
    let key = dir.write("key.pem", &one.key_pem);
    let other_key = dir.write("other-key.pem", &two.key_pem);
    let (cert, key, other_key) = (
        cert.to_str().unwrap(),
        key.to_str().unwrap(),
        other_key.to_str().unwrap(),
    );
    let missing = dir.path().join("missing.pem");
    let missing = missing.to_str().unwrap();
    assert_eq!(
        server_error(&["--tls-cert", cert]),
        "error: --tls-cert needs --tls-key"
    );
    assert_eq!(
        server_error(&["--tls-key", key]),
        "error: --tls-key needs --tls-cert"
    );
    assert!(server_error(&["--tls-cert", missing, "--tls-key", key]).contains("cannot read"));
    assert!(server_error(&["--tls-cert", cert, "--tls-key", cert]).contains("no PEM private key"));
    assert!(server_error(&["--tls-cert", key, "--tls-key", key]).contains("no CERTIFICATE"));
    assert!(server_error(&["--tls-cert", cert, "--tls-key", other_key])
        .contains("does not belong to the certificate"));
}
