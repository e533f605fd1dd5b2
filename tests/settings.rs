//! Settings that last, through the real binary: profiles in config.toml (precedence, password
//! commands, errors naming file, line and key), the history file (round trip, `avlaunch
//! history`, no secret in it, turned off), completions and the man page, the sample SDP
//! offers. Every run gets its own HOME and XDG directories in a temporary directory.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;

/// A temporary home: `config.toml` goes under `.config/avlaunch/`, history under
/// `.local/share/avlaunch/`. Removed on drop.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn config(&self, text: &str) -> PathBuf {
        let dir = self.path().join("config/avlaunch");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn history_path(&self) -> PathBuf {
        self.path().join("data/avlaunch/history.jsonl")
    }

    fn history(&self) -> String {
        std::fs::read_to_string(self.history_path()).unwrap_or_default()
    }

    /// `avlaunch ARGS` with this home and nothing from the caller's environment that
    /// could change the outcome.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = common::avlaunch();
        cmd.args(args)
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_STATE_HOME", self.path().join("state"))
            .env("AVLAUNCH_SIM_ANSWER_DELAY_MS", "0")
            .env("NO_COLOR", "1")
            .env_remove("AVLAUNCH_PASSWORD")
            .env_remove("AVLAUNCH_TOKEN")
            .env_remove("AVLAUNCH_PROFILE")
            .stdin(Stdio::null());
        cmd
    }
}

fn run(mut cmd: Command) -> Output {
    cmd.output().expect("avlaunch runs")
}

fn assert_exit(out: &Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "{:?}", text(out));
}

fn lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn profile_config(sim_url: &str) -> String {
    format!(
        r#"
default_profile = "lab"

[profiles.lab]
server = "{sim_url}"
user = "profile-user@contoso.com"
format = "xml"
password_command = ["printf", "demo\nnot this line\n"]

[profiles.broken-vault]
server = "{sim_url}"
user = "x@contoso.com"
password_command = "sh -c 'echo vault-output-secret; exit 7'"

[profiles.quiet]
server = "{sim_url}"
user = "q@contoso.com"
password_command = ["printf", "demo"]
history = false
"#
    )
}

#[test]
fn no_config_file_behaves_as_before_and_records_the_call() {
    let home = Home::new();
    let out = run(home.command(&[
        "call",
        "--to",
        "sip:alice@contoso.com",
        "--hangup-after",
        "0",
    ]));
    assert_exit(&out, 0);
    let (stdout, _) = text(&out);
    assert!(stdout.contains("using the built-in simulator"), "{stdout}");
    let history = lines(&home.history());
    assert_eq!(history.len(), 1);
    let h = &history[0];
    assert_eq!(h["contact"], "sip:alice@contoso.com");
    assert_eq!(h["server"], "built-in simulator");
    assert_eq!(h["user"], "demo@contoso.com");
    assert_eq!(h["state"], "Ended");
    assert_eq!(h["ended_by"], "local");
    assert_eq!(h["exit_code"], 0);
    assert_eq!(h["profile"], serde_json::Value::Null);
    assert_eq!(h["via_phone"], serde_json::Value::Null);
    assert!(h["timings_ms"]["sign_in"].is_number(), "{h}");
    // A Call via Work call keeps the user's own phone, as people write it.
    let out = run(home.command(&[
        "call",
        "--to",
        "sip:alice@contoso.com",
        "--via-phone",
        "+14255550123",
        "--hangup-after",
        "0",
    ]));
    assert_exit(&out, 0);
    let history = lines(&home.history());
    assert_eq!(history[1]["via_phone"], "+1 425 555 0123", "{}", history[1]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_profile_signs_in_with_its_password_command() {
    let sim = start_sim(fast_config()).await;
    let home = Home::new();
    home.config(&profile_config(sim.url.as_str()));
    let cmd = home.command(&[
        "call",
        "--to",
        "sip:bob@contoso.com",
        "--subject",
        "Budget",
        "--output",
        "json",
    ]);
    let out = output(cmd).await;
    // Declined: signed in (the password came from the command), then the invitation failed.
    assert_exit(&out, 1);
    let seen = seen(&sim);
    assert!(seen.iter().any(|r| r.contains("oauthtoken")), "{seen:#?}");
    let post = sim
        .requests()
        .into_iter()
        .find(|r| r.path_and_query.ends_with("/startAudioVideo"))
        .expect("the invitation was posted");
    assert!(
        post.content_type.as_deref().unwrap_or("").contains("xml"),
        "the profile's format (xml) is used: {:?}",
        post.content_type
    );
    let h = &lines(&home.history())[0];
    assert_eq!(h["profile"], "lab");
    assert_eq!(h["user"], "profile-user@contoso.com");
    assert_eq!(h["format"], "xml");
    assert_eq!(h["subject"], "Budget");
    assert_eq!(h["state"], "Failed");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flag_beats_the_environment_which_beats_the_profile() {
    let sim = start_sim(fast_config()).await;
    let home = Home::new();
    home.config(&profile_config(sim.url.as_str()));
    // --user and --format over the profile's.
    let mut cmd = home.command(&[
        "call",
        "--profile",
        "lab",
        "--user",
        "flag-user@contoso.com",
        "--format",
        "json",
        "--to",
        "sip:alice@contoso.com",
        "--hangup-after",
        "0",
    ]);
    cmd.env("AVLAUNCH_PASSWORD", "demo");
    assert_exit(&output(cmd).await, 0);
    let h = &lines(&home.history())[0];
    assert_eq!(h["user"], "flag-user@contoso.com");
    assert_eq!(h["format"], "json");
    // AVLAUNCH_PASSWORD over password_command: a wrong one is used, and refused.
    let mut cmd = home.command(&[
        "call",
        "--to",
        "sip:alice@contoso.com",
        "--hangup-after",
        "0",
    ]);
    cmd.env("AVLAUNCH_PASSWORD", "wrong-password");
    let out = output(cmd).await;
    assert_exit(&out, 3);
    // AVLAUNCH_PROFILE picks a profile like --profile; --profile beats it.
    let mut cmd = home.command(&[
        "call",
        "--to",
        "sip:alice@contoso.com",
        "--hangup-after",
        "0",
    ]);
    cmd.env("AVLAUNCH_PROFILE", "nope");
    let out = output(cmd).await;
    assert_exit(&out, 2);
    let mut cmd = home.command(&[
        "call",
        "--profile",
        "lab",
        "--to",
        "sip:alice@contoso.com",
        "--hangup-after",
        "0",
    ]);
    cmd.env("AVLAUNCH_PROFILE", "nope");
    assert_exit(&output(cmd).await, 0);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_password_command_is_named_and_its_output_never_shown() {
    let sim = start_sim(fast_config()).await;
    let home = Home::new();
    home.config(&profile_config(sim.url.as_str()));
    let cmd = home.command(&[
        "call",
        "--profile",
        "broken-vault",
        "--to",
        "sip:alice@contoso.com",
    ]);
    let out = output(cmd).await;
    assert_exit(&out, 2);
    let (stdout, stderr) = text(&out);
    assert!(
        stderr.contains("profile 'broken-vault': password_command: 'sh' exited with status 7"),
        "{stderr}"
    );
    assert!(!stdout.contains("vault-output-secret") && !stderr.contains("vault-output-secret"));
    assert!(sim.requests().is_empty(), "nothing was sent");
    sim.shutdown().await;
}

#[test]
fn an_unknown_profile_names_the_ones_that_exist() {
    let home = Home::new();
    home.config(&profile_config("http://127.0.0.1:9/"));
    let out = run(home.command(&["call", "--profile", "wrok", "--to", "sip:a@b.c"]));
    assert_exit(&out, 2);
    let (_, stderr) = text(&out);
    assert!(stderr.contains("no profile named 'wrok'"), "{stderr}");
    assert!(
        stderr.contains("profiles: broken-vault, lab, quiet"),
        "{stderr}"
    );
    // No config file at all.
    let bare = Home::new();
    let out = run(bare.command(&["call", "--profile", "lab", "--to", "sip:a@b.c"]));
    assert_exit(&out, 2);
    assert!(
        text(&out).1.contains("there is no config file at"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn a_config_error_names_the_file_the_line_and_the_key() {
    let home = Home::new();
    let path = home.config("[profiles.lab]\nserver = \"https://x\"\nformat = \"yaml\"\n");
    for args in [
        vec!["call", "--to", "sip:alice@contoso.com"],
        vec!["history"],
    ] {
        let out = run(home.command(&args));
        if args[0] == "history" {
            // The history needs no profile: a broken config does not stop it.
            assert_exit(&out, 0);
            continue;
        }
        assert_exit(&out, 2);
        let (_, stderr) = text(&out);
        assert!(
            stderr.contains(&format!("{}:3:", path.display())),
            "{stderr}"
        );
        assert!(stderr.contains("profiles.lab.format"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn history_can_be_turned_off() {
    let sim = start_sim(fast_config()).await;
    let home = Home::new();
    home.config(&profile_config(sim.url.as_str()));
    let cmd = home.command(&[
        "call",
        "--profile",
        "quiet",
        "--to",
        "sip:alice@contoso.com",
        "--hangup-after",
        "0",
    ]);
    assert_exit(&output(cmd).await, 0);
    let mut cmd = home.command(&[
        "call",
        "--no-history",
        "--to",
        "sip:alice@contoso.com",
        "--hangup-after",
        "0",
    ]);
    cmd.env("AVLAUNCH_PASSWORD", "demo");
    assert_exit(&output(cmd).await, 0);
    assert!(!home.history_path().exists());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_reaches_the_history_file() {
    // The token expires once, so a second token request happens mid-call.
    let sim = start_sim(avlaunch::sim::SimConfig {
        faults: avlaunch::sim::faults::Faults::parse("expire-token-once").unwrap(),
        ..fast_config()
    })
    .await;
    let home = Home::new();
    let mut cmd = home.command(&[
        "call",
        "--server",
        sim.url.as_str(),
        "--user",
        "tester@contoso.com",
        "--to",
        "sip:alice@contoso.com",
        "--hangup-after",
        "0",
        "--subject",
        "quarterly",
    ]);
    cmd.env("AVLAUNCH_PASSWORD", "demo");
    let out = output(cmd).await;
    assert_exit(&out, 0);
    let history = home.history();
    assert_eq!(lines(&history).len(), 1);
    assert!(!history.contains("demo"), "the password: {history}");
    assert!(!history.contains("cwt="), "a token: {history}");
    assert!(
        !history.to_lowercase().contains("authorization"),
        "{history}"
    );
    assert!(!history.contains("password"), "{history}");
    sim.shutdown().await;
}

#[test]
fn history_lists_newest_first_and_shows_one_call() {
    let home = Home::new();
    for to in ["sip:alice@contoso.com", "sip:bob@contoso.com"] {
        let out =
            run(home.command(&["call", "--to", to, "--hangup-after", "0", "--subject", "s1"]));
        assert!(out.status.code().is_some());
    }
    let out = run(home.command(&["history"]));
    assert_exit(&out, 0);
    let (list, _) = text(&out);
    let rows: Vec<&str> = list.lines().collect();
    assert!(
        rows[0].contains("when (UTC)") && rows[0].contains("outcome"),
        "{list}"
    );
    assert!(
        rows[1].contains("   1  ") && rows[1].contains("sip:bob@contoso.com"),
        "{list}"
    );
    assert!(
        rows[1].contains("Failed") && rows[1].contains("built-in simulator"),
        "{list}"
    );
    assert!(
        rows[2].contains("   2  ") && rows[2].contains("sip:alice@contoso.com"),
        "{list}"
    );
    assert!(rows[2].contains("Ended — you hung up"), "{list}");

    let out = run(home.command(&["history", "show", "1"]));
    assert_exit(&out, 0);
    let (show, _) = text(&out);
    assert!(show.contains("call 1 of 2"), "{show}");
    assert!(show.contains("contact      sip:bob@contoso.com"), "{show}");
    assert!(show.contains("outcome      Failed (exit 1)"), "{show}");
    assert!(show.contains("code RemoteFailure"), "{show}");
    assert!(show.contains("timings"), "{show}");

    let out = run(home.command(&["history", "--output", "json"]));
    let json = lines(&text(&out).0);
    assert_eq!(json.len(), 2);
    assert_eq!(json[0]["contact"], "sip:bob@contoso.com");
    let out = run(home.command(&["history", "show", "2", "--output", "json"]));
    assert_eq!(lines(&text(&out).0)[0]["contact"], "sip:alice@contoso.com");
    let out = run(home.command(&["history", "--limit", "1"]));
    assert!(text(&out).0.contains("(1 more; --limit 0 lists all"));

    let out = run(home.command(&["history", "show", "3"]));
    assert_exit(&out, 2);
    assert!(text(&out).1.contains("the history holds 2 call(s)"));
    let empty = Home::new();
    let out = run(empty.command(&["history"]));
    assert_exit(&out, 0);
    assert!(text(&out).0.contains("no calls recorded yet"));
}

#[test]
fn completions_for_every_shell_and_the_man_page() {
    let home = Home::new();
    home.config(&profile_config("http://127.0.0.1:9/"));
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(home.command(&["completions", shell]));
        assert_exit(&out, 0);
        let (script, stderr) = text(&out);
        assert!(stderr.is_empty(), "{shell}: {stderr}");
        assert!(
            script.contains("avlaunch") && script.len() > 1000,
            "{shell}"
        );
        assert!(script.contains("history"), "{shell}");
        // The config's profiles and the simulator's faults are offered where the shell's
        // generator writes values (elvish and powershell complete option names only).
        if ["bash", "zsh", "fish"].contains(&shell) {
            for word in ["broken-vault", "expire-token-once"] {
                assert!(script.contains(word), "{shell} lacks {word}");
            }
        }
    }
    // bash and zsh parse what they get.
    for (shell, check) in [("bash", "bash"), ("zsh", "zsh")] {
        if Command::new(check).arg("-c").arg("true").output().is_err() {
            continue;
        }
        let script = home.path().join(format!("avlaunch.{shell}"));
        std::fs::write(&script, run(home.command(&["completions", shell])).stdout).unwrap();
        let out = Command::new(check).arg("-n").arg(&script).output().unwrap();
        assert!(out.status.success(), "{shell}: {:?}", text(&out));
    }
    let out = run(home.command(&["man"]));
    assert_exit(&out, 0);
    let (page, _) = text(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH avlaunch"),
        "{page}"
    );
    assert!(page.contains("completions") && page.contains("\\-\\-profile"));
    // Every page the main page refers to (avlaunch-call(1), …) can be printed.
    let referred: Vec<&str> = page
        .split("avlaunch\\-")
        .skip(1)
        .filter_map(|rest| rest.split_once("(1)").map(|(name, _)| name))
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase()))
        .collect();
    assert!(
        referred.contains(&"call") && referred.contains(&"doctor"),
        "{referred:?}"
    );
    for name in referred {
        let out = run(home.command(&["man", name]));
        assert_exit(&out, 0);
        let (sub, _) = text(&out);
        assert!(
            sub.contains(&format!(".TH avlaunch-{name} 1")),
            "{name}: {sub}"
        );
    }
    let out = run(home.command(&["man", "nope"]));
    assert_exit(&out, 2);
    assert!(
        text(&out).1.contains("'nope' has no page"),
        "{:?}",
        text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sample_offers_are_accepted_and_sent() {
    let sim = start_sim(fast_config()).await;
    for file in [
        "assets/sdp/lync-audio.sdp",
        "assets/sdp/lync-audio-video.sdp",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let mut cmd = call_command(
            &sim,
            "sip:alice@contoso.com",
            &[
                "--hangup-after",
                "0",
                "--media-offer",
                path.to_str().unwrap(),
            ],
        );
        cmd.envs(home_env());
        let out = output(cmd).await;
        assert_exit(&out, 0);
    }
    let posts: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path_and_query.ends_with("/startAudioVideo"))
        .collect();
    assert_eq!(posts.len(), 2);
    for p in posts {
        assert!(
            p.body.contains("data:application/sdp;base64,"),
            "{}",
            p.body
        );
    }
    sim.shutdown().await;
}
