//! The reference crate's integration tests, one module per former test
//! file, linked into one binary (one link of the dependency graph instead of
//! one per file). Select a group by its module name, e.g.
//! `cargo test -p voxproof-reference jwt_vectors`.
//!
//! All modules share one process: no test may change process-wide settings
//! (environment, limits) or exit.

mod common;

mod auth_server;
mod back_pressure;
mod bots;
mod citations;
mod client_bin;
mod fuzz_replay;
mod g711_laws;
mod g711_vectors;
mod handshake_vectors;
mod jwt_properties;
mod jwt_vectors;
mod limits;
mod server;
mod split_invariance;
mod tls;
mod voice;
mod voice_flood;
