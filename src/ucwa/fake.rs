//! Tests of the protocol layer with no socket: the transport's exchange is a closure that
//! asserts each request and answers it, so discovery, redirect, sign-in, re-authentication
//! and retry branches are exercised without teaching the simulator a fault.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::action::Action;
use super::client::{Client, Credentials};
use super::notice::Notice;
use super::transport::{Exchange, ExchangeResult, Transport, WireRequest};
use super::{discover, Format, UcwaError};
use crate::secret::Password;

/// One expected request (method and URL) and the answer to give.
struct Step {
    method: &'static str,
    url: &'static str,
    /// Checks the request further (headers, body).
    check: fn(&WireRequest),
    answer: ExchangeResult,
}

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> ExchangeResult {
    Ok((
        status,
        headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body.as_bytes().to_vec(),
    ))
}

fn json(status: u16, body: &str) -> ExchangeResult {
    answer(status, &[("Content-Type", "application/json")], body)
}

fn any(_: &WireRequest) {}

/// A client whose transport plays `script` in order, panicking on any request it does not
/// expect; the returned handle says how many steps are left.
fn scripted(script: Vec<Step>, password: bool) -> (Client, Arc<Mutex<VecDeque<Step>>>) {
    let (client, left, _) = scripted_noting(script, password);
    (client, left)
}

/// `scripted`, also keeping every notice the client gives.
#[allow(clippy::type_complexity)]
fn scripted_noting(
    script: Vec<Step>,
    password: bool,
) -> (Client, Arc<Mutex<VecDeque<Step>>>, Arc<Mutex<Vec<Notice>>>) {
    let steps = Arc::new(Mutex::new(VecDeque::from(script)));
    let left = steps.clone();
    let exchange: Exchange = Arc::new(move |request: WireRequest| {
        let step = steps.lock().unwrap().pop_front();
        Box::pin(async move {
            let Some(step) = step else {
                panic!("unexpected request {} {}", request.method, request.url)
            };
            assert_eq!(request.method.as_str(), step.method, "{}", request.url);
            assert_eq!(request.url.as_str(), step.url);
            (step.check)(&request);
            step.answer
        })
    });
    let transport = Transport::with_exchange(Arc::new(|_| {}), exchange).unwrap();
    let credentials = Credentials {
        user: "alice@contoso.co.uk".into(),
        password: password.then(|| Password::new("hunter2")),
        token: None,
    };
    let notices = Arc::new(Mutex::new(Vec::new()));
    let sink = notices.clone();
    let client = Client::with_transport(
        Format::Json,
        credentials,
        transport,
        Arc::new(move |n| sink.lock().unwrap().push(n)),
    );
    (client, left, notices)
}

fn header<'a>(request: &'a WireRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

const ROOT: &str = "https://lyncdiscover.contoso.co.uk/";
const USER: &str =
    "https://lyncweb.contoso.co.uk/Autodiscover/AutodiscoverService.svc/root/oauth/user";
const CHALLENGE: &str = "Bearer trusted_issuers=\"\", client_id=\"00000004-0000-0ff1-ce00-000000000000\", MsRtcOAuth href=\"https://lyncweb.contoso.co.uk/WebTicket/oauthtoken\",grant_type=\"urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password\"";

#[tokio::test]
async fn a_redirect_to_another_registrable_domain_is_not_followed() {
    // contoso.co.uk and evil.co.uk share only the public suffix co.uk.
    let (client, left) = scripted(
        vec![Step {
            method: "GET",
            url: ROOT,
            check: |r| assert!(header(r, "Authorization").is_none()),
            answer: answer(302, &[("Location", "https://lyncdiscover.evil.co.uk/")], ""),
        }],
        true,
    );
    let e = discover::find_user(&client, &[ROOT.parse().unwrap()])
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(302), "{e}");
    assert!(left.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_redirect_within_the_domain_is_followed_to_the_user() {
    let (client, left) = scripted(
        vec![
            Step {
                method: "GET",
                url: ROOT,
                check: any,
                answer: answer(
                    301,
                    &[("Location", "https://lyncdiscover2.contoso.co.uk/")],
                    "",
                ),
            },
            Step {
                method: "GET",
                url: "https://lyncdiscover2.contoso.co.uk/",
                check: any,
                answer: json(
                    200,
                    &format!("{{\"_links\":{{\"user\":{{\"href\":\"{USER}\"}}}}}}"),
                ),
            },
        ],
        true,
    );
    let user = discover::find_user(&client, &[ROOT.parse().unwrap()])
        .await
        .unwrap();
    assert_eq!(user.as_str(), USER);
    assert!(left.lock().unwrap().is_empty());
}

#[tokio::test]
async fn sign_in_answers_the_challenge_then_sends_the_bearer_token() {
    let (client, left) = scripted(
        vec![
            Step {
                method: "GET",
                url: USER,
                check: |r| assert!(header(r, "Authorization").is_none()),
                answer: answer(401, &[("WWW-Authenticate", CHALLENGE)], ""),
            },
            Step {
                method: "POST",
                url: "https://lyncweb.contoso.co.uk/WebTicket/oauthtoken",
                check: |r| {
                    let body = String::from_utf8(r.body.clone().unwrap()).unwrap();
                    assert!(body.contains("grant_type=password"), "{body}");
                    assert!(body.contains("password=hunter2"), "{body}");
                },
                answer: json(
                    200,
                    r#"{"access_token":"cwt=AAEB","token_type":"Bearer","expires_in":28800}"#,
                ),
            },
            Step {
                method: "GET",
                url: USER,
                check: |r| assert_eq!(header(r, "Authorization"), Some("Bearer cwt=AAEB")),
                answer: json(
                    200,
                    r#"{"_links":{"applications":{"href":"https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications"}}}"#,
                ),
            },
        ],
        true,
    );
    let applications = discover::sign_in(&client, USER.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        applications.as_str(),
        "https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications"
    );
    assert!(left.lock().unwrap().is_empty());
}

#[tokio::test]
async fn without_a_password_a_challenge_ends_sign_in_with_a_clear_error() {
    let (client, _) = scripted(
        vec![Step {
            method: "GET",
            url: USER,
            check: any,
            answer: answer(401, &[("WWW-Authenticate", CHALLENGE)], ""),
        }],
        false,
    );
    let e = discover::sign_in(&client, USER.parse().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, UcwaError::Protocol { .. }), "{e:?}");
    assert!(e.to_string().contains("AVLAUNCH_PASSWORD"), "{e}");
}

#[tokio::test]
async fn no_answer_at_the_first_candidate_falls_through_to_the_next() {
    let (client, left) = scripted(
        vec![
            Step {
                method: "GET",
                url: "https://lyncdiscoverinternal.contoso.co.uk/",
                check: any,
                answer: Err("connection refused".into()),
            },
            Step {
                method: "GET",
                url: ROOT,
                check: any,
                answer: json(
                    200,
                    &format!("{{\"_links\":{{\"user\":{{\"href\":\"{USER}\"}}}}}}"),
                ),
            },
        ],
        true,
    );
    let candidates = discover::auto_candidates("alice@contoso.co.uk").unwrap();
    let user = discover::find_user(&client, &candidates).await.unwrap();
    assert_eq!(user.as_str(), USER);
    assert!(left.lock().unwrap().is_empty());
}

/// A Retry-After on a 503 is waited for (on tokio's paused clock: no real wait) and the
/// request sent again.
#[tokio::test(start_paused = true)]
async fn a_503_with_retry_after_is_retried_after_the_pause() {
    let (client, left) = scripted(
        vec![
            Step {
                method: "GET",
                url: "https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications/1",
                check: any,
                answer: answer(503, &[("Retry-After", "3")], ""),
            },
            Step {
                method: "GET",
                url: "https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications/1",
                check: any,
                answer: json(
                    200,
                    r#"{"_links":{"self":{"href":"/ucwa/oauth/v1/applications/1"}}}"#,
                ),
            },
        ],
        true,
    );
    let started = tokio::time::Instant::now();
    let r = client
        .get_resource(
            "https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications/1",
            Action::ReadingApplication,
        )
        .await;
    assert!(r.is_ok(), "{r:?}");
    assert!(left.lock().unwrap().is_empty());
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

const TOKEN_URL: &str = "https://lyncweb.contoso.co.uk/WebTicket/oauthtoken";

/// The sign-in steps up to the token request: the user resource's 401 challenge.
fn challenged() -> Step {
    Step {
        method: "GET",
        url: USER,
        check: any,
        answer: answer(401, &[("WWW-Authenticate", CHALLENGE)], ""),
    }
}

/// The token endpoint, like any UCWA request, honours a 429 or 503 with Retry-After:
/// the busy notice is given, the password grant sent again after the pause, and sign-in
/// goes on with the token it then gets.
#[tokio::test(start_paused = true)]
async fn a_busy_token_endpoint_with_retry_after_is_asked_again() {
    for status in [429, 503] {
        let (client, left, notices) = scripted_noting(
            vec![
                challenged(),
                Step {
                    method: "POST",
                    url: TOKEN_URL,
                    check: any,
                    answer: answer(status, &[("Retry-After", "1")], ""),
                },
                Step {
                    method: "POST",
                    url: TOKEN_URL,
                    check: |r| {
                        let body = String::from_utf8(r.body.clone().unwrap()).unwrap();
                        assert!(body.starts_with("grant_type=password&"), "{body}");
                    },
                    answer: json(
                        200,
                        r#"{"access_token":"cwt=AGAIN","token_type":"Bearer","expires_in":28800}"#,
                    ),
                },
                Step {
                    method: "GET",
                    url: USER,
                    check: |r| assert_eq!(header(r, "Authorization"), Some("Bearer cwt=AGAIN")),
                    answer: json(
                        200,
                        r#"{"_links":{"applications":{"href":"/ucwa/oauth/v1/applications"}}}"#,
                    ),
                },
            ],
            true,
        );
        let started = tokio::time::Instant::now();
        let signed_in = discover::sign_in(&client, USER.parse().unwrap()).await;
        assert!(signed_in.is_ok(), "{status}: {signed_in:?}");
        assert!(left.lock().unwrap().is_empty(), "{status}");
        assert!(started.elapsed() >= Duration::from_secs(1), "{status}");
        assert_eq!(
            *notices.lock().unwrap(),
            [Notice::Busy {
                action: Action::RequestingToken,
                status,
                wait: Duration::from_secs(1),
            }],
            "{status}"
        );
    }
}

/// A token endpoint asking to wait past what remains of `--timeout` is refused at once,
/// naming both waits, and a second busy answer after the one retry ends sign-in.
#[tokio::test(start_paused = true)]
async fn a_token_endpoint_busy_too_long_or_twice_ends_sign_in() {
    let (client, left) = scripted(
        vec![
            challenged(),
            Step {
                method: "POST",
                url: TOKEN_URL,
                check: any,
                answer: answer(429, &[("Retry-After", "3")], ""),
            },
        ],
        true,
    );
    client.set_deadline(Some(tokio::time::Instant::now() + Duration::from_secs(2)));
    let e = discover::sign_in(&client, USER.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(429));
    assert_eq!(
        e.to_string(),
        "requesting a token: the server says too many requests (429); the server asked to wait 3 s before retrying (Retry-After), longer than the 2 s allowed (what remains of --timeout)"
    );
    assert!(left.lock().unwrap().is_empty());

    let busy = || answer(429, &[("Retry-After", "1")], "");
    let (client, left) = scripted(
        vec![
            challenged(),
            Step {
                method: "POST",
                url: TOKEN_URL,
                check: any,
                answer: busy(),
            },
            Step {
                method: "POST",
                url: TOKEN_URL,
                check: any,
                answer: busy(),
            },
        ],
        true,
    );
    let e = discover::sign_in(&client, USER.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(429), "{e}");
    assert!(left.lock().unwrap().is_empty());
}

/// A 401 on a signed-in request fetches a new token once and sends the request again
/// with it.
#[tokio::test]
async fn a_401_after_sign_in_re_authenticates_once_and_retries() {
    const APP: &str = "https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications/1";
    let token = |t: &'static str| -> ExchangeResult {
        json(
            200,
            &format!(r#"{{"access_token":"{t}","token_type":"Bearer","expires_in":28800}}"#),
        )
    };
    let (client, left) = scripted(
        vec![
            Step {
                method: "GET",
                url: USER,
                check: any,
                answer: answer(401, &[("WWW-Authenticate", CHALLENGE)], ""),
            },
            Step {
                method: "POST",
                url: "https://lyncweb.contoso.co.uk/WebTicket/oauthtoken",
                check: any,
                answer: token("cwt=FIRST"),
            },
            Step {
                method: "GET",
                url: USER,
                check: any,
                answer: json(
                    200,
                    r#"{"_links":{"applications":{"href":"/ucwa/oauth/v1/applications"}}}"#,
                ),
            },
            Step {
                method: "GET",
                url: APP,
                check: |r| assert_eq!(header(r, "Authorization"), Some("Bearer cwt=FIRST")),
                answer: answer(401, &[("WWW-Authenticate", CHALLENGE)], ""),
            },
            Step {
                method: "POST",
                url: "https://lyncweb.contoso.co.uk/WebTicket/oauthtoken",
                check: any,
                answer: token("cwt=SECOND"),
            },
            Step {
                method: "GET",
                url: APP,
                check: |r| assert_eq!(header(r, "Authorization"), Some("Bearer cwt=SECOND")),
                answer: json(
                    200,
                    r#"{"_links":{"self":{"href":"/ucwa/oauth/v1/applications/1"}}}"#,
                ),
            },
        ],
        true,
    );
    discover::sign_in(&client, USER.parse().unwrap())
        .await
        .unwrap();
    let r = client.get_resource(APP, Action::ReadingApplication).await;
    assert!(r.is_ok(), "{r:?}");
    assert!(left.lock().unwrap().is_empty());
}

/// A 503 asking to wait longer than avlaunch ever waits (`RETRY_AFTER_CAP`) is reported at
/// once, naming both waits; on the paused clock no time passes and nothing is sent again.
#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_cap_is_refused_without_waiting() {
    let (client, left) = scripted(
        vec![Step {
            method: "GET",
            url: "https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications/1",
            check: any,
            answer: answer(503, &[("Retry-After", "30")], ""),
        }],
        true,
    );
    let started = tokio::time::Instant::now();
    let e = client
        .get_resource(
            "https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications/1",
            Action::ReadingApplication,
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert!(
        e.to_string().ends_with(
            "; the server asked to wait 30 s before retrying (Retry-After), longer than the 5 s allowed (the most avlaunch waits)"
        ),
        "{e}"
    );
    assert!(left.lock().unwrap().is_empty());
    assert_eq!(started.elapsed(), Duration::ZERO);
}

/// A Retry-After within the cap but past the caller's deadline (`--timeout`) is refused
/// too: the deadline, not the cap, bounds the wait.
#[tokio::test(start_paused = true)]
async fn a_retry_after_past_the_deadline_is_refused() {
    let (client, left) = scripted(
        vec![Step {
            method: "GET",
            url: "https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications/1",
            check: any,
            answer: answer(429, &[("Retry-After", "3")], ""),
        }],
        true,
    );
    client.set_deadline(Some(
        tokio::time::Instant::now() + Duration::from_millis(1500),
    ));
    let e = client
        .get_resource(
            "https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications/1",
            Action::ReadingApplication,
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(429));
    assert!(
        e.to_string()
            .ends_with("longer than the 1.5 s allowed (what remains of --timeout)"),
        "{e}"
    );
    assert!(left.lock().unwrap().is_empty());
}

/// An injected transport's failure is a `Transport` error whose text is the exchange's.
#[tokio::test]
async fn no_answer_is_a_transport_error_with_the_exchange_text() {
    let (client, _) = scripted(
        vec![Step {
            method: "GET",
            url: "https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications/1",
            check: any,
            answer: Err("cannot connect to lyncweb.contoso.co.uk".into()),
        }],
        true,
    );
    let e = client
        .get(
            "https://lyncweb.contoso.co.uk/ucwa/oauth/v1/applications/1",
            Action::ReadingApplication,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, UcwaError::Transport { source: None, .. }),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "reading the application: cannot connect to lyncweb.contoso.co.uk"
    );
}
