//! `live_oracle`: input format and properties in
//! `voxproof_conformance::fuzzing::live_oracle`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| voxproof_conformance::fuzzing::live_oracle::run(data));
