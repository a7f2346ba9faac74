//! `jwt_verify`: input format and properties in `voxproof_reference::fuzzing::jwt_verify`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| voxproof_reference::fuzzing::jwt_verify::run(data));
