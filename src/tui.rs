//! The terminal UI: the call form, the status pane, the call's ladder and wire log.
//!
//! `run` owns the terminal (through `TerminalGuard`) and one `select!` loop: keys, call
//! updates, the connection future, a spinner tick (only while a call is live) and SIGTERM all
//! become `app::Msg`s; `App::update` may answer with a `Command` (start or end a call, export,
//! quit) that the loop carries out. The screen is redrawn only when something changed, after
//! the queue of call updates is drained.

pub mod action;
pub mod app;
pub mod form;
pub mod ladder;
pub mod lookup;
pub mod path_complete;
pub mod session;
pub mod signin;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod view;
pub mod widgets;
pub mod wire;

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::Terminal;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;

use crate::call::session::{CallOptions, Connection, Keeper};
use crate::call::{
    CallControl, CallError, CallOutcome, CallUpdate, ErrorKind, FinalState, ValidCall,
};
use crate::ucwa::Format;

use crate::history::Recorder;
use app::{App, CallId, Command, Msg};
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

/// Runs one call: `call::session::run`'s shape, boxed so tests and demos can script a session.
pub type RunCall = Arc<
    dyn Fn(
            ValidCall,
            Connection,
            CallOptions,
            UnboundedSender<CallUpdate>,
            UnboundedReceiver<CallControl>,
        ) -> Pin<Box<dyn Future<Output = CallOutcome> + Send>>
        + Send
        + Sync,
>;

/// Searches the directory for the To field: the query and the connection in, up to
/// `lookup::SHOWN` people with their presence out, or why not (a sentence).
pub type RunSearch = Arc<
    dyn Fn(String, Connection) -> Pin<Box<dyn Future<Output = SearchResult> + Send>> + Send + Sync,
>;

/// What a search for the To field ends with.
pub type SearchResult = Result<Vec<crate::ucwa::people::Person>, String>;

/// Signs in (or re-uses the kept session) and tells which calling modalities the
/// application offers: (`startAudioVideo`, `startPhoneAudio`) present, or why not.
pub type RunOffered = Arc<
    dyn Fn(Connection) -> Pin<Box<dyn Future<Output = Result<(bool, bool), String>> + Send>>
        + Send
        + Sync,
>;

/// Ends what the runner keeps between calls (the signed-in session).
pub type CloseRunner = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// How the TUI places calls: `run` for each call, `close` once on the way out.
#[derive(Clone)]
pub struct SessionRunner {
    pub run: RunCall,
    pub close: CloseRunner,
    pub search: RunSearch,
    /// Signs in at start on the simulator, so the form knows what it may offer.
    pub offered: RunOffered,
}

impl SessionRunner {
    /// A runner that keeps nothing between calls.
    pub fn new(run: RunCall) -> Self {
        SessionRunner {
            run,
            close: Arc::new(|| Box::pin(async {})),
            search: Arc::new(|_, _| {
                Box::pin(async { Err("directory search is not available here".to_string()) })
            }),
            offered: Arc::new(|_| Box::pin(async { Err("not signed in here".to_string()) })),
        }
    }
}

/// The real session: one sign-in and one application for the whole run, re-used by every
/// call (see `call::session::Keeper`), deleted by `close`.
pub fn session_runner() -> SessionRunner {
    let keeper = Keeper::new();
    let closing = keeper.clone();
    let searching = keeper.clone();
    let probing = keeper.clone();
    SessionRunner {
        offered: Arc::new(move |connection| {
            let keeper = probing.clone();
            Box::pin(async move {
                let session = keeper
                    .session_for(&connection)
                    .await
                    .map_err(|e| e.to_string())?;
                let links = session.links();
                Ok((
                    links.start_audio_video.is_some(),
                    links.start_phone_audio.is_some(),
                ))
            })
        }),
        // On the kept session (opened for the search when there is none yet).
        search: Arc::new(move |query, connection| {
            let keeper = searching.clone();
            Box::pin(async move {
                let session = keeper
                    .session_for(&connection)
                    .await
                    .map_err(|e| e.to_string())?;
                let limit = lookup::SHOWN as u32;
                let quiet = |_: &crate::ucwa::people::Contact, e: crate::ucwa::UcwaError| {
                    tracing::warn!(error = %e, "cannot read a contact's presence");
                };
                crate::ucwa::people::search_with_presence(&session, &query, limit, quiet)
                    .await
                    .map(|(people, _)| people)
                    .map_err(|e| e.to_string())
            })
        }),
        run: Arc::new(move |call, connection, options, updates, control| {
            let keeper = keeper.clone();
            Box::pin(async move {
                keeper
                    .run(call, connection, options, updates, control)
                    .await
            })
        }),
        close: Arc::new(move || {
            let keeper = closing.clone();
            Box::pin(async move { keeper.close().await })
        }),
    }
}

/// How long quitting waits for live calls to cancel or hang up and delete their application.
/// The session's own clean-up budget plus a margin, so quitting never cuts it short.
pub const QUIT_GRACE: Duration = Duration::from_secs(4);
/// The spinner and clock rate while a call is live.
pub const TICK: Duration = Duration::from_millis(100);

/// The TUI on the real terminal. Returns when the user quits, or on SIGTERM or SIGHUP (the
/// terminal closed); live calls are ended first and the terminal is restored on every way
/// out, a panic included.
pub async fn run(config: TuiConfig) -> io::Result<()> {
    run_session(config, Extras::default()).await
}

/// `run`, with profiles, a sign-in dialog, history and an export directory.
pub async fn run_session(config: TuiConfig, extras: Extras) -> io::Result<()> {
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

async fn any_signal(signals: &mut [tokio::signal::unix::Signal]) {
    let waits = signals.iter_mut().map(|s| Box::pin(s.recv()));
    futures_util::future::select_all(waits).await;
}

/// Sends End to every live call and waits (bounded) for each to cancel or hang up, then
/// closes the signed-in session (its application is deleted).
async fn end_live_calls(live: HashMap<CallId, LiveCall>, runner: &SessionRunner) {
    for c in live.values() {
        let _ = c.control.send(CallControl::End);
    }
    let tasks: Vec<JoinHandle<()>> = live.into_values().map(|c| c.task).collect();
    let _ = tokio::time::timeout(QUIT_GRACE, futures_util::future::join_all(tasks)).await;
    (runner.close)().await;
}

struct LiveCall {
    control: UnboundedSender<CallControl>,
    task: JoinHandle<()>,
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
) -> io::Result<()>
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
    mut events: S,
    config: TuiConfig,
    extras: Extras,
    runner: SessionRunner,
    theme: Theme,
    mut quit_signals: Vec<tokio::signal::unix::Signal>,
) -> io::Result<()>
where
    B: Backend,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let TuiConfig {
        connect,
        options,
        format,
    } = config;
    let mut app = App::new(format, theme);
    app.session = extras.session.clone();
    app.profiles = extras.profiles.clone();
    app.can_reconnect = extras.connector.is_some();
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    // The first frame comes before anything is awaited.
    terminal.draw(|f| view::render(&app, f))?;
    app.dirty = false;

    // The history file is read off the UI thread, after the first frame.
    let mut history_rx = extras.history_file.clone().map(|path| {
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::task::spawn_blocking(move || {
            let entries = crate::history::read_past(&path).unwrap_or_else(|e| {
                tracing::warn!("cannot read the history {}: {e}", path.display());
                Vec::new()
            });
            let _ = tx.send(entries);
        });
        rx
    });
    let first_session = extras.session.clone();
    let mut connect: Option<session::ConnectFuture> = Some(Box::pin(async move {
        connect.await.map(|ready| (ready, first_session))
    }));
    let mut connection: Option<Connection> = None;
    let mut recorder: Option<Recorder> = None;
    let mut export_dir = extras.export_dir.clone();
    let (tx, mut rx) = mpsc::unbounded_channel::<(CallId, CallUpdate)>();
    // Checks of the connectivity walk (F12), tagged with the walk number.
    let (doctor_tx, mut doctor_rx) = mpsc::unbounded_channel::<(u64, crate::doctor::Check)>();
    let mut live: HashMap<CallId, LiveCall> = HashMap::new();
    let mut queued: Vec<(CallId, ValidCall, Format)> = Vec::new();
    let mut ticker: Option<tokio::time::Interval> = None;
    let (search_tx, mut search_rx) = mpsc::unbounded_channel::<(String, SearchResult)>();
    let (offered_tx, mut offered_rx) = mpsc::unbounded_channel::<(bool, bool)>();
    // The one search running; a newer query aborts it (its answer would be dropped anyway).
    let mut search_task: Option<JoinHandle<()>> = None;

    loop {
        // The tick lives only while something moves: no timer at all when idle.
        match (app.animating(), ticker.is_some()) {
            (true, false) => {
                let mut t = tokio::time::interval_at(tokio::time::Instant::now() + TICK, TICK);
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                ticker = Some(t);
            }
            (false, true) => ticker = None,
            _ => {}
        }
        let search_due = app.lookup.due();
        let msg = tokio::select! {
            biased;
            Some((id, update)) = rx.recv() => Msg::Call(id, update),
            Some((query, result)) = search_rx.recv() => Msg::Searched(query, result),
            Some((audio_video, phone_audio)) = offered_rx.recv() => Msg::Offered { audio_video, phone_audio },
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(search_due.unwrap_or_else(Instant::now))), if search_due.is_some() => Msg::SearchDue,
            Some((run, check)) = doctor_rx.recv() => Msg::Doctor(run, check),
            event = events.next() => match event {
                Some(Ok(event)) => match event_msg(event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Err(e)) => {
                    end_live_calls(live, &runner).await;
                    // The terminal hung up (window closed, SSH dropped): that is a quit,
                    // as SIGHUP is, not a failure.
                    if crate::stdio::terminal_gone(&e) {
                        tracing::info!(error = %e, "the terminal went away: calls ended, quitting");
                        return Ok(());
                    }
                    return Err(e);
                }
                None => Msg::Action(action::Action::Quit),
            },
            ready = async { connect.as_mut().expect("guarded").await }, if connect.is_some() => {
                connect = None;
                match ready {
                    Ok((ready, info)) => {
                        recorder = info.history.clone().map(|path| {
                            Recorder::new(path, &ready.connection, ready.demo.is_some(), info.profile.clone())
                        });
                        // DESIGN.md: on the simulator the UI signs in at start, so the form
                        // knows at once whether to offer audio/video, the phone, or neither.
                        if ready.demo.is_some() {
                            let mut conn = ready.connection.clone();
                            conn.format = app.form.format;
                            let (probe, tx) = ((runner.offered)(conn), offered_tx.clone());
                            tokio::spawn(async move {
                                match probe.await {
                                    Ok(offered) => {
                                        let _ = tx.send(offered);
                                    }
                                    Err(e) => tracing::warn!(error = %e, "signing in at start"),
                                }
                            });
                        }
                        connection = Some(ready.connection);
                        if info.export_dir.is_some() {
                            export_dir = info.export_dir.clone();
                        }
                        app.update(Msg::Session(info));
                        Msg::Connected(Ok(ready.demo))
                    }
                    Err(e) => Msg::Connected(Err(e)),
                }
            }
            entries = async { history_rx.as_mut().expect("guarded").await }, if history_rx.is_some() => {
                history_rx = None;
                Msg::HistoryLoaded(entries.unwrap_or_default())
            }
            _ = async { ticker.as_mut().expect("guarded").tick().await }, if ticker.is_some() => Msg::Tick,
            _ = any_signal(&mut quit_signals), if !quit_signals.is_empty() => {
                Msg::Action(action::Action::Quit)
            }
        };
        let connected_now = matches!(msg, Msg::Connected(_));
        app.set_clock(Instant::now(), SystemTime::now());
        let mut command = app.update(msg);
        if connected_now {
            // Calls placed while the connection was starting go out now, or fail with its reason.
            for (id, call, format) in queued.drain(..) {
                match &connection {
                    Some(conn) => {
                        let rec = recorder.clone();
                        let c =
                            spawn_call(&runner, id, call, conn, format, options, tx.clone(), rec);
                        live.insert(id, c);
                    }
                    None => fail_call(&tx, id, &call, &app),
                }
            }
        }
        while let Some(cmd) = command.take() {
            match cmd {
                Command::StartCall { id, call, format } => {
                    for c in live.values() {
                        let _ = c.control.send(CallControl::End);
                    }
                    match (&connection, connect.is_some()) {
                        (Some(conn), _) => {
                            let rec = recorder.clone();
                            let c = spawn_call(
                                &runner,
                                id,
                                call,
                                conn,
                                format,
                                options,
                                tx.clone(),
                                rec,
                            );
                            live.insert(id, c);
                        }
                        (None, true) => queued.push((id, call, format)),
                        (None, false) => fail_call(&tx, id, &call, &app),
                    }
                }
                Command::Hold(id, hold) => {
                    if let Some(c) = live.get(&id) {
                        let control = if hold {
                            CallControl::Hold
                        } else {
                            CallControl::Resume
                        };
                        let _ = c.control.send(control);
                    }
                }
                Command::EndCall(id) => {
                    if let Some(c) = live.get(&id) {
                        let _ = c.control.send(CallControl::End);
                    }
                    if let Some(pos) = queued.iter().position(|(q, _, _)| *q == id) {
                        let (_, call, _) = queued.remove(pos);
                        cancel_queued(&tx, id, &call);
                    }
                }
                Command::Reconnect(request) => match &extras.connector {
                    Some(connector) => {
                        // Live calls keep their own connection; new ones wait for this one.
                        connect = Some(connector(request));
                        connection = None;
                        recorder = None;
                    }
                    None => {
                        command =
                            app.update(Msg::Connected(Err("cannot connect again here".into())));
                    }
                },
                Command::Search(query) => {
                    if let Some(old) = search_task.take() {
                        old.abort();
                    }
                    let tx = search_tx.clone();
                    match &connection {
                        Some(conn) => {
                            // In the form's format, so the session a call keeps serves it.
                            let mut conn = conn.clone();
                            conn.format = app.form.format;
                            let search = (runner.search)(query.clone(), conn);
                            search_task = Some(tokio::spawn(async move {
                                let _ = tx.send((query, search.await));
                            }));
                        }
                        None => {
                            let _ = tx.send((query, Err("not connected yet".into())));
                        }
                    }
                }
                Command::Doctor(run) => match &connection {
                    Some(conn) => {
                        let (check_tx, mut checks) = mpsc::unbounded_channel();
                        let forward = doctor_tx.clone();
                        tokio::spawn(crate::doctor::run(conn.clone(), check_tx));
                        tokio::spawn(async move {
                            while let Some(check) = checks.recv().await {
                                if forward.send((run, check)).is_err() {
                                    break;
                                }
                            }
                        });
                    }
                    None => {
                        let check = crate::doctor::Check {
                            name: crate::doctor::CHECKS[0],
                            verdict: crate::doctor::Verdict::Fail,
                            detail:
                                "not connected yet: wait for the connection, or sign in with F7"
                                    .into(),
                            ms: 0,
                            offered: None,
                        };
                        command = app.update(Msg::Doctor(run, check));
                    }
                },
                Command::Export(id) => {
                    let result = export(&app, id, export_dir.as_deref());
                    command = app.update(Msg::Exported(result));
                }
                Command::Quit => {
                    if let Some(task) = search_task.take() {
                        task.abort();
                    }
                    // The terminal may be gone (SIGHUP): ending the calls matters more.
                    let _ = terminal.draw(|f| view::render(&app, f));
                    end_live_calls(live, &runner).await;
                    return Ok(());
                }
            }
        }
        // Batch: take every update already queued before drawing once.
        while let Ok((id, update)) = rx.try_recv() {
            app.update(Msg::Call(id, update));
        }
        live.retain(|_, c| !c.task.is_finished());
        if app.dirty {
            if let Err(e) = terminal.draw(|f| view::render(&app, f)) {
                end_live_calls(live, &runner).await;
                if crate::stdio::terminal_gone(&e) {
                    tracing::info!(error = %e, "the terminal went away: calls ended, quitting");
                    return Ok(());
                }
                return Err(e);
            }
            app.dirty = false;
        }
    }
}

fn event_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn spawn_call(
    runner: &SessionRunner,
    id: CallId,
    call: ValidCall,
    connection: &Connection,
    format: Format,
    options: CallOptions,
    tx: UnboundedSender<(CallId, CallUpdate)>,
    recorder: Option<Recorder>,
) -> LiveCall {
    let (updates_tx, mut updates_rx) = mpsc::unbounded_channel();
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    let mut connection = connection.clone();
    connection.format = format;
    let operation_id = call.operation_id.clone();
    let recorded = recorder.map(|r| (r, call.clone(), SystemTime::now()));
    let session = (runner.run)(call, connection, options, updates_tx, control_rx);
    let task = tokio::spawn(async move {
        let inner = tokio::spawn(session);
        let mut finished = false;
        while let Some(update) = updates_rx.recv().await {
            if let (CallUpdate::Finished(outcome), Some((recorder, call, started))) =
                (&update, &recorded)
            {
                let (recorder, call, started) = (recorder.clone(), call.clone(), *started);
                let outcome = outcome.clone();
                // A file write: off the runtime's thread.
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = recorder.record(&call, format, started, &outcome) {
                        tracing::warn!(
                            "cannot record the call in {}: {e}",
                            recorder.path.display()
                        );
                    }
                });
            }
            finished |= matches!(update, CallUpdate::Finished(_));
            let _ = tx.send((id, update));
        }
        // A session that ended without saying so (or panicked) still ends on screen.
        let result = inner.await;
        if !finished {
            let outcome = match result {
                Ok(outcome) => outcome,
                Err(_) => failed_outcome(
                    operation_id,
                    "the call stopped unexpectedly (an internal error); see the log",
                    ErrorKind::Protocol,
                ),
            };
            let _ = tx.send((id, CallUpdate::Finished(outcome)));
        }
    });
    LiveCall {
        control: control_tx,
        task,
    }
}

fn failed_outcome(operation_id: String, message: &str, kind: ErrorKind) -> CallOutcome {
    CallOutcome {
        state: if kind == ErrorKind::Cancelled {
            FinalState::Cancelled
        } else {
            FinalState::Failed
        },
        invitation: None,
        operation_id,
        timings: Vec::new(),
        error: Some(CallError::new(kind, message)),
        connected_for: None,
    }
}

fn fail_call(tx: &UnboundedSender<(CallId, CallUpdate)>, id: CallId, call: &ValidCall, app: &App) {
    let reason = match &app.conn {
        app::ConnState::Failed(e) => format!("cannot connect: {e}"),
        _ => "no connection".to_string(),
    };
    let outcome = failed_outcome(call.operation_id.clone(), &reason, ErrorKind::Network);
    let _ = tx.send((id, CallUpdate::Finished(outcome)));
}

fn cancel_queued(tx: &UnboundedSender<(CallId, CallUpdate)>, id: CallId, call: &ValidCall) {
    let outcome = failed_outcome(
        call.operation_id.clone(),
        "cancelled before the connection was ready; nothing was sent",
        ErrorKind::Cancelled,
    );
    let _ = tx.send((id, CallUpdate::Finished(outcome)));
}

/// `20240501T093000Z`: sorts by time and is safe in a file name.
fn file_stamp(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, _) = crate::har::utc_fields(t);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// Writes the call's ladder (text) and wire log (HAR) to `dir` (created if missing), else
/// to the current directory.
fn export(app: &App, id: CallId, dir: Option<&std::path::Path>) -> Result<Vec<PathBuf>, String> {
    let call = app.call(id).ok_or("no such call")?;
    let stamp = file_stamp(app.wall);
    let dir = match dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
            d.to_path_buf()
        }
        None => std::env::current_dir().map_err(|e| format!("current directory: {e}"))?,
    };
    let ladder = dir.join(format!("avlaunch-{stamp}-ladder.txt"));
    std::fs::write(&ladder, ladder::ladder_text(&call.wire, &call.events))
        .map_err(|e| format!("{}: {e}", ladder.display()))?;
    let har = dir.join(format!("avlaunch-{stamp}.har"));
    crate::har::write_har(&har, &call.wire).map_err(|e| format!("{}: {e}", har.display()))?;
    Ok(vec![ladder, har])
}
