//! Stable replay of the `frame_reader`, `adapter_protocol` and `live_oracle` fuzz targets
//! over their corpora and regressions, and the committed seed corpora against the generator.

use std::path::{Path, PathBuf};
use voxproof_conformance::fuzzing::{adapter_protocol, frame_reader, live_oracle, seeds};

#[test]
fn frame_reader_replays_its_corpus_and_regressions() {
    for path in inputs("frame_reader") {
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| frame_reader::run(&data)).is_err() {
            panic!("frame_reader fails on {}", path.display());
        }
    }
}

#[test]
fn adapter_protocol_replays_its_corpus_and_regressions() {
    for path in inputs("adapter_protocol") {
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| adapter_protocol::run(&data)).is_err() {
            panic!("adapter_protocol fails on {}", path.display());
        }
    }
}

#[test]
fn live_oracle_replays_its_corpus_and_regressions() {
    for path in inputs("live_oracle") {
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| live_oracle::run(&data)).is_err() {
            panic!("live_oracle fails on {}", path.display());
        }
    }
}

/// The corpus and regression files of `target`, sorted.
fn inputs(target: &str) -> Vec<PathBuf> {
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
    files
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
