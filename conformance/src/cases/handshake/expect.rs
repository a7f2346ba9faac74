//! Judging a server's answer to one opening handshake: a pure function from
//! the vector's expectations and the answer to a verdict.

use crate::target::{HttpAnswer, ReadEnd};
use crate::verdict::Outcome;
use crate::wire::http::HttpResponse;
use voxproof_vectors::{Expected, HeaderExpect, Match, RejectExpect, ServerTest, UpgradeExpect};

/// Problems with a 101 response, empty when it satisfies `expect`.
pub fn upgrade_problems(resp: &HttpResponse, expect: &UpgradeExpect) -> Vec<String> {
    let mut problems = header_problems(resp, &expect.headers);
    for name in &expect.absent {
        if resp.has(name) {
            let value = resp
                .values(name)
                .first()
                .map(|v| String::from_utf8_lossy(v).into_owned());
            problems.push(format!(
                "{name}: {} must not be sent",
                value.unwrap_or_default()
            ));
        }
    }
    if let Some(allowed) = &expect.protocol_one_of {
        match resp.values("Sec-WebSocket-Protocol").as_slice() {
            [] => {}
            [p] if allowed.iter().any(|a| a.as_bytes() == *p) => {}
            [p] => problems.push(format!(
                "Sec-WebSocket-Protocol: {} is not one of the offered {}",
                String::from_utf8_lossy(p),
                allowed.join(", ")
            )),
            many => problems.push(format!("Sec-WebSocket-Protocol sent {} times", many.len())),
        }
    }
    if let Some(allowed) = &expect.extensions_allowed {
        for element in resp.list("Sec-WebSocket-Extensions") {
            let name = element.split(|&b| b == b';').next().unwrap_or_default();
            let name = String::from_utf8_lossy(name).trim().to_string();
            if !allowed.iter().any(|a| a.eq_ignore_ascii_case(&name)) {
                problems.push(format!(
                    "extension {name} accepted but not offered or unknown"
                ));
            }
        }
    }
    problems
}

fn header_problems(resp: &HttpResponse, headers: &[HeaderExpect]) -> Vec<String> {
    let mut problems = Vec::new();
    for h in headers {
        let ok = match h.mode {
            Match::Exact => resp
                .combined(&h.name)
                .is_some_and(|v| v == h.value.as_bytes()),
            Match::Caseless => resp
                .combined(&h.name)
                .is_some_and(|v| v.eq_ignore_ascii_case(h.value.as_bytes())),
            Match::Token => resp.has_token(&h.name, &h.value),
        };
        if !ok {
            let got: Vec<String> = resp
                .values(&h.name)
                .iter()
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect();
            let got = if got.is_empty() {
                "absent".to_string()
            } else {
                got.join(" | ")
            };
            problems.push(format!("{}: {} required, got {got}", h.name, h.value));
        }
    }
    problems
}

fn no_response(end: &ReadEnd, bytes: usize) -> String {
    let how = match end {
        ReadEnd::Closed => "the connection was closed".to_string(),
        ReadEnd::Error(e) => format!("the connection failed ({e})"),
        ReadEnd::TimedOut => "the deadline passed".to_string(),
    };
    if bytes == 0 {
        format!("no HTTP response: {how} with nothing sent back")
    } else {
        format!("no complete HTTP response: {how} after {bytes} bytes")
    }
}

/// The verdict for one server vector.
pub fn judge(test: &ServerTest, answer: &HttpAnswer) -> Outcome {
    let resp = match answer {
        HttpAnswer::Response(r) => r,
        HttpAnswer::NoResponse(end, bytes) => {
            // Valid requests need a 101, invalid ones an error response:
            // silence is never right (RFC 6455 §4.2.1: "MUST ... return an
            // HTTP response with an appropriate error code").
            return Outcome::failed(no_response(end, *bytes));
        }
        HttpAnswer::Malformed(e) => {
            return Outcome::failed(format!("malformed HTTP response: {e}"))
        }
    };
    if resp.status == 101 {
        if test.result == Expected::Invalid {
            return Outcome::failed(format!(
                "accepted with 101; the handshake must be refused ({})",
                test.comment
            ));
        }
        let problems = upgrade_problems(
            resp,
            test.upgrade.as_ref().unwrap_or(&UpgradeExpect::default()),
        );
        if !problems.is_empty() {
            return Outcome::failed(format!("101 response: {}", problems.join("; ")));
        }
        return Outcome::ok("101 with the required fields");
    }
    if test.result == Expected::Valid {
        return Outcome::failed(format!(
            "refused a valid handshake with {}",
            resp.status_line()
        ));
    }
    judge_rejection(
        resp,
        test.reject.as_ref().unwrap_or(&RejectExpect::default()),
    )
}

/// The verdict for a non-101 answer to a request that must be (or may be) refused.
pub fn judge_rejection(resp: &HttpResponse, expect: &RejectExpect) -> Outcome {
    if !(400..=599).contains(&resp.status) {
        return Outcome::failed(format!(
            "answered {}, neither 101 nor an error status",
            resp.status_line()
        ));
    }
    let mut problems = header_problems(resp, &expect.headers);
    //= https://www.rfc-editor.org/rfc/rfc9110#section-15.5.22
    //# The server MUST send an Upgrade header field in a 426 response to
    //# indicate the required protocol(s)
    if resp.status == 426 && !resp.has("Upgrade") {
        problems.push("a 426 without an Upgrade field (RFC 9110 §15.5.22)".into());
    }
    if !problems.is_empty() {
        return Outcome::failed(format!("{} response: {}", resp.status, problems.join("; ")));
    }
    if let Some(required) = expect.status {
        if resp.status != required {
            return Outcome::non_strict(format!(
                "refused with {}, but the RFC requires {required}",
                resp.status
            ));
        }
    }
    match expect.preferred {
        Some(p) if p != resp.status => Outcome::ok(format!(
            "refused with {} (the RFC suggests {p})",
            resp.status
        )),
        _ => Outcome::ok(format!("refused with {}", resp.status)),
    }
}

/// One-line description of what a vector expects, for catalogues.
pub fn describe(test: &ServerTest) -> String {
    let upgrade = || {
        let u = test.upgrade.clone().unwrap_or_default();
        let mut parts: Vec<String> = u
            .headers
            .iter()
            .map(|h| format!("{}: {}", h.name, h.value))
            .collect();
        if !u.absent.is_empty() {
            parts.push(format!("no {}", u.absent.join(", no ")));
        }
        if let Some(p) = &u.protocol_one_of {
            parts.push(format!("subprotocol none or one of {}", p.join("/")));
        }
        if let Some(e) = &u.extensions_allowed {
            parts.push(format!("extensions only among [{}]", e.join(", ")));
        }
        format!("101 with {}", parts.join(", "))
    };
    let reject = || {
        let r = test.reject.clone().unwrap_or_default();
        let mut s = match (r.status, r.preferred) {
            (Some(s), _) => format!("an HTTP {s} response"),
            (None, Some(p)) => format!("an error response (such as {p})"),
            (None, None) => "an error response (4xx or 5xx)".to_string(),
        };
        if !r.headers.is_empty() {
            let hs: Vec<String> = r
                .headers
                .iter()
                .map(|h| format!("{}: {}", h.name, h.value))
                .collect();
            s.push_str(&format!(" with {}", hs.join(", ")));
        }
        s
    };
    match test.result {
        Expected::Valid => upgrade(),
        Expected::Invalid => format!("{}; never 101, never silence", reject()),
        Expected::Acceptable => format!("either {} or {}", upgrade(), reject()),
    }
}
