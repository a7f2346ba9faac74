//! Fuzzing: the runner's own target (`frame_reader`) and the seed corpora
//! of every target in `fuzz/`.
//!
//! * [`frame_reader`] — `run(data)` for the `frame_reader` target: the frame
//!   reader faces whatever a server sends.
//! * [`seeds`] — the seed inputs of all seven targets, made from the
//!   vectors; `voxproof-fuzz-seeds` writes them to `fuzz/corpus/<target>/`.
//!
//! The other targets' `run` functions are in `voxproof_reference::fuzzing`.

pub mod frame_reader;
pub mod seeds;
