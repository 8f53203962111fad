//! libFuzzer target: arbitrary page facts through detect::scan, state::apply and
//! summary::summary, with the invariants in model.rs.
#![no_main]

mod model;

libfuzzer_sys::fuzz_target!(|data: &[u8]| model::run(data));
