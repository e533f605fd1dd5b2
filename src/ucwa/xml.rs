//! The XML representation (`<resource>`, `<link>`, `<property>`, `<events>`, `<input>`,
//! `<reason>`). Pure: bytes in, model out, and back.
//!
//! Reading is a pull parse over the borrowed body (quick-xml), matching elements by local
//! name so that namespace prefixes do not matter; unknown elements and attributes are
//! skipped. XML carries only text, so every scalar comes back as `Value::Text` (booleans as
//! `True`/`False`); compare across formats with `Resource::normalized`.
//!
//! Conventions where the published documents show no XML (PROTOCOL.md §d, §e, §g):
//! - an event's `status` is an attribute of the event element
//!   (`<completed rel href status="Failure">`);
//! - an event's `in` is a child `<link rel="in" href/>`, so the model's `in_link.rel` is
//!   `in` when read from XML (a child `<in rel href/>` is also accepted and keeps its rel);
//! - an event's `reason` is a child `<reason>` laid out like the XML error body;
//! - an event type that is not a plain XML name is written `<event type="…">`;
//! - a null value is `<property name="…" xsi:nil="true"/>`; a list item that is itself a
//!   list or a bag is an unnamed `<propertyList>` / `<propertyBag>` inside the list;
//! - `mediaOffer` (and any other input link) is `<link rel="mediaOffer" href="data:…"/>`.
//!
//! Errors never quote the body (it may hold a token): they name what was expected, the kind
//! of fault and a byte offset.
mod read;
mod write;

pub use read::{is_xml_char, read_error, read_events, read_input, read_resource};
pub use write::{write_error, write_events, write_input, write_resource};

/// The UCWA namespace every document carries.
pub const NAMESPACE: &str = "http://schemas.microsoft.com/rtc/2012/03/ucwa";

/// The XML Schema instance namespace, for `xsi:nil` on null values.
const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Deepest element nesting accepted; deeper documents are refused as hostile.
pub const MAX_DEPTH: usize = 64;
