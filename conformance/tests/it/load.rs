//! `voxproof load echo`, `load connections` and `load voice` for a second or two each against
//! the embedded reference and a faulty room server: the figures add up (no timing asserted).

use crate::common::{one_line_error, voxproof};
use serde_json::Value;

/// Run `voxproof load ARGS --json FILE` against a fresh embedded reference;
/// the figures, after checking the run exited 0 and printed its summary.
fn load(args: &[&str], name: &str) -> Value {
    let (_handle, target) = voxproof_conformance::embedded::start().unwrap();
    load_at(args, name, &target.url)
}

/// As [`load`], against the server at `url`.
fn load_at(args: &[&str], name: &str, url: &str) -> Value {
    let json =
        std::env::temp_dir().join(format!("voxproof-load-{}-{name}.json", std::process::id()));
    let json_arg = json.to_str().unwrap();
    let mut all = vec!["load"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--target", url, "--json", json_arg]);
    let (code, out, err) = voxproof(&all);
    assert_eq!(code, 0, "{all:?}: {err}");
    assert!(out.starts_with(&format!("load {} ", args[0])), "{out}");
    let text = std::fs::read_to_string(&json).unwrap();
    let _ = std::fs::remove_file(&json);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["target"], url);
    // A ramp's errors are per step.
    let steps = v["steps"].as_array().cloned().unwrap_or_default();
    for errors in std::iter::once(&v)
        .chain(&steps)
        .filter_map(|s| s["errors"].as_object())
    {
        check_no_errors(errors, &text);
    }
    v
}

fn check_no_errors(errors: &serde_json::Map<String, Value>, text: &str) {
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
    one_line_error(&["load"], "echo, connections or voice");
    one_line_error(
        &["load", "voice", "--target", &t, "--participants", "9"],
        "--participants",
    );
    one_line_error(&["load", "voice", "--target", &t, "--step", "2"], "--ramp");
    one_line_error(&["load", "voice", "--target", &t], "unreachable");
}

/// The figures of one `load voice` step, checked to add up.
fn check_voice_step(v: &Value, streams: u64) {
    assert_eq!(v["streams"], streams, "{v}");
    assert_eq!(v["connected"], streams, "{v}");
    let received = v["frames_received"].as_u64().unwrap();
    assert!(received > 0, "{v}");
    assert!(v["heard"].as_u64().unwrap() > 0, "{v}");
    for field in ["late_20ms", "late_40ms", "lost"] {
        assert!(v[field].is_u64(), "{field}: {v}");
    }
    assert!(v["late_40ms"].as_u64() <= v["late_20ms"].as_u64(), "{v}");
    let j = &v["jitter_ms"];
    let p: Vec<f64> = ["p50", "p99", "p999", "max"]
        .iter()
        .map(|k| j[k].as_f64().unwrap())
        .collect();
    assert!(p.windows(2).all(|w| w[0] <= w[1]), "{j}");
}

#[test]
fn voice_rooms_against_the_reference_hear_no_wrong_frame() {
    let v = load(
        &[
            "voice",
            "--rooms",
            "2",
            "--participants",
            "3",
            "--codec",
            "mixed",
            "--duration",
            "1",
            "--warmup",
            "0.5",
        ],
        "voice",
    );
    assert_eq!(v["mode"], "rooms");
    assert_eq!(v["codec"], "mixed");
    assert_eq!(v["wrong"], 0, "{v}");
    assert_eq!(v["capacity_streams"], Value::Null);
    assert_eq!(v["steps"].as_array().unwrap().len(), 1);
    check_voice_step(&v, 6);
}

#[test]
fn voice_calls_against_the_reference_echo_bot() {
    let (_handle, target) = voxproof_conformance::embedded::start().unwrap();
    let url = target.url.replace("/echo", "/telnyx/echo");
    let v = load_at(
        &[
            "voice",
            "--profile",
            "telnyx",
            "--rooms",
            "3",
            "--duration",
            "1",
            "--warmup",
            "0.5",
        ],
        "calls",
        &url,
    );
    assert_eq!(v["mode"], "telnyx");
    assert_eq!(v["wrong"], 0, "{v}");
    check_voice_step(&v, 3);
}

#[test]
fn a_ramp_reports_the_last_step_within_the_bound() {
    // A bound no step can exceed: every step carries, the capacity is the last.
    let v = load(
        &[
            "voice",
            "--rooms",
            "1",
            "--participants",
            "2",
            "--ramp",
            "--step",
            "1",
            "--max-rooms",
            "2",
            "--max-jitter-ms",
            "60000",
            "--duration",
            "0.5",
            "--warmup",
            "0.3",
        ],
        "ramp",
    );
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "{v}");
    check_voice_step(&steps[0], 2);
    check_voice_step(&steps[1], 4);
    assert_eq!(v["capacity_streams"], 4);
}

/// A room server that sends every participant its own frames back (an
/// echo where a mix of the others is due), on 127.0.0.1:0.
fn own_voice_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let Ok(mut ws) = tungstenite::accept(stream) else {
                    return;
                };
                while let Ok(m) = ws.read() {
                    if m.is_binary() && ws.send(m).is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("ws://{addr}/")
}

#[test]
fn a_room_that_returns_your_own_voice_is_wrong_and_has_no_capacity() {
    let url = own_voice_server();
    let v = load_at(
        &[
            "voice",
            "--rooms",
            "1",
            "--ramp",
            "--max-rooms",
            "3",
            "--max-jitter-ms",
            "60000",
            "--duration",
            "0.5",
            "--warmup",
            "0.2",
        ],
        "own-voice",
        &url,
    );
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "the ramp stops at the first step over: {v}");
    assert!(steps[0]["wrong"].as_u64().unwrap() > 0, "{v}");
    assert_eq!(
        steps[0]["first_wrong"],
        "the listener's own voice came back in its mix"
    );
    assert_eq!(v["capacity_streams"], Value::Null);
}
