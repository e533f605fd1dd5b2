#![no_main]
//! The WWW-Authenticate parser never panics on any header values.

use avlaunch::ucwa::auth::parse_challenge;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_challenge(text.split('\n'));
    }
});
