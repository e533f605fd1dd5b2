//! `avlaunch doctor`'s output: text lines, JSON lines or the Nagios line, and the JUnit
//! report; the exit code.

use std::path::Path;

use serde_json::json;

use super::{summary, Check, Verdict};
use crate::cli::Output;
use crate::nagios::{self, Perf, Status};
use crate::sanitize::sanitize;

/// One check as its JSON line: `{"type":"check","name","verdict","detail","ms"}`, plus
/// `offered` for `capabilities`.
pub fn json_line(check: &Check) -> serde_json::Value {
    let mut v = json!({
        "type": "check",
        "name": check.name,
        "verdict": check.verdict.name(),
        "detail": check.detail,
        "ms": check.ms,
    });
    if let Some(offered) = &check.offered {
        v["offered"] = json!(offered);
    }
    v
}

/// One check as a text line.
pub fn text_line(check: &Check) -> String {
    let mark = match check.verdict {
        Verdict::Pass => "✓",
        Verdict::Warn => "!",
        Verdict::Fail => "✗",
        Verdict::Skip => "-",
    };
    format!(
        "{mark} {:<12} {:<4} {:>5} ms  {}",
        check.name,
        check.verdict.name(),
        check.ms,
        sanitize(&check.detail)
    )
}

/// Prints a check as it arrives (text and JSON; nagios waits for the end).
pub fn print_check(check: &Check, output: Output) {
    match output {
        Output::Text => crate::outln!("{}", text_line(check)),
        Output::Json => crate::outln!("{}", json_line(check)),
        Output::Nagios => {}
    }
}

/// The closing output, the JUnit report if asked for, and the exit code.
pub fn finish(checks: &[Check], output: Output, junit: Option<&Path>) -> u8 {
    let (verdict, code) = summary(checks);
    let mut code = code;
    if let Some(path) = junit {
        if let Err(e) = crate::junit::write(path, "avlaunch doctor", &junit_cases(checks)) {
            crate::errln!("avlaunch doctor: {e}");
            code = code.max(3);
        }
    }
    match output {
        Output::Text => {
            let counts = |v: Verdict| checks.iter().filter(|c| c.verdict == v).count();
            crate::outln!(
                "{}: {} pass, {} warn, {} fail, {} skip",
                verdict.name(),
                counts(Verdict::Pass),
                counts(Verdict::Warn),
                counts(Verdict::Fail),
                counts(Verdict::Skip)
            );
        }
        Output::Json => crate::outln!(
            "{}",
            json!({"type": "summary", "verdict": verdict.name(), "exit_code": code})
        ),
        Output::Nagios => {
            let status = match verdict {
                Verdict::Fail => Status::Critical,
                Verdict::Warn => Status::Warning,
                _ => Status::Ok,
            };
            let text = nagios_text(checks, verdict);
            let perf: Vec<Perf> = checks
                .iter()
                .filter(|c| c.verdict != Verdict::Skip)
                .map(|c| Perf {
                    label: c.name.to_string(),
                    value: Some(c.ms as f64 / 1000.0),
                    unit: "s",
                    warn: None,
                    crit: None,
                    min: Some(0.0),
                    max: None,
                })
                .collect();
            crate::outln!("{}", nagios::line(status, &text, &perf));
            return match code {
                3 if status == Status::Ok => Status::Unknown.exit_code(),
                _ => status.exit_code(),
            };
        }
    }
    code
}

/// The Nagios line's text: the first check of the worst verdict, or how many passed and
/// how many were skipped (a skipped check is not counted as passing).
fn nagios_text(checks: &[Check], verdict: Verdict) -> String {
    if let Some(c) = checks
        .iter()
        .find(|c| c.verdict == verdict && verdict != Verdict::Pass)
    {
        return format!(
            "doctor: {} {}: {}",
            c.name,
            c.verdict.name(),
            sanitize(&c.detail)
        );
    }
    let count = |v: Verdict| checks.iter().filter(|c| c.verdict == v).count();
    let (passed, skipped) = (count(Verdict::Pass), count(Verdict::Skip));
    let pass = match passed {
        1 => "1 check passes".to_string(),
        n => format!("{n} checks pass"),
    };
    match skipped {
        0 if passed > 1 => format!("doctor: all {pass}"),
        0 => format!("doctor: {pass}"),
        n => format!("doctor: {pass}, {n} skipped"),
    }
}

fn junit_cases(checks: &[Check]) -> Vec<crate::junit::Case> {
    use crate::junit::{Case, Outcome};
    checks
        .iter()
        .map(|c| Case {
            name: c.name.to_string(),
            time: c.ms as f64 / 1000.0,
            outcome: match c.verdict {
                Verdict::Pass => Outcome::Passed,
                Verdict::Warn => Outcome::Remark(format!("warn: {}", c.detail)),
                Verdict::Fail => Outcome::Failed(c.detail.clone()),
                Verdict::Skip => Outcome::Skipped(c.detail.clone()),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &'static str, verdict: Verdict) -> Check {
        Check {
            name,
            verdict,
            detail: format!("{name} detail"),
            ms: 1,
            offered: None,
        }
    }

    /// A skipped check is counted as skipped, never as passing.
    #[test]
    fn the_nagios_text_counts_skipped_checks_apart() {
        use Verdict::*;
        let text = |verdicts: &[Verdict]| {
            let checks: Vec<Check> = verdicts.iter().map(|v| check("c", *v)).collect();
            nagios_text(&checks, super::super::summary(&checks).0)
        };
        assert_eq!(text(&[Pass; 9]), "doctor: all 9 checks pass");
        let mut one_skipped = [Pass; 9];
        one_skipped[3] = Skip;
        assert_eq!(text(&one_skipped), "doctor: 8 checks pass, 1 skipped");
        assert_eq!(text(&[Pass]), "doctor: 1 check passes");
        assert_eq!(
            text(&[Pass, Skip, Skip]),
            "doctor: 1 check passes, 2 skipped"
        );
        assert_eq!(text(&[Pass, Skip, Warn]), "doctor: c warn: c detail");
        assert_eq!(text(&[Fail, Skip, Warn]), "doctor: c fail: c detail");
    }
}
