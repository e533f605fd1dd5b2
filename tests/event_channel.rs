//! The event channel on real networks: a proxy that cuts held P-GETs, a server that does
//! not hold them at all, and a channel that dies for good. The real binary against the
//! simulator's fault switches; requests are counted at the simulator.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use avlaunch::sim::faults::Faults;
use common::*;

async fn run(faults: &str, to: &str, extra: &[&str]) -> (std::process::Output, Vec<String>) {
    let mut config = fast_config();
    config.faults = Faults::parse(faults).unwrap();
    // carol rings until cancelled.
    config.ring_timeout = std::time::Duration::from_secs(60);
    let sim = start_sim(config).await;
    let mut args = vec!["--output", "json"];
    args.extend_from_slice(extra);
    let out = output(call_command(&sim, to, &args)).await;
    let seen = seen(&sim);
    (out, seen)
}

fn event_gets(seen: &[String]) -> Vec<&String> {
    seen.iter()
        .filter(|r| r.starts_with("GET ") && r.contains("/events"))
        .collect()
}

fn position(seen: &[String], what: impl Fn(&str) -> bool) -> Option<usize> {
    seen.iter().position(|r| what(r))
}

fn is_app_delete(r: &str) -> bool {
    r.starts_with("DELETE ") && r.ends_with(|c: char| c.is_ascii_digit())
}

/// A proxy cuts every P-GET held for half a second (as load balancers do after their idle
/// timeout): each is sent again with the same ack, and the call stays up until we hang up.
#[tokio::test(flavor = "multi_thread")]
async fn held_polls_cut_by_an_idle_timeout_do_not_end_the_call() {
    let (out, seen) = run(
        "cut-held-events=500",
        "sip:alice@contoso.com",
        &["--hangup-after", "5"],
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let s = summary(&out);
    assert_eq!(s["state"], "Ended", "{s}");
    assert_eq!(s["ended_by"], "local", "{s}");
    let gets = event_gets(&seen);
    // Five seconds of silence, cut every half second: many more cuts than the old limit of four.
    assert!(gets.len() >= 8, "{gets:#?}");
    // A cut P-GET is sent again with the same ack.
    let repeated = gets.windows(2).filter(|w| w[0] == w[1]).count();
    assert!(repeated >= 6, "{gets:#?}");
    let stop = position(&seen, |r| r.contains("stopAudioVideo")).expect("hung up");
    let delete = position(&seen, is_app_delete).expect("application deleted");
    assert!(stop < delete, "{seen:#?}");
}

/// A server that answers every P-GET at once, empty, is not hammered: quick empty answers
/// are spaced out (0.25 s, doubling up to a few seconds).
#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_holds_polls_is_not_hammered() {
    let (out, seen) = run(
        "empty-events",
        "sip:alice@contoso.com",
        &["--hangup-after", "3"],
    )
    .await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let gets = event_gets(&seen);
    // Three idle seconds at 0.25 + 0.5 + 1 + 2 s: a handful of P-GETs, not thousands.
    assert!(gets.len() >= 3, "{gets:#?}");
    assert!(gets.len() <= 20, "{} P-GETs", gets.len());
    assert_eq!(summary(&out)["ended_by"], "local");
}

/// Quick failures in a row end the channel; the call is hung up (connected) or cancelled
/// (ringing) before the application is deleted.
#[tokio::test(flavor = "multi_thread")]
async fn a_channel_that_fails_for_good_ends_the_call_before_the_application() {
    for (to, ends_call) in [
        ("sip:alice@contoso.com", "stopAudioVideo"),
        ("sip:carol@contoso.com", "/cancel"),
    ] {
        let (out, seen) = run("cut-held-events=50", to, &["--timeout", "20"]).await;
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(3), "{to}: {stdout}\n{stderr}");
        let s = summary(&out);
        assert!(
            s["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with("reading the event channel: "),
            "{to}: {s}"
        );
        let end = position(&seen, |r| r.starts_with("POST ") && r.contains(ends_call))
            .unwrap_or_else(|| panic!("{to}: no {ends_call}: {seen:#?}"));
        let delete = position(&seen, is_app_delete).expect("application deleted");
        assert!(end < delete, "{to}: {seen:#?}");
    }
}

/// A `resume` while the call rings says the server reset its conversations, but nothing
/// shows this invitation ended: it is cancelled before the application is deleted, as for
/// any channel that fails while ringing.
#[tokio::test(flavor = "multi_thread")]
async fn a_resume_while_ringing_cancels_the_invitation() {
    let (out, seen) = run("resume-once", "sip:carol@contoso.com", &["--timeout", "20"]).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    let s = summary(&out);
    let message = s["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("event channel resume"), "{s}");
    let cancel = position(&seen, |r| r.starts_with("POST ") && r.contains("/cancel"))
        .unwrap_or_else(|| panic!("no cancel: {seen:#?}"));
    let delete = position(&seen, is_app_delete).expect("application deleted");
    assert!(cancel < delete, "{seen:#?}");
}

/// A cancel nothing confirms (refused or unanswered, and no event shows the invitation
/// end) is not reported as a clean cancel: exit 3, saying the call may have rung on or
/// connected until the application was deleted. An accepted cancel stays a cancel.
#[tokio::test(flavor = "multi_thread")]
async fn a_cancel_nothing_confirms_is_not_a_clean_cancel() {
    let cases = [
        // alice answers unseen: the cancel is refused (the invitation completed).
        ("events-silent", "sip:alice@contoso.com", 3),
        (
            "events-silent,stall=cancel:10000",
            "sip:carol@contoso.com",
            3,
        ),
        // carol rings on: the cancel is accepted, no event needed.
        ("events-silent", "sip:carol@contoso.com", 1),
    ];
    // At once: each waits out its own --timeout and clean-up bound.
    let runs = cases.map(|(faults, to, _)| run(faults, to, &["--timeout", "2"]));
    let results = futures_util::future::join_all(runs).await;
    for ((faults, to, code), (out, seen)) in cases.into_iter().zip(results) {
        let (stdout, stderr) = text(&out);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{faults} {to}: {stdout}\n{stderr}"
        );
        let s = summary(&out);
        let message = s["error"]["message"].as_str().unwrap_or_default();
        assert_eq!(
            message.contains("the cancel was not confirmed"),
            code == 3,
            "{faults} {to}: {s}"
        );
        assert!(
            seen.iter().any(|r| is_app_delete(r)),
            "{faults} {to}: {seen:#?}"
        );
    }
}
