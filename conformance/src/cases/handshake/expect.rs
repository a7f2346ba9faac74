//! Judging a server's answer to one opening handshake: a pure function from
//! the vector's expectations and the answer to a verdict.

use crate::rule::Rule;
use crate::target::HttpAnswer;
use crate::verdict::Outcome;
use crate::wire::http::HttpResponse;
use voxproof_vectors::{Expected, HeaderExpect, Match, RejectExpect, ServerTest, UpgradeExpect};

/// What any handshake the server does not accept must get: an HTTP error
/// response. Silence (or bytes that are not an HTTP response) after a
/// request that is invalid, or that the server may refuse, rests on this
/// sentence wherever a handshake case meets it
/// ([docs/target.md](../../../../docs/target.md#how-a-case-decides)).
pub const ANSWER_WITH_ERROR: Rule = Rule::new(
    "RFC 6455",
    "4.2.1",
    "If the server, while reading the handshake, finds that the client did not send a handshake that \
matches the description below [...] including but not limited to any violations of the ABNF grammar specified for the \
components of the handshake, the server MUST stop processing the client's handshake and return an HTTP response with an \
appropriate error code (such as 400 Bad Request).",
);

/// A 426 must say which protocol to upgrade to.
pub const UPGRADE_IN_426: Rule = Rule::new(
    "RFC 9110",
    "15.5.22, §7.8",
    "The server MUST send an Upgrade header field in a 426 response to indicate the required protocol(s) \
[...] A server that sends a 426 (Upgrade Required) response MUST send an Upgrade header field to indicate the \
acceptable protocols, in order of descending preference.",
);

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

/// The verdict for one server vector.
pub fn judge(test: &ServerTest, answer: &HttpAnswer) -> Outcome {
    let resp = match answer {
        HttpAnswer::Response(r) => r,
        // Valid requests need a 101 (the vector's own rule), the others an
        // error response: silence is never right.
        HttpAnswer::NoResponse(..) | HttpAnswer::Malformed(_) => {
            let failed = Outcome::failed(answer.to_string());
            return match test.result {
                Expected::Valid => failed,
                Expected::Invalid | Expected::Acceptable => failed.resting_on(ANSWER_WITH_ERROR),
            };
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
        return Outcome::failed_by(
            ANSWER_WITH_ERROR,
            format!(
                "answered {}, neither 101 nor an error status",
                resp.status_line()
            ),
        );
    }
    let problems = header_problems(resp, &expect.headers);
    //= https://www.rfc-editor.org/rfc/rfc9110#section-15.5.22
    //# The server MUST send an Upgrade header field in a 426 response to
    //# indicate the required protocol(s)
    let no_upgrade = resp.status == 426 && !resp.has("Upgrade");
    match (problems.is_empty(), no_upgrade) {
        (true, false) => {}
        // The vector's own requirement was met; RFC 9110's was not.
        (true, true) => {
            return Outcome::failed_by(UPGRADE_IN_426, "426 response without an Upgrade field")
        }
        (false, false) => {
            return Outcome::failed(format!("{} response: {}", resp.status, problems.join("; ")))
        }
        (false, true) => {
            return Outcome::failed(format!(
                "{} response: {}; and no Upgrade field (RFC 9110 §15.5.22)",
                resp.status,
                problems.join("; ")
            ))
        }
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
