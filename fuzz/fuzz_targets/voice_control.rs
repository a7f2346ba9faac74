//! `voice_control`: input format and properties in `voxproof_reference::fuzzing::voice_control`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| voxproof_reference::fuzzing::voice_control::run(data));
