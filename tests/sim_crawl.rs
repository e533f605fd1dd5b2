//! Interop crawl over real sockets: sign in, become available, place a call, search the
//! directory and read presence, in JSON and in XML; then follow every href the simulator
//! handed out along the way (links, embedded resources, event links) and fail on any
//! advertised link that answers 404 or 405.
//!
//! A link whose rel names an action (a POST) is checked with a GET, which must be
//! `405 Method Not Allowed` with `POST` in `Allow`: the route exists, and crawling does
//! not perform the action.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use avlaunch::sim::{self, SimConfig};
use avlaunch::ucwa::resource::{EventKind, EventsPage, Input, Resource, Value};
use avlaunch::ucwa::Format;
use reqwest::StatusCode;

/// Link rels that name a POST.
const ACTIONS: [&str; 10] = [
    "applications",
    "startAudioVideo",
    "startPhoneAudio",
    "cancel",
    "stopAudioVideo",
    "stopPhoneAudio",
    "holdPhoneAudio",
    "resumePhoneAudio",
    "makeMeAvailable",
    "reportMyActivity",
];

struct Client {
    http: reqwest::Client,
    origin: String,
    format: Format,
    token: String,
    /// Every href seen, with the rel it was advertised under (first seen wins).
    seen: BTreeMap<String, String>,
}

impl Client {
    fn url(&self, href: &str) -> String {
        if href.starts_with("http") {
            href.to_string()
        } else {
            format!("{}{href}", self.origin)
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        href: &str,
        input: Option<&Input>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut req = self
            .http
            .request(method, self.url(href))
            .header("Accept", self.format.accept())
            .header("Authorization", format!("Bearer {}", self.token));
        if let Some(input) = input {
            req = req
                .header("Content-Type", self.format.content_type())
                .body(self.format.write_input(input));
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let headers = resp.headers().clone();
        (status, headers, resp.bytes().await.unwrap().to_vec())
    }

    /// GETs a resource, records its hrefs, returns it.
    async fn get(&mut self, href: &str) -> Resource {
        let (status, _, body) = self.send(reqwest::Method::GET, href, None).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "GET {href}: {}",
            String::from_utf8_lossy(&body)
        );
        let resource = self.format.read_resource(&body).expect("a UCWA resource");
        self.record(&resource);
        resource
    }

    async fn post(&mut self, href: &str, input: &Input) -> (StatusCode, Option<String>) {
        let (status, headers, body) = self.send(reqwest::Method::POST, href, Some(input)).await;
        assert!(
            status.is_success(),
            "POST {href}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (status, location)
    }

    fn note(&mut self, rel: &str, href: &str) {
        if !href.starts_with("data:") {
            self.seen
                .entry(href.to_string())
                .or_insert_with(|| rel.to_string());
        }
    }

    fn record(&mut self, resource: &Resource) {
        if let Some(href) = &resource.href {
            self.note(&resource.rel, href);
        }
        for link in &resource.links {
            self.note(&link.rel, &link.href);
        }
        for embedded in &resource.embedded {
            self.record(embedded);
        }
    }

    fn record_page(&mut self, page: &EventsPage) {
        for (sender, event) in page.events() {
            self.note(&sender.rel, &sender.href);
            self.note(&event.link.rel, &event.link.href);
            if let Some(in_link) = &event.in_link {
                self.note(&in_link.rel, &in_link.href);
            }
            if let Some(embedded) = &event.embedded {
                self.record(embedded);
            }
        }
    }

    /// Reads the event channel from `next` until `done` matches an event; returns the
    /// next href.
    async fn events_until(
        &mut self,
        mut next: String,
        done: impl Fn(&EventsPage) -> bool,
    ) -> String {
        for _ in 0..200 {
            let (status, _, body) = self.send(reqwest::Method::GET, &next, None).await;
            assert_eq!(status, StatusCode::OK, "GET {next}");
            let page = self.format.read_events(&body).expect("an events page");
            self.record_page(&page);
            next = page.follow().expect("a next link").to_string();
            if done(&page) {
                return next;
            }
        }
        panic!("the awaited event never came");
    }
}

fn input(props: &[(&str, Value)]) -> Input {
    Input {
        properties: props
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        links: Vec::new(),
    }
}

async fn sign_in(origin: &str, format: Format) -> Client {
    let http = reqwest::Client::new();
    let form = [
        ("grant_type", "password"),
        ("username", "alice@contoso.com"),
        ("password", "demo"),
    ];
    let body = http
        .post(format!("{origin}/WebTicket/oauthtoken"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let token: serde_json::Value = serde_json::from_slice(&body).unwrap();
    Client {
        http,
        origin: origin.to_string(),
        format,
        token: token["access_token"].as_str().unwrap().to_string(),
        seen: BTreeMap::new(),
    }
}

/// Follows every recorded href (and those of what it finds) and returns the failures.
async fn crawl(c: &mut Client) -> Vec<String> {
    let mut queue: VecDeque<(String, String)> =
        c.seen.iter().map(|(h, r)| (h.clone(), r.clone())).collect();
    let mut done = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    while let Some((href, rel)) = queue.pop_front() {
        let key = href
            .split('?')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !done.insert((key, rel.clone())) || rel == "events" || rel == "next" {
            continue;
        }
        // `search` takes its query in the URL (PROTOCOL.md §k).
        let target = if rel == "search" && !href.contains('?') {
            format!("{href}?query=a")
        } else {
            href.clone()
        };
        let (status, headers, body) = c.send(reqwest::Method::GET, &target, None).await;
        if ACTIONS.contains(&rel.as_str()) {
            let allow = headers
                .get("allow")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if status != StatusCode::METHOD_NOT_ALLOWED || !allow.contains("POST") {
                failures.push(format!("{rel} {href}: GET gave {status} (Allow: {allow})"));
            }
            continue;
        }
        if status != StatusCode::OK {
            failures.push(format!(
                "{rel} {href}: {status} {}",
                String::from_utf8_lossy(&body)
            ));
            continue;
        }
        let ucwa = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .and_then(Format::from_media_type)
            .is_some();
        if let Some(found) = ucwa.then(|| c.format.read_resource(&body).ok()).flatten() {
            let before = c.seen.len();
            c.record(&found);
            if c.seen.len() > before {
                queue.extend(c.seen.iter().map(|(h, r)| (h.clone(), r.clone())));
            }
        }
    }
    failures
}

async fn crawl_in(format: Format) {
    let cfg = SimConfig {
        answer_delay: Duration::from_millis(20),
        hangup_after: Duration::from_secs(600),
        event_hold: Duration::from_millis(200),
        ..SimConfig::default()
    };
    let sim = sim::start(cfg).await.unwrap();
    let origin = sim.url.as_str().trim_end_matches('/').to_string();
    let mut c = sign_in(&origin, format).await;
    let root = c.get("/").await;
    c.get(root.link("user").unwrap()).await;
    let (_, location) = c
        .post(
            "/ucwa/oauth/v1/applications",
            &input(&[
                ("culture", Value::text("en-US")),
                ("endpointId", Value::text("crawl")),
                ("userAgent", Value::text("sim_crawl")),
            ]),
        )
        .await;
    let app = c.get(&location.expect("Location")).await;
    let me = app
        .embedded("me")
        .unwrap()
        .link("makeMeAvailable")
        .unwrap()
        .to_string();
    let mut next = app.link("events").unwrap().to_string();
    c.post(
        &me,
        &input(&[(
            "supportedModalities",
            Value::List(vec![Value::text("Messaging")]),
        )]),
    )
    .await;
    next = c
        .events_until(next, |p| {
            p.events()
                .any(|(s, e)| s.rel == "communication" && e.link.rel == "communication")
        })
        .await;
    c.get(app.link("self").unwrap()).await;
    let me_now = c
        .get(app.embedded("me").unwrap().href.as_deref().unwrap())
        .await;
    assert!(
        me_now.link("makeMeAvailable").is_none(),
        "offered only until used"
    );
    let comm = app.embedded("communication").unwrap();
    c.post(
        comm.link("startAudioVideo").unwrap(),
        &input(&[("to", Value::text("sip:alice@contoso.com"))]),
    )
    .await;
    next = c
        .events_until(next, |p| {
            p.events().any(|(_, e)| e.kind == EventKind::Completed)
        })
        .await;
    c.post(
        comm.link("startPhoneAudio").unwrap(),
        &input(&[
            ("to", Value::text("sip:dave@contoso.com")),
            ("phoneNumber", Value::text("+14255551234")),
        ]),
    )
    .await;
    c.events_until(next, |p| {
        p.events().any(|(_, e)| e.kind == EventKind::Completed)
    })
    .await;
    let search = app
        .embedded("people")
        .unwrap()
        .link("search")
        .unwrap()
        .to_string();
    let found = c.get(&format!("{search}?query=alex&limit=2")).await;
    let names: Vec<String> = found
        .embedded
        .iter()
        .filter_map(|r| r.text("name"))
        .collect();
    assert_eq!(names, ["Alex Wilber", "Alexandra Dunn"]);
    assert_eq!(found.boolean("moreResultsAvailable"), Some(true));
    let failures = crawl(&mut c).await;
    assert!(
        failures.is_empty(),
        "{format:?}: advertised links that do not work:\n{}",
        failures.join("\n")
    );
    let rels: std::collections::BTreeSet<&str> = c.seen.values().map(String::as_str).collect();
    for rel in [
        "contactPresence",
        "participants",
        "participantAudio",
        "presence",
        "note",
        "myContacts",
        "myGroups",
        "groupContacts",
        "stopAudioVideo",
        "stopPhoneAudio",
        "holdPhoneAudio",
        "phoneAudio",
        "to",
        "from",
    ] {
        assert!(
            rels.contains(rel),
            "{format:?}: the crawl never met {rel}: {rels:?}"
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn every_advertised_link_works_in_json() {
    crawl_in(Format::Json).await;
}

#[tokio::test]
async fn every_advertised_link_works_in_xml() {
    crawl_in(Format::Xml).await;
}
