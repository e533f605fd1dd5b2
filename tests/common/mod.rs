//! Shared helpers: start the simulator in-process on 127.0.0.1:0 and run the real
//! `avlaunch` binary against it.
#![allow(dead_code)]

pub mod tmux;

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use avlaunch::sim::{self, SimConfig, SimHandle};

pub const BIN: &str = env!("CARGO_BIN_EXE_avlaunch");
pub const PASSWORD: &str = "demo";

/// A simulator that answers at once, with short timers so every scenario ends fast.
pub fn fast_config() -> SimConfig {
    SimConfig {
        answer_delay: Duration::ZERO,
        hangup_after: Duration::from_millis(300),
        ring_timeout: Duration::from_millis(400),
        ..Default::default()
    }
}

pub async fn start_sim(config: SimConfig) -> SimHandle {
    sim::start(config).await.expect("the simulator starts")
}

/// HOME and the XDG directories for every run of the binary: a directory of this test build
/// (under cargo's `CARGO_TARGET_TMPDIR`), never the real home, so no config file of the user
/// is read and the history is written there. Tests that look at the history or a config file
/// use their own `tempfile` directory instead.
pub fn home_env() -> Vec<(&'static str, std::path::PathBuf)> {
    let home = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("avlaunch-home");
    vec![
        ("HOME", home.clone()),
        ("XDG_CONFIG_HOME", home.join(".config")),
        ("XDG_DATA_HOME", home.join(".local/share")),
        ("XDG_STATE_HOME", home.join(".local/state")),
    ]
}

/// The real binary, hermetic: HOME and the XDG directories of this test build (`home_env`),
/// no profile chosen from the environment. Every test runs the binary through this (or sets
/// a `tempfile` home of its own on top), so no test reads the user's config file or writes
/// to their history.
pub fn avlaunch() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.envs(home_env()).env_remove("AVLAUNCH_PROFILE");
    cmd
}

/// `avlaunch call --server <sim> --user … --to <to> <extra…>` with AVLAUNCH_PASSWORD set.
pub fn call_command(sim: &SimHandle, to: &str, extra: &[&str]) -> Command {
    let mut cmd = avlaunch();
    cmd.args([
        "call",
        "--server",
        sim.url.as_str(),
        "--user",
        "tester@contoso.com",
        "--to",
        to,
    ])
    .args(extra)
    .envs(home_env())
    .env_remove("AVLAUNCH_PROFILE")
    .env("AVLAUNCH_PASSWORD", PASSWORD)
    .env_remove("AVLAUNCH_TOKEN")
    .env("NO_COLOR", "1")
    .stdin(Stdio::null());
    cmd
}

/// Runs a command to completion off the async runtime (the simulator runs on it).
pub async fn output(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("avlaunch runs"))
        .await
        .expect("join")
}

pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The last line of JSON output: the summary.
pub fn summary(o: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&o.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("last line is not JSON ({e}): {stdout}"))
}

/// Requests the simulator saw, as "METHOD path?query".
pub fn seen(sim: &SimHandle) -> Vec<String> {
    sim.requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path_and_query))
        .collect()
}
