//! The TUI in a real terminal (tmux), driven by keys and read back with `capture-pane`:
//! the real binary on its built-in simulator, and the `tui_scripted` example (the TUI
//! with a scripted session). `.ci/run` installs tmux; without it these tests fail.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]
mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::tmux::Tmux;

fn example(name: &str) -> Option<PathBuf> {
    // target/debug/deps/tui_tmux-… → target/debug/examples/<name>
    let path = std::env::current_exe()
        .ok()?
        .parent()?
        .parent()?
        .join("examples")
        .join(name);
    path.exists().then_some(path)
}

#[test]
fn a_call_from_the_keyboard_in_a_real_terminal() {
    // `cargo test` builds the examples; `cargo test --test tui_tmux` alone does not.
    let bin = example("tui_scripted")
        .expect("the tui_scripted example is built (run `cargo test`, or add `--examples`)");
    let tmux = Tmux::start("call", &bin.display().to_string(), 120, 32).expect("tmux runs");
    let limit = Duration::from_secs(20);
    tmux.wait_for("DEMO", limit);
    tmux.keys(&["sip:bo"]);
    tmux.wait_for("sip:bob@contoso.com", limit);
    tmux.keys(&["Tab", "Enter"]);
    tmux.wait_for("■ Failed", limit);
    let screen = tmux.wait_for("declined the call", limit);
    assert!(screen.contains("#1  sip:bob@contoso.com"), "{screen}");
    tmux.keys(&["F2"]);
    tmux.wait_for("Ladder · ", limit);
    tmux.keys(&["F1"]);
    // The help fits or scrolls, depending on the screen; either way it says how to close it.
    let screen = tmux.wait_for("Keys · ", limit);
    assert!(screen.contains("Esc"), "{screen}");
    tmux.keys(&["Escape"]);
    // A lone Esc must not merge with the next key into an Alt sequence.
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["C-q"]);
    let screen = tmux.wait_for("EXIT=0", limit);
    // The alternate screen is gone: the shell's line is all that is left.
    assert!(!screen.contains("New call"), "{screen}");
}

/// The walk-through, on the real binary and its built-in simulator: call alice
/// with a subject, see Connected, hang up, call bob, read the decline reason, quit, and
/// find the terminal restored.
#[test]
fn the_real_binary_places_calls_on_the_built_in_simulator() {
    let guard = tempfile::tempdir().unwrap();
    let home = guard.path();
    let command = format!(
        "env HOME={} XDG_STATE_HOME= RUST_LOG=trace AVLAUNCH_SIM_ANSWER_DELAY_MS=300 NO_COLOR=1 {}",
        home.display(),
        env!("CARGO_BIN_EXE_avlaunch")
    );
    let tmux = Tmux::start("real", &command, 120, 40).expect("tmux runs");
    let limit = Duration::from_secs(20);
    let screen = tmux.wait_for("DEMO", limit);
    assert!(screen.contains("New call"), "{screen}");
    tmux.wait_for("ready", limit);

    tmux.keys(&["sip:alice@contoso.com"]);
    tmux.keys(&["Tab"]);
    tmux.keys(&["Quarterly check-in"]);
    tmux.wait_for("18/250", limit);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Connected", limit);
    assert!(screen.contains("Quarterly check-in"), "{screen}");
    assert!(screen.contains("Invitation  /ucwa/"), "{screen}");
    // The href is shortened in the middle; F6 shows it in full.
    tmux.keys(&["F6"]);
    tmux.wait_for("audioVideoInvitations/", limit);

    tmux.keys(&["C-e"]);
    let screen = tmux.wait_for("■ Ended — you hung up", limit);
    assert!(screen.contains("hanging up"), "{screen}");

    // A new call: clear To, type bob, place it.
    tmux.keys(&["BTab", "C-u"]);
    tmux.keys(&["sip:bob@contoso.com"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("declined the call", limit);
    assert!(
        screen.contains("Declined"),
        "code and subcode shown: {screen}"
    );
    assert!(screen.contains("#2  sip:bob@contoso.com"), "{screen}");

    std::thread::sleep(Duration::from_millis(200));
    tmux.keys(&["C-q"]);
    let screen = tmux.wait_for("EXIT=0", limit);
    let screen = if screen.contains("TTY=") {
        screen
    } else {
        tmux.wait_for("TTY=", limit)
    };
    assert!(
        !screen.contains("New call"),
        "the alternate screen is gone: {screen}"
    );
    assert!(
        screen.contains("TTY=icanon"),
        "the terminal is back in cooked mode: {screen}"
    );
}

/// Quitting while a call rings cancels it and deletes the application before the UI
/// exits: the simulator (in this test's process, reached with --server) saw both.
#[test]
fn quitting_while_ringing_cancels_and_deletes_the_application() {
    quit_while_ringing("quit", None);
}

/// The same when the terminal goes away (SIGHUP) or the process is asked to stop (SIGTERM).
#[test]
fn sighup_and_sigterm_while_ringing_cancel_and_delete() {
    quit_while_ringing("hup", Some("-HUP"));
    quit_while_ringing("term", Some("-TERM"));
}

fn quit_while_ringing(name: &str, signal: Option<&str>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime
        .block_on(avlaunch::sim::start(avlaunch::sim::SimConfig {
            answer_delay: Duration::ZERO,
            ring_timeout: Duration::from_secs(60),
            ..Default::default()
        }))
        .unwrap();
    let guard = tempfile::tempdir().unwrap();
    let home = guard.path();
    let command = format!(
        "env HOME={} AVLAUNCH_PASSWORD=demo NO_COLOR=1 {} --server {} --user tester@contoso.com",
        home.display(),
        env!("CARGO_BIN_EXE_avlaunch"),
        sim.url
    );
    let tmux = Tmux::start(name, &command, 120, 40).expect("tmux runs");
    let limit = Duration::from_secs(20);
    let screen = tmux.wait_for("New call", limit);
    assert!(
        !screen.contains("DEMO"),
        "a deployment, not the simulator: {screen}"
    );
    tmux.keys(&["sip:carol@contoso.com", "Enter"]);
    tmux.wait_for("Alerting", limit);
    match signal {
        None => tmux.keys(&["C-q"]),
        Some(signal) => {
            // The avlaunch process itself (its command line starts with the binary), not
            // the shell around it.
            let pattern = format!("^{} --server {}", env!("CARGO_BIN_EXE_avlaunch"), sim.url);
            let status = Command::new("pkill")
                .args([signal, "-f", &pattern])
                .status()
                .unwrap();
            assert!(status.success(), "no avlaunch process matched {pattern}");
        }
    }
    tmux.wait_for("EXIT=", limit);
    let seen: Vec<String> = sim
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path_and_query))
        .collect();
    assert!(
        seen.iter()
            .any(|r| r.starts_with("POST ") && r.ends_with("/cancel")),
        "{seen:#?}"
    );
    assert!(
        seen.iter()
            .any(|r| r.starts_with("DELETE ") && r.contains("/applications/")),
        "{seen:#?}"
    );
    assert_eq!(sim.live_applications(), 0);
    runtime.block_on(sim.shutdown());
}

/// The title's "row K/N" of the ladder, or "lines A–B of N" of the wire log and help.
fn position(screen: &str, before: &str, sep: &str) -> Option<(usize, usize)> {
    let at = screen.find(before)? + before.len();
    let rest = &screen[at..];
    let (a, rest) = rest.split_once(sep)?;
    let b: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((a.trim().parse().ok()?, b.parse().ok()?))
}

/// At the stated minimum, a common size and a large one, the real binary through every
/// view: a declined call shows its outcome, the focused field stays in view with Advanced
/// open, and the ladder, wire log and help each reach their last line.
#[test]
fn every_view_at_three_sizes_shows_outcome_focus_and_end() {
    for (w, h) in [(60u16, 20u16), (80, 24), (120, 40)] {
        let guard = tempfile::tempdir().unwrap();
        let command = format!(
            "cd {dir} && env HOME={dir} XDG_STATE_HOME= AVLAUNCH_SIM_ANSWER_DELAY_MS=0 NO_COLOR=1 {bin}",
            dir = guard.path().display(),
            bin = env!("CARGO_BIN_EXE_avlaunch")
        );
        let tmux = Tmux::start(&format!("sizes{w}"), &command, w, h).expect("tmux runs");
        let limit = Duration::from_secs(20);
        // The demo contacts are listed once the simulator is ready.
        tmux.wait_for("No call yet.", limit);
        tmux.keys(&["sip:bob@contoso.com", "Enter"]);
        let screen = tmux.wait_for("■ Failed", limit);
        let screen = if screen.contains("subcode Declined") {
            screen
        } else {
            tmux.wait_for("subcode Declined", limit)
        };
        assert!(
            screen.contains("✗ The person declined the call."),
            "{w}x{h}: {screen}"
        );

        // Advanced open, focus on its last field, typing shows where it goes.
        for _ in 0..7 {
            tmux.keys(&["Down"]);
        }
        tmux.keys(&["Space"]);
        for _ in 0..4 {
            tmux.keys(&["Down"]);
        }
        tmux.keys(&["~/offer.sdp"]);
        let screen = tmux.wait_for("cannot read '~/offer.sdp'", limit);
        assert!(
            screen.contains("›  Media offer     ~/offer.sdp"),
            "{w}x{h}: {screen}"
        );
        assert!(
            screen.contains("■ Failed"),
            "{w}x{h}: the outcome stays: {screen}"
        );

        // The ladder: End selects the last row.
        tmux.keys(&["F2"]);
        tmux.wait_for("Ladder · ", limit);
        tmux.keys(&["End"]);
        let screen = tmux.wait_for("row ", limit);
        let (k, n) = position(&screen, "row ", "/").expect(&screen);
        assert_eq!(k, n, "{w}x{h}: {screen}");
        // The TUI keeps its application between calls: the last rows are the call's
        // own events and exchanges, not an application delete.
        assert!(
            screen.contains("event ") || screen.contains("204"),
            "{screen}"
        );

        // The wire log: End shows the last line at the bottom and says so.
        tmux.keys(&["Tab"]);
        tmux.wait_for("Wire log · ", limit);
        tmux.keys(&["End"]);
        let screen = tmux.wait_for("· end", limit);
        let (_, last) = position(&screen, "lines ", "–").expect(&screen);
        let total = position(&screen, "–", " of ")
            .map(|(_, t)| t)
            .expect(&screen);
        assert_eq!(last, total, "{w}x{h}: {screen}");
        tmux.keys(&["Down", "PageDown"]);
        std::thread::sleep(Duration::from_millis(200));
        assert!(tmux.screen().contains("· end"), "{}", tmux.screen());

        // The help reaches its last entry.
        tmux.keys(&["Escape"]);
        std::thread::sleep(Duration::from_millis(300));
        tmux.keys(&["F1"]);
        tmux.wait_for("Keys", limit);
        tmux.keys(&["End"]);
        tmux.wait_for("back to the form", limit);
        tmux.keys(&["Escape"]);
        std::thread::sleep(Duration::from_millis(300));
        tmux.keys(&["C-q"]);
        tmux.wait_for("EXIT=0", limit);
    }
}

/// Headless text is coloured on a terminal, and not under NO_COLOR.
#[test]
fn headless_text_is_coloured_only_on_a_terminal_without_no_color() {
    for (no_color, coloured) in [(false, true), (true, false)] {
        let command = format!(
            "env {} AVLAUNCH_SIM_ANSWER_DELAY_MS=0 {} call --to sip:bob@contoso.com -q",
            if no_color {
                "NO_COLOR=1"
            } else {
                "-u NO_COLOR"
            },
            env!("CARGO_BIN_EXE_avlaunch")
        );
        let tmux = Tmux::start(&format!("colour{no_color}"), &command, 120, 20).expect("tmux runs");
        tmux.wait_for("EXIT=1", Duration::from_secs(20));
        let screen = tmux.screen_with_escapes();
        assert!(screen.contains("result: "), "{screen}");
        assert_eq!(screen.contains("\x1b[31m"), coloured, "{screen:?}");
        // The outcome line alone, the message not repeated on stderr.
        assert_eq!(tmux.screen().matches("declined the call").count(), 1);
    }
}
