//! The corpus checks itself: every file matches its schema, its envelope is
//! consistent, and generated files match their generator.

use serde_json::Value;
use std::collections::BTreeSet;
use voxproof_vectors::generate;

/// (file, schema) pairs, relative to vectors/.
const FILES: &[(&str, &str)] = &[
    ("accept.json", "schema/accept.schema.json"),
    (
        "handshake/server.json",
        "schema/handshake-server.schema.json",
    ),
    (
        "handshake/client.json",
        "schema/handshake-client.schema.json",
    ),
];

fn read(rel: &str) -> Value {
    let path = voxproof_vectors::dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn every_file_matches_its_schema() {
    for (file, schema) in FILES {
        let validator =
            jsonschema::draft202012::new(&read(schema)).unwrap_or_else(|e| panic!("{schema}: {e}"));
        let doc = read(file);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{file} does not match {schema}:\n{}",
            errors.join("\n")
        );
        assert_eq!(doc["schema"], *schema, "{file}: schema field");
    }
}

#[test]
fn envelopes_are_consistent() {
    for (file, _) in FILES {
        let doc = read(file);
        let tests: Vec<&Value> = doc["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["tests"].as_array().unwrap())
            .collect();
        assert_eq!(
            doc["numberOfTests"].as_u64(),
            Some(tests.len() as u64),
            "{file}: numberOfTests"
        );
        let ids: BTreeSet<u64> = tests.iter().map(|t| t["tcId"].as_u64().unwrap()).collect();
        assert_eq!(ids.len(), tests.len(), "{file}: duplicate tcId");
        let used: BTreeSet<&str> = tests
            .iter()
            .flat_map(|t| t["flags"].as_array().unwrap())
            .map(|f| f.as_str().unwrap())
            .collect();
        let noted: BTreeSet<&str> = doc["notes"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            used, noted,
            "{file}: flags used vs flags explained in notes"
        );
        assert!(
            doc["source"].as_str().unwrap().len() > 40,
            "{file}: say where the values come from"
        );
    }
}

#[test]
fn typed_loader_reads_every_file() {
    assert_eq!(
        voxproof_vectors::accept().tests().count(),
        voxproof_vectors::accept().number_of_tests
    );
    let s = voxproof_vectors::handshake_server();
    assert_eq!(s.tests().count(), s.number_of_tests);
    let c = voxproof_vectors::handshake_client();
    assert_eq!(c.tests().count(), c.number_of_tests);
}

#[test]
fn accept_json_matches_its_generator() {
    let want = generate::to_json(&generate::accept::build());
    let have = std::fs::read_to_string(voxproof_vectors::dir().join("accept.json")).unwrap();
    assert!(have == want, "vectors/accept.json is stale: run `cargo run -p voxproof-vectors --bin voxproof-vectors-generate`");
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
