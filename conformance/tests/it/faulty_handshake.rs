//! Proof that every handshake case can fail: each runs against a target that
//! lacks the behaviour it checks, and must come out FAILED.
//!
//! A faulty target (`common/faulty.rs`) is the reference's upgrade decision
//! with one rule broken: the request rewritten before the reference sees it
//! (so a rule is effectively switched off), a refusal before it (a stricter,
//! wrong rule), or its answer mangled afterwards. Every handshake case must be claimed by at
//! least one fault, so a new case cannot arrive without its proof.

use crate::common;

use common::faulty::{self, fault, Fault, Hooks};
use std::net::TcpStream;
use std::time::Duration;
use voxproof_conformance::run::run_case;
use voxproof_reference::handshake::Request;
use voxproof_reference::response::{Rejection, Response};
use voxproof_reference::upgrade::Upgrade;

/// The reference (plain echo at `/echo`), served by tungstenite after the 101.
fn reference() -> Hooks {
    Hooks::default().after_upgrade(echo)
}

fn echo(stream: TcpStream, rest: Vec<u8>, _: &Request, _: &Upgrade) {
    use tungstenite::protocol::Role;
    let mut ws = tungstenite::WebSocket::from_partially_read(stream, rest, Role::Server, None);
    while let Ok(m) = ws.read() {
        if m.is_text() || m.is_binary() {
            let _ = ws.send(m);
        }
    }
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

/// The faults, each with the cases it must make FAILED.
fn faults() -> Vec<Fault> {
    vec![
        fault(
            "accepts any method",
            &[
                "handshake.4_2_1.method-post",
                "handshake.4_2_1.method-put",
                "handshake.4_2_1.method-head",
                "handshake.http.method-lowercase",
            ],
            reference().rewrite(any_method),
        ),
        fault(
            "accepts HTTP/1.0",
            &["handshake.4_2_1.http-version-10"],
            reference().rewrite(any_http_version),
        ),
        fault(
            "ignores Host",
            &[
                "handshake.http.host-missing",
                "handshake.http.host-duplicate",
                "handshake.http.host-invalid",
            ],
            reference().rewrite(ignores_host),
        ),
        fault(
            "ignores Upgrade",
            &[
                "handshake.4_2_1.upgrade-missing",
                "handshake.4_2_1.upgrade-h2c",
                "handshake.4_2_1.upgrade-websocketx",
                "handshake.4_2_1.upgrade-web-socket",
            ],
            reference().rewrite(ignores_upgrade),
        ),
        fault(
            "Upgrade by substring",
            &["handshake.4_2_1.upgrade-websocketx"],
            reference().rewrite(upgrade_substring),
        ),
        fault(
            "Upgrade compared case-sensitively",
            &[
                "handshake.4_2_1.upgrade-capitalized",
                "handshake.4_2_1.upgrade-uppercase",
            ],
            reference().refuse_first(upgrade_case_sensitive),
        ),
        fault(
            "echoes the offered Upgrade list in the 101",
            &["handshake.4_2_1.upgrade-list"],
            reference().mangle_101(echo_upgrade),
        ),
        fault(
            "ignores Connection",
            &[
                "handshake.4_2_1.connection-missing",
                "handshake.4_2_1.connection-keep-alive",
                "handshake.4_2_1.connection-close",
                "handshake.4_2_1.connection-upgraded",
                "handshake.4_2_1.connection-notupgrade",
            ],
            reference().rewrite(ignores_connection),
        ),
        fault(
            "Connection by substring",
            &[
                "handshake.4_2_1.connection-upgraded",
                "handshake.4_2_1.connection-notupgrade",
            ],
            reference().rewrite(connection_substring),
        ),
        fault(
            "Connection compared case-sensitively",
            &["handshake.4_2_1.connection-lowercase"],
            reference().refuse_first(connection_case_sensitive),
        ),
        fault(
            "Connection must be exactly Upgrade",
            &[
                "handshake.4_2_1.connection-keep-alive-upgrade",
                "handshake.4_2_1.connection-upgrade-keep-alive",
                "handshake.http.connection-two-lines",
            ],
            reference().refuse_first(connection_whole_value),
        ),
        fault(
            "any non-empty key (tungstenite 0.29)",
            &[
                "handshake.4_2_1.key-not-base64",
                "handshake.4_2_1.key-15-bytes",
                "handshake.4_2_1.key-17-bytes",
                "handshake.4_2_1.key-31-bytes",
                "handshake.4_2_1.key-no-padding",
                "handshake.4_2_1.key-wrong-padding",
                "handshake.4_2_1.key-inner-space",
                "handshake.4_2_1.key-base64url",
            ],
            reference().rewrite(key_presence_only),
        ),
        fault(
            "ignores the key",
            &["handshake.4_2_1.key-missing", "handshake.4_2_1.key-empty"],
            reference().rewrite(ignores_key),
        ),
        fault(
            "first key wins",
            &["handshake.11_3_1.key-duplicate"],
            reference().rewrite(first_key_wins),
        ),
        fault(
            "no whitespace trimming",
            &[
                "handshake.http.key-ows",
                "handshake.http.key-ows-htab",
                "handshake.http.version-ows",
            ],
            reference().rewrite(no_ows_trim),
        ),
        fault(
            "ignores the version",
            &[
                "handshake.4_2_1.version-missing",
                "handshake.4_2_2.version-12",
                "handshake.4_2_2.version-14",
                "handshake.4_2_1.version-leading-zero",
                "handshake.4_2_1.version-list",
            ],
            reference().rewrite(ignores_version),
        ),
        fault(
            "first version wins",
            &["handshake.11_3_5.version-duplicate"],
            reference().rewrite(first_version_wins),
        ),
        fault(
            "refuses a version without naming 13",
            &[
                "handshake.4_2_2.version-12",
                "handshake.4_2_2.version-14",
                "handshake.4_4.version-8",
                "handshake.4_4.version-0",
            ],
            reference().mangle_refusal(no_version_hint),
        ),
        fault(
            "426 without Upgrade",
            &[
                "handshake.4_2_2.version-12",
                "handshake.4_2_2.version-14",
                "handshake.4_4.version-8",
                "handshake.4_4.version-0",
            ],
            reference().mangle_refusal(no_upgrade_in_426),
        ),
        fault(
            "silent on a bad version (tungstenite 0.29)",
            &[
                "handshake.4_2_2.version-12",
                "handshake.4_2_2.version-14",
                "handshake.4_4.version-8",
                "handshake.4_4.version-0",
            ],
            reference().silent_on(silent_on_version),
        ),
        fault(
            "field names compared case-sensitively",
            &[
                "handshake.http.field-names-lowercase",
                "handshake.http.field-names-mixed-case",
            ],
            reference().refuse_first(field_names_case_sensitive),
        ),
        fault(
            "whitespace before the colon tolerated",
            &[
                "handshake.http.space-before-colon",
                "handshake.http.tab-before-colon",
            ],
            reference().rewrite(lenient_field_names),
        ),
        fault(
            "origin-form only",
            &["handshake.http.absolute-form"],
            reference().refuse_first(origin_form_only),
        ),
        fault(
            "Host must come first",
            &["handshake.4_2_1.field-order"],
            reference().refuse_first(host_first),
        ),
        fault(
            "refuses unknown fields",
            &["handshake.4_2_1.unknown-fields"],
            reference().refuse_first(refuses_unknown_fields),
        ),
        fault(
            "ignores subprotocol syntax",
            &["handshake.4_2_1.protocol-malformed"],
            reference().rewrite(ignores_protocol_syntax),
        ),
        fault(
            "ignores extension syntax",
            &["handshake.9_1.extensions-malformed"],
            reference().rewrite(ignores_extension_syntax),
        ),
        fault(
            "echoes the offered subprotocol list",
            &[
                "handshake.4_2_2.protocol-unknown",
                "handshake.11_3_4.protocol-two-lines",
                "handshake.4_2_2.protocol-chat-superchat",
            ],
            reference().mangle_101(echo_protocols),
        ),
        fault(
            "accepts an extension nobody offered",
            &[
                "handshake.4_2_2.extensions-unknown",
                "handshake.4_2_2.extensions-permessage-deflate",
                "handshake.11_3_2.extensions-two-lines",
            ],
            reference().mangle_101(invent_extension),
        ),
        fault(
            "wrong Sec-WebSocket-Accept",
            &[
                "handshake.4_2_1.baseline",
                "handshake.4_2_1.host-foreign",
                "handshake.4_2_2.origin-foreign",
                "handshake.http.bare-lf",
                "handshake.http.leading-crlf",
            ],
            reference().mangle_101(wrong_accept),
        ),
        fault(
            "accept cached from another key",
            &[
                "handshake.4_2_2.key-other",
                "handshake.4_2_2.key-plus-slash",
                "handshake.4_2_2.accept-per-key",
            ],
            reference().mangle_101(cached_accept),
        ),
        fault(
            "closes instead of refusing",
            &[
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
            reference().silent_on(always),
        ),
        fault(
            "closes right after the 101",
            &["handshake.4_2_2.established"],
            reference().close_after_101(),
        ),
        fault(
            "takes the first read as the whole request",
            &[
                "handshake.http.one-byte-writes",
                "handshake.http.split-in-blank-line",
            ],
            reference().read_once(),
        ),
        fault(
            "stops serving after a bad request",
            &["handshake.http.tls-on-plain-port"],
            reference().die_after_refusal(),
        ),
    ]
}

#[test]
fn every_handshake_case_fails_on_its_faulty_target() {
    faulty::assert_each_fails("handshake.", &faults(), 4, |case, _, target| {
        run_case(case, &target, Duration::from_secs(3))
    });
}
