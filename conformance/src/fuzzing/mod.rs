//! Fuzzing: the runner's own targets (`frame_reader`, `adapter_protocol`) and the seed corpora of every target
//! ([fuzz/README.md](../../../fuzz/README.md#target-details)).

pub mod adapter_protocol;
pub mod frame_reader;
pub mod live_oracle;
pub mod seeds;
