//! Reading an event-channel page: JSON against XML.
//!
//! `cargo bench --bench parse_events` builds a page of 100 senders, each with a couple of
//! events carrying embedded resources, writes it in both formats, then times the readers:
//! batches of iterations, the median time per read of each, and their ratio.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use avlaunch::ucwa::resource::{
    ErrorBody, Event, EventKind, EventsPage, Link, Resource, Sender, Value,
};
use avlaunch::ucwa::{json, xml};

const SENDERS: usize = 100;
const BATCHES: usize = 31;
const BATCH_TIME: Duration = Duration::from_millis(60);

fn invitation(i: usize) -> Resource {
    let base = format!("/ucwa/oauth/v1/applications/102/communication/invitations/{i}");
    Resource::new("audioVideoInvitation", Some(base.clone()))
        .with_link("cancel", format!("{base}/cancel"))
        .with_link(
            "conversation",
            format!("/ucwa/oauth/v1/applications/102/communication/conversations/{i}"),
        )
        .with_link(
            "mediaOffer",
            "data:application/sdp;base64,dj0wDQpvPS0gMCAwIElOIElQNA==",
        )
        .with_property("state", Value::text("Connecting"))
        .with_property("direction", Value::text("Outgoing"))
        .with_property("operationId", Value::text(format!("{i:032x}")))
        .with_property("subject", Value::text("Quarterly review & planning <Q3>"))
        .with_property("joinAudioMuted", Value::Bool(false))
        .with_property(
            "supportedModalities",
            Value::List(vec![Value::text("Audio"), Value::text("Video")]),
        )
        .with_embedded(
            Resource::new("participant", Some(format!("{base}/participants/callee")))
                .with_link("contact", "/ucwa/oauth/v1/applications/102/people/callee")
                .with_property("name", Value::text("Joe Smith"))
                .with_property("uri", Value::text("sip:joe@contoso.com")),
        )
}

fn page() -> EventsPage {
    let senders = (0..SENDERS)
        .map(|i| {
            let inv = invitation(i);
            let href = inv.href.clone().unwrap_or_default();
            let conversation = Resource::new(
                "conversation",
                Some(format!(
                    "/ucwa/oauth/v1/applications/102/communication/conversations/{i}"
                )),
            )
            .with_property("state", Value::text("Connected"))
            .with_property("threadId", Value::text("292e0aaef36c426a97757f43dda19d06"));
            Sender {
                rel: "communication".into(),
                href: "/ucwa/oauth/v1/applications/102/communication".into(),
                events: vec![
                    Event {
                        kind: EventKind::Started,
                        link: Link::new("audioVideoInvitation", href.clone()),
                        in_link: None,
                        embedded: Some(inv.clone()),
                        status: None,
                        reason: None,
                    },
                    Event {
                        kind: EventKind::Added,
                        link: Link::new("conversation", conversation.href.clone().unwrap()),
                        in_link: None,
                        embedded: Some(conversation),
                        status: None,
                        reason: None,
                    },
                    Event {
                        kind: EventKind::Completed,
                        link: Link::new("audioVideoInvitation", href),
                        in_link: None,
                        embedded: Some(inv),
                        status: Some(avlaunch::ucwa::resource::OperationStatus::Failure),
                        reason: Some(ErrorBody {
                            code: "RemoteFailure".into(),
                            subcode: Some("Declined".into()),
                            message: Some("The person declined the call.".into()),
                            ..Default::default()
                        }),
                    },
                ],
            }
        })
        .collect();
    EventsPage {
        self_href: Some("/ucwa/oauth/v1/applications/102/events?ack=7".into()),
        next: Some("/ucwa/oauth/v1/applications/102/events?ack=8".into()),
        senders,
        ..Default::default()
    }
}

/// Median time of one read, over `BATCHES` batches of `iterations` reads each.
fn median_per_read(iterations: u32, mut read: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..BATCHES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                read();
            }
            start.elapsed() / iterations
        })
        .collect();
    times.sort();
    times[BATCHES / 2]
}

/// How many reads fill about `BATCH_TIME`.
fn calibrate(mut read: impl FnMut()) -> u32 {
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < BATCH_TIME / 4 || n < 3 {
        read();
        n += 1;
    }
    (n * 4).max(3)
}

fn main() {
    let page = page();
    let json_body = json::write_events(&page);
    let xml_body = xml::write_events(&page);

    // Both bodies read back to the same page, so both readers do the same work.
    let from_json = json::read_events(&json_body).expect("JSON page reads");
    let from_xml = xml::read_events(&xml_body).expect("XML page reads");
    assert_eq!(from_json.events().count(), SENDERS * 3);
    assert_eq!(from_xml.events().count(), SENDERS * 3);

    println!(
        "events page: {SENDERS} senders, {} events; JSON {} bytes, XML {} bytes",
        from_json.events().count(),
        json_body.len(),
        xml_body.len()
    );

    let json_read = || {
        black_box(json::read_events(black_box(&json_body)).unwrap());
    };
    let xml_read = || {
        black_box(xml::read_events(black_box(&xml_body)).unwrap());
    };
    let json_n = calibrate(json_read);
    let xml_n = calibrate(xml_read);
    let json_median = median_per_read(json_n, json_read);
    let xml_median = median_per_read(xml_n, xml_read);

    let mb_s = |bytes: usize, d: Duration| bytes as f64 / d.as_secs_f64() / 1e6;
    println!(
        "json::read_events  median {:>10.1} µs per page  ({:.0} MB/s, {BATCHES} batches of {json_n})",
        json_median.as_secs_f64() * 1e6,
        mb_s(json_body.len(), json_median)
    );
    println!(
        "xml::read_events   median {:>10.1} µs per page  ({:.0} MB/s, {BATCHES} batches of {xml_n})",
        xml_median.as_secs_f64() * 1e6,
        mb_s(xml_body.len(), xml_median)
    );
    println!(
        "ratio XML/JSON: {:.2}",
        xml_median.as_secs_f64() / json_median.as_secs_f64()
    );
}
