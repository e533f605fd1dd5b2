//! The settings a person keeps, in a real terminal (tmux) with the real binary: configured
//! once in config.toml, avlaunch starts with the profile in its banner and yesterday's calls
//! in its history pane; F4, Enter calls one again; F9 switches profile. The home is a
//! temporary directory.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::tmux::{Tmux, SCREEN_DEADLINE};

#[test]
fn configured_once_yesterdays_calls_on_screen_and_called_again_with_two_keys() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".config/avlaunch");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "default_profile = \"stage\"\n\
         [profiles.stage]\nuser = \"presenter@contoso.com\"\nexport_dir = \"~/calls\"\n\
         [profiles.backup]\nuser = \"second@contoso.com\"\n",
    )
    .unwrap();
    let env = format!(
        "env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_STATE_HOME -u AVLAUNCH_PROFILE HOME={} AVLAUNCH_SIM_ANSWER_DELAY_MS=0 NO_COLOR=1",
        home.path().display()
    );
    // Yesterday: one call, headless.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{env} {} call --to sip:bob@contoso.com --subject Handover",
            common::BIN
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let history = home.path().join(".local/share/avlaunch/history.jsonl");
    assert_eq!(
        std::fs::read_to_string(&history).unwrap().lines().count(),
        1
    );

    // Today: the UI, with the profile in the banner and yesterday's call listed.
    let tmux = Tmux::start("session", &format!("{env} {}", common::BIN), 140, 36)
        .expect("tmux runs (.ci/run installs it)");
    let screen = tmux.wait_for("presenter@contoso.com", SCREEN_DEADLINE);
    assert!(screen.contains(" stage "), "{screen}");
    let screen = tmux.wait_for("“Handover”", SCREEN_DEADLINE);
    assert!(screen.contains("sip:bob@contoso.com"), "{screen}");
    // Two keys: F4 selects it, Enter calls it again.
    tmux.keys(&["F4"]);
    tmux.wait_for("Enter call again", SCREEN_DEADLINE);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("declined the call", SCREEN_DEADLINE);
    assert!(screen.contains("#1"), "{screen}");
    tmux.wait_for("signed in", SCREEN_DEADLINE);
    // F5 writes to the profile's export directory (`~` expanded) and says where.
    tmux.keys(&["F5"]);
    let exports = home.path().join("calls");
    tmux.wait_for(&format!("exported {}", exports.display()), SCREEN_DEADLINE);
    let written: Vec<String> = std::fs::read_dir(&exports)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(written.iter().any(|f| f.ends_with(".har")), "{written:?}");
    // F9: the next profile, in place.
    tmux.keys(&["F9"]);
    let screen = tmux.wait_for("second@contoso.com", SCREEN_DEADLINE);
    assert!(screen.contains(" backup "), "{screen}");
    tmux.keys(&["C-q"]);
    tmux.wait_for("EXIT=0", SCREEN_DEADLINE);
    let lines = std::fs::read_to_string(&history).unwrap();
    assert_eq!(lines.lines().count(), 2, "{lines}");
    assert!(lines
        .lines()
        .last()
        .unwrap()
        .contains("\"profile\":\"stage\""));
}

/// A mistyped password no longer means starting again: F7, type it, Enter.
#[test]
fn a_wrong_password_is_fixed_in_place() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime
        .block_on(avlaunch::sim::start(avlaunch::sim::SimConfig {
            answer_delay: Duration::ZERO,
            ..Default::default()
        }))
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".config/avlaunch");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!(
            "default_profile = \"lab\"\n[profiles.lab]\nserver = \"{}\"\nuser = \"tester@contoso.com\"\n\
             password_command = [\"printf\", \"mistyped\"]\n",
            sim.url
        ),
    )
    .unwrap();
    let tmux = Tmux::start("session", &format!(
        "env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_STATE_HOME -u AVLAUNCH_PASSWORD -u AVLAUNCH_TOKEN -u AVLAUNCH_PROFILE HOME={} NO_COLOR=1 {}",
        home.path().display(),
        common::BIN
    ), 140, 36)
    .expect("tmux runs (.ci/run installs it)");
    let screen = tmux.wait_for("tester@contoso.com", SCREEN_DEADLINE);
    assert!(
        screen.contains(" lab ") && screen.contains(sim.url.as_str()),
        "{screen}"
    );
    tmux.keys(&["-l", "sip:bob@contoso.com"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("sign-in failed", SCREEN_DEADLINE);
    // The sign-in dialog: the server and user stay, the password is typed (and masked).
    tmux.keys(&["F7"]);
    tmux.wait_for(" Sign in ", SCREEN_DEADLINE);
    tmux.keys(&["Down", "Down"]);
    tmux.keys(&["-l", "demo"]);
    let screen = tmux.wait_for("••••", SCREEN_DEADLINE);
    assert!(!screen.contains("Password   demo"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("ready (signs in with the first call)", SCREEN_DEADLINE);
    tmux.keys(&["Enter"]);
    tmux.wait_for("declined the call", SCREEN_DEADLINE);
    tmux.wait_for("signed in", SCREEN_DEADLINE);
    tmux.keys(&["C-q"]);
    tmux.wait_for("EXIT=0", SCREEN_DEADLINE);
    runtime.block_on(sim.shutdown());
}
