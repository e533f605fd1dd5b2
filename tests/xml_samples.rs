//! Every published XML sample reads to the same model as its JSON twin, and the XML events
//! sample reads with the expected senders, events and links.
//!
//! The fixtures are copies of the published samples (see `tests/fixtures/ucwa/SOURCES.md`).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use avlaunch::ucwa::json;
use avlaunch::ucwa::resource::{EventKind, Input, Value};
use avlaunch::ucwa::xml;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/ucwa/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// An input's properties with every value normalized (XML is untyped), in order.
fn normalized(input: &Input) -> Vec<(String, Value)> {
    input
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), v.normalized()))
        .collect()
}

#[test]
fn application_create_response_xml_matches_json() {
    let from_xml = xml::read_resource(&fixture("application-create-response.xml")).unwrap();
    let from_json = json::read_resource(&fixture("application-create-response.json")).unwrap();
    assert_eq!(from_xml.normalized(), from_json.normalized());

    // And the content avlaunch needs is there.
    assert_eq!(from_xml.rel, "application");
    assert_eq!(from_xml.href.as_deref(), Some("/ucwa/v1/applications/192"));
    assert_eq!(
        from_xml.link("events"),
        Some("http://sample/ucwa/v1/applications/appId/events")
    );
    let communication = from_xml.embedded("communication").unwrap();
    assert_eq!(
        communication.link("startAudioVideo"),
        Some("/ucwa/v1/applications/192/communication/startAudioVideo")
    );
    assert_eq!(
        communication.boolean("publishEndpointLocation"),
        Some(false)
    );
    assert_eq!(
        communication.property("supportedModalities"),
        Some(&Value::List(vec![
            Value::text("PhoneAudio"),
            Value::text("Messaging")
        ]))
    );
    // `rel` is the resource's rel, not a property.
    assert!(communication.property("rel").is_none());
    assert_eq!(
        from_xml.embedded("me").unwrap().link("reportMyActivity"),
        Some("/ucwa/v1/applications/192/reportMyActivity")
    );
}

#[test]
fn audio_video_invitation_xml_matches_json() {
    let from_xml = xml::read_resource(&fixture("audioVideoInvitation.xml")).unwrap();
    let from_json = json::read_resource(&fixture("audioVideoInvitation.json")).unwrap();
    assert_eq!(from_xml.normalized(), from_json.normalized());

    assert_eq!(from_xml.rel, "audioVideoInvitation");
    assert_eq!(
        from_xml.link("cancel"),
        Some("/ucwa/v1/applications/192/communication/invitations/665/cancel")
    );
    assert_eq!(
        from_xml.link("mediaOffer"),
        Some("data:application/sdp;base64,base64-encoded-sdp")
    );
    assert_eq!(from_xml.boolean("joinAudioMuted"), Some(false));
    assert_eq!(
        from_xml.text("operationId").as_deref(),
        Some("74cb7404e0a247d5a2d4eb0376a47dbf")
    );
    // The embedded participants take their rel from their `rel` property, as in JSON.
    assert_eq!(from_xml.embedded.len(), 3);
    let participant = from_xml.embedded("participant").unwrap();
    assert_eq!(participant.boolean("anonymous"), Some(true));
    assert_eq!(participant.text("name").as_deref(), Some("Joe Smith"));
}

#[test]
fn error_409_xml_matches_json() {
    let from_xml = xml::read_error(&fixture("error-409-conflict.xml")).unwrap();
    let from_json = json::read_error(&fixture("error-409-conflict.json")).unwrap();
    assert_eq!(from_xml, from_json);
    assert_eq!(from_xml.code, "Conflict");
    assert_eq!(from_xml.subcode.as_deref(), Some("AlreadyExists"));
    assert!(from_xml.parameters.is_empty());
    assert!(from_xml.debug_info.is_empty());
}

#[test]
fn application_create_request_xml_matches_json_but_for_user_agent() {
    let from_xml = xml::read_input(&fixture("application-create-request.xml")).unwrap();
    let from_json = json::read_input(&fixture("application-create-request.json")).unwrap();

    // The published samples spell the userAgent differently (the JSON one lost its spaces).
    assert_eq!(
        from_xml.text("userAgent").as_deref(),
        Some("ContosoApp/1.0 (Windows Phone OS 7.5)")
    );
    assert_eq!(
        from_json.text("userAgent").as_deref(),
        Some("ContosoApp/1.0(WindowsPhoneOS7.5)")
    );
    let without_user_agent = |input: &Input| {
        normalized(input)
            .into_iter()
            .filter(|(k, _)| k != "userAgent")
            .collect::<Vec<_>>()
    };
    assert_eq!(
        without_user_agent(&from_xml),
        without_user_agent(&from_json)
    );
    assert_eq!(from_xml.properties.len(), 4);
    assert_eq!(from_xml.text("culture").as_deref(), Some("en-us"));
    assert_eq!(from_xml.text("endpointId").as_deref(), Some("123456"));
    assert!(from_xml.links.is_empty() && from_json.links.is_empty());
}

#[test]
fn start_audio_video_request_xml_matches_json_but_for_the_known_differences() {
    let from_xml = xml::read_input(&fixture("startAudioVideo-request.xml")).unwrap();
    let from_json = json::read_input(&fixture("startAudioVideo-request.json")).unwrap();

    // SOURCES.md note 1: importance, subject and mediaOffer differ between the published
    // samples.
    assert_eq!(from_xml.text("importance").as_deref(), Some("Normal"));
    assert_eq!(from_json.text("importance").as_deref(), Some("Urgent"));
    assert_eq!(
        from_xml.text("subject").as_deref(),
        Some("Skype for Business")
    );
    assert_eq!(
        from_json.text("subject").as_deref(),
        Some("SkypeforBusiness")
    );
    assert_eq!(from_xml.link("mediaOffer"), None);
    assert_eq!(
        from_json.link("mediaOffer"),
        Some("data:application/sdp;base64,base64-encoded-sdp")
    );

    let common = |input: &Input| {
        normalized(input)
            .into_iter()
            .filter(|(k, _)| k != "importance" && k != "subject")
            .collect::<Vec<_>>()
    };
    assert_eq!(common(&from_xml), common(&from_json));
    assert_eq!(common(&from_xml).len(), 6);
    assert_eq!(from_xml.text("to").as_deref(), Some("sip:john@contoso.com"));
    assert_eq!(
        from_xml.property("joinVideoMuted").and_then(Value::as_bool),
        Some(false)
    );
}

#[test]
fn events_channel_sample_reads() {
    let page = xml::read_events(&fixture("events-channel-sample.xml")).unwrap();
    assert_eq!(
        page.self_href.as_deref(),
        Some("/ucwa/oauth/v1/applications/102/events?ack=1")
    );
    assert_eq!(
        page.next.as_deref(),
        Some("/ucwa/oauth/v1/applications/102/events?ack=2")
    );
    assert_eq!(page.resync, None);
    assert_eq!(page.resume, None);
    assert_eq!(page.follow(), page.next.as_deref());

    let senders: Vec<(&str, &str)> = page
        .senders
        .iter()
        .map(|s| (s.rel.as_str(), s.href.as_str()))
        .collect();
    assert_eq!(
        senders,
        [
            (
                "communication",
                "/ucwa/oauth/v1/applications/102/communication"
            ),
            ("me", "/ucwa/oauth/v1/applications/102/me"),
        ]
    );

    let events: Vec<(&str, &EventKind, &str)> = page
        .events()
        .map(|(s, e)| (s.rel.as_str(), &e.kind, e.link.rel.as_str()))
        .collect();
    assert_eq!(
        events,
        [
            ("communication", &EventKind::Updated, "communication"),
            ("me", &EventKind::Updated, "me"),
            ("me", &EventKind::Added, "presence"),
            ("me", &EventKind::Added, "note"),
            ("me", &EventKind::Added, "location"),
        ]
    );

    let (_, updated) = page.events().next().unwrap();
    let communication = updated.embedded.as_ref().unwrap();
    assert_eq!(communication.rel, "communication");
    assert_eq!(
        communication.link("startMessaging"),
        Some("/ucwa/oauth/v1/applications/102/communication/messagingInvitations")
    );
    assert_eq!(communication.link("startAudioVideo"), None);
    assert_eq!(
        communication
            .text("56de7bbf-1081-43e6-bbf2-1cabf3224c83")
            .as_deref(),
        Some("please pass this in a PUT request")
    );
    assert_eq!(communication.text("etag").as_deref(), Some("2943169141"));
    assert_eq!(
        communication.property("supportedModalities"),
        Some(&Value::List(vec![Value::text("Messaging")]))
    );
    for (_, event) in page.events().skip(1) {
        assert!(event.embedded.is_none());
        assert!(event.status.is_none() && event.reason.is_none() && event.in_link.is_none());
    }
    assert_eq!(
        page.events().nth(2).unwrap().1.link.href,
        "/ucwa/oauth/v1/applications/102/me/presence"
    );
}

/// What the XML writer makes of each sample reads back to the same model.
#[test]
fn samples_survive_an_xml_round_trip() {
    for name in [
        "application-create-response.xml",
        "audioVideoInvitation.xml",
    ] {
        let resource = xml::read_resource(&fixture(name)).unwrap();
        let again = xml::read_resource(&xml::write_resource(&resource)).unwrap();
        assert_eq!(again, resource, "{name}");
    }
    for name in [
        "application-create-response.json",
        "application-create-response-guide.json",
        "audioVideoInvitation.json",
        "audioVideo.json",
    ] {
        let resource = json::read_resource(&fixture(name)).unwrap();
        let again = xml::read_resource(&xml::write_resource(&resource)).unwrap();
        assert_eq!(again.normalized(), resource.normalized(), "{name}");
    }
    let page = xml::read_events(&fixture("events-channel-sample.xml")).unwrap();
    assert_eq!(xml::read_events(&xml::write_events(&page)).unwrap(), page);
    for name in [
        "events-audioVideoInvitation-started.json",
        "events-audioVideoInvitation-updated.json",
        "events-operation-started-embedded.json",
        "events-messagingInvitation-completed-success.json",
    ] {
        let page = json::read_events(&fixture(name)).unwrap();
        let again = xml::read_events(&xml::write_events(&page)).unwrap();
        assert_eq!(again.senders.len(), page.senders.len(), "{name}");
        assert_eq!(
            (&again.self_href, &again.next),
            (&page.self_href, &page.next),
            "{name}"
        );
        for ((_, a), (_, b)) in again.events().zip(page.events()) {
            assert_eq!((&a.kind, &a.link, &a.status), (&b.kind, &b.link, &b.status));
            assert_eq!(
                a.embedded.as_ref().map(|r| r.normalized()),
                b.embedded.as_ref().map(|r| r.normalized()),
                "{name}"
            );
        }
    }
    let error = xml::read_error(&fixture("error-409-conflict.xml")).unwrap();
    assert_eq!(xml::read_error(&xml::write_error(&error)).unwrap(), error);
    for name in [
        "startAudioVideo-request.xml",
        "application-create-request.xml",
    ] {
        let input = xml::read_input(&fixture(name)).unwrap();
        assert_eq!(xml::read_input(&xml::write_input(&input)).unwrap(), input);
    }
}

/// The writer's output has the shape of the published samples.
#[test]
fn written_documents_have_the_published_shape() {
    let input = xml::read_input(&fixture("startAudioVideo-request.xml")).unwrap();
    let written = String::from_utf8(xml::write_input(&input)).unwrap();
    let expected = String::from_utf8(fixture("startAudioVideo-request.xml")).unwrap();
    assert_eq!(written.trim_end(), expected.trim_end());

    let error = xml::read_error(&fixture("error-409-conflict.xml")).unwrap();
    let written = String::from_utf8(xml::write_error(&error)).unwrap();
    assert!(written.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<reason xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\">"));
    assert!(written.contains("<code>Conflict</code>"));
    assert!(written.contains("<subcode>AlreadyExists</subcode>"));
    assert!(written.contains("<debugInfo/>") && written.contains("<parameters/>"));

    let resource = xml::read_resource(&fixture("audioVideoInvitation.xml")).unwrap();
    let written = String::from_utf8(xml::write_resource(&resource)).unwrap();
    assert!(written.contains("<resource rel=\"audioVideoInvitation\" href=\"/ucwa/v1/applications/192/communication/invitations/507\" xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\">"));
    assert!(written.contains(
        "<link rel=\"mediaOffer\" href=\"data:application/sdp;base64,base64-encoded-sdp\"/>"
    ));
    assert!(written.contains("<property name=\"joinAudioMuted\">False</property>"));
}
