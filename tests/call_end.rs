//! How a call's progress and end are reported: invitation states only go forwards, and a
//! hang-up counts as clean only when something confirmed it.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use avlaunch::sim::faults::Faults;
use common::*;

fn rank(state: &str) -> u8 {
    match state {
        "Connecting" => 1,
        "Alerting" => 2,
        "Connected" => 3,
        _ => 4,
    }
}

/// The invitation's GET copy is read while the events before it are still on their way:
/// the states reported must still come in the order the server produced them.
#[tokio::test(flavor = "multi_thread")]
async fn invitation_states_never_go_backwards() {
    for format in ["json", "xml"] {
        for _ in 0..3 {
            let mut config = fast_config();
            config.answer_delay = Duration::from_millis(200);
            let sim = start_sim(config).await;
            let out = output(call_command(
                &sim,
                "sip:alice@contoso.com",
                &[
                    "--output",
                    "json",
                    "--format",
                    format,
                    "--hangup-after",
                    "0",
                ],
            ))
            .await;
            let (stdout, stderr) = text(&out);
            assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
            let states: Vec<String> = stdout
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter(|v| v["type"] == "state")
                .map(|v| v["state"].as_str().unwrap_or_default().to_string())
                .collect();
            assert_eq!(
                states.last().map(String::as_str),
                Some("Connected"),
                "{format}: {states:?}"
            );
            assert!(
                states.windows(2).all(|w| rank(&w[0]) < rank(&w[1])),
                "{format}: states went backwards or repeated: {states:?}"
            );
        }
    }
}

fn stalled_hang_up() -> avlaunch::sim::SimConfig {
    let mut config = fast_config();
    config.faults = Faults::parse("stall=hang-up:6000").unwrap();
    config
}

/// stopAudioVideo gets no answer and nothing shows the call end: not a clean hang-up.
#[tokio::test(flavor = "multi_thread")]
async fn a_hang_up_that_got_no_answer_is_not_confirmed() {
    let sim = start_sim(stalled_hang_up()).await;
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--output", "json", "--hangup-after", "0"],
    ))
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    let s = summary(&out);
    assert_eq!(s["state"], "Connected", "{s}");
    assert_eq!(s["ended_by"], serde_json::Value::Null, "{s}");
    let message = s["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message
            .starts_with("the hang-up was not confirmed: stopAudioVideo got no answer within 2 s"),
        "{message}"
    );
    // The hang-up step is not marked done.
    assert!(s["timings_ms"].get("hang_up").is_none(), "{s}");
    // The application is still deleted.
    assert!(
        seen(&sim).iter().any(|r| r.starts_with("DELETE ")),
        "{:#?}",
        seen(&sim)
    );

    // In text: no "talked to … (exit 0)".
    let sim = start_sim(stalled_hang_up()).await;
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--hangup-after", "0"],
    ))
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(!stdout.contains("talked to"), "{stdout}");
    assert!(
        stdout.contains("result: Connected — the hang-up was not confirmed"),
        "{stdout}"
    );
}

/// The same stall, but the far end hangs up meanwhile: the call is known to be over.
#[tokio::test(flavor = "multi_thread")]
async fn an_unanswered_hang_up_is_fine_when_the_far_end_is_gone() {
    let sim = start_sim(stalled_hang_up()).await;
    let out = output(call_command(
        &sim,
        "sip:dave@contoso.com",
        &["--output", "json", "--hangup-after", "0"],
    ))
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let s = summary(&out);
    assert_eq!(s["state"], "Ended", "{s}");
}
