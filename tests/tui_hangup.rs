//! A terminal that goes away mid-call (the window closed, SSH dropped): the UI ends the
//! call, deletes the application and exits 0, as Ctrl-Q does, with no panic on the dead
//! terminal. The real binary in tmux, against the simulator in this process.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::tmux::{Tmux, SCREEN_DEADLINE};
use common::*;

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn closing_the_terminal_mid_call_hangs_up_deletes_and_exits_0() {
    let sim = start_sim(fast_config()).await;
    let dir = TempDir(std::env::temp_dir().join(format!("avlaunch-hangup-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let status = dir.0.join("status");
    // The pane's shell outlives the hang-up only to write the exit status (`trap :` lets
    // the program itself get SIGHUP as usual).
    let command = format!(
        "trap : HUP; XDG_STATE_HOME='{state}' AVLAUNCH_PASSWORD=demo '{bin}' --server '{url}' --user tester@contoso.com; echo $? > '{status}'",
        state = dir.0.display(),
        bin = BIN,
        url = sim.url,
        status = status.display(),
    );
    let tmux = Tmux::start_exact("hangup", &command, 120, 32).expect("tmux runs");
    tmux.wait_for_async("New call", SCREEN_DEADLINE).await;
    tmux.keys(&["sip:alice@contoso.com", "Enter"]);
    tmux.wait_for_async("● Connected", SCREEN_DEADLINE).await;

    // The window closes.
    tmux.run(&["kill-pane", "-t", "t"]).unwrap();
    let start = Instant::now();
    let code = loop {
        if let Ok(text) = std::fs::read_to_string(&status) {
            if text.ends_with('\n') {
                break text.trim().to_string();
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the program did not end after the terminal closed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let log = std::fs::read_to_string(dir.0.join("avlaunch/avlaunch.log")).unwrap_or_default();
    assert_eq!(
        code, "0",
        "exit status after the terminal closed; log:\n{log}"
    );
    assert!(!log.contains("internal error"), "{log}");

    let seen = seen(&sim);
    let hang_up = seen
        .iter()
        .position(|r| r.starts_with("POST ") && r.contains("stopAudioVideo"))
        .unwrap_or_else(|| panic!("no hang-up: {seen:#?}"));
    let delete = seen
        .iter()
        .position(|r| r.starts_with("DELETE ") && r.ends_with(|c: char| c.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no application delete: {seen:#?}"));
    assert!(hang_up < delete, "{seen:#?}");
}

/// Quitting while connected, when the server never answers the hang-up: after the terminal
/// is restored the UI says the call may still be up and exits 3, as `call` does; with the
/// hang-up answered it says nothing and exits 0.
#[tokio::test(flavor = "multi_thread")]
async fn quitting_says_which_calls_may_still_be_up() {
    for (switches, code) in [("stall=hang-up:6000", "3"), ("", "0")] {
        let mut config = fast_config();
        config.hangup_after = Duration::from_secs(60);
        config.faults = avlaunch::sim::faults::Faults::parse(switches).unwrap();
        let sim = start_sim(config).await;
        let command = format!(
            "AVLAUNCH_PASSWORD=demo '{BIN}' --server '{}' --user tester@contoso.com",
            sim.url
        );
        let tmux = Tmux::start("quit-left-up", &command, 120, 32).expect("tmux runs");
        tmux.wait_for_async("New call", SCREEN_DEADLINE).await;
        tmux.keys(&["sip:alice@contoso.com", "Enter"]);
        tmux.wait_for_async("● Connected", SCREEN_DEADLINE).await;
        tmux.keys(&["C-q"]);
        let screen = tmux
            .wait_for_async(&format!("EXIT={code}"), SCREEN_DEADLINE)
            .await;
        let said = "avlaunch: the call to sip:alice@contoso.com may still be up: the hang-up was not confirmed: stopAudioVideo got no answer within 2 s";
        // The pane wraps long lines: compare without the line breaks.
        let joined = screen.replace('\n', "");
        assert_eq!(
            joined.contains(said),
            code == "3",
            "{switches:?}:\n{screen}"
        );
        assert!(
            screen.contains("TTY=icanon"),
            "the terminal is restored:\n{screen}"
        );
    }
}
