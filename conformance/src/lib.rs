//! voxproof conformance runner: cases judge a target against the RFCs and the vectors
//! ([docs/README.md](../../docs/README.md#layout)).

pub mod adapter;
pub mod case;
pub mod cases;
pub mod cli;
pub mod ctx;
pub mod embedded;
pub mod fuzzing;
pub mod livefuzz;
pub mod load;
pub mod platform;
pub mod progress;
pub mod registry;
pub mod report;
pub mod rule;
pub mod run;
pub mod serve;
pub mod target;
pub mod transport;
pub mod verdict;
pub mod wire;
