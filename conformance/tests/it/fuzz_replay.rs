//! Stable replay of the `frame_reader` and `adapter_protocol` fuzz targets
//! over their corpora and regressions, and the committed seed corpora against
//! the generator.

use std::path::Path;
use voxproof_conformance::fuzzing::{adapter_protocol, frame_reader, seeds};

#[test]
fn frame_reader_replays_its_corpus_and_regressions() {
    replay("frame_reader", frame_reader::run);
}

#[test]
fn adapter_protocol_replays_its_corpus_and_regressions() {
    replay("adapter_protocol", adapter_protocol::run);
}

fn replay(target: &str, run: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for kind in ["corpus", "regressions"] {
        let dir = fuzz.join(kind).join(target);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            // .gitkeep and READMEs are not inputs.
            if !name.starts_with('.') && !name.ends_with(".md") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            panic!("{target} fails on {}", path.display());
        }
    }
}

#[test]
fn committed_seeds_match_the_generator() {
    let missing = seeds::missing(&seeds::fuzz_dir().join("corpus"));
    assert!(
        missing.is_empty(),
        "fuzz/corpus lacks seeds {missing:?}; regenerate with \
         `cargo run -p voxproof-conformance --bin voxproof-fuzz-seeds`"
    );
}

#[test]
fn every_target_has_a_regressions_folder() {
    for target in seeds::TARGETS {
        let dir = seeds::fuzz_dir().join("regressions").join(target);
        assert!(dir.is_dir(), "{} is missing", dir.display());
    }
}
