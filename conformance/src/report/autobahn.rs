//! Autobahn-format reports: `index.json` and one JSON file per agent and case, as Autobahn writes
//! them ([docs/clients.md](../../../docs/clients.md#autobahn-format-reports)).

use crate::run::{CaseResult, RunReport};
use crate::verdict::Closer;
use crate::wire::{Dir, WireEvent};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

/// One case's result as an agent got it.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// The case's number (1-based), Autobahn's `case`.
    pub number: usize,
    pub result: &'a CaseResult,
    /// When it started; None when not recorded (`voxproof run`).
    pub started: Option<SystemTime>,
}

/// One agent (a client's name, or the server tested) and its results.
#[derive(Debug, Clone)]
pub struct Agent<'a> {
    pub name: &'a str,
    pub entries: Vec<Entry<'a>>,
}

/// The agent a `voxproof run` report is written under.
pub fn from_run<'a>(report: &'a RunReport, name: &'a str) -> Agent<'a> {
    Agent {
        name,
        entries: report
            .results
            .iter()
            .enumerate()
            .map(|(i, result)| Entry {
                number: i + 1,
                result,
                started: None,
            })
            .collect(),
    }
}

/// Each entry's case id: its Autobahn id, or its voxproof id when it has
/// none or another entry of the agent took that Autobahn id first.
pub fn case_ids(entries: &[Entry]) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    entries
        .iter()
        .map(|e| match e.result.autobahn.as_deref() {
            Some(a) if taken.insert(a.to_string()) => a.to_string(),
            _ => e.result.id.clone(),
        })
        .collect()
}

/// Autobahn's `cleanForFilename`: lowercase; every character but a-z and
/// 0-9 a space; trimmed; each space an underscore.
pub fn clean_for_filename(s: &str) -> String {
    let spaced: String = s
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                ' '
            }
        })
        .collect();
    spaced.trim().replace(' ', "_")
}

/// `tungstenite_case_1_1_1.json`.
pub fn report_file(agent: &str, case_id: &str) -> String {
    format!(
        "{}_case_{}.json",
        clean_for_filename(agent),
        case_id.replace('.', "_")
    )
}

/// Autobahn's behaviour for a verdict: the same five words.
fn behavior(r: &CaseResult) -> &'static str {
    r.verdict.as_str()
}

/// `behaviorClose`: the separate close verdict, or, for cases that have
/// none (an opening handshake), the case's own.
fn behavior_close(r: &CaseResult) -> &'static str {
    r.close.as_ref().map_or(r.verdict, |c| c.verdict).as_str()
}

/// The close code the peer sent, Autobahn's `remoteCloseCode`.
fn remote_close_code(r: &CaseResult) -> Option<u16> {
    r.close.as_ref().and_then(|c| c.code)
}

/// `index.json`: `{agent: {caseId: {behavior, behaviorClose, duration,
/// remoteCloseCode, reportfile}}}`.
pub fn index(agents: &[Agent]) -> String {
    let mut all = serde_json::Map::new();
    for agent in agents {
        let mut cases = serde_json::Map::new();
        for (e, id) in agent.entries.iter().zip(case_ids(&agent.entries)) {
            let r = e.result;
            cases.insert(
                id.clone(),
                json!({
                    "behavior": behavior(r),
                    "behaviorClose": behavior_close(r),
                    "duration": r.duration_ms,
                    "remoteCloseCode": remote_close_code(r),
                    "reportfile": report_file(agent.name, &id),
                }),
            );
        }
        all.insert(agent.name.to_string(), Value::Object(cases));
    }
    dumps(&Value::Object(all), Some(3))
}

/// One case's file, Autobahn's fields (those voxproof can fill) plus
/// `voxproof`: the case's result as the JSON report has it, full wire log
/// included. `is_server`: the suite was the server (`voxproof serve`).
pub fn case_report(agent: &str, id: &str, entry: &Entry, is_server: bool) -> String {
    let r = entry.result;
    let close = r.close.as_ref();
    let (request_dir, response_dir) = if is_server {
        (Dir::Recv, Dir::Send)
    } else {
        (Dir::Send, Dir::Recv)
    };
    let value = json!({
        "agent": agent,
        "behavior": behavior(r),
        "behaviorClose": behavior_close(r),
        "case": entry.number,
        "closedByMe": close.map(|c| c.closed_by == Closer::Suite),
        "createWirelog": true,
        "description": r.title,
        "duration": r.duration_ms,
        "expectation": r.expects,
        "httpRequest": http_head(&r.wire, request_dir, false),
        "httpResponse": http_head(&r.wire, response_dir, true),
        "id": id,
        "isServer": is_server,
        "remoteCloseCode": remote_close_code(r),
        "reportTime": false,
        "result": r.detail,
        "resultClose": close.map_or(r.detail.as_str(), |c| c.detail.as_str()),
        "started": entry.started.map(utc_timestamp),
        "wasClean": close.map(|c| c.clean),
        "wirelog": wirelog(&r.wire),
        "voxproof": serde_json::to_value(r).expect("results serialize"),
    });
    dumps(&value, Some(3))
}

/// Write `index.json` and every case file into `dir` (created if missing).
pub fn write(dir: &Path, agents: &[Agent], is_server: bool) -> Result<(), String> {
    let fail = |what: &str, e: std::io::Error| {
        format!(
            "cannot write the Autobahn report {what} in {}: {e}",
            dir.display()
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| fail("directory", e))?;
    std::fs::write(dir.join("index.json"), index(agents)).map_err(|e| fail("index.json", e))?;
    for agent in agents {
        for (e, id) in agent.entries.iter().zip(case_ids(&agent.entries)) {
            let file = report_file(agent.name, &id);
            std::fs::write(dir.join(&file), case_report(agent.name, &id, e, is_server))
                .map_err(|err| fail(&file, err))?;
        }
    }
    Ok(())
}

/// The first HTTP head going `dir` on the first connection, as text, or
/// Autobahn's `"?"` when the log holds none.
fn http_head(wire: &[WireEvent], dir: Dir, response: bool) -> String {
    let Some(first) = wire.iter().find(|e| e.dir == dir && e.conn == 1) else {
        return "?".into();
    };
    let bytes = unescape(&first.data);
    let looks_http = if response {
        bytes.starts_with(b"HTTP/")
    } else {
        bytes
            .iter()
            .position(|&b| b == b' ')
            .is_some_and(|sp| sp > 0 && bytes[..sp].iter().all(u8::is_ascii_uppercase))
    };
    if !looks_http {
        return "?".into();
    }
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(bytes.len(), |at| at + 4);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Autobahn's octet rows: `["RO", [len, hex]]` received, `["TO", [len,
/// hex], false]` sent; hex as its `binLogData` (the first 64 bytes, then
/// " ..." when there are more than 60). Events that are not bytes have no
/// Autobahn row; they are in `voxproof.wire`.
fn wirelog(wire: &[WireEvent]) -> Value {
    let rows = wire
        .iter()
        .filter_map(|e| {
            let octets = json!([e.len, bin_log_data(&unescape(&e.data), e.len)]);
            match e.dir {
                Dir::Recv => Some(json!(["RO", octets])),
                Dir::Send => Some(json!(["TO", octets, false])),
                Dir::Event => None,
            }
        })
        .collect();
    Value::Array(rows)
}

fn bin_log_data(shown: &[u8], len: usize) -> String {
    const MAX: usize = 64;
    const ELLIPSES: &str = " ...";
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    if len > MAX - ELLIPSES.len() {
        format!("{}{ELLIPSES}", hex(&shown[..shown.len().min(MAX)]))
    } else {
        hex(shown)
    }
}

/// The bytes a wire event shows (the inverse of the log's escaping), up to
/// where the log cut them short.
pub fn unescape(data: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let b = data.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if i + 1 < b.len() => {
                let (byte, used) = match b[i + 1] {
                    b'r' => (b'\r', 2),
                    b'n' => (b'\n', 2),
                    b't' => (b'\t', 2),
                    b'x' if i + 3 < b.len() => {
                        let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap_or("");
                        match u8::from_str_radix(hex, 16) {
                            Ok(v) => (v, 4),
                            Err(_) => (b'\\', 1),
                        }
                    }
                    other => (other, 2),
                };
                out.push(byte);
                i += used;
            }
            // The only non-ASCII the log writes: "… (N more bytes)".
            0x80.. => break,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// `2024-05-01T12:00:00.123Z`.
pub fn utc_timestamp(t: SystemTime) -> String {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// JSON as Python's `json.dumps(v, sort_keys=True, indent=…, separators=(',', ': '))`
/// writes it (Autobahn's files): keys sorted, non-ASCII escaped, no final
/// newline; without `indent`, on one line with `", "` between items.
pub fn dumps(v: &Value, indent: Option<usize>) -> String {
    let mut out = String::new();
    write_value(v, indent, 0, &mut out);
    out
}

fn write_value(v: &Value, indent: Option<usize>, depth: usize, out: &mut String) {
    let newline = |out: &mut String, depth: usize| {
        if let Some(n) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(n * depth));
        }
    };
    let sep = if indent.is_some() { "," } else { ", " };
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&json_string(s)),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                newline(out, depth + 1);
                write_value(item, indent, depth + 1, out);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            out.push('{');
            for (i, (k, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                newline(out, depth + 1);
                out.push_str(&json_string(k));
                out.push_str(": ");
                write_value(item, indent, depth + 1, out);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

/// A JSON string as Python writes it with `ensure_ascii`: every character
/// outside printable ASCII escaped, `\uXXXX` in lowercase hex.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_as_autobahn() {
        assert_eq!(
            report_file("Tungstenite", "1.1.1"),
            "tungstenite_case_1_1_1.json"
        );
        assert_eq!(
            report_file("ws://127.0.0.1:9001/echo", "12.1.1"),
            "ws___127_0_0_1_9001_echo_case_12_1_1.json"
        );
        assert_eq!(clean_for_filename(" Faye (Node v20) "), "faye__node_v20");
    }

    #[test]
    fn python_json() {
        let v = json!({"b": [1, {"y": null, "x": "é\u{1F600}\"\n"}], "a": {}, "c": []});
        assert_eq!(
            dumps(&v, Some(3)),
            "{\n   \"a\": {},\n   \"b\": [\n      1,\n      {\n         \"x\": \"\\u00e9\\ud83d\\ude00\\\"\\n\",\n         \"y\": null\n      }\n   ],\n   \"c\": []\n}"
        );
        assert_eq!(
            dumps(&json!({"b": 1, "a": [1, 2]}), None),
            "{\"a\": [1, 2], \"b\": 1}"
        );
        assert_eq!(json_string("\u{7f}"), "\"\\u007f\"");
    }

    #[test]
    fn octets_as_bin_log_data() {
        assert_eq!(
            unescape("GET /\\r\\n\\x00\\xff\\\\"),
            b"GET /\r\n\x00\xff\\"
        );
        assert_eq!(unescape("ab… (5 more bytes)"), b"ab");
        assert_eq!(bin_log_data(b"\x81\x00", 2), "8100");
        let long = vec![0xaa; 100];
        let hex = bin_log_data(&long, 100);
        assert_eq!(hex, format!("{} ...", "aa".repeat(64)));
        assert_eq!(
            bin_log_data(&long[..61], 61),
            format!("{} ...", "aa".repeat(61))
        );
    }

    #[test]
    fn timestamps() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_709_251_199_123);
        assert_eq!(utc_timestamp(t), "2024-02-29T23:59:59.123Z");
        assert_eq!(
            utc_timestamp(SystemTime::UNIX_EPOCH),
            "1970-01-01T00:00:00.000Z"
        );
    }
}
