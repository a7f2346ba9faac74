//! Stable replay of the fuzz targets: every file of `fuzz/corpus/<target>/`
//! and `fuzz/regressions/<target>/` goes through the target's `run`, so the
//! properties the targets assert hold on every seed and every crash ever
//! found, without nightly or cargo-fuzz. (`frame_reader` replays in the
//! conformance crate.)

use std::path::{Path, PathBuf};
use voxproof_reference::fuzzing;

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for kind in ["corpus", "regressions"] {
        let dir = fuzz.join(kind).join(target);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path());
        // .gitkeep and READMEs are not inputs.
        files.extend(entries.filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !name.starts_with('.') && !name.ends_with(".md")
        }));
    }
    files.sort();
    files
}

fn replay(target: &str, run: fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no corpus for {target}");
    for path in files {
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            panic!("{target} fails on {}", path.display());
        }
    }
}

#[test]
fn handshake_request() {
    replay("handshake_request", fuzzing::handshake_request::run);
}

#[test]
fn handshake_response() {
    replay("handshake_response", fuzzing::handshake_response::run);
}

#[test]
fn server_stream() {
    replay("server_stream", fuzzing::server_stream::run);
}

#[test]
fn jwt_verify() {
    replay("jwt_verify", fuzzing::jwt_verify::run);
}

#[test]
fn g711() {
    replay("g711", fuzzing::g711::run);
}

#[test]
fn voice_control() {
    replay("voice_control", fuzzing::voice_control::run);
}
