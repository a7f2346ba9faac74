//! `adapter_protocol`: input format and properties in
//! `voxproof_conformance::fuzzing::adapter_protocol`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| voxproof_conformance::fuzzing::adapter_protocol::run(data));
