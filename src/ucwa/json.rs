//! The JSON representation: `_links`, `_embedded`, plain properties. Pure: bytes in,
//! model out, and back.

use serde_json::{Map, Value as J};

use super::resource::{
    ErrorBody, Event, EventKind, EventsPage, Input, Link, OperationStatus, ParseError, Resource,
    Sender, Value,
};

fn parse(what: &'static str, body: &[u8]) -> Result<Map<String, J>, ParseError> {
    match serde_json::from_slice::<J>(body) {
        Ok(J::Object(map)) => Ok(map),
        Ok(_) => Err(ParseError::new(what, "expected a JSON object")),
        Err(e) => Err(ParseError::new(what, e.to_string())),
    }
}

fn to_value(j: &J) -> Value {
    match j {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Number(n.to_string()),
        J::String(s) => Value::Text(s.clone()),
        J::Array(items) => Value::List(items.iter().map(to_value).collect()),
        J::Object(map) => Value::Bag(map.iter().map(|(k, v)| (k.clone(), to_value(v))).collect()),
    }
}

fn from_value(v: &Value) -> J {
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => serde_json::from_str::<serde_json::Number>(n)
            .map(J::Number)
            .unwrap_or_else(|_| J::String(n.clone())),
        Value::Text(s) => J::String(s.clone()),
        Value::List(items) => J::Array(items.iter().map(from_value).collect()),
        Value::Bag(items) => J::Object(
            items
                .iter()
                .map(|(k, v)| (k.clone(), from_value(v)))
                .collect(),
        ),
    }
}

fn read_link(rel: &str, j: &J) -> Option<Link> {
    let obj = j.as_object()?;
    Some(Link {
        rel: rel.to_string(),
        href: obj.get("href")?.as_str()?.to_string(),
        title: obj.get("title").and_then(J::as_str).map(str::to_string),
        revision: obj
            .get("revision")
            .and_then(|r| r.as_u64().or_else(|| r.as_str()?.parse().ok()))
            .map(|r| r as u32),
    })
}

fn write_link(link: &Link) -> J {
    let mut obj = Map::new();
    obj.insert("href".into(), J::String(link.href.clone()));
    if let Some(title) = &link.title {
        obj.insert("title".into(), J::String(title.clone()));
    }
    if let Some(revision) = link.revision {
        obj.insert("revision".into(), J::from(revision));
    }
    J::Object(obj)
}

/// `_links` as (rel, link) pairs; an array under one rel gives several links.
fn read_links(j: Option<&J>) -> Vec<Link> {
    let mut out = Vec::new();
    if let Some(J::Object(map)) = j {
        for (rel, value) in map {
            match value {
                J::Array(items) => out.extend(items.iter().filter_map(|i| read_link(rel, i))),
                other => out.extend(read_link(rel, other)),
            }
        }
    }
    out
}

/// Links grouped by rel: one object for a single link, an array for several.
fn write_links(self_href: Option<&str>, links: &[Link]) -> Option<J> {
    let mut map = Map::new();
    if let Some(href) = self_href {
        map.insert("self".into(), write_link(&Link::new("self", href)));
    }
    for link in links {
        let value = write_link(link);
        match map.get_mut(&link.rel) {
            Some(J::Array(items)) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = J::Array(vec![first, value]);
            }
            None => {
                map.insert(link.rel.clone(), value);
            }
        }
    }
    (!map.is_empty()).then_some(J::Object(map))
}

fn resource_from_map(rel_hint: &str, map: &Map<String, J>) -> Resource {
    let mut resource = Resource::new(
        map.get("rel")
            .and_then(J::as_str)
            .unwrap_or(rel_hint)
            .to_string(),
        None,
    );
    for (key, value) in map {
        match key.as_str() {
            "rel" => {}
            "_links" => {
                for link in read_links(Some(value)) {
                    if link.rel == "self" {
                        resource.href.get_or_insert(link.href);
                    } else {
                        resource.links.push(link);
                    }
                }
            }
            "_embedded" => {
                if let J::Object(embedded) = value {
                    for (rel, item) in embedded {
                        match item {
                            J::Array(items) => resource.embedded.extend(
                                items
                                    .iter()
                                    .filter_map(J::as_object)
                                    .map(|m| resource_from_map(rel, m)),
                            ),
                            J::Object(m) => resource.embedded.push(resource_from_map(rel, m)),
                            _ => {}
                        }
                    }
                }
            }
            _ => resource.properties.push((key.clone(), to_value(value))),
        }
    }
    resource
}

fn resource_to_map(resource: &Resource) -> Map<String, J> {
    let mut map = Map::new();
    if !resource.rel.is_empty() {
        map.insert("rel".into(), J::String(resource.rel.clone()));
    }
    for (name, value) in &resource.properties {
        map.insert(name.clone(), from_value(value));
    }
    if let Some(links) = write_links(resource.href.as_deref(), &resource.links) {
        map.insert("_links".into(), links);
    }
    if !resource.embedded.is_empty() {
        let mut embedded = Map::new();
        for child in &resource.embedded {
            let value = J::Object(resource_to_map(child));
            match embedded.get_mut(&child.rel) {
                Some(J::Array(items)) => items.push(value),
                Some(existing) => {
                    let first = existing.take();
                    *existing = J::Array(vec![first, value]);
                }
                None => {
                    embedded.insert(child.rel.clone(), value);
                }
            }
        }
        map.insert("_embedded".into(), J::Object(embedded));
    }
    map
}

pub fn read_resource(body: &[u8]) -> Result<Resource, ParseError> {
    Ok(resource_from_map("", &parse("resource", body)?))
}

pub fn write_resource(resource: &Resource) -> Vec<u8> {
    serde_json::to_vec(&J::Object(resource_to_map(resource))).unwrap_or_default()
}

fn error_from_map(map: &Map<String, J>) -> ErrorBody {
    let text = |k: &str| map.get(k).and_then(J::as_str).map(str::to_string);
    let pairs = |j: Option<&J>| -> Vec<(String, String)> {
        match j {
            Some(J::Array(items)) => items
                .iter()
                .filter_map(|i| {
                    Some((
                        i.get("name")?.as_str()?.to_string(),
                        i.get("reason")
                            .and_then(J::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    ))
                })
                .collect(),
            Some(J::Object(m)) => m
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    ErrorBody {
        code: text("code").unwrap_or_default(),
        subcode: text("subcode").filter(|s| !s.is_empty()),
        message: text("message"),
        parameters: pairs(map.get("parameters")),
        debug_info: pairs(map.get("debugInfo")),
    }
}

fn error_to_map(error: &ErrorBody) -> Map<String, J> {
    let mut map = Map::new();
    map.insert("code".into(), J::String(error.code.clone()));
    if let Some(subcode) = &error.subcode {
        map.insert("subcode".into(), J::String(subcode.clone()));
    }
    if let Some(message) = &error.message {
        map.insert("message".into(), J::String(message.clone()));
    }
    if !error.parameters.is_empty() {
        let params = error
            .parameters
            .iter()
            .map(|(n, r)| serde_json::json!({ "name": n, "reason": r }))
            .collect();
        map.insert("parameters".into(), J::Array(params));
    }
    if !error.debug_info.is_empty() {
        let bag = error
            .debug_info
            .iter()
            .map(|(k, v)| (k.clone(), J::String(v.clone())))
            .collect();
        map.insert("debugInfo".into(), J::Object(bag));
    }
    map
}

/// An error body. A body without `code` is not a UCWA error (a proxy answered).
pub fn read_error(body: &[u8]) -> Result<ErrorBody, ParseError> {
    let error = error_from_map(&parse("error body", body)?);
    if error.code.is_empty() {
        return Err(ParseError::new("error body", "no `code` field"));
    }
    Ok(error)
}

pub fn write_error(error: &ErrorBody) -> Vec<u8> {
    serde_json::to_vec(&J::Object(error_to_map(error))).unwrap_or_default()
}

fn read_event(map: &Map<String, J>) -> Option<Event> {
    let link = read_link(
        map.get("link")?.get("rel")?.as_str().unwrap_or_default(),
        map.get("link")?,
    )?;
    let in_link = map
        .get("in")
        .and_then(|j| read_link(j.get("rel")?.as_str().unwrap_or("in"), j));
    let embedded = map.get("_embedded").and_then(J::as_object).and_then(|m| {
        let (rel, j) = m.get_key_value(&link.rel).or_else(|| m.iter().next())?;
        Some(resource_from_map(rel, j.as_object()?))
    });
    Some(Event {
        kind: EventKind::parse(map.get("type").and_then(J::as_str).unwrap_or_default()),
        link,
        in_link,
        embedded,
        status: map
            .get("status")
            .and_then(J::as_str)
            .map(OperationStatus::parse),
        reason: map.get("reason").and_then(J::as_object).map(error_from_map),
    })
}

pub fn read_events(body: &[u8]) -> Result<EventsPage, ParseError> {
    let map = parse("events", body)?;
    let mut page = EventsPage::default();
    for link in read_links(map.get("_links")) {
        match link.rel.as_str() {
            "self" => page.self_href = Some(link.href),
            "next" => page.next = Some(link.href),
            "resync" => page.resync = Some(link.href),
            "resume" => page.resume = Some(link.href),
            _ => {}
        }
    }
    if let Some(J::Array(senders)) = map.get("sender") {
        for sender in senders.iter().filter_map(J::as_object) {
            let text = |k: &str| {
                sender
                    .get(k)
                    .and_then(J::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let events = match sender.get("events") {
                Some(J::Array(events)) => events
                    .iter()
                    .filter_map(J::as_object)
                    .filter_map(read_event)
                    .collect(),
                _ => Vec::new(),
            };
            page.senders.push(Sender {
                rel: text("rel"),
                href: text("href"),
                events,
            });
        }
    }
    Ok(page)
}

pub fn write_events(page: &EventsPage) -> Vec<u8> {
    let mut links = Vec::new();
    for (rel, href) in [
        ("next", &page.next),
        ("resync", &page.resync),
        ("resume", &page.resume),
    ] {
        if let Some(href) = href {
            links.push(Link::new(rel, href.clone()));
        }
    }
    let mut map = Map::new();
    if let Some(l) = write_links(page.self_href.as_deref(), &links) {
        map.insert("_links".into(), l);
    }
    let senders = page
        .senders
        .iter()
        .map(|s| {
            let events = s
                .events
                .iter()
                .map(|e| {
                    let mut ev = Map::new();
                    let mut link = write_link(&e.link);
                    link["rel"] = J::String(e.link.rel.clone());
                    ev.insert("link".into(), link);
                    if let Some(in_link) = &e.in_link {
                        let mut l = write_link(in_link);
                        l["rel"] = J::String(in_link.rel.clone());
                        ev.insert("in".into(), l);
                    }
                    if let Some(embedded) = &e.embedded {
                        let mut m = Map::new();
                        m.insert(embedded.rel.clone(), J::Object(resource_to_map(embedded)));
                        ev.insert("_embedded".into(), J::Object(m));
                    }
                    ev.insert("type".into(), J::String(e.kind.as_str().to_string()));
                    if let Some(status) = &e.status {
                        ev.insert("status".into(), J::String(status.as_str().to_string()));
                    }
                    if let Some(reason) = &e.reason {
                        ev.insert("reason".into(), J::Object(error_to_map(reason)));
                    }
                    J::Object(ev)
                })
                .collect();
            serde_json::json!({ "rel": s.rel, "href": s.href, "events": J::Array(events) })
        })
        .collect();
    map.insert("sender".into(), J::Array(senders));
    serde_json::to_vec(&J::Object(map)).unwrap_or_default()
}

pub fn read_input(body: &[u8]) -> Result<Input, ParseError> {
    let map = parse("input", body)?;
    let mut input = Input::default();
    for (key, value) in &map {
        match key.as_str() {
            "_links" => input.links = read_links(Some(value)),
            "_embedded" => {}
            _ => input.properties.push((key.clone(), to_value(value))),
        }
    }
    Ok(input)
}

pub fn write_input(input: &Input) -> Vec<u8> {
    let mut map = Map::new();
    for (name, value) in &input.properties {
        map.insert(name.clone(), from_value(value));
    }
    if let Some(links) = write_links(None, &input.links) {
        map.insert("_links".into(), links);
    }
    serde_json::to_vec(&J::Object(map)).unwrap_or_default()
}
