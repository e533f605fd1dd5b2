//! The simulator's address book and the user's own presence, through
//! `router(state).oneshot(…)`: directory search, contacts, presence, makeMeAvailable and
//! what it unlocks, and the throttled token endpoint.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use avlaunch::sim::{self, Faults, SimConfig, SimState};
use avlaunch::ucwa::Format;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

const APPS: &str = "/ucwa/oauth/v1/applications";

struct Reply {
    status: StatusCode,
    retry_after: Option<String>,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

struct Harness {
    state: SimState,
    token: Option<String>,
    accept: &'static str,
}

impl Harness {
    fn new() -> Harness {
        Harness {
            state: SimState::new(SimConfig {
                answer_delay: Duration::ZERO,
                event_hold: Duration::from_millis(100),
                faults: Faults::default(),
                ..SimConfig::default()
            }),
            token: None,
            accept: "application/json",
        }
    }

    async fn send(&self, method: &str, path: &str, body: Option<(&str, Vec<u8>)>) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("Accept", self.accept);
        if let Some(token) = &self.token {
            req = req.header("Authorization", format!("Bearer {token}"));
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
        let retry_after = resp
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        Reply {
            status,
            retry_after,
            body,
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        let bytes = body.to_string().into_bytes();
        self.send("POST", path, Some(("application/json", bytes)))
            .await
    }

    async fn token(&self, user: &str, password: &str) -> Reply {
        let form = format!("grant_type=password&username={user}&password={password}");
        self.send(
            "POST",
            "/WebTicket/oauthtoken",
            Some(("application/x-www-form-urlencoded", form.into_bytes())),
        )
        .await
    }

    /// Signs in and creates an application; returns its base path.
    async fn application(&mut self) -> String {
        let reply = self.token("a%40contoso.com", "demo").await;
        self.token = Some(reply.json()["access_token"].as_str().unwrap().to_string());
        let reply = self
            .post(
                APPS,
                json!({"culture":"en-US","endpointId":"e","userAgent":"t"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        reply.json()["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

#[tokio::test]
async fn search_finds_several_people_in_both_formats() {
    let mut h = Harness::new();
    let app = h.application().await;
    let all = h.get(&format!("{app}/people/search?query=alex")).await;
    assert_eq!(all.status, StatusCode::OK);
    let all = all.json();
    let names: Vec<&str> = all["_embedded"]["contact"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Alex Wilber", "Alexandra Dunn", "Alexis Moreau"]);
    assert_eq!(all["moreResultsAvailable"], false);
    let first = &all["_embedded"]["contact"][0];
    assert_eq!(first["title"], "Marketing Assistant");
    assert_eq!(first["department"], "Marketing");
    assert_eq!(first["emailAddresses"], json!(["alex.wilber@contoso.com"]));

    // One match is still an array; none is an empty one.
    let one = h
        .get(&format!("{app}/people/search?query=dunn&limit=5"))
        .await
        .json();
    assert_eq!(one["_embedded"]["contact"].as_array().unwrap().len(), 1);
    let none = h
        .get(&format!("{app}/people/search?query=zzz"))
        .await
        .json();
    assert_eq!(none["_embedded"]["contact"], json!([]));

    let cut = h
        .get(&format!("{app}/people/search?query=alex&limit=1"))
        .await
        .json();
    assert_eq!(cut["moreResultsAvailable"], true);
    assert_eq!(cut["_embedded"]["contact"].as_array().unwrap().len(), 1);

    h.accept = "application/vnd.microsoft.com.ucwa+xml";
    let xml = h
        .get(&format!("{app}/people/search?query=ALEX&limit=2"))
        .await;
    let resource = Format::Xml.read_resource(&xml.body).unwrap();
    assert_eq!(resource.rel, "search");
    let names: Vec<String> = resource
        .embedded
        .iter()
        .filter_map(|c| c.text("name"))
        .collect();
    assert_eq!(names, ["Alex Wilber", "Alexandra Dunn"]);
    assert_eq!(resource.boolean("moreResultsAvailable"), Some(true));
}

#[tokio::test]
async fn search_checks_its_parameters() {
    let mut h = Harness::new();
    let app = h.application().await;
    for query in [
        "",
        "?query=",
        "?query=%20%20",
        &format!("?query={}", "a".repeat(257)),
    ] {
        let r = h.get(&format!("{app}/people/search{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(r.json()["parameters"][0]["name"], "query");
    }
    for limit in ["0", "101", "x", "-1"] {
        let r = h
            .get(&format!("{app}/people/search?query=a&limit={limit}"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{limit}");
        assert_eq!(r.json()["parameters"][0]["name"], "limit");
    }
}

#[tokio::test]
async fn contacts_and_presence_fit_their_behaviour() {
    let mut h = Harness::new();
    let app = h.application().await;
    let bob = h.get(&format!("{app}/people/bob@contoso.com")).await.json();
    assert_eq!(bob["name"], "Bob Lindqvist");
    let presence = bob["_links"]["contactPresence"]["href"].as_str().unwrap();
    let presence = h.get(presence).await.json();
    assert_eq!(presence["availability"], "Busy");
    assert_eq!(presence["activity"], "in-a-meeting");
    let carol = h
        .get(&format!("{app}/people/CAROL@contoso.com/presence"))
        .await
        .json();
    assert_eq!(carol["availability"], "Away");
    for missing in [
        "people/nobody@contoso.com",
        "people/nobody@contoso.com/presence",
        "people/groups/x",
    ] {
        assert_eq!(
            h.get(&format!("{app}/{missing}")).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    let mine = h.get(&format!("{app}/people/contacts")).await.json();
    let uris: Vec<&str> = mine["_embedded"]["contact"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["uri"].as_str().unwrap())
        .collect();
    assert!(uris.contains(&"sip:alice@contoso.com") && !uris.contains(&"sip:gone@contoso.com"));
    let groups = h.get(&format!("{app}/people/groups")).await.json();
    let members = groups["_embedded"]["group"]["_links"]["groupContacts"]["href"]
        .as_str()
        .unwrap();
    assert_eq!(
        h.get(members).await.json()["_embedded"]["contact"],
        mine["_embedded"]["contact"]
    );
}

#[tokio::test]
async fn make_me_available_unlocks_presence_once() {
    let mut h = Harness::new();
    let app = h.application().await;
    let me = h.get(&format!("{app}/me")).await.json();
    let make = me["_links"]["makeMeAvailable"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(me["_links"]["presence"].is_null() && me["_links"]["reportMyActivity"].is_null());
    let activity = format!("{app}/reportMyActivity");
    let before = h.post(&activity, json!({})).await;
    assert_eq!(before.status, StatusCode::CONFLICT);
    assert_eq!(before.json()["subcode"], "MakeMeAvailableRequired");
    assert_eq!(
        h.get(&format!("{app}/me/presence")).await.json()["subcode"],
        "MakeMeAvailableRequired"
    );

    let av = h
        .post(
            &make,
            json!({"supportedModalities": ["Messaging", "AudioVideo"]}),
        )
        .await;
    assert_eq!(av.status, StatusCode::FORBIDDEN);
    let bad = h.post(&make, json!({"phoneNumber": "call me maybe"})).await;
    assert_eq!(bad.json()["subcode"], "NormalizationFailed");
    let ok = h
        .post(&make, json!({"signInAs": "Busy", "supportedModalities": ["Messaging", "PhoneAudio"], "phoneNumber": "4255552222"}))
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    let again = h.post(&make, json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["subcode"], "AlreadyExists");

    let page = h.get(&format!("{app}/events?ack=1")).await.json();
    let mut seen = Vec::new();
    for sender in page["sender"].as_array().unwrap() {
        for e in sender["events"].as_array().unwrap() {
            seen.push(format!(
                "{} {} {}",
                sender["rel"].as_str().unwrap(),
                e["type"].as_str().unwrap(),
                e["link"]["rel"].as_str().unwrap()
            ));
        }
    }
    assert_eq!(
        seen,
        [
            "me updated me",
            "me added presence",
            "me added note",
            "communication updated communication"
        ]
    );

    let comm = h.get(&format!("{app}/communication")).await.json();
    assert_eq!(comm["phoneNumber"], "tel:4255552222");
    assert_eq!(
        h.get(&format!("{app}/me/presence")).await.json()["availability"],
        "Busy"
    );
    assert_eq!(
        h.post(&activity, json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.post(
            &format!("{app}/me/presence"),
            json!({"availability": "Away"})
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.get(&format!("{app}/me/presence")).await.json()["availability"],
        "Away"
    );
    assert_eq!(
        h.post(
            &format!("{app}/me/presence"),
            json!({"availability": "Sleeping"})
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.post(&format!("{app}/me/note"), json!({"message": "back at 3"}))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.get(&format!("{app}/me/note")).await.json()["message"],
        "back at 3"
    );
    let me = h.get(&format!("{app}/me")).await.json();
    assert!(me["_links"]["makeMeAvailable"].is_null());
    assert!(me["_links"]["note"].is_object());
}

#[tokio::test]
async fn token_requests_are_throttled_per_user() {
    let h = Harness::new();
    for i in 0..10 {
        let password = if i % 2 == 0 { "demo" } else { "wrong" };
        let r = h.token("ann%40contoso.com", password).await;
        assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS, "request {i}");
    }
    let throttled = h.token("ANN%40contoso.com", "demo").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.json()["error"], "temporarily_unavailable");
    let wait: u64 = throttled.retry_after.unwrap().parse().unwrap();
    assert!((1..=3).contains(&wait), "{wait}");
    assert_eq!(
        h.token("bob%40contoso.com", "demo").await.status,
        StatusCode::OK
    );
}
