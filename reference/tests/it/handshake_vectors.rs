//! The reference handshake against every vector of the corpus.

use voxproof_reference::handshake::client::{validate_response, ClientRequest, ResponseParse};
use voxproof_reference::handshake::{
    accept_for, decode_key, parse_request, respond, Limits, Parsed, ServerConfig,
};
use voxproof_vectors::{Expected, Match, ServerTest, EXAMPLE_HOST, EXAMPLE_PATH};

#[test]
fn accept_vectors() {
    let v = voxproof_vectors::accept();
    assert!(v.tests().count() >= 100);
    for t in v.tests() {
        let decoded = decode_key(&t.key);
        match t.result {
            Expected::Valid => {
                assert!(decoded.is_ok(), "tcId {}: {:?} refused", t.tc_id, t.key);
                assert_eq!(Some(accept_for(&t.key)), t.accept, "tcId {}", t.tc_id);
            }
            Expected::Invalid => {
                assert!(decoded.is_err(), "tcId {}: {:?} accepted", t.tc_id, t.key)
            }
            // The reference's decoder is strict; the accept must still be right
            // for a lenient server, so check the formula anyway.
            Expected::Acceptable => {
                assert_eq!(Some(accept_for(&t.key)), t.accept, "tcId {}", t.tc_id)
            }
        }
    }
}

fn config() -> ServerConfig {
    // The vectors use "chat"/"superchat" as the names a server may know.
    ServerConfig {
        protocols: vec!["chat".into()],
        limits: Limits::default(),
    }
}

/// The reference's answer to a vector's request, as a response.
fn answer(t: &ServerTest) -> voxproof_reference::handshake::Response {
    let bytes = t.request_for(EXAMPLE_HOST, EXAMPLE_PATH);
    match parse_request(&bytes, &Limits::default()) {
        Ok(Parsed::Complete { request, .. }) => match respond(&request, &config()) {
            Ok(a) => a.response,
            Err(r) => r.response(),
        },
        Ok(Parsed::Partial) => panic!("tcId {}: request incomplete", t.tc_id),
        Err(r) => r.response(),
    }
}

fn header_ok(
    resp: &voxproof_reference::handshake::Response,
    name: &str,
    value: &str,
    mode: Match,
) -> bool {
    let values: Vec<&str> = resp
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .collect();
    match mode {
        Match::Exact => values == [value],
        Match::Caseless => values.len() == 1 && values[0].eq_ignore_ascii_case(value),
        Match::Token => values
            .iter()
            .flat_map(|v| v.split(','))
            .any(|e| e.trim().eq_ignore_ascii_case(value)),
    }
}

#[test]
fn server_vectors() {
    let v = voxproof_vectors::handshake_server();
    assert!(v.tests().count() >= 40);
    let mut failures = Vec::new();
    for t in v.tests() {
        if let Err(e) = std::panic::catch_unwind(|| check_server_vector(t)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
            failures.push(msg.unwrap_or_default());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn check_server_vector(t: &ServerTest) {
    {
        let resp = answer(t);
        match (t.result, resp.status) {
            (Expected::Invalid, 101) => panic!("tcId {} ({}): accepted", t.tc_id, t.case),
            (Expected::Valid, s) if s != 101 => {
                panic!(
                    "tcId {} ({}): refused with {s}: {}",
                    t.tc_id, t.case, resp.body
                )
            }
            (_, 101) => {
                let u = t
                    .upgrade
                    .as_ref()
                    .expect("valid tests carry an upgrade block");
                for h in &u.headers {
                    assert!(
                        header_ok(&resp, &h.name, &h.value, h.mode),
                        "tcId {}: {} {:?}",
                        t.tc_id,
                        h.name,
                        resp
                    );
                }
                for name in &u.absent {
                    assert!(resp.header(name).is_none(), "tcId {}: {name} sent", t.tc_id);
                }
                if let (Some(one_of), Some(p)) =
                    (&u.protocol_one_of, resp.header("Sec-WebSocket-Protocol"))
                {
                    assert!(
                        one_of.iter().any(|o| o == p),
                        "tcId {}: protocol {p}",
                        t.tc_id
                    );
                }
                assert!(resp.header("Sec-WebSocket-Extensions").is_none());
            }
            (_, status) => {
                assert!(
                    (400..500).contains(&status),
                    "tcId {}: status {status}",
                    t.tc_id
                );
                let r = t.reject.clone().unwrap_or_default();
                if let Some(required) = r.status {
                    assert_eq!(status, required, "tcId {} ({})", t.tc_id, t.case);
                }
                for h in &r.headers {
                    assert!(
                        header_ok(&resp, &h.name, &h.value, h.mode),
                        "tcId {}: {} {:?}",
                        t.tc_id,
                        h.name,
                        resp
                    );
                }
            }
        }
    }
}

#[test]
fn client_vectors() {
    let v = voxproof_vectors::handshake_client();
    assert!(v.tests().count() >= 20);
    for t in v.tests() {
        let mut req = ClientRequest::new(EXAMPLE_HOST, EXAMPLE_PATH, &t.key);
        req.protocols = t.protocols.clone();
        req.extensions = t.extensions.clone();
        let got = validate_response(&voxproof_vectors::octets(&t.response), &req);
        match t.result {
            Expected::Valid => match got {
                Ok(ResponseParse::Complete(e)) => {
                    if let Some(p) = &t.protocol {
                        assert_eq!(&e.protocol, p, "tcId {} ({})", t.tc_id, t.name);
                    }
                }
                other => panic!("tcId {} ({}): {other:?}", t.tc_id, t.name),
            },
            Expected::Invalid => {
                assert!(
                    got.is_err(),
                    "tcId {} ({}): accepted: {got:?}",
                    t.tc_id,
                    t.name
                )
            }
            Expected::Acceptable => {}
        }
    }
}
