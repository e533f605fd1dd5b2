//! Call via Work on the simulator, at the HTTP level and in both formats: the
//! `startPhoneAudio` link and its switches, the events of each demo contact in the order
//! PROTOCOL.md §j gives, the `phoneAudio` actions, and number normalisation.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use avlaunch::sim::{self, Faults, SimConfig, SimState};
use avlaunch::ucwa::resource::{EventKind, Input, Resource, Value};
use avlaunch::ucwa::Format;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

const APPS: &str = "/ucwa/oauth/v1/applications";
/// The demo number that never picks up.
const UNANSWERED: &str = "+14255550100";

struct Reply {
    status: StatusCode,
    location: Option<String>,
    body: Vec<u8>,
}

struct Harness {
    state: SimState,
    format: Format,
    token: String,
    app: Resource,
    next: String,
}

fn input(props: &[(&str, &str)]) -> Input {
    Input {
        properties: props
            .iter()
            .map(|(k, v)| (k.to_string(), Value::text(*v)))
            .collect(),
        links: Vec::new(),
    }
}

impl Harness {
    async fn new(format: Format, faults: Faults) -> Harness {
        let state = SimState::new(SimConfig {
            answer_delay: Duration::ZERO,
            hangup_after: Duration::from_secs(600),
            ring_timeout: Duration::from_millis(30),
            event_hold: Duration::from_millis(200),
            faults,
            ..SimConfig::default()
        });
        let mut h = Harness {
            state,
            format,
            token: String::new(),
            app: Resource::default(),
            next: String::new(),
        };
        let form = b"grant_type=password&username=me%40contoso.com&password=demo".to_vec();
        let token = h
            .send(
                "POST",
                "/WebTicket/oauthtoken",
                Some(("application/x-www-form-urlencoded", form)),
            )
            .await;
        let token: serde_json::Value = serde_json::from_slice(&token.body).unwrap();
        h.token = token["access_token"].as_str().unwrap().to_string();
        let created = h
            .post(
                APPS,
                &input(&[
                    ("culture", "en-US"),
                    ("endpointId", "e"),
                    ("userAgent", "t"),
                ]),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED);
        h.app = format.read_resource(&created.body).unwrap();
        h.next = h.app.link("events").unwrap().to_string();
        h
    }

    async fn send(&self, method: &str, path: &str, body: Option<(&str, Vec<u8>)>) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("Accept", self.format.accept());
        if !self.token.is_empty() {
            req = req.header("Authorization", format!("Bearer {}", self.token));
        }
        let body = match body {
            Some((content_type, bytes)) => {
                req = req.header("Content-Type", content_type);
                Body::from(bytes)
            }
            None => Body::empty(),
        };
        let resp = sim::router(self.state.clone())
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        Reply {
            status,
            location,
            body,
        }
    }

    async fn post(&self, path: &str, input: &Input) -> Reply {
        let body = self.format.write_input(input);
        self.send("POST", path, Some((self.format.content_type(), body)))
            .await
    }

    async fn get(&self, path: &str) -> Resource {
        let reply = self.send("GET", path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "GET {path}");
        self.format.read_resource(&reply.body).unwrap()
    }

    fn communication(&self) -> &Resource {
        self.app.embedded("communication").unwrap()
    }

    fn start_href(&self) -> String {
        self.communication()
            .link("startPhoneAudio")
            .unwrap()
            .to_string()
    }

    async fn call(&self, to: &str, phone: &str) -> Reply {
        self.post(
            &self.start_href(),
            &input(&[("to", to), ("phoneNumber", phone)]),
        )
        .await
    }

    /// Events as `sender event rel` until the invitation completes; the completed event's
    /// status and reason subcode.
    async fn until_completed(&mut self) -> (Vec<String>, String, Option<(String, String)>) {
        let mut seen = Vec::new();
        for _ in 0..100 {
            let reply = self.send("GET", &self.next.clone(), None).await;
            let page = self.format.read_events(&reply.body).unwrap();
            self.next = page.follow().unwrap().to_string();
            for (sender, event) in page.events() {
                seen.push(format!(
                    "{} {} {}",
                    sender.rel,
                    event.kind.as_str(),
                    event.link.rel
                ));
                if event.kind == EventKind::Completed {
                    let reason = event
                        .reason
                        .as_ref()
                        .map(|r| (r.code.clone(), r.subcode.clone().unwrap_or_default()));
                    return (
                        seen,
                        event
                            .status
                            .as_ref()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                        reason,
                    );
                }
            }
        }
        panic!("never completed: {seen:?}");
    }
}

const BOTH: [Format; 2] = [Format::Json, Format::Xml];

/// Callee, own number, completed status, reason code and subcode.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
);

#[tokio::test]
async fn alice_answers_with_the_events_in_order_and_phone_audio_holds_and_stops() {
    for format in BOTH {
        let mut h = Harness::new(format, Faults::default()).await;
        let placed = h.call("sip:alice@contoso.com", "tel:+14255551234").await;
        assert_eq!(placed.status, StatusCode::CREATED, "{format:?}");
        let invitation = placed.location.unwrap();
        assert!(invitation.contains("/communication/phoneAudioInvitations/"));
        let (seen, status, _) = h.until_completed().await;
        assert_eq!(
            seen,
            [
                "communication started phoneAudioInvitation",
                "communication added conversation",
                "conversation added localParticipant",
                "conversation updated phoneAudio",
                "communication updated phoneAudioInvitation",
                "conversation added participant",
                "conversation added participantAudio",
                "conversation updated phoneAudio",
                "communication updated conversation",
                "communication completed phoneAudioInvitation",
            ],
            "{format:?}"
        );
        assert_eq!(status, "Success");
        let inv = h.get(&invitation).await;
        assert_eq!(inv.text("phoneNumber").as_deref(), Some("tel:+14255551234"));
        assert!(inv.link("cancel").is_none());
        let conversation = h.get(inv.link("conversation").unwrap()).await;
        assert_eq!(conversation.text("participantCount").as_deref(), Some("2"));
        let audio = inv.link("phoneAudio").unwrap().to_string();
        let phone = h.get(&audio).await;
        assert_eq!(phone.text("state").as_deref(), Some("Connected"));
        assert!(phone.link("resumePhoneAudio").is_none());
        let hold = phone.link("holdPhoneAudio").unwrap().to_string();
        assert_eq!(
            h.post(&hold, &Input::default()).await.status,
            StatusCode::NO_CONTENT
        );
        let held = h.get(&audio).await;
        assert!(held.link("holdPhoneAudio").is_none());
        assert_eq!(
            h.post(&hold, &Input::default()).await.status,
            StatusCode::NOT_FOUND
        );
        let resume = held.link("resumePhoneAudio").unwrap().to_string();
        assert_eq!(
            h.post(&resume, &Input::default()).await.status,
            StatusCode::NO_CONTENT
        );
        let stop = h
            .get(&audio)
            .await
            .link("stopPhoneAudio")
            .unwrap()
            .to_string();
        // stopPhoneAudio has no input: a body is ignored, not read as a reason.
        let stopped = h.post(&stop, &input(&[("reason", "Nonsense")])).await;
        assert_eq!(stopped.status, StatusCode::NO_CONTENT, "{format:?}");
        assert_eq!(
            h.send("GET", &audio, None).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn each_demo_contact_behaves_as_for_audio_video() {
    let cases: [Case; 4] = [
        (
            "sip:bob@contoso.com",
            "tel:+14255551234",
            "Failure",
            Some(("RemoteFailure", "Declined")),
        ),
        (
            "sip:carol@contoso.com",
            "+14255551234",
            "Failure",
            Some(("Timeout", "Timeout")),
        ),
        (
            "sip:nobody@contoso.com",
            "4255551234",
            "Failure",
            Some(("NotFound", "DestinationNotFound")),
        ),
        (
            "sip:alice@contoso.com",
            UNANSWERED,
            "Failure",
            Some(("LocalFailure", "PstnCallFailed")),
        ),
    ];
    for format in BOTH {
        for (to, phone, status, reason) in cases {
            let mut h = Harness::new(format, Faults::default()).await;
            assert_eq!(h.call(to, phone).await.status, StatusCode::CREATED, "{to}");
            let (seen, got, why) = h.until_completed().await;
            assert_eq!(got, status, "{format:?} {to}");
            let why = why.as_ref().map(|(c, s)| (c.as_str(), s.as_str()));
            assert_eq!(why, reason, "{format:?} {to}");
            // Your own phone never rang through: the callee was never called.
            let alerted = seen
                .iter()
                .any(|e| e == "communication updated phoneAudioInvitation");
            assert_eq!(alerted, phone != UNANSWERED, "{to} {seen:?}");
        }
        let h = Harness::new(format, Faults::default()).await;
        for (to, status, subcode) in [
            ("sip:conflict@contoso.com", 409, "AlreadyExists"),
            ("sip:gone@contoso.com", 410, "CannotRedirect"),
            ("sip:callback@contoso.com", 500, "CallbackChannelError"),
        ] {
            let refused = h.call(to, "+14255551234").await;
            assert_eq!(refused.status.as_u16(), status, "{to}");
            let error = format.read_error(&refused.body).unwrap();
            assert_eq!(error.subcode.as_deref(), Some(subcode));
        }
    }
}

#[tokio::test]
async fn numbers_are_normalised_or_refused() {
    for format in BOTH {
        let h = Harness::new(format, Faults::default()).await;
        for good in [
            "+14255551234",
            "4255551234",
            "tel:+14255551234",
            "tel:5551234;phone-context=contoso.com",
        ] {
            let placed = h.call("sip:alice@contoso.com", good).await;
            assert_eq!(placed.status, StatusCode::CREATED, "{format:?} {good}");
        }
        let to_number = h.call("tel:+14255559876", "+14255551234").await;
        assert_eq!(to_number.status, StatusCode::CREATED, "a tel: callee");
        for bad in [
            "425 555 1234",
            "(425) 555-1234",
            "tel:5551234",
            "sip:me@contoso.com",
            "+1-425",
            "tel:+",
        ] {
            let refused = h.call("sip:alice@contoso.com", bad).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
            let error = format.read_error(&refused.body).unwrap();
            assert_eq!(
                error.subcode.as_deref(),
                Some("NormalizationFailed"),
                "{bad}"
            );
        }
        let bad_callee = h.call("tel:call-me", "+14255551234").await;
        assert_eq!(
            format
                .read_error(&bad_callee.body)
                .unwrap()
                .subcode
                .as_deref(),
            Some("NormalizationFailed")
        );
        // No number here and none given to makeMeAvailable.
        let missing = h
            .post(&h.start_href(), &input(&[("to", "sip:alice@contoso.com")]))
            .await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        let error = format.read_error(&missing.body).unwrap();
        assert_eq!(error.subcode.as_deref(), Some("ParameterValidationFailure"));
        let make = h
            .app
            .embedded("me")
            .unwrap()
            .link("makeMeAvailable")
            .unwrap()
            .to_string();
        let available = h
            .post(&make, &input(&[("phoneNumber", "+14255552222")]))
            .await;
        assert_eq!(available.status, StatusCode::NO_CONTENT);
        let placed = h
            .post(&h.start_href(), &input(&[("to", "sip:alice@contoso.com")]))
            .await;
        assert_eq!(placed.status, StatusCode::CREATED);
        let inv = h.get(&placed.location.unwrap()).await;
        assert_eq!(inv.text("phoneNumber").as_deref(), Some("tel:+14255552222"));
    }
}

#[tokio::test]
async fn switches_take_the_calling_links_away() {
    let both = Harness::new(Format::Json, Faults::default()).await;
    assert!(both.communication().link("startAudioVideo").is_some());
    assert!(both.communication().link("startPhoneAudio").is_some());

    let no_av = Faults::parse("no-av-link").unwrap();
    let h = Harness::new(Format::Xml, no_av).await;
    assert!(h.communication().link("startAudioVideo").is_none());
    assert!(h.communication().link("startPhoneAudio").is_some());
    assert_eq!(
        h.call("sip:alice@contoso.com", "+14255551234").await.status,
        StatusCode::CREATED
    );

    let h = Harness::new(Format::Json, Faults::parse("no-calling").unwrap()).await;
    let comm = h.communication();
    assert!(comm.link("startAudioVideo").is_none() && comm.link("startPhoneAudio").is_none());
    let base = h.app.href.clone().unwrap();
    for start in ["startAudioVideo", "startPhoneAudio"] {
        let refused = h
            .post(
                &format!("{base}/communication/{start}"),
                &input(&[("to", "sip:alice@contoso.com"), ("phoneNumber", "+1425")]),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{start}");
    }
}
