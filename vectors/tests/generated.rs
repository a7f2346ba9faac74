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
