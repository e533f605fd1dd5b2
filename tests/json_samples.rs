//! Every published JSON sample reads with the JSON reader, with the content avlaunch needs.
//!
//! The fixtures are copies of the published samples (see `tests/fixtures/ucwa/SOURCES.md`).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use avlaunch::ucwa::json;
use avlaunch::ucwa::resource::{EventKind, OperationStatus, Value};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/ucwa/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn autodiscover_root_has_user_link() {
    let root = json::read_resource(&fixture("autodiscover-root.json")).unwrap();
    assert_eq!(
        root.href.as_deref(),
        Some("https://lyncweb.contoso.com/Autodiscover/AutodiscoverService.svc/root?originalDomain=contoso.com")
    );
    assert_eq!(
        root.link("user"),
        Some("https://lyncweb.contoso.com/Autodiscover/AutodiscoverService.svc/root/oauth/user?originalDomain=contoso.com")
    );
    assert!(root.link("xframe").is_some());
    assert!(root.properties.is_empty());
}

#[test]
fn authenticated_user_has_applications_link() {
    let user = json::read_resource(&fixture("user-authenticated.json")).unwrap();
    assert_eq!(
        user.link("applications"),
        Some("https://lyncweb.contoso.com/ucwa/oauth/v1/applications")
    );
    assert_eq!(user.link("redirect"), None);
}

#[test]
fn token_response_carries_a_cwt_token() {
    let token: serde_json::Value = serde_json::from_slice(&fixture("token-response.json")).unwrap();
    assert!(token["access_token"].as_str().unwrap().starts_with("cwt="));
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 28289);
}

#[test]
fn application_has_events_and_start_audio_video() {
    let app = json::read_resource(&fixture("application-create-response.json")).unwrap();
    assert_eq!(app.rel, "application");
    assert_eq!(app.href.as_deref(), Some("/ucwa/v1/applications/192"));
    assert_eq!(
        app.link("events"),
        Some("http://sample/ucwa/v1/applications/appId/events")
    );
    assert_eq!(app.text("type").as_deref(), Some("Browser"));
    let rels: Vec<&str> = app.embedded.iter().map(|r| r.rel.as_str()).collect();
    assert_eq!(rels, ["communication", "me", "onlineMeetings", "people"]);
    let communication = app.embedded("communication").unwrap();
    assert_eq!(
        communication.href.as_deref(),
        Some("/ucwa/v1/applications/192/communication")
    );
    assert_eq!(
        communication.link("startAudioVideo"),
        Some("/ucwa/v1/applications/192/communication/startAudioVideo")
    );
    assert_eq!(
        communication.property("publishEndpointLocation"),
        Some(&Value::Bool(false))
    );
    assert_eq!(
        app.embedded("me").unwrap().link("makeMeAvailable"),
        Some("/ucwa/v1/applications/192/communication/makeMeAvailable")
    );
}

#[test]
fn guide_application_has_no_start_audio_video_and_keeps_the_put_property() {
    let app = json::read_resource(&fixture("application-create-response-guide.json")).unwrap();
    assert_eq!(app.rel, "application");
    assert_eq!(
        app.link("events"),
        Some("/ucwa/oauth/v1/applications/105/events?ack=1")
    );
    let communication = app.embedded("communication").unwrap();
    assert_eq!(communication.link("startAudioVideo"), None);
    assert!(communication.link("startMessaging").is_some());
    assert_eq!(
        communication
            .text("4d221db7-4af0-476b-9443-8bc874283085")
            .as_deref(),
        Some("please pass this in a PUT request")
    );
    assert_eq!(communication.text("etag").as_deref(), Some("3140562359"));
    assert_eq!(
        communication.property("supportedModalities"),
        Some(&Value::List(vec![]))
    );
    assert_eq!(
        app.embedded("me").unwrap().link("makeMeAvailable"),
        Some("/ucwa/oauth/v1/applications/105/me/makeMeAvailable")
    );
}

#[test]
fn audio_video_invitation_reads() {
    let inv = json::read_resource(&fixture("audioVideoInvitation.json")).unwrap();
    assert_eq!(inv.rel, "audioVideoInvitation");
    assert_eq!(
        inv.href.as_deref(),
        Some("/ucwa/v1/applications/192/communication/invitations/507")
    );
    assert_eq!(inv.text("state").as_deref(), Some("Connecting"));
    assert_eq!(inv.boolean("joinAudioMuted"), Some(false));
    assert_eq!(
        inv.link("cancel"),
        Some("/ucwa/v1/applications/192/communication/invitations/665/cancel")
    );
    assert_eq!(
        inv.link("conversation"),
        Some("/ucwa/v1/applications/192/communication/conversations/137")
    );
    // acceptedByParticipant (an array of one) and from, both participants, and the
    // emergency-call input.
    assert_eq!(inv.embedded.len(), 3);
    assert_eq!(inv.embedded[0].rel, "participant");
    assert_eq!(inv.embedded[0].boolean("organizer"), Some(true));
}

#[test]
fn audio_video_has_stop_audio_video() {
    let av = json::read_resource(&fixture("audioVideo.json")).unwrap();
    assert_eq!(av.rel, "audioVideo");
    assert_eq!(av.text("state").as_deref(), Some("Connected"));
    assert_eq!(
        av.link("stopAudioVideo"),
        Some("/ucwa/v1/applications/192/communication/conversations/137/audioVideo/stopAudioVideo")
    );
}

#[test]
fn invitation_started_and_updated_events() {
    for (name, kind) in [
        (
            "events-audioVideoInvitation-started.json",
            EventKind::Started,
        ),
        (
            "events-audioVideoInvitation-updated.json",
            EventKind::Updated,
        ),
    ] {
        let page = json::read_events(&fixture(name)).unwrap();
        assert_eq!(
            page.self_href.as_deref(),
            Some("http://sample:80/ucwa/v1/applications/appId/events?ack=1")
        );
        assert_eq!(
            page.follow(),
            Some("http://sample:80/ucwa/v1/applications/appId/events?ack=2")
        );
        assert_eq!(page.senders.len(), 1);
        assert_eq!(page.senders[0].rel, "communication");
        let events: Vec<_> = page.events().collect();
        assert_eq!(events.len(), 1, "{name}");
        let (_, event) = events[0];
        assert_eq!(event.kind, kind, "{name}");
        assert_eq!(event.link.rel, "audioVideoInvitation");
        assert_eq!(
            event.link.href,
            "https://fe1.contoso.com:443/ucwa/v1/applications/192/communication/invitations/507"
        );
        assert!(event.embedded.is_none() && event.status.is_none());
    }
}

#[test]
fn operation_started_event_embeds_the_operation_id() {
    let page = json::read_events(&fixture("events-operation-started-embedded.json")).unwrap();
    assert_eq!(
        page.next.as_deref(),
        Some("/ucwa/v1/applications/23/events?ack=2")
    );
    let (sender, event) = page.events().next().unwrap();
    assert_eq!(sender.rel, "communication");
    assert_eq!(sender.href, "/ucwa/v1/applications/23/communication");
    assert_eq!(event.kind, EventKind::Started);
    assert_eq!(event.link.rel, "onlineMeetingInvitation");
    let embedded = event.embedded.as_ref().unwrap();
    assert_eq!(embedded.rel, "onlineMeetingInvitation");
    assert_eq!(embedded.text("operationId").as_deref(), Some("123"));
    assert_eq!(embedded.text("state").as_deref(), Some("Connecting"));
    assert_eq!(embedded.href.as_deref(), Some(event.link.href.as_str()));
}

#[test]
fn messaging_invitation_completed_with_success() {
    let page = json::read_events(&fixture(
        "events-messagingInvitation-completed-success.json",
    ))
    .unwrap();
    assert_eq!(
        page.self_href.as_deref(),
        Some("/ucwa/oauth/v1/applications/102/events?ack=3")
    );
    assert_eq!(
        page.next.as_deref(),
        Some("/ucwa/oauth/v1/applications/102/events?ack=4")
    );
    let (_, event) = page.events().next().unwrap();
    assert_eq!(event.kind, EventKind::Completed);
    assert_eq!(event.status, Some(OperationStatus::Success));
    assert!(event.reason.is_none());
    let invitation = event.embedded.as_ref().unwrap();
    assert_eq!(invitation.rel, "messagingInvitation");
    assert_eq!(invitation.text("state").as_deref(), Some("Connected"));
    assert_eq!(
        invitation.text("operationId").as_deref(),
        Some("5028e824-2268-4b14-9e59-1abad65ff393")
    );
    let from = invitation.links.iter().find(|l| l.rel == "from").unwrap();
    assert_eq!(from.title.as_deref(), Some("Tosh Meston"));
    let accepted = invitation.embedded("participant").unwrap();
    assert_eq!(
        accepted.text("uri").as_deref(),
        Some("sip:lenea@contoso.com")
    );
}

/// The observed incoming event is one event, not a page: wrap it into one.
#[test]
fn observed_incoming_event_reads_inside_a_page() {
    let event: serde_json::Value = serde_json::from_slice(&fixture(
        "event-audioVideoInvitation-incoming-observed.json",
    ))
    .unwrap();
    let page = serde_json::json!({
        "_links": { "next": { "href": "/ucwa/oauth/v1/applications/10672188129/events?ack=2" } },
        "sender": [ {
            "rel": "communication",
            "href": "/ucwa/oauth/v1/applications/10672188129/communication",
            "events": [ event ],
        } ],
    });
    let page = json::read_events(&serde_json::to_vec(&page).unwrap()).unwrap();
    let (_, event) = page.events().next().unwrap();
    assert_eq!(event.kind, EventKind::Started);
    assert_eq!(event.link.rel, "audioVideoInvitation");
    assert!(event
        .link
        .href
        .ends_with("/communication/audioVideoInvitations/5bc132f55a2941059141aa0625584ffe"));
    let invitation = event.embedded.as_ref().unwrap();
    assert_eq!(invitation.text("direction").as_deref(), Some("Incoming"));
    assert_eq!(invitation.text("state").as_deref(), Some("Connecting"));
    assert_eq!(invitation.boolean("privateLine"), Some(false));
    assert!(invitation
        .link("mediaOffer")
        .unwrap()
        .starts_with("data:multipart/alternative;charset=utf-8;boundary="));
    let from = invitation.embedded("participant").unwrap();
    assert_eq!(from.text("name").as_deref(), Some("Dele Olajide"));
}

#[test]
fn error_409_reads() {
    let error = json::read_error(&fixture("error-409-conflict.json")).unwrap();
    assert_eq!(error.code, "Conflict");
    assert_eq!(error.subcode.as_deref(), Some("AlreadyExists"));
    assert_eq!(
        error.message.as_deref(),
        Some("The requested resource already exists. Please wait and try again.")
    );
}

#[test]
fn requests_read_as_inputs() {
    let create = json::read_input(&fixture("application-create-request.json")).unwrap();
    let names: Vec<&str> = create.properties.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["culture", "endpointId", "instanceId", "userAgent"]);
    assert_eq!(create.text("culture").as_deref(), Some("en-us"));

    let start = json::read_input(&fixture("startAudioVideo-request.json")).unwrap();
    assert_eq!(start.text("to").as_deref(), Some("sip:john@contoso.com"));
    assert_eq!(
        start.text("operationId").as_deref(),
        Some("74cb7404e0a247d5a2d4eb0376a47dbf")
    );
    assert_eq!(
        start.property("joinVideoMuted").and_then(Value::as_bool),
        Some(false)
    );
    assert_eq!(
        start.link("mediaOffer"),
        Some("data:application/sdp;base64,base64-encoded-sdp")
    );
    assert_eq!(start.properties.len(), 8);
}
