//! Dialling by name in a real terminal (tmux): type part of a name in To, see the matches
//! with their presence, take one with Down and Enter, call it with Enter. The real binary
//! on its built-in simulator.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]
mod common;

use std::time::Duration;

use common::tmux::Tmux;

#[test]
fn type_a_name_see_who_can_answer_and_call_them() {
    let guard = tempfile::tempdir().unwrap();
    let command = format!(
        "env HOME={} XDG_STATE_HOME= AVLAUNCH_SIM_ANSWER_DELAY_MS=0 NO_COLOR=1 {}",
        guard.path().display(),
        env!("CARGO_BIN_EXE_avlaunch")
    );
    let tmux = Tmux::start("lookup", &command, 120, 40).expect("tmux runs");
    let limit = Duration::from_secs(20);
    tmux.wait_for("ready", limit);
    tmux.keys(&["alex"]);
    let screen = tmux.wait_for("Alexis Moreau", limit);
    // Several matches, each with its presence in words (NO_COLOR).
    for (name, presence) in [
        ("Alex Wilber", "Available"),
        ("Alexandra Dunn", "Busy"),
        ("Alexis Moreau", "Away"),
    ] {
        let line = screen
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} missing: {screen}"));
        assert!(line.contains(presence), "{line}");
    }
    // Typing goes on: a longer query narrows the list.
    tmux.keys(&["an"]);
    let started = std::time::Instant::now();
    let screen = loop {
        let screen = tmux.screen();
        if !screen.contains("Alexis Moreau") && screen.contains("Alexandra Dunn") {
            break screen;
        }
        assert!(
            started.elapsed() < limit,
            "the list did not narrow: {screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!screen.contains("Alex Wilber"), "{screen}");
    tmux.keys(&["Down", "Enter"]);
    let screen = tmux.wait_for("sip:alexandra.dunn@contoso.com", limit);
    // The chosen contact's presence stays next to To.
    let line = screen
        .lines()
        .find(|l| l.contains("Alexandra Dunn"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains("Busy"), "{line}");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Connected", limit);
    assert!(
        screen.contains("calling sip:alexandra.dunn@contoso.com"),
        "{screen}"
    );
    tmux.keys(&["C-q"]);
    tmux.wait_for("EXIT=0", limit);
}
