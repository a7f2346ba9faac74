//! `voxproof-adapter`: the reference implementation behind the adapter protocol, with faults to
//! prove the runner's verdicts ([docs/adapters.md](../../docs/adapters.md#the-rust-adapter)).

use serde_json::{json, Value};
use std::io::{BufRead, Write};
use voxproof_conformance::adapter::reference;

/// A deliberate fault, from `--fault KIND[:ARG]` (repeatable).
enum Fault {
    /// Invert the answer to request N.
    FlipAt(u64),
    /// Exit with status 3 on request N, without answering.
    CrashAt(u64),
    /// Answer request N with a line that is not JSON.
    GarbageAt(u64),
    /// Never answer request N.
    HangAt(u64),
    /// Leave OP out of the hello answer.
    Omit(String),
    /// Answer every OP request with `{"error":"unsupported"}`.
    Unsupported(String),
}

fn parse_fault(s: &str) -> Result<Fault, String> {
    let (kind, arg) = s.split_once(':').unwrap_or((s, ""));
    let n = || {
        arg.parse::<u64>()
            .map_err(|_| format!("--fault {s}: {kind} needs a request id, e.g. {kind}:3"))
    };
    Ok(match kind {
        "flip-at" => Fault::FlipAt(n()?),
        "crash-at" => Fault::CrashAt(n()?),
        "garbage-at" => Fault::GarbageAt(n()?),
        "hang-at" => Fault::HangAt(n()?),
        "omit" => Fault::Omit(arg.to_string()),
        "unsupported" => Fault::Unsupported(arg.to_string()),
        _ => {
            return Err(format!(
                "--fault {s}: not flip-at:N, crash-at:N, garbage-at:N, hang-at:N, omit:OP or unsupported:OP"
            ))
        }
    })
}

/// The opposite answer: valid and invalid, accept and reject, 101 and 400,
/// failing and not, one code or sample off.
fn flip(answer: &mut Value) {
    let Some(o) = answer.as_object_mut() else {
        return;
    };
    if let Some(r) = o.get("result").and_then(Value::as_str) {
        let flipped = match r {
            "valid" => "invalid",
            "invalid" => "valid",
            "accept" => "reject",
            _ => "accept",
        };
        o.insert("result".into(), json!(flipped));
        o.entry("accept")
            .or_insert(json!("AAAAAAAAAAAAAAAAAAAAAAAAAAA="));
    } else if let Some(s) = o.get("status").and_then(Value::as_u64) {
        o.insert("status".into(), json!(if s == 101 { 400 } else { 101 }));
    } else if o.contains_key("events") {
        let failed = o.get("fail").is_some_and(|f| !f.is_null());
        o.insert(
            "fail".into(),
            if failed {
                Value::Null
            } else {
                json!({"code": 1002})
            },
        );
    } else if let Some(Value::Array(samples)) = o.get_mut("samples") {
        if let Some(first) = samples.first_mut() {
            *first = json!(first.as_i64().unwrap_or(0) ^ 1);
        }
    } else if let Some(b) = o.get("bytes_b64").and_then(Value::as_str) {
        // Base64 of one octet more changes the codes.
        o.insert(
            "bytes_b64".into(),
            json!(format!("AA{}", &b[b.len().min(2)..])),
        );
    }
}

fn main() {
    let mut faults = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let parsed = match (a.as_str(), args.next()) {
            ("--fault", Some(f)) => parse_fault(&f),
            _ => Err(format!(
                "unknown argument {a}; usage: voxproof-adapter [--fault KIND[:ARG]]…"
            )),
        };
        match parsed {
            Ok(f) => faults.push(f),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        }
    }
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let request: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        let id = request.get("id").and_then(Value::as_u64);
        let op = request.get("op").and_then(Value::as_str).unwrap_or("");
        let mut answer: Value =
            serde_json::from_str(&reference::answer_line(&line)).unwrap_or(Value::Null);
        let mut text = None;
        for f in &faults {
            match f {
                Fault::FlipAt(n) if id == Some(*n) => flip(&mut answer),
                Fault::CrashAt(n) if id == Some(*n) => {
                    eprintln!("voxproof-adapter: crashing on request {n} as asked");
                    std::process::exit(3);
                }
                Fault::GarbageAt(n) if id == Some(*n) => {
                    text = Some("this is not JSON".to_string())
                }
                Fault::HangAt(n) if id == Some(*n) => loop {
                    std::thread::park();
                },
                Fault::Omit(name) if op == "hello" => {
                    if let Some(Value::Array(ops)) = answer.get_mut("ops") {
                        ops.retain(|o| o.as_str() != Some(name));
                    }
                }
                Fault::Unsupported(name) if op == name => {
                    answer = json!({"id": id, "error": "unsupported"});
                }
                _ => {}
            }
        }
        let text = text.unwrap_or_else(|| answer.to_string());
        if writeln!(out, "{text}").and_then(|()| out.flush()).is_err() {
            break;
        }
    }
}
