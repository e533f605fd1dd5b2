//! `avlaunch doctor`: every verdict and exit code, with the real binary against the
//! simulator playing a healthy or a broken deployment over real sockets.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};

use avlaunch::sim::{Faults, SimConfig, SimHandle};
use common::{home_env, output, start_sim, PASSWORD};
use serde_json::Value;

fn doctor(sim: &SimHandle, extra: &[&str]) -> Command {
    let mut cmd = common::avlaunch();
    cmd.args([
        "doctor",
        "--server",
        sim.url.as_str(),
        "--user",
        "tester@contoso.com",
    ])
    .args(extra)
    .envs(home_env())
    .env_remove("AVLAUNCH_PROFILE")
    .env("AVLAUNCH_PASSWORD", PASSWORD)
    .env_remove("AVLAUNCH_TOKEN")
    .env("NO_COLOR", "1")
    .stdin(Stdio::null());
    cmd
}

async fn sim_with(faults: &str) -> SimHandle {
    start_sim(SimConfig {
        faults: Faults::parse(faults).unwrap(),
        ..common::fast_config()
    })
    .await
}

/// The JSON lines of a run: (checks, summary, exit code).
async fn run_json(sim: &SimHandle, extra: &[&str]) -> (Vec<Value>, Value, i32) {
    let mut args = vec!["--output", "json"];
    args.extend_from_slice(extra);
    let out = output(doctor(sim, &args)).await;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let summary = lines.pop().unwrap();
    (lines, summary, out.status.code().unwrap())
}

fn verdicts(checks: &[Value]) -> Vec<(String, String)> {
    checks
        .iter()
        .map(|c| {
            assert_eq!(c["type"], "check");
            assert!(c["ms"].is_u64(), "{c}");
            (
                c["name"].as_str().unwrap().to_string(),
                c["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn detail<'a>(checks: &'a [Value], name: &str) -> &'a str {
    checks.iter().find(|c| c["name"] == name).unwrap()["detail"]
        .as_str()
        .unwrap()
}

const ORDER: [&str; 9] = [
    "dns",
    "connect",
    "tls",
    "discovery",
    "sign-in",
    "application",
    "capabilities",
    "events",
    "cleanup",
];

fn expect(checks: &[Value], verdicts_in_order: [&str; 9]) {
    let got = verdicts(checks);
    let want: Vec<(String, String)> = ORDER
        .iter()
        .zip(verdicts_in_order)
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    assert_eq!(got, want, "{checks:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_deployment_passes_every_check_places_no_call_and_deletes_the_application() {
    let sim = sim_with("").await;
    let (checks, summary, code) = run_json(&sim, &[]).await;
    expect(
        &checks,
        [
            "pass", "pass", "skip", "pass", "pass", "pass", "pass", "pass", "pass",
        ],
    );
    assert_eq!(
        summary,
        serde_json::json!({"type":"summary","verdict":"pass","exit_code":0})
    );
    assert_eq!(code, 0);
    let caps = checks.iter().find(|c| c["name"] == "capabilities").unwrap();
    assert_eq!(
        caps["offered"],
        serde_json::json!([
            "startAudioVideo",
            "startPhoneAudio",
            "search",
            "makeMeAvailable"
        ])
    );
    assert!(detail(&checks, "dns").contains("127.0.0.1"));
    let seen = common::seen(&sim);
    assert!(
        !seen
            .iter()
            .any(|r| r.contains("startAudioVideo") || r.contains("startPhoneAudio")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|r| r.starts_with("DELETE /ucwa/oauth/v1/applications/")),
        "{seen:?}"
    );
    assert_eq!(sim.live_applications(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn call_via_work_only_warns_and_exits_1() {
    let sim = sim_with("no-av-link").await;
    let (checks, summary, code) = run_json(&sim, &[]).await;
    expect(
        &checks,
        [
            "pass", "pass", "skip", "pass", "pass", "pass", "warn", "pass", "pass",
        ],
    );
    assert!(detail(&checks, "capabilities").contains("--via-phone"));
    assert_eq!(summary["verdict"], "warn");
    assert_eq!((summary["exit_code"].as_u64(), code), (Some(1), 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_calling_links_fails_capabilities_and_still_deletes_the_application() {
    let sim = sim_with("no-calling").await;
    let (checks, summary, code) = run_json(&sim, &[]).await;
    expect(
        &checks,
        [
            "pass", "pass", "skip", "pass", "pass", "pass", "fail", "skip", "skip",
        ],
    );
    assert!(detail(&checks, "capabilities").contains("no calling"));
    assert!(detail(&checks, "cleanup").contains("deleted"));
    assert_eq!(summary["verdict"], "fail");
    assert_eq!((summary["exit_code"].as_u64(), code), (Some(3), 3));
    assert_eq!(sim.live_applications(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_password_grant_fails_sign_in_with_decoded_diagnostics() {
    let sim = sim_with("no-password-grant").await;
    let (checks, _, code) = run_json(&sim, &[]).await;
    expect(
        &checks,
        [
            "pass", "pass", "skip", "pass", "fail", "skip", "skip", "skip", "skip",
        ],
    );
    let d = detail(&checks, "sign-in");
    assert!(
        d.contains("urn:microsoft.rtc:windows") && d.contains("password"),
        "{d}"
    );
    assert!(d.contains("AVLAUNCH_TOKEN"), "what to do next: {d}");
    assert_eq!(code, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn token_endpoint_diagnostics_are_decoded_in_the_verdict() {
    let sim = sim_with("token-diagnostics").await;
    let (checks, _, code) = run_json(&sim, &[]).await;
    assert_eq!(
        verdicts(&checks)[4],
        ("sign-in".to_string(), "fail".to_string())
    );
    assert!(
        detail(&checks, "sign-in").contains("diagnostics"),
        "{}",
        detail(&checks, "sign-in")
    );
    assert_eq!(code, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_event_channel_fails_events_and_the_application_is_deleted() {
    let sim = sim_with("events-silent").await;
    let (checks, _, code) = run_json(&sim, &[]).await;
    expect(
        &checks,
        [
            "pass", "pass", "skip", "pass", "pass", "pass", "pass", "fail", "skip",
        ],
    );
    assert!(detail(&checks, "events").contains("never answered"));
    assert_eq!(code, 3);
    assert_eq!(sim.live_applications(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_listening_fails_connect() {
    // A port that was just free: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = common::avlaunch();
    cmd.args([
        "doctor",
        "--server",
        &format!("http://127.0.0.1:{port}/"),
        "--user",
        "t@contoso.com",
        "--output",
        "json",
    ])
    .envs(home_env())
    .env_remove("AVLAUNCH_PROFILE")
    .env("AVLAUNCH_PASSWORD", PASSWORD)
    .stdin(Stdio::null());
    let out = output(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let names: Vec<&str> = lines
        .iter()
        .map(|c| c["verdict"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(&names[..3], ["pass", "fail", "skip"], "{stdout}");
    assert_eq!(out.status.code(), Some(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_lists_each_candidate_name_and_why_the_next_was_tried() {
    let mut cmd = common::avlaunch();
    cmd.args([
        "doctor",
        "--server",
        "auto",
        "--user",
        "t@nowhere.invalid",
        "--output",
        "json",
    ])
    .envs(home_env())
    .env_remove("AVLAUNCH_PROFILE")
    .env("AVLAUNCH_PASSWORD", PASSWORD)
    .stdin(Stdio::null());
    let out = output(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        (first["name"].as_str(), first["verdict"].as_str()),
        (Some("dns"), Some("fail"))
    );
    let d = first["detail"].as_str().unwrap();
    let internal = d.find("lyncdiscoverinternal.nowhere.invalid").unwrap();
    let external = d.find("lyncdiscover.nowhere.invalid").unwrap();
    assert!(
        internal < external && d.contains("trying the next name"),
        "{d}"
    );
    assert_eq!(out.status.code(), Some(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_exits_2() {
    let sim = sim_with("").await;
    let out = output(doctor(&sim, &["--ca-cert", "/nonexistent/ca.pem"])).await;
    assert_eq!(out.status.code(), Some(2), "{:?}", common::text(&out));
    let out = output(doctor(&sim, &["--output", "json", "--format", "yaml"])).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn nagios_line_and_plugin_exit_codes() {
    for (faults, status, code) in [
        ("", "OK", 0),
        ("no-av-link", "WARNING", 1),
        ("no-calling", "CRITICAL", 2),
    ] {
        let sim = sim_with(faults).await;
        let out = output(doctor(&sim, &["--output", "nagios"])).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        assert!(
            stdout.starts_with(&format!("AVLAUNCH {status} - doctor")),
            "{stdout}"
        );
        assert!(stdout.contains("| dns="), "{stdout}");
        assert_eq!(out.status.code(), Some(code), "{faults}: {stdout}");
        if code == 0 {
            // Plain http to the simulator: the TLS check is skipped, not passed.
            assert!(
                stdout.starts_with("AVLAUNCH OK - doctor: 8 checks pass, 1 skipped |"),
                "{stdout}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn junit_report_has_one_testcase_per_check() {
    let sim = sim_with("no-calling").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doctor.xml");
    let (_, _, code) = run_json(&sim, &["--junit", file.to_str().unwrap()]).await;
    assert_eq!(code, 3);
    let xml = std::fs::read_to_string(&file).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut skipped) = (0, 0, 0);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testcase" => cases += 1,
                    b"failure" => failures += 1,
                    b"skipped" => skipped += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!((cases, failures, skipped), (9, 1, 3), "{xml}");
    assert!(
        xml.contains(r#"tests="9" failures="1" errors="0" skipped="3""#),
        "{xml}"
    );
}
