//! Fuzzing: the runner's own target (`frame_reader`) and the seed corpora of every target
//! ([fuzz/README.md](../../../fuzz/README.md#target-details)).

pub mod frame_reader;
pub mod live_oracle;
pub mod seeds;
