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
    let mut cmd = common::avlaunch();
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

/// One simulator fault and what must come of it. Every field but the first five is
/// optional: `None` or empty means "not checked".
struct Case {
    name: &'static str,
    fault: &'static str,
    to: &'static str,
    /// The contact rings for a minute (so `--timeout` or the fault ends the call first).
    long_ring: bool,
    exit: i32,
    state: Option<&'static str>,
    ended_by: Option<&'static str>,
    status: Option<u16>,
    subcode: Option<&'static str>,
    /// Fragments of the summary's `error.message`.
    message: &'static [&'static str],
    message_ends_with: Option<&'static str>,
    /// Fragments of stdout (the JSON lines, notices included).
    stdout: &'static [&'static str],
    /// Whether a `DELETE …/applications/…` was seen.
    app_deleted: Option<bool>,
    /// How many requests the simulator saw whose line contains this text.
    requests: &'static [(&'static str, usize)],
    /// Anything else, over the run and the requests the simulator saw.
    check: fn(&Row, &[String]) -> Result<(), String>,
}

const CASE: Case = Case {
    name: "",
    fault: "",
    to: "sip:alice@contoso.com",
    long_ring: false,
    exit: 0,
    state: None,
    ended_by: None,
    status: None,
    subcode: None,
    message: &[],
    message_ends_with: None,
    stdout: &[],
    app_deleted: None,
    requests: &[],
    check: |_, _| Ok(()),
};

const CASES: &[Case] = &[
    Case {
        name: "stall at token (10 s)",
        fault: "stall=token:10000",
        exit: 3,
        message: &["within the 3 s timeout"],
        app_deleted: Some(false),
        ..CASE
    },
    Case {
        name: "stall at startAudioVideo",
        fault: "stall=start-audio-video:10000",
        exit: 3,
        message: &["placing the call"],
        app_deleted: Some(true),
        ..CASE
    },
    Case {
        name: "stall at delete",
        fault: "stall=delete:10000",
        exit: 0,
        stdout: &["could not delete the application"],
        ..CASE
    },
    Case {
        name: "truncated application body",
        fault: "truncated-body",
        exit: 3,
        message: &["creating the application"],
        app_deleted: Some(true),
        ..CASE
    },
    Case {
        name: "proxy 502 HTML page",
        fault: "proxy-502-html",
        exit: 3,
        status: Some(502),
        message: &["a proxy or the web server answered"],
        ..CASE
    },
    Case {
        name: "503 Retry-After: 1",
        fault: "status-503-retry-after=1",
        exit: 0,
        stdout: &["retrying after 1 s"],
        requests: &[("startAudioVideo", 2)],
        ..CASE
    },
    Case {
        name: "503 Retry-After: <date>",
        fault: "status-503-retry-date=1",
        exit: 0,
        stdout: &["the server is busy (503); retrying after"],
        requests: &[("startAudioVideo", 2)],
        ..CASE
    },
    Case {
        name: "503 Retry-After: 30",
        fault: "status-503-retry-after=30",
        exit: 3,
        message: &[
            "the server asked to wait 3",
            " s before retrying (Retry-After), longer than the ",
        ],
        message_ends_with: Some(" s allowed (what remains of --timeout)"),
        requests: &[("startAudioVideo", 1), ("DELETE ", 1)],
        app_deleted: Some(true),
        ..CASE
    },
    Case {
        name: "503 Retry-After: <date +30s>",
        fault: "status-503-retry-date=30",
        exit: 3,
        message: &[
            "the server asked to wait 3",
            " s before retrying (Retry-After), longer than the ",
        ],
        message_ends_with: Some(" s allowed (what remains of --timeout)"),
        requests: &[("startAudioVideo", 1), ("DELETE ", 1)],
        app_deleted: Some(true),
        ..CASE
    },
    Case {
        name: "401 mid-call (token expired)",
        fault: "expire-token-once",
        exit: 0,
        stdout: &["signing in again"],
        ..CASE
    },
    Case {
        name: "event channel 404 (app gone)",
        fault: "events-gone",
        exit: 0,
        stdout: &["creating a new one"],
        check: |_, seen| {
            let created = seen
                .iter()
                .filter(|r| r.starts_with("POST ") && r.ends_with("/applications"))
                .count();
            (created == 2)
                .then_some(())
                .ok_or(format!("{created} applications created, expected 2"))
        },
        ..CASE
    },
    Case {
        name: "resync",
        fault: "resync-once",
        exit: 0,
        stdout: &["resync"],
        ..CASE
    },
    Case {
        name: "resume while ringing",
        fault: "resume-once",
        to: "sip:carol@contoso.com",
        long_ring: true,
        exit: 3,
        message: &["resume"],
        app_deleted: Some(true),
        ..CASE
    },
    Case {
        name: "duplicated events",
        fault: "duplicate-events",
        exit: 0,
        check: |row, seen| {
            let started = row
                .stdout
                .lines()
                .filter(|l| l.contains("\"kind\":\"started\""))
                .count();
            if started != 1 {
                return Err(format!("the replayed batch is shown {started} times"));
            }
            (seen.len() > 5)
                .then_some(())
                .ok_or(format!("only {} requests", seen.len()))
        },
        ..CASE
    },
    Case {
        name: "out-of-order events",
        fault: "reorder-events",
        exit: 0,
        state: Some("Ended"),
        ended_by: Some("local"),
        // Hung up with the link from the late audioVideo event.
        requests: &[("stopAudioVideo", 1)],
        ..CASE
    },
    Case {
        name: "out-of-order decline",
        fault: "reorder-events",
        to: "sip:bob@contoso.com",
        exit: 1,
        subcode: Some("Declined"),
        ..CASE
    },
    Case {
        name: "unknown events, extra fields",
        fault: "unknown-events",
        exit: 0,
        ..CASE
    },
    Case {
        name: "discovery redirect loop",
        fault: "redirect-loop",
        exit: 3,
        message: &["redirect loop"],
        ..CASE
    },
    Case {
        name: "carol rings past --timeout",
        to: "sip:carol@contoso.com",
        long_ring: true,
        exit: 1,
        state: Some("Cancelled"),
        app_deleted: Some(true),
        ..CASE
    },
];

/// What is wrong with one case's run, if anything (every check, not the first only).
async fn run_case(case: &Case) -> Vec<String> {
    let mut config = fast_config();
    if case.long_ring {
        config.ring_timeout = Duration::from_secs(60);
    }
    config.faults = Faults::parse(case.fault).unwrap();
    let sim = start_sim(config).await;
    let row = run_against(
        case.name,
        sim.url.as_str(),
        case.to,
        &["--hangup-after", "0"],
    )
    .await;
    let seen = seen(&sim);
    sim.shutdown().await;
    let mut wrong = Vec::new();
    let mut expect = |ok: bool, what: String| {
        if !ok {
            wrong.push(format!("{}: {what}", case.name));
        }
    };
    let o = &row.outcome;
    let text = message(&row);
    expect(
        row.code == Some(case.exit),
        format!(
            "exit {:?}, expected {}: {}{}",
            row.code, case.exit, row.stdout, row.stderr
        ),
    );
    for (field, want) in [("state", case.state), ("ended_by", case.ended_by)] {
        if let Some(want) = want {
            expect(
                o[field] == want,
                format!("{field} {}, expected {want}", o[field]),
            );
        }
    }
    if let Some(status) = case.status {
        expect(
            o["error"]["status"] == status,
            format!("status {}, expected {status}", o["error"]["status"]),
        );
    }
    if let Some(subcode) = case.subcode {
        expect(
            o["error"]["subcode"] == subcode,
            format!("subcode {}, expected {subcode}", o["error"]["subcode"]),
        );
    }
    for fragment in case.message {
        expect(
            text.contains(fragment),
            format!("message {text:?} lacks {fragment:?}"),
        );
    }
    if let Some(end) = case.message_ends_with {
        expect(
            text.ends_with(end),
            format!("message {text:?} does not end with {end:?}"),
        );
    }
    for fragment in case.stdout {
        expect(
            row.stdout.contains(fragment),
            format!("stdout lacks {fragment:?}: {}", row.stdout),
        );
    }
    if let Some(deleted) = case.app_deleted {
        expect(
            app_deleted(&seen) == deleted,
            format!(
                "application deleted: {}, expected {deleted}: {seen:#?}",
                !deleted
            ),
        );
    }
    for (pattern, count) in case.requests {
        let n = seen.iter().filter(|r| r.contains(pattern)).count();
        expect(
            n == *count,
            format!("{n} requests with {pattern:?}, expected {count}"),
        );
    }
    if let Err(e) = (case.check)(&row, &seen) {
        expect(false, e);
    }
    wrong
}

/// Every simulator fault of the table, four at a time (each has its own simulator and
/// process, and most of a case is waiting on a stall or the timeout); all failures reported
/// at once, in the table's order.
#[tokio::test(flavor = "multi_thread")]
async fn every_fault_ends_as_the_table_says() {
    use futures_util::stream::{self, StreamExt};
    let results: Vec<Vec<String>> = stream::iter(CASES)
        .map(run_case)
        .buffered(4)
        .collect()
        .await;
    let wrong: Vec<String> = results.into_iter().flatten().collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
