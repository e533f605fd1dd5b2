//! Writing XML: the model back to bytes, with the UCWA namespace on the root.

use std::borrow::Cow;
use std::io;

use quick_xml::events::{BytesDecl, BytesStart, BytesText, Event as Xml};
use quick_xml::Writer;

use super::{NAMESPACE, XSI_NAMESPACE};
use crate::ucwa::resource::{ErrorBody, Event, EventsPage, Input, Link, Resource, Value};

type W = Writer<Vec<u8>>;

fn writer(capacity: usize) -> io::Result<W> {
    let mut w = Writer::new_with_indent(Vec::with_capacity(capacity), b' ', 2);
    w.write_event(Xml::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    Ok(w)
}

/// The document, or an empty body if writing failed (it cannot, into memory).
fn done(result: io::Result<W>) -> Vec<u8> {
    result.map(Writer::into_inner).unwrap_or_default()
}

/// Writes `start` as `<x/>` when `body` writes nothing, else as `<x>…</x>`.
fn element<F>(w: &mut W, start: BytesStart<'_>, has_children: bool, body: F) -> io::Result<()>
where
    F: FnOnce(&mut W) -> io::Result<()>,
{
    if !has_children {
        return w.write_event(Xml::Empty(start));
    }
    w.write_event(Xml::Start(start.borrow()))?;
    body(w)?;
    w.write_event(Xml::End(start.to_end()))
}

/// Text as XML 1.0 can carry it: a character it forbids (a C0 control but TAB, LF and CR,
/// U+FFFE, U+FFFF; XML 1.0 §2.2) becomes U+FFFD, so nothing we write is refused as not XML.
/// Fields are validated before they get here; this is for what validation cannot see.
fn xml_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(super::is_xml_char) {
        std::borrow::Cow::Borrowed(text)
    } else {
        text.chars()
            .map(|c| if super::is_xml_char(c) { c } else { '\u{fffd}' })
            .collect::<String>()
            .into()
    }
}

fn text_element(w: &mut W, start: BytesStart<'_>, text: &str) -> io::Result<()> {
    w.write_event(Xml::Start(start.borrow()))?;
    w.write_event(Xml::Text(BytesText::new(&xml_text(text))))?;
    w.write_event(Xml::End(start.to_end()))
}

fn with_ns(mut start: BytesStart<'_>) -> BytesStart<'_> {
    start.push_attribute(("xmlns", NAMESPACE));
    start
}

fn link_start<'a>(name: &'a str, link: &'a Link, revision: &'a str) -> BytesStart<'a> {
    let mut start = BytesStart::new(name);
    start.push_attribute(("rel", xml_text(&link.rel).as_ref()));
    start.push_attribute(("href", xml_text(&link.href).as_ref()));
    if let Some(title) = &link.title {
        start.push_attribute(("title", xml_text(title).as_ref()));
    }
    if link.revision.is_some() {
        start.push_attribute(("revision", revision));
    }
    start
}

fn write_link(w: &mut W, link: &Link) -> io::Result<()> {
    let revision = link.revision.map(|r| r.to_string()).unwrap_or_default();
    w.write_event(Xml::Empty(link_start("link", link, &revision)))
}

fn scalar_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "True" } else { "False" })),
        Value::Text(s) | Value::Number(s) => Some(Cow::Borrowed(s)),
        _ => None,
    }
}

/// One value: `<property name>` (or `<item>` when `name` is `None`), `<propertyList>` or
/// `<propertyBag>`.
fn write_value(w: &mut W, name: Option<&str>, value: &Value) -> io::Result<()> {
    let named = |tag: &'static str| {
        let mut start = BytesStart::new(tag);
        if let Some(name) = name {
            start.push_attribute(("name", xml_text(name).as_ref()));
        }
        start
    };
    match value {
        Value::List(items) => element(w, named("propertyList"), !items.is_empty(), |w| {
            items.iter().try_for_each(|item| write_value(w, None, item))
        }),
        Value::Bag(entries) => element(w, named("propertyBag"), !entries.is_empty(), |w| {
            entries
                .iter()
                .try_for_each(|(k, v)| write_value(w, Some(k), v))
        }),
        Value::Null => {
            let mut start = named(if name.is_some() { "property" } else { "item" });
            start.push_attribute(("xmlns:xsi", XSI_NAMESPACE));
            start.push_attribute(("xsi:nil", "true"));
            w.write_event(Xml::Empty(start))
        }
        scalar => {
            let text = scalar_text(scalar).unwrap_or_default();
            text_element(
                w,
                named(if name.is_some() { "property" } else { "item" }),
                &text,
            )
        }
    }
}

fn write_resource_element(w: &mut W, resource: &Resource, root: bool) -> io::Result<()> {
    let mut start = BytesStart::new("resource");
    if !resource.rel.is_empty() {
        start.push_attribute(("rel", resource.rel.as_str()));
    }
    if let Some(href) = &resource.href {
        start.push_attribute(("href", href.as_str()));
    }
    if root {
        start = with_ns(start);
    }
    let has_children = !resource.rel.is_empty()
        || !resource.links.is_empty()
        || !resource.properties.is_empty()
        || !resource.embedded.is_empty();
    element(w, start, has_children, |w| {
        for link in &resource.links {
            write_link(w, link)?;
        }
        if !resource.rel.is_empty() {
            write_value(w, Some("rel"), &Value::Text(resource.rel.clone()))?;
        }
        for (name, value) in &resource.properties {
            // The resource's rel is written above; a property of that name would replace
            // it on reading (as in JSON, where it shares the key).
            if name != "rel" {
                write_value(w, Some(name), value)?;
            }
        }
        for child in &resource.embedded {
            write_resource_element(w, child, false)?;
        }
        Ok(())
    })
}

pub fn write_resource(resource: &Resource) -> Vec<u8> {
    done(writer(1024).and_then(|mut w| {
        write_resource_element(&mut w, resource, true)?;
        Ok(w)
    }))
}

/// An event type usable as an element name as it is (ASCII letters, digits, `_`, `-`, `.`,
/// not starting with a digit, `-` or `.`), other than `event` itself.
fn plain_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && s != "event"
        && !s.to_ascii_lowercase().starts_with("xml")
}

fn write_reason(w: &mut W, error: &ErrorBody, root: bool) -> io::Result<()> {
    let mut start = BytesStart::new("reason");
    if root {
        start = with_ns(start);
    }
    element(w, start, true, |w| {
        text_element(w, BytesStart::new("code"), &error.code)?;
        if let Some(subcode) = &error.subcode {
            text_element(w, BytesStart::new("subcode"), subcode)?;
        }
        if let Some(message) = &error.message {
            text_element(w, BytesStart::new("message"), message)?;
        }
        for (tag, pairs) in [
            ("debugInfo", &error.debug_info),
            ("parameters", &error.parameters),
        ] {
            element(w, BytesStart::new(tag), !pairs.is_empty(), |w| {
                pairs.iter().try_for_each(|(name, text)| {
                    let mut start = BytesStart::new("property");
                    start.push_attribute(("name", name.as_str()));
                    text_element(w, start, text)
                })
            })?;
        }
        Ok(())
    })
}

fn write_event(w: &mut W, event: &Event) -> io::Result<()> {
    let kind = event.kind.as_str();
    let plain = plain_name(kind);
    let revision = event
        .link
        .revision
        .map(|r| r.to_string())
        .unwrap_or_default();
    let mut start = link_start(if plain { kind } else { "event" }, &event.link, &revision);
    if !plain {
        start.push_attribute(("type", kind));
    }
    if let Some(status) = &event.status {
        start.push_attribute(("status", status.as_str()));
    }
    let has_children =
        event.in_link.is_some() || event.embedded.is_some() || event.reason.is_some();
    element(w, start, has_children, |w| {
        if let Some(in_link) = &event.in_link {
            write_link(
                w,
                &Link {
                    rel: "in".to_string(),
                    ..in_link.clone()
                },
            )?;
        }
        if let Some(embedded) = &event.embedded {
            write_resource_element(w, embedded, false)?;
        }
        if let Some(reason) = &event.reason {
            write_reason(w, reason, false)?;
        }
        Ok(())
    })
}

pub fn write_events(page: &EventsPage) -> Vec<u8> {
    done(writer(4096).and_then(|mut w| {
        let mut start = BytesStart::new("events");
        if let Some(href) = &page.self_href {
            start.push_attribute(("href", href.as_str()));
        }
        let links: Vec<Link> = [
            ("next", &page.next),
            ("resync", &page.resync),
            ("resume", &page.resume),
        ]
        .into_iter()
        .filter_map(|(rel, href)| Some(Link::new(rel, href.clone()?)))
        .collect();
        let has_children = !links.is_empty() || !page.senders.is_empty();
        element(&mut w, with_ns(start), has_children, |w| {
            for link in &links {
                write_link(w, link)?;
            }
            for sender in &page.senders {
                let mut start = BytesStart::new("sender");
                start.push_attribute(("rel", sender.rel.as_str()));
                start.push_attribute(("href", sender.href.as_str()));
                element(w, start, !sender.events.is_empty(), |w| {
                    sender.events.iter().try_for_each(|e| write_event(w, e))
                })?;
            }
            Ok(())
        })?;
        Ok(w)
    }))
}

pub fn write_error(error: &ErrorBody) -> Vec<u8> {
    done(writer(512).and_then(|mut w| {
        write_reason(&mut w, error, true)?;
        Ok(w)
    }))
}

/// `<input>`: one `<property name>` per field (booleans `True`/`False`), lists as
/// `<propertyList>`, then the links (`mediaOffer`) as `<link rel href/>`.
pub fn write_input(input: &Input) -> Vec<u8> {
    done(writer(512).and_then(|mut w| {
        let has_children = !input.properties.is_empty() || !input.links.is_empty();
        element(
            &mut w,
            with_ns(BytesStart::new("input")),
            has_children,
            |w| {
                for (name, value) in &input.properties {
                    write_value(w, Some(name), value)?;
                }
                for link in &input.links {
                    write_link(w, link)?;
                }
                Ok(())
            },
        )?;
        Ok(w)
    }))
}
