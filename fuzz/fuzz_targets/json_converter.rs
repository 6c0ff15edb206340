#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| connect_fuzz::json_converter(data));
