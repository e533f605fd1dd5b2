//! Nagios plugin output (`--output nagios`), as the Nagios Plugin Development Guidelines
//! and the Monitoring Plugins API describe it: one line `SERVICE STATUS - text | perfdata`,
//! performance data as `'label'=value[UOM];[warn];[crit];[min];[max]` (`U` for a value that
//! could not be determined), and the exit codes 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
//! Icinga reads the same format. Shared by every command that offers nagios output.

use std::time::Duration;

/// The service name that starts every line.
pub const SERVICE: &str = "AVLAUNCH";

/// A plugin's verdict; its exit code is the plugin API's return code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl Status {
    /// The plugin API's return code: 0, 1, 2 or 3.
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Warning => 1,
            Status::Critical => 2,
            Status::Unknown => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
            Status::Unknown => "UNKNOWN",
        }
    }
}

/// One performance-data item; numbers are printed in the item's unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Perf {
    /// The label; quoted in the output if it holds anything but letters, digits, `_` and `-`.
    pub label: String,
    /// `None` prints `U`: the value could not be determined (the call never connected).
    pub value: Option<f64>,
    /// The unit of measure (`s`, `ms`, `%`, `B`, `c`, or empty).
    pub unit: &'static str,
    pub warn: Option<f64>,
    pub crit: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Perf {
    /// A time in seconds, from 0 to `max`, with the thresholds.
    pub fn seconds(
        label: &str,
        value: Option<Duration>,
        thresholds: Thresholds,
        max: Option<Duration>,
    ) -> Perf {
        Perf {
            label: label.to_string(),
            value: value.map(|d| d.as_secs_f64()),
            unit: "s",
            warn: thresholds.warn.map(|d| d.as_secs_f64()),
            crit: thresholds.crit.map(|d| d.as_secs_f64()),
            min: Some(0.0),
            max: max.map(|d| d.as_secs_f64()),
        }
    }

    /// `label=value[UOM];warn;crit;min;max`, trailing empty fields dropped.
    pub fn render(&self) -> String {
        let label = if self
            .label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            self.label.clone()
        } else {
            format!("'{}'", self.label.replace(['\'', '='], "_"))
        };
        let value = match self.value {
            Some(v) => format!("{}{}", number(v), self.unit),
            None => "U".to_string(),
        };
        let mut fields: Vec<String> = [self.warn, self.crit, self.min, self.max]
            .iter()
            .map(|v| v.map(number).unwrap_or_default())
            .collect();
        while fields.last().is_some_and(String::is_empty) {
            fields.pop();
        }
        let mut out = format!("{label}={value}");
        for f in fields {
            out.push(';');
            out.push_str(&f);
        }
        out
    }
}

/// A number without needless digits: `0.123`, `5`, `12.5`.
fn number(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// `--warn SECS` / `--crit SECS`: a value above a threshold is WARNING / CRITICAL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Thresholds {
    pub warn: Option<Duration>,
    pub crit: Option<Duration>,
}

impl Thresholds {
    /// The status of a measured value: CRITICAL above `crit`, WARNING above `warn`, else OK.
    pub fn check(&self, value: Duration) -> Status {
        if self.crit.is_some_and(|c| value > c) {
            Status::Critical
        } else if self.warn.is_some_and(|w| value > w) {
            Status::Warning
        } else {
            Status::Ok
        }
    }
}

/// The plugin line: `AVLAUNCH STATUS - text | perf perf …`. The text is made one safe line:
/// control characters (server text included) are escaped by `crate::sanitize`, line breaks
/// become spaces, and `|`, which would start the performance data, becomes `/`.
pub fn line(status: Status, text: &str, perf: &[Perf]) -> String {
    let one_line = text.replace(['\r', '\n'], " ");
    let safe = crate::sanitize::sanitize(&one_line).replace('|', "/");
    let mut out = format!("{SERVICE} {} - {}", status.label(), safe.trim());
    if !perf.is_empty() {
        out.push_str(" |");
        for p in perf {
            out.push(' ');
            out.push_str(&p.render());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn the_line_follows_the_plugin_format() {
        let t = Thresholds {
            warn: Some(secs(5.0)),
            crit: Some(secs(10.0)),
        };
        let p = Perf::seconds("setup", Some(secs(0.1234)), t, Some(secs(60.0)));
        assert_eq!(
            line(Status::Ok, "connected to sip:a@b", &[p]),
            "AVLAUNCH OK - connected to sip:a@b | setup=0.1234s;5;10;0;60"
        );
        let none = Perf::seconds("setup", None, Thresholds::default(), None);
        assert_eq!(none.render(), "setup=U;;;0");
        assert_eq!(
            line(Status::Critical, "a|b\nc\x1b[2J", &[]),
            "AVLAUNCH CRITICAL - a/b c\\x1b[2J"
        );
    }

    #[test]
    fn thresholds_pick_the_worst_status() {
        let t = Thresholds {
            warn: Some(secs(1.0)),
            crit: Some(secs(2.0)),
        };
        assert_eq!(t.check(secs(0.5)), Status::Ok);
        assert_eq!(t.check(secs(1.0)), Status::Ok);
        assert_eq!(t.check(secs(1.5)), Status::Warning);
        assert_eq!(t.check(secs(2.5)), Status::Critical);
        assert_eq!(Thresholds::default().check(secs(1e6)), Status::Ok);
        assert_eq!(
            [0, 1, 2, 3],
            [
                Status::Ok,
                Status::Warning,
                Status::Critical,
                Status::Unknown
            ]
            .map(Status::exit_code)
        );
    }
}
