//! The command line as a person or a script meets it: ranges checked like fields, options
//! that do not apply refused, `--output json` keeping its promise on invalid input, no UI
//! without a terminal, and headless text output for a person (`-q`, colour, said once).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};

use common::*;

/// `avlaunch call` on the built-in simulator (no `--server`), stdout and stderr piped.
fn embedded_call(args: &[&str]) -> Command {
    let mut cmd = common::avlaunch();
    cmd.arg("call")
        .args(args)
        .env("AVLAUNCH_SIM_ANSWER_DELAY_MS", "0")
        .env_remove("AVLAUNCH_TOKEN")
        .env_remove("AVLAUNCH_PASSWORD")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    cmd
}

fn run(mut cmd: Command) -> (Option<i32>, String, String) {
    let out = cmd.output().expect("avlaunch runs");
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

#[tokio::test(flavor = "multi_thread")]
async fn ranges_are_invalid_input_named_by_their_flag() {
    let sim = start_sim(fast_config()).await;
    for (extra, expected) in [
        (
            &["--timeout", "0"][..],
            "--timeout: 0 is out of range (expected a number of seconds, 0.1 or more and at most 86400)",
        ),
        (&["--timeout", "1e-9"], "--timeout: 1e-9 is out of range"),
        (&["--timeout", "0.05"], "--timeout: 0.05 is out of range"),
        (&["--timeout", "-1"], "--timeout: -1 is out of range"),
        (&["--timeout", "86401"], "--timeout: 86401 is out of range"),
        (&["--timeout", "soon"], "--timeout: 'soon' is not a number"),
        (
            &["--log-level", "loud"],
            "--log-level: 'loud' is not a level",
        ),
        (
            &["--hangup-after", "-1"],
            "--hangup-after: -1 is out of range (expected a number of seconds, 0 or more",
        ),
    ] {
        let out = output(call_command(&sim, "sip:alice@contoso.com", extra)).await;
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(
            stderr.contains(&format!("invalid input: {expected}")),
            "{extra:?}: {stderr}"
        );
        assert!(stderr.contains("nothing was sent"), "{stderr}");
    }
    assert!(sim.requests().is_empty(), "{:#?}", seen(&sim));
}

#[tokio::test(flavor = "multi_thread")]
async fn json_output_prints_its_summary_on_invalid_input() {
    let sim = start_sim(fast_config()).await;
    let context = "c".repeat(51);
    let out = output(call_command(
        &sim,
        "bob",
        &[
            "--session-context",
            &context,
            "--timeout",
            "0",
            "--output",
            "json",
        ],
    ))
    .await;
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    let (stdout, _) = text(&out);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let s = summary(&out);
    assert_eq!(s["type"], "summary");
    assert_eq!(s["exit_code"], 2);
    assert_eq!(s["error"]["kind"], "InvalidInput");
    let fields = s["error"]["fields"].as_array().unwrap();
    let flags: Vec<&str> = fields.iter().map(|f| f["flag"].as_str().unwrap()).collect();
    assert_eq!(flags, ["--to", "--session-context", "--timeout"], "{s}");
    assert_eq!(fields[1]["field"], "sessionContext");
    assert_eq!(fields[1]["message"], "51 characters, the limit is 50");
    assert!(s["error"]["message"]
        .as_str()
        .unwrap()
        .contains("--timeout: 0 is out of range"));
    assert!(sim.requests().is_empty());

    // A value clap itself refuses gets its summary line too.
    let (code, stdout, stderr) = run(embedded_call(&[
        "--to",
        "sip:alice@contoso.com",
        "--format",
        "yaml",
        "--output",
        "json",
    ]));
    assert_eq!(code, Some(2), "{stderr}");
    let s: serde_json::Value = serde_json::from_str(stdout.trim()).expect(&stdout);
    assert_eq!(s["exit_code"], 2);
    assert_eq!(s["error"]["fields"][0]["flag"], "--format");
}

#[test]
fn options_that_do_not_apply_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("ca.pem");
    std::fs::write(
        &pem,
        "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let pem = pem.to_str().unwrap();
    let cases: Vec<(Command, &str)> = vec![
        (
            {
                let mut c = common::avlaunch();
                c.args(["sim", "--user", "a@contoso.com"]);
                c
            },
            "--user: does not apply to `avlaunch sim`",
        ),
        (
            {
                let mut c = common::avlaunch();
                c.args(["sim", "--format", "xml"]);
                c
            },
            "--format: does not apply to `avlaunch sim`",
        ),
        (
            embedded_call(&["--to", "sip:alice@contoso.com", "--ca-cert", pem]),
            "--ca-cert: applies only with --server",
        ),
        (
            embedded_call(&[
                "--to",
                "sip:alice@contoso.com",
                "--ca-cert",
                "/nonexistent/ca.pem",
            ]),
            "--ca-cert: cannot read '/nonexistent/ca.pem'",
        ),
        (
            {
                let mut c = embedded_call(&["--to", "sip:alice@contoso.com"]);
                c.env("AVLAUNCH_SIM_ANSWER_DELAY_MS", "soon");
                c
            },
            "AVLAUNCH_SIM_ANSWER_DELAY_MS: 'soon' is not a whole number of milliseconds",
        ),
        (
            {
                let mut c = common::avlaunch();
                c.args(["sim", "--answer-delay-ms", "-5"]);
                c
            },
            "--answer-delay-ms",
        ),
    ];
    for (mut cmd, expected) in cases {
        cmd.stdin(Stdio::null());
        let (code, stdout, stderr) = run(cmd);
        assert_eq!(code, Some(2), "{expected}: {stdout} {stderr}");
        assert!(stderr.contains(expected), "{expected}: {stderr}");
        assert!(!stdout.contains("listening"), "{stdout}");
    }
}

#[test]
fn the_ui_without_a_terminal_points_to_call() {
    let (code, stdout, stderr) = run({
        let mut c = common::avlaunch();
        c.stdin(Stdio::null());
        c
    });
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("the terminal UI needs a terminal")
            && stderr.contains("avlaunch call --to"),
        "{stderr}"
    );
}

#[test]
fn quiet_prints_only_the_outcome_line() {
    let (code, stdout, stderr) = run(embedded_call(&["--to", "sip:bob@contoso.com", "-q"]));
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stdout,
        "result: Failed — The person declined the call. [code RemoteFailure, subcode Declined] (exit 1)\n"
    );
    let (code, stdout, _) = run(embedded_call(&[
        "--to",
        "sip:bob@contoso.com",
        "--quiet",
        "--output",
        "json",
    ]));
    assert_eq!(code, Some(1));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let s: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(s["type"], "summary");
    assert_eq!(s["state"], "Failed");
}

#[test]
fn text_for_a_pipe_has_no_colour_and_says_each_thing_once() {
    let (code, stdout, _) = run(embedded_call(&[
        "--to",
        "sip:conflict@contoso.com",
        "--format",
        "xml",
    ]));
    assert_eq!(code, Some(3), "{stdout}");
    assert!(!stdout.contains('\x1b'), "{stdout:?}");
    assert_eq!(stdout.matches("(xml)").count(), 1, "{stdout}");
    let result = stdout.lines().last().unwrap();
    assert!(result.starts_with("result: Failed"), "{result}");
    // The message names 409 Conflict/AlreadyExists already: no second [code …, subcode …].
    assert_eq!(result.matches("AlreadyExists").count(), 1, "{result}");
}

/// `--har FILE` is checked before anything is sent, and with `--output json` the summary
/// stays the last line even when the HAR note follows the call.
#[tokio::test(flavor = "multi_thread")]
async fn the_har_path_is_checked_first_and_the_summary_stays_last() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir").join("x.har");
    let (code, _, stderr) = run(embedded_call(&[
        "--to",
        "sip:alice@contoso.com",
        "--hangup-after",
        "0",
        "--har",
        missing.to_str().unwrap(),
    ]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("invalid input: --har:"), "{stderr}");
    assert!(stderr.contains("nothing was sent"), "{stderr}");

    let har = dir.path().join("call.har");
    let (code, stdout, stderr) = run(embedded_call(&[
        "--to",
        "sip:alice@contoso.com",
        "--hangup-after",
        "0",
        "--output",
        "json",
        "--har",
        har.to_str().unwrap(),
    ]));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("\"type\":\"notice\""), "{stdout}");
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "summary", "{stdout}");
    assert!(har.is_file());
}

/// Every option that names a file to write (`--har`, `--junit`, `--save-answer`, for `call`
/// and `doctor`) is checked before anything is sent: a missing directory, or a directory where
/// the file should be, is invalid input (exit 2) naming the option.
#[test]
fn every_output_file_is_checked_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir").join("out.file");
    let offer = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sdp/lync-audio.sdp");
    let calls: [(&str, &[&str]); 3] = [
        ("--har", &[]),
        ("--junit", &["--repeat", "1"]),
        ("--save-answer", &["--media-offer", offer]),
    ];
    for bad in [missing.as_path(), dir.path()] {
        let bad = bad.to_str().unwrap();
        for (flag, extra) in calls {
            let mut args = vec![
                "--to",
                "sip:alice@contoso.com",
                "--hangup-after",
                "0",
                flag,
                bad,
            ];
            args.extend_from_slice(extra);
            let (code, _, stderr) = run(embedded_call(&args));
            assert_eq!(code, Some(2), "call {flag} {bad}: {stderr}");
            assert!(
                stderr.contains(&format!("invalid input: {flag}:")),
                "{stderr}"
            );
            assert!(stderr.contains("nothing was sent"), "{stderr}");
        }
        let out = common::avlaunch()
            .args(["doctor", "--junit", bad])
            .env("AVLAUNCH_SIM_ANSWER_DELAY_MS", "0")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "doctor --junit {bad}: {stderr}");
        assert!(stderr.contains("--junit"), "{stderr}");
    }
}

/// A missing required option is named in the JSON summary, as any other invalid input.
#[test]
fn a_missing_to_is_named_in_the_json_summary() {
    let (code, stdout, _) = run(embedded_call(&["--output", "json"]));
    assert_eq!(code, Some(2));
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(summary["error"]["fields"][0]["flag"], "--to", "{stdout}");
    assert_eq!(
        summary["error"]["fields"][0]["message"], "required",
        "{stdout}"
    );
}

/// Every test runs the binary hermetically: through `common::avlaunch()` or a `Tmux` pane
/// (both set the test build's HOME and XDG directories), never by its path directly, so no
/// test reads the user's config file or writes to their history.
#[test]
fn tests_start_the_binary_only_through_the_hermetic_helpers() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            // Spelled in two halves, so this test does not find itself.
            let direct = [
                concat!("Command::new", "(BIN)"),
                concat!("Command::new", "(common::BIN)"),
                concat!("Command::new", "(env!("),
            ];
            if direct.iter().any(|d| line.contains(d)) {
                offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "start the binary with common::avlaunch():\n{}",
        offenders.join("\n")
    );
}

/// The shared server options typed for a command that talks to no server (`history`,
/// `completions`, `man`) or is the server (`sim`) are refused, naming the option and the
/// command (exit 2); a profile from the environment is not.
#[test]
fn server_options_are_refused_where_they_do_not_apply() {
    let commands: [&[&str]; 4] = [&["history"], &["completions", "bash"], &["man"], &["sim"]];
    let options: [&[&str]; 3] = [
        &["--profile", "work"],
        &["--server", "https://lyncdiscover.contoso.com"],
        &["--user", "me@contoso.com"],
    ];
    for command in commands {
        for option in options {
            let out = common::avlaunch()
                .args(command)
                .args(option)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let (_, stderr) = text(&out);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{command:?} {option:?}: {stderr}"
            );
            let said = format!("{}: does not apply to `avlaunch {}`", option[0], command[0]);
            assert!(stderr.contains(&said), "{command:?} {option:?}: {stderr}");
        }
    }
    let out = common::avlaunch()
        .args(["completions", "bash"])
        .env("AVLAUNCH_PROFILE", "work")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).1);
}

/// `man` and `completions` piped into a reader that has already quit (`| head`) end
/// quietly with 0: no panic, no "Broken pipe".
#[test]
fn a_reader_that_quit_is_not_an_error() {
    for command in [&["man"][..], &["completions", "zsh"][..]] {
        let mut child = common::avlaunch()
            .args(command)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{command:?}: {stderr}");
        assert!(stderr.is_empty(), "{command:?}: {stderr}");
    }
}
