//! libFuzzer target: arbitrary JSON through the boundary's serde derives and the core
//! (see wire_model.rs).
#![no_main]

mod wire_model;

libfuzzer_sys::fuzz_target!(|data: &[u8]| wire_model::run(data));
