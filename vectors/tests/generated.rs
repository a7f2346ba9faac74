//! The committed files are exactly what the generators produce: a change to
//! either side that is not mirrored in the other fails here.

use voxproof_vectors::generate;

#[test]
fn jwt_files_match_the_generator() {
    let dir = voxproof_vectors::dir();
    for (name, file) in generate::jwt::build_all() {
        let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            committed == generate::to_json(&file),
            "vectors/{name} differs from the generator; run `cargo run -p voxproof-vectors --bin voxproof-vectors-generate`"
        );
    }
}

#[test]
fn accept_file_matches_the_generator() {
    let committed = std::fs::read_to_string(voxproof_vectors::dir().join("accept.json")).unwrap();
    assert!(committed == generate::to_json(&generate::accept::build()));
}

#[test]
fn jwt_files_are_consistent() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schema/jwt.schema.json")).unwrap();
    let vocabulary: Vec<&str> = schema["$defs"]["error"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(vocabulary, voxproof_vectors::jwt::ERRORS);
    for (name, file) in voxproof_vectors::jwt() {
        let mut ids: Vec<u32> = file.jwt_tests().map(|(_, t)| t.tc_id).collect();
        assert_eq!(ids.len(), file.number_of_tests, "{name}");
        ids.dedup();
        assert_eq!(ids.len(), file.number_of_tests, "{name}: tcIds repeat");
        for (_, t) in file.jwt_tests() {
            if let Some(e) = &t.error {
                assert!(vocabulary.contains(&e.as_str()), "{name} {}: {e}", t.tc_id);
            }
            for flag in &t.flags {
                assert!(
                    file.notes.contains_key(flag),
                    "{name}: flag {flag} has no note"
                );
            }
        }
    }
}
