//! `g711`: input format and properties in `voxproof_reference::fuzzing::g711`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| voxproof_reference::fuzzing::g711::run(data));
