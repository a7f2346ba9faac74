//! The corpus checks itself: every file matches its schema and its envelope
//! is consistent. That generated files match their generator is checked in
//! vectors/generator/tests.

use serde_json::Value;
use std::collections::BTreeSet;

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
    ("telephony/twilio.json", "schema/telephony.schema.json"),
    ("telephony/telnyx.json", "schema/telephony.schema.json"),
    ("telephony/vonage.json", "schema/telephony.schema.json"),
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
        let header: Vec<&str> = doc["header"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert!(
            header.concat().len() > 40,
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
    for (platform, file) in voxproof_vectors::telephony() {
        let n = file.messages().count() + file.signatures().count();
        assert_eq!(n, file.number_of_tests, "{}", platform.name());
    }
}
