//! `frame_reader`: input format and properties in
//! `voxproof_conformance::fuzzing::frame_reader`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| voxproof_conformance::fuzzing::frame_reader::run(data));
