//! The simulator over real sockets, driven with plain HTTP the way PROTOCOL.md §i
//! describes: discovery, the challenge, the token, an application, the event channel and
//! one call per contact of the directory.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use avlaunch::sim::{self, Faults, SimConfig, SimHandle};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn fast() -> SimConfig {
    SimConfig {
        answer_delay: Duration::ZERO,
        hangup_after: Duration::from_millis(50),
        ring_timeout: Duration::from_millis(200),
        event_hold: Duration::from_millis(300),
        ..SimConfig::default()
    }
}

async fn start(cfg: SimConfig) -> SimHandle {
    sim::start(cfg).await.expect("the simulator starts")
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A client that follows links only, as the real one must.
struct Client {
    http: reqwest::Client,
    base: url::Url,
    token: Option<String>,
}

impl Client {
    fn new(sim: &SimHandle) -> Client {
        Client {
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            base: sim.url.clone(),
            token: None,
        }
    }

    fn url(&self, href: &str) -> url::Url {
        self.base.join(href).unwrap()
    }

    async fn send(&self, method: &str, href: &str, body: Option<(&str, String)>) -> Answer {
        let mut req = self
            .http
            .request(method.parse().unwrap(), self.url(href))
            .header("Accept", "application/json");
        if let Some(token) = &self.token {
            req = req.header("Authorization", format!("Bearer {token}"));
        }
        if let Some((content_type, body)) = body {
            req = req.header("Content-Type", content_type).body(body);
        }
        let resp = req.send().await.expect("request sent");
        Answer {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.unwrap(),
        }
    }

    async fn get(&self, href: &str) -> Answer {
        self.send("GET", href, None).await
    }

    async fn post_json(&self, href: &str, body: Value) -> Answer {
        self.send("POST", href, Some(("application/json", body.to_string())))
            .await
    }

    async fn token(&self, token_href: &str, password: &str) -> Answer {
        let body = format!("grant_type=password&username=lenea%40contoso.com&password={password}");
        let resp = self
            .http
            .post(token_href)
            .header(
                "Content-Type",
                "application/x-www-form-urlencoded;charset=UTF-8",
            )
            .header("Accept", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        Answer {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.unwrap(),
        }
    }
}

/// The `href="…"` of the `MsRtcOAuth` challenge.
fn token_href(headers: &HeaderMap) -> String {
    headers
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("MsRtcOAuth href=\""))
        .and_then(|v| v.split('"').next())
        .expect("an MsRtcOAuth challenge")
        .to_string()
}

/// A signed-in client with an application: everything §i steps 1–5 produce.
struct Session {
    client: Client,
    user_href: String,
    app: Value,
    next_events: String,
    /// Events received but not yet looked at.
    unread: std::collections::VecDeque<(String, Value)>,
}

impl Session {
    async fn open(sim: &SimHandle) -> Session {
        let mut client = Client::new(sim);
        let root = client.get("/").await;
        assert_eq!(root.status, StatusCode::OK);
        let user_href = root.json()["_links"]["user"]["href"]
            .as_str()
            .unwrap()
            .to_string();
        let challenge = client.get(&user_href).await;
        assert_eq!(challenge.status, StatusCode::UNAUTHORIZED);
        let token = client.token(&token_href(&challenge.headers), "demo").await;
        assert_eq!(token.status, StatusCode::OK, "{}", token.text);
        client.token = Some(token.json()["access_token"].as_str().unwrap().to_string());
        let user = client.get(&user_href).await;
        assert_eq!(user.status, StatusCode::OK);
        let apps = user.json()["_links"]["applications"]["href"]
            .as_str()
            .unwrap()
            .to_string();
        let created = client
            .post_json(
                &apps,
                json!({"culture":"en-US","endpointId":"e1","userAgent":"avlaunch-test/1"}),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let app = created.json();
        let next_events = app["_links"]["events"]["href"]
            .as_str()
            .unwrap()
            .to_string();
        Session {
            client,
            user_href,
            app,
            next_events,
            unread: Default::default(),
        }
    }

    fn app_href(&self) -> String {
        self.app["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn start_av_href(&self) -> String {
        self.app["_embedded"]["communication"]["_links"]["startAudioVideo"]["href"]
            .as_str()
            .expect("a startAudioVideo link")
            .to_string()
    }

    async fn call(&self, to: &str) -> Answer {
        self.client
            .post_json(
                &self.start_av_href(),
                json!({"to": to, "operationId": "op-1"}),
            )
            .await
    }

    /// One P-GET on the last `next`; returns the page.
    async fn page(&mut self) -> Value {
        let answer = self.client.get(&self.next_events).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let page = answer.json();
        let next = page["_links"]["resync"]["href"]
            .as_str()
            .or(page["_links"]["next"]["href"].as_str())
            .expect("next or resync");
        self.next_events = next.to_string();
        page
    }

    /// Follows the channel until an event matches `until`; returns every event seen, as
    /// (sender rel, event).
    async fn events_until(&mut self, until: impl Fn(&str, &Value) -> bool) -> Vec<(String, Value)> {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            while let Some((rel, event)) = self.unread.pop_front() {
                let done = until(&rel, &event);
                seen.push((rel, event));
                if done {
                    return seen;
                }
            }
            let page = self.page().await;
            for sender in page["sender"].as_array().into_iter().flatten() {
                let rel = sender["rel"].as_str().unwrap_or_default().to_string();
                for event in sender["events"].as_array().into_iter().flatten() {
                    self.unread.push_back((rel.clone(), event.clone()));
                }
            }
        }
        panic!("the awaited event never came; saw {seen:#?}");
    }
}

/// `(sender, type, rel)` of each event, for asserting order.
fn shape(events: &[(String, Value)]) -> Vec<(String, String, String)> {
    events
        .iter()
        .map(|(sender, e)| {
            (
                sender.clone(),
                e["type"].as_str().unwrap_or_default().to_string(),
                e["link"]["rel"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn triple(s: &str, t: &str, r: &str) -> (String, String, String) {
    (s.into(), t.into(), r.into())
}

fn completed(_: &str, e: &Value) -> bool {
    e["type"] == "completed"
}

fn conversation_deleted(_: &str, e: &Value) -> bool {
    e["type"] == "deleted" && e["link"]["rel"] == "conversation"
}

#[tokio::test]
async fn alice_answers_and_the_call_is_hung_up_and_cleaned_up() {
    let sim = start(fast()).await;
    let mut s = Session::open(&sim).await;
    let offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n";
    let created = s
        .client
        .post_json(
            &s.start_av_href(),
            json!({
                "operationId": "74cb7404e0a247d5a2d4eb0376a47dbf",
                "to": "sip:alice@contoso.com",
                "importance": "Urgent",
                "subject": "Quarterly numbers",
                "threadId": "292e0aaef36c426a97757f43dda19d06",
                "sessionContext": "ctx-1",
                "joinAudioMuted": false,
                "joinVideoMuted": true,
                "_links": {
                    "mediaOffer": {"href": format!("data:application/sdp;base64,{}",
                        base64_encode(offer))},
                    "somethingElse": {"href": "/ignored"}
                }
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert!(created.text.is_empty(), "201 has no body");
    let inv = created.header("location").unwrap().to_string();
    let app = s.app_href();
    assert!(inv.starts_with(&format!("{app}/communication/audioVideoInvitations/")));
    let id = inv.rsplit('/').next().unwrap();
    assert_eq!(id.len(), 32);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));

    let events = s.events_until(completed).await;
    let order = shape(&events);
    let expected = [
        triple("communication", "started", "audioVideoInvitation"),
        triple("communication", "added", "conversation"),
        triple("conversation", "added", "localParticipant"),
        triple("conversation", "updated", "audioVideo"),
        triple("communication", "updated", "audioVideoInvitation"),
        triple("audioVideoInvitation", "updated", "audioVideoNegotiation"),
        triple("conversation", "added", "participant"),
        triple("conversation", "added", "participantAudio"),
        triple("conversation", "added", "participantVideo"),
        triple("conversation", "updated", "audioVideo"),
        triple("communication", "updated", "conversation"),
        triple("communication", "completed", "audioVideoInvitation"),
    ];
    assert_eq!(order, expected);

    let started = &events[0].1;
    assert_eq!(started["link"]["href"], inv.as_str());
    let emb = &started["_embedded"]["audioVideoInvitation"];
    assert_eq!(emb["direction"], "Outgoing");
    assert_eq!(emb["state"], "Connecting");
    assert_eq!(emb["operationId"], "74cb7404e0a247d5a2d4eb0376a47dbf");
    assert_eq!(emb["to"], "sip:alice@contoso.com");
    assert_eq!(emb["subject"], "Quarterly numbers");
    assert_eq!(emb["importance"], "Urgent");
    assert_eq!(emb["threadId"], "292e0aaef36c426a97757f43dda19d06");
    assert_eq!(emb["sessionContext"], "ctx-1");
    assert_eq!(emb["joinAudioMuted"], false);
    assert_eq!(emb["joinVideoMuted"], true);
    for rel in ["self", "conversation", "audioVideo", "cancel", "to", "from"] {
        assert!(emb["_links"][rel]["href"].is_string(), "link {rel}: {emb}");
    }
    assert_eq!(
        events[4].1["_embedded"]["audioVideoInvitation"]["state"],
        "Alerting"
    );
    let answer =
        &events[5].1["_embedded"]["audioVideoNegotiation"]["_links"]["mediaAnswer"]["href"];
    assert!(answer
        .as_str()
        .unwrap()
        .starts_with("data:application/sdp;base64,"));
    assert_eq!(events[8].1["in"]["rel"], "participant");
    let av = &events[9].1["_embedded"]["audioVideo"];
    assert_eq!(av["state"], "Connected");
    let stop = av["_links"]["stopAudioVideo"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let conversation = &events[10].1["_embedded"]["conversation"];
    assert_eq!(conversation["state"], "Connected");
    assert_eq!(conversation["activeModalities"], json!(["Audio", "Video"]));
    let done = &events[11].1;
    assert_eq!(done["status"], "Success");
    let done_inv = &done["_embedded"]["audioVideoInvitation"];
    assert_eq!(done_inv["state"], "Connected");
    assert!(
        done_inv["_links"]["cancel"].is_null(),
        "no cancel once connected"
    );

    // The resources agree with the events.
    let got = s.client.get(&inv).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["state"], "Connected");
    assert!(got.json()["_links"]["cancel"].is_null());
    let conv_href = done_inv["_links"]["conversation"]["href"].as_str().unwrap();
    assert_eq!(s.client.get(conv_href).await.json()["state"], "Connected");
    let av_href = done_inv["_links"]["audioVideo"]["href"].as_str().unwrap();
    assert_eq!(s.client.get(av_href).await.json()["state"], "Connected");

    // Cancelling now is too late.
    let cancel = emb["_links"]["cancel"]["href"].as_str().unwrap();
    let late = s.client.send("POST", cancel, None).await;
    assert_eq!(late.status, StatusCode::CONFLICT);

    // Hang up.
    let hung = s
        .client
        .post_json(&stop, json!({"reason": "UserInitiatedAction"}))
        .await;
    assert_eq!(hung.status, StatusCode::NO_CONTENT, "{}", hung.text);
    let after = s.events_until(conversation_deleted).await;
    assert_eq!(
        shape(&after),
        [
            triple("conversation", "updated", "audioVideo"),
            triple("conversation", "deleted", "participant"),
            triple("conversation", "deleted", "localParticipant"),
            triple("communication", "deleted", "conversation"),
        ]
    );
    assert_eq!(
        after[0].1["_embedded"]["audioVideo"]["state"],
        "Disconnected"
    );
    assert_eq!(s.client.get(conv_href).await.status, StatusCode::NOT_FOUND);
    let again = s.client.send("POST", &stop, None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.json()["code"], "NotFound");

    // Delete the application.
    assert_eq!(sim.live_applications(), 1);
    let deleted = s.client.send("DELETE", &app, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(sim.live_applications(), 0);
    let gone = s.client.get(&app).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.json()["subcode"], "ApplicationNotFound");
    sim.shutdown().await;
}

fn base64_encode(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

async fn failed_call(sim: &SimHandle, to: &str) -> (Vec<(String, Value)>, Duration) {
    let mut s = Session::open(sim).await;
    let began = Instant::now();
    let created = s.call(to).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let mut events = s.events_until(completed).await;
    let elapsed = began.elapsed();
    events.extend(s.events_until(conversation_deleted).await);
    (events, elapsed)
}

fn reason_of(events: &[(String, Value)]) -> (Value, Value) {
    let (_, done) = events
        .iter()
        .find(|(_, e)| e["type"] == "completed")
        .unwrap();
    assert_eq!(done["status"], "Failure");
    (
        done["reason"].clone(),
        done["_embedded"]["audioVideoInvitation"]["state"].clone(),
    )
}

/// A call the far end fails: the contact, the `completed` event's reason (code, subcode,
/// and message when checked), the invitation's final state, and anything else to check.
struct FailedCall {
    to: &'static str,
    code: &'static str,
    subcode: &'static str,
    message: Option<&'static str>,
    state: &'static str,
    check: fn(&[(String, Value)], Duration),
}

const FAILED_CALLS: &[FailedCall] = &[
    // Bob declines; the conversation goes away after the audioVideo is Disconnected.
    FailedCall {
        to: "sip:bob@contoso.com",
        code: "RemoteFailure",
        subcode: "Declined",
        message: None,
        state: "Declined",
        check: |events, _| {
            let tail: Vec<_> = shape(events).into_iter().rev().take(4).rev().collect();
            assert_eq!(
                tail,
                [
                    triple("communication", "completed", "audioVideoInvitation"),
                    triple("conversation", "updated", "audioVideo"),
                    triple("conversation", "deleted", "localParticipant"),
                    triple("communication", "deleted", "conversation"),
                ]
            );
            let disconnected = &events[events.len() - 3].1;
            assert_eq!(
                disconnected["_embedded"]["audioVideo"]["state"],
                "Disconnected"
            );
        },
    },
    // Carol times out after the ring timeout.
    FailedCall {
        to: "sip:carol@contoso.com",
        code: "Timeout",
        subcode: "Timeout",
        message: None,
        state: "Failed",
        check: |_, elapsed| assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}"),
    },
    // Nobody and strangers do not exist.
    FailedCall {
        to: "sip:nobody@contoso.com",
        code: "NotFound",
        subcode: "DestinationNotFound",
        message: Some("The person or meeting doesn't exist."),
        state: "Failed",
        check: |_, _| {},
    },
    FailedCall {
        to: "sip:stranger@contoso.com",
        code: "NotFound",
        subcode: "DestinationNotFound",
        message: Some("The person or meeting doesn't exist."),
        state: "Failed",
        check: |_, _| {},
    },
];

#[tokio::test]
async fn failed_calls_end_as_the_table_says() {
    let sim = start(fast()).await;
    for c in FAILED_CALLS {
        let (events, elapsed) = failed_call(&sim, c.to).await;
        let (reason, state) = reason_of(&events);
        assert_eq!(reason["code"], c.code, "{}", c.to);
        assert_eq!(reason["subcode"], c.subcode, "{}", c.to);
        if let Some(message) = c.message {
            assert_eq!(reason["message"], message, "{}", c.to);
        }
        assert_eq!(state, c.state, "{}", c.to);
        (c.check)(&events, elapsed);
    }
}

#[tokio::test]
async fn cancel_while_ringing() {
    let sim = start(SimConfig {
        ring_timeout: Duration::from_secs(30),
        ..fast()
    })
    .await;
    let mut s = Session::open(&sim).await;
    let created = s.call("sip:carol@contoso.com").await;
    let inv = created.header("location").unwrap().to_string();
    let ringing = s
        .events_until(|_, e| {
            e["type"] == "updated" && e["_embedded"]["audioVideoInvitation"]["state"] == "Alerting"
        })
        .await;
    let cancel = ringing.last().unwrap().1["_embedded"]["audioVideoInvitation"]["_links"]["cancel"]
        ["href"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        s.client.get(&inv).await.json()["_links"]["cancel"]["href"],
        cancel.as_str()
    );
    let began = Instant::now();
    let answer = s.client.send("POST", &cancel, None).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let events = s.events_until(completed).await;
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "no wait for the ring timeout"
    );
    let (reason, state) = reason_of(&events);
    assert_eq!(reason["code"], "LocalFailure");
    assert_eq!(reason["subcode"], "Canceled");
    assert_eq!(state, "Cancelled");
    let got = s.client.get(&inv).await.json();
    assert_eq!(got["state"], "Cancelled");
    assert!(got["_links"]["cancel"].is_null());
    let twice = s.client.send("POST", &cancel, None).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.json()["code"], "Conflict");
    let unknown = format!(
        "{}/communication/audioVideoInvitations/{}/cancel",
        s.app_href(),
        "0".repeat(32)
    );
    assert_eq!(
        s.client.send("POST", &unknown, None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn dave_hangs_up_by_himself() {
    let sim = start(fast()).await;
    let mut s = Session::open(&sim).await;
    assert_eq!(
        s.call("sip:dave@contoso.com").await.status,
        StatusCode::CREATED
    );
    let connected = s.events_until(completed).await;
    assert_eq!(connected.last().unwrap().1["status"], "Success");
    let ended = s.events_until(conversation_deleted).await;
    let (_, disconnected) = ended
        .iter()
        .find(|(_, e)| e["link"]["rel"] == "audioVideo")
        .unwrap();
    assert_eq!(
        disconnected["_embedded"]["audioVideo"]["state"],
        "Disconnected"
    );
    assert_eq!(disconnected["reason"]["subcode"], "CallTerminated");
}

#[tokio::test]
async fn refusing_contacts_answer_synchronously() {
    let sim = start(fast()).await;
    let s = Session::open(&sim).await;
    for (to, status, code, subcode) in [
        (
            "sip:conflict@contoso.com",
            409,
            "Conflict",
            Some("AlreadyExists"),
        ),
        (
            "sip:groups@contoso.com",
            409,
            "Conflict",
            Some("TooManyGroups"),
        ),
        ("sip:unsupported@contoso.com", 409, "Conflict", None),
        ("sip:gone@contoso.com", 410, "Gone", Some("CannotRedirect")),
        (
            "sip:callback@contoso.com",
            500,
            "ServiceFailure",
            Some("CallbackChannelError"),
        ),
    ] {
        let answer = s.call(to).await;
        assert_eq!(answer.status.as_u16(), status, "{to}");
        assert!(answer
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
        let body = answer.json();
        assert_eq!(body["code"], code, "{to}");
        assert_eq!(body["subcode"].as_str(), subcode, "{to}");
        assert!(body["message"].is_string());
        assert!(answer.header("location").is_none());
    }
}

#[tokio::test]
async fn the_401_challenge_is_the_sample() {
    let sim = start(fast()).await;
    let client = Client::new(&sim);
    let root = client.get("/").await.json();
    let origin = sim.url.as_str().trim_end_matches('/');
    assert_eq!(
        root["_links"]["user"]["href"],
        format!("{origin}/Autodiscover/AutodiscoverService.svc/root/oauth/user")
    );
    assert!(root["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .starts_with(origin));
    assert!(root["_links"]["xframe"]["href"].is_string());
    let user = root["_links"]["user"]["href"].as_str().unwrap();
    let challenge = client.get(user).await;
    assert_eq!(challenge.status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge.header("content-type"), Some("text/html"));
    let values: Vec<&str> = challenge
        .headers
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(
        values,
        [
            "Bearer trusted_issuers=\"00000002-0000-0ff1-ce00-000000000000@contoso.com\", client_id=\"00000004-0000-0ff1-ce00-000000000000\"".to_string(),
            // Only the grant its token endpoint accepts.
            format!("MsRtcOAuth href=\"{origin}/WebTicket/oauthtoken\",grant_type=\"password\""),
        ]
    );
}

#[tokio::test]
async fn the_token_endpoint_checks_grant_and_password() {
    let sim = start(fast()).await;
    let client = Client::new(&sim);
    let href = format!("{}WebTicket/oauthtoken", sim.url);
    let bad = client.token(&href, "wrong").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json(), json!({"error": "invalid_grant"}));
    let good = client.token(&href, "demo").await;
    assert_eq!(good.status, StatusCode::OK);
    assert_eq!(good.header("cache-control"), Some("no-store"));
    let body = good.json();
    assert!(body["access_token"].as_str().unwrap().starts_with("cwt="));
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 28800);
    assert_eq!(body["ms_rtc_identityscope"], "local");

    let form = |content_type: &'static str, body: &'static str| {
        let http = client.http.clone();
        let href = href.clone();
        async move {
            let resp = http
                .post(href)
                .header("Content-Type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            (resp.status(), resp.text().await.unwrap())
        }
    };
    let quoted = "application/x-www-form-urlencoded;charset='utf-8'";
    let (status, _) = form(quoted, "grant_type=password&username=a@b&password=demo").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the guide's quoted charset is accepted"
    );
    let (status, text) = form(quoted, "grant_type=urn:microsoft.rtc:passive").await;
    assert_eq!(
        (status, text.as_str()),
        (
            StatusCode::BAD_REQUEST,
            "{\"error\":\"unsupported_grant_type\"}"
        )
    );
    let (_, text) = form(quoted, "grant_type=password&username=a@b").await;
    assert_eq!(text, "{\"error\":\"invalid_request\"}");
    let (_, text) = form("application/json", "{}").await;
    assert_eq!(text, "{\"error\":\"invalid_request\"}");

    // The password never reaches the record.
    let seen = sim.requests();
    let tokens: Vec<_> = seen
        .iter()
        .filter(|r| r.path_and_query == "/WebTicket/oauthtoken")
        .collect();
    assert_eq!(tokens.len(), 6);
    assert!(
        tokens[0].body.contains("password=***"),
        "{}",
        tokens[0].body
    );
    assert!(seen
        .iter()
        .all(|r| !r.body.contains("wrong") && !r.body.contains("demo")));
    assert_eq!(tokens[0].status, 400);
    assert_eq!(tokens[1].status, 200);
    assert!(!tokens[0].authorization);
}

#[tokio::test]
async fn every_ucwa_resource_needs_a_known_token() {
    let sim = start(fast()).await;
    let mut s = Session::open(&sim).await;
    let app = s.app_href();
    let events = s.next_events.clone();
    let token = s.client.token.take();
    for href in [app.as_str(), events.as_str(), "/ucwa/oauth/v1/applications"] {
        let answer = s.client.get(href).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{href}");
        assert_eq!(answer.headers.get_all("www-authenticate").iter().count(), 2);
    }
    s.client.token = Some("cwt=forged".into());
    assert_eq!(s.client.get(&app).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        s.client.get(&s.user_href).await.status,
        StatusCode::UNAUTHORIZED
    );
    s.client.token = token;
    assert_eq!(s.client.get(&app).await.status, StatusCode::OK);
    let seen = sim.requests();
    assert!(seen
        .iter()
        .any(|r| r.path_and_query == app && !r.authorization && r.status == 401));
    assert!(seen
        .iter()
        .any(|r| r.path_and_query == app && r.authorization && r.status == 200));
}

#[tokio::test]
async fn event_channel_acks_resync_and_replaced_pgets() {
    let sim = start(SimConfig {
        event_hold: Duration::from_secs(10),
        ..fast()
    })
    .await;
    let mut s = Session::open(&sim).await;
    let base = format!("{}/events", s.app_href());
    // Out of range: above what the server holds.
    let page = s.client.get(&format!("{base}?ack=5")).await.json();
    assert_eq!(
        page["_links"].as_object().unwrap().len(),
        1,
        "only resync: {page}"
    );
    assert_eq!(page["_links"]["resync"]["href"], format!("{base}?ack=1"));

    // A parked P-GET is replaced by a second one with the same ack.
    let first = {
        let http = s.client.http.clone();
        let url = s.client.url(&format!("{base}?ack=1"));
        let token = s.client.token.clone().unwrap();
        tokio::spawn(async move {
            let resp = http
                .get(url)
                .header("Authorization", format!("Bearer {token}"))
                .send()
                .await
                .unwrap();
            (resp.status(), resp.text().await.unwrap())
        })
    };
    // Wait until the first one is parked.
    let deadline = Instant::now() + Duration::from_secs(2);
    while !sim
        .requests()
        .iter()
        .any(|r| r.path_and_query.ends_with("ack=1") && r.status == 0)
    {
        assert!(Instant::now() < deadline, "the first P-GET never arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let second = {
        let http = s.client.http.clone();
        let url = s.client.url(&format!("{base}?ack=1"));
        let token = s.client.token.clone().unwrap();
        tokio::spawn(async move {
            let resp = http
                .get(url)
                .header("Authorization", format!("Bearer {token}"))
                .send()
                .await
                .unwrap();
            (resp.status(), resp.text().await.unwrap())
        })
    };
    let (status, text) = first.await.unwrap();
    assert_eq!(status, StatusCode::CONFLICT);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (body["code"].as_str(), body["subcode"].as_str()),
        (Some("Conflict"), Some("PGetReplaced"))
    );

    // Events release the parked second P-GET as batch 1.
    assert_eq!(
        s.call("sip:alice@contoso.com").await.status,
        StatusCode::CREATED
    );
    let (status, text) = second.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let page: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page["_links"]["self"]["href"], format!("{base}?ack=1"));
    assert_eq!(page["_links"]["next"]["href"], format!("{base}?ack=2"));
    let first_batch = page["sender"].clone();
    assert!(!first_batch.as_array().unwrap().is_empty());

    // Asking for batch 1 again (a retry) gives the same batch.
    let again = s.client.get(&format!("{base}?ack=1")).await.json();
    assert_eq!(again["sender"], first_batch);
    // ack=2 acknowledges batch 1; batch 1 is then out of range.
    s.next_events = format!("{base}?ack=2");
    s.events_until(completed).await;
    let stale = s.client.get(&format!("{base}?ack=1")).await.json();
    assert!(stale["_links"]["next"].is_null());
    let resync = stale["_links"]["resync"]["href"].as_str().unwrap();
    assert!(
        resync.starts_with(&format!("{base}?ack=")) && !resync.ends_with("ack=1"),
        "{resync}"
    );
    let acks: Vec<String> = sim
        .requests()
        .iter()
        .filter(|r| r.path_and_query.starts_with(&base))
        .map(|r| r.path_and_query.rsplit('=').next().unwrap().to_string())
        .collect();
    assert_eq!(&acks[..5], ["5", "1", "1", "1", "2"]);
}

#[tokio::test]
async fn an_idle_pget_is_released_empty_after_the_hold() {
    let sim = start(fast()).await;
    let mut s = Session::open(&sim).await;
    let began = Instant::now();
    let page = s.page().await;
    let waited = began.elapsed();
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert_eq!(page["sender"], json!([]));
    assert!(page["_links"]["next"]["href"]
        .as_str()
        .unwrap()
        .ends_with("ack=2"));
    // The application was created with event_hold 300 ms; a timeout parameter is clamped
    // to that test cap, so this also returns promptly.
    let answer = s
        .client
        .get(&format!("{}&timeout=1800", s.next_events))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(began.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn deleting_the_application_releases_its_pget() {
    let sim = start(SimConfig {
        event_hold: Duration::from_secs(30),
        ..fast()
    })
    .await;
    let s = Session::open(&sim).await;
    let pget = {
        let http = s.client.http.clone();
        let url = s.client.url(&s.next_events);
        let token = s.client.token.clone().unwrap();
        tokio::spawn(async move {
            let resp = http
                .get(url)
                .header("Authorization", format!("Bearer {token}"))
                .send()
                .await
                .unwrap();
            (resp.status(), resp.text().await.unwrap())
        })
    };
    let deadline = Instant::now() + Duration::from_secs(2);
    while !sim
        .requests()
        .iter()
        .any(|r| r.path_and_query.contains("events") && r.status == 0)
    {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let began = Instant::now();
    let deleted = s.client.send("DELETE", &s.app_href(), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let (status, text) = pget.await.unwrap();
    assert!(began.elapsed() < Duration::from_secs(2));
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(text.contains("ApplicationNotFound"), "{text}");
    let later = s.client.get(&s.next_events).await;
    assert_eq!(later.json()["subcode"], "ApplicationNotFound");
}

#[tokio::test]
async fn expire_token_once_forces_one_reauthentication() {
    let sim = start(SimConfig {
        faults: Faults {
            expire_token_once: true,
            ..Faults::default()
        },
        ..fast()
    })
    .await;
    let mut s = Session::open(&sim).await;
    let app = s.app_href();
    let expired = s.client.get(&app).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    let href = token_href(&expired.headers);
    // The old token is really gone.
    assert_eq!(s.client.get(&app).await.status, StatusCode::UNAUTHORIZED);
    let token = s.client.token(&href, "demo").await.json();
    s.client.token = Some(token["access_token"].as_str().unwrap().to_string());
    assert_eq!(s.client.get(&app).await.status, StatusCode::OK);
    assert_eq!(s.client.get(&app).await.status, StatusCode::OK, "only once");
    assert_eq!(
        s.call("sip:alice@contoso.com").await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn shutdown_is_prompt_even_with_a_parked_pget() {
    let sim = start(SimConfig {
        event_hold: Duration::from_secs(60),
        ..fast()
    })
    .await;
    let s = Session::open(&sim).await;
    let url = s.client.url(&s.next_events);
    let pget = {
        let http = s.client.http.clone();
        let url = url.clone();
        let token = s.client.token.clone().unwrap();
        tokio::spawn(async move {
            http.get(url)
                .header("Authorization", format!("Bearer {token}"))
                .send()
                .await
                .map(|r| r.status())
        })
    };
    let deadline = Instant::now() + Duration::from_secs(2);
    while !sim
        .requests()
        .iter()
        .any(|r| r.path_and_query.contains("events") && r.status == 0)
    {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let began = Instant::now();
    sim.shutdown().await;
    assert!(
        began.elapsed() < Duration::from_secs(1),
        "{:?}",
        began.elapsed()
    );
    let status = pget.await.unwrap();
    assert!(
        matches!(status, Ok(StatusCode::SERVICE_UNAVAILABLE) | Err(_)),
        "{status:?}"
    );
    let fresh = reqwest::Client::builder().no_proxy().build().unwrap();
    assert!(
        fresh.get(url).send().await.is_err(),
        "nothing listens any more"
    );
}

#[tokio::test]
async fn only_loopback_addresses_are_served() {
    let err = sim::start(SimConfig {
        listen: "0.0.0.0:0".parse().unwrap(),
        ..fast()
    })
    .await
    .err()
    .expect("refused");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[tokio::test]
async fn startup_is_cheap() {
    let began = Instant::now();
    let sim = start(SimConfig::default()).await;
    let started = began.elapsed();
    let root = Client::new(&sim).get("/").await;
    let answered = began.elapsed();
    assert_eq!(root.status, StatusCode::OK);
    eprintln!("start {started:?}, first answer {answered:?}");
    // Binding a port and spawning one task: far below the ~25 ms budget of a whole
    // `avlaunch call`, even in a debug build on a busy machine.
    assert!(started < Duration::from_millis(100), "{started:?}");
}
