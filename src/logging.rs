//! Logging with tracing: to stderr for `call` and `sim`, to a file for the terminal UI
//! (which owns the screen). Level from `--log-level`, else `RUST_LOG`, else `warn`.

use std::path::PathBuf;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// The log's event formatter: formats as `F` does, then passes the line through
/// `sanitize`, so a server string in a message or field cannot drive the terminal a log is
/// read on (`tail -f`, `less -R`). One line per event.
pub struct Sanitized<F>(pub F);

impl<S, N, F> FormatEvent<S, N> for Sanitized<F>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        writeln!(writer, "{}", crate::sanitize::sanitize(line))
    }
}

/// The filter: a level (`debug`) or `target=level` directives (`avlaunch=debug,hyper=warn`),
/// from `level`, else `RUST_LOG`; `warn` when neither is given or parses. (`Targets` takes
/// the directive syntax of `RUST_LOG` without span and field filters, and needs no regex
/// engine.)
fn filter(level: Option<&str>) -> Targets {
    let from_env = std::env::var("RUST_LOG").ok();
    level
        .or(from_env.as_deref())
        .and_then(|directives| directives.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::WARN))
}

pub fn init_stderr(level: Option<&str>) {
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .event_format(Sanitized(format().with_target(false)));
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(filter(level))
        .try_init();
}

/// The log file: `$XDG_STATE_HOME/avlaunch/avlaunch.log`, else
/// `~/.local/state/avlaunch/avlaunch.log`.
pub fn log_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("avlaunch").join("avlaunch.log"))
}

fn format() -> format::Format {
    format::format()
}

/// Logs to the state-directory file; silently logs nowhere if it cannot be opened (the
/// screen is the terminal UI's).
pub fn init_file(level: Option<&str>) -> Option<PathBuf> {
    let path = log_path()?;
    std::fs::create_dir_all(path.parent()?).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .event_format(Sanitized(format().with_ansi(false)));
    tracing_subscriber::registry()
        .with(layer)
        .with(filter(level))
        .try_init()
        .ok()?;
    Some(path)
}
