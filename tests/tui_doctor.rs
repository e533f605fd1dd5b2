//! F12 in a real terminal (tmux): the connectivity checklist on the current session's
//! server (the built-in simulator), filled in as the checks finish.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]
mod common;

use std::time::Duration;

use common::tmux::Tmux;

#[test]
fn f12_runs_the_checklist_on_the_current_server_and_esc_closes_it() {
    let guard = tempfile::tempdir().unwrap();
    let command = format!(
        "env HOME={} XDG_STATE_HOME= NO_COLOR=1 {}",
        guard.path().display(),
        env!("CARGO_BIN_EXE_avlaunch")
    );
    let tmux = Tmux::start("doctor", &command, 120, 40).expect("tmux runs");
    let limit = Duration::from_secs(20);
    tmux.wait_for("DEMO", limit);
    tmux.keys(&["F12"]);
    tmux.wait_for("Connectivity checks", limit);
    let screen = tmux.wait_for("(as `avlaunch doctor`: exit 0)", limit);
    for name in [
        "dns",
        "connect",
        "discovery",
        "sign-in",
        "application",
        "capabilities",
        "events",
        "cleanup",
    ] {
        assert!(
            screen
                .lines()
                .any(|l| l.contains(&format!("✓ {name}")) && l.contains("pass")),
            "{name}: {screen}"
        );
    }
    assert!(
        screen.contains("- tls") && screen.contains("skip"),
        "{screen}"
    );
    tmux.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    let screen = tmux.screen();
    assert!(
        !screen.contains("Connectivity checks") && screen.contains("New call"),
        "{screen}"
    );
    tmux.keys(&["C-q"]);
    tmux.wait_for("EXIT=0", limit);
}
