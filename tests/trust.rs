//! The trust boundaries, each against a hostile server over real sockets:
//! 1. the bearer token goes only to the pool's origin,
//! 2. no proxy sees loopback traffic, and proxies are honoured otherwise,
//! 3. redaction by structure, echoed secrets scrubbed,
//! 4. nothing a server sends drives the terminal,
//! 5. token renewal paces itself.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use avlaunch::sim::faults::Faults;
use avlaunch::sim::{SimConfig, SimHandle};
use common::*;

const FORMATS: [&str; 2] = ["json", "xml"];

/// A raw HTTP server that records every request head it gets and answers each with
/// `answer` (a whole response); the stand-in for another origin, or for a proxy.
struct Recorder {
    port: u16,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn start(answer: &'static str) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).into_owned());
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        Recorder { port, heads }
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

const NOT_FOUND: &str = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

fn config(faults: &str) -> SimConfig {
    let mut config = fast_config();
    config.faults = Faults::parse(faults).unwrap();
    config
}

async fn run(sim: &SimHandle, to: &str, extra: &[&str]) -> Output {
    output(call_command(sim, to, extra)).await
}

fn deleted_on_the_pool(sim: &SimHandle) -> bool {
    seen(sim).iter().any(|r| {
        r.starts_with("DELETE ") && r.contains("/applications/") && !r.contains("/communication")
    })
}

// ---------------------------------------------------------------------------------------
// 1. The bearer token goes only to the pool's origin.

/// One kind of href on another origin: nothing reaches that origin with the token, the
/// call ends as a protocol error naming the refusal, and the application is deleted.
async fn foreign(kind: &str, to: &str, sim_config: SimConfig, extra: &[&str]) {
    for format in FORMATS {
        let other = Recorder::start(NOT_FOUND);
        let mut config = sim_config.clone();
        config.faults.foreign_link =
            Faults::parse(&format!("foreign-link={kind}@{}", other.origin()))
                .unwrap()
                .foreign_link;
        let sim = start_sim(config).await;
        let mut args = vec!["--format", format, "--output", "json"];
        args.extend_from_slice(extra);
        let out = run(&sim, to, &args).await;
        let (stdout, stderr) = text(&out);
        let with_token: Vec<String> = other
            .heads()
            .into_iter()
            .filter(|h| h.to_ascii_lowercase().contains("authorization:"))
            .collect();
        assert!(
            with_token.is_empty(),
            "{kind}/{format}: the other origin got the token: {with_token:?}"
        );
        assert!(
            other.heads().is_empty(),
            "{kind}/{format}: the other origin was contacted: {:?}",
            other.heads()
        );
        let summary = summary(&out);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{kind}/{format}: {stdout}{stderr}"
        );
        assert_eq!(
            summary["error"]["kind"], "Protocol",
            "{kind}/{format}: {summary}"
        );
        let message = summary["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("another origin") && message.contains(&other.origin()),
            "{kind}/{format}: {message}"
        );
        assert!(
            deleted_on_the_pool(&sim),
            "{kind}/{format}: {:#?}",
            seen(&sim)
        );
        assert_eq!(sim.live_applications(), 0, "{kind}/{format}");
        sim.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_events_next_link_to_another_origin_is_refused() {
    foreign(
        "next",
        "sip:alice@contoso.com",
        fast_config(),
        &["--hangup-after", "0"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resync_link_to_another_origin_is_refused() {
    foreign(
        "resync",
        "sip:alice@contoso.com",
        config("resync-once"),
        &["--hangup-after", "0"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_applications_events_link_to_another_origin_is_refused() {
    foreign(
        "events",
        "sip:alice@contoso.com",
        fast_config(),
        &["--hangup-after", "0"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_application_claiming_another_origin_is_refused() {
    foreign(
        "self",
        "sip:alice@contoso.com",
        fast_config(),
        &["--hangup-after", "0"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_start_audio_video_link_to_another_origin_is_refused() {
    foreign(
        "startAudioVideo",
        "sip:alice@contoso.com",
        fast_config(),
        &["--hangup-after", "0"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_location_on_another_origin_is_refused() {
    foreign(
        "location",
        "sip:alice@contoso.com",
        fast_config(),
        &["--hangup-after", "0"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_to_another_origin_is_refused() {
    foreign(
        "redirect",
        "sip:alice@contoso.com",
        fast_config(),
        &["--hangup-after", "0"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hang_up_links_to_another_origin_are_refused() {
    // stopAudioVideo first; leaving the conversation is the fallback: both elsewhere.
    foreign(
        "stopAudioVideo+conversation",
        "sip:alice@contoso.com",
        fast_config(),
        &["--hangup-after", "0"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancel_link_to_another_origin_is_refused() {
    let mut config = fast_config();
    config.ring_timeout = Duration::from_secs(30);
    foreign(
        "cancel",
        "sip:carol@contoso.com",
        config,
        &["--timeout", "1"],
    )
    .await;
}
