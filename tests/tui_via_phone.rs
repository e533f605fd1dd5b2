//! Call via Work in the terminal UI, in a real terminal (tmux): on a deployment that offers
//! `startPhoneAudio` but no `startAudioVideo` (simulator fault `no-av-link`), the form says
//! so and chooses "my phone" (prefilled from the profile's `via_phone`); the call then rings
//! your phone, calls the contact, holds and resumes on F11, and hangs up.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::tmux::Tmux;

#[test]
fn only_call_via_work_offered_the_form_chooses_your_phone() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime
        .block_on(avlaunch::sim::start(avlaunch::sim::SimConfig {
            answer_delay: Duration::ZERO,
            ring_timeout: Duration::from_secs(60),
            faults: avlaunch::sim::faults::Faults::parse("no-av-link").unwrap(),
            ..Default::default()
        }))
        .unwrap();
    let guard = tempfile::tempdir().unwrap();
    let home = guard.path();
    let config = home.join(".config/avlaunch");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!(
            "default_profile = \"work\"\n[profiles.work]\nserver = \"{}\"\nuser = \"tester@contoso.com\"\nvia_phone = \"+1 425 555 1234\"\n",
            sim.url
        ),
    )
    .unwrap();
    let command = format!(
        "env -u AVLAUNCH_PROFILE HOME={h} XDG_CONFIG_HOME={h}/.config XDG_DATA_HOME={h}/.local/share XDG_STATE_HOME={h}/.local/state AVLAUNCH_PASSWORD=demo NO_COLOR=1 {}",
        env!("CARGO_BIN_EXE_avlaunch"),
        h = home.display(),
    );
    let tmux = Tmux::start("viaphone", &command, 120, 40).expect("tmux runs");
    let limit = Duration::from_secs(20);
    let screen = tmux.wait_for("Advanced", limit);
    assert!(
        screen.contains("[this computer (A/V)]"),
        "audio/video by default: {screen}"
    );
    // The first call signs in and learns what the application offers.
    tmux.keys(&["sip:alice@contoso.com", "Enter"]);
    let screen = tmux.wait_for("only Call via Work offered here", limit);
    assert!(screen.contains("--via-phone"), "{screen}");
    assert!(screen.contains("[my phone]"), "phone preselected: {screen}");
    assert!(
        screen.contains("+1 425 555 1234"),
        "the profile's number: {screen}"
    );
    assert!(
        !screen.contains("Join audio muted"),
        "audio/video fields hidden: {screen}"
    );
    // The same contact again, through your phone.
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("your phone answered: calling sip:alice@", limit);
    assert!(
        screen.contains("ringing your phone (+1 425 555 1234)"),
        "{screen}"
    );
    tmux.wait_for("F11 hold", limit);
    tmux.keys(&["F11"]);
    tmux.wait_for("on hold", limit);
    tmux.wait_for("F11 resume", limit);
    tmux.keys(&["F11"]);
    tmux.wait_for("resumed: off hold", limit);
    // The ladder names both legs on the events that started them.
    tmux.keys(&["F2"]);
    tmux.wait_for("[Connecting] — ringing your phone (+1 425", limit);
    tmux.wait_for("[Alerting] — your phone answered: calling", limit);
    tmux.keys(&["Escape"]);
    tmux.wait_for("New call", limit);
    tmux.keys(&["C-e"]);
    tmux.wait_for("you hung up", limit);
    tmux.keys(&["C-q"]);
    tmux.wait_for("EXIT=0", limit);
    let seen: Vec<String> = sim
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path_and_query))
        .collect();
    for link in [
        "/startPhoneAudio",
        "/holdPhoneAudio",
        "/resumePhoneAudio",
        "/stopPhoneAudio",
    ] {
        assert!(
            seen.iter()
                .any(|r| r.starts_with("POST ") && r.ends_with(link)),
            "{link}: {seen:#?}"
        );
    }
    let start = sim
        .requests()
        .into_iter()
        .find(|r| r.path_and_query.ends_with("/startPhoneAudio"))
        .unwrap();
    assert!(start.body.contains("tel:+14255551234"), "{}", start.body);
    runtime.block_on(sim.shutdown());
}
