//! `server_stream`: input format and properties in `voxproof_reference::fuzzing::server_stream`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| voxproof_reference::fuzzing::server_stream::run(data));
