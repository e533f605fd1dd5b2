//! The TUI's whole state and `update`: keys and call updates in, state changed and perhaps a
//! `Command` out. No I/O beyond reading a media offer file on submit, no terminal, no await:
//! every behaviour here is tested by feeding messages.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use crossterm::event::KeyEvent;

use crate::call::{CallOutcome, CallRequest, CallUpdate, EventNote, FinalState, Step, ValidCall};
use crate::ucwa::transport::WireRecord;
use crate::ucwa::Format;

use super::action::{keymap, Action, Context};
use super::form::{FieldId, Form};
use super::ladder::{event_summary, ladder_rows, LadderRow, RowKind};
use super::lookup::Lookup;
use super::session::{ConnectRequest, ProfileChoice, SessionInfo};
use super::signin::{self, SignInDialog};
use super::theme::Theme;
use super::wire::WireDoc;
use super::DemoInfo;
use crate::history::PastCall;
use crate::ucwa::modality::PHONE_AUDIO;
use crate::ucwa::people::Person;

/// Calls are numbered from 1 in the order they are started.
pub type CallId = u64;

/// Everything that can change the state, one variant per origin.
// A message is moved once into `update`, never stored in bulk, so its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    /// A key press from the terminal.
    Key(KeyEvent),
    /// Bracketed paste.
    Paste(String),
    /// An action not from a key (tests, or the loop).
    Action(Action),
    /// An update from a call's session.
    Call(CallId, CallUpdate),
    /// The connection future resolved: the demo info (if any), or why it failed.
    Connected(Result<Option<DemoInfo>, String>),
    /// An export finished: the files written, or why not.
    Exported(Result<Vec<PathBuf>, String>),
    /// The spinner / clock moved.
    Tick,
    /// The terminal changed size.
    Resize(u16, u16),
    /// The persisted history, oldest first (read in the background after the first frame).
    HistoryLoaded(Vec<PastCall>),
    /// A new connection is ready for this session (sent just before `Connected`).
    Session(SessionInfo),
    /// The pause after typing in To may be over (`App::lookup.due()`).
    SearchDue,
    /// A directory search for this query ended: the people found, or why not.
    Searched(String, Result<Vec<Person>, String>),
    /// The signed-in application's calling links, learnt at start (on the simulator).
    Offered {
        audio_video: bool,
        phone_audio: bool,
    },
    /// A check of the connectivity walk number `.0` finished.
    Doctor(u64, crate::doctor::Check),
}

/// What the loop must do for `update`; the App itself never does I/O.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// End any live call, then start this one.
    StartCall {
        id: CallId,
        call: ValidCall,
        format: Format,
    },
    /// Send `CallControl::End` to this call.
    EndCall(CallId),
    /// Send `CallControl::Hold` (`true`) or `CallControl::Resume` to this call.
    Hold(CallId, bool),
    /// Write this call's ladder and HAR files.
    Export(CallId),
    /// End live calls (bounded wait), restore the terminal and return.
    Quit,
    /// Connect again with another profile, server, user or password.
    Reconnect(ConnectRequest),
    /// Search the directory for this query (any older search is stopped).
    Search(String),
    /// Run the connectivity checks (walk number `.0`) on the current connection.
    Doctor(u64),
}

/// Which full-width view is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Form,
    Ladder,
    WireLog,
}

/// Where the keys go in the form view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Form,
    History,
}

/// What is drawn over everything.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    None,
    Help,
    /// "A call is live: end it and call X?" with the call to place on yes.
    ConfirmReplace(Box<(ValidCall, Format)>),
    /// "X is Offline / in Do not disturb: call anyway?" with the call to place on yes.
    ConfirmPresence(Box<(ValidCall, Format, &'static str)>),
    /// The sign-in dialog: profile, server, user, password.
    SignIn(Box<SignInDialog>),
    /// The connectivity checklist (F12), filled in as the checks finish.
    Doctor(Box<Vec<crate::doctor::Check>>),
}

/// Whether the session's sign-in worked, as the calls showed it (each call signs in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInState {
    /// No call has signed in yet with this session.
    NotYet,
    SignedIn,
    /// The last call failed while discovering or signing in.
    Failed(String),
}

/// Calls that keep their full detail (wire log, events, ladder, every status line); older
/// finished calls keep their summary, notices and outcome only, so memory grows by a few
/// hundred bytes per call, not by the wire log's tens of kilobytes.
pub const DETAILED_CALLS: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnState {
    /// The connection future has not resolved yet.
    Starting,
    Ready,
    Failed(String),
}

/// A line of the status pane's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogKind {
    Step,
    Event,
    /// An event that reports a failure.
    EventFailure,
    Notice,
    Error,
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub at: SystemTime,
    pub kind: LogKind,
    pub text: String,
}

/// How a flash message in the footer line reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashKind {
    Info,
    Error,
}

/// One call of this run, live or finished.
#[derive(Clone, Debug)]
pub struct CallRecord {
    pub id: CallId,
    pub request: CallRequest,
    pub format: Format,
    pub started: Instant,
    pub started_wall: SystemTime,
    pub step: Option<Step>,
    pub invitation: Option<String>,
    pub operation_id: String,
    pub invitation_state: Option<String>,
    pub connected_at: Option<Instant>,
    pub log: Vec<LogLine>,
    pub events: Vec<EventNote>,
    pub wire: Vec<WireRecord>,
    pub wire_doc: WireDoc,
    pub ladder: Vec<LadderRow>,
    pub outcome: Option<CallOutcome>,
    pub finished_at: Option<Instant>,
    /// The user asked to end it (Esc, Ctrl-E, a new call, quit).
    pub ending: bool,
    /// Files written by the last export.
    pub exported: Vec<PathBuf>,
    /// What the session reported along the way (a recovery such as signing in again, a
    /// refused cancel): part of what happened, shown with the outcome.
    pub notes: Vec<String>,
    /// The wire log, events and ladder were let go (older than the last `DETAILED_CALLS`).
    pub released: bool,
    /// Call via Work: on hold now (the server accepted holdPhoneAudio).
    pub held: bool,
    /// Whether hold and resume are offered now (the modality's links).
    pub hold_offered: (bool, bool),
    /// Call via Work: the leg last shown (your phone ringing, then the contact called).
    pub leg: Option<String>,
    /// Call via Work: the event (an index into `events`) that started each leg, and its
    /// words, so the ladder names the legs too.
    pub legs: Vec<(usize, String)>,
}

impl CallRecord {
    pub fn live(&self) -> bool {
        self.outcome.is_none()
    }

    pub fn connected(&self) -> bool {
        self.connected_at.is_some()
    }

    /// Lets go of the wire log, events and ladder, and of the status log's step and event
    /// lines; the summary, notices and the outcome line stay.
    fn release_detail(&mut self) {
        self.log
            .retain(|l| matches!(l.kind, LogKind::Notice | LogKind::Error | LogKind::Done));
        self.log.shrink_to_fit();
        self.wire = Vec::new();
        self.events = Vec::new();
        self.wire_doc = WireDoc::default();
        self.ladder = Vec::new();
        self.released = true;
    }

    /// Still setting up or ringing: Esc cancels.
    pub fn ringing(&self) -> bool {
        self.live() && !self.connected()
    }

    /// The one word or phrase that says where the call is.
    pub fn status_label(&self) -> &'static str {
        match (&self.outcome, self.step) {
            (Some(o), _) => o.state.label(),
            (None, _) if self.ending && self.connected() => "hanging up",
            (None, _) if self.ending => "cancelling",
            (None, _) if self.connected() => "Connected",
            (None, Some(step)) => step.label(),
            (None, None) => "starting",
        }
    }

    /// Time since the call started, or its whole length once finished.
    pub fn elapsed(&self, now: Instant) -> Duration {
        self.finished_at
            .unwrap_or(now)
            .saturating_duration_since(self.started)
    }

    /// Time connected so far (or in all), if it connected.
    pub fn connected_for(&self, now: Instant) -> Option<Duration> {
        if let Some(d) = self.outcome.as_ref().and_then(|o| o.connected_for) {
            return Some(d);
        }
        self.connected_at.map(|at| {
            self.finished_at
                .unwrap_or(now)
                .saturating_duration_since(at)
        })
    }

    fn log(&mut self, at: SystemTime, kind: LogKind, text: String) {
        self.log.push(LogLine { at, kind, text });
    }
}

/// How much of each scrolling view the last frame showed, written by `view::render` (the
/// only thing it writes) so that keys stop scrolling where a view ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewport {
    /// Rows of the status pane's log.
    pub log_rows: usize,
    /// Rows of the ladder under its heading.
    pub ladder_rows: usize,
    /// Rows and columns of the wire log's text.
    pub wire_rows: usize,
    pub wire_width: usize,
    /// Rows of the help overlay's text, and how many lines it has at that width.
    pub help_rows: usize,
    pub help_lines: usize,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            log_rows: 10,
            ladder_rows: 20,
            wire_rows: 20,
            wire_width: 78,
            help_rows: 20,
            help_lines: 0,
        }
    }
}

pub struct App {
    pub theme: Theme,
    pub form: Form,
    pub view: View,
    pub pane: Pane,
    pub overlay: Overlay,
    pub conn: ConnState,
    pub demo: Option<DemoInfo>,
    /// Every call of this run, oldest first.
    pub calls: Vec<CallRecord>,
    /// Index into `calls` of the call the status pane, ladder and wire log show.
    pub shown: Option<usize>,
    /// Index into `calls` selected in the history list.
    pub history_sel: usize,
    /// Lines scrolled back from the end of the status log (0 = follow the newest).
    pub log_back: usize,
    /// Selected ladder row; `None` follows the newest.
    pub ladder_sel: Option<usize>,
    /// First wire-log line shown.
    pub wire_top: usize,
    /// First line of the help overlay shown.
    pub help_top: usize,
    /// The status pane shows identifiers in full (wrapped) instead of shortened (F6).
    pub details: bool,
    /// Written by each frame; see `Viewport`.
    pub viewport: std::cell::Cell<Viewport>,
    pub flash: Option<(FlashKind, String)>,
    pub quitting: bool,
    pub size: (u16, u16),
    /// The clock, set by the loop before each message (tests set it by hand).
    pub now: Instant,
    pub wall: SystemTime,
    /// Something changed since the last frame.
    pub dirty: bool,
    /// The profile, server and user calls go to now.
    pub session: SessionInfo,
    /// The config file's profiles (F7 / F9 switch between them).
    pub profiles: Vec<ProfileChoice>,
    /// The sign-in dialog can connect again (the binary gave a connector).
    pub can_reconnect: bool,
    pub signin: SignInState,
    /// Calls of earlier runs from the history file, oldest first.
    pub past: Vec<PastCall>,
    /// Selected entry of `past` (0 = newest) when the history selection is there.
    pub past_sel: Option<usize>,
    /// The To field's directory search (matches under it, the contact taken).
    pub lookup: Lookup,
    next_id: CallId,
    /// The number of the latest connectivity walk (F12); checks of older walks are dropped.
    pub doctor_run: u64,
}

/// Rows scrolled by PageUp / PageDown.
const PAGE: usize = 10;

impl App {
    pub fn new(format: Format, theme: Theme) -> App {
        let form = Form::new(format, theme.cursor, theme.placeholder);
        App {
            theme,
            form,
            view: View::Form,
            pane: Pane::Form,
            overlay: Overlay::None,
            conn: ConnState::Starting,
            demo: None,
            calls: Vec::new(),
            shown: None,
            history_sel: 0,
            log_back: 0,
            ladder_sel: None,
            wire_top: 0,
            help_top: 0,
            details: false,
            viewport: Default::default(),
            flash: None,
            quitting: false,
            size: (80, 24),
            now: Instant::now(),
            wall: SystemTime::now(),
            dirty: true,
            session: SessionInfo::default(),
            profiles: Vec::new(),
            can_reconnect: false,
            signin: SignInState::NotYet,
            past: Vec::new(),
            past_sel: None,
            lookup: Lookup::default(),
            next_id: 1,
            doctor_run: 0,
        }
    }

    pub fn set_clock(&mut self, now: Instant, wall: SystemTime) {
        self.now = now;
        self.wall = wall;
    }

    pub fn shown_call(&self) -> Option<&CallRecord> {
        self.shown.and_then(|i| self.calls.get(i))
    }

    pub fn call(&self, id: CallId) -> Option<&CallRecord> {
        self.calls.iter().find(|c| c.id == id)
    }

    fn call_mut(&mut self, id: CallId) -> Option<&mut CallRecord> {
        self.calls.iter_mut().find(|c| c.id == id)
    }

    /// The live call, if any (at most one is live, apart from one still cleaning up).
    pub fn live_call(&self) -> Option<&CallRecord> {
        self.calls.iter().rev().find(|c| c.live() && !c.ending)
    }

    /// A clock or spinner is moving: the loop ticks only while this is true.
    pub fn animating(&self) -> bool {
        self.quitting || self.calls.iter().any(CallRecord::live)
    }

    /// Where keys go now.
    pub fn context(&self) -> Context {
        match (&self.overlay, self.view, self.pane) {
            (Overlay::Help, _, _) => Context::Help,
            (Overlay::ConfirmReplace(_) | Overlay::ConfirmPresence(_), _, _) => Context::Confirm,
            (Overlay::SignIn(_), _, _) => Context::SignIn,
            (Overlay::Doctor(_), _, _) => Context::Doctor,
            (Overlay::None, View::Ladder, _) => Context::Ladder,
            (Overlay::None, View::WireLog, _) => Context::WireLog,
            (Overlay::None, View::Form, Pane::History) => Context::History,
            (Overlay::None, View::Form, Pane::Form) => {
                let focus = self.form.focus();
                if focus.is_text() {
                    Context::Text {
                        can_complete: (focus == FieldId::To
                            && self.form.to_cursor_at_end()
                            && (self.form.suggestion().is_some() || self.form.cycling()))
                            || (focus == FieldId::MediaOffer
                                && self.form.media_offer_completion().is_some()),
                    }
                } else {
                    Context::Toggle
                }
            }
        }
    }

    pub fn update(&mut self, msg: Msg) -> Option<Command> {
        let to_before = self.form.value(FieldId::To).to_string();
        let command = self.update_inner(msg);
        if self.form.value(FieldId::To) != to_before {
            self.lookup.edited(self.form.value(FieldId::To), self.now);
        }
        command
    }

    /// Whether keys go to the list of matches under To.
    fn in_lookup_list(&self) -> bool {
        self.lookup.open()
            && self.overlay == Overlay::None
            && self.view == View::Form
            && self.pane == Pane::Form
            && self.form.focus() == FieldId::To
    }

    /// Up/Down, Enter, Tab and Esc while the matches are shown under To.
    fn lookup_key(&mut self, key: KeyEvent) -> bool {
        use crossterm::event::{KeyCode, KeyModifiers};
        if !self.in_lookup_list()
            || key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return false;
        }
        match key.code {
            KeyCode::Down => self.lookup.step(true),
            KeyCode::Up => self.lookup.step(false),
            KeyCode::Enter | KeyCode::Tab => {
                if let Some(uri) = self.lookup.take() {
                    self.form.set_to(&uri);
                    self.flash = None;
                }
            }
            KeyCode::Esc => self.lookup.close(),
            _ => return false,
        }
        true
    }

    fn update_inner(&mut self, msg: Msg) -> Option<Command> {
        self.dirty = true;
        match msg {
            // Taking a match puts its sip: URI in To, which is not searched again.
            Msg::Key(key) if self.lookup_key(key) => None,
            Msg::SearchDue => self.lookup.fire(self.now).map(Command::Search),
            Msg::Searched(query, result) => {
                self.dirty = self.lookup.finished(&query, result);
                None
            }
            Msg::Offered {
                audio_video,
                phone_audio,
            } => {
                // Learnt by signing in at start: the session is signed in.
                self.signin = SignInState::SignedIn;
                self.form.set_offered(audio_video, phone_audio);
                self.dirty = true;
                None
            }
            Msg::Key(key) if matches!(self.overlay, Overlay::SignIn(_)) => {
                if keymap(Context::SignIn, key) == Some(Action::Quit) {
                    return self.on_action(Action::Quit);
                }
                let Overlay::SignIn(dialog) = &mut self.overlay else {
                    return None;
                };
                match dialog.key(key) {
                    signin::Outcome::Open => None,
                    signin::Outcome::Cancelled => {
                        self.overlay = Overlay::None;
                        None
                    }
                    signin::Outcome::Connect(request) => {
                        self.overlay = Overlay::None;
                        Some(self.reconnect(request))
                    }
                }
            }
            Msg::Key(key) => {
                match keymap(self.context(), key) {
                    Some(action) => {
                        self.flash = None;
                        self.on_action(action)
                    }
                    None => {
                        // Only the form's text fields take unmapped keys.
                        if self.overlay == Overlay::None
                            && self.view == View::Form
                            && self.pane == Pane::Form
                        {
                            self.flash = None;
                            self.dirty = self.form.input(key) || self.form.focus().is_text();
                        } else {
                            self.dirty = false;
                        }
                        None
                    }
                }
            }
            Msg::Paste(text) => {
                if let Overlay::SignIn(dialog) = &mut self.overlay {
                    dialog.paste(&text);
                } else if self.overlay == Overlay::None
                    && self.view == View::Form
                    && self.pane == Pane::Form
                {
                    self.form.paste(&text);
                }
                None
            }
            Msg::Action(action) => self.on_action(action),
            Msg::Call(id, update) => {
                self.on_call_update(id, update);
                None
            }
            Msg::Connected(result) => {
                match result {
                    Ok(demo) => {
                        if let Some(d) = &demo {
                            self.form.directory = d.contacts.clone();
                        }
                        self.demo = demo;
                        self.conn = ConnState::Ready;
                    }
                    Err(e) => {
                        self.flash = Some((FlashKind::Error, format!("cannot connect: {e}")));
                        self.conn = ConnState::Failed(e);
                    }
                }
                None
            }
            Msg::Exported(result) => {
                match result {
                    Ok(paths) => {
                        let names: Vec<String> =
                            paths.iter().map(|p| p.display().to_string()).collect();
                        self.flash =
                            Some((FlashKind::Info, format!("exported {}", names.join(", "))));
                        let wall = self.wall;
                        if let Some(i) = self.shown {
                            let call = &mut self.calls[i];
                            call.log(
                                wall,
                                LogKind::Notice,
                                format!("exported {}", names.join(", ")),
                            );
                            call.exported = paths;
                        }
                    }
                    Err(e) => self.flash = Some((FlashKind::Error, format!("export failed: {e}"))),
                }
                None
            }
            Msg::Tick => None,
            Msg::Resize(w, h) => {
                self.size = (w, h);
                None
            }
            Msg::HistoryLoaded(entries) => {
                // Completion in To offers past contacts after this run's.
                let mut seen = std::collections::HashSet::new();
                self.form.known = entries
                    .iter()
                    .rev()
                    .filter(|e| !e.contact.is_empty())
                    .filter(|e| seen.insert(e.contact.to_lowercase()))
                    .map(|e| e.contact.to_string())
                    .collect();
                self.past = entries;
                None
            }
            Msg::Doctor(run, check) => {
                if let Overlay::Doctor(checks) = &mut self.overlay {
                    if run == self.doctor_run {
                        checks.push(check);
                    }
                }
                None
            }
            Msg::Session(info) => {
                if let Some(number) = &info.via_phone {
                    self.form.prefill_phone(number);
                }
                self.session = info;
                self.signin = SignInState::NotYet;
                // The simulator's contacts come back with its `Connected`, if it is one.
                self.demo = None;
                self.form.directory.clear();
                None
            }
        }
    }

    fn on_action(&mut self, action: Action) -> Option<Command> {
        match action {
            Action::Quit => {
                self.overlay = Overlay::None;
                self.quitting = true;
                let wall = self.wall;
                for call in self.calls.iter_mut().filter(|c| c.live() && !c.ending) {
                    call.ending = true;
                    call.log(wall, LogKind::Notice, "quitting: ending the call".into());
                }
                Some(Command::Quit)
            }
            Action::Help => {
                self.overlay = match self.overlay {
                    Overlay::Help => Overlay::None,
                    _ => Overlay::Help,
                };
                self.help_top = 0;
                None
            }
            Action::Details => {
                self.details = !self.details;
                None
            }
            Action::Doctor => {
                if matches!(self.overlay, Overlay::Doctor(_)) {
                    self.overlay = Overlay::None;
                    return None;
                }
                self.doctor_run += 1;
                self.overlay = Overlay::Doctor(Box::default());
                Some(Command::Doctor(self.doctor_run))
            }
            Action::Yes => match std::mem::replace(&mut self.overlay, Overlay::None) {
                Overlay::ConfirmReplace(pending) => {
                    let (call, format) = *pending;
                    self.end_live("ended to place a new call");
                    Some(self.start(call, format))
                }
                Overlay::ConfirmPresence(pending) => {
                    let (call, format, _) = *pending;
                    self.place(call, format)
                }
                _ => None,
            },
            Action::No => {
                let flash = match std::mem::replace(&mut self.overlay, Overlay::None) {
                    Overlay::ConfirmPresence(_) => "not called",
                    _ => "not called; the live call goes on",
                };
                self.flash = Some((FlashKind::Info, flash.into()));
                None
            }
            Action::Submit => self.submit(),
            Action::SignIn => {
                if !self.can_reconnect {
                    self.flash = Some((
                        FlashKind::Info,
                        "signing in again is not available here".into(),
                    ));
                    return None;
                }
                self.overlay =
                    Overlay::SignIn(Box::new(SignInDialog::new(&self.session, &self.profiles)));
                None
            }
            Action::NextProfile => {
                if !self.can_reconnect || self.profiles.is_empty() {
                    self.flash = Some((
                        FlashKind::Info,
                        "no profiles to switch to (see assets/config.toml)".into(),
                    ));
                    return None;
                }
                let mut dialog = SignInDialog::new(&self.session, &self.profiles);
                dialog.cycle_profile(true);
                if dialog.profile().is_none() {
                    dialog.cycle_profile(true);
                }
                let request = dialog.request();
                Some(self.reconnect(request))
            }
            Action::NextField => {
                self.form.next();
                None
            }
            Action::PrevField => {
                self.form.prev();
                None
            }
            Action::ToggleNext => {
                self.form.toggle(true);
                None
            }
            Action::TogglePrev => {
                self.form.toggle(false);
                None
            }
            Action::Complete => {
                if self.form.focus() == FieldId::MediaOffer {
                    self.form.complete_media_offer();
                } else {
                    self.form.accept_suggestion();
                }
                None
            }
            Action::Escape => {
                if self.view != View::Form {
                    self.view = View::Form;
                    return None;
                }
                if self.pane == Pane::History {
                    self.pane = Pane::Form;
                    return None;
                }
                if self.live_call().is_some_and(CallRecord::ringing) {
                    return self.end_live("cancelled with Esc");
                }
                self.dirty = false;
                None
            }
            Action::HoldResume => {
                let wall = self.wall;
                let Some(call) = self
                    .calls
                    .iter_mut()
                    .rev()
                    .find(|c| c.live() && c.connected() && !c.ending)
                else {
                    self.flash = Some((FlashKind::Info, "no connected call to hold".into()));
                    return None;
                };
                let hold = !call.held;
                let offered = if hold {
                    call.hold_offered.0
                } else {
                    call.hold_offered.1
                };
                if !offered {
                    let what = if hold { "hold" } else { "resume" };
                    self.flash = Some((
                        FlashKind::Info,
                        format!("the server offers no {what} for this call now"),
                    ));
                    return None;
                }
                call.log(
                    wall,
                    LogKind::Notice,
                    if hold {
                        "putting the call on hold"
                    } else {
                        "resuming the call"
                    }
                    .into(),
                );
                Some(Command::Hold(call.id, hold))
            }
            Action::HangUp => {
                let cmd = self.end_live("ended by you");
                if cmd.is_none() {
                    self.flash = Some((FlashKind::Info, "no call to end".into()));
                }
                cmd
            }
            Action::Ladder => {
                self.view = if self.view == View::Ladder {
                    View::Form
                } else {
                    View::Ladder
                };
                None
            }
            Action::WireLog => {
                // From the ladder, the selected row's exchange is the one to read.
                if self.view == View::Ladder && self.ladder_sel.is_some() && self.open_selected() {
                    return None;
                }
                self.view = if self.view == View::WireLog {
                    View::Form
                } else {
                    View::WireLog
                };
                None
            }
            Action::History => {
                if self.calls.is_empty() && self.past.is_empty() {
                    self.flash = Some((FlashKind::Info, "no calls yet".into()));
                    return None;
                }
                self.view = View::Form;
                if self.pane == Pane::History {
                    self.pane = Pane::Form;
                } else {
                    self.pane = Pane::History;
                    if self.calls.is_empty() {
                        self.select_past(0);
                    } else {
                        self.select_history(self.calls.len() - 1);
                    }
                }
                None
            }
            Action::Export => match self.shown_call() {
                Some(c) if c.released => {
                    self.flash = Some((
                        FlashKind::Info,
                        format!("call #{} is older than the last {DETAILED_CALLS}: its wire log was let go (only its summary is kept)", c.id),
                    ));
                    None
                }
                Some(c) if !c.wire.is_empty() || !c.events.is_empty() => {
                    Some(Command::Export(c.id))
                }
                _ => {
                    self.flash = Some((FlashKind::Info, "nothing to export yet".into()));
                    None
                }
            },
            Action::Up | Action::Down | Action::Top | Action::Bottom => {
                self.move_selection(action);
                None
            }
            Action::PageUp | Action::PageDown => {
                self.page(action == Action::PageUp);
                None
            }
            Action::NextRecord | Action::PrevRecord => {
                self.jump_record(action == Action::NextRecord);
                None
            }
            Action::Open => {
                self.open_selected();
                None
            }
        }
    }

    /// The wire log at the selected ladder row: a request or response opens its exchange, an
    /// event the long poll's answer that carried it, at the event itself. False when there is
    /// nothing to open.
    fn open_selected(&mut self) -> bool {
        let Some(call) = self.shown_call() else {
            return false;
        };
        let Some(sel) = self.ladder_sel.or(call.ladder.len().checked_sub(1)) else {
            return false;
        };
        let Some(row) = call.ladder.get(sel) else {
            return false;
        };
        let (record, needle) = match (row.record, row.event) {
            (Some(r), _) => (r, None),
            (None, Some(event)) => {
                // The answer that carried it is the response row before it; the event is
                // found by its href, counting the events of that answer with the same href.
                let Some(answer) = (0..sel)
                    .rev()
                    .find(|i| call.ladder[*i].kind == RowKind::Response)
                else {
                    return false;
                };
                let href = &call.events[event].href;
                let nth = call.ladder[answer + 1..sel]
                    .iter()
                    .filter_map(|r| r.event)
                    .filter(|e| call.events[*e].href == *href)
                    .count();
                let Some(record) = call.ladder[answer].record else {
                    return false;
                };
                (record, Some((href.clone(), nth)))
            }
            (None, None) => return false,
        };
        let Some(&start) = call.wire_doc.starts.get(record) else {
            return false;
        };
        let end = call
            .wire_doc
            .starts
            .get(record + 1)
            .copied()
            .unwrap_or(call.wire_doc.lines.len());
        let line = needle
            .and_then(|(href, nth)| {
                call.wire_doc.lines[start..end]
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, l))| l.contains(href.as_str()))
                    .nth(nth)
                    .map(|(i, _)| start + i)
            })
            .unwrap_or(start);
        self.wire_top = line.min(self.wire_max_top());
        self.view = View::WireLog;
        true
    }

    /// The last first-line of the wire log that still fills the view.
    pub fn wire_max_top(&self) -> usize {
        let vp = self.viewport.get();
        self.shown_call()
            .map_or(0, |c| c.wire_doc.max_top(vp.wire_width, vp.wire_rows))
    }

    /// The furthest the status log can scroll back: its first line at the top.
    fn log_max_back(&self) -> usize {
        let len = self.shown_call().map_or(0, |c| c.log.len());
        len.saturating_sub(self.viewport.get().log_rows)
    }

    fn help_max_top(&self) -> usize {
        let vp = self.viewport.get();
        vp.help_lines.saturating_sub(vp.help_rows)
    }

    fn submit(&mut self) -> Option<Command> {
        if self.pane == Pane::History {
            self.pane = Pane::Form;
        }
        if let ConnState::Failed(e) = &self.conn {
            self.flash = Some((FlashKind::Error, format!("cannot call: {e}")));
            return None;
        }
        // Submitting is the answer: a search still waiting or running is dropped, so the
        // field's own error (if any) shows.
        self.lookup.close();
        let request = self.form.to_request();
        match request.validate() {
            Err(errors) => {
                self.form.show_errors(&errors);
                // Named as the form labels them ("Session context"), not by wire name.
                let reasons: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field.label(), e.message))
                    .collect();
                self.flash = Some((
                    FlashKind::Error,
                    format!("not sent: {}", reasons.join("; ")),
                ));
                None
            }
            Ok(call) => {
                let format = self.form.format;
                // Nobody will answer, or they asked not to be disturbed: ask first.
                let mark = self
                    .lookup
                    .chosen_for(&call.to)
                    .and_then(Person::reachability)
                    .filter(|r| r.asks_first());
                if let Some(mark) = mark {
                    self.overlay = Overlay::ConfirmPresence(Box::new((call, format, mark.words())));
                    return None;
                }
                self.place(call, format)
            }
        }
    }

    /// Starts `call`, asking first when another call is live.
    fn place(&mut self, call: ValidCall, format: Format) -> Option<Command> {
        if self.live_call().is_some() {
            self.overlay = Overlay::ConfirmReplace(Box::new((call, format)));
            return None;
        }
        Some(self.start(call, format))
    }

    /// Records a new call and asks the loop to start it.
    fn start(&mut self, call: ValidCall, format: Format) -> Command {
        let id = self.next_id;
        self.next_id += 1;
        let request = self.form.to_request();
        self.form.remember(&call.to);
        self.form.refresh_operation_id();
        let mut record = CallRecord {
            id,
            request,
            format,
            started: self.now,
            started_wall: self.wall,
            step: None,
            invitation: None,
            operation_id: call.operation_id.clone(),
            invitation_state: None,
            connected_at: None,
            log: Vec::new(),
            events: Vec::new(),
            wire: Vec::new(),
            wire_doc: WireDoc::default(),
            ladder: Vec::new(),
            outcome: None,
            finished_at: None,
            ending: false,
            exported: Vec::new(),
            notes: Vec::new(),
            released: false,
            held: false,
            hold_offered: (false, false),
            leg: None,
            legs: Vec::new(),
        };
        record.log(
            self.wall,
            LogKind::Notice,
            match &call.phone_number {
                Some(phone) => format!(
                    "calling {} through your phone {} (Call via Work, {})",
                    call.to,
                    crate::call::request::display_phone(phone),
                    format.name()
                ),
                None => format!("calling {} ({})", call.to, format.name()),
            },
        );
        if self.conn == ConnState::Starting {
            record.log(
                self.wall,
                LogKind::Notice,
                "waiting for the connection".into(),
            );
        }
        self.calls.push(record);
        self.shown = Some(self.calls.len() - 1);
        self.history_sel = self.calls.len() - 1;
        self.past_sel = None;
        self.log_back = 0;
        self.ladder_sel = None;
        self.wire_top = 0;
        Command::StartCall { id, call, format }
    }

    /// Asks the live call to end; `None` when there is none.
    fn end_live(&mut self, why: &str) -> Option<Command> {
        let wall = self.wall;
        let call = self
            .calls
            .iter_mut()
            .rev()
            .find(|c| c.live() && !c.ending)?;
        call.ending = true;
        call.log(wall, LogKind::Notice, why.to_string());
        Some(Command::EndCall(call.id))
    }

    /// Asks the loop to connect again; calls placed meanwhile wait for it.
    fn reconnect(&mut self, request: ConnectRequest) -> Command {
        let what = match &request.profile {
            Some(p) => format!("profile {p}"),
            None => "no profile".to_string(),
        };
        self.flash = Some((FlashKind::Info, format!("connecting ({what})…")));
        self.conn = ConnState::Starting;
        self.signin = SignInState::NotYet;
        Command::Reconnect(request)
    }

    /// Selects entry `index` (0 = newest) of the earlier runs' history and refills the form.
    fn select_past(&mut self, index: usize) {
        let Some(entry) = self
            .past
            .len()
            .checked_sub(index + 1)
            .map(|i| &self.past[i])
        else {
            return;
        };
        self.past_sel = Some(index);
        let request = CallRequest {
            to: entry.contact.to_string(),
            subject: entry.subject.as_deref().map(str::to_string),
            importance: entry.importance.as_deref().map(str::to_string),
            join_audio_muted: entry.audio_muted,
            join_video_muted: entry.video_muted,
            ..Default::default()
        };
        let format = if entry.xml { Format::Xml } else { Format::Json };
        self.form.fill(&request, format);
    }

    fn select_history(&mut self, index: usize) {
        let Some(call) = self.calls.get(index) else {
            return;
        };
        self.past_sel = None;
        self.history_sel = index;
        self.shown = Some(index);
        let (request, format) = (call.request.clone(), call.format);
        self.form.fill(&request, format);
        self.log_back = 0;
        self.ladder_sel = None;
        self.wire_top = 0;
    }

    fn move_selection(&mut self, action: Action) {
        if self.overlay == Overlay::Help {
            let max = self.help_max_top();
            self.help_top = match action {
                Action::Up => self.help_top.saturating_sub(1),
                Action::Down => (self.help_top + 1).min(max),
                Action::Top => 0,
                _ => max,
            };
            return;
        }
        match (self.view, self.pane) {
            (View::Form, Pane::History) if self.past_sel.is_some() || self.calls.is_empty() => {
                // Below this run's calls: the earlier runs', newest first.
                let cur = self.past_sel.unwrap_or(0);
                let last = self.past.len().saturating_sub(1);
                match action {
                    Action::Up if cur == 0 && !self.calls.is_empty() => self.select_history(0),
                    Action::Up => self.select_past(cur.saturating_sub(1)),
                    Action::Down => self.select_past((cur + 1).min(last)),
                    Action::Top if !self.calls.is_empty() => {
                        self.select_history(self.calls.len() - 1)
                    }
                    Action::Top => self.select_past(0),
                    _ => self.select_past(last),
                }
            }
            (View::Form, Pane::History) => {
                if !self.past.is_empty()
                    && ((action == Action::Down && self.history_sel == 0)
                        || action == Action::Bottom)
                {
                    let i = if action == Action::Bottom {
                        self.past.len() - 1
                    } else {
                        0
                    };
                    self.select_past(i);
                    return;
                }
                // The list shows the newest first, so Up goes to a newer call.
                let last = self.calls.len().saturating_sub(1);
                let i = match action {
                    Action::Up => (self.history_sel + 1).min(last),
                    Action::Down => self.history_sel.saturating_sub(1),
                    Action::Top => last,
                    _ => 0,
                };
                self.select_history(i);
            }
            (View::Ladder, _) => {
                let len = self.shown_call().map_or(0, |c| c.ladder.len());
                let Some(last) = len.checked_sub(1) else {
                    self.ladder_sel = None;
                    return;
                };
                // Nothing selected yet: Down starts at the first row, Up at the last.
                self.ladder_sel = Some(match (action, self.ladder_sel) {
                    (Action::Down, None) | (Action::Top, _) => 0,
                    (_, None) | (Action::Bottom, _) => last,
                    (Action::Down, Some(i)) => (i + 1).min(last),
                    (_, Some(i)) => i.saturating_sub(1).min(last),
                });
            }
            (View::WireLog, _) => {
                let max = self.wire_max_top();
                self.wire_top = match action {
                    Action::Up => self.wire_top.min(max).saturating_sub(1),
                    Action::Down => (self.wire_top + 1).min(max),
                    Action::Top => 0,
                    _ => max,
                };
            }
            (View::Form, Pane::Form) => {}
        }
    }

    fn page(&mut self, up: bool) {
        if self.overlay == Overlay::Help {
            let rows = self.viewport.get().help_rows.max(1);
            self.help_top = if up {
                self.help_top.saturating_sub(rows)
            } else {
                (self.help_top + rows).min(self.help_max_top())
            };
            return;
        }
        match self.view {
            View::Form => {
                let max = self.log_max_back();
                self.log_back = if up {
                    (self.log_back.min(max) + PAGE).min(max)
                } else {
                    self.log_back.min(max).saturating_sub(PAGE)
                };
            }
            View::Ladder => {
                for _ in 0..PAGE {
                    self.move_selection(if up { Action::Up } else { Action::Down });
                }
            }
            View::WireLog => {
                let max = self.wire_max_top();
                let rows = self.viewport.get().wire_rows.max(1);
                self.wire_top = if up {
                    self.wire_top.min(max).saturating_sub(rows)
                } else {
                    (self.wire_top + rows).min(max)
                };
            }
        }
    }

    fn jump_record(&mut self, next: bool) {
        let Some(call) = self.shown_call() else {
            return;
        };
        match self.view {
            View::WireLog => {
                let starts = &call.wire_doc.starts;
                let target = if next {
                    starts.iter().find(|s| **s > self.wire_top)
                } else {
                    starts.iter().rev().find(|s| **s < self.wire_top)
                };
                if let Some(t) = target {
                    self.wire_top = (*t).min(self.wire_max_top());
                }
            }
            View::Ladder => {
                let last = call.ladder.len().saturating_sub(1);
                let cur = self.ladder_sel.unwrap_or(last);
                let found = if next {
                    (cur + 1..call.ladder.len()).find(|i| call.ladder[*i].record.is_some())
                } else {
                    (0..cur).rev().find(|i| call.ladder[*i].record.is_some())
                };
                if let Some(i) = found {
                    self.ladder_sel = Some(i);
                }
            }
            View::Form => {}
        }
    }

    /// Keeps full detail for the newest `DETAILED_CALLS` calls only (live ones always).
    fn release_old_detail(&mut self) {
        let keep_from = self.calls.len().saturating_sub(DETAILED_CALLS);
        for call in &mut self.calls[..keep_from] {
            if !call.released && !call.live() {
                call.release_detail();
            }
        }
    }

    fn on_call_update(&mut self, id: CallId, update: CallUpdate) {
        // Where server text enters the screen's state: made safe once, here.
        let update = crate::sanitize::sanitize_update(update);
        let (now, wall) = (self.now, self.wall);
        let Some(call) = self.call_mut(id) else {
            return;
        };
        match update {
            CallUpdate::StepStarted(step) => {
                call.step = Some(step);
                if step == Step::InCall && call.connected_at.is_none() {
                    call.connected_at = Some(now);
                    call.log(wall, LogKind::Done, "connected".into());
                }
            }
            CallUpdate::StepFinished { step, elapsed } => {
                if step == Step::SignIn {
                    self.signin = SignInState::SignedIn;
                }
                let Some(call) = self.calls.iter_mut().find(|c| c.id == id) else {
                    return;
                };
                call.log(
                    wall,
                    LogKind::Step,
                    format!("{} · {} ms", step.label(), elapsed.as_millis()),
                );
            }
            CallUpdate::Notice(text) => {
                call.notes.push(text.clone());
                call.log(wall, LogKind::Notice, text);
            }
            CallUpdate::Wire(record) => {
                // Exchanges are kept in the order their requests started (a long poll is
                // recorded when it ends, after the requests it overlapped).
                let key = (record.started, record.seq);
                let at = call.wire.partition_point(|r| (r.started, r.seq) <= key);
                if at == call.wire.len() {
                    call.wire_doc.push(&record, call.started_wall);
                    call.wire.push(record);
                } else {
                    call.wire.insert(at, record);
                    call.wire_doc = WireDoc::default();
                    for r in &call.wire {
                        call.wire_doc.push(r, call.started_wall);
                    }
                }
                call.ladder = ladder_rows(&call.wire, &call.events);
                name_legs(&mut call.ladder, &call.legs);
            }
            CallUpdate::Event(note) => {
                let kind = if note.status.as_deref() == Some("Failure") {
                    LogKind::EventFailure
                } else {
                    LogKind::Event
                };
                call.log(note.at, kind, event_summary(&note));
                // Call via Work: the two legs, your phone then the contact, as the
                // invitation's events tell them.
                let number = call
                    .request
                    .via_phone
                    .as_deref()
                    .and_then(|n| crate::call::request::check_phone_number(n).ok());
                let leg = match (&number, &note.state) {
                    (Some(n), Some(state)) if note.rel == PHONE_AUDIO.invitation => {
                        let to = crate::call::request::contact_uri(&call.request.to);
                        crate::call::phone_leg(state, n, &to)
                    }
                    _ => None,
                };
                if let Some(leg) = leg.filter(|l| call.leg.as_ref() != Some(l)) {
                    call.log(note.at, LogKind::Notice, leg.clone());
                    call.legs.push((call.events.len(), leg.clone()));
                    call.leg = Some(leg);
                }
                call.events.push(note);
                call.ladder = ladder_rows(&call.wire, &call.events);
                name_legs(&mut call.ladder, &call.legs);
            }
            CallUpdate::InvitationCreated { href, operation_id } => {
                call.log(wall, LogKind::Notice, format!("invitation {href}"));
                call.invitation = Some(href);
                call.operation_id = operation_id;
            }
            CallUpdate::InvitationState(state) => {
                if state.eq_ignore_ascii_case("Connected") && call.connected_at.is_none() {
                    call.connected_at = Some(now);
                    call.log(wall, LogKind::Done, "connected".into());
                }
                call.invitation_state = Some(state);
            }
            CallUpdate::Offered {
                audio_video,
                phone_audio,
            } => self.form.set_offered(audio_video, phone_audio),
            CallUpdate::Held(held) => {
                call.held = held;
                let text = if held { "on hold" } else { "resumed: off hold" };
                call.log(wall, LogKind::Done, text.into());
            }
            CallUpdate::HoldOffered { hold, resume } => call.hold_offered = (hold, resume),
            CallUpdate::MediaAnswer(sdp) => {
                let offer = call
                    .request
                    .media_offer
                    .as_ref()
                    .and_then(|p| crate::call::request::read_media_offer(p).ok())
                    .map(|o| o.body);
                let answer = crate::call::answer::summarise(&sdp, offer.as_deref());
                call.log(
                    wall,
                    LogKind::Notice,
                    format!("media answer: {}", answer.line()),
                );
            }
            CallUpdate::Finished(outcome) => {
                call.finished_at = Some(now);
                if call.invitation.is_none() {
                    call.invitation = outcome.invitation.clone();
                }
                let (kind, text) = match (&outcome.error, outcome.state) {
                    (Some(e), _) => (
                        LogKind::Error,
                        format!("{}: {}", outcome.state.label(), e.message),
                    ),
                    (None, FinalState::Failed) => (LogKind::Error, "Failed".to_string()),
                    (None, state) => (LogKind::Done, state.label().to_string()),
                };
                let failed_signing_in = matches!(call.step, Some(Step::Discover | Step::SignIn));
                if let (true, Some(e)) = (failed_signing_in, &outcome.error) {
                    self.signin = SignInState::Failed(e.message.clone());
                }
                let Some(call) = self.calls.iter_mut().find(|c| c.id == id) else {
                    return;
                };
                call.log(wall, kind, text);
                call.outcome = Some(outcome);
                self.release_old_detail();
            }
        }
    }
}

#[cfg(test)]
mod tests;

/// Adds the words of each Call via Work leg to the ladder row of the event that started it:
/// "… phoneAudioInvitation updated [Alerting] — your phone answered: calling sip:…".
fn name_legs(ladder: &mut [LadderRow], legs: &[(usize, String)]) {
    for (event, words) in legs {
        if let Some(row) = ladder.iter_mut().find(|r| r.event == Some(*event)) {
            row.label.push_str(" — ");
            row.label.push_str(words);
        }
    }
}
