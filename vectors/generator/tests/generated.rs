//! The committed generated files equal what the generator produces now, and
//! every accept in the hand-written handshake files recomputes with the
//! generator's own SHA-1 and base64.

use voxproof_vectors::dir;
use voxproof_vectors_generator as generate;

#[test]
fn committed_files_match_the_generators() {
    let root = dir();
    let outputs = generate::outputs(&root).expect("generator inputs are readable");
    let stale: Vec<String> = outputs
        .iter()
        .filter(|(name, contents)| std::fs::read(root.join(name)).ok().as_ref() != Some(contents))
        .map(|(name, _)| format!("vectors/{name}"))
        .collect();
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}; regenerate with \
         `cargo run -p voxproof-vectors-generator`"
    );
}

/// Every accept in the handshake files, recomputed with the generator's own
/// SHA-1 and base64 (independent of the reference).
#[test]
fn handshake_accepts_recompute() {
    let key_of = |text: &str| -> Option<String> {
        text.split('\n')
            .find(|l| l.to_ascii_lowercase().starts_with("sec-websocket-key:"))
            .map(|l| {
                l.split_once(':')
                    .unwrap()
                    .1
                    .trim_matches([' ', '\t', '\r'])
                    .to_string()
            })
    };
    for t in voxproof_vectors::handshake_server().tests() {
        let Some(u) = &t.upgrade else { continue };
        for h in u
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("Sec-WebSocket-Accept"))
        {
            let key = key_of(&t.request).expect("a request with an accept has one key");
            assert_eq!(
                h.value,
                generate::accept::accept_of(&key),
                "server tcId {}",
                t.tc_id
            );
        }
        assert!(
            u.headers.iter().any(|h| h.name.eq_ignore_ascii_case("Sec-WebSocket-Accept"))
                && u.headers.iter().any(|h| h.name.eq_ignore_ascii_case("Upgrade"))
                && u.headers.iter().any(|h| h.name.eq_ignore_ascii_case("Connection")),
            "server tcId {}: a 101 expectation must name Upgrade, Connection and Sec-WebSocket-Accept",
            t.tc_id
        );
    }
    for t in voxproof_vectors::handshake_client()
        .tests()
        .filter(|t| t.result == voxproof_vectors::Expected::Valid)
    {
        let accept = t
            .response
            .split('\n')
            .find(|l| l.to_ascii_lowercase().starts_with("sec-websocket-accept:"))
            .map(|l| {
                l.split_once(':')
                    .unwrap()
                    .1
                    .trim_matches([' ', '\t', '\r'])
                    .to_string()
            });
        assert_eq!(
            accept,
            Some(generate::accept::accept_of(&t.key)),
            "client tcId {}",
            t.tc_id
        );
    }
}
