#![no_main]
//! The JSON readers never panic, and what they read writes back to something they read.

use avlaunch::ucwa::json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(resource) = json::read_resource(data) {
        let again = json::read_resource(&json::write_resource(&resource)).expect("a written resource reads back");
        assert_eq!(again.links, resource.links);
    }
    if let Ok(page) = json::read_events(data) {
        json::read_events(&json::write_events(&page)).expect("written events read back");
    }
    let _ = json::read_error(data);
    if let Ok(input) = json::read_input(data) {
        json::read_input(&json::write_input(&input)).expect("a written input reads back");
    }
});
