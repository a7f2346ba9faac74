//! Fuzzing entry points: one `run(data: &[u8])` per target of `fuzz/`.
//!
//! Each `run` feeds arbitrary bytes to one part of the reference and checks,
//! with `assert!`, the properties that part promises; a failed property is a
//! panic, which libFuzzer reports as a crash. The cargo-fuzz targets in
//! `fuzz/fuzz_targets/` only call these functions, and `tests/it/fuzz_replay.rs`
//! calls them on every file of `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/`, so the properties also run on stable Rust.
//!
//! Everything here is deterministic: no wall clock (the JWT checks use the
//! vectors' fixed times), no randomness, no sockets. Each module's doc states
//! its input format and the properties it asserts; `fuzz/README.md` has the
//! table of all targets.

pub mod g711;
pub mod handshake_request;
pub mod handshake_response;
pub mod jwt_verify;
pub mod server_stream;
pub mod voice_control;

/// A position in `0..=data.len()` derived from the bytes themselves (FNV-1a),
/// where split-invariance checks cut the input: the same input always cuts
/// at the same place, and a mutated input usually somewhere else.
pub fn cut_of(data: &[u8], salt: u8) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(salt);
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % (data.len() as u64 + 1)) as usize
}
