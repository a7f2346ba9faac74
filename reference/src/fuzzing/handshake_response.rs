//! Fuzz target `handshake_response`: the client's side of the opening handshake
//! ([fuzz/README.md](../../../fuzz/README.md#handshake_response)).

use crate::handshake::accept_for;
use crate::handshake::client::{validate_response, ClientError, ClientRequest, ResponseParse};

const MAX_RESPONSE_BYTES: usize = 16 * 1024;

/// Splits an input into the client's request and the response bytes.
pub fn split_input(data: &[u8]) -> (ClientRequest, &[u8]) {
    let mut rest = data;
    let mut lines = Vec::new();
    for _ in 0..3 {
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                lines.push(String::from_utf8_lossy(&rest[..i]).into_owned());
                rest = &rest[i + 1..];
            }
            None => {
                lines.push(String::from_utf8_lossy(rest).into_owned());
                rest = &[];
            }
        }
    }
    let names = |line: &str| -> Vec<String> {
        line.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut request = ClientRequest::new("fuzz.invalid", "/", lines[0].trim());
    request.protocols = names(&lines[1]);
    request.extensions = names(&lines[2]);
    (request, rest)
}

pub fn run(data: &[u8]) {
    let (request, response) = split_input(data);
    let whole = validate_response(response, &request);
    match &whole {
        Ok(ResponseParse::Complete(established)) => {
            assert!(established.consumed <= response.len());
            assert!(established.consumed <= MAX_RESPONSE_BYTES);
            check_established(response, &request, established);
        }
        Ok(ResponseParse::Partial) => {}
        Err(ClientError::Status(s)) => {
            let head = head_of(response).expect("a status was read, so the head parses");
            assert_eq!(head.status, *s);
            assert_ne!(*s, 101);
        }
        Err(_) => {}
    }
    let cut = super::cut_of(response, 1);
    match validate_response(&response[..cut], &request) {
        Ok(ResponseParse::Partial) => {}
        prefix => assert_eq!(
            prefix, whole,
            "the first {cut} response bytes validate differently from the whole"
        ),
    }
}

/// The response's header section as httparse reads it.
struct Head {
    version: u8,
    status: u16,
    fields: Vec<(String, Vec<u8>)>,
    len: usize,
}

fn head_of(response: &[u8]) -> Option<Head> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut r = httparse::Response::new(&mut headers);
    let window = &response[..response.len().min(MAX_RESPONSE_BYTES)];
    match r.parse(window) {
        Ok(httparse::Status::Complete(len)) => Some(Head {
            version: r.version?,
            status: r.code?,
            fields: r
                .headers
                .iter()
                .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
                .collect(),
            len,
        }),
        _ => None,
    }
}

fn trimmed(v: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| matches!(b, b' ' | b'\t');
    let start = v.iter().position(|b| !is_ows(b)).unwrap_or(v.len());
    let end = v.iter().rposition(|b| !is_ows(b)).map_or(start, |i| i + 1);
    &v[start..end]
}

impl Head {
    fn values(&self, name: &str) -> Vec<&[u8]> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| trimmed(v))
            .collect()
    }

    fn elements(&self, name: &str) -> Vec<&[u8]> {
        self.values(name)
            .into_iter()
            .flat_map(|v| v.split(|&b| b == b','))
            .map(trimmed)
            .filter(|e| !e.is_empty())
            .collect()
    }
}

fn check_established(
    response: &[u8],
    request: &ClientRequest,
    established: &crate::handshake::client::Established,
) {
    let head = head_of(response).expect("an established response has a header section");
    assert_eq!(established.consumed, head.len);
    assert_eq!((head.status, head.version), (101, 1));
    let upgrade = head.values("upgrade");
    assert!(upgrade.len() == 1 && upgrade[0].eq_ignore_ascii_case(b"websocket"));
    assert!(head
        .elements("connection")
        .iter()
        .any(|e| e.eq_ignore_ascii_case(b"upgrade")));
    assert_eq!(
        head.values("sec-websocket-accept"),
        vec![accept_for(&request.key).as_bytes()],
        "established without the one right Sec-WebSocket-Accept"
    );
    let protocols = head.values("sec-websocket-protocol");
    match &established.protocol {
        Some(p) => {
            assert_eq!(protocols, vec![p.as_bytes()]);
            assert!(request.protocols.contains(p), "{p:?} was not offered");
        }
        None => assert!(protocols.is_empty()),
    }
    for e in head.elements("sec-websocket-extensions") {
        let name = e.split(|&b| b == b';').next().map(trimmed).unwrap_or(e);
        assert!(
            request
                .extensions
                .iter()
                .any(|o| o.as_bytes().eq_ignore_ascii_case(name)),
            "extension {:?} was not offered",
            String::from_utf8_lossy(name)
        );
    }
}
