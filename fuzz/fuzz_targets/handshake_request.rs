//! `handshake_request`: input format and properties in `voxproof_reference::fuzzing::handshake_request`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| voxproof_reference::fuzzing::handshake_request::run(data));
