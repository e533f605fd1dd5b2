//! `avlaunch call --output nagios`: the real binary against the simulator. One plugin line on
//! stdout, nothing else; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use avlaunch::sim::faults::Faults;
use common::*;

struct Check {
    code: Option<i32>,
    line: String,
}

async fn check(faults: &str, answer_delay_ms: u64, to: &str, extra: &[&str]) -> Check {
    let mut config = fast_config();
    config.faults = Faults::parse(faults).unwrap();
    config.answer_delay = Duration::from_millis(answer_delay_ms);
    let sim = start_sim(config).await;
    let mut args = vec!["--output", "nagios", "--timeout", "10"];
    args.extend_from_slice(extra);
    let out = output(call_command(&sim, to, &args)).await;
    let (stdout, stderr) = text(&out);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "one line only: {stdout}");
    assert!(
        !stdout.trim_end().chars().any(char::is_control),
        "server text cannot drive the terminal: {stdout:?}"
    );
    assert_eq!(sim.live_applications(), 0, "the application is deleted");
    sim.shutdown().await;
    Check {
        code: out.status.code(),
        line: stdout.trim_end().to_string(),
    }
}

/// The perfdata part: `setup=VALUE;WARN;CRIT;MIN;MAX`.
fn perf(line: &str) -> Vec<String> {
    let (_, perf) = line.split_once(" | ").expect("performance data");
    let setup = perf.strip_prefix("setup=").expect("setup first");
    setup.split(';').map(str::to_string).collect()
}

/// A row: (simulator fault, answer delay in ms, contact, options) → (exit code, status,
/// a fragment of the text).
type Row = (
    &'static str,
    u64,
    &'static str,
    &'static [&'static str],
    i32,
    &'static str,
    &'static str,
);

/// Every verdict of the table, checked with its performance data.
#[tokio::test(flavor = "multi_thread")]
async fn each_verdict_has_its_exit_code_line_and_perfdata() {
    let table: &[Row] = &[
        (
            "",
            0,
            "sip:alice@contoso.com",
            &["--warn", "5", "--crit", "9"],
            0,
            "OK",
            "connected to sip:alice@contoso.com in ",
        ),
        ("", 0, "sip:alice@contoso.com", &[], 0, "OK", "connected to"),
        (
            "",
            400,
            "sip:alice@contoso.com",
            &["--warn", "0.2", "--crit", "9"],
            1,
            "WARNING",
            "slower than --warn 0.2 s",
        ),
        (
            "",
            400,
            "sip:alice@contoso.com",
            &["--warn", "0.1", "--crit", "0.2"],
            2,
            "CRITICAL",
            "slower than --crit 0.2 s",
        ),
        (
            "expire-token-once",
            0,
            "sip:alice@contoso.com",
            &[],
            1,
            "WARNING",
            "needed recovery: ",
        ),
        (
            "",
            0,
            "sip:bob@contoso.com",
            &[],
            2,
            "CRITICAL",
            "Failed calling sip:bob@contoso.com: ",
        ),
        (
            "",
            0,
            "sip:nobody@contoso.com",
            &["--warn", "5"],
            2,
            "CRITICAL",
            "Failed calling sip:nobody@contoso.com",
        ),
        (
            "token-diagnostics=28029",
            0,
            "sip:alice@contoso.com",
            &[],
            2,
            "CRITICAL",
            "[X-Ms-diagnostics 28029 Authentication type not allowed.]",
        ),
        (
            "hostile-text",
            0,
            "sip:bob@contoso.com",
            &[],
            2,
            "CRITICAL",
            "\\x1b[2J",
        ),
        (
            "no-av-link",
            0,
            "sip:alice@contoso.com",
            &[],
            2,
            "CRITICAL",
            "not offered",
        ),
    ];
    for (faults, delay, to, extra, code, status, fragment) in table {
        let c = check(faults, *delay, to, extra).await;
        let name = format!("{faults}/{to}/{extra:?}");
        assert_eq!(c.code, Some(*code), "{name}: {}", c.line);
        assert!(
            c.line.starts_with(&format!("AVLAUNCH {status} - ")),
            "{name}: {}",
            c.line
        );
        assert!(c.line.contains(fragment), "{name}: {}", c.line);
        let p = perf(&c.line);
        assert_eq!(p.len(), 5, "{name}: {}", c.line);
        if *code == 2 && !c.line.contains("slower") {
            assert_eq!(p[0], "U", "{name}: no set-up time without a connection");
        } else {
            let v = p[0].strip_suffix('s').expect("unit s");
            assert!(v.parse::<f64>().unwrap() >= 0.0, "{name}");
        }
        let at = |flag: &str| {
            extra
                .iter()
                .position(|a| *a == flag)
                .map(|i| extra[i + 1].to_string())
                .unwrap_or_default()
        };
        assert_eq!(p[1], at("--warn"), "{name}");
        assert_eq!(p[2], at("--crit"), "{name}");
        assert_eq!(p[3], "0", "{name}");
        assert_eq!(p[4], "10", "{name}: the --timeout is the maximum");
    }
}

/// Invalid input is UNKNOWN (3) with one line, and nothing is sent.
#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_is_unknown() {
    let table: &[(&[&str], &str)] = &[
        (&["--warn", "-1"], "--warn"),
        (&["--warn", "soon"], "--warn"),
        (&["--crit", "0"], "--crit"),
        (&["--warn", "5", "--crit", "2"], "below --warn"),
        (&["--timeout", "0"], "--timeout"),
        (&["--warn"], "a value is required for '--warn"),
        (
            &["--importance", "Whenever"],
            "not one of Normal, Urgent, Emergency",
        ),
    ];
    for (extra, fragment) in table {
        let sim = start_sim(fast_config()).await;
        let mut args = vec!["--output", "nagios"];
        args.extend_from_slice(extra);
        let out = output(call_command(&sim, "sip:alice@contoso.com", &args)).await;
        let (stdout, _) = text(&out);
        assert_eq!(out.status.code(), Some(3), "{extra:?}: {stdout}");
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        assert!(stdout.starts_with("AVLAUNCH UNKNOWN - "), "{stdout}");
        assert!(stdout.contains(fragment), "{extra:?}: {stdout}");
        assert!(seen(&sim).is_empty(), "{extra:?}: nothing is sent");
        sim.shutdown().await;
    }
}

/// The thresholds belong to the nagios output: refused (exit 2, as other invalid input)
/// with text or JSON output.
#[tokio::test(flavor = "multi_thread")]
async fn thresholds_without_nagios_output_are_refused() {
    let sim = start_sim(fast_config()).await;
    let out = output(call_command(
        &sim,
        "sip:alice@contoso.com",
        &["--output", "json", "--warn", "3"],
    ))
    .await;
    assert_eq!(out.status.code(), Some(2));
    let s = summary(&out);
    assert!(
        s["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--warn: applies only with --output nagios"),
        "{s}"
    );
    sim.shutdown().await;
}
