//! `avlaunch call` end to end: the real binary against the real simulator over
//! 127.0.0.1, every directory contact, exit codes, cancel, re-authentication.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

async fn call_json(
    to: &str,
    extra: &[&str],
) -> (std::process::Output, serde_json::Value, Vec<String>) {
    let sim = start_sim(fast_config()).await;
    let mut args = vec!["--output", "json"];
    args.extend_from_slice(extra);
    let out = output(call_command(&sim, to, &args)).await;
    let summary = summary(&out);
    let seen = seen(&sim);
    (out, summary, seen)
}

fn assert_app_deleted(seen: &[String]) {
    let created = seen
        .iter()
        .any(|r| r.starts_with("POST ") && r.ends_with("/applications"));
    let deleted = seen
        .iter()
        .any(|r| r.starts_with("DELETE ") && r.contains("/applications/"));
    assert!(
        created && deleted,
        "application not created and deleted: {seen:#?}"
    );
}

/// One directory contact and how its call must end. `None` means "not checked".
struct Contact {
    to: &'static str,
    extra: &'static [&'static str],
    exit: i32,
    state: Option<&'static str>,
    ended_by: Option<&'static str>,
    kind: Option<&'static str>,
    status: Option<u16>,
    code: Option<&'static str>,
    /// `Some(None)`: the summary's subcode must be null.
    subcode: Option<Option<&'static str>>,
    /// A fragment of `error.message`.
    words: Option<&'static str>,
    /// Whether we sent `stopAudioVideo` (we hung up).
    hung_up: Option<bool>,
    /// An application was created and deleted.
    app_deleted: bool,
    /// Anything else, over the summary and the requests the simulator saw.
    check: fn(&serde_json::Value, &[String]),
}

const CONTACT: Contact = Contact {
    to: "",
    extra: &[],
    exit: 0,
    state: None,
    ended_by: None,
    kind: None,
    status: None,
    code: None,
    subcode: None,
    words: None,
    hung_up: None,
    app_deleted: false,
    check: |_, _| {},
};

const CONTACTS: &[Contact] = &[
    // Alice answers and we hang up.
    Contact {
        to: "sip:alice@contoso.com",
        extra: &["--hangup-after", "0"],
        exit: 0,
        state: Some("Ended"),
        ended_by: Some("local"),
        hung_up: Some(true),
        app_deleted: true,
        check: |s, _| {
            assert_eq!(s["exit_code"], 0);
            assert!(
                s["invitation"]
                    .as_str()
                    .unwrap()
                    .contains("/communication/"),
                "{s}"
            );
            assert_eq!(s["operation_id"].as_str().unwrap().len(), 32);
            for step in [
                "discover",
                "sign_in",
                "create_application",
                "invite",
                "ring",
                "hang_up",
                "delete_application",
            ] {
                assert!(
                    s["timings_ms"].get(step).is_some(),
                    "no timing for {step}: {s}"
                );
            }
        },
        ..CONTACT
    },
    // Dave hangs up on his own: we do not.
    Contact {
        to: "sip:dave@contoso.com",
        exit: 0,
        state: Some("Ended"),
        ended_by: Some("remote"),
        hung_up: Some(false),
        app_deleted: true,
        ..CONTACT
    },
    Contact {
        to: "sip:bob@contoso.com",
        exit: 1,
        state: Some("Failed"),
        kind: Some("Invitation"),
        subcode: Some(Some("Declined")),
        app_deleted: true,
        ..CONTACT
    },
    Contact {
        to: "sip:nobody@contoso.com",
        exit: 1,
        code: Some("NotFound"),
        subcode: Some(Some("DestinationNotFound")),
        ..CONTACT
    },
    // Carol never answers: the server times the call out.
    Contact {
        to: "sip:carol@contoso.com",
        exit: 1,
        state: Some("Failed"),
        subcode: Some(Some("Timeout")),
        ..CONTACT
    },
    // Synchronous errors: exit 3 with status, code and subcode.
    Contact {
        to: "sip:conflict@contoso.com",
        exit: 3,
        state: Some("Failed"),
        status: Some(409),
        code: Some("Conflict"),
        subcode: Some(Some("AlreadyExists")),
        words: Some("already exists"),
        app_deleted: true,
        ..CONTACT
    },
    Contact {
        to: "sip:groups@contoso.com",
        exit: 3,
        state: Some("Failed"),
        status: Some(409),
        code: Some("Conflict"),
        subcode: Some(Some("TooManyGroups")),
        words: Some("too many groups"),
        app_deleted: true,
        ..CONTACT
    },
    Contact {
        to: "sip:unsupported@contoso.com",
        exit: 3,
        state: Some("Failed"),
        status: Some(409),
        code: Some("Conflict"),
        subcode: Some(None),
        words: Some("not supported by this server"),
        app_deleted: true,
        ..CONTACT
    },
    Contact {
        to: "sip:gone@contoso.com",
        exit: 3,
        state: Some("Failed"),
        status: Some(410),
        code: Some("Gone"),
        subcode: Some(Some("CannotRedirect")),
        words: Some("no backup pool"),
        app_deleted: true,
        ..CONTACT
    },
    Contact {
        to: "sip:callback@contoso.com",
        exit: 3,
        state: Some("Failed"),
        status: Some(500),
        code: Some("ServiceFailure"),
        subcode: Some(Some("CallbackChannelError")),
        words: Some("cannot deliver call events"),
        app_deleted: true,
        ..CONTACT
    },
];

/// Every contact of the table, called with `--output json`, checked against its row.
#[tokio::test(flavor = "multi_thread")]
async fn every_contact_ends_as_the_table_says() {
    for c in CONTACTS {
        let to = c.to;
        let (out, s, seen) = call_json(to, c.extra).await;
        assert_eq!(out.status.code(), Some(c.exit), "{to}: {:?}", text(&out));
        if let Some(state) = c.state {
            assert_eq!(s["state"], state, "{to}");
        }
        if let Some(by) = c.ended_by {
            assert_eq!(s["ended_by"], by, "{to}");
        }
        if let Some(kind) = c.kind {
            assert_eq!(s["error"]["kind"], kind, "{to}");
        }
        if let Some(status) = c.status {
            assert_eq!(s["error"]["status"], status, "{to}");
        }
        if let Some(code) = c.code {
            assert_eq!(s["error"]["code"], code, "{to}");
        }
        if let Some(subcode) = c.subcode {
            assert_eq!(s["error"]["subcode"].as_str(), subcode, "{to}: {s}");
        }
        if let Some(words) = c.words {
            assert!(
                s["error"]["message"].as_str().unwrap().contains(words),
                "{to}: {s}"
            );
        }
        match c.hung_up {
            Some(true) => assert!(
                seen.iter()
                    .any(|r| r.starts_with("POST ") && r.contains("stopAudioVideo")),
                "{to}: {seen:#?}"
            ),
            Some(false) => assert!(
                !seen.iter().any(|r| r.contains("stopAudioVideo")),
                "{to}: we should not hang up: {seen:#?}"
            ),
            None => {}
        }
        if c.app_deleted {
            assert_app_deleted(&seen);
        }
        (c.check)(&s, &seen);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn text_output_tells_the_story_in_plain_words() {
    let sim = start_sim(fast_config()).await;
    let out = output(call_command(&sim, "sip:bob@contoso.com", &[])).await;
    let (stdout, stderr) = text(&out);
    assert!(stdout.contains("signing in"), "{stdout}");
    assert!(stdout.contains("result: Failed"), "{stdout}");
    assert!(stdout.contains("subcode Declined"), "{stdout}");
    assert!(stderr.contains("avlaunch: "), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_timeout_cancels_a_ringing_call_and_deletes_the_application() {
    let mut config = fast_config();
    config.ring_timeout = std::time::Duration::from_secs(30);
    let sim = start_sim(config).await;
    let started = std::time::Instant::now();
    let out = output(call_command(
        &sim,
        "sip:carol@contoso.com",
        &["--timeout", "1", "--output", "json"],
    ))
    .await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
    let s = summary(&out);
    assert_eq!(s["state"], "Cancelled");
    let seen = seen(&sim);
    assert!(
        seen.iter()
            .any(|r| r.starts_with("POST ") && r.ends_with("/cancel")),
        "{seen:#?}"
    );
    assert_app_deleted(&seen);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn sigint_cancels_a_ringing_call() {
    signal_cancels_a_ringing_call("-INT").await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_cancels_a_ringing_call() {
    signal_cancels_a_ringing_call("-TERM").await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn sighup_cancels_a_ringing_call() {
    signal_cancels_a_ringing_call("-HUP").await;
}

#[cfg(unix)]
async fn signal_cancels_a_ringing_call(signal: &'static str) {
    use std::io::{BufRead, BufReader};
    let mut config = fast_config();
    config.ring_timeout = std::time::Duration::from_secs(30);
    let sim = start_sim(config).await;
    let mut cmd = call_command(&sim, "sip:carol@contoso.com", &["--output", "json"]);
    cmd.stdout(std::process::Stdio::piped());
    let out = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 {
            lines.push(line.clone());
            if line.contains("\"invitation\"") {
                std::process::Command::new("kill")
                    .args([signal, &child.id().to_string()])
                    .status()
                    .unwrap();
            }
            line.clear();
        }
        (child.wait().unwrap(), lines)
    })
    .await
    .unwrap();
    let (status, lines) = out;
    assert_eq!(status.code(), Some(1), "{lines:#?}");
    let s: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(s["state"], "Cancelled");
    let seen = seen(&sim);
    assert!(
        seen.iter()
            .any(|r| r.starts_with("POST ") && r.ends_with("/cancel")),
        "{seen:#?}"
    );
    assert_app_deleted(&seen);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_401_mid_flow_signs_in_again_once() {
    let mut config = fast_config();
    config.faults.expire_token_once = true;
    let sim = start_sim(config).await;
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--hangup-after", "0", "--output", "json"],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let seen = seen(&sim);
    let tokens = seen.iter().filter(|r| r.contains("oauthtoken")).count();
    assert_eq!(
        tokens, 2,
        "one sign-in plus one re-authentication: {seen:#?}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("signing in again"));
}

/// The simulator throttles token requests per user (a bucket of 10): with the bucket
/// spent, the token endpoint's 429 + Retry-After is waited for and sign-in goes on, with the
/// same busy note as any other request.
#[tokio::test(flavor = "multi_thread")]
async fn a_throttled_token_endpoint_is_waited_for() {
    let sim = start_sim(fast_config()).await;
    let token_url = sim.url.join("/WebTicket/oauthtoken").unwrap();
    let http = reqwest::Client::new();
    for _ in 0..10 {
        http.post(token_url.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("grant_type=password&username=tester%40contoso.com&password=wrong")
            .send()
            .await
            .unwrap();
    }
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--hangup-after", "0"],
    ))
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("requesting a token: the server is busy (429); retrying after"),
        "{stdout}"
    );
    let tokens = seen(&sim)
        .iter()
        .filter(|r| r.contains("oauthtoken"))
        .count();
    assert_eq!(tokens, 12, "10 spent, one refused, one granted");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_discovery_redirect_is_followed() {
    let mut config = fast_config();
    config.faults.redirect_root = true;
    let sim = start_sim(config).await;
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--hangup-after", "0"],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let roots = seen(&sim)
        .iter()
        .filter(|r| r.starts_with("GET /") && !r.contains("ucwa") && !r.contains("user"))
        .count();
    assert!(
        roots >= 2,
        "the root and its redirect target: {:#?}",
        seen(&sim)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_loop_is_caught() {
    let mut config = fast_config();
    config.faults.redirect_loop = true;
    let sim = start_sim(config).await;
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--output", "json"],
    ))
    .await;
    assert_eq!(out.status.code(), Some(3), "{:?}", text(&out));
    assert!(summary(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("redirect"));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_start_audio_video_link_is_a_clear_exit_3() {
    let mut config = fast_config();
    config.faults.no_av_link = true;
    let sim = start_sim(config).await;
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--output", "json"],
    ))
    .await;
    assert_eq!(out.status.code(), Some(3), "{:?}", text(&out));
    let s = summary(&out);
    assert!(
        s["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not offered"),
        "{s}"
    );
    let seen = seen(&sim);
    assert!(
        !seen.iter().any(|r| r.contains("startAudioVideo")),
        "a URL was guessed: {seen:#?}"
    );
    assert!(
        seen.iter()
            .any(|r| r.starts_with("GET ") && r.ends_with("/communication")),
        "communication re-read: {seen:#?}"
    );
    assert_app_deleted(&seen);
}

#[tokio::test(flavor = "multi_thread")]
async fn events_are_followed_with_the_servers_ack_values() {
    let sim = start_sim(fast_config()).await;
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--hangup-after", "0"],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0));
    let acks: Vec<u64> = seen(&sim)
        .iter()
        .filter(|r| r.starts_with("GET ") && r.contains("/events?"))
        .filter_map(|r| r.split("ack=").nth(1)?.split('&').next()?.parse().ok())
        .collect();
    assert!(acks.len() >= 2, "{acks:?}");
    assert_eq!(
        acks[0], 1,
        "the first P-GET uses the application's events href"
    );
    assert!(
        acks.windows(2).all(|w| w[1] == w[0] + 1),
        "each P-GET follows `next`: {acks:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_password_and_token_never_reach_the_output() {
    let sim = start_sim(fast_config()).await;
    for to in [
        "sip:alice@contoso.com",
        "sip:bob@contoso.com",
        "sip:conflict@contoso.com",
    ] {
        for format in ["text", "json"] {
            let mut cmd = call_command(
                &sim,
                to,
                &[
                    "--hangup-after",
                    "0",
                    "--output",
                    format,
                    "--log-level",
                    "trace",
                ],
            );
            cmd.env("AVLAUNCH_PASSWORD", "demo");
            let out = output(cmd).await;
            let (stdout, stderr) = text(&out);
            for stream in [&stdout, &stderr] {
                assert!(
                    !stream.contains("cwt=")
                        || stream.contains("cwt=***") && !stream.contains("cwt=A"),
                    "token leaked: {stream}"
                );
                assert!(
                    !stream.contains("password=demo"),
                    "password leaked: {stream}"
                );
            }
        }
    }
    let mut cmd = call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--hangup-after", "0", "--output", "json"],
    );
    cmd.env("AVLAUNCH_TOKEN", "cwt=SECRETTOKEN123")
        .env_remove("AVLAUNCH_PASSWORD");
    let out = output(cmd).await;
    let (stdout, stderr) = text(&out);
    assert!(!stdout.contains("SECRETTOKEN123") && !stderr.contains("SECRETTOKEN123"));
}

#[tokio::test(flavor = "multi_thread")]
async fn avlaunch_token_skips_the_token_request() {
    let sim = start_sim(fast_config()).await;
    // Get a token the way a script would, then hand it over.
    let token_url = sim.url.join("/WebTicket/oauthtoken").unwrap();
    let body = reqwest::Client::new()
        .post(token_url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=password&username=tester%40contoso.com&password=demo")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let response: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let token = response["access_token"].as_str().unwrap().to_string();
    let mut cmd = call_command(&sim, "sip:alice@contoso.com", &["--hangup-after", "0"]);
    cmd.env("AVLAUNCH_TOKEN", &token)
        .env_remove("AVLAUNCH_PASSWORD");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let token_requests = seen(&sim)
        .iter()
        .filter(|r| r.contains("oauthtoken"))
        .count();
    assert_eq!(
        token_requests,
        1,
        "only the script's own: {:#?}",
        seen(&sim)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_contact_ends_the_same_in_xml_as_in_json() {
    let contacts = [
        "alice",
        "dave",
        "bob",
        "carol",
        "nobody",
        "conflict",
        "groups",
        "unsupported",
        "gone",
        "callback",
    ];
    for contact in contacts {
        let to = format!("sip:{contact}@contoso.com");
        let mut results = Vec::new();
        for format in ["json", "xml"] {
            let sim = start_sim(fast_config()).await;
            let out = output(call_command(
                &sim,
                &to,
                &[
                    "--format",
                    format,
                    "--hangup-after",
                    "0",
                    "--output",
                    "json",
                ],
            ))
            .await;
            let s = summary(&out);
            let seen = sim.requests();
            if format == "xml" {
                let ucwa: Vec<_> = seen
                    .iter()
                    .filter(|r| r.path_and_query.contains("/ucwa/"))
                    .collect();
                assert!(!ucwa.is_empty());
                for r in ucwa {
                    assert!(
                        r.accept.as_deref().is_some_and(|a| a.contains("xml")),
                        "{contact}: {r:?}"
                    );
                    if let Some(ct) = &r.content_type {
                        assert!(ct.contains("xml"), "{contact}: {r:?}");
                    }
                }
            }
            results.push((
                out.status.code(),
                s["state"].clone(),
                s["error"]["code"].clone(),
                s["error"]["subcode"].clone(),
                s["error"]["status"].clone(),
            ));
        }
        assert_eq!(results[0], results[1], "{contact}: json vs xml");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn har_export_holds_every_exchange_redacted() {
    let sim = start_sim(fast_config()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.har");
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--hangup-after", "0", "--har", path.to_str().unwrap()],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(text(&out).0.contains("(HAR 1.2)"));
    let raw = std::fs::read_to_string(&path).unwrap();
    let har: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(har["log"]["version"], "1.2");
    let entries = har["log"]["entries"].as_array().unwrap();
    // Every exchange, except perhaps the last parked P-GET, which is dropped unanswered at
    // the end: whether the server saw it first is a race, so it may be in the HAR (as
    // abandoned) without having been seen, or seen without being in the HAR.
    let seen = seen(&sim);
    let abandoned_poll = |e: &serde_json::Value| {
        e["request"]["url"].as_str().unwrap().contains("/events?")
            && e["_error"]
                .as_str()
                .is_some_and(|x| x.starts_with("abandoned"))
    };
    let unseen: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|entry| {
            let url = url::Url::parse(entry["request"]["url"].as_str().unwrap()).unwrap();
            let target = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_string(),
            };
            let line = format!("{} {target}", entry["request"]["method"].as_str().unwrap());
            !seen.contains(&line)
        })
        .collect();
    assert!(
        unseen.is_empty() || (unseen.len() == 1 && abandoned_poll(unseen[0])),
        "not seen by the server: {unseen:#?}"
    );
    let answered = entries.len() - unseen.len();
    assert!(
        answered + 1 >= seen.len() && answered <= seen.len(),
        "{} entries, seen {seen:#?}",
        entries.len()
    );
    for entry in entries.iter().filter(|e| !abandoned_poll(e)) {
        let url = url::Url::parse(entry["request"]["url"].as_str().unwrap()).unwrap();
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let line = format!("{} {target}", entry["request"]["method"].as_str().unwrap());
        assert!(seen.contains(&line), "{line} not seen by the server");
    }
    let token = entries
        .iter()
        .find(|e| e["request"]["url"].as_str().unwrap().contains("oauthtoken"))
        .unwrap();
    assert_eq!(token["request"]["method"], "POST");
    assert!(!raw.contains("password=demo"), "password in the HAR");
    assert!(
        !raw.contains("Bearer cwt=")
            || raw.matches("Bearer cwt=***").count() == raw.matches("Bearer cwt=").count()
    );
    assert!(raw.contains("Bearer ***"), "Authorization redacted");
    assert!(
        !raw.contains("cwt="),
        "no token, not even the token response's: {raw}"
    );
    let _ = std::fs::remove_file(path);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_homed_on_another_pool_is_followed() {
    let mut config = fast_config();
    config.faults.user_redirect = true;
    let sim = start_sim(config).await;
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--hangup-after", "0"],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(
        text(&out).0.contains("homed on another pool"),
        "{}",
        text(&out).0
    );
    let seen = seen(&sim);
    let redirect = seen
        .iter()
        .position(|r| r == "GET /redirect-pool")
        .expect("the redirect was read");
    assert!(
        seen[redirect..]
            .iter()
            .any(|r| r.starts_with("GET /pool2/") && r.ends_with("/oauth/user")),
        "the home pool's user was read: {seen:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn all_nine_fields_reach_the_server_in_both_formats() {
    use avlaunch::ucwa::Format;
    let dir = tempfile::tempdir().unwrap();
    let sdp_path = dir.path().join("offer.sdp");
    let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=avlaunch\r\nm=audio 5004 RTP/AVP 0\r\n";
    std::fs::write(&sdp_path, sdp).unwrap();
    let subject = "Budget <review> & \"Q3\" 😀";
    for (format, reader) in [("json", Format::Json), ("xml", Format::Xml)] {
        let sim = start_sim(fast_config()).await;
        let out = output(call_command(
            &sim,
            "sip:alice@contoso.com",
            &[
                "--format",
                format,
                "--hangup-after",
                "0",
                "--subject",
                subject,
                "--importance",
                "Emergency",
                "--thread-id",
                "292e0aaef36c426a97757f43dda19d06",
                "--session-context",
                "ctx-1",
                "--operation-id",
                "op-nine-fields",
                "--audio-muted",
                "true",
                "--video-muted",
                "false",
                "--media-offer",
                sdp_path.to_str().unwrap(),
            ],
        ))
        .await;
        assert_eq!(out.status.code(), Some(0), "{format}: {:?}", text(&out));
        let post = sim
            .requests()
            .into_iter()
            .find(|r| r.method == "POST" && r.path_and_query.ends_with("/startAudioVideo"))
            .expect("the POST was seen");
        let input = reader.read_input(post.body.as_bytes()).unwrap();
        let field = |name: &str| {
            input
                .text(name)
                .unwrap_or_else(|| panic!("{format}: no {name}"))
        };
        assert_eq!(field("to"), "sip:alice@contoso.com");
        assert_eq!(field("subject"), subject, "{format}");
        assert_eq!(field("importance"), "Emergency");
        assert_eq!(field("threadId"), "292e0aaef36c426a97757f43dda19d06");
        assert_eq!(field("sessionContext"), "ctx-1");
        assert_eq!(field("operationId"), "op-nine-fields");
        assert_eq!(
            input.property("joinAudioMuted").and_then(|v| v.as_bool()),
            Some(true),
            "{format}"
        );
        assert_eq!(
            input.property("joinVideoMuted").and_then(|v| v.as_bool()),
            Some(false),
            "{format}"
        );
        let offer = input.link("mediaOffer").expect("mediaOffer link");
        let encoded = offer
            .strip_prefix("data:application/sdp;base64,")
            .expect("a base64 SDP data URI");
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), sdp);
        assert_eq!(summary_operation(&out), "op-nine-fields");
    }
}

fn summary_operation(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.contains("invitation "))
        .unwrap_or_default();
    line.rsplit("(operation ")
        .next()
        .unwrap_or_default()
        .trim_end_matches(')')
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hang_up_in_the_batch_that_connects_still_ends_the_call() {
    // dave hangs up at once: his Disconnected can share an events page with `completed`.
    let mut config = fast_config();
    config.hangup_after = std::time::Duration::ZERO;
    let sim = start_sim(config).await;
    let started = std::time::Instant::now();
    // --hangup-after bounds the test if the hang-up were missed: the call would then be
    // ended by us (local), not by dave (remote).
    let out = output(call_command(
        &sim,
        "sip:dave@contoso.com",
        &["--output", "json", "--hangup-after", "3"],
    ))
    .await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "the hang-up was noticed at once"
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(summary(&out)["state"], "Ended");
    assert_eq!(summary(&out)["ended_by"], "remote");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_while_the_application_is_being_created_still_deletes_it() {
    use std::io::{BufRead, BufReader};
    let mut config = fast_config();
    config.faults = avlaunch::sim::faults::Faults::parse("stall=application:800").unwrap();
    let sim = start_sim(config).await;
    let mut cmd = call_command(&sim, "sip:alice@contoso.com", &["--output", "json"]);
    cmd.stdout(std::process::Stdio::piped());
    let (status, lines) = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 {
            if line.contains("\"create_application\"") && line.contains("started") {
                std::process::Command::new("kill")
                    .args(["-INT", &child.id().to_string()])
                    .status()
                    .unwrap();
            }
            lines.push(std::mem::take(&mut line));
        }
        (child.wait().unwrap(), lines)
    })
    .await
    .unwrap();
    assert_eq!(status.code(), Some(1), "{lines:#?}");
    let s: serde_json::Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(s["state"], "Cancelled");
    let seen = seen(&sim);
    assert!(
        !seen.iter().any(|r| r.contains("startAudioVideo")),
        "no call placed: {seen:#?}"
    );
    assert_app_deleted(&seen);
}
