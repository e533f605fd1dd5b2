//! The choice of wire format, and the one place that dispatches to its reader and writer.

use super::resource::{ErrorBody, EventsPage, Input, ParseError, Resource};
use super::{json, xml};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    #[default]
    Json,
    Xml,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Xml => "xml",
        }
    }

    /// The `Content-Type` of a body we send.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
        }
    }

    /// The `Accept` we send. XML events require the precise UCWA media type, so XML uses it
    /// everywhere.
    pub fn accept(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/vnd.microsoft.com.ucwa+xml",
        }
    }

    /// The format a `Content-Type` (or one `Accept` entry) names, parameters ignored.
    /// Accepts the plain, the precise and the once-misspelt UCWA forms.
    pub fn from_media_type(value: &str) -> Option<Format> {
        let essence = value.split(';').next()?.trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/json"
            | "application/vnd.microsoft.com.ucwa+json"
            | "application/vnd.microsoft.ucwa+json" => Some(Format::Json),
            "application/xml"
            | "text/xml"
            | "application/vnd.microsoft.com.ucwa+xml"
            | "application/vnd.microsoft.ucwa+xml" => Some(Format::Xml),
            _ => None,
        }
    }

    pub fn read_resource(self, body: &[u8]) -> Result<Resource, ParseError> {
        match self {
            Format::Json => json::read_resource(body),
            Format::Xml => xml::read_resource(body),
        }
    }

    pub fn write_resource(self, resource: &Resource) -> Vec<u8> {
        match self {
            Format::Json => json::write_resource(resource),
            Format::Xml => xml::write_resource(resource),
        }
    }

    pub fn read_events(self, body: &[u8]) -> Result<EventsPage, ParseError> {
        match self {
            Format::Json => json::read_events(body),
            Format::Xml => xml::read_events(body),
        }
    }

    pub fn write_events(self, page: &EventsPage) -> Vec<u8> {
        match self {
            Format::Json => json::write_events(page),
            Format::Xml => xml::write_events(page),
        }
    }

    pub fn read_error(self, body: &[u8]) -> Result<ErrorBody, ParseError> {
        match self {
            Format::Json => json::read_error(body),
            Format::Xml => xml::read_error(body),
        }
    }

    pub fn write_error(self, error: &ErrorBody) -> Vec<u8> {
        match self {
            Format::Json => json::write_error(error),
            Format::Xml => xml::write_error(error),
        }
    }

    pub fn read_input(self, body: &[u8]) -> Result<Input, ParseError> {
        match self {
            Format::Json => json::read_input(body),
            Format::Xml => xml::read_input(body),
        }
    }

    pub fn write_input(self, input: &Input) -> Vec<u8> {
        match self {
            Format::Json => json::write_input(input),
            Format::Xml => xml::write_input(input),
        }
    }
}
