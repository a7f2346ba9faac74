//! voxproof conformance runner.
//!
//! Cases speak raw bytes to a target and judge what comes back against the RFCs
//! and the vector corpus — never against the reference implementation, which
//! this crate uses only to start the embedded default target.

pub mod case;
pub mod cases;
pub mod cli;
pub mod ctx;
pub mod embedded;
pub mod fuzzing;
pub mod progress;
pub mod registry;
pub mod report;
pub mod rule;
pub mod run;
pub mod target;
pub mod verdict;
pub mod wire;
