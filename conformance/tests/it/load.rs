//! `voxproof load echo` and `load connections` for about a second each against the
//! embedded reference: the JSON figures are there and add up (no timing is asserted).

use crate::common::{one_line_error, voxproof};
use serde_json::Value;

/// Run `voxproof load ARGS --json FILE` against a fresh embedded reference;
/// the figures, after checking the run exited 0 and printed its summary.
fn load(args: &[&str], name: &str) -> Value {
    let (_handle, target) = voxproof_conformance::embedded::start().unwrap();
    let json =
        std::env::temp_dir().join(format!("voxproof-load-{}-{name}.json", std::process::id()));
    let json_arg = json.to_str().unwrap();
    let mut all = vec!["load"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--target", &target.url, "--json", json_arg]);
    let (code, out, err) = voxproof(&all);
    assert_eq!(code, 0, "{all:?}: {err}");
    assert!(out.starts_with(&format!("load {} ", args[0])), "{out}");
    let text = std::fs::read_to_string(&json).unwrap();
    let _ = std::fs::remove_file(&json);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["target"], target.url.as_str());
    let errors = v["errors"].as_object().unwrap();
    let kinds = [
        "connect_failed",
        "handshake_refused",
        "connection_closed",
        "wrong_echo",
        "timeout",
    ];
    for kind in kinds {
        assert_eq!(errors[kind], 0, "{kind}: {text}");
    }
    v
}

fn check_echo(v: &Value, connections: u64) {
    assert_eq!(v["connections"], connections);
    assert_eq!(v["connected"], connections);
    assert_eq!(v["size"], 20);
    let messages = v["messages"].as_u64().unwrap();
    assert!(messages > 0, "{v}");
    let duration = v["duration_s"].as_f64().unwrap();
    let per_second = v["messages_per_second"].as_f64().unwrap();
    assert!((per_second - messages as f64 / duration).abs() < 1.0, "{v}");
    assert!((v["bytes_per_second"].as_f64().unwrap() - per_second * 20.0).abs() < 20.0);
    let l = &v["latency_ms"];
    let p: Vec<f64> = ["p50", "p90", "p99", "p999", "max"]
        .iter()
        .map(|k| l[k].as_f64().unwrap())
        .collect();
    assert!(p.windows(2).all(|w| w[0] <= w[1]), "{l}");
}

#[test]
fn echo_closed_loop() {
    let v = load(
        &[
            "echo",
            "--connections",
            "4",
            "--size",
            "20",
            "--duration",
            "1",
            "--warmup",
            "0.2",
        ],
        "closed",
    );
    check_echo(&v, 4);
    assert_eq!(v["rate"], Value::Null);
}

#[test]
fn echo_open_loop() {
    let v = load(
        &[
            "echo",
            "--connections",
            "3",
            "--size",
            "20",
            "--duration",
            "1",
            "--warmup",
            "0.2",
            "--rate",
            "300",
        ],
        "open",
    );
    check_echo(&v, 3);
    assert_eq!(v["rate"], 300.0);
    // A schedule of 300 msg/s cannot give more echoes than it sends.
    assert!(v["messages"].as_u64().unwrap() <= 310, "{v}");
}

#[test]
fn connections_are_opened_held_and_measured() {
    // The embedded reference runs in this process: its memory is ours.
    let pid = std::process::id().to_string();
    let v = load(
        &[
            "connections",
            "--count",
            "50",
            "--rate",
            "500",
            "--hold",
            "0.3",
            "--pid",
            &pid,
        ],
        "connections",
    );
    assert_eq!(v["count"], 50);
    assert_eq!(v["opened"], 50);
    assert!(v["connects_per_second"].as_f64().unwrap() > 0.0);
    let rss = &v["rss"];
    for field in ["before_kib", "with_kib", "after_kib"] {
        assert!(rss[field].as_u64().unwrap() > 0, "{rss}");
    }
    assert!(rss["per_connection_kib"].is_number(), "{rss}");
}

#[test]
fn usage_errors_and_unreachable_targets_exit_2() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = format!("ws://127.0.0.1:{port}/echo");
    one_line_error(&["load", "echo", "--target", &t], "unreachable");
    one_line_error(&["load", "echo", "--target", &t, "--rate", "0"], "--rate");
    one_line_error(
        &["load", "echo", "--target", &t, "--duration", "soon"],
        "--duration",
    );
    one_line_error(&["load", "connections", "--target", &t], "required");
    one_line_error(&["load"], "echo or connections");
}
