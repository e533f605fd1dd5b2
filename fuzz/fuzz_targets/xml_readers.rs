#![no_main]
//! The XML readers never panic, and what they read writes back to something they read.

use avlaunch::ucwa::xml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(resource) = xml::read_resource(data) {
        xml::read_resource(&xml::write_resource(&resource)).expect("a written resource reads back");
    }
    if let Ok(page) = xml::read_events(data) {
        xml::read_events(&xml::write_events(&page)).expect("written events read back");
    }
    let _ = xml::read_error(data);
    if let Ok(input) = xml::read_input(data) {
        xml::read_input(&xml::write_input(&input)).expect("a written input reads back");
    }
});
