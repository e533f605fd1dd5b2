//! The terminal UI: the call form, the status pane, the call's ladder and wire log.
//!
//! `run` owns the terminal (through `TerminalGuard`) and one `select!` loop (`event_loop.rs`):
//! keys, call updates, the connection future, a spinner tick (only while a call is live) and
//! SIGTERM all become `app::Msg`s; `App::update` may answer with a `Command` (start or end a
//! call, export, quit) that the loop carries out. The screen is redrawn only when something
//! changed, after the queue of call updates is drained. How calls reach the session is in
//! `runner.rs`, their tasks in `live_calls.rs`.

pub mod action;
pub mod app;
mod event_loop;
mod export;
pub mod form;
pub mod ladder;
mod live_calls;
pub mod lookup;
pub mod path_complete;
pub mod runner;
pub mod session;
pub mod signin;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod view;
pub mod widgets;
pub mod wire;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures_util::Stream;
use ratatui::backend::Backend;
use ratatui::Terminal;

use crate::call::session::{CallOptions, Connection};
use crate::ucwa::Format;

use event_loop::EventLoop;
pub use runner::{
    session_runner, CloseRunner, RunCall, RunOffered, RunSearch, SearchResult, SessionRunner,
};
use session::Extras;
use theme::Theme;

/// What the binary hands the TUI.
pub struct TuiConfig {
    /// Resolves to the connection to use. For the built-in simulator it starts the simulator in
    /// the background: the TUI draws its first frame before awaiting this.
    pub connect: Pin<Box<dyn Future<Output = Result<Ready, String>> + Send>>,
    /// Timeout and hang-up (`hangup_after` is `None` in the TUI).
    pub options: CallOptions,
    /// The initial wire format; the form has a json/xml toggle that overrides it per call.
    pub format: Format,
}

/// A usable connection, and the simulator's details when it is the built-in one.
pub struct Ready {
    pub connection: Connection,
    pub demo: Option<DemoInfo>,
}

/// The built-in simulator: shown in the DEMO banner and offered as completions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoInfo {
    pub url: String,
    /// (sip uri, one-line behaviour).
    pub contacts: Vec<(String, String)>,
}

/// How the UI ended: what quitting may have left behind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quit {
    /// One line per call that may still be up: its hang-up was not confirmed, or it did not
    /// end within `QUIT_GRACE`. Already sanitized.
    pub left_up: Vec<String>,
}

/// How long quitting waits for live calls to cancel or hang up and delete their application.
/// The session's own clean-up budget plus a margin, so quitting never cuts it short.
pub const QUIT_GRACE: Duration = Duration::from_secs(4);
/// The spinner and clock rate while a call is live.
pub const TICK: Duration = Duration::from_millis(100);

/// The TUI on the real terminal. Returns when the user quits, or on SIGTERM or SIGHUP (the
/// terminal closed); live calls are ended first and the terminal is restored on every way
/// out, a panic included.
pub async fn run(config: TuiConfig) -> io::Result<Quit> {
    run_session(config, Extras::default()).await
}

/// `run`, with profiles, a sign-in dialog, history and an export directory.
pub async fn run_session(config: TuiConfig, extras: Extras) -> io::Result<Quit> {
    let mut guard = terminal::TerminalGuard::enter()?;
    run_with_session(
        guard.terminal(),
        EventStream::new(),
        config,
        extras,
        session_runner(),
        Theme::from_env(),
        quit_signals(),
    )
    .await
}

/// SIGTERM and SIGHUP, which end the UI like Ctrl-Q does.
pub fn quit_signals() -> Vec<tokio::signal::unix::Signal> {
    use tokio::signal::unix::{signal, SignalKind};
    [SignalKind::terminate(), SignalKind::hangup()]
        .into_iter()
        .filter_map(|kind| signal(kind).ok())
        .collect()
}

/// The loop, with the backend, the input stream, the session and the theme injected, so tests
/// drive it with a `TestBackend` and a channel of events. Ends when the user quits, on
/// one of `quit_signals`, or when `events` ends. An I/O error (the terminal gone) also ends
/// the live calls before it is returned.
pub async fn run_with<B, S>(
    terminal: &mut Terminal<B>,
    events: S,
    config: TuiConfig,
    runner: SessionRunner,
    theme: Theme,
    quit_signals: Vec<tokio::signal::unix::Signal>,
) -> io::Result<Quit>
where
    B: Backend,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    run_with_session(
        terminal,
        events,
        config,
        Extras::default(),
        runner,
        theme,
        quit_signals,
    )
    .await
}

/// `run_with`, with the session's `Extras`.
pub async fn run_with_session<B, S>(
    terminal: &mut Terminal<B>,
    events: S,
    config: TuiConfig,
    extras: Extras,
    runner: SessionRunner,
    theme: Theme,
    quit_signals: Vec<tokio::signal::unix::Signal>,
) -> io::Result<Quit>
where
    B: Backend,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    EventLoop::start(
        terminal,
        events,
        config,
        extras,
        runner,
        theme,
        quit_signals,
    )?
    .run()
    .await
}
