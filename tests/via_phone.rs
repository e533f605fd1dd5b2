//! `avlaunch call --via-phone` (Call via Work) end to end: the real binary against the real
//! simulator over 127.0.0.1, in both wire formats: every outcome told apart in plain words,
//! the request as sent, hang-up with stopPhoneAudio, cancel while ringing, the validation
//! of numbers (nothing sent), and the hint when only Call via Work is offered.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use avlaunch::sim::faults::Faults;
use avlaunch::sim::{SimConfig, SimHandle};
use common::*;

const FORMATS: [&str; 2] = ["json", "xml"];
/// The simulator's demo number: your own phone, which never answers.
const UNANSWERED: &str = "+14255550100";

struct Run {
    out: std::process::Output,
    summary: serde_json::Value,
    lines: Vec<serde_json::Value>,
    requests: Vec<avlaunch::sim::SeenRequest>,
}

impl Run {
    fn posted(&self, suffix: &str) -> Vec<&avlaunch::sim::SeenRequest> {
        self.requests
            .iter()
            .filter(|r| r.method == "POST" && r.path_and_query.ends_with(suffix))
            .collect()
    }

    fn states(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter(|l| l["type"] == "state")
            .map(|l| l["state"].as_str().unwrap().to_string())
            .collect()
    }

    /// Whether an event showed the invitation calling the callee (`Alerting`).
    fn callee_called(&self) -> bool {
        self.lines.iter().any(|l| {
            l["type"] == "event" && l["rel"] == "phoneAudioInvitation" && l["state"] == "Alerting"
        })
    }

    fn message(&self) -> String {
        self.summary["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn app_deleted(&self) -> bool {
        self.requests
            .iter()
            .any(|r| r.method == "DELETE" && r.path_and_query.contains("/applications/"))
    }
}

async fn run_on(sim: &SimHandle, to: &str, format: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--output", "json", "--format", format];
    args.extend_from_slice(extra);
    let out = output(call_command(sim, to, &args)).await;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    Run {
        summary: summary(&out),
        out,
        lines,
        requests: sim.requests(),
    }
}

async fn run(config: SimConfig, to: &str, format: &str, extra: &[&str]) -> Run {
    let sim = start_sim(config).await;
    run_on(&sim, to, format, extra).await
}

#[tokio::test]
async fn alice_answers_through_your_phone_and_stop_phone_audio_hangs_up() {
    for format in FORMATS {
        let r = run(
            fast_config(),
            "alice@contoso.com",
            format,
            &[
                "--via-phone",
                "+1 (425) 555-1234",
                "--hangup-after",
                "0",
                "--subject",
                "Budget",
                "--importance",
                "urgent",
                "--thread-id",
                "thread42",
                "--operation-id",
                "op-phone-1",
            ],
        )
        .await;
        assert_eq!(r.out.status.code(), Some(0), "{format}: {:?}", r.summary);
        assert_eq!(r.summary["state"], "Ended");
        assert_eq!(r.summary["ended_by"], "local");
        assert_eq!(r.summary["operation_id"], "op-phone-1");
        assert!(r.summary["invitation"]
            .as_str()
            .unwrap()
            .contains("phoneAudioInvitations"));
        // Both legs: your phone (Connecting), then the callee (Alerting), then joined.
        let states = r.states();
        assert_eq!(
            states.first().map(String::as_str),
            Some("Connecting"),
            "{format}"
        );
        assert_eq!(
            states.last().map(String::as_str),
            Some("Connected"),
            "{format}"
        );
        assert!(r.callee_called(), "{format}");
        let start = r.posted("/startPhoneAudio");
        assert_eq!(start.len(), 1, "{format}: {:#?}", r.requests);
        let body = &start[0].body;
        for sent in [
            "tel:+14255551234",
            "sip:alice@contoso.com",
            "op-phone-1",
            "Urgent",
            "Budget",
            "thread42",
        ] {
            assert!(body.contains(sent), "{format}: {sent} not in {body}");
        }
        for never in ["mediaOffer", "sessionContext", "joinAudioMuted"] {
            assert!(!body.contains(never), "{format}: {never} in {body}");
        }
        assert!(r.posted("/startAudioVideo").is_empty());
        let stop = r.posted("/stopPhoneAudio");
        assert_eq!(stop.len(), 1, "{format}: {:#?}", r.requests);
        assert!(stop[0].body.is_empty(), "stopPhoneAudio has no input");
        assert!(r.app_deleted());
    }
}

#[tokio::test]
async fn each_failure_is_told_apart_in_plain_words() {
    // (to, your phone, exit, subcode, words, whether the callee was called)
    let cases = [
        (
            "sip:alice@contoso.com",
            UNANSWERED,
            "PstnCallFailed",
            "your phone did not answer",
            false,
        ),
        (
            "sip:bob@contoso.com",
            "+14255551234",
            "Declined",
            "the callee declined the call",
            true,
        ),
        (
            "sip:carol@contoso.com",
            "+14255551234",
            "Timeout",
            "the callee did not answer",
            true,
        ),
        (
            "sip:nobody@contoso.com",
            "4255551234",
            "DestinationNotFound",
            "the callee does not exist",
            true,
        ),
    ];
    for format in FORMATS {
        for (to, phone, subcode, words, callee_called) in cases {
            let r = run(fast_config(), to, format, &["--via-phone", phone]).await;
            assert_eq!(
                r.out.status.code(),
                Some(1),
                "{format} {to}: {:?}",
                r.summary
            );
            assert_eq!(r.summary["state"], "Failed");
            assert_eq!(r.summary["error"]["kind"], "Invitation");
            assert_eq!(r.summary["error"]["subcode"], subcode, "{format} {to}");
            assert!(
                r.message().contains(words),
                "{format} {to}: {}",
                r.message()
            );
            assert_eq!(r.callee_called(), callee_called, "{format} {to}");
            assert!(r.app_deleted());
        }
    }
    // The same words in the text output, on the result line.
    let sim = start_sim(fast_config()).await;
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--via-phone", UNANSWERED],
    ))
    .await;
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("ringing your phone (+1 425 555 0100)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("result: Failed — your phone did not answer"),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_ringing_call_via_work_is_cancelled_at_the_timeout() {
    for format in FORMATS {
        let config = SimConfig {
            ring_timeout: Duration::from_secs(60),
            ..fast_config()
        };
        let r = run(
            config,
            "sip:carol@contoso.com",
            format,
            &["--via-phone", "+14255551234", "--timeout", "1"],
        )
        .await;
        assert_eq!(r.out.status.code(), Some(1), "{format}: {:?}", r.summary);
        assert_eq!(r.summary["state"], "Cancelled");
        assert_eq!(r.posted("/cancel").len(), 1, "{format}: {:#?}", r.requests);
        assert!(r.posted("/stopPhoneAudio").is_empty());
        assert!(r.app_deleted());
    }
}

#[tokio::test]
async fn only_call_via_work_offered_a_plain_call_is_told_to_use_via_phone() {
    for format in FORMATS {
        let config = SimConfig {
            faults: Faults::parse("no-av-link").unwrap(),
            ..fast_config()
        };
        let sim = start_sim(config).await;
        let plain = run_on(&sim, "sip:alice@contoso.com", format, &[]).await;
        assert_eq!(plain.out.status.code(), Some(3), "{:?}", plain.summary);
        assert!(
            plain.message().contains("--via-phone NUMBER"),
            "{}",
            plain.message()
        );
        assert!(plain.app_deleted());
        let phone = run_on(
            &sim,
            "tel:+1 425 555 9876",
            format,
            &["--via-phone", "+14255551234", "--hangup-after", "0"],
        )
        .await;
        assert_eq!(phone.out.status.code(), Some(0), "{:?}", phone.summary);
        let start = phone.posted("/startPhoneAudio");
        assert!(
            start[0].body.contains("tel:+14255559876"),
            "{}",
            start[0].body
        );
    }
    // Neither link: Call via Work is not available to this account.
    let config = SimConfig {
        faults: Faults::parse("no-calling").unwrap(),
        ..fast_config()
    };
    let r = run(
        config,
        "sip:alice@contoso.com",
        "json",
        &["--via-phone", "+14255551234"],
    )
    .await;
    assert_eq!(r.out.status.code(), Some(3));
    assert!(
        r.message()
            .contains("Call via Work is not available to this account"),
        "{}",
        r.message()
    );
}

#[tokio::test]
async fn an_extension_is_sent_as_digits_and_the_wire_log_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("call.har");
    let r = run(
        fast_config(),
        "sip:alice@contoso.com",
        "json",
        &[
            "--via-phone",
            "55-12",
            "--hangup-after",
            "0",
            "--har",
            har.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(r.out.status.code(), Some(0), "{:?}", r.summary);
    let body = &r.posted("/startPhoneAudio")[0].body;
    assert!(body.contains("5512") && !body.contains("tel:"), "{body}");
    let log = std::fs::read_to_string(&har).unwrap();
    assert!(log.contains("startPhoneAudio") && log.contains("stopPhoneAudio"));
}

#[tokio::test]
async fn bad_numbers_and_audio_video_fields_are_refused_before_anything_is_sent() {
    let long = "1".repeat(21);
    /// The options given, and each (flag, words) expected in the refusal.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);
    let cases: [Case; 6] = [
        (&["--via-phone", "1"], &[("--via-phone", "at least 2")]),
        (
            &["--via-phone", &long],
            &[("--via-phone", "the limit is 20")],
        ),
        (
            &["--via-phone", "425-CALL-NOW"],
            &[("--via-phone", "contains 'C'")],
        ),
        (
            &["--via-phone", "1+2"],
            &[("--via-phone", "'+' that is not at the start")],
        ),
        (&["--via-phone", ""], &[("--via-phone", "required")]),
        (
            &[
                "--via-phone",
                "+14255551234",
                "--media-offer",
                "offer.sdp",
                "--session-context",
                "x",
                "--audio-muted",
                "true",
                "--video-muted",
                "false",
            ],
            &[
                ("--session-context", "does not apply to Call via Work"),
                ("--media-offer", "does not apply to Call via Work"),
                ("--audio-muted", "does not apply to Call via Work"),
                ("--video-muted", "does not apply to Call via Work"),
            ],
        ),
    ];
    let sim = start_sim(fast_config()).await;
    for (extra, expected) in cases {
        let mut args = vec!["--output", "json"];
        args.extend_from_slice(extra);
        let out = output(call_command(&sim, "sip:alice@contoso.com", &args)).await;
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let s = summary(&out);
        assert_eq!(s["error"]["kind"], "InvalidInput");
        let fields = s["error"]["fields"].as_array().unwrap();
        assert_eq!(fields.len(), expected.len(), "{extra:?}: {fields:?}");
        for ((flag, words), got) in expected.iter().zip(fields) {
            assert_eq!(got["flag"], *flag, "{extra:?}");
            assert!(
                got["message"].as_str().unwrap().contains(words),
                "{extra:?}: {got}"
            );
        }
    }
    // A tel: callee is for Call via Work only, and must be E.164.
    for (to, extra) in [
        ("tel:+14255559876", &[][..]),
        ("tel:4255559876", &["--via-phone", "+14255551234"][..]),
    ] {
        let mut args = vec!["--output", "json"];
        args.extend_from_slice(extra);
        let out = output(call_command(&sim, to, &args)).await;
        assert_eq!(out.status.code(), Some(2), "{to}");
        assert_eq!(summary(&out)["error"]["fields"][0]["flag"], "--to");
    }
    assert!(
        seen(&sim).is_empty(),
        "nothing may be sent: {:?}",
        seen(&sim)
    );
}

/// For audio/video calls with a media offer: the far end's answer summarised on the summary
/// line and saved with --save-answer; --save-answer needs an offer.
#[tokio::test]
async fn the_media_answer_is_summarised_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("answer.sdp");
    let offer = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/sdp/lync-audio-video.sdp"
    );
    for format in FORMATS {
        let r = run(
            fast_config(),
            "sip:alice@contoso.com",
            format,
            &[
                "--media-offer",
                offer,
                "--save-answer",
                saved.to_str().unwrap(),
                "--hangup-after",
                "0",
            ],
        )
        .await;
        assert_eq!(r.out.status.code(), Some(0), "{format}: {:?}", r.summary);
        let answer = &r.summary["media_answer"];
        assert!(
            answer.is_object(),
            "{format}: {}",
            String::from_utf8_lossy(&r.out.stdout)
        );
        assert_eq!(
            answer["candidate_types"],
            serde_json::json!(["host", "relay"])
        );
        assert_eq!(
            answer["relays"],
            serde_json::json!(["192.0.2.10:3478", "192.0.2.10:3479"])
        );
        assert_eq!(answer["media"][0]["media"], "audio");
        assert_eq!(
            answer["media"][0]["answered"],
            serde_json::json!(["PCMU", "telephone-event"])
        );
        assert!(
            !answer["media"][0]["offered"].as_array().unwrap().is_empty(),
            "{answer}"
        );
        let sdp = std::fs::read_to_string(&saved).unwrap();
        assert!(sdp.starts_with("v=0") && sdp.contains("typ relay"), "{sdp}");
        std::fs::remove_file(&saved).unwrap();
    }
    let sim = start_sim(fast_config()).await;
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--save-answer", saved.to_str().unwrap()],
    ))
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(seen(&sim).is_empty());
}
