//! The XML representation (`<resource>`, `<link>`, `<property>`, `<events>`, `<input>`,
//! `<reason>`). Pure: bytes in, model out, and back.
//!
//! Not yet written: every reader refuses, every writer returns an empty body, so `--format
//! xml` fails with a clear parse error instead of sending something wrong.

use super::resource::{ErrorBody, EventsPage, Input, ParseError, Resource};

/// The UCWA namespace every document carries.
pub const NAMESPACE: &str = "http://schemas.microsoft.com/rtc/2012/03/ucwa";

fn unsupported(what: &'static str) -> ParseError {
    ParseError::new(what, "the XML format is not available yet")
}

pub fn read_resource(_body: &[u8]) -> Result<Resource, ParseError> {
    Err(unsupported("resource"))
}

pub fn write_resource(_resource: &Resource) -> Vec<u8> {
    Vec::new()
}

pub fn read_events(_body: &[u8]) -> Result<EventsPage, ParseError> {
    Err(unsupported("events"))
}

pub fn write_events(_page: &EventsPage) -> Vec<u8> {
    Vec::new()
}

pub fn read_error(_body: &[u8]) -> Result<ErrorBody, ParseError> {
    Err(unsupported("error body"))
}

pub fn write_error(_error: &ErrorBody) -> Vec<u8> {
    Vec::new()
}

pub fn read_input(_body: &[u8]) -> Result<Input, ParseError> {
    Err(unsupported("input"))
}

pub fn write_input(_input: &Input) -> Vec<u8> {
    Vec::new()
}
