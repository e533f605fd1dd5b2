//! Bad input never reaches the server: exit 2, every problem named, no request seen.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn each_invalid_field_is_refused_before_anything_is_sent() {
    let sim = start_sim(fast_config()).await;
    let long_subject = "s".repeat(251);
    let long_context = "c".repeat(51);
    let long_opid = "o".repeat(51);
    let dir = tempfile::tempdir().unwrap();
    let not_sdp = dir.path().join("notes.txt");
    std::fs::write(&not_sdp, "hello").unwrap();
    let not_sdp = not_sdp.to_string_lossy().into_owned();
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "bob",
            vec![],
            "--to: 'bob' is not a sip: URI (expected sip:user@host)",
        ),
        ("sip:@contoso.com", vec![], "--to: "),
        (
            "sip:alice@contoso.com",
            vec!["--subject", &long_subject],
            "--subject: 251 characters, the limit is 250",
        ),
        (
            "sip:alice@contoso.com",
            vec!["--session-context", &long_context],
            "--session-context: 51 characters, the limit is 50",
        ),
        (
            "sip:alice@contoso.com",
            vec!["--operation-id", &long_opid],
            "--operation-id: 51 characters, the limit is 50",
        ),
        (
            "sip:alice@contoso.com",
            vec!["--importance", "High"],
            "--importance: 'High' is not one of Normal, Urgent, Emergency",
        ),
        (
            "sip:alice@contoso.com",
            vec!["--media-offer", "/nonexistent/offer.sdp"],
            "--media-offer: cannot read",
        ),
        (
            "sip:alice@contoso.com",
            vec!["--media-offer", &not_sdp],
            "does not look like SDP",
        ),
    ];
    for (to, extra, expected) in cases {
        let out = output(call_command(&sim, to, &extra)).await;
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{to} {extra:?}: {stderr}");
        assert!(stderr.contains(expected), "{to} {extra:?}: {stderr}");
        assert!(stderr.contains("nothing was sent"), "{stderr}");
    }
    assert!(
        sim.requests().is_empty(),
        "the simulator saw {:#?}",
        seen(&sim)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn all_problems_are_reported_at_once() {
    let sim = start_sim(fast_config()).await;
    let subject = "x".repeat(300);
    let out = output(call_command(
        &sim,
        "bob",
        &["--subject", &subject, "--importance", "Loud"],
    ))
    .await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("to: ")
            && stderr.contains("subject: 300 characters")
            && stderr.contains("importance: "),
        "{stderr}"
    );
    assert!(sim.requests().is_empty());
}

#[test]
fn plain_http_is_refused_for_non_loopback_hosts() {
    let out = common::avlaunch()
        .args([
            "call",
            "--server",
            "http://lyncdiscover.contoso.com",
            "--user",
            "a@contoso.com",
            "--to",
            "sip:alice@contoso.com",
        ])
        .envs(common::home_env())
        .env("AVLAUNCH_PASSWORD", "x")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("refusing plain http:// to lyncdiscover.contoso.com"),
        "{stderr}"
    );
}

#[test]
fn a_deployment_needs_a_user() {
    let out = common::avlaunch()
        .args([
            "call",
            "--server",
            "https://lyncdiscover.contoso.com",
            "--to",
            "sip:alice@contoso.com",
        ])
        .envs(common::home_env())
        .env("AVLAUNCH_PASSWORD", "x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--user: required"));
}
