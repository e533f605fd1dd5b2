//! Fault switches for sign-in and pacing: `no-password-grant`, `token-diagnostics`,
//! `events-silent`, `slow=MS` and the flaky contact (`flaky=N`).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use avlaunch::sim::{self, Faults, SimConfig, SimState};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

const APPS: &str = "/ucwa/oauth/v1/applications";
const USER: &str = "/Autodiscover/AutodiscoverService.svc/root/oauth/user";

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn header(&self, name: &str) -> String {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn state(list: &str) -> SimState {
    SimState::new(SimConfig {
        answer_delay: Duration::ZERO,
        event_hold: Duration::from_millis(50),
        faults: Faults::parse(list).unwrap(),
        ..SimConfig::default()
    })
}

async fn send(
    state: &SimState,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, String)>,
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("Accept", "application/json");
    if let Some(token) = token {
        req = req.header("Authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some((content_type, text)) => {
            req = req.header("Content-Type", content_type);
            Body::from(text)
        }
        None => Body::empty(),
    };
    let resp = sim::router(state.clone())
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn token(state: &SimState, grant: &str) -> Reply {
    let form = format!("grant_type={grant}&username=me%40contoso.com&password=demo");
    send(
        state,
        "POST",
        "/WebTicket/oauthtoken",
        None,
        Some(("application/x-www-form-urlencoded", form)),
    )
    .await
}

/// Signs in and creates an application: (token, application base path).
async fn application(state: &SimState) -> (String, String) {
    let token = token(state, "password").await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"culture":"en-US","endpointId":"e","userAgent":"t"}).to_string();
    let app = send(
        state,
        "POST",
        APPS,
        Some(&token),
        Some(("application/json", body)),
    )
    .await;
    let base = app.json()["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    (token, base)
}

#[tokio::test]
async fn no_password_grant_offers_and_takes_only_windows_sign_in() {
    let s = state("no-password-grant");
    let challenge = send(&s, "GET", USER, None, None).await;
    assert_eq!(challenge.status, StatusCode::UNAUTHORIZED);
    let offered = challenge.header("www-authenticate");
    assert!(
        offered.contains("grant_type=\"urn:microsoft.rtc:windows\""),
        "{offered}"
    );
    assert!(!offered.contains("password"), "{offered}");
    let refused = token(&s, "password").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["error"], "unsupported_grant_type");
    assert!(refused
        .header("x-ms-diagnostics")
        .starts_with("28029;source=\"127.0.0.1\";reason="));
    let windows = token(&s, "urn%3Amicrosoft.rtc%3Awindows").await;
    assert_eq!(windows.json()["error"], "invalid_grant");
    assert!(windows.header("x-ms-diagnostics").starts_with("28020;"));

    // Without the switch the challenge names the password grant only.
    let plain = send(&state(""), "GET", USER, None, None).await;
    assert!(plain
        .header("www-authenticate")
        .contains("grant_type=\"password\""));
}

#[tokio::test]
async fn token_diagnostics_refuses_every_token_with_a_diagnostic() {
    let s = state("token-diagnostics");
    let refused = token(&s, "password").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json()["error"], "invalid_grant");
    assert_eq!(
        refused.header("x-ms-diagnostics"),
        "28020;source=\"127.0.0.1\";reason=\"No valid security token.\""
    );
}

#[tokio::test]
async fn events_silent_holds_the_channel_until_the_application_goes() {
    let s = state("events-silent");
    let (token, base) = application(&s).await;
    let events = format!("{base}/events?ack=1");
    let held = {
        let (s, token) = (s.clone(), token.clone());
        tokio::spawn(async move { send(&s, "GET", &events, Some(&token), None).await })
    };
    // Many times the 50 ms hold after which a P-GET is normally answered empty.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!held.is_finished(), "the event channel answered");
    assert_eq!(
        send(&s, "DELETE", &base, Some(&token), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(held.await.unwrap().status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn slow_delays_every_answer() {
    // A lower bound only: a loaded machine can make it slower, never faster.
    let s = state("slow=300");
    for path in ["/", USER] {
        let before = std::time::Instant::now();
        send(&s, "GET", path, None, None).await;
        assert!(before.elapsed() >= Duration::from_millis(300), "{path}");
    }
}

#[tokio::test]
async fn the_flaky_contact_fails_one_call_in_n() {
    let s = state("flaky=2");
    let (token, base) = application(&s).await;
    let mut next = format!("{base}/events?ack=1");
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        let body = json!({"to": "sip:flaky@contoso.com"}).to_string();
        let placed = send(
            &s,
            "POST",
            &format!("{base}/communication/startAudioVideo"),
            Some(&token),
            Some(("application/json", body)),
        )
        .await;
        assert_eq!(placed.status, StatusCode::CREATED);
        'call: loop {
            let page = send(&s, "GET", &next, Some(&token), None).await.json();
            next = page["_links"]["next"]["href"].as_str().unwrap().to_string();
            for sender in page["sender"].as_array().into_iter().flatten() {
                for e in sender["events"].as_array().into_iter().flatten() {
                    if e["type"] == "completed" {
                        let subcode = e["reason"]["subcode"].as_str().unwrap_or("-");
                        outcomes.push(format!("{} {subcode}", e["status"].as_str().unwrap()));
                        break 'call;
                    }
                }
            }
        }
    }
    assert_eq!(
        outcomes,
        [
            "Failure TemporarilyUnavailable",
            "Success -",
            "Failure TemporarilyUnavailable",
            "Success -"
        ]
    );
}
