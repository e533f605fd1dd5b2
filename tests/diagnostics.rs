//! `X-Ms-diagnostics` decoded end to end: the real binary against the simulator's
//! `token-diagnostics=CODE` and `echo-secrets` faults, in both wire formats; JSON
//! `error.diagnostics` and the text output's diagnostics line.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use avlaunch::sim::faults::Faults;
use common::*;

const FORMATS: [&str; 2] = ["json", "xml"];

async fn run_with(faults: &str, format: &str, output_kind: &str) -> (Option<i32>, String, String) {
    let mut config = fast_config();
    config.faults = Faults::parse(faults).unwrap();
    let sim = start_sim(config).await;
    let cmd = call_command(
        &sim,
        "sip:alice@contoso.com",
        &[
            "--format",
            format,
            "--output",
            output_kind,
            "--hangup-after",
            "0",
        ],
    );
    let out = output(cmd).await;
    let (stdout, stderr) = text(&out);
    sim.shutdown().await;
    (out.status.code(), stdout, stderr)
}

fn summary_of(stdout: &str) -> serde_json::Value {
    let last = stdout.lines().last().expect("a summary line");
    serde_json::from_str(last).expect("JSON")
}

/// A known code: number, source, the published reason, plain meaning and next step.
#[tokio::test(flavor = "multi_thread")]
async fn a_known_code_on_the_token_endpoint_is_decoded_with_meaning_and_next_step() {
    for format in FORMATS {
        let (code, stdout, stderr) = run_with("token-diagnostics=28029", format, "json").await;
        assert_eq!(code, Some(3), "{format}: {stdout}{stderr}");
        let s = summary_of(&stdout);
        let d = &s["error"]["diagnostics"];
        assert_eq!(d["code"], 28029, "{format}: {s}");
        assert_eq!(d["source"], "127.0.0.1");
        assert_eq!(d["reason"], "Authentication type not allowed.");
        assert!(
            d["meaning"]
                .as_str()
                .unwrap()
                .contains("grant type is switched off"),
            "{d}"
        );
        assert!(d["next"].as_str().unwrap().contains("grant_type"), "{d}");
        assert!(
            s["error"]["message"]
                .as_str()
                .unwrap()
                .contains("unsupported_grant_type"),
            "{s}"
        );

        let (code, stdout, stderr) = run_with("token-diagnostics=28029", format, "text").await;
        assert_eq!(code, Some(3), "{format}: {stdout}{stderr}");
        let line = stdout
            .lines()
            .find(|l| l.contains("X-Ms-diagnostics 28029"))
            .unwrap_or_else(|| panic!("{format}: no diagnostics line: {stdout}"));
        assert!(
            line.contains("“Authentication type not allowed.”"),
            "{line}"
        );
        assert!(line.contains("from 127.0.0.1"), "{line}");
        assert!(line.contains("next: pick a grant"), "{line}");
    }
}

/// An unknown code is shown as it came: no meaning, no next step.
#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_code_is_shown_as_it_came() {
    for format in FORMATS {
        let (code, stdout, stderr) = run_with("token-diagnostics=40001", format, "json").await;
        assert_eq!(code, Some(3), "{format}: {stdout}{stderr}");
        let d = &summary_of(&stdout)["error"]["diagnostics"];
        assert_eq!(d["code"], 40001, "{d}");
        assert_eq!(d["reason"], "The simulator refuses this sign-in.");
        assert!(d.get("meaning").is_none(), "{d}");
        assert!(d.get("next").is_none(), "{d}");

        let (_, stdout, _) = run_with("token-diagnostics=40001", format, "text").await;
        let line = stdout
            .lines()
            .find(|l| l.contains("X-Ms-diagnostics 40001"))
            .unwrap_or_else(|| panic!("{stdout}"));
        assert!(!line.contains("next:"), "{line}");
    }
}

/// A 403 on `startAudioVideo` carrying the header (and quoting the token): decoded, and the
/// quoted token scrubbed inside the decoded reason too.
#[tokio::test(flavor = "multi_thread")]
async fn a_403_carries_its_diagnostics_scrubbed() {
    for format in FORMATS {
        let (code, stdout, stderr) = run_with("echo-secrets", format, "json").await;
        assert_eq!(code, Some(3), "{format}: {stdout}{stderr}");
        let s = summary_of(&stdout);
        assert_eq!(s["error"]["status"], 403, "{s}");
        let d = &s["error"]["diagnostics"];
        assert_eq!(d["code"], 2, "{s}");
        assert_eq!(d["reason"], "Token *** refused", "{s}");
        assert!(d.get("meaning").is_none(), "{d}");
    }
}

/// No header, no `diagnostics`: a plain failure keeps `null`.
#[tokio::test(flavor = "multi_thread")]
async fn no_header_means_no_diagnostics() {
    let (code, stdout, _) = run_with("no-av-link", "json", "json").await;
    assert_ne!(code, Some(0));
    let s = summary_of(&stdout);
    assert!(s["error"]["diagnostics"].is_null(), "{s}");
}

/// The status pane of the TUI shows the decoded diagnostics under the error.
#[test]
fn the_status_pane_shows_the_decoded_diagnostics() {
    use common::tmux::{Tmux, SCREEN_DEADLINE};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut config = fast_config();
    config.faults = Faults::parse("token-diagnostics=28029").unwrap();
    let sim = runtime.block_on(start_sim(config));
    let home = tempfile::tempdir().unwrap();
    let command = format!(
        "env HOME={home} XDG_STATE_HOME={home} AVLAUNCH_PASSWORD=demo NO_COLOR=1 {BIN} --server {url} --user tester@contoso.com",
        home = home.path().display(),
        url = sim.url
    );
    let tmux = Tmux::start("diagnostics", &command, 160, 45).expect("tmux runs");
    tmux.wait_for("New call", SCREEN_DEADLINE);
    tmux.keys(&["sip:alice@contoso.com", "Enter"]);
    let screen = tmux.wait_for("X-Ms-diagnostics 28029", SCREEN_DEADLINE);
    assert!(screen.contains("from 127.0.0.1"), "{screen}");
    assert!(screen.contains("switched off on the server"), "{screen}");
    tmux.keys(&["C-q"]);
    tmux.wait_for("EXIT=0", SCREEN_DEADLINE);
    runtime.block_on(sim.shutdown());
}
