//! `avlaunch call --repeat N`: N calls on one application, the stats line, exit codes and
//! the JUnit report, with the real binary against the simulator's flaky contact.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use avlaunch::sim::{Faults, SimConfig, SimHandle};
use common::{call_command, output, start_sim};
use serde_json::Value;

async fn flaky_sim(n: u32) -> SimHandle {
    start_sim(SimConfig {
        faults: Faults::parse(&format!("flaky={n}")).unwrap(),
        ..common::fast_config()
    })
    .await
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn five_calls_to_the_flaky_contact_count_each_outcome_on_one_application() {
    let sim = flaky_sim(2).await;
    let out = output(call_command(
        &sim,
        "sip:flaky@contoso.com",
        &["--repeat", "5", "--hangup-after", "0", "--output", "json"],
    ))
    .await;
    let lines = lines(&out);
    assert_eq!(lines.len(), 6, "{lines:#?}");
    for (i, l) in lines[..5].iter().enumerate() {
        assert_eq!(l["type"], "summary");
        assert_eq!(l["call"], i as u64 + 1);
    }
    // flaky=2: the first call fails, then every 2nd after it: 1, 3, 5.
    let failed: Vec<u64> = lines[..5]
        .iter()
        .filter(|l| l["outcome"] != "Connected")
        .map(|l| l["call"].as_u64().unwrap())
        .collect();
    assert_eq!(failed, [1, 3, 5], "{lines:#?}");
    let stats = &lines[5];
    assert_eq!(stats["type"], "stats");
    assert_eq!(stats["calls"], 5);
    assert_eq!(
        stats["outcomes"],
        serde_json::json!({"Connected": 2, "Failed/RemoteFailure/TemporarilyUnavailable": 3})
    );
    let s = &stats["setup_ms"];
    for k in ["min", "p50", "p95", "max"] {
        assert!(s[k].is_u64(), "{stats}");
    }
    assert!(s["min"].as_u64() <= s["p50"].as_u64() && s["p50"].as_u64() <= s["max"].as_u64());
    assert_eq!(stats["exit_code"], 1);
    assert_eq!(out.status.code(), Some(1));
    // Open once, call five times, close once.
    let seen = common::seen(&sim);
    let created = seen
        .iter()
        .filter(|r| {
            r.starts_with("POST /ucwa/oauth/v1/applications") && !r.contains("/communication")
        })
        .count();
    let deleted = seen
        .iter()
        .filter(|r| {
            r.starts_with("DELETE /ucwa/oauth/v1/applications/") && !r.contains("/communication")
        })
        .count();
    let started = seen
        .iter()
        .filter(|r| r.contains("startAudioVideo"))
        .count();
    assert_eq!((created, started, deleted), (1, 5, 1), "{seen:#?}");
    assert_eq!(sim.live_applications(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_call_connected_exits_0_and_the_junit_report_counts_the_calls() {
    let sim = flaky_sim(3).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.xml");
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &[
            "--repeat",
            "3",
            "--hangup-after",
            "0",
            "--junit",
            file.to_str().unwrap(),
        ],
    ))
    .await;
    let (stdout, _) = common::text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("call ")).count(),
        3,
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("stats: 3 calls: Connected 3"),
        "{stdout}"
    );
    let xml = std::fs::read_to_string(&file).unwrap();
    assert!(xml.contains(r#"tests="3" failures="0""#), "{xml}");
    assert_xml_counts(&xml, 3, 0);

    // The flaky contact: junit names the failures.
    let flaky = flaky_sim(3).await;
    let out = output(call_command(
        &flaky,
        "sip:flaky@contoso.com",
        &[
            "--repeat",
            "4",
            "--hangup-after",
            "0",
            "--junit",
            file.to_str().unwrap(),
        ],
    ))
    .await;
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(&file).unwrap();
    assert_xml_counts(&xml, 4, 2);
    assert!(xml.contains("TemporarilyUnavailable"), "{xml}");
}

fn assert_xml_counts(xml: &str, cases: usize, failures: usize) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut c, mut f) = (0, 0);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testcase" => c += 1,
                    b"failure" => f += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!((c, f), (cases, failures), "{xml}");
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_repeat_and_interval_are_refused_before_anything_is_sent() {
    let sim = flaky_sim(3).await;
    for extra in [
        &["--repeat", "0"][..],
        &["--repeat", "10001"],
        &["--repeat", "x"],
        &["--repeat", "2", "--interval", "-1"],
        &["--interval", "1"],
        &["--repeat", "2", "--har", "/tmp/x.har"],
        &["--junit", "/tmp/x.xml"],
    ] {
        let out = output(call_command(&sim, "sip:alice@contoso.com", extra)).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{extra:?}: {:?}",
            common::text(&out)
        );
    }
    assert!(common::seen(&sim).is_empty());
    // Piped stderr: no progress bar.
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--repeat", "2", "--hangup-after", "0"],
    ))
    .await;
    let (_, stderr) = common::text(&out);
    assert!(!stderr.contains('█') && !stderr.contains('\r'), "{stderr}");
}

/// With no call connected the text stats line says so in words (no JSON `null`), and one
/// call is "1 call"; the JSON stats line keeps its `null` set-up times.
#[tokio::test(flavor = "multi_thread")]
async fn the_stats_line_of_calls_that_never_connect_speaks_plainly() {
    let sim = start_sim(common::fast_config()).await;
    let out = output(call_command(
        &sim,
        "sip:bob@contoso.com",
        &["--repeat", "1"],
    ))
    .await;
    let (stdout, stderr) = common::text(&out);
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("stats: 1 call: ")
            && last.contains("; no call connected, so no set-up times (exit "),
        "{stdout}{stderr}"
    );
    assert!(!stdout.contains("null"), "{stdout}");

    let out = output(call_command(
        &sim,
        "sip:bob@contoso.com",
        &["--repeat", "2", "--output", "json"],
    ))
    .await;
    let stats = common::summary(&out);
    assert_eq!(stats["type"], "stats");
    assert_eq!(stats["calls"], 2);
    assert!(stats["setup_ms"]["p50"].is_null(), "{stats}");
}
