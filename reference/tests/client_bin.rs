//! `voxproof-client` end to end against the reference server.

use std::process::Command;
use voxproof_reference::server::{spawn, Config};

#[test]
fn sends_arguments_and_prints_replies() {
    let h = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    })
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_voxproof-client"))
        .args([
            "--url",
            &format!("ws://{}/echo", h.addr()),
            "hello",
            "second message",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "hello\nsecond message\n"
    );
}

#[test]
fn bad_url_is_one_line_and_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_voxproof-client"))
        .args(["--url", "http://x/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("ws://"), "{err}");
}

#[test]
fn refused_handshake_is_reported() {
    let h = spawn(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    })
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_voxproof-client"))
        .args(["--url", &format!("ws://{}/nowhere", h.addr()), "hi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("404"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
