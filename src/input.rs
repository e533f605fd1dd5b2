//! Checks of the command line and environment that clap cannot make: ranges, options that do
//! not apply to the command given, and `AVLAUNCH_SIM_ANSWER_DELAY_MS`. Every problem names the
//! option or variable as the user typed it, and all of them are reported at once (exit 2).

use crate::seconds::format_seconds;
use std::fmt;
use std::io::Write;
use std::time::Duration;

use serde_json::json;

use crate::call::FieldError;
use crate::cli::{CallArgs, Output, ServerArgs};

/// The longest `--timeout` / `--hangup-after`, in seconds (a day).
pub const MAX_SECS: f64 = 86_400.0;
/// The longest simulated answer delay, in milliseconds (ten minutes).
pub const MAX_ANSWER_DELAY_MS: u64 = 600_000;
/// The variable that sets the embedded simulator's answer delay.
pub const ANSWER_DELAY_VAR: &str = "AVLAUNCH_SIM_ANSWER_DELAY_MS";

/// One problem with what the user typed: `--timeout: 0 is not allowed …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The option (`--timeout`) or environment variable as the user typed it.
    pub flag: String,
    /// The `startAudioVideo` field it sets (`sessionContext`), when it sets one.
    pub field: Option<&'static str>,
    pub message: String,
}

impl Problem {
    pub fn new(flag: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            flag: flag.into(),
            field: None,
            message: message.into(),
        }
    }

    /// A problem in `--flag: message` form (as `settings::target` reports them); text with no
    /// flag in front is kept whole.
    pub fn from_text(text: &str) -> Problem {
        match text.split_once(": ") {
            Some((flag, message)) if flag.starts_with("--") && !flag.contains(' ') => {
                Problem::new(flag, message)
            }
            _ => Problem::new("", text),
        }
    }
}

impl From<&FieldError> for Problem {
    fn from(e: &FieldError) -> Problem {
        Problem {
            flag: e.field.flag().to_string(),
            field: Some(e.field.name()),
            message: e.message.clone(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.flag.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.flag, self.message)
        }
    }
}

/// The shortest `--timeout`, in seconds: a shorter one could not even cover sign-in, and
/// would end the call with the server blamed for not finishing in time.
pub const MIN_TIMEOUT_SECS: f64 = 0.1;

/// The lower end of a number of seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lower {
    /// 0 is allowed (`--hangup-after 0`: at once).
    Zero,
    /// More than 0 (`--warn`, `--crit`).
    AboveZero,
    /// At least this many seconds (`--timeout`: `MIN_TIMEOUT_SECS`).
    AtLeast(f64),
}

/// Seconds as typed for `flag`: a number from `lower` to a day (`MAX_SECS`).
/// Negative numbers arrive here too (clap is told to accept them), so the message can name
/// the limit.
pub fn seconds(flag: &str, value: &str, lower: Lower) -> Result<Duration, Problem> {
    let (lower_text, above_lower): (String, fn(f64, f64) -> bool) = match lower {
        Lower::Zero => ("0 or more".into(), |v, _| v >= 0.0),
        Lower::AboveZero => ("more than 0".into(), |v, _| v > 0.0),
        Lower::AtLeast(min) => (format!("{min} or more"), |v, min| v >= min),
    };
    let min = match lower {
        Lower::AtLeast(min) => min,
        _ => 0.0,
    };
    let range = format!("expected a number of seconds, {lower_text} and at most {MAX_SECS:.0}");
    let v: f64 = value
        .trim()
        .parse()
        .map_err(|_| Problem::new(flag, format!("'{value}' is not a number ({range})")))?;
    if !(v.is_finite() && v <= MAX_SECS && above_lower(v, min)) {
        return Err(Problem::new(
            flag,
            format!("{value} is out of range ({range})"),
        ));
    }
    Ok(Duration::from_secs_f64(v))
}

/// `--timeout` and `--hangup-after`, checked.
pub fn call_times(args: &CallArgs) -> (Option<(Duration, Option<Duration>)>, Vec<Problem>) {
    let mut problems = Vec::new();
    let timeout = seconds("--timeout", &args.timeout, Lower::AtLeast(MIN_TIMEOUT_SECS))
        .map_err(|p| problems.push(p))
        .ok();
    let hangup = match &args.hangup_after {
        Some(v) => seconds("--hangup-after", v, Lower::Zero)
            .map(Some)
            .map_err(|p| problems.push(p))
            .ok(),
        None => Some(None),
    };
    match (timeout, hangup) {
        (Some(t), Some(h)) => (Some((t, h)), problems),
        _ => (None, problems),
    }
}

/// `--warn` and `--crit` (seconds of set-up time): each more than 0 and at most 86400,
/// `--crit` not below `--warn`, and both only with `--output nagios`.
pub fn thresholds(args: &CallArgs) -> (crate::nagios::Thresholds, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut read = |flag: &str, value: &Option<String>| {
        let v = value.as_ref()?;
        if args.output != Output::Nagios {
            problems.push(Problem::new(flag, "applies only with --output nagios"));
            return None;
        }
        seconds(flag, v, Lower::AboveZero)
            .map_err(|p| problems.push(p))
            .ok()
    };
    let t = crate::nagios::Thresholds {
        warn: read("--warn", &args.warn),
        crit: read("--crit", &args.crit),
    };
    if let (Some(w), Some(c)) = (t.warn, t.crit) {
        if c < w {
            problems.push(Problem::new(
                "--crit",
                format!(
                    "{} is below --warn {}: CRITICAL must not come before WARNING",
                    format_seconds(c),
                    format_seconds(w)
                ),
            ));
        }
    }
    (t, problems)
}

/// The shared options: `--ca-cert` must name a readable PEM file, and applies only with
/// `--server` (the built-in simulator is reached over plain HTTP on loopback).
pub fn server_options(server: &ServerArgs) -> Vec<Problem> {
    let mut problems: Vec<Problem> = log_level(server.log_level.as_deref()).into_iter().collect();
    if let Some(path) = &server.ca_cert {
        if let Err(e) = crate::settings::read_ca_cert(path) {
            problems.push(Problem::from_text(&e));
        }
        if server.server.is_none() {
            problems.push(Problem::new(
                "--ca-cert",
                "applies only with --server (the built-in simulator is reached over plain http on loopback)",
            ));
        }
    }
    problems
}

/// `--log-level`: a level, or a filter with a target (`avlaunch=debug,warn`). A bare word
/// that is not a level would silently be read as a target and log nothing useful.
pub fn log_level(value: Option<&str>) -> Option<Problem> {
    const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];
    let value = value?;
    let ok = value.split(',').all(|part| {
        let level = part.rsplit('=').next().unwrap_or_default().trim();
        LEVELS.iter().any(|l| l.eq_ignore_ascii_case(level))
    });
    (!ok).then(|| {
        Problem::new(
            "--log-level",
            format!("'{value}' is not a level (error, warn, info, debug, trace, off) or a filter such as avlaunch=debug"),
        )
    })
}

/// `AVLAUNCH_SIM_ANSWER_DELAY_MS` from the environment: unset or empty is `None`.
pub fn answer_delay_from_env() -> Result<Option<Duration>, Problem> {
    answer_delay(std::env::var(ANSWER_DELAY_VAR).ok().as_deref())
}

/// The answer delay as written in the variable: whole milliseconds, at most ten minutes.
pub fn answer_delay(value: Option<&str>) -> Result<Option<Duration>, Problem> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    match value.parse::<u64>() {
        Ok(ms) if ms <= MAX_ANSWER_DELAY_MS => Ok(Some(Duration::from_millis(ms))),
        _ => Err(Problem::new(
            ANSWER_DELAY_VAR,
            format!(
                "'{value}' is not a whole number of milliseconds from 0 to {MAX_ANSWER_DELAY_MS}"
            ),
        )),
    }
}

/// Reports invalid input the way `output` promises: each problem on stderr, and with
/// `--output json` a summary line on stdout (`exit_code` 2, `error.fields` naming each).
/// Returns the exit code, 2 (3, UNKNOWN, with `--output nagios`, which then prints its line).
pub fn report(problems: &[Problem], output: Output, operation_id: Option<&str>) -> u8 {
    if output == Output::Nagios {
        let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
        crate::outln!(
            "{}",
            crate::nagios::line(
                crate::nagios::Status::Unknown,
                &format!("invalid input, nothing was sent: {}", all.join("; ")),
                &[]
            )
        );
        return crate::nagios::Status::Unknown.exit_code();
    }
    for p in problems {
        crate::errln!("avlaunch: invalid input: {p}");
    }
    crate::errln!("avlaunch: nothing was sent");
    if output == Output::Json {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", summary(problems, operation_id));
        let _ = out.flush();
    }
    2
}

/// The summary line of a call refused before anything was sent. Same members as a call's
/// summary; `error.kind` is `InvalidInput` and `error.fields` lists each problem.
pub fn summary(problems: &[Problem], operation_id: Option<&str>) -> serde_json::Value {
    let message = problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    json!({
        "type": "summary",
        "state": "Failed",
        "invitation": null,
        "operation_id": operation_id,
        "timings_ms": {},
        "connected_ms": null,
        "exit_code": 2,
        "error": {
            "kind": "InvalidInput",
            "status": null,
            "code": null,
            "subcode": null,
            "message": format!("invalid input, nothing was sent: {message}"),
            "server_message": null,
            "fields": problems.iter().map(|p| json!({
                "flag": p.flag,
                "field": p.field,
                "message": p.message,
            })).collect::<Vec<_>>(),
        },
    })
}

/// `--repeat N` (1–10000) and `--interval SECS` (0–3600, fractions allowed; only with
/// `--repeat`), and the options that cannot go with `--repeat` (`--har`: one file per
/// call is not kept; `--output nagios`: one plugin line is one call).
pub fn repeat(args: &crate::cli::CallArgs) -> (Option<(u32, Duration)>, Vec<Problem>) {
    let mut problems = Vec::new();
    let count = match args.repeat.as_deref() {
        None => None,
        Some(v) => match v.trim().parse::<u32>() {
            Ok(n) if (1..=10_000).contains(&n) => Some(n),
            _ => {
                problems.push(Problem::new(
                    "--repeat",
                    format!("'{v}' is not a number of calls from 1 to 10000"),
                ));
                None
            }
        },
    };
    let interval = match args.interval.as_deref() {
        None => Duration::ZERO,
        Some(v) => match v.trim().parse::<f64>() {
            Ok(s) if s.is_finite() && (0.0..=3600.0).contains(&s) => Duration::from_secs_f64(s),
            _ => {
                problems.push(Problem::new(
                    "--interval",
                    format!("'{v}' is not a number of seconds from 0 to 3600"),
                ));
                Duration::ZERO
            }
        },
    };
    if args.repeat.is_none() {
        if args.interval.is_some() {
            problems.push(Problem::new("--interval", "only applies with --repeat N"));
        }
        return (None, problems);
    }
    if args.har.is_some() {
        problems.push(Problem::new(
            "--har",
            "cannot be used with --repeat (the wire log of many calls is not kept)",
        ));
    }
    if args.output == Output::Nagios {
        problems.push(Problem::new(
            "--output nagios",
            "checks one call; use it without --repeat",
        ));
    }
    (count.map(|n| (n, interval)), problems)
}

/// An output file option (`--har`, `--junit`, `--save-answer`) can be written: its
/// directory exists, and the file, if it exists, is a regular file. Checked before anything
/// is sent, like every other option; `flag` names the option in the problem.
pub fn output_file(flag: &str, path: Option<&std::path::Path>) -> Option<Problem> {
    let path = path?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        return Some(Problem::new(
            flag,
            format!("'{}': no such directory", dir.display()),
        ));
    }
    if path.exists() && !path.is_file() {
        return Some(Problem::new(
            flag,
            format!("'{}' exists and is not a regular file", path.display()),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_checked_against_their_range() {
        let timeout = |v| seconds("--timeout", v, Lower::AtLeast(MIN_TIMEOUT_SECS));
        assert_eq!(timeout("2.5").unwrap(), Duration::from_millis(2500));
        assert_eq!(timeout("0.1").unwrap(), Duration::from_millis(100));
        assert!(seconds("--hangup-after", "0", Lower::Zero).is_ok());
        // Below the shortest --timeout: refused as input, not left to fail as a timeout.
        for bad in [
            "0", "1e-9", "0.05", "0.0999", "-1", "86401", "nan", "inf", "soon", "",
        ] {
            let p = timeout(bad).unwrap_err();
            assert_eq!(p.flag, "--timeout");
            assert!(p.message.contains("0.1 or more and at most 86400"), "{p}");
        }
        assert!(seconds("--warn", "0.001", Lower::AboveZero).is_ok());
        assert!(seconds("--warn", "0", Lower::AboveZero)
            .unwrap_err()
            .message
            .contains("more than 0 and at most 86400"));
        assert!(seconds("--hangup-after", "-0.5", Lower::Zero)
            .unwrap_err()
            .message
            .contains("0 or more"));
    }

    #[test]
    fn log_levels_and_filters_are_checked() {
        for good in [
            "warn",
            "DEBUG",
            "avlaunch=debug",
            "avlaunch=trace,warn",
            "off",
        ] {
            assert_eq!(log_level(Some(good)), None, "{good}");
        }
        for bad in ["loud", "avlaunch=loud", "verbose,warn"] {
            assert_eq!(log_level(Some(bad)).unwrap().flag, "--log-level", "{bad}");
        }
    }

    #[test]
    fn the_answer_delay_variable_is_whole_milliseconds() {
        assert_eq!(answer_delay(None), Ok(None));
        assert_eq!(answer_delay(Some("")), Ok(None));
        assert_eq!(
            answer_delay(Some("300")),
            Ok(Some(Duration::from_millis(300)))
        );
        for bad in ["-5", "1.5", "fast", "600001"] {
            let p = answer_delay(Some(bad)).unwrap_err();
            assert_eq!(p.flag, ANSWER_DELAY_VAR, "{bad}");
        }
    }

    #[test]
    fn problems_keep_the_flag_the_user_typed() {
        let p = Problem::from_text("--user: required with --server");
        assert_eq!(
            (p.flag.as_str(), p.message.as_str()),
            ("--user", "required with --server")
        );
        assert_eq!(Problem::from_text("no password given").flag, "");
        let s = summary(&[p], Some("abc"));
        assert_eq!(s["exit_code"], 2);
        assert_eq!(s["error"]["fields"][0]["flag"], "--user");
        assert_eq!(s["error"]["kind"], "InvalidInput");
    }
}
