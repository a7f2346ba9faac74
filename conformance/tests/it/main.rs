//! The conformance crate's integration tests, one module per former test
//! file, linked into one binary: each file its own binary meant as many
//! links of the whole dependency graph. Select a group by its module name,
//! e.g. `cargo test -p voxproof-conformance faulty_framing`.
//!
//! All modules share one process: state kept in statics (the full reference
//! run of `snapshots`, the bulk-case slots of `run`) is shared by them, and
//! no test may change process-wide settings (environment, limits) or exit.

mod common;

mod adapter;
mod bounded_runs;
mod catalogue;
mod cli;
mod client_framing;
mod faulty_auth;
mod faulty_client_handshake;
mod faulty_framing;
mod faulty_handshake;
mod faulty_telephony;
mod faulty_voice;
mod frame_roundtrip;
mod frame_vectors;
mod fuzz_live;
mod fuzz_replay;
mod load;
mod module_docs;
mod module_graph;
mod observer_laws;
mod reference_run;
mod reports;
mod rule_quotes;
mod serve;
mod snapshots;
mod telephony_vectors;
mod transport;
