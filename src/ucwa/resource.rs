//! One model of UCWA resources, events, inputs and error bodies, filled by both wire
//! formats (`json.rs`, `xml.rs`). Nothing above `ucwa/` knows which format carried it.

use std::borrow::Cow;

/// A hypermedia link: `_links.<rel>.href` in JSON, `<link rel href/>` in XML.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Link {
    pub rel: String,
    pub href: String,
    pub title: Option<String>,
    /// `revision="N"`; absent means revision 1.
    pub revision: Option<u32>,
}

impl Link {
    pub fn new(rel: impl Into<String>, href: impl Into<String>) -> Self {
        Link {
            rel: rel.into(),
            href: href.into(),
            ..Default::default()
        }
    }
}

/// A property value. XML carries only text, so readers of either format should use the
/// accessors (`as_text`, `as_bool`) rather than match on the variant.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Kept as written, so `28289` and `1.5` survive a round trip unchanged.
    Number(String),
    Text(String),
    List(Vec<Value>),
    /// A property bag: named values, in order.
    Bag(Vec<(String, Value)>),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Self {
        Value::Text(s.into())
    }

    /// The value as text: strings as they are, booleans as `true`/`false`, numbers as written.
    pub fn as_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Value::Text(s) | Value::Number(s) => Some(Cow::Borrowed(s)),
            Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            _ => None,
        }
    }

    /// Booleans in either spelling: JSON `true`, XML `True` (any case).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Text(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::Text(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// A form that compares equal across formats: XML's untyped text against JSON's types.
    pub fn normalized(&self) -> Value {
        match self {
            Value::Null => Value::Null,
            Value::List(items) => Value::List(items.iter().map(Value::normalized).collect()),
            Value::Bag(items) => Value::Bag(
                items
                    .iter()
                    .map(|(k, v)| (k.clone(), v.normalized()))
                    .collect(),
            ),
            other => match other.as_bool() {
                Some(b) => Value::Text(if b { "true" } else { "false" }.into()),
                None => Value::Text(other.as_text().unwrap_or_default().into_owned()),
            },
        }
    }
}

/// A property by name, matched without regard to case as UCWA servers do.
fn find_property<'a>(properties: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    properties
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn property_text(properties: &[(String, Value)], name: &str) -> Option<String> {
    find_property(properties, name)
        .and_then(Value::as_text)
        .map(Cow::into_owned)
}

/// A UCWA resource: its own rel and href (the self link), its other links, its
/// properties (in order, unknown ones kept) and its embedded resources.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resource {
    pub rel: String,
    /// The self link's href, if the representation carried one.
    pub href: Option<String>,
    /// Every link but `self`; a repeated rel means several links.
    pub links: Vec<Link>,
    /// Properties other than `rel`.
    pub properties: Vec<(String, Value)>,
    /// Embedded resources; each carries its rel. A repeated rel means a collection.
    pub embedded: Vec<Resource>,
}

impl Resource {
    pub fn new(rel: impl Into<String>, href: Option<String>) -> Self {
        Resource {
            rel: rel.into(),
            href,
            ..Default::default()
        }
    }

    /// The href of the first link with this rel (`self` gives the resource's own href).
    pub fn link(&self, rel: &str) -> Option<&str> {
        if rel == "self" {
            return self.href.as_deref();
        }
        self.links
            .iter()
            .find(|l| l.rel == rel)
            .map(|l| l.href.as_str())
    }

    /// A property by name, matched without regard to case as UCWA servers do.
    pub fn property(&self, name: &str) -> Option<&Value> {
        find_property(&self.properties, name)
    }

    pub fn text(&self, name: &str) -> Option<String> {
        property_text(&self.properties, name)
    }

    pub fn boolean(&self, name: &str) -> Option<bool> {
        self.property(name).and_then(Value::as_bool)
    }

    /// The first embedded resource with this rel.
    pub fn embedded(&self, rel: &str) -> Option<&Resource> {
        self.embedded.iter().find(|r| r.rel == rel)
    }

    pub fn with_link(mut self, rel: &str, href: impl Into<String>) -> Self {
        self.links.push(Link::new(rel, href));
        self
    }

    pub fn with_property(mut self, name: &str, value: Value) -> Self {
        self.properties.push((name.to_string(), value));
        self
    }

    pub fn with_embedded(mut self, resource: Resource) -> Self {
        self.embedded.push(resource);
        self
    }

    /// The resource with every value normalized (see `Value::normalized`), for comparing
    /// what the JSON and XML readers made of twin documents.
    pub fn normalized(&self) -> Resource {
        Resource {
            rel: self.rel.clone(),
            href: self.href.clone(),
            links: self.links.clone(),
            properties: self
                .properties
                .iter()
                .map(|(k, v)| (k.clone(), v.normalized()))
                .collect(),
            embedded: self.embedded.iter().map(Resource::normalized).collect(),
        }
    }
}

/// The body of a POST: properties plus, for data-URI inputs such as `mediaOffer`, links.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Input {
    pub properties: Vec<(String, Value)>,
    pub links: Vec<Link>,
}

impl Input {
    pub fn property(&self, name: &str) -> Option<&Value> {
        find_property(&self.properties, name)
    }

    pub fn text(&self, name: &str) -> Option<String> {
        property_text(&self.properties, name)
    }

    pub fn link(&self, rel: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|l| l.rel.eq_ignore_ascii_case(rel))
            .map(|l| l.href.as_str())
    }
}

/// A UCWA error body (`{code, subcode, message}` in JSON, `<reason>` in XML), also the
/// `reason` of a failed operation in the event channel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: String,
    pub subcode: Option<String>,
    pub message: Option<String>,
    /// For 400s: the invalid input properties, as (name, reason).
    pub parameters: Vec<(String, String)>,
    /// `debugInfo`: logged, never parsed.
    pub debug_info: Vec<(String, String)>,
}

/// What happened to an event's target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    Added,
    Updated,
    Deleted,
    Started,
    Completed,
    /// A type this client does not know; kept, never fatal.
    Other(String),
}

impl EventKind {
    pub fn parse(s: &str) -> Self {
        match s {
            "added" => EventKind::Added,
            "updated" => EventKind::Updated,
            "deleted" => EventKind::Deleted,
            "started" => EventKind::Started,
            "completed" => EventKind::Completed,
            other => EventKind::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            EventKind::Added => "added",
            EventKind::Updated => "updated",
            EventKind::Deleted => "deleted",
            EventKind::Started => "started",
            EventKind::Completed => "completed",
            EventKind::Other(s) => s,
        }
    }
}

/// How an operation ended: the `status` of a `completed` event (UCWA "Events":
/// `Success` or `Failure`, with a `reason` on failure).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperationStatus {
    Success,
    Failure,
    /// A status this client does not know, kept as received: treated as a failure.
    Other(String),
}

impl OperationStatus {
    /// The status named by the wire text `s` (exact spelling, as UCWA sends it).
    pub fn parse(s: &str) -> Self {
        match s {
            "Success" => OperationStatus::Success,
            "Failure" => OperationStatus::Failure,
            other => OperationStatus::Other(other.to_string()),
        }
    }

    /// The wire spelling (an unknown status as received).
    pub fn as_str(&self) -> &str {
        match self {
            OperationStatus::Success => "Success",
            OperationStatus::Failure => "Failure",
            OperationStatus::Other(s) => s,
        }
    }
}

/// Both as their wire spelling (`completed`, `Success`): `Display` for text, `Serialize` for
/// JSON output.
macro_rules! wire_text {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    )*};
}
wire_text!(EventKind, OperationStatus);
pub(crate) use wire_text;

/// One event from the event channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    /// The event's target (rel, href, optional title).
    pub link: Link,
    /// The collection or parent the target joined or left.
    pub in_link: Option<Link>,
    /// The whole target resource, when the server embedded it.
    pub embedded: Option<Resource>,
    /// `Success` or `Failure` on `completed` operation events.
    pub status: Option<OperationStatus>,
    pub reason: Option<ErrorBody>,
}

/// The resource that raised a group of events.
#[derive(Clone, Debug, PartialEq)]
pub struct Sender {
    pub rel: String,
    pub href: String,
    pub events: Vec<Event>,
}

/// One answer of the event channel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventsPage {
    pub self_href: Option<String>,
    pub next: Option<String>,
    /// Wins over `next` when both are present.
    pub resync: Option<String>,
    pub resume: Option<String>,
    pub senders: Vec<Sender>,
}

impl EventsPage {
    /// The href to park the next P-GET on: `resync`, else `next`, else `resume`.
    pub fn follow(&self) -> Option<&str> {
        self.resync
            .as_deref()
            .or(self.next.as_deref())
            .or(self.resume.as_deref())
    }

    /// A `resume` instead of `next`: the server reset conversations after a silence, so
    /// any call in progress is gone.
    pub fn is_resume(&self) -> bool {
        self.resume.is_some() && self.next.is_none() && self.resync.is_none()
    }

    /// Every event, in order, with the sender that raised it.
    pub fn events(&self) -> impl Iterator<Item = (&Sender, &Event)> {
        self.senders
            .iter()
            .flat_map(|s| s.events.iter().map(move |e| (s, e)))
    }
}

/// A body that could not be read: what was expected and why, never the body itself
/// (it may hold a token).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot read {what}: {detail}")]
pub struct ParseError {
    pub what: &'static str,
    pub detail: String,
}

impl ParseError {
    pub fn new(what: &'static str, detail: impl Into<String>) -> Self {
        ParseError {
            what,
            detail: detail.into(),
        }
    }
}
