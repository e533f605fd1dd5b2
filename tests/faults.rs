//! Faults, bad networks and hostile servers: every one ends in a clear message and the
//! right exit code, within `--timeout` + 1 s (plus the bounded clean-up), never a panic.
//! Run with `--nocapture` to see the fault → outcome → time table.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use avlaunch::sim::faults::Faults;
use common::*;

const TIMEOUT_SECS: u64 = 3;

struct Row {
    outcome: serde_json::Value,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `avlaunch call --timeout 3` against `server` and checks the common promises:
/// no panic, a JSON summary, no secret in any output, and the time bound.
async fn run_against(name: &str, server: &str, to: &str, extra: &[&str]) -> Row {
    let mut cmd = std::process::Command::new(BIN);
    cmd.args([
        "call",
        "--server",
        server,
        "--user",
        "tester@contoso.com",
        "--to",
        to,
    ])
    .args(["--timeout", &TIMEOUT_SECS.to_string(), "--output", "json"])
    .args(extra)
    .envs(common::home_env())
    .env("AVLAUNCH_PASSWORD", PASSWORD)
    .env("NO_COLOR", "1");
    let clock = Instant::now();
    let out = output(cmd).await;
    let elapsed = clock.elapsed();
    let (stdout, stderr) = text(&out);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("internal error"),
        "{name}: {stderr}"
    );
    for stream in [&stdout, &stderr] {
        assert!(!stream.contains("password=demo"), "{name}: password leaked");
        assert!(!stream.contains("cwt=A"), "{name}: token leaked");
    }
    // The time bound: the timeout, 1 s of slack, and the clean-up budget.
    let bound = Duration::from_secs(TIMEOUT_SECS + 1 + 3);
    assert!(
        elapsed <= bound,
        "{name}: took {elapsed:?}, bound {bound:?}"
    );
    let outcome = summary(&out);
    eprintln!(
        "| {name:<28} | exit {} | {:<9} | {:>6.0} ms | {}",
        out.status.code().unwrap_or(-1),
        outcome["state"].as_str().unwrap_or("?"),
        elapsed.as_secs_f64() * 1000.0,
        outcome["error"]["message"].as_str().unwrap_or("")
    );
    Row {
        outcome,
        code: out.status.code(),
        stdout,
        stderr,
    }
}

async fn with_fault(name: &str, faults: &str, to: &str) -> (Row, Vec<String>) {
    let mut config = fast_config();
    config.faults = Faults::parse(faults).unwrap();
    let sim = start_sim(config).await;
    let row = run_against(name, sim.url.as_str(), to, &["--hangup-after", "0"]).await;
    (row, seen(&sim))
}

fn message(row: &Row) -> String {
    row.outcome["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn app_deleted(seen: &[String]) -> bool {
    seen.iter()
        .any(|r| r.starts_with("DELETE ") && r.contains("/applications/"))
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_refused() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let row = run_against(
        "connection refused",
        &format!("http://127.0.0.1:{port}/"),
        "sip:alice@contoso.com",
        &[],
    )
    .await;
    assert_eq!(row.code, Some(3));
    assert!(
        message(&row).contains("cannot connect to 127.0.0.1"),
        "{}",
        message(&row)
    );
}

/// A server that answers every connection with `response` and closes.
fn raw_server(response: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(&response);
            let _ = stream.flush();
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_mid_response() {
    let url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"_links\":{\"us".to_vec());
    let row = run_against("reset mid-response", &url, "sip:alice@contoso.com", &[]).await;
    assert_eq!(row.code, Some(3));
    assert!(
        message(&row).contains("discovering the server"),
        "{}",
        message(&row)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_body() {
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        3 * 1024 * 1024
    )
    .into_bytes();
    response.extend(std::iter::repeat_n(b' ', 64 * 1024));
    let url = raw_server(response);
    let row = run_against("oversized body", &url, "sip:alice@contoso.com", &[]).await;
    assert_eq!(row.code, Some(3));
    assert!(
        message(&row).contains("larger than the 1024 KiB limit"),
        "{}",
        message(&row)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_from_the_root() {
    let url = raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{\"_links\"".to_vec());
    let row = run_against("malformed JSON root", &url, "sip:alice@contoso.com", &[]).await;
    assert_eq!(row.code, Some(3));
    assert!(
        message(&row).contains("cannot read resource"),
        "{}",
        message(&row)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_xml_from_the_root() {
    let body =
        "<resource rel=\"root\" xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\"><link rel=";
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let url = raw_server(response.into_bytes());
    let row = run_against(
        "malformed XML root",
        &url,
        "sip:alice@contoso.com",
        &["--format", "xml"],
    )
    .await;
    assert_eq!(row.code, Some(3));
    assert!(message(&row).contains("cannot read"), "{}", message(&row));
}

#[tokio::test(flavor = "multi_thread")]
async fn stalled_sign_in_is_bounded_by_the_timeout() {
    let (row, seen) = with_fault(
        "stall at token (10 s)",
        "stall=token:10000",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(3));
    assert!(
        message(&row).contains("within the 3 s timeout"),
        "{}",
        message(&row)
    );
    assert!(!app_deleted(&seen), "no application was made");
}

#[tokio::test(flavor = "multi_thread")]
async fn stalled_invite_is_bounded_and_cleaned_up() {
    let (row, seen) = with_fault(
        "stall at startAudioVideo",
        "stall=start-audio-video:10000",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(3));
    assert!(
        message(&row).contains("placing the call"),
        "{}",
        message(&row)
    );
    assert!(app_deleted(&seen), "{seen:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn stalled_delete_is_bounded() {
    let (row, _) = with_fault(
        "stall at delete",
        "stall=delete:10000",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(0), "the call itself worked");
    assert!(
        row.stdout.contains("could not delete the application"),
        "{}",
        row.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn truncated_application_body() {
    let (row, seen) = with_fault(
        "truncated application body",
        "truncated-body",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(3));
    assert!(
        message(&row).contains("creating the application"),
        "{}",
        message(&row)
    );
    assert!(
        app_deleted(&seen),
        "the unusable application is deleted: {seen:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn proxy_html_502() {
    let (row, _) = with_fault(
        "proxy 502 HTML page",
        "proxy-502-html",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(3));
    assert_eq!(row.outcome["error"]["status"], 502);
    assert!(
        message(&row).contains("a proxy or the web server answered"),
        "{}",
        message(&row)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_is_honoured() {
    let (row, seen) = with_fault(
        "503 Retry-After: 1",
        "status-503-retry-after=1",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(0), "{}", row.stderr);
    assert!(row.stdout.contains("retrying after 1 s"), "{}", row.stdout);
    assert_eq!(
        seen.iter()
            .filter(|r| r.contains("startAudioVideo"))
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_as_an_http_date_is_honoured() {
    let (row, seen) = with_fault(
        "503 Retry-After: <date>",
        "status-503-retry-date=1",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(0), "{}", row.stderr);
    assert!(
        row.stdout
            .contains("the server is busy (503); retrying after"),
        "{}",
        row.stdout
    );
    assert_eq!(
        seen.iter()
            .filter(|r| r.contains("startAudioVideo"))
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_past_the_timeout_is_not_waited_for_and_says_so() {
    for (name, fault) in [
        ("503 Retry-After: 30", "status-503-retry-after=30"),
        ("503 Retry-After: <date +30s>", "status-503-retry-date=30"),
    ] {
        let (row, seen) = with_fault(name, fault, "sip:alice@contoso.com").await;
        assert_eq!(row.code, Some(3), "{}", row.stderr);
        let text = message(&row);
        assert!(
            text.contains("the server asked to wait 3")
                && text.contains(" s before retrying (Retry-After), longer than the ")
                && text.ends_with(" s allowed (what remains of --timeout)"),
            "{text}"
        );
        assert_eq!(
            seen.iter()
                .filter(|r| r.contains("startAudioVideo"))
                .count(),
            1,
            "no retry"
        );
        // The application was still deleted.
        assert!(seen.iter().any(|r| r.starts_with("DELETE ")), "{seen:#?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn token_expired_mid_call() {
    let (row, _) = with_fault(
        "401 mid-call (token expired)",
        "expire-token-once",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(0));
    assert!(row.stdout.contains("signing in again"));
}

#[tokio::test(flavor = "multi_thread")]
async fn application_gone_is_recreated_once() {
    let (row, seen) = with_fault(
        "event channel 404 (app gone)",
        "events-gone",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(0), "{}", row.stdout);
    assert!(row.stdout.contains("creating a new one"), "{}", row.stdout);
    let created = seen
        .iter()
        .filter(|r| r.starts_with("POST ") && r.ends_with("/applications"))
        .count();
    assert_eq!(created, 2, "{seen:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn resync_is_followed() {
    let (row, _) = with_fault("resync", "resync-once", "sip:alice@contoso.com").await;
    assert_eq!(row.code, Some(0), "{}", row.stdout);
    assert!(row.stdout.contains("resync"), "{}", row.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn resume_ends_a_ringing_call() {
    let mut config = fast_config();
    config.ring_timeout = Duration::from_secs(60);
    config.faults = Faults::parse("resume-once").unwrap();
    let sim = start_sim(config).await;
    let row = run_against(
        "resume while ringing",
        sim.url.as_str(),
        "sip:carol@contoso.com",
        &[],
    )
    .await;
    assert_eq!(row.code, Some(3), "{}", row.stdout);
    assert!(message(&row).contains("resume"), "{}", message(&row));
    assert!(app_deleted(&seen(&sim)));
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicated_events_are_ignored() {
    let (row, seen) = with_fault(
        "duplicated events",
        "duplicate-events",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(0));
    let started = row
        .stdout
        .lines()
        .filter(|l| l.contains("\"kind\":\"started\""))
        .count();
    assert_eq!(started, 1, "the replayed batch is not shown twice");
    assert!(seen.len() > 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn out_of_order_events_still_connect_and_hang_up() {
    let (row, seen) = with_fault(
        "out-of-order events",
        "reorder-events",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(0), "{}", row.stdout);
    assert_eq!(row.outcome["state"], "Ended");
    assert_eq!(row.outcome["ended_by"], "local");
    assert!(
        seen.iter().any(|r| r.contains("stopAudioVideo")),
        "hung up with the link from the late audioVideo event: {seen:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn out_of_order_failure_is_still_reported() {
    let (row, _) = with_fault(
        "out-of-order decline",
        "reorder-events",
        "sip:bob@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(1), "{}", row.stdout);
    assert_eq!(row.outcome["error"]["subcode"], "Declined");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_events_are_tolerated() {
    let (row, _) = with_fault(
        "unknown events, extra fields",
        "unknown-events",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(0), "{}", row.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_loop() {
    let (row, _) = with_fault(
        "discovery redirect loop",
        "redirect-loop",
        "sip:alice@contoso.com",
    )
    .await;
    assert_eq!(row.code, Some(3));
    assert!(message(&row).contains("redirect loop"), "{}", message(&row));
}

#[tokio::test(flavor = "multi_thread")]
async fn ringing_past_the_timeout_is_cancelled() {
    let mut config = fast_config();
    config.ring_timeout = Duration::from_secs(60);
    let sim = start_sim(config).await;
    let row = run_against(
        "carol rings past --timeout",
        sim.url.as_str(),
        "sip:carol@contoso.com",
        &[],
    )
    .await;
    assert_eq!(row.code, Some(1));
    assert_eq!(row.outcome["state"], "Cancelled");
    assert!(app_deleted(&seen(&sim)));
}
