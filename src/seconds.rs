//! Durations as people read them: `format_seconds` is the one way avlaunch prints a length
//! of time in seconds (a `--timeout`, a bound, what remains of one), so a value the user
//! gave comes back as given: `5 s`, `0.1 s`, `2.5 s`.

use std::time::Duration;

/// Seconds with as many decimals as needed, to the millisecond: `5 s`, `0.1 s`, `2.5 s`,
/// `1.234 s`. A duration under half a millisecond that is not zero is printed to the
/// nanosecond (`0.000000001 s`) rather than as `0 s`.
pub fn format_seconds(d: Duration) -> String {
    let (secs, nanos) = (d.as_secs(), d.subsec_nanos());
    if nanos == 0 {
        return format!("{secs} s");
    }
    // Rounded to the nearest millisecond.
    let ms = u128::from(secs) * 1000 + (u128::from(nanos) + 500_000) / 1_000_000;
    let digits = if ms == 0 {
        format!("{secs}.{nanos:09}")
    } else {
        format!("{}.{:03}", ms / 1000, ms % 1000)
    };
    format!("{} s", digits.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_read_as_given() {
        let s = Duration::from_secs_f64;
        for (d, text) in [
            (s(5.0), "5 s"),
            (s(0.0), "0 s"),
            (s(0.1), "0.1 s"),
            (s(2.5), "2.5 s"),
            (s(1.234), "1.234 s"),
            (s(60.25), "60.25 s"),
            (s(86400.0), "86400 s"),
            (Duration::from_millis(1999), "1.999 s"),
            (Duration::from_micros(1_999_600), "2 s"),
            (Duration::from_nanos(1), "0.000000001 s"),
            (Duration::from_micros(400), "0.0004 s"),
            (Duration::from_micros(600), "0.001 s"),
        ] {
            assert_eq!(format_seconds(d), text, "{d:?}");
        }
    }
}
