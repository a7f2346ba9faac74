//! Proof that every handshake case can fail: each runs against a target that
//! lacks the behaviour it checks, and must come out FAILED.
//!
//! A faulty target is the reference handshake with one rule broken: the
//! request rewritten before the reference sees it (so a rule is effectively
//! switched off), a decision taken before it (a stricter, wrong rule), or its
//! response mangled afterwards. Every handshake case must be claimed by at
//! least one fault, so a new case cannot arrive without its proof.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use voxproof_conformance::registry;
use voxproof_conformance::run::run_case;
use voxproof_conformance::target::Target;
use voxproof_conformance::verdict::Verdict;
use voxproof_reference::handshake::{
    parse_request, respond, Limits, Parsed, Rejection, Request, Response, ServerConfig,
};

#[derive(Clone, Copy, Default)]
enum ReadMode {
    /// Read until the reference parser has a whole request.
    #[default]
    Whole,
    /// One read into a 64-byte buffer taken as the whole request: a server
    /// that assumes a request arrives in one piece (deterministic, as the
    /// request is longer than the buffer).
    Once,
}

#[derive(Clone, Copy)]
struct Fault {
    name: &'static str,
    /// Cases this fault must make FAILED.
    cases: &'static [&'static str],
    read: ReadMode,
    /// Rewrite the request text before the reference parses it.
    rewrite: Option<fn(String) -> String>,
    /// Answer before the reference does (Some) or let it decide (None).
    decide: Option<fn(&Request) -> Option<Rejection>>,
    /// Change the reference's 101 response.
    mangle: Option<fn(&Request, &mut Response)>,
    /// Change the reference's refusal.
    mangle_reject: Option<fn(&mut Rejection)>,
    /// Close without a response instead of sending this refusal.
    silent_reject: Option<fn(&Rejection) -> bool>,
    /// Stop accepting connections after the first refusal.
    die_after_reject: bool,
    /// Close the TCP connection right after the 101.
    close_after_101: bool,
}

/// Replace the value of every field line called `name` (case-insensitive).
fn set_field(req: &str, name: &str, value: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut done = false;
    for line in req.split("\r\n") {
        let is_it = line
            .split_once(':')
            .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name));
        if is_it {
            if !done {
                out.push(format!("{name}: {value}"));
                done = true;
            }
        } else {
            out.push(line.to_string());
        }
    }
    if !done {
        out.insert(1, format!("{name}: {value}"));
    }
    out.join("\r\n")
}

fn field<'a>(req: &'a Request, name: &str) -> Vec<&'a str> {
    req.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| std::str::from_utf8(v).unwrap_or("").trim())
        .collect()
}

fn config() -> ServerConfig {
    ServerConfig {
        protocols: Vec::new(),
        limits: Limits::default(),
    }
}

fn handle(mut stream: TcpStream, fault: Fault, rejected: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    let once = matches!(fault.read, ReadMode::Once);
    let limits = Limits {
        max_header_bytes: 1 << 20,
        max_headers: 4096,
    };
    loop {
        let limit = if once { 64 } else { chunk.len() };
        match stream.read(&mut chunk[..limit]) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if once {
            break;
        }
        if !matches!(parse_request(&buf, &limits), Ok(Parsed::Partial)) {
            break;
        }
    }
    if let Some(rewrite) = fault.rewrite {
        buf = rewrite(String::from_utf8_lossy(&buf).into_owned()).into_bytes();
    }
    let decision = match parse_request(&buf, &Limits::default()) {
        Ok(Parsed::Complete { request, .. }) => match fault.decide.and_then(|d| d(&request)) {
            Some(rejection) => Err(rejection),
            None => respond(&request, &config())
                .and_then(|a| {
                    if a.path == "/echo" {
                        Ok(a)
                    } else {
                        Err(Rejection::new(404, "not found"))
                    }
                })
                .map(|a| (request, a)),
        },
        Ok(Parsed::Partial) => Err(Rejection::new(400, "incomplete request")),
        Err(rejection) => Err(rejection),
    };
    match decision {
        Ok((request, mut accepted)) => {
            if let Some(mangle) = fault.mangle {
                mangle(&request, &mut accepted.response);
            }
            let _ = stream.write_all(&accepted.response.to_bytes());
            if fault.close_after_101 {
                return;
            }
            let _ = stream.set_read_timeout(None);
            let mut ws = tungstenite::WebSocket::from_raw_socket(
                stream,
                tungstenite::protocol::Role::Server,
                None,
            );
            while let Ok(m) = ws.read() {
                if m.is_text() || m.is_binary() {
                    let _ = ws.send(m);
                }
            }
        }
        Err(mut rejection) => {
            rejected.store(true, Ordering::SeqCst);
            if let Some(mangle) = fault.mangle_reject {
                mangle(&mut rejection);
            }
            if !fault.silent_reject.is_some_and(|silent| silent(&rejection)) {
                let _ = stream.write_all(&rejection.response().to_bytes());
            }
            let _ = stream.shutdown(std::net::Shutdown::Write);
            let _ = stream.read(&mut chunk);
        }
    }
}

/// Serve `fault` on a loopback port; the server lives until the test process ends.
fn serve(fault: Fault) -> Target {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let rejected = Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if fault.die_after_reject && rejected.load(Ordering::SeqCst) {
                return;
            }
            let Ok(stream) = stream else { continue };
            let rejected = rejected.clone();
            std::thread::spawn(move || handle(stream, fault, &rejected));
            // Give a refusal time to register before the next accept.
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    Target::parse(&format!("ws://{addr}/echo")).unwrap()
}

// ---------------------------------------------------------------- rewrites

fn lines(req: &str) -> Vec<String> {
    req.split("\r\n").map(str::to_string).collect()
}

fn is_field(line: &str, name: &str) -> bool {
    line.split_once(':')
        .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name))
}

fn drop_field(req: &str, name: &str) -> String {
    lines(req)
        .into_iter()
        .filter(|l| !is_field(l, name))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Keep only the first line of a field (a parser that stops at the first).
fn first_only(req: &str, name: &str) -> String {
    let mut seen = false;
    lines(req)
        .into_iter()
        .filter(|l| {
            let dup = is_field(l, name) && seen;
            seen |= is_field(l, name);
            !dup
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn field_value(req: &str, name: &str) -> Option<String> {
    lines(req)
        .into_iter()
        .find(|l| is_field(l, name))
        .map(|l| l.split_once(':').unwrap().1.to_string())
}

const GOOD_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

// ---------------------------------------------------------------- the faults

fn any_method(req: String) -> String {
    match req.split_once(' ') {
        Some((_, rest)) => format!("GET {rest}"),
        None => req,
    }
}
fn any_http_version(req: String) -> String {
    req.replacen("HTTP/1.0\r\n", "HTTP/1.1\r\n", 1)
}
fn ignores_host(req: String) -> String {
    set_field(&drop_field(&req, "Host"), "Host", "ok.example")
}
fn ignores_upgrade(req: String) -> String {
    set_field(&req, "Upgrade", "websocket")
}
fn upgrade_substring(req: String) -> String {
    match field_value(&req, "Upgrade") {
        Some(v) if v.to_ascii_lowercase().contains("websocket") => {
            set_field(&req, "Upgrade", "websocket")
        }
        _ => req,
    }
}
fn ignores_connection(req: String) -> String {
    set_field(&req, "Connection", "Upgrade")
}
fn connection_substring(req: String) -> String {
    match field_value(&req, "Connection") {
        Some(v) if v.to_ascii_lowercase().contains("upgrade") => {
            set_field(&req, "Connection", "Upgrade")
        }
        _ => req,
    }
}
/// tungstenite 0.29: only checks that a key is present.
fn key_presence_only(req: String) -> String {
    match field_value(&req, "Sec-WebSocket-Key") {
        Some(v) if !v.trim().is_empty() => set_field(&req, "Sec-WebSocket-Key", GOOD_KEY),
        _ => req,
    }
}
fn ignores_key(req: String) -> String {
    set_field(&req, "Sec-WebSocket-Key", GOOD_KEY)
}
fn first_key_wins(req: String) -> String {
    first_only(&req, "Sec-WebSocket-Key")
}
fn ignores_version(req: String) -> String {
    set_field(&req, "Sec-WebSocket-Version", "13")
}
fn first_version_wins(req: String) -> String {
    first_only(&req, "Sec-WebSocket-Version")
}
fn lenient_field_names(req: String) -> String {
    req.replace(" :", ":").replace("\t:", ":")
}
fn ignores_protocol_syntax(req: String) -> String {
    drop_field(&req, "Sec-WebSocket-Protocol")
}
fn ignores_extension_syntax(req: String) -> String {
    drop_field(&req, "Sec-WebSocket-Extensions")
}
/// Whitespace around a value is kept, so the key or version no longer matches.
fn no_ows_trim(req: String) -> String {
    lines(&req)
        .into_iter()
        .map(|l| match l.split_once(':') {
            Some((n, v))
                if (is_field(&l, "Sec-WebSocket-Key") || is_field(&l, "Sec-WebSocket-Version"))
                    && (v.ends_with([' ', '\t']) || v.starts_with("  ") || v.starts_with('\t')) =>
            {
                format!("{n}: untrimmed")
            }
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn upgrade_case_sensitive(r: &Request) -> Option<Rejection> {
    (field(r, "Upgrade") != ["websocket"]).then(|| Rejection::new(400, "faulty"))
}
fn connection_case_sensitive(r: &Request) -> Option<Rejection> {
    (!field(r, "Connection")
        .iter()
        .any(|v| v.split(',').any(|t| t.trim() == "Upgrade")))
    .then(|| Rejection::new(400, "faulty"))
}
fn connection_whole_value(r: &Request) -> Option<Rejection> {
    (field(r, "Connection").len() != 1
        || !field(r, "Connection")[0].eq_ignore_ascii_case("upgrade"))
    .then(|| Rejection::new(400, "faulty"))
}
fn field_names_case_sensitive(r: &Request) -> Option<Rejection> {
    let names = [
        "Host",
        "Upgrade",
        "Connection",
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Version",
    ];
    (!names.iter().all(|n| r.headers.iter().any(|(h, _)| h == n)))
        .then(|| Rejection::new(400, "faulty"))
}
fn origin_form_only(r: &Request) -> Option<Rejection> {
    (!r.target.starts_with('/')).then(|| Rejection::new(400, "faulty"))
}
fn host_first(r: &Request) -> Option<Rejection> {
    (!r.headers
        .first()
        .is_some_and(|(n, _)| n.eq_ignore_ascii_case("Host")))
    .then(|| Rejection::new(400, "faulty"))
}
fn refuses_unknown_fields(r: &Request) -> Option<Rejection> {
    let known = [
        "host",
        "upgrade",
        "connection",
        "sec-websocket-key",
        "sec-websocket-version",
    ];
    r.headers
        .iter()
        .any(|(n, _)| !known.contains(&n.to_ascii_lowercase().as_str()))
        .then(|| Rejection::new(400, "faulty"))
}

fn set_response(resp: &mut Response, name: &str, value: String) {
    resp.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    resp.headers.push((name.to_string(), value));
}
fn wrong_accept(_: &Request, resp: &mut Response) {
    set_response(
        resp,
        "Sec-WebSocket-Accept",
        "x3JJHMbDL1EzLkh9GBhXDw==".into(),
    );
}
/// An accept cached from the first connection (the RFC example's).
fn cached_accept(_: &Request, resp: &mut Response) {
    set_response(
        resp,
        "Sec-WebSocket-Accept",
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".into(),
    );
}
/// Echoes the whole offered list back, a common bug.
fn echo_protocols(r: &Request, resp: &mut Response) {
    let offered = field(r, "Sec-WebSocket-Protocol").join(", ");
    if !offered.is_empty() {
        set_response(resp, "Sec-WebSocket-Protocol", offered);
    }
}
fn echo_upgrade(r: &Request, resp: &mut Response) {
    set_response(resp, "Upgrade", field(r, "Upgrade").join(", "));
}
fn invent_extension(r: &Request, resp: &mut Response) {
    if !field(r, "Sec-WebSocket-Extensions").is_empty() {
        set_response(
            resp,
            "Sec-WebSocket-Extensions",
            "x-voxproof-invented".into(),
        );
    }
}
fn no_version_hint(r: &mut Rejection) {
    r.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("Sec-WebSocket-Version"));
}
/// The reference before a fuzz target found it: a 426 naming the version but
/// not the protocol.
fn no_upgrade_in_426(r: &mut Rejection) {
    if r.status == 426 {
        r.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("Upgrade"));
    }
}
fn always(_: &Rejection) -> bool {
    true
}
/// tungstenite 0.29: a bad version gets no response at all.
fn silent_on_version(r: &Rejection) -> bool {
    r.headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("Sec-WebSocket-Version"))
}

const F: Fault = Fault {
    name: "",
    cases: &[],
    read: ReadMode::Whole,
    rewrite: None,
    decide: None,
    mangle: None,
    mangle_reject: None,
    silent_reject: None,
    die_after_reject: false,
    close_after_101: false,
};

static FAULTS: &[Fault] = &[
    Fault {
        name: "accepts any method",
        cases: &[
            "handshake.4_2_1.method-post",
            "handshake.4_2_1.method-put",
            "handshake.4_2_1.method-head",
            "handshake.http.method-lowercase",
        ],
        rewrite: Some(any_method),
        ..F
    },
    Fault {
        name: "accepts HTTP/1.0",
        cases: &["handshake.4_2_1.http-version-10"],
        rewrite: Some(any_http_version),
        ..F
    },
    Fault {
        name: "ignores Host",
        cases: &[
            "handshake.http.host-missing",
            "handshake.http.host-duplicate",
            "handshake.http.host-invalid",
        ],
        rewrite: Some(ignores_host),
        ..F
    },
    Fault {
        name: "ignores Upgrade",
        cases: &[
            "handshake.4_2_1.upgrade-missing",
            "handshake.4_2_1.upgrade-h2c",
            "handshake.4_2_1.upgrade-websocketx",
            "handshake.4_2_1.upgrade-web-socket",
        ],
        rewrite: Some(ignores_upgrade),
        ..F
    },
    Fault {
        name: "Upgrade by substring",
        cases: &["handshake.4_2_1.upgrade-websocketx"],
        rewrite: Some(upgrade_substring),
        ..F
    },
    Fault {
        name: "Upgrade compared case-sensitively",
        cases: &[
            "handshake.4_2_1.upgrade-capitalized",
            "handshake.4_2_1.upgrade-uppercase",
        ],
        decide: Some(upgrade_case_sensitive),
        ..F
    },
    Fault {
        name: "echoes the offered Upgrade list in the 101",
        cases: &["handshake.4_2_1.upgrade-list"],
        mangle: Some(echo_upgrade),
        ..F
    },
    Fault {
        name: "ignores Connection",
        cases: &[
            "handshake.4_2_1.connection-missing",
            "handshake.4_2_1.connection-keep-alive",
            "handshake.4_2_1.connection-close",
            "handshake.4_2_1.connection-upgraded",
            "handshake.4_2_1.connection-notupgrade",
        ],
        rewrite: Some(ignores_connection),
        ..F
    },
    Fault {
        name: "Connection by substring",
        cases: &[
            "handshake.4_2_1.connection-upgraded",
            "handshake.4_2_1.connection-notupgrade",
        ],
        rewrite: Some(connection_substring),
        ..F
    },
    Fault {
        name: "Connection compared case-sensitively",
        cases: &["handshake.4_2_1.connection-lowercase"],
        decide: Some(connection_case_sensitive),
        ..F
    },
    Fault {
        name: "Connection must be exactly Upgrade",
        cases: &[
            "handshake.4_2_1.connection-keep-alive-upgrade",
            "handshake.4_2_1.connection-upgrade-keep-alive",
            "handshake.http.connection-two-lines",
        ],
        decide: Some(connection_whole_value),
        ..F
    },
    Fault {
        name: "any non-empty key (tungstenite 0.29)",
        cases: &[
            "handshake.4_2_1.key-not-base64",
            "handshake.4_2_1.key-15-bytes",
            "handshake.4_2_1.key-17-bytes",
            "handshake.4_2_1.key-31-bytes",
            "handshake.4_2_1.key-no-padding",
            "handshake.4_2_1.key-wrong-padding",
            "handshake.4_2_1.key-inner-space",
            "handshake.4_2_1.key-base64url",
        ],
        rewrite: Some(key_presence_only),
        ..F
    },
    Fault {
        name: "ignores the key",
        cases: &["handshake.4_2_1.key-missing", "handshake.4_2_1.key-empty"],
        rewrite: Some(ignores_key),
        ..F
    },
    Fault {
        name: "first key wins",
        cases: &["handshake.11_3_1.key-duplicate"],
        rewrite: Some(first_key_wins),
        ..F
    },
    Fault {
        name: "no whitespace trimming",
        cases: &[
            "handshake.http.key-ows",
            "handshake.http.key-ows-htab",
            "handshake.http.version-ows",
        ],
        rewrite: Some(no_ows_trim),
        ..F
    },
    Fault {
        name: "ignores the version",
        cases: &[
            "handshake.4_2_1.version-missing",
            "handshake.4_2_2.version-12",
            "handshake.4_2_2.version-14",
            "handshake.4_2_1.version-leading-zero",
            "handshake.4_2_1.version-list",
        ],
        rewrite: Some(ignores_version),
        ..F
    },
    Fault {
        name: "first version wins",
        cases: &["handshake.11_3_5.version-duplicate"],
        rewrite: Some(first_version_wins),
        ..F
    },
    Fault {
        name: "refuses a version without naming 13",
        cases: &[
            "handshake.4_2_2.version-12",
            "handshake.4_2_2.version-14",
            "handshake.4_4.version-8",
            "handshake.4_4.version-0",
        ],
        mangle_reject: Some(no_version_hint),
        ..F
    },
    Fault {
        name: "426 without Upgrade",
        cases: &[
            "handshake.4_2_2.version-12",
            "handshake.4_2_2.version-14",
            "handshake.4_4.version-8",
            "handshake.4_4.version-0",
        ],
        mangle_reject: Some(no_upgrade_in_426),
        ..F
    },
    Fault {
        name: "silent on a bad version (tungstenite 0.29)",
        cases: &[
            "handshake.4_2_2.version-12",
            "handshake.4_2_2.version-14",
            "handshake.4_4.version-8",
            "handshake.4_4.version-0",
        ],
        silent_reject: Some(silent_on_version),
        ..F
    },
    Fault {
        name: "field names compared case-sensitively",
        cases: &[
            "handshake.http.field-names-lowercase",
            "handshake.http.field-names-mixed-case",
        ],
        decide: Some(field_names_case_sensitive),
        ..F
    },
    Fault {
        name: "whitespace before the colon tolerated",
        cases: &[
            "handshake.http.space-before-colon",
            "handshake.http.tab-before-colon",
        ],
        rewrite: Some(lenient_field_names),
        ..F
    },
    Fault {
        name: "origin-form only",
        cases: &["handshake.http.absolute-form"],
        decide: Some(origin_form_only),
        ..F
    },
    Fault {
        name: "Host must come first",
        cases: &["handshake.4_2_1.field-order"],
        decide: Some(host_first),
        ..F
    },
    Fault {
        name: "refuses unknown fields",
        cases: &["handshake.4_2_1.unknown-fields"],
        decide: Some(refuses_unknown_fields),
        ..F
    },
    Fault {
        name: "ignores subprotocol syntax",
        cases: &["handshake.4_2_1.protocol-malformed"],
        rewrite: Some(ignores_protocol_syntax),
        ..F
    },
    Fault {
        name: "ignores extension syntax",
        cases: &["handshake.9_1.extensions-malformed"],
        rewrite: Some(ignores_extension_syntax),
        ..F
    },
    Fault {
        name: "echoes the offered subprotocol list",
        cases: &[
            "handshake.4_2_2.protocol-unknown",
            "handshake.11_3_4.protocol-two-lines",
            "handshake.4_2_2.protocol-chat-superchat",
        ],
        mangle: Some(echo_protocols),
        ..F
    },
    Fault {
        name: "accepts an extension nobody offered",
        cases: &[
            "handshake.4_2_2.extensions-unknown",
            "handshake.4_2_2.extensions-permessage-deflate",
            "handshake.11_3_2.extensions-two-lines",
        ],
        mangle: Some(invent_extension),
        ..F
    },
    Fault {
        name: "wrong Sec-WebSocket-Accept",
        cases: &[
            "handshake.4_2_1.baseline",
            "handshake.4_2_1.host-foreign",
            "handshake.4_2_2.origin-foreign",
            "handshake.http.bare-lf",
            "handshake.http.leading-crlf",
        ],
        mangle: Some(wrong_accept),
        ..F
    },
    Fault {
        name: "accept cached from another key",
        cases: &[
            "handshake.4_2_2.key-other",
            "handshake.4_2_2.key-plus-slash",
            "handshake.4_2_2.accept-per-key",
        ],
        mangle: Some(cached_accept),
        ..F
    },
    Fault {
        name: "closes instead of refusing",
        cases: &[
            "handshake.1_3.rfc-example",
            "handshake.http.http-version-12",
            "handshake.http.request-line-double-space",
            "handshake.4_2_2.resource-unknown",
            "handshake.http.obs-fold",
            "handshake.http.whitespace-before-first-field",
            "handshake.http.nul-in-field-value",
            "handshake.4_2_1.key-noncanonical",
            "handshake.4_1.key-rfc-example",
            "handshake.http.oversized-field",
            "handshake.http.too-many-fields",
        ],
        silent_reject: Some(always),
        ..F
    },
    Fault {
        name: "closes right after the 101",
        cases: &["handshake.4_2_2.established"],
        close_after_101: true,
        ..F
    },
    Fault {
        name: "takes the first read as the whole request",
        cases: &[
            "handshake.http.one-byte-writes",
            "handshake.http.split-in-blank-line",
        ],
        read: ReadMode::Once,
        ..F
    },
    Fault {
        name: "stops serving after a bad request",
        cases: &["handshake.http.tls-on-plain-port"],
        die_after_reject: true,
        ..F
    },
];

#[test]
fn every_handshake_case_fails_on_its_faulty_target() {
    let all = registry::all();
    common::assert_every_case_claimed(
        "handshake.",
        FAULTS.iter().flat_map(|f| f.cases.iter().copied()),
    );

    let mut problems = Vec::new();
    for fault in FAULTS {
        for id in fault.cases {
            // A fresh target per case: die_after_reject is per server.
            let target = serve(*fault);
            let case = all.iter().find(|c| c.id == *id).unwrap();
            let result = run_case(case, &target, Duration::from_secs(3));
            if result.verdict != Verdict::Failed {
                problems.push(format!(
                    "{} on `{}`: {} ({})",
                    id, fault.name, result.verdict, result.detail
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "cases that did not fail:\n{}",
        problems.join("\n")
    );
}
