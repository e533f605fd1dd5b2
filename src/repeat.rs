//! `avlaunch call --repeat N`: N calls one after another on one signed-in application
//! (open once, place N calls, close once), a summary line per call, then a `stats` line:
//! outcomes by state and error code, set-up time percentiles. Per-call state is dropped as
//! each call ends; only each call's outcome key and set-up time are kept, so memory stays
//! flat however large N is.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::mpsc;

use crate::call::session::{run_on, CallOptions, Connection};
use crate::call::{CallControl, CallOutcome, CallUpdate, FinalState, Step, ValidCall};
use crate::cli::Output;
use crate::ucwa::session::Session;

/// How many calls, how far apart, and where the JUnit report goes.
#[derive(Clone, Debug)]
pub struct Repeat {
    /// 1–10000.
    pub count: u32,
    /// Pause between the end of one call and the start of the next.
    pub interval: Duration,
    pub junit: Option<PathBuf>,
}

/// What is kept of a finished call.
struct Kept {
    key: String,
    exit_code: u8,
    /// Start of the call to connected.
    setup: Option<Duration>,
    took: Duration,
    /// For the JUnit report: why it failed (empty when connected).
    failure: String,
    /// The call's JSON summary line (as a single call prints it), printed then dropped.
    summary: Option<serde_json::Value>,
}

/// The outcome's key in `outcomes`: `Connected` for a call that connected (whoever ended
/// it), else the final state, with the error's code and subcode when it has them
/// (`Failed/RemoteFailure/TemporarilyUnavailable`).
pub fn outcome_key(o: &CallOutcome) -> String {
    if o.exit_code() == 0 {
        return "Connected".into();
    }
    let mut key = match o.state {
        FinalState::Ended(_) => "Ended".to_string(),
        other => other.as_str().to_string(),
    };
    if let Some(e) = &o.error {
        for part in [&e.code, &e.subcode].into_iter().flatten() {
            key.push('/');
            key.push_str(part);
        }
    }
    key
}

/// Nearest-rank percentile of sorted `values` (`p` in 0–100).
pub fn percentile(sorted: &[u64], p: u64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank - 1).copied()
}

/// The `stats` line: `{"type":"stats","calls","outcomes","setup_ms":{min,p50,p95,max},
/// "exit_code"}`; `setup_ms` members are `null` when no call connected.
pub fn stats_line(
    calls: u32,
    outcomes: &BTreeMap<String, u32>,
    setups: &mut [u64],
    exit_code: u8,
) -> serde_json::Value {
    setups.sort_unstable();
    json!({
        "type": "stats",
        "calls": calls,
        "outcomes": outcomes,
        "setup_ms": {
            "min": setups.first(),
            "p50": percentile(setups, 50),
            "p95": percentile(setups, 95),
            "max": setups.last(),
        },
        "exit_code": exit_code,
    })
}

/// "1 call", "2 calls".
fn calls(n: u32) -> String {
    format!("{n} call{}", if n == 1 { "" } else { "s" })
}

/// The `stats` line for people, from the JSON one (`stats_line`): the outcome counts, then
/// the set-up times, or that no call connected. No JSON `null` reaches the text.
pub fn stats_text(stats: &serde_json::Value) -> String {
    let count = stats["calls"].as_u64().unwrap_or_default();
    let mut text = format!("stats: {}", calls(u32::try_from(count).unwrap_or(u32::MAX)));
    let outcomes: Vec<String> = stats["outcomes"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    if !outcomes.is_empty() {
        text += &format!(": {}", outcomes.join(", "));
    }
    let s = &stats["setup_ms"];
    let ms = |name: &str| s[name].as_u64();
    match (ms("min"), ms("p50"), ms("p95"), ms("max")) {
        (Some(min), Some(p50), Some(p95), Some(max)) => {
            text += &format!("; set-up ms min {min} p50 {p50} p95 {p95} max {max}")
        }
        _ if count == 0 => {}
        _ => text += "; no call connected, so no set-up times",
    }
    text + &format!(" (exit {})", stats["exit_code"])
}

/// A progress bar on stderr while a person watches (stderr is a terminal); nothing when
/// it is piped.
struct Progress {
    on: bool,
    total: u32,
}

impl Progress {
    fn show(&self, done: u32, connected: u32) {
        if !self.on {
            return;
        }
        let width = 30u32;
        let filled = (done as u64 * width as u64 / self.total.max(1) as u64) as usize;
        let bar = format!(
            "{}{}",
            "█".repeat(filled),
            "░".repeat(width as usize - filled)
        );
        eprint!(
            "\r{bar} {done}/{} calls, {connected} connected ",
            self.total
        );
        if done == self.total {
            eprintln!();
        }
    }
}

/// What is kept across the calls: counts, set-up times and the JUnit cases.
#[derive(Default)]
struct Tally {
    outcomes: BTreeMap<String, u32>,
    /// Set-up times of the calls that connected, milliseconds.
    setups: Vec<u64>,
    cases: Vec<crate::junit::Case>,
    /// The largest exit code so far.
    worst: u8,
    done: u32,
    connected: u32,
}

impl Tally {
    /// Counts call `n`; its JUnit case only when a report was asked for.
    fn add(&mut self, n: u32, kept: &Kept, to: &str, junit: bool) {
        self.done += 1;
        self.worst = self.worst.max(kept.exit_code);
        if kept.key == "Connected" {
            self.connected += 1;
        }
        *self.outcomes.entry(kept.key.clone()).or_default() += 1;
        if let Some(s) = kept.setup {
            self.setups.push(s.as_millis() as u64);
        }
        if junit {
            self.cases.push(crate::junit::Case {
                name: format!("call {n} to {to}"),
                time: kept.took.as_secs_f64(),
                outcome: match kept.exit_code {
                    0 => crate::junit::Outcome::Passed,
                    _ => crate::junit::Outcome::Failed(format!("{}: {}", kept.key, kept.failure)),
                },
            });
        }
    }
}

/// Runs the calls; returns the exit code: 0 only if every call connected, else the largest
/// of the calls' exit codes (3 when signing in failed).
pub async fn run(
    call: ValidCall,
    connection: Connection,
    options: CallOptions,
    output: Output,
    quiet: bool,
    repeat: Repeat,
) -> u8 {
    let progress = Progress {
        on: std::io::stderr().is_terminal(),
        total: repeat.count,
    };
    let mut signals = crate::headless::Signals::new();
    let mut session = match open(&connection).await {
        Ok(s) => s,
        Err(message) => return sign_in_failed(&message, output, repeat.count),
    };
    let mut tally = Tally::default();
    let mut interrupted = false;
    for n in 1..=repeat.count {
        if n > 1 && !repeat.interval.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(repeat.interval) => {}
                _ = signals.next() => { interrupted = true; }
            }
        }
        if interrupted {
            break;
        }
        if !session.is_open() {
            // The server lost the application or its channel: sign in again for the rest.
            let _ = session.close().await;
            session = match open(&connection).await {
                Ok(s) => s,
                Err(message) => {
                    crate::errln!("avlaunch: signing in again after call {}: {message}", n - 1);
                    tally.worst = tally.worst.max(3);
                    break;
                }
            };
        }
        let mut this = call.clone();
        this.operation_id = crate::call::request::fresh_operation_id();
        let (kept, stop) = one(&session, this, options, &mut signals).await;
        interrupted = stop;
        tally.add(n, &kept, &call.to, repeat.junit.is_some());
        print_call(n, &kept, output, quiet);
        progress.show(tally.done, tally.connected);
    }
    let _ = session.close().await;
    finish(tally, interrupted, &repeat, output)
}

/// The end of the run: the interruption noted, the JUnit report written, the `stats` line;
/// the exit code.
fn finish(mut tally: Tally, interrupted: bool, repeat: &Repeat, output: Output) -> u8 {
    let done = tally.done;
    if interrupted {
        crate::errln!(
            "avlaunch: interrupted after {done} of {}",
            calls(repeat.count)
        );
        tally.worst = tally.worst.max(1);
    }
    let mut code = if done == repeat.count && tally.worst == 0 {
        0
    } else {
        tally.worst.max(1)
    };
    if let Some(path) = &repeat.junit {
        if let Err(e) = crate::junit::write(path, "avlaunch call", &tally.cases) {
            crate::errln!("avlaunch: {e}");
            // The report was asked for: a run without it is not a success.
            code = code.max(3);
        }
    }
    let stats = stats_line(done, &tally.outcomes, &mut tally.setups, code);
    match output {
        Output::Json => crate::outln!("{stats}"),
        _ => crate::outln!("{}", stats_text(&stats)),
    }
    code
}

async fn open(connection: &Connection) -> Result<Session, String> {
    Session::open(
        connection,
        std::sync::Arc::new(|_| {}),
        std::sync::Arc::new(|_| {}),
    )
    .await
    .map_err(|e| crate::sanitize::sanitize(&e.to_string()).into_owned())
}

fn sign_in_failed(message: &str, output: Output, count: u32) -> u8 {
    crate::errln!("avlaunch: {message}");
    if output == Output::Json {
        crate::outln!("{}", crate::headless::failure_summary("Server", message, 3));
        let mut none = Vec::new();
        let mut outcomes = BTreeMap::new();
        outcomes.insert("NotSignedIn".to_string(), count);
        crate::outln!("{}", stats_line(0, &outcomes, &mut none, 3));
    }
    3
}

/// One call on `session`: only its outcome key and timing are kept. True as the second
/// value when a signal asked to stop.
async fn one(
    session: &Session,
    call: ValidCall,
    options: CallOptions,
    signals: &mut crate::headless::Signals,
) -> (Kept, bool) {
    let (tx, mut updates) = mpsc::unbounded_channel();
    let (control_tx, control) = mpsc::unbounded_channel();
    let started = Instant::now();
    let session2 = session.clone();
    let task = tokio::spawn(async move { run_on(&session2, call, options, tx, control).await });
    let mut setup = None;
    let mut outcome: Option<CallOutcome> = None;
    let mut stop = false;
    loop {
        tokio::select! {
            update = updates.recv() => match update {
                Some(CallUpdate::StepStarted(Step::InCall)) if setup.is_none() => setup = Some(started.elapsed()),
                Some(CallUpdate::Finished(o)) => outcome = Some(o),
                Some(_) => {}
                None => break,
            },
            _ = signals.next(), if !stop => {
                stop = true;
                let _ = control_tx.send(CallControl::End);
            }
        }
    }
    let outcome = match outcome {
        Some(o) => Some(o),
        None => task.await.ok(),
    };
    let took = started.elapsed();
    let kept = match outcome {
        Some(o) => Kept {
            summary: Some(crate::headless::json_line(&CallUpdate::Finished(o.clone()))),
            key: outcome_key(&o),
            exit_code: o.exit_code(),
            setup: if o.exit_code() == 0 { setup } else { None },
            took,
            failure: o
                .error
                .as_ref()
                .map(|e| e.message.clone())
                .unwrap_or_else(|| o.state.as_str().to_string()),
        },
        None => Kept {
            key: "Internal".into(),
            exit_code: 3,
            setup: None,
            took,
            failure: "the call stopped unexpectedly".into(),
            summary: None,
        },
    };
    (kept, stop)
}

fn print_call(n: u32, kept: &Kept, output: Output, quiet: bool) {
    match output {
        Output::Json => {
            let mut line = kept.summary.clone().unwrap_or_else(|| {
                crate::headless::failure_summary("Internal", &kept.failure, kept.exit_code)
            });
            if let Some(map) = line.as_object_mut() {
                map.insert("call".into(), json!(n));
                map.insert("outcome".into(), json!(kept.key));
                map.insert(
                    "setup_ms".into(),
                    json!(kept.setup.map(|s| s.as_millis() as u64)),
                );
            }
            crate::outln!("{line}");
        }
        _ if quiet => {}
        _ => {
            let setup = kept
                .setup
                .map(|s| format!(", set-up {} ms", s.as_millis()))
                .unwrap_or_default();
            let why = if kept.exit_code == 0 {
                String::new()
            } else {
                format!(" — {}", crate::sanitize::sanitize(&kept.failure))
            };
            crate::outln!(
                "call {n}: {}{setup}{why} (exit {})",
                kept.key,
                kept.exit_code
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text line counts in plain words and never shows JSON's `null`.
    #[test]
    fn the_text_stats_line_speaks_plainly() {
        let outcomes = |pairs: &[(&str, u32)]| -> BTreeMap<String, u32> {
            pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        let text = |n, o: &[(&str, u32)], setups: &mut [u64], code| {
            stats_text(&stats_line(n, &outcomes(o), setups, code))
        };
        assert_eq!(
            text(1, &[("Cancelled", 1)], &mut [], 1),
            "stats: 1 call: Cancelled 1; no call connected, so no set-up times (exit 1)"
        );
        assert_eq!(
            text(2, &[("Connected", 1), ("Declined", 1)], &mut [300, 100], 1),
            "stats: 2 calls: Connected 1, Declined 1; set-up ms min 100 p50 100 p95 300 max 300 (exit 1)"
        );
        assert_eq!(text(0, &[], &mut [], 1), "stats: 0 calls (exit 1)");
        for n in [0, 1, 2, 3] {
            let line = text(n, &[("Failed", n)], &mut [], 1);
            assert!(!line.contains("null"), "{line}");
        }
        assert_eq!(calls(1), "1 call");
        assert_eq!(calls(11), "11 calls");
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), Some(50));
        assert_eq!(percentile(&v, 95), Some(95));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
    }
}
