//! Write → read round trips with hostile values, in both formats; the XML reader's
//! tolerance (prefixes, entities, CDATA, unknown elements) and its refusals.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use avlaunch::ucwa::resource::{
    ErrorBody, Event, EventKind, EventsPage, Input, Link, OperationStatus, Resource, Sender, Value,
};
use avlaunch::ucwa::{json, xml, Format};

const TOKEN: &str = "cwt=AAEBHAEFAAAAAAAFFQAAAMJ3zLqFqmuGnv8ea";

/// Subjects a user may type, each hostile to a naive writer.
fn hostile_subjects() -> Vec<String> {
    let mixed: String = "Réunion <b>&amp;</b> \"quoted\" 'single' ]]> 日本語 😀 "
        .chars()
        .cycle()
        .take(250)
        .collect();
    assert_eq!(mixed.chars().count(), 250);
    vec![
        "Budget </property><property name=\"to\">sip:evil@contoso.com</property>".into(),
        "Q&amp;A &lt;not an entity&gt; & &#x41; &unknown;".into(),
        "<![CDATA[ raw ]]> and ]]> alone".into(),
        "\"double\" and 'single' quotes".into(),
        "Call 📞 about 🎉 — naïve café".into(),
        "  leading and trailing spaces  ".into(),
        String::new(),
        mixed,
    ]
}

fn start_audio_video(subject: &str, to: &str) -> Input {
    Input {
        properties: vec![
            (
                "operationId".into(),
                Value::text("74cb7404e0a247d5a2d4eb0376a47dbf"),
            ),
            ("to".into(), Value::text(to)),
            ("importance".into(), Value::text("Urgent")),
            ("subject".into(), Value::text(subject)),
            ("joinAudioMuted".into(), Value::Bool(false)),
            ("joinVideoMuted".into(), Value::Bool(true)),
        ],
        links: vec![Link::new(
            "mediaOffer",
            "data:application/sdp;base64,dj0wDQpvPS0gMCAwIElOIElQNCAxMjcuMC4wLjE=",
        )],
    }
}

fn normalized(input: &Input) -> Vec<(String, Value)> {
    input
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), v.normalized()))
        .collect()
}

#[test]
fn hostile_requests_round_trip_in_both_formats() {
    let to = "sip:research&development@contoso.com";
    for subject in hostile_subjects() {
        let input = start_audio_video(&subject, to);
        for format in [Format::Json, Format::Xml] {
            let body = format.write_input(&input);
            let back = format
                .read_input(&body)
                .unwrap_or_else(|e| panic!("{}: {e}", format.name()));
            assert_eq!(normalized(&back), normalized(&input), "{}", format.name());
            assert_eq!(back.links, input.links, "{}", format.name());
            assert_eq!(back.text("subject").as_deref(), Some(subject.as_str()));
            assert_eq!(back.text("to").as_deref(), Some(to));
        }
        // One `<property>` per field: the hostile subject did not add any.
        let body = String::from_utf8(xml::write_input(&input)).unwrap();
        assert_eq!(body.matches("<property ").count(), 6, "{body}");
        assert!(body.contains("<property name=\"joinAudioMuted\">False</property>"));
        assert!(body.contains("<property name=\"joinVideoMuted\">True</property>"));
        assert!(body.contains("<link rel=\"mediaOffer\" href=\"data:application/sdp;base64,"));
    }
}

#[test]
fn hostile_resources_events_and_errors_round_trip_in_both_formats() {
    for subject in hostile_subjects() {
        let invitation = Resource::new(
            "audioVideoInvitation",
            Some("/ucwa/v1/applications/192/communication/invitations/507?a=1&b=\"2\"".into()),
        )
        .with_link(
            "cancel",
            "/ucwa/v1/applications/192/communication/invitations/507/cancel",
        )
        .with_property("subject", Value::text(subject.clone()))
        .with_property("state", Value::text("Connecting"))
        .with_property("privateLine", Value::Bool(false))
        .with_property("count", Value::Number("28289".into()))
        .with_property(
            "supportedModalities",
            Value::List(vec![Value::text(subject.clone()), Value::text("Video")]),
        )
        .with_property(
            "location",
            Value::Bag(vec![
                ("city".into(), Value::text(subject.clone())),
                ("zip".into(), Value::Null),
            ]),
        )
        .with_embedded(
            Resource::new("participant", Some("/p/1".into()))
                .with_property("name", Value::text(subject.clone())),
        );
        let page = EventsPage {
            self_href: Some("/events?ack=1".into()),
            next: Some("/events?ack=2&x=<y>".into()),
            resync: None,
            resume: None,
            senders: vec![Sender {
                rel: "communication".into(),
                href: "/communication".into(),
                events: vec![Event {
                    kind: EventKind::Completed,
                    link: Link {
                        rel: "audioVideoInvitation".into(),
                        href: "/inv/507".into(),
                        title: Some(subject.clone()),
                        revision: Some(2),
                    },
                    in_link: Some(Link::new("in", "/communication/conversations/137")),
                    embedded: Some(invitation.clone()),
                    status: Some(OperationStatus::Failure),
                    reason: Some(ErrorBody {
                        code: "RemoteFailure".into(),
                        subcode: Some("Declined".into()),
                        message: Some(subject.clone()),
                        parameters: vec![],
                        debug_info: vec![("diag".into(), subject.clone())],
                    }),
                }],
            }],
        };
        let error = ErrorBody {
            code: "BadRequest".into(),
            subcode: Some("ParameterValidationFailure".into()),
            message: Some(subject.clone()),
            parameters: vec![("subject".into(), subject.clone())],
            debug_info: vec![],
        };
        for format in [Format::Json, Format::Xml] {
            let name = format.name();
            let back = format
                .read_resource(&format.write_resource(&invitation))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(back.normalized(), invitation.normalized(), "{name}");

            let back = format
                .read_events(&format.write_events(&page))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let (sender, event) = back.events().next().unwrap();
            let (_, expected) = page.events().next().unwrap();
            assert_eq!(sender.rel, "communication");
            assert_eq!(back.next, page.next, "{name}");
            assert_eq!(
                (&event.kind, &event.link, &event.status, &event.reason),
                (
                    &expected.kind,
                    &expected.link,
                    &expected.status,
                    &expected.reason
                ),
                "{name}"
            );
            assert_eq!(event.in_link, expected.in_link, "{name}");
            assert_eq!(
                event.embedded.as_ref().unwrap().normalized(),
                invitation.normalized(),
                "{name}"
            );

            let back = format
                .read_error(&format.write_error(&error))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(back, error, "{name}");
        }
    }
}

/// XML is untyped: booleans come back as `True`/`False` text, numbers as text, and the
/// accessors hide the difference.
#[test]
fn xml_values_come_back_as_text() {
    let input = Input {
        properties: vec![
            ("flag".into(), Value::Bool(true)),
            ("n".into(), Value::Number("1.5".into())),
            ("nothing".into(), Value::Null),
            ("empty".into(), Value::List(vec![])),
            (
                "nested".into(),
                Value::List(vec![
                    Value::List(vec![Value::text("a")]),
                    Value::Bag(vec![("k".into(), Value::text("v"))]),
                    Value::Null,
                ]),
            ),
        ],
        links: vec![],
    };
    let back = xml::read_input(&xml::write_input(&input)).unwrap();
    assert_eq!(back.property("flag"), Some(&Value::text("True")));
    assert_eq!(back.property("flag").and_then(Value::as_bool), Some(true));
    assert_eq!(back.text("n").as_deref(), Some("1.5"));
    assert_eq!(back.property("nothing"), Some(&Value::Null));
    assert_eq!(back.property("empty"), Some(&Value::List(vec![])));
    assert_eq!(
        back.property("nested"),
        Some(&Value::List(vec![
            Value::List(vec![Value::text("a")]),
            Value::Bag(vec![("k".into(), Value::text("v"))]),
            Value::Null,
        ]))
    );
}

#[test]
fn reader_tolerates_prefixes_entities_cdata_and_unknown_content() {
    let body = br#"<?xml version="1.0" encoding="utf-8"?>
<!-- a comment -->
<u:resource xmlns:u="http://schemas.microsoft.com/rtc/2012/03/ucwa" u:rel="conversation" href="/c/1" extra="ignored">
  <u:link rel="audioVideo" href="/c/1/av" title="A &amp; V" revision="2" unknown="x"/>
  <u:property name="subject">Tom &amp; Jerry &lt;3 &#x1F600; <![CDATA[<raw> & ]]>done</u:property>
  <u:property name="state"><!-- c -->Connected</u:property>
  <unknownElement><property name="hidden">no</property><deeper><x/></deeper></unknownElement>
  <u:propertyBag name="bag">
    <u:property name="a">1</u:property>
    <u:propertyList name="l"><u:item>x</u:item><u:item/></u:propertyList>
  </u:propertyBag>
  <link href="/no-rel"/>
  <property>no name</property>
</u:resource>
"#;
    let r = xml::read_resource(body).unwrap();
    assert_eq!(r.rel, "conversation");
    assert_eq!(r.href.as_deref(), Some("/c/1"));
    assert_eq!(
        r.links,
        [Link {
            rel: "audioVideo".into(),
            href: "/c/1/av".into(),
            title: Some("A & V".into()),
            revision: Some(2),
        }]
    );
    assert_eq!(
        r.text("subject").as_deref(),
        Some("Tom & Jerry <3 😀 <raw> & done")
    );
    assert_eq!(r.text("state").as_deref(), Some("Connected"));
    assert_eq!(r.property("hidden"), None);
    assert_eq!(
        r.property("bag"),
        Some(&Value::Bag(vec![
            ("a".into(), Value::text("1")),
            (
                "l".into(),
                Value::List(vec![Value::text("x"), Value::text("")])
            ),
        ]))
    );
    assert_eq!(r.properties.len(), 3);
}

#[test]
fn events_conventions_for_status_in_and_reason() {
    let body = br#"<?xml version="1.0" encoding="utf-8"?>
<events href="/e?ack=5" xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa">
  <link rel="resync" href="/e?ack=1"/>
  <link rel="next" href="/e?ack=6"/>
  <sender rel="communication" href="/comm">
    <completed rel="audioVideoInvitation" href="/inv/1" status="Failure">
      <resource rel="audioVideoInvitation" href="/inv/1">
        <property name="state">Declined</property>
        <property name="operationId">op-1</property>
      </resource>
      <reason>
        <code>RemoteFailure</code>
        <subcode>Declined</subcode>
        <message>The person declined.</message>
      </reason>
    </completed>
  </sender>
  <sender rel="conversation" href="/conv/1">
    <added rel="participantAudio" href="/conv/1/participants/p/audio">
      <link rel="in" href="/conv/1/participants/p" title="Callee"/>
    </added>
    <added rel="participantVideo" href="/conv/1/participants/p/video">
      <in rel="participant" href="/conv/1/participants/p"/>
    </added>
    <somethingNew rel="thing" href="/thing"/>
    <event type="odd name" rel="x" href="/x"/>
    <deleted rel="conversation"/>
  </sender>
</events>"#;
    let page = xml::read_events(body).unwrap();
    assert_eq!(page.follow(), Some("/e?ack=1"));
    assert_eq!(page.next.as_deref(), Some("/e?ack=6"));
    let events: Vec<&Event> = page.events().map(|(_, e)| e).collect();
    // The `deleted` without an href has no target and is dropped, as in JSON.
    assert_eq!(events.len(), 5);

    let completed = events[0];
    assert_eq!(completed.kind, EventKind::Completed);
    assert_eq!(
        completed.status.as_ref().map(|s| s.as_str()),
        Some("Failure")
    );
    let reason = completed.reason.as_ref().unwrap();
    assert_eq!(reason.code, "RemoteFailure");
    assert_eq!(reason.subcode.as_deref(), Some("Declined"));
    assert_eq!(reason.message.as_deref(), Some("The person declined."));
    let embedded = completed.embedded.as_ref().unwrap();
    assert_eq!(embedded.text("operationId").as_deref(), Some("op-1"));

    let in_link = events[1].in_link.as_ref().unwrap();
    assert_eq!(
        (in_link.rel.as_str(), in_link.href.as_str()),
        ("in", "/conv/1/participants/p")
    );
    assert_eq!(in_link.title.as_deref(), Some("Callee"));
    let in_link = events[2].in_link.as_ref().unwrap();
    assert_eq!(in_link.rel, "participant");

    assert_eq!(events[3].kind, EventKind::Other("somethingNew".into()));
    assert_eq!(events[4].kind, EventKind::Other("odd name".into()));

    // Written back, the conventions hold.
    let written = String::from_utf8(xml::write_events(&page)).unwrap();
    assert!(written
        .contains(r#"<completed rel="audioVideoInvitation" href="/inv/1" status="Failure">"#));
    assert!(written.contains(r#"<link rel="in" href="/conv/1/participants/p" title="Callee"/>"#));
    assert!(written.contains(r#"<event rel="x" href="/x" type="odd name"/>"#));
    assert!(written.contains("<code>RemoteFailure</code>"));
    let again = xml::read_events(written.as_bytes()).unwrap();
    assert_eq!(again.events().count(), 5);
    assert_eq!(
        again.events().nth(4).unwrap().1.kind,
        page.events().nth(4).unwrap().1.kind
    );
}

#[test]
fn refusals_are_parse_errors_that_never_quote_the_body() {
    let secret = format!("<resource rel=\"x\"><property name=\"token\">{TOKEN}</property>");
    let deep = format!(
        "<resource>{}{}</resource>",
        "<resource>".repeat(100),
        "</resource>".repeat(100)
    );
    let deep_unknown = format!(
        "<resource>{}{}</resource>",
        "<a>".repeat(1000),
        "</a>".repeat(1000)
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", b"".to_vec()),
        ("whitespace", b"  \n ".to_vec()),
        ("json", br#"{"rel":"application"}"#.to_vec()),
        ("wrong root", b"<events href=\"/e\"/>".to_vec()),
        ("html", b"<html><body>Proxy error</body></html>".to_vec()),
        ("truncated", secret.clone().into_bytes()),
        (
            "mismatched",
            format!("<resource><property name=\"t\">{TOKEN}</link></resource>").into_bytes(),
        ),
        (
            "bad entity",
            format!("<resource><property name=\"t\">{TOKEN}&nope;</property></resource>")
                .into_bytes(),
        ),
        (
            "bad utf-8",
            b"<resource><property name=\"t\">\xff\xfe</property></resource>".to_vec(),
        ),
        ("two roots", b"<resource/><resource/>".to_vec()),
        (
            "text after root",
            format!("<resource/>{TOKEN}").into_bytes(),
        ),
        ("too deep", deep.into_bytes()),
        ("too deep (unknown)", deep_unknown.into_bytes()),
        (
            "duplicate attribute",
            format!("<resource rel=\"a\" rel=\"{TOKEN}\"/>").into_bytes(),
        ),
    ];
    for (name, body) in cases {
        let err = xml::read_resource(&body).expect_err(name);
        let shown = err.to_string();
        assert!(!shown.contains(TOKEN), "{name}: {shown}");
        assert!(!shown.contains("Proxy"), "{name}: {shown}");
        assert_eq!(err.what, "resource");
    }
    // Not refused: a bare root is a resource with nothing in it.
    assert_eq!(
        xml::read_resource(b"<resource/>").unwrap(),
        Resource::default()
    );
}

#[test]
fn error_without_code_is_refused_like_json() {
    let xml_body = b"<reason xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\"><message>hi</message></reason>";
    assert!(xml::read_error(xml_body).is_err());
    assert!(json::read_error(br#"{"message":"hi"}"#).is_err());
    assert!(xml::read_error(b"<reason><code></code></reason>").is_err());
    assert!(xml::read_error(b"<error><code>Conflict</code></error>").is_err());
    let ok = xml::read_error(
        b"<reason><code>BadRequest</code><subcode/><parameters><property name=\"sdp\">Invalid</property></parameters><debugInfo><property name=\"diag\">1</property></debugInfo></reason>",
    )
    .unwrap();
    assert_eq!(ok.code, "BadRequest");
    assert_eq!(ok.subcode, None);
    assert_eq!(ok.parameters, [("sdp".to_string(), "Invalid".to_string())]);
    assert_eq!(ok.debug_info, [("diag".to_string(), "1".to_string())]);
}

#[test]
fn non_ascii_is_written_as_is() {
    let input = Input {
        properties: vec![("subject".into(), Value::text("Café 😀 日本"))],
        links: vec![],
    };
    let body = String::from_utf8(xml::write_input(&input)).unwrap();
    assert!(body.contains(">Café 😀 日本<"), "{body}");
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<input xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\">"));
}
