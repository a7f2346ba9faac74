//! The typed loader reads the G.711 and JWT files, and the embedded WAV
//! fixtures are the files on disk.

use voxproof_vectors::{dir, g711};

#[test]
fn g711_files_load_and_count_their_tests() {
    for law in [voxproof_vectors::g711_pcmu(), voxproof_vectors::g711_pcma()] {
        assert_eq!(law.tests().count(), law.number_of_tests, "{}", law.suite);
        assert_eq!(law.encode.len(), 65536);
        assert_eq!(law.decode.len(), 256);
        assert_eq!(law.decision_values.len(), 129);
        for t in law.tests() {
            assert_eq!(t.code_bytes().len(), t.samples.len(), "tcId {}", t.tc_id);
            assert_eq!(t.decoded.len(), t.samples.len(), "tcId {}", t.tc_id);
        }
    }
    let t = voxproof_vectors::g711_transcode();
    assert_eq!(t.tests().count(), t.number_of_tests);
    assert_eq!((t.pcmu_to_pcma.len(), t.pcma_to_pcmu.len()), (256, 256));
}

#[test]
fn embedded_wav_fixtures_are_the_files_on_disk() {
    let root = dir().join("g711/wav");
    for f in g711::WAV_FIXTURES {
        for (kind, bytes) in [("pcm16", f.pcm16), ("pcmu", f.pcmu), ("pcma", f.pcma)] {
            let path = root.join(format!("{}.{kind}.wav", f.name));
            assert_eq!(
                std::fs::read(&path).expect("fixture exists"),
                bytes,
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn jwt_files_are_consistent() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/jwt.schema.json")).unwrap();
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
