//! The trust boundaries, each against a hostile server over real sockets:
//! 1. the bearer token goes only to the pool's origin,
//! 2. no proxy sees loopback traffic, and proxies are honoured otherwise,
//! 3. redaction by structure, echoed secrets scrubbed,
//! 4. nothing a server sends drives the terminal,
//! 5. token renewal paces itself.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use avlaunch::sim::faults::Faults;
use avlaunch::sim::{SimConfig, SimHandle};
use common::tmux::{Tmux, SCREEN_DEADLINE};
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

// ---------------------------------------------------------------------------------------
// 3. Redaction by structure; echoed secrets scrubbed.

/// A path for a HAR file, removed when dropped, whether the test passes or not.
fn har_path(name: &str) -> tempfile::TempPath {
    tempfile::Builder::new()
        .prefix(&format!("avlaunch-trust-{name}-"))
        .suffix(".har")
        .tempfile()
        .unwrap()
        .into_temp_path()
}

fn read_and_remove(path: tempfile::TempPath) -> String {
    std::fs::read_to_string(&path).unwrap_or_default()
}

/// Password `demo`, a subject and a sign-in name that contain it: nothing of ours is
/// masked because it happens to contain the password's text; the password field is.
#[tokio::test(flavor = "multi_thread")]
async fn our_own_fields_are_never_masked_for_containing_the_password() {
    for format in FORMATS {
        let sim = start_sim(fast_config()).await;
        let har = har_path(&format!("fields-{format}"));
        let mut cmd = common::avlaunch();
        cmd.args([
            "call",
            "--server",
            sim.url.as_str(),
            "--user",
            "demo2@contoso.com",
        ])
        .args([
            "--to",
            "sip:alice@contoso.com",
            "--format",
            format,
            "--output",
            "json",
        ])
        .args([
            "--hangup-after",
            "0",
            "--subject",
            "Product demo for Fabrikam",
        ])
        .args(["--log-level", "debug", "--har"])
        .arg(&har)
        .env("AVLAUNCH_PASSWORD", PASSWORD)
        .env_remove("AVLAUNCH_TOKEN")
        .stdin(std::process::Stdio::null());
        let out = output(cmd).await;
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{format}: {stdout}{stderr}");
        let har = read_and_remove(har);
        assert!(har.contains("Product demo for Fabrikam"), "{format}: {har}");
        assert!(
            har.contains("username=demo2%40contoso.com"),
            "{format}: {har}"
        );
        assert!(har.contains("password=***"), "{format}: {har}");
        assert!(
            !har.contains("password=demo"),
            "{format}: the password field leaked"
        );
        for (name, stream) in [("har", &har), ("stdout", &stdout), ("stderr", &stderr)] {
            assert!(
                !stream.contains("Product *** for"),
                "{format}/{name}: {stream}"
            );
            assert!(!stream.contains("***2"), "{format}/{name}: {stream}");
        }
        // The simulator got the sign-in name as typed.
        assert!(sim
            .requests()
            .iter()
            .any(|r| r.body.contains("username=demo2%40contoso.com")));
        sim.shutdown().await;
    }
}

/// A 403 whose message and X-Ms-diagnostics quote the bearer token (its value, without the
/// `cwt=` that would give it away by shape): scrubbed in text, JSON, HAR and the log.
#[tokio::test(flavor = "multi_thread")]
async fn a_token_quoted_back_by_the_server_is_scrubbed_everywhere() {
    for format in FORMATS {
        for output_kind in ["text", "json"] {
            let sim = start_sim(config("echo-secrets")).await;
            let har = har_path(&format!("token-{format}-{output_kind}"));
            let mut cmd = call_command(
                &sim,
                "sip:alice@contoso.com",
                &[
                    "--format",
                    format,
                    "--output",
                    output_kind,
                    "--log-level",
                    "debug",
                ],
            );
            cmd.arg("--har").arg(&har);
            let out = output(cmd).await;
            let (stdout, stderr) = text(&out);
            let har = read_and_remove(har);
            let tokens = sim.issued_tokens();
            assert!(!tokens.is_empty());
            assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
            let all = format!("{stdout}\n{stderr}");
            assert!(all.contains("The token *** may not place calls"), "{all}");
            assert!(
                all.contains("Token *** refused"),
                "X-Ms-diagnostics is shown: {all}"
            );
            for token in &tokens {
                let bare = token.trim_start_matches("cwt=");
                for (name, stream) in [("har", &har), ("stdout", &stdout), ("stderr", &stderr)] {
                    assert!(
                        !stream.contains(bare),
                        "{format}/{output_kind}/{name} carries the token: {stream}"
                    );
                }
            }
            sim.shutdown().await;
        }
    }
}

/// A token endpoint that quotes the (wrong) password in its error and diagnostics.
#[tokio::test(flavor = "multi_thread")]
async fn a_password_quoted_back_by_the_token_endpoint_is_scrubbed_everywhere() {
    const WRONG: &str = "Tr0ub4dor&3";
    for output_kind in ["text", "json"] {
        let sim = start_sim(config("echo-secrets")).await;
        let har = har_path(&format!("password-{output_kind}"));
        let mut cmd = call_command(
            &sim,
            "sip:alice@contoso.com",
            &["--output", output_kind, "--log-level", "debug"],
        );
        cmd.env("AVLAUNCH_PASSWORD", WRONG).arg("--har").arg(&har);
        let out = output(cmd).await;
        let (stdout, stderr) = text(&out);
        let har = read_and_remove(har);
        assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
        let all = format!("{stdout}\n{stderr}");
        assert!(all.contains("the password '***' is wrong"), "{all}");
        assert!(har.contains("Wrong password *** for"), "{har}");
        for (name, stream) in [("har", &har), ("stdout", &stdout), ("stderr", &stderr)] {
            assert!(
                !stream.contains(WRONG),
                "{output_kind}/{name} carries the password: {stream}"
            );
            assert!(
                !stream.contains("Tr0ub4dor%263"),
                "{output_kind}/{name}: {stream}"
            );
        }
        sim.shutdown().await;
    }
}

// ---------------------------------------------------------------------------------------
// 5. Token renewal paces itself.

/// Tokens that claim to expire at once or within the renewal margin: one token request
/// for the whole call, not one before every request.
#[tokio::test(flavor = "multi_thread")]
async fn a_short_lived_token_is_not_fetched_again_before_every_request() {
    for secs in [0, 1, 30] {
        let sim = start_sim(config(&format!("token-expires-in={secs}"))).await;
        let out = run(&sim, "sip:alice@contoso.com", &["--hangup-after", "0.3"]).await;
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{secs}: {stdout}{stderr}");
        let token_requests = seen(&sim)
            .iter()
            .filter(|r| r.starts_with("POST /WebTicket/oauthtoken"))
            .count();
        let ucwa_requests = seen(&sim).iter().filter(|r| r.contains("/ucwa/")).count();
        assert!(ucwa_requests >= 5, "{:#?}", seen(&sim));
        assert_eq!(token_requests, 1, "expires_in {secs}: {:#?}", seen(&sim));
        sim.shutdown().await;
    }
}

// ---------------------------------------------------------------------------------------
// 4. Nothing a server sends drives the terminal.

/// Bytes that would drive a terminal: C0 controls but LF (and TAB), DEL, C1 in UTF-8, and
/// the bidi overrides and isolates in UTF-8.
fn terminal_controls(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.chars()
        .filter(|&c| {
            (c < ' ' && c != '\n' && c != '\t')
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

/// A decline reason (and error subcode) carrying ESC [2J, OSC 52, CR and a bidi override:
/// `--output text` shows them escaped, on stdout and stderr (the log included); JSON keeps
/// them as JSON escapes, and the value read back is the server's.
#[tokio::test(flavor = "multi_thread")]
async fn server_text_cannot_drive_the_terminal_in_text_or_json_output() {
    for format in FORMATS {
        let sim = start_sim(config("hostile-text")).await;
        let out = run(
            &sim,
            "sip:bob@contoso.com",
            &["--format", format, "--log-level", "info"],
        )
        .await;
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
        assert_eq!(
            terminal_controls(&out.stdout),
            Vec::<String>::new(),
            "{format}: {stdout}"
        );
        assert_eq!(
            terminal_controls(&out.stderr),
            Vec::<String>::new(),
            "{format}: {stderr}"
        );
        let mut visible = vec!["\\x0dDECLINED-OVERWRITE", "\\u{202e}lanigiro", "\\u{9b}31m"];
        if format == "json" {
            // XML cannot carry ESC or BEL at all (the reader refuses them).
            visible.extend(["\\x1b[2J", "\\x1b]52;c;", "\\x07", "Declined\\x1b[31m"]);
        }
        for visible in visible {
            assert!(stdout.contains(visible), "{format}: {visible} in {stdout}");
        }
        assert!(
            stderr.contains("call finished") && stderr.contains("\\u{202e}lanigiro"),
            "the log line: {stderr}"
        );

        let out = run(
            &sim,
            "sip:bob@contoso.com",
            &["--format", format, "--output", "json"],
        )
        .await;
        assert_eq!(terminal_controls(&out.stdout), Vec::<String>::new());
        let summary = summary(&out);
        let message = summary["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("\rDECLINED-OVERWRITE \u{202e}lanigiro"),
            "{message:?}"
        );
        sim.shutdown().await;
    }
}

/// The XML reader refuses every character XML 1.0 forbids, as a reference or raw.
#[test]
fn the_xml_reader_refuses_characters_xml_forbids() {
    let forbidden = (0u32..0x20)
        .filter(|c| ![0x9, 0xA, 0xD].contains(c))
        .chain([0xFFFE, 0xFFFF]);
    let doc = |text: &str| {
        format!(
            r#"<resource rel="application" href="/a" xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><property name="x">{text}</property><link rel="events" href="/e{text}"/></resource>"#
        )
    };
    for c in forbidden {
        for reference in [format!("&#x{c:X};"), format!("&#{c};")] {
            let result = avlaunch::ucwa::xml::read_resource(doc(&reference).as_bytes());
            let error = result.expect_err(&reference).to_string();
            // quick-xml itself refuses &#0;.
            assert!(
                error.contains("not allowed in XML 1.0") || error.contains("bad character"),
                "{reference}: {error}"
            );
        }
    }
    // Raw, too.
    assert!(avlaunch::ucwa::xml::read_resource(doc("\u{1b}[2J").as_bytes()).is_err());
    // What XML allows still reads.
    for ok in [
        "&#x9;",
        "&#xA;",
        "&#xD;",
        "&#x20;",
        "&#xE9;",
        "&#x10000;",
        "&#xFFFD;",
        "plain",
    ] {
        avlaunch::ucwa::xml::read_resource(doc(ok).as_bytes())
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
}

/// The TUI on a real terminal: the hostile decline reason is shown escaped, the screen is
/// not cleared, and the log file holds it escaped too.
#[test]
fn server_text_cannot_drive_the_terminal_in_the_tui_or_its_log() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(start_sim(config("hostile-text")));
    // Removed on drop, the log with it, whether the test passes or not.
    let home_dir = tempfile::tempdir().unwrap();
    let home = home_dir.path().to_path_buf();
    let command = format!(
        "env HOME={home} XDG_STATE_HOME={home} AVLAUNCH_PASSWORD=demo NO_COLOR=1 {bin} --server {url} --user tester@contoso.com --log-level info",
        home = home.display(),
        bin = BIN,
        url = sim.url
    );
    let tmux = Tmux::start("trust-tui", &command, 200, 50).expect("tmux runs");
    tmux.wait_for("New call", SCREEN_DEADLINE);
    tmux.keys(&["sip:bob@contoso.com", "Enter"]);
    let screen = tmux.wait_for("DECLINED-OVERWRITE", SCREEN_DEADLINE);
    assert!(
        screen.contains("New call"),
        "the screen was not cleared: {screen}"
    );
    assert!(screen.contains("\\x1b[2J"), "{screen}");
    assert!(
        !screen.contains('\u{202e}') && !screen.contains('\u{2066}'),
        "{screen}"
    );
    tmux.keys(&["C-q"]);
    tmux.wait_for("EXIT=", SCREEN_DEADLINE);
    let log = std::fs::read(home.join("avlaunch").join("avlaunch.log")).unwrap();
    let log_text = String::from_utf8_lossy(&log).into_owned();
    assert_eq!(terminal_controls(&log), Vec::<String>::new(), "{log_text}");
    assert!(
        log_text.contains("\\x1b[2J") && log_text.contains("\\u{202e}"),
        "{log_text}"
    );
    runtime.block_on(sim.shutdown());
}

// ---------------------------------------------------------------------------------------
// 2. No proxy sees loopback traffic; proxies are honoured otherwise.

const BAD_GATEWAY: &str =
    "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Every proxy variable points at a recording proxy: the built-in simulator and
/// `--server http://127.0.0.1:…` / `http://localhost:…` still work, and the proxy sees
/// nothing (no password, no token).
#[tokio::test(flavor = "multi_thread")]
async fn loopback_is_never_proxied() {
    let proxy = Recorder::start(BAD_GATEWAY);
    let sim = start_sim(fast_config()).await;
    let localhost = sim.url.as_str().replace("127.0.0.1", "localhost");
    let servers: [Option<&str>; 3] = [None, Some(sim.url.as_str()), Some(&localhost)];
    for server in servers {
        let mut cmd = common::avlaunch();
        cmd.args([
            "call",
            "--to",
            "sip:alice@contoso.com",
            "--hangup-after",
            "0",
        ]);
        if let Some(server) = server {
            cmd.args(["--server", server, "--user", "tester@contoso.com"]);
        }
        for var in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            cmd.env(var, proxy.origin());
        }
        cmd.env("AVLAUNCH_PASSWORD", PASSWORD)
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .stdin(std::process::Stdio::null());
        let out = output(cmd).await;
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{server:?}: {stdout}{stderr}");
        assert_eq!(proxy.heads(), Vec::<String>::new(), "{server:?}");
    }
    sim.shutdown().await;
}

/// A real deployment name goes through `HTTPS_PROXY` (or `ALL_PROXY`) with CONNECT, and
/// the failure names the proxy; `NO_PROXY` entries send it direct.
#[tokio::test(flavor = "multi_thread")]
async fn proxies_are_honoured_for_other_hosts_and_named_when_they_fail() {
    let run_with = |vars: Vec<(&'static str, String)>| async move {
        let mut cmd = common::avlaunch();
        cmd.args(["call", "--server", "https://lyncdiscover.contoso.invalid"])
            .args([
                "--user",
                "tester@contoso.invalid",
                "--to",
                "sip:alice@contoso.invalid",
            ])
            .args(["--timeout", "5"])
            .env("AVLAUNCH_PASSWORD", PASSWORD)
            .stdin(std::process::Stdio::null());
        for var in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in vars {
            cmd.env(k, v);
        }
        output(cmd).await
    };
    for var in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"] {
        let proxy = Recorder::start(BAD_GATEWAY);
        let out = run_with(vec![(var, format!("127.0.0.1:{}", proxy.port))]).await;
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(3), "{var}: {stdout}{stderr}");
        let heads = proxy.heads();
        assert!(
            heads
                .first()
                .is_some_and(|h| h.starts_with("CONNECT lyncdiscover.contoso.invalid:443 ")),
            "{var}: {heads:?}"
        );
        assert!(
            stderr.contains(&format!(
                "through the proxy {} set by {var}",
                proxy.origin()
            )),
            "{var}: {stderr}"
        );
    }
    for no_proxy in [
        "*",
        ".invalid",
        "contoso.invalid",
        "other.example, lyncdiscover.contoso.invalid",
    ] {
        let proxy = Recorder::start(BAD_GATEWAY);
        let out = run_with(vec![
            ("HTTPS_PROXY", proxy.origin()),
            ("NO_PROXY", no_proxy.to_string()),
        ])
        .await;
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(3), "{no_proxy}: {stderr}");
        assert_eq!(proxy.heads(), Vec::<String>::new(), "{no_proxy}");
        assert!(!stderr.contains("proxy"), "{no_proxy}: {stderr}");
    }
}

/// A 401 mid-call whose challenge names a token endpoint on another origin: the password
/// is not sent there, and the call ends as a protocol error.
#[tokio::test(flavor = "multi_thread")]
async fn a_mid_call_challenge_naming_another_token_endpoint_gets_no_password() {
    foreign(
        "token",
        "sip:alice@contoso.com",
        config("expire-token-once"),
        &["--hangup-after", "0"],
    )
    .await;
}
