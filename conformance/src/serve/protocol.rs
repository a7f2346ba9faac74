//! What `voxproof serve` does with a request, decided without sockets: the endpoint, its
//! answer's bytes, or the HTTP refusal ([docs/clients.md](../../../docs/clients.md#endpoints)).

use crate::wire::frame::{opcode, Frame};
use crate::wire::http::{accept_key, HttpRequest};

/// What a connection asked for (Autobahn's fuzzingserver paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `/getCaseCount`: the number of cases, as text, then close.
    CaseCount,
    /// `/runCase?case=N&agent=A` (or `casetuple=1.1.1`): case `case`
    /// (0-based) runs on this connection; its result is kept under `agent`.
    RunCase { case: usize, agent: String },
    /// `/getCaseInfo?case=N`: `{"id": …, "description": …}`, then close.
    CaseInfo { case: usize },
    /// `/getCaseStatus?case=N&agent=A`: `{"behavior": …}`, then close.
    CaseStatus { case: usize, agent: String },
    /// `/updateReports[?agent=A][&shutdownOnComplete=true]`: write the reports,
    /// close; then stop if asked.
    UpdateReports { agent: Option<String>, stop: bool },
    /// `/stopServer`: close, then the server stops.
    StopServer,
}

/// An HTTP answer instead of a WebSocket: what was wrong with the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub why: String,
}

impl Refusal {
    fn new(status: u16, why: impl Into<String>) -> Refusal {
        Refusal {
            status,
            why: why.into(),
        }
    }
}

pub const PATHS: &str =
    "/getCaseCount, /runCase?case=N&agent=A, /getCaseInfo?case=N, /getCaseStatus?case=N&agent=A, /updateReports?agent=A, /stopServer";

/// The endpoint a request names, with its case resolved among `ids` (the
/// served cases' ids in order, as [`super::spec::serve_id`] gives them).
pub fn route(request: &HttpRequest, ids: &[&str]) -> Result<Endpoint, Refusal> {
    let agent = request.query("agent").filter(|a| !a.is_empty());
    // As Autobahn: `case` wins over `casetuple` when both are given.
    let case = match (request.query("case"), request.query("casetuple")) {
        (Some(n), _) => {
            let n = n.trim();
            match n.parse::<usize>() {
                Ok(k) if (1..=ids.len()).contains(&k) => Some(k - 1),
                _ => {
                    return Err(Refusal::new(
                        404,
                        format!(
                            "case {n:?} not found: cases are numbered 1 to {}",
                            ids.len()
                        ),
                    ))
                }
            }
        }
        (None, Some(tuple)) => match ids.iter().position(|id| *id == tuple.trim()) {
            Some(i) => Some(i),
            None => {
                return Err(Refusal::new(
                    404,
                    format!("casetuple {tuple:?} is not among the cases served"),
                ))
            }
        },
        (None, None) => None,
    };
    let need_case = || Refusal::new(400, "needs ?case=N (or casetuple=ID)");
    let need_agent = || Refusal::new(400, "needs &agent=NAME");
    match request.path() {
        "/getCaseCount" => Ok(Endpoint::CaseCount),
        "/runCase" => Ok(Endpoint::RunCase {
            case: case.ok_or_else(need_case)?,
            agent: agent.ok_or_else(need_agent)?,
        }),
        "/getCaseInfo" => Ok(Endpoint::CaseInfo {
            case: case.ok_or_else(need_case)?,
        }),
        "/getCaseStatus" => Ok(Endpoint::CaseStatus {
            case: case.ok_or_else(need_case)?,
            agent: agent.ok_or_else(need_agent)?,
        }),
        "/updateReports" => Ok(Endpoint::UpdateReports {
            agent,
            stop: request
                .query("shutdownOnComplete")
                .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "yes")),
        }),
        "/stopServer" => Ok(Endpoint::StopServer),
        other => Err(Refusal::new(
            404,
            format!("no endpoint {other}; voxproof serve answers {PATHS}"),
        )),
    }
}

/// The 101 response accepting a control connection's opening handshake, or
/// why it cannot be accepted. No extension or subprotocol is accepted.
pub fn accept(request: &HttpRequest) -> Result<Vec<u8>, Refusal> {
    let has = |name: &str, token: &str| {
        request
            .list(name)
            .iter()
            .any(|t| t.eq_ignore_ascii_case(token))
    };
    if request.method != "GET" {
        return Err(Refusal::new(
            405,
            format!("{} instead of GET", request.method),
        ));
    }
    if !has("Upgrade", "websocket") || !has("Connection", "upgrade") {
        return Err(Refusal::new(
            426,
            "not a WebSocket opening handshake (Upgrade: websocket, Connection: Upgrade)",
        ));
    }
    if request.values("Sec-WebSocket-Version") != [b"13".as_slice()] {
        return Err(Refusal::new(426, "Sec-WebSocket-Version must be 13"));
    }
    let key = match request.values("Sec-WebSocket-Key").as_slice() {
        [key] => key.to_vec(),
        _ => {
            return Err(Refusal::new(
                400,
                "needs exactly one Sec-WebSocket-Key field",
            ))
        }
    };
    Ok(format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\nServer: voxproof/{}\r\n\r\n",
        accept_key(&key),
        env!("CARGO_PKG_VERSION")
    )
    .into_bytes())
}

/// The HTTP response carrying a refusal (text body, connection closed).
pub fn refusal_response(r: &Refusal) -> Vec<u8> {
    let reason = match r.status {
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        426 => "Upgrade Required",
        _ => "Error",
    };
    // RFC 9110 §15.5.22: a 426 names the protocol to upgrade to; RFC 6455
    // §4.4: with the version the server speaks.
    let upgrade = if r.status == 426 {
        "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
    } else {
        ""
    };
    let body = format!("voxproof serve: {}\n", r.why);
    format!(
        "HTTP/1.1 {} {reason}\r\n{upgrade}Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        r.status,
        body.len()
    )
    .into_bytes()
}

/// A text message from the server (unmasked).
pub fn text(message: &str) -> Vec<u8> {
    Frame::new(opcode::TEXT, message.as_bytes()).encode()
}

/// A close frame from the server; the reason is cut to fit a control frame.
pub fn close(code: u16, reason: &str) -> Vec<u8> {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Frame::close(Some(code), &reason.as_bytes()[..end]).encode()
}

/// `/getCaseCount`'s message: the count, as Python's `json.dumps` writes it.
pub fn case_count(n: usize) -> String {
    n.to_string()
}

/// `/getCaseInfo`'s message. Autobahn's description is the case's, cut at
/// its first HTML tag with whitespace collapsed; ours is the title.
pub fn case_info(id: &str, title: &str) -> String {
    let description = title.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "{{\"id\": {}, \"description\": {}}}",
        crate::report::autobahn::json_string(id),
        crate::report::autobahn::json_string(&description)
    )
}

/// `/getCaseStatus`'s message.
pub fn case_status(behavior: &str) -> String {
    format!(
        "{{\"behavior\": {}}}",
        crate::report::autobahn::json_string(behavior)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::http::parse_request;

    fn req(target: &str) -> HttpRequest {
        let raw = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        parse_request(raw.as_bytes()).unwrap().unwrap().0
    }

    #[test]
    fn routes_as_autobahn() {
        let ids = ["1.1.1", "1.1.2", "client.handshake.x"];
        assert_eq!(route(&req("/getCaseCount"), &ids), Ok(Endpoint::CaseCount));
        assert_eq!(
            route(&req("/runCase?case=2&agent=Tungstenite"), &ids),
            Ok(Endpoint::RunCase {
                case: 1,
                agent: "Tungstenite".into()
            })
        );
        assert_eq!(
            route(
                &req("/runCase?casetuple=1.1.2&agent=Faye%20(Node%20v20)"),
                &ids
            ),
            Ok(Endpoint::RunCase {
                case: 1,
                agent: "Faye (Node v20)".into()
            })
        );
        assert_eq!(
            route(&req("/updateReports?agent=A&shutdownOnComplete=true"), &ids),
            Ok(Endpoint::UpdateReports {
                agent: Some("A".into()),
                stop: true
            })
        );
        assert_eq!(
            route(&req("/runCase?case=4&agent=A"), &ids)
                .unwrap_err()
                .status,
            404
        );
        assert_eq!(
            route(&req("/runCase?case=0&agent=A"), &ids)
                .unwrap_err()
                .status,
            404
        );
        assert_eq!(
            route(&req("/runCase?case=1"), &ids).unwrap_err().status,
            400
        );
        assert_eq!(route(&req("/getCaseInfo"), &ids).unwrap_err().status, 400);
        assert_eq!(route(&req("/other"), &ids).unwrap_err().status, 404);
    }

    #[test]
    fn the_rfc_accept_key() {
        // RFC 6455 §1.3's example.
        assert_eq!(
            accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn messages_as_python_writes_them() {
        assert_eq!(case_count(517), "517");
        assert_eq!(
            case_info("1.1.1", "text  message,\n empty"),
            r#"{"id": "1.1.1", "description": "text message, empty"}"#
        );
        assert_eq!(case_status("NON-STRICT"), r#"{"behavior": "NON-STRICT"}"#);
    }
}
