//! The UI's one `select!` loop and what it owns: the terminal, the input stream, the
//! connection (and the one being made), the live calls and the channels their updates, the
//! searches and the F12 checks come back on. Each wake-up becomes one `Msg` for `App::update`;
//! the `Command` it may answer with is carried out here, the only place that does I/O for the
//! screen. One method per source, so `run` reads as one screen.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use crossterm::event::{Event, KeyEventKind};
use futures_util::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::Terminal;
use tokio::signal::unix::Signal;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::call::session::{CallOptions, Connection};
use crate::call::{CallControl, CallUpdate, Offered, ValidCall};
use crate::history::{PastCall, Recorder};
use crate::ucwa::Format;

use super::action::Action;
use super::app::{App, CallId, Command, Msg};
use super::live_calls::{cancel_queued, end_live_calls, fail_call, spawn_call, LiveCall};
use super::session::{self, ConnectRequest, Connector, Extras, SessionInfo};
use super::theme::Theme;
use super::{export, view, Quit, Ready, SearchResult, SessionRunner, TuiConfig, TICK};

/// What woke the loop, before it is a `Msg`.
enum Wake {
    Msg(Msg),
    /// An input event the UI has no use for (a mouse move, a key release).
    Ignored,
    /// The connection being made resolved.
    Connected(Result<(Ready, SessionInfo), String>),
    /// Reading the terminal failed.
    InputFailed(io::Error),
}

/// Everything the loop owns between wake-ups.
pub(super) struct EventLoop<'t, B: Backend, S> {
    terminal: &'t mut Terminal<B>,
    events: S,
    quit_signals: Vec<Signal>,
    app: App,
    runner: SessionRunner,
    options: CallOptions,
    /// Connects again (the sign-in dialog); `None` when the binary gave no way to.
    connector: Option<Connector>,
    /// The connection being made, if any.
    connect: Option<session::ConnectFuture>,
    connection: Option<Connection>,
    recorder: Option<Recorder>,
    export_dir: Option<PathBuf>,
    /// The history file, read off the UI thread after the first frame.
    history: Option<oneshot::Receiver<Vec<PastCall>>>,
    calls_tx: UnboundedSender<(CallId, CallUpdate)>,
    calls_rx: UnboundedReceiver<(CallId, CallUpdate)>,
    /// Checks of the connectivity walk (F12), tagged with the walk number.
    checks_tx: UnboundedSender<(u64, crate::doctor::Check)>,
    checks_rx: UnboundedReceiver<(u64, crate::doctor::Check)>,
    searched_tx: UnboundedSender<(String, SearchResult)>,
    searched_rx: UnboundedReceiver<(String, SearchResult)>,
    offered_tx: UnboundedSender<Offered>,
    offered_rx: UnboundedReceiver<Offered>,
    live: HashMap<CallId, LiveCall>,
    /// Calls placed while the connection was starting.
    queued: Vec<(CallId, ValidCall, Format)>,
    /// Lives only while something moves: no timer at all when idle.
    ticker: Option<tokio::time::Interval>,
    /// The one search running; a newer query aborts it (its answer would be dropped anyway).
    search_task: Option<JoinHandle<()>>,
    /// The calls still ending when quitting's grace ran out.
    unfinished: Vec<CallId>,
}

impl<'t, B, S> EventLoop<'t, B, S>
where
    B: Backend,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    /// Draws the first frame (before anything is awaited) and starts reading the history.
    pub(super) fn start(
        terminal: &'t mut Terminal<B>,
        events: S,
        config: TuiConfig,
        extras: Extras,
        runner: SessionRunner,
        theme: Theme,
        quit_signals: Vec<Signal>,
    ) -> io::Result<Self> {
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
        terminal.draw(|f| view::render(&app, f))?;
        app.dirty = false;

        let history = extras.history_file.clone().map(read_history);
        let first_session = extras.session.clone();
        let connect: session::ConnectFuture =
            Box::pin(async move { connect.await.map(|ready| (ready, first_session)) });
        let (calls_tx, calls_rx) = mpsc::unbounded_channel();
        let (checks_tx, checks_rx) = mpsc::unbounded_channel();
        let (searched_tx, searched_rx) = mpsc::unbounded_channel();
        let (offered_tx, offered_rx) = mpsc::unbounded_channel();
        Ok(EventLoop {
            terminal,
            events,
            quit_signals,
            app,
            runner,
            options,
            connector: extras.connector,
            connect: Some(connect),
            connection: None,
            recorder: None,
            export_dir: extras.export_dir,
            history,
            calls_tx,
            calls_rx,
            checks_tx,
            checks_rx,
            searched_tx,
            searched_rx,
            offered_tx,
            offered_rx,
            live: HashMap::new(),
            queued: Vec::new(),
            ticker: None,
            search_task: None,
            unfinished: Vec::new(),
        })
    }

    /// Until the user quits, a quit signal comes, the input ends or the terminal fails.
    pub(super) async fn run(mut self) -> io::Result<Quit> {
        loop {
            self.keep_ticker();
            let msg = match self.wake().await {
                Wake::Msg(msg) => msg,
                Wake::Ignored => continue,
                Wake::Connected(result) => self.connected(result),
                Wake::InputFailed(e) => return self.terminal_failed(e).await,
            };
            let connected_now = matches!(msg, Msg::Connected(_));
            self.app.set_clock(Instant::now(), SystemTime::now());
            let command = self.app.update(msg);
            if connected_now {
                self.place_queued();
            }
            if self.carry_out(command).await == Flow::Quit {
                return Ok(self.quit_report());
            }
            // Batch: take every update already queued before drawing once.
            while let Ok((id, update)) = self.calls_rx.try_recv() {
                self.app.update(Msg::Call(id, update));
            }
            self.live.retain(|_, c| !c.task.is_finished());
            if self.app.dirty {
                let app = &self.app;
                let drawn = self.terminal.draw(|f| view::render(app, f)).map(|_| ());
                if let Err(e) = drawn {
                    return self.terminal_failed(e).await;
                }
                self.app.dirty = false;
            }
        }
    }

    /// Starts the tick when something moves, stops it when nothing does.
    fn keep_ticker(&mut self) {
        match (self.app.animating(), self.ticker.is_some()) {
            (true, false) => {
                let mut t = tokio::time::interval_at(tokio::time::Instant::now() + TICK, TICK);
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                self.ticker = Some(t);
            }
            (false, true) => self.ticker = None,
            _ => {}
        }
    }

    /// Waits for the next thing to happen; call updates first.
    async fn wake(&mut self) -> Wake {
        let search_due = self.app.lookup.due();
        let EventLoop {
            events,
            quit_signals,
            connect,
            history,
            calls_rx,
            checks_rx,
            searched_rx,
            offered_rx,
            ticker,
            ..
        } = self;
        let search_at = tokio::time::Instant::from_std(search_due.unwrap_or_else(Instant::now));
        tokio::select! {
            biased;
            Some((id, update)) = calls_rx.recv() => Wake::Msg(Msg::Call(id, update)),
            Some((query, result)) = searched_rx.recv() => Wake::Msg(Msg::Searched(query, result)),
            Some(offered) = offered_rx.recv() => Wake::Msg(Msg::Offered(offered)),
            _ = tokio::time::sleep_until(search_at), if search_due.is_some() => Wake::Msg(Msg::SearchDue),
            Some((run, check)) = checks_rx.recv() => Wake::Msg(Msg::Doctor(run, check)),
            event = events.next() => match event {
                Some(Ok(event)) => event_msg(event).map_or(Wake::Ignored, Wake::Msg),
                Some(Err(e)) => Wake::InputFailed(e),
                None => Wake::Msg(Msg::Action(Action::Quit)),
            },
            ready = async { connect.as_mut().expect("guarded").await }, if connect.is_some() => {
                *connect = None;
                Wake::Connected(ready)
            }
            entries = async { history.as_mut().expect("guarded").await }, if history.is_some() => {
                *history = None;
                Wake::Msg(Msg::HistoryLoaded(entries.unwrap_or_default()))
            }
            _ = async { ticker.as_mut().expect("guarded").tick().await }, if ticker.is_some() => {
                Wake::Msg(Msg::Tick)
            }
            _ = any_signal(quit_signals), if !quit_signals.is_empty() => {
                Wake::Msg(Msg::Action(Action::Quit))
            }
        }
    }

    /// A connection is ready (or failed): keep it, record history with it, and on the
    /// simulator sign in at once. The session's details reach the app first.
    fn connected(&mut self, result: Result<(Ready, SessionInfo), String>) -> Msg {
        let (ready, info) = match result {
            Ok(ok) => ok,
            Err(e) => return Msg::Connected(Err(e)),
        };
        self.recorder = info.history.clone().map(|path| {
            let demo = ready.demo.is_some();
            Recorder::new(path, &ready.connection, demo, info.profile.clone())
        });
        // DESIGN.md: on the simulator the UI signs in at start, so the form knows at once
        // whether to offer audio/video, the phone, or neither.
        if ready.demo.is_some() {
            self.sign_in_at_start(&ready.connection);
        }
        self.connection = Some(ready.connection);
        if info.export_dir.is_some() {
            self.export_dir = info.export_dir.clone();
        }
        self.app.update(Msg::Session(info));
        Msg::Connected(Ok(ready.demo))
    }

    /// Learns what the application offers; the answer comes back as `Msg::Offered`.
    fn sign_in_at_start(&self, connection: &Connection) {
        let mut conn = connection.clone();
        conn.format = self.app.form.format;
        let (probe, tx) = ((self.runner.offered)(conn), self.offered_tx.clone());
        tokio::spawn(async move {
            match probe.await {
                Ok(offered) => {
                    let _ = tx.send(offered);
                }
                Err(e) => tracing::warn!(error = %e, "signing in at start"),
            }
        });
    }

    /// Calls placed while the connection was starting go out now, or fail with its reason.
    fn place_queued(&mut self) {
        for (id, call, format) in std::mem::take(&mut self.queued) {
            match &self.connection {
                Some(conn) => self.spawn(id, call, conn.clone(), format),
                None => fail_call(&self.calls_tx, id, &call, &self.app),
            }
        }
    }

    fn spawn(&mut self, id: CallId, call: ValidCall, conn: Connection, format: Format) {
        let (tx, rec) = (self.calls_tx.clone(), self.recorder.clone());
        let c = spawn_call(&self.runner, id, call, &conn, format, self.options, tx, rec);
        self.live.insert(id, c);
    }

    /// Carries out `command` and whatever the app answers to its result.
    async fn carry_out(&mut self, mut command: Option<Command>) -> Flow {
        while let Some(cmd) = command.take() {
            command = match cmd {
                Command::StartCall { id, call, format } => self.start_call(id, call, format),
                Command::Hold(id, hold) => self.hold(id, hold),
                Command::EndCall(id) => self.end_call(id),
                Command::Reconnect(request) => self.reconnect(request),
                Command::Search(query) => self.search(query),
                Command::Doctor(run) => self.doctor(run),
                Command::Export(id) => {
                    let result = export::export(&self.app, id, self.export_dir.as_deref());
                    self.app.update(Msg::Exported(result))
                }
                Command::Quit => {
                    self.quit().await;
                    return Flow::Quit;
                }
            };
        }
        Flow::Go
    }

    /// Ends any live call, then starts this one (or queues it behind the connection).
    fn start_call(&mut self, id: CallId, call: ValidCall, format: Format) -> Option<Command> {
        for c in self.live.values() {
            let _ = c.control.send(CallControl::End);
        }
        match (&self.connection, self.connect.is_some()) {
            (Some(conn), _) => self.spawn(id, call, conn.clone(), format),
            (None, true) => self.queued.push((id, call, format)),
            (None, false) => fail_call(&self.calls_tx, id, &call, &self.app),
        }
        None
    }

    fn hold(&mut self, id: CallId, hold: bool) -> Option<Command> {
        if let Some(c) = self.live.get(&id) {
            let control = if hold {
                CallControl::Hold
            } else {
                CallControl::Resume
            };
            let _ = c.control.send(control);
        }
        None
    }

    /// Ends a live call, or takes a queued one back (nothing was sent for it).
    fn end_call(&mut self, id: CallId) -> Option<Command> {
        if let Some(c) = self.live.get(&id) {
            let _ = c.control.send(CallControl::End);
        }
        if let Some(pos) = self.queued.iter().position(|(q, _, _)| *q == id) {
            let (_, call, _) = self.queued.remove(pos);
            cancel_queued(&self.calls_tx, id, &call);
        }
        None
    }

    fn reconnect(&mut self, request: ConnectRequest) -> Option<Command> {
        match &self.connector {
            Some(connector) => {
                // Live calls keep their own connection; new ones wait for this one.
                self.connect = Some(connector(request));
                self.connection = None;
                self.recorder = None;
                None
            }
            None => self
                .app
                .update(Msg::Connected(Err("cannot connect again here".into()))),
        }
    }

    /// Searches the directory for To; the answer comes back as `Msg::Searched`.
    fn search(&mut self, query: String) -> Option<Command> {
        if let Some(old) = self.search_task.take() {
            old.abort();
        }
        let tx = self.searched_tx.clone();
        match &self.connection {
            Some(conn) => {
                // In the form's format, so the session a call keeps serves it.
                let mut conn = conn.clone();
                conn.format = self.app.form.format;
                let search = (self.runner.search)(query.clone(), conn);
                self.search_task = Some(tokio::spawn(async move {
                    let _ = tx.send((query, search.await));
                }));
            }
            None => {
                let _ = tx.send((query, Err("not connected yet".into())));
            }
        }
        None
    }

    /// Runs the connectivity checks; each comes back as `Msg::Doctor` tagged with `run`.
    fn doctor(&mut self, run: u64) -> Option<Command> {
        let Some(conn) = &self.connection else {
            let check = crate::doctor::Check {
                name: crate::doctor::CHECKS[0],
                verdict: crate::doctor::Verdict::Fail,
                detail: "not connected yet: wait for the connection, or sign in with F7".into(),
                ms: 0,
                offered: None,
            };
            return self.app.update(Msg::Doctor(run, check));
        };
        let (check_tx, mut checks) = mpsc::unbounded_channel();
        let forward = self.checks_tx.clone();
        tokio::spawn(crate::doctor::run(conn.clone(), check_tx));
        tokio::spawn(async move {
            while let Some(check) = checks.recv().await {
                if forward.send((run, check)).is_err() {
                    break;
                }
            }
        });
        None
    }

    /// The last frame, then live calls ended and the session closed.
    async fn quit(&mut self) {
        if let Some(task) = self.search_task.take() {
            task.abort();
        }
        // The terminal may be gone (SIGHUP): ending the calls matters more.
        let app = &self.app;
        let _ = self.terminal.draw(|f| view::render(app, f));
        self.unfinished = end_live_calls(std::mem::take(&mut self.live), &self.runner).await;
    }

    /// What the ended calls left behind: their last updates taken in, then each call that
    /// may still be up.
    fn quit_report(&mut self) -> Quit {
        while let Ok((id, update)) = self.calls_rx.try_recv() {
            self.app.update(Msg::Call(id, update));
        }
        Quit {
            left_up: self.app.left_up(&self.unfinished),
        }
    }

    /// Ends the live calls; a terminal that hung up (window closed, SSH dropped) is a quit,
    /// as SIGHUP is, not a failure.
    async fn terminal_failed(mut self, e: io::Error) -> io::Result<Quit> {
        self.unfinished = end_live_calls(std::mem::take(&mut self.live), &self.runner).await;
        if crate::stdio::terminal_gone(&e) {
            tracing::info!(error = %e, "the terminal went away: calls ended, quitting");
            return Ok(self.quit_report());
        }
        Err(e)
    }
}

/// Whether the loop goes on after a command.
#[derive(PartialEq, Eq)]
enum Flow {
    Go,
    Quit,
}

fn read_history(path: PathBuf) -> oneshot::Receiver<Vec<PastCall>> {
    let (tx, rx) = oneshot::channel();
    tokio::task::spawn_blocking(move || {
        let entries = crate::history::read_past(&path).unwrap_or_else(|e| {
            tracing::warn!("cannot read the history {}: {e}", path.display());
            Vec::new()
        });
        let _ = tx.send(entries);
    });
    rx
}

fn event_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

async fn any_signal(signals: &mut [Signal]) {
    let waits = signals.iter_mut().map(|s| Box::pin(s.recv()));
    futures_util::future::select_all(waits).await;
}
