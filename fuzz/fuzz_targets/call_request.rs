#![no_main]
//! Validation never panics, and whatever passes it respects every published limit.

use avlaunch::call::CallRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.split('\u{1}');
    let mut next = || parts.next().map(str::to_string);
    let request = CallRequest {
        to: next().unwrap_or_default(),
        subject: next(),
        importance: next(),
        thread_id: next(),
        session_context: next(),
        operation_id: next().unwrap_or_default(),
        ..Default::default()
    };
    if let Ok(call) = request.validate() {
        assert!(call.subject.map_or(0, |s| s.chars().count()) <= 250);
        assert!(call.session_context.map_or(0, |s| s.chars().count()) <= 50);
        assert!(call.operation_id.chars().count() <= 50);
        assert!(call.to.to_ascii_lowercase().starts_with("sip:") && call.to.contains('@'));
    }
});
