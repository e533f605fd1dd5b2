//! Reading XML: a pull parse over the borrowed body (quick-xml) into the model.

use std::borrow::Cow;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesCData, BytesStart, BytesText, Event as Xml};
use quick_xml::Reader;

use super::MAX_DEPTH;
use crate::ucwa::resource::{
    ErrorBody, Event, EventKind, EventsPage, Input, Link, OperationStatus, ParseError, Resource,
    Sender, Value,
};

type PResult<T> = Result<T, ParseError>;

/// A category of quick-xml fault, without any text from the body.
fn describe(e: &quick_xml::Error) -> &'static str {
    use quick_xml::Error as E;
    match e {
        E::Io(_) => "read error",
        E::Syntax(_) => "malformed XML",
        E::IllFormed(_) => "ill-formed XML (mismatched or unexpected tags)",
        E::InvalidAttr(_) => "malformed attribute",
        E::Encoding(_) => "text is not valid UTF-8",
        E::Escape(_) => "bad character or entity reference",
        E::Namespace(_) => "bad namespace declaration",
    }
}

/// The attributes avlaunch reads, matched by local name; namespace declarations and
/// unknown attributes are skipped.
#[derive(Default)]
struct Attrs {
    rel: Option<String>,
    href: Option<String>,
    title: Option<String>,
    revision: Option<String>,
    status: Option<String>,
    name: Option<String>,
    kind: Option<String>,
    nil: bool,
}

impl Attrs {
    fn link(self) -> Option<Link> {
        Some(Link {
            rel: self.rel?,
            href: self.href?,
            title: self.title,
            revision: self.revision.and_then(|r| r.trim().parse().ok()),
        })
    }
}

/// The element names avlaunch reads (local names, any prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Resource,
    Link,
    Property,
    PropertyList,
    PropertyBag,
    Item,
    Events,
    Sender,
    Event,
    In,
    Reason,
    Code,
    Subcode,
    Message,
    Parameters,
    DebugInfo,
    Input,
    Other,
}

impl Tag {
    fn of(local: &[u8]) -> Tag {
        match local {
            b"resource" => Tag::Resource,
            b"link" => Tag::Link,
            b"property" => Tag::Property,
            b"propertyList" => Tag::PropertyList,
            b"propertyBag" => Tag::PropertyBag,
            b"item" => Tag::Item,
            b"events" => Tag::Events,
            b"sender" => Tag::Sender,
            b"event" => Tag::Event,
            b"in" => Tag::In,
            b"reason" => Tag::Reason,
            b"code" => Tag::Code,
            b"subcode" => Tag::Subcode,
            b"message" => Tag::Message,
            b"parameters" => Tag::Parameters,
            b"debugInfo" => Tag::DebugInfo,
            b"input" => Tag::Input,
            _ => Tag::Other,
        }
    }
}

/// One element the caller has to deal with: its start tag and whether it is `<x/>`.
struct Element<'a> {
    start: BytesStart<'a>,
    tag: Tag,
    empty: bool,
    /// Nesting depth of this element (the root is 1).
    depth: usize,
}

struct Parser<'a> {
    reader: Reader<&'a [u8]>,
    what: &'static str,
}

/// XML 1.0's `Char` production (§2.2): `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
/// | [#x10000-#x10FFFF]`. (A Rust `char` is never a surrogate.)
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// What the parser hands on: an element start, the end of the current element, text, or
/// the end of input.
enum Item<'a> {
    Open(Element<'a>),
    Close,
    Text(Raw<'a>),
    Eof,
}

/// Text as read, decoded only when wanted (most text is indentation between elements).
enum Raw<'a> {
    Text(BytesText<'a>),
    CData(BytesCData<'a>),
}

impl<'a> Raw<'a> {
    fn is_blank(&self) -> bool {
        let bytes: &[u8] = match self {
            Raw::Text(t) => t,
            Raw::CData(c) => c,
        };
        bytes.iter().all(u8::is_ascii_whitespace)
    }
}

impl<'a> Parser<'a> {
    fn new(what: &'static str, body: &'a [u8]) -> Self {
        let mut reader = Reader::from_reader(body);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = false;
        config.trim_text(false);
        Parser { reader, what }
    }

    fn err(&self, detail: impl Into<String>) -> ParseError {
        ParseError::new(
            self.what,
            format!(
                "{} (at byte {})",
                detail.into(),
                self.reader.buffer_position()
            ),
        )
    }

    fn xml_err(&self, e: &quick_xml::Error) -> ParseError {
        // Faults found by the reader itself have a precise position; those found while
        // decoding an event's text or attributes are reported at the end of that event.
        let at = match e {
            quick_xml::Error::Syntax(_) | quick_xml::Error::IllFormed(_) => {
                self.reader.error_position()
            }
            _ => self.reader.buffer_position(),
        };
        ParseError::new(self.what, format!("{} (at byte {at})", describe(e)))
    }

    fn next(&mut self, depth: usize) -> PResult<Item<'a>> {
        loop {
            let event = match self.reader.read_event() {
                Ok(e) => e,
                Err(e) => return Err(self.xml_err(&e)),
            };
            return Ok(match event {
                Xml::Start(start) => Item::Open(self.open(start, false, depth + 1)?),
                Xml::Empty(start) => Item::Open(self.open(start, true, depth + 1)?),
                Xml::End(_) => Item::Close,
                Xml::Text(t) => Item::Text(Raw::Text(t)),
                Xml::CData(c) => Item::Text(Raw::CData(c)),
                Xml::Eof => Item::Eof,
                Xml::Comment(_) | Xml::PI(_) | Xml::Decl(_) | Xml::DocType(_) => continue,
            });
        }
    }

    fn decode(&self, raw: Raw<'a>) -> PResult<Cow<'a, str>> {
        let text = match raw {
            Raw::Text(t) => t.unescape().map_err(|e| self.xml_err(&e))?,
            Raw::CData(c) => c.decode().map_err(|e| self.xml_err(&e.into()))?,
        };
        self.checked(text)
    }

    /// Refuses text holding a character XML 1.0 forbids (`Char`, XML 1.0 §2.2): C0 controls
    /// but TAB, LF and CR, surrogates, U+FFFE and U+FFFF, whether written raw or as a
    /// character reference such as `&#x1B;` or `&#0;`. Such a document is not XML.
    fn checked<'t>(&self, text: Cow<'t, str>) -> PResult<Cow<'t, str>> {
        match text.chars().find(|c| !is_xml_char(*c)) {
            None => Ok(text),
            Some(c) => Err(self.err(format!(
                "the character U+{:04X} is not allowed in XML 1.0",
                c as u32
            ))),
        }
    }

    /// Text the reader does not use: blank, or checked to be well-formed and dropped.
    fn ignore(&self, raw: Raw<'a>) -> PResult<()> {
        if !raw.is_blank() {
            self.decode(raw)?;
        }
        Ok(())
    }

    fn open(&self, start: BytesStart<'a>, empty: bool, depth: usize) -> PResult<Element<'a>> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("elements nested deeper than {MAX_DEPTH}")));
        }
        Ok(Element {
            tag: Tag::of(start.local_name().as_ref()),
            start,
            empty,
            depth,
        })
    }

    fn attrs(&self, el: &Element<'_>) -> PResult<Attrs> {
        let mut out = Attrs::default();
        for attr in el.start.attributes() {
            let attr: Attribute = attr.map_err(|e| self.xml_err(&e.into()))?;
            if attr.key.as_namespace_binding().is_some() {
                continue;
            }
            let slot = match attr.key.local_name().as_ref() {
                b"rel" => &mut out.rel,
                b"href" => &mut out.href,
                b"title" => &mut out.title,
                b"revision" => &mut out.revision,
                b"status" => &mut out.status,
                b"name" => &mut out.name,
                b"type" => &mut out.kind,
                b"nil" => {
                    let value =
                        self.checked(attr.unescape_value().map_err(|e| self.xml_err(&e))?)?;
                    out.nil = matches!(value.trim(), "true" | "1");
                    continue;
                }
                _ => continue,
            };
            let value = self.checked(attr.unescape_value().map_err(|e| self.xml_err(&e))?)?;
            *slot = Some(value.into_owned());
        }
        Ok(out)
    }

    /// Reads the prolog up to the root element, which must be named `root`.
    fn root(&mut self, root: Tag, name: &str) -> PResult<Element<'a>> {
        loop {
            match self.next(0)? {
                Item::Open(el) if el.tag == root => return Ok(el),
                Item::Open(_) => return Err(self.err(format!("expected a <{name}> root element"))),
                Item::Text(t) if t.is_blank() => {}
                Item::Text(_) => return Err(self.err("text before the root element")),
                Item::Close => return Err(self.err("unexpected end tag")),
                Item::Eof => return Err(self.err(format!("no <{name}> element (empty body)"))),
            }
        }
    }

    /// After the root: only whitespace, comments and processing instructions may follow.
    fn finish(&mut self) -> PResult<()> {
        loop {
            match self.next(0)? {
                Item::Eof => return Ok(()),
                Item::Text(t) if t.is_blank() => {}
                Item::Close => return Err(self.err("unexpected end tag")),
                _ => return Err(self.err("content after the root element")),
            }
        }
    }

    /// Hands every child element of `el` to `f`, which must consume it (parse or `skip`);
    /// text between children is ignored. Returns when `el` is closed.
    fn children<F>(&mut self, el: &Element<'_>, mut f: F) -> PResult<()>
    where
        F: FnMut(&mut Self, Element<'a>) -> PResult<()>,
    {
        if el.empty {
            return Ok(());
        }
        loop {
            match self.next(el.depth)? {
                Item::Open(child) => f(self, child)?,
                Item::Close => return Ok(()),
                Item::Text(t) => self.ignore(t)?,
                Item::Eof => return Err(self.err("document ends inside an element (truncated)")),
            }
        }
    }

    /// Consumes an element the reader does not use, with everything inside it.
    fn skip(&mut self, el: Element<'_>) -> PResult<()> {
        if el.empty {
            return Ok(());
        }
        let mut depth = el.depth;
        loop {
            match self.next(depth)? {
                Item::Open(child) if !child.empty => depth += 1,
                Item::Open(_) => {}
                Item::Text(t) => self.ignore(t)?,
                Item::Close if depth == el.depth => return Ok(()),
                Item::Close => depth -= 1,
                Item::Eof => return Err(self.err("document ends inside an element (truncated)")),
            }
        }
    }

    /// The text content of `el`; child elements are skipped.
    fn text(&mut self, el: Element<'_>) -> PResult<String> {
        if el.empty {
            return Ok(String::new());
        }
        let mut out: Option<Cow<'a, str>> = None;
        loop {
            match self.next(el.depth)? {
                Item::Text(raw) => {
                    let t = self.decode(raw)?;
                    match &mut out {
                        None => out = Some(t),
                        Some(acc) => acc.to_mut().push_str(&t),
                    }
                }
                Item::Open(child) => self.skip(child)?,
                Item::Close => return Ok(out.map(Cow::into_owned).unwrap_or_default()),
                Item::Eof => return Err(self.err("document ends inside an element (truncated)")),
            }
        }
    }

    /// `<property>`, `<propertyList>` or `<propertyBag>` with a `name`, as (name, value).
    /// Other elements, and these without a name, are skipped and give `None`.
    fn named_value(&mut self, el: Element<'a>) -> PResult<Option<(String, Value)>> {
        if !matches!(el.tag, Tag::Property | Tag::PropertyList | Tag::PropertyBag) {
            self.skip(el)?;
            return Ok(None);
        }
        let mut attrs = self.attrs(&el)?;
        let Some(name) = attrs.name.take() else {
            self.skip(el)?;
            return Ok(None);
        };
        let value = self.value(el, &attrs)?;
        Ok(Some((name, value)))
    }

    /// The value of a `<property>`/`<item>` (text or null), `<propertyList>` or
    /// `<propertyBag>`.
    fn value(&mut self, el: Element<'a>, attrs: &Attrs) -> PResult<Value> {
        match el.tag {
            Tag::PropertyList => {
                let mut items = Vec::new();
                self.children(&el, |p, child| {
                    if matches!(child.tag, Tag::Item | Tag::PropertyList | Tag::PropertyBag) {
                        let attrs = p.attrs(&child)?;
                        items.push(p.value(child, &attrs)?);
                        Ok(())
                    } else {
                        p.skip(child)
                    }
                })?;
                Ok(Value::List(items))
            }
            Tag::PropertyBag => {
                let mut entries = Vec::new();
                self.children(&el, |p, child| {
                    entries.extend(p.named_value(child)?);
                    Ok(())
                })?;
                Ok(Value::Bag(entries))
            }
            _ if attrs.nil => {
                self.skip(el)?;
                Ok(Value::Null)
            }
            _ => Ok(Value::Text(self.text(el)?)),
        }
    }

    fn resource(&mut self, el: Element<'a>) -> PResult<Resource> {
        let attrs = self.attrs(&el)?;
        let mut resource = Resource::new(attrs.rel.unwrap_or_default(), attrs.href);
        let mut rel_property = None;
        self.children(&el, |p, child| {
            match child.tag {
                Tag::Link => {
                    let link = p.attrs(&child)?.link();
                    p.skip(child)?;
                    match link {
                        Some(link) if link.rel == "self" => {
                            resource.href.get_or_insert(link.href);
                        }
                        Some(link) => resource.links.push(link),
                        None => {}
                    }
                }
                Tag::Resource => resource.embedded.push(p.resource(child)?),
                _ => {
                    if let Some((name, value)) = p.named_value(child)? {
                        // As in JSON, the `rel` property is the resource's rel, not a
                        // property.
                        if name == "rel" {
                            if let Value::Text(rel) = value {
                                rel_property = Some(rel);
                            }
                        } else {
                            resource.properties.push((name, value));
                        }
                    }
                }
            }
            Ok(())
        })?;
        if let Some(rel) = rel_property {
            resource.rel = rel;
        }
        Ok(resource)
    }

    /// `<reason>` (the error body, or an event's reason). Does not require `code`.
    fn reason(&mut self, el: Element<'a>) -> PResult<ErrorBody> {
        let mut error = ErrorBody::default();
        self.children(&el, |p, child| {
            match child.tag {
                Tag::Code => error.code = p.text(child)?,
                Tag::Subcode => error.subcode = Some(p.text(child)?).filter(|s| !s.is_empty()),
                Tag::Message => error.message = Some(p.text(child)?),
                Tag::Parameters | Tag::DebugInfo => {
                    let list = if child.tag == Tag::Parameters {
                        &mut error.parameters
                    } else {
                        &mut error.debug_info
                    };
                    p.children(&child, |p, item| {
                        if let Some((name, value)) = p.named_value(item)? {
                            let text = value.as_text().map(Cow::into_owned).unwrap_or_default();
                            list.push((name, text));
                        }
                        Ok(())
                    })?;
                }
                _ => p.skip(child)?,
            }
            Ok(())
        })?;
        Ok(error)
    }

    fn event(&mut self, el: Element<'a>) -> PResult<Option<Event>> {
        let attrs = self.attrs(&el)?;
        let kind = match (el.tag, &attrs.kind) {
            (Tag::Event, Some(kind)) => EventKind::parse(kind),
            _ => EventKind::parse(&String::from_utf8_lossy(el.start.local_name().as_ref())),
        };
        let mut attrs = attrs;
        let status = attrs.status.take().map(|s| OperationStatus::parse(&s));
        attrs.rel.get_or_insert_with(String::new);
        let link = attrs.link();
        let mut in_link = None;
        let mut embedded: Vec<Resource> = Vec::new();
        let mut reason = None;
        self.children(&el, |p, child| {
            match child.tag {
                Tag::Resource => embedded.push(p.resource(child)?),
                Tag::Reason => reason = Some(p.reason(child)?),
                Tag::Link | Tag::In => {
                    let is_in = child.tag == Tag::In;
                    let mut attrs = p.attrs(&child)?;
                    p.skip(child)?;
                    if is_in {
                        attrs.rel.get_or_insert_with(|| "in".to_string());
                    }
                    if let Some(link) = attrs.link().filter(|l| is_in || l.rel == "in") {
                        in_link.get_or_insert(link);
                    }
                }
                _ => p.skip(child)?,
            }
            Ok(())
        })?;
        // No target, no event (as in JSON).
        let Some(link) = link else {
            return Ok(None);
        };
        let pick = embedded
            .iter()
            .position(|r| r.rel == link.rel)
            .unwrap_or_default();
        let embedded = (pick < embedded.len()).then(|| embedded.swap_remove(pick));
        Ok(Some(Event {
            kind,
            link,
            in_link,
            embedded,
            status,
            reason,
        }))
    }

    fn sender(&mut self, el: Element<'a>) -> PResult<Sender> {
        let attrs = self.attrs(&el)?;
        let mut events = Vec::new();
        self.children(&el, |p, child| {
            events.extend(p.event(child)?);
            Ok(())
        })?;
        Ok(Sender {
            rel: attrs.rel.unwrap_or_default(),
            href: attrs.href.unwrap_or_default(),
            events,
        })
    }

    fn events(&mut self, el: Element<'a>) -> PResult<EventsPage> {
        let attrs = self.attrs(&el)?;
        let mut page = EventsPage {
            self_href: attrs.href,
            ..Default::default()
        };
        self.children(&el, |p, child| {
            match child.tag {
                Tag::Link => {
                    let link = p.attrs(&child)?.link();
                    p.skip(child)?;
                    if let Some(link) = link {
                        let slot = match link.rel.as_str() {
                            "self" => &mut page.self_href,
                            "next" => &mut page.next,
                            "resync" => &mut page.resync,
                            "resume" => &mut page.resume,
                            _ => return Ok(()),
                        };
                        slot.get_or_insert(link.href);
                    }
                }
                Tag::Sender => page.senders.push(p.sender(child)?),
                _ => p.skip(child)?,
            }
            Ok(())
        })?;
        Ok(page)
    }

    fn input(&mut self, el: Element<'a>) -> PResult<Input> {
        let mut input = Input::default();
        self.children(&el, |p, child| {
            if child.tag == Tag::Link {
                let link = p.attrs(&child)?.link();
                p.skip(child)?;
                input.links.extend(link);
            } else {
                input.properties.extend(p.named_value(child)?);
            }
            Ok(())
        })?;
        Ok(input)
    }
}

/// Parses a whole document whose root is `root`, handing the root to `f`.
fn read<'a, T>(
    what: &'static str,
    root: Tag,
    root_name: &str,
    body: &'a [u8],
    f: impl FnOnce(&mut Parser<'a>, Element<'a>) -> PResult<T>,
) -> PResult<T> {
    let mut parser = Parser::new(what, body);
    let el = parser.root(root, root_name)?;
    let out = f(&mut parser, el)?;
    parser.finish()?;
    Ok(out)
}

pub fn read_resource(body: &[u8]) -> Result<Resource, ParseError> {
    read(
        "resource",
        Tag::Resource,
        "resource",
        body,
        Parser::resource,
    )
}

pub fn read_events(body: &[u8]) -> Result<EventsPage, ParseError> {
    read("events", Tag::Events, "events", body, Parser::events)
}

/// An error body. A `<reason>` without `code` is not a UCWA error (a proxy answered).
pub fn read_error(body: &[u8]) -> Result<ErrorBody, ParseError> {
    let error = read("error body", Tag::Reason, "reason", body, Parser::reason)?;
    if error.code.is_empty() {
        return Err(ParseError::new("error body", "no `code` element"));
    }
    Ok(error)
}

pub fn read_input(body: &[u8]) -> Result<Input, ParseError> {
    read("input", Tag::Input, "input", body, Parser::input)
}
