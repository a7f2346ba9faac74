//! Fuzz target `handshake_request`: the server's side of the opening handshake
//! ([fuzz/README.md](../../../fuzz/README.md#handshake_request)).

use crate::handshake::client::{validate_response, ClientRequest, ResponseParse};
use crate::handshake::{
    accept_for, decode_key, parse_request, respond, Limits, Parsed, Rejection, Request,
    ServerConfig,
};

/// The subprotocols the fuzzed server speaks (the RFC's example names).
const PROTOCOLS: [&str; 2] = ["chat", "superchat"];

pub fn run(data: &[u8]) {
    let tight = Limits {
        max_header_bytes: 256,
        max_headers: 8,
    };
    for limits in [Limits::default(), tight] {
        check(data, &limits);
    }
}

fn check(data: &[u8], limits: &Limits) {
    let whole = parse_request(data, limits);
    match &whole {
        Ok(Parsed::Complete { request, consumed }) => {
            assert!(*consumed <= data.len() && *consumed <= limits.max_header_bytes);
            round_trip(request);
            check_respond(request);
        }
        Ok(Parsed::Partial) => {}
        Err(r) => assert!(
            matches!(r.status, 400 | 431),
            "parse refused with {}",
            r.status
        ),
    }
    let cut = super::cut_of(data, 0);
    match parse_request(&data[..cut], limits) {
        Ok(Parsed::Partial) => {}
        prefix => assert_eq!(
            prefix, whole,
            "the first {cut} bytes parse differently from the whole"
        ),
    }
}

/// A request as bytes on the wire: request line, one line per field
/// (`name: value`), blank line.
pub fn serialize(request: &Request) -> Vec<u8> {
    let mut out = format!(
        "{} {} HTTP/1.{}\r\n",
        request.method, request.target, request.minor_version
    )
    .into_bytes();
    for (name, value) in &request.headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn round_trip(request: &Request) {
    let bytes = serialize(request);
    // The serialization may be longer than the original ("a:b" → "a: b"),
    // so it is read back under limits that fit it.
    let limits = Limits {
        max_header_bytes: bytes.len(),
        max_headers: request.headers.len().max(1),
    };
    match parse_request(&bytes, &limits) {
        Ok(Parsed::Complete {
            request: back,
            consumed,
        }) => {
            assert_eq!(&back, request, "re-serialized request parses differently");
            assert_eq!(consumed, bytes.len());
        }
        other => panic!("re-serialized request does not parse: {other:?}"),
    }
}

fn check_respond(request: &Request) {
    let config = ServerConfig {
        protocols: PROTOCOLS.iter().map(|p| p.to_string()).collect(),
        ..ServerConfig::default()
    };
    match respond(request, &config) {
        Ok(accepted) => {
            let response = &accepted.response;
            assert_eq!(response.status, 101);
            assert_eq!(request.method, "GET");
            assert!(request.minor_version >= 1);
            assert_eq!(request.values("Host").len(), 1);
            assert_eq!(response.header("Upgrade"), Some("websocket"));
            assert_eq!(response.header("Connection"), Some("Upgrade"));
            let keys = request.values("Sec-WebSocket-Key");
            let [key] = keys.as_slice() else {
                panic!("101 for {} keys", keys.len())
            };
            let key = std::str::from_utf8(key).expect("an accepted key is text");
            assert!(decode_key(key).is_ok(), "101 for key {key:?}");
            assert_eq!(
                response.header("Sec-WebSocket-Accept"),
                Some(accept_for(key).as_str())
            );
            assert!(accepted.path.starts_with('/'));
            let offered: Vec<String> = request
                .values("Sec-WebSocket-Protocol")
                .iter()
                .flat_map(|line| line.split(|&b| b == b','))
                .map(|p| {
                    String::from_utf8_lossy(p)
                        .trim_matches([' ', '\t'])
                        .to_string()
                })
                .filter(|p| !p.is_empty())
                .collect();
            if let Some(p) = &accepted.protocol {
                assert!(offered.contains(p) && PROTOCOLS.contains(&p.as_str()));
                assert_eq!(response.header("Sec-WebSocket-Protocol"), Some(p.as_str()));
            }
            // The reference client accepts what the reference server answers.
            let mut client = ClientRequest::new("h", "/", key);
            client.protocols = offered;
            let bytes = response.to_bytes();
            match validate_response(&bytes, &client) {
                Ok(ResponseParse::Complete(established)) => {
                    assert_eq!(established.protocol, accepted.protocol);
                    assert_eq!(established.consumed, bytes.len());
                }
                other => panic!("the client refuses the server's 101: {other:?}"),
            }
        }
        Err(rejection) => check_rejection(&rejection),
    }
}

fn check_rejection(rejection: &Rejection) {
    assert!(
        (400..600).contains(&rejection.status),
        "refused with {}",
        rejection.status
    );
    let response = rejection.response();
    assert_eq!(
        response.header("Content-Length"),
        Some(response.body.len().to_string().as_str())
    );
    match rejection.status {
        405 => assert_eq!(response.header("Allow"), Some("GET")),
        426 => {
            assert!(response.header("Upgrade").is_some());
            assert_eq!(response.header("Sec-WebSocket-Version"), Some("13"));
        }
        _ => {}
    }
}
