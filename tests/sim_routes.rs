//! Handler tests through `router(state).oneshot(…)`: what the simulator refuses, how it
//! refuses, and each fault switch.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use avlaunch::sim::{self, Faults, SimConfig, SimState, SimStep, Stall};
use avlaunch::ucwa::resource::ErrorBody;
use avlaunch::ucwa::Format;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

const APPS: &str = "/ucwa/oauth/v1/applications";

fn config(faults: Faults) -> SimConfig {
    SimConfig {
        answer_delay: Duration::ZERO,
        hangup_after: Duration::from_millis(20),
        ring_timeout: Duration::from_millis(50),
        event_hold: Duration::from_millis(100),
        faults,
        ..SimConfig::default()
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

struct Harness {
    state: SimState,
    token: Option<String>,
}

impl Harness {
    fn new(faults: Faults) -> Harness {
        Harness {
            state: SimState::new(config(faults)),
            token: None,
        }
    }

    async fn raw(&self, req: Request<Body>) -> Reply {
        let resp = sim::router(self.state.clone()).oneshot(req).await.unwrap();
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

    async fn send(&self, method: &str, path: &str, body: Option<(&str, Vec<u8>)>) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("Accept", "application/json");
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
        self.raw(req.body(body).unwrap()).await
    }

    async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(
            "POST",
            path,
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await
    }

    async fn sign_in(&mut self) {
        let reply = self
            .send(
                "POST",
                "/WebTicket/oauthtoken",
                Some((
                    "application/x-www-form-urlencoded;charset=UTF-8",
                    b"grant_type=password&username=a%40contoso.com&password=demo".to_vec(),
                )),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        self.token = Some(reply.json()["access_token"].as_str().unwrap().to_string());
    }

    /// Signs in and creates an application; returns its JSON.
    async fn application(&mut self) -> Value {
        self.sign_in().await;
        let reply = self
            .post(
                APPS,
                json!({"culture":"en-US","endpointId":"e","userAgent":"t"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        reply.json()
    }
}

fn href(v: &Value) -> String {
    v["href"].as_str().expect("an href").to_string()
}

fn parameters(reply: &Reply) -> Vec<String> {
    let body = reply.json();
    assert_eq!(body["code"], "BadRequest");
    assert_eq!(body["subcode"], "ParameterValidationFailure");
    body["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn application_fields_are_checked_and_matched_without_case() {
    let mut h = Harness::new(Faults::default());
    h.sign_in().await;
    let missing = h.post(APPS, json!({"culture": "en-US"})).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(parameters(&missing), ["endpointId", "userAgent"]);
    let long = h
        .post(
            APPS,
            json!({"culture": "en-US", "endpointId": "x".repeat(101), "userAgent": "", "instanceId": 5}),
        )
        .await;
    assert_eq!(parameters(&long), ["endpointId", "userAgent"]);
    assert!(long.json()["message"]
        .as_str()
        .unwrap()
        .contains("endpointId: 101 characters, the limit is 100"));
    let guide = h
        .post(
            APPS,
            json!({"Culture": "en-US", "EndpointId": "e", "UserAgent": "UCWA Samples"}),
        )
        .await;
    assert_eq!(guide.status, StatusCode::CREATED);
    let app = guide.json();
    assert_eq!(app["rel"], "application");
    assert_eq!(app["userAgent"], "UCWA Samples");
    let self_href = href(&app["_links"]["self"]);
    assert!(self_href.starts_with(&format!("{APPS}/")));
    assert_eq!(
        href(&app["_links"]["events"]),
        format!("{self_href}/events?ack=1")
    );
    for rel in ["me", "people", "communication"] {
        assert_eq!(app["_embedded"][rel]["rel"], rel);
    }
    // What it does not serve, it does not advertise.
    assert!(app["_embedded"]["onlineMeetings"].is_null());
    let links: Vec<&String> = app["_links"].as_object().unwrap().keys().collect();
    assert_eq!(links, ["self", "events"]);
    let comm = &app["_embedded"]["communication"];
    assert_eq!(
        href(&comm["_links"]["startAudioVideo"]),
        format!("{self_href}/communication/startAudioVideo")
    );
    assert!(comm
        .as_object()
        .unwrap()
        .values()
        .any(|v| v == "please pass this in a PUT request"));
    let got = h.get(&format!("{self_href}/communication")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["_links"]["self"], comm["_links"]["self"]);
    assert_eq!(h.get(&self_href).await.json()["_links"], app["_links"]);
    assert_eq!(h.get(&format!("{self_href}/me")).await.json()["rel"], "me");
}

#[tokio::test]
async fn start_audio_video_reports_every_bad_field() {
    let mut h = Harness::new(Faults::default());
    let app = h.application().await;
    let start = href(&app["_embedded"]["communication"]["_links"]["startAudioVideo"]);
    let reply = h
        .post(
            &start,
            json!({
                "subject": "s".repeat(251),
                "operationId": "o".repeat(51),
                "sessionContext": "c".repeat(51),
                "importance": "Whenever",
                "joinAudioMuted": "maybe",
                "joinVideoMuted": 3,
                "_links": {"mediaOffer": {"href": "http://not-a-data-uri"}}
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let mut names = parameters(&reply);
    names.sort();
    assert_eq!(
        names,
        [
            "importance",
            "joinAudioMuted",
            "joinVideoMuted",
            "mediaOffer",
            "operationId",
            "sessionContext",
            "subject",
            "to"
        ]
    );
    // Limits are characters, not bytes; names match without case; XML-style booleans.
    let ok = h
        .post(
            &start,
            json!({
                "TO": "sip:alice@contoso.com",
                "subject": "é".repeat(250),
                "importance": "urgent",
                "joinAudioMuted": "True",
                "joinVideoMuted": null,
                "_links": {"mediaOffer": {"href": "data:application/sdp,v%3D0%0D%0A"}}
            }),
        )
        .await;
    assert_eq!(
        ok.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&ok.body)
    );
    let inv = h.get(ok.header("location").unwrap()).await.json();
    assert_eq!(inv["importance"], "Urgent");
    assert_eq!(inv["joinAudioMuted"], true);
    assert!(inv.get("joinVideoMuted").is_none());
    assert_eq!(
        inv["threadId"].as_str().unwrap().len(),
        32,
        "a thread id is made"
    );
    assert_eq!(inv["operationId"].as_str().unwrap().len(), 32);
}

#[tokio::test]
async fn bodies_are_read_by_their_content_type() {
    let mut h = Harness::new(Faults::default());
    h.sign_in().await;
    let text = h
        .send("POST", APPS, Some(("text/plain", b"culture=en".to_vec())))
        .await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(text.json()["code"], "UnsupportedMediaType");
    let broken = h
        .send(
            "POST",
            APPS,
            Some(("application/json", b"{\"culture\":".to_vec())),
        )
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert_eq!(broken.json()["subcode"], "DeserializationFailure");
    let mislabelled = h
        .send(
            "POST",
            APPS,
            Some((
                "application/vnd.microsoft.com.ucwa+json",
                b"<input/>".to_vec(),
            )),
        )
        .await;
    assert_eq!(mislabelled.json()["subcode"], "DeserializationFailure");
    let huge = h
        .send(
            "POST",
            APPS,
            Some(("application/json", vec![b' '; 65 * 1024])),
        )
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(huge.json()["code"], "EntityTooLarge");
}

#[tokio::test]
async fn wrong_methods_and_unknown_paths_get_ucwa_errors() {
    let mut h = Harness::new(Faults::default());
    let app = h.application().await;
    let self_href = href(&app["_links"]["self"]);
    let put = h.send("PUT", &self_href, None).await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(put.json()["code"], "MethodNotAllowed");
    assert_eq!(put.header("allow"), Some("GET, DELETE"));
    let get_start = h
        .get(&format!("{self_href}/communication/startAudioVideo"))
        .await;
    assert_eq!(get_start.status, StatusCode::METHOD_NOT_ALLOWED);
    let root_post = h.send("POST", "/", None).await;
    assert_eq!(root_post.status, StatusCode::METHOD_NOT_ALLOWED);
    for path in [
        "/nowhere",
        &format!("{self_href}/batch"),
        &format!("{self_href}/communication/conversations/99"),
    ] {
        let reply = h.get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.json()["code"], "NotFound");
    }
    let other_app = h.get(&format!("{APPS}/999999")).await;
    assert_eq!(other_app.json()["subcode"], "ApplicationNotFound");
    // Case does not matter to the server (IIS), as with the guide's /webticket/.
    assert_eq!(
        h.get(&self_href.to_uppercase()).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn errors_follow_accept_through_the_format() {
    let h = Harness::new(Faults::default());
    let req = Request::get("/nowhere")
        .header("Accept", "application/vnd.microsoft.com.ucwa+xml")
        .body(Body::empty())
        .unwrap();
    let reply = h.raw(req).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/vnd.microsoft.com.ucwa+xml"));
    let expected = ErrorBody {
        code: "NotFound".into(),
        message: Some("The requested resource could not be found.".into()),
        ..Default::default()
    };
    assert_eq!(reply.body, Format::Xml.write_error(&expected));
    let req = Request::get("/nowhere").body(Body::empty()).unwrap();
    let reply = h.raw(req).await;
    assert_eq!(
        reply.body,
        Format::Json.write_error(&expected),
        "JSON without Accept"
    );
}

#[tokio::test]
async fn absolute_links_name_the_host_asked_for() {
    let h = Harness::new(Faults::default());
    let req = Request::get("/")
        .header("Host", "localhost:4242")
        .body(Body::empty())
        .unwrap();
    let root = h.raw(req).await.json();
    assert_eq!(
        href(&root["_links"]["user"]),
        "http://localhost:4242/Autodiscover/AutodiscoverService.svc/root/oauth/user"
    );
    let req = Request::get("/")
        .header("Host", "evil.com/<script>")
        .body(Body::empty())
        .unwrap();
    let root = h.raw(req).await.json();
    assert!(href(&root["_links"]["user"]).starts_with("http://127.0.0.1/"));
}

#[tokio::test]
async fn root_redirects_once_and_on_request() {
    let h = Harness::new(Faults {
        redirect_root: true,
        ..Faults::default()
    });
    let first = h.get("/").await.json();
    assert_eq!(first["_links"].as_object().unwrap().len(), 1);
    let target = href(&first["_links"]["redirect"]);
    assert_eq!(
        target,
        "http://127.0.0.1/Autodiscover/AutodiscoverService.svc/root"
    );
    let real = h.get(&target["http://127.0.0.1".len()..]).await.json();
    assert!(real["_links"]["user"].is_object());
    assert!(
        h.get("/").await.json()["_links"]["user"].is_object(),
        "only once"
    );
    let asked = h.get("/redirect-root").await.json();
    assert_eq!(href(&asked["_links"]["redirect"]), target);

    let looping = Harness::new(Faults {
        redirect_loop: true,
        ..Faults::default()
    });
    for path in ["/", "/Autodiscover/AutodiscoverService.svc/root", "/"] {
        let root = looping.get(path).await.json();
        assert_eq!(href(&root["_links"]["redirect"]), target, "{path}");
        assert!(root["_links"]["user"].is_null());
    }
}

#[tokio::test]
async fn no_av_link_hides_start_audio_video() {
    let mut h = Harness::new(Faults {
        no_av_link: true,
        ..Faults::default()
    });
    let app = h.application().await;
    let comm = &app["_embedded"]["communication"];
    assert!(comm["_links"]["startAudioVideo"].is_null());
    assert!(comm["_links"]["conversations"].is_object());
    let fresh = h.get(&href(&comm["_links"]["self"])).await.json();
    assert!(fresh["_links"]["startAudioVideo"].is_null());
    let forced = h
        .post(
            &format!("{}/startAudioVideo", href(&comm["_links"]["self"])),
            json!({"to": "sip:alice@contoso.com"}),
        )
        .await;
    assert_eq!(forced.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn status_503_comes_once_with_retry_after() {
    let mut h = Harness::new(Faults {
        status_503_retry_after: Some(2),
        ..Faults::default()
    });
    let app = h.application().await;
    let start = href(&app["_embedded"]["communication"]["_links"]["startAudioVideo"]);
    let busy = h.post(&start, json!({"to": "sip:alice@contoso.com"})).await;
    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.header("retry-after"), Some("2"));
    assert_eq!(busy.json()["code"], "ServiceUnavailable");
    let retry = h.post(&start, json!({"to": "sip:alice@contoso.com"})).await;
    assert_eq!(retry.status, StatusCode::CREATED);
}

#[tokio::test]
async fn proxy_502_and_truncated_body_hit_application_creation_once() {
    let mut h = Harness::new(Faults {
        proxy_502_html: true,
        truncated_body: true,
        ..Faults::default()
    });
    h.sign_in().await;
    let body = json!({"culture":"en-US","endpointId":"e","userAgent":"t"});
    let proxy = h.post(APPS, body.clone()).await;
    assert_eq!(proxy.status, StatusCode::BAD_GATEWAY);
    assert_eq!(proxy.header("content-type"), Some("text/html"));
    let cut = h.post(APPS, body.clone()).await;
    assert_eq!(cut.status, StatusCode::CREATED);
    assert!(
        serde_json::from_slice::<Value>(&cut.body).is_err(),
        "the body is cut"
    );
    assert!(!cut.body.is_empty());
    let whole = h.post(APPS, body).await;
    assert_eq!(whole.json()["rel"], "application");
}

#[tokio::test]
async fn events_gone_ends_the_application_once() {
    let mut h = Harness::new(Faults {
        events_gone: true,
        ..Faults::default()
    });
    let app = h.application().await;
    let gone = h.get(&href(&app["_links"]["events"])).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.json()["subcode"], "ApplicationNotFound");
    assert_eq!(h.state.live_applications(), 0);
    let again = h.application().await;
    let page = h.get(&href(&again["_links"]["events"])).await;
    assert_eq!(page.status, StatusCode::OK, "only once");
}

/// Places an alice call and follows the channel from ack=1 until `completed`, returning
/// each page's (self, next or resync) hrefs and every event type seen.
async fn follow(h: &Harness, app: &Value) -> (Vec<(String, String)>, Vec<String>, Vec<Value>) {
    let start = href(&app["_embedded"]["communication"]["_links"]["startAudioVideo"]);
    assert_eq!(
        h.post(&start, json!({"to": "sip:alice@contoso.com"}))
            .await
            .status,
        StatusCode::CREATED
    );
    let mut next = href(&app["_links"]["events"]);
    let mut links = Vec::new();
    let mut types = Vec::new();
    let mut pages = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let page = h.get(&next).await.json();
        let follow = page["_links"]["resync"]["href"]
            .as_str()
            .or(page["_links"]["next"]["href"].as_str())
            .unwrap()
            .to_string();
        links.push((
            page["_links"]["self"]["href"]
                .as_str()
                .unwrap_or("-")
                .to_string(),
            follow.clone(),
        ));
        for sender in page["sender"].as_array().into_iter().flatten() {
            for e in sender["events"].as_array().into_iter().flatten() {
                types.push(e["type"].as_str().unwrap().to_string());
            }
        }
        pages.push(page);
        next = follow;
        if types.iter().any(|t| t == "completed") {
            return (links, types, pages);
        }
    }
    panic!("no completed event: {types:?}");
}

#[tokio::test]
async fn resync_once_sends_the_client_back() {
    let mut h = Harness::new(Faults {
        resync_once: true,
        ..Faults::default()
    });
    let app = h.application().await;
    let base = format!("{}/events", href(&app["_links"]["self"]));
    let (links, _, _) = follow(&h, &app).await;
    assert_eq!(links[0], (format!("{base}?ack=1"), format!("{base}?ack=2")));
    assert_eq!(
        links[1],
        ("-".to_string(), format!("{base}?ack=1")),
        "resync to the unacked batch"
    );
    assert_eq!(
        links[2],
        (format!("{base}?ack=1"), format!("{base}?ack=2")),
        "batch 1 again"
    );
}

#[tokio::test]
async fn duplicate_events_replays_the_first_batch() {
    let mut h = Harness::new(Faults {
        duplicate_events: true,
        ..Faults::default()
    });
    let app = h.application().await;
    let base = format!("{}/events", href(&app["_links"]["self"]));
    let (links, _, pages) = follow(&h, &app).await;
    assert_eq!(links[0].0, format!("{base}?ack=1"));
    assert_eq!(links[1].0, format!("{base}?ack=1"), "the same page again");
    assert_eq!(pages[0], pages[1]);
    assert_eq!(links[2].0, format!("{base}?ack=2"));
}

#[tokio::test]
async fn unknown_events_add_types_and_fields_no_client_knows() {
    let mut h = Harness::new(Faults {
        unknown_events: true,
        ..Faults::default()
    });
    let app = h.application().await;
    let (_, types, pages) = follow(&h, &app).await;
    assert!(types.iter().any(|t| t == "refreshed"), "{types:?}");
    let started = &pages[0]["sender"][0]["events"][0];
    assert_eq!(
        started["_embedded"]["audioVideoInvitation"]["simulatorExtra"],
        "ignore me"
    );
}

#[tokio::test]
async fn stall_holds_the_named_step_only() {
    let h = Harness::new(Faults {
        stall: Some(Stall {
            step: SimStep::Root,
            delay: Duration::from_millis(150),
        }),
        ..Faults::default()
    });
    let began = Instant::now();
    assert_eq!(h.get("/").await.status, StatusCode::OK);
    assert!(began.elapsed() >= Duration::from_millis(150));
    let began = Instant::now();
    h.get("/Autodiscover/XFrame/XFrame.html").await;
    assert!(began.elapsed() < Duration::from_millis(150));
}

#[tokio::test]
async fn delete_conversation_cancels_a_ringing_call() {
    let mut h = Harness::new(Faults::default());
    let app = h.application().await;
    let start = href(&app["_embedded"]["communication"]["_links"]["startAudioVideo"]);
    let created = h.post(&start, json!({"to": "sip:carol@contoso.com"})).await;
    let inv = h.get(created.header("location").unwrap()).await.json();
    let conv = href(&inv["_links"]["conversation"]);
    assert_eq!(h.get(&conv).await.json()["state"], "Connecting");
    assert_eq!(
        h.send("DELETE", &conv, None).await.status,
        StatusCode::NO_CONTENT
    );
    let after = h.get(created.header("location").unwrap()).await.json();
    assert_eq!(after["state"], "Cancelled");
    assert_eq!(
        h.send("DELETE", &conv, None).await.status,
        StatusCode::NOT_FOUND
    );
    // A stopAudioVideo reason must be a CallTerminationReason.
    let stop = format!("{}/audioVideo/stopAudioVideo", conv);
    let bad = h.post(&stop, json!({"reason": "Bored"})).await;
    assert_eq!(parameters(&bad), ["reason"]);
}

#[tokio::test]
async fn faults_parse_from_the_cli_list() {
    let faults = Faults::parse("expire-token-once,redirect-loop,stall=token:10").unwrap();
    assert!(faults.expire_token_once && faults.redirect_loop);
    assert_eq!(
        faults.stall_for(SimStep::Token),
        Some(Duration::from_millis(10))
    );
    assert!(Faults::parse("nope").is_err());
    let list: Vec<&str> = sim::directory().iter().map(|(c, _)| *c).collect();
    assert!(list.contains(&"sip:bob@contoso.com"));
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn segment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("ucwa".to_string()),
            Just("oauth".to_string()),
            Just("v1".to_string()),
            Just("applications".to_string()),
            Just("101".to_string()),
            Just("communication".to_string()),
            Just("startAudioVideo".to_string()),
            Just("events".to_string()),
            Just("conversations".to_string()),
            Just("audioVideoInvitations".to_string()),
            Just("cancel".to_string()),
            "[a-zA-Z0-9%._~-]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
        #[test]
        fn any_request_gets_an_answer(
            method in prop::sample::select(vec!["GET", "POST", "DELETE", "PUT", "PATCH"]),
            segments in prop::collection::vec(segment(), 0..8),
            query in "(ack=[0-9]{1,20}(&timeout=[0-9]{1,6})?)?",
            content_type in prop::sample::select(vec![
                "", "application/json", "application/xml", "text/plain",
                "application/x-www-form-urlencoded", "application/vnd.microsoft.com.ucwa+json;x",
            ]),
            body in prop::collection::vec(any::<u8>(), 0..256),
            signed_in in any::<bool>(),
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let mut h = Harness::new(Faults::default());
                if signed_in {
                    h.application().await;
                }
                let path = format!("/{}?{query}", segments.join("/"));
                let mut req = Request::builder().method(method).uri(&path);
                if let Some(token) = &h.token {
                    req = req.header("Authorization", format!("Bearer {token}"));
                }
                if !content_type.is_empty() {
                    req = req.header("Content-Type", content_type);
                }
                let reply = h.raw(req.body(Body::from(body.clone())).unwrap()).await;
                let json = reply.header("content-type").is_some_and(|c| c.starts_with("application/json"));
                if reply.status.as_u16() >= 400 && json {
                    let v = reply.json();
                    assert!(v["code"].is_string() || v["error"].is_string(), "{path}: {v}");
                }
                assert_ne!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
            });
        }
    }
}
