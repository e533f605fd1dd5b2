//! The TUI's whole state and `update`: keys and call updates in, state changed and perhaps a
//! `Command` out. No I/O beyond reading a media offer file on submit, no terminal, no await:
//! every behaviour here is tested by feeding messages.
//!
//! The state and the messages are here; what each message does is in `messages.rs`, each
//! action (a key's meaning) in `actions.rs`, placing and ending calls in `calls.rs`, what a
//! call's updates change in `call_updates.rs`, scrolling and selecting in `navigation.rs`.

mod actions;
mod call_updates;
mod calls;
mod messages;
mod navigation;
mod record;

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use crossterm::event::KeyEvent;

use crate::call::{CallUpdate, ValidCall};
use crate::ucwa::Format;

use super::action::{Action, Context};
use super::form::{FieldId, Form};
use super::lookup::Lookup;
use super::session::{ConnectRequest, ProfileChoice, SessionInfo};
use super::signin::SignInDialog;
use super::theme::Theme;
use super::DemoInfo;
use crate::history::PastCall;
use crate::ucwa::people::Person;

pub use record::{CallRecord, LogKind, LogLine, DETAILED_CALLS};

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
    Offered(crate::call::Offered),
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnState {
    /// The connection future has not resolved yet.
    Starting,
    Ready,
    Failed(String),
}

/// How a flash message in the footer line reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashKind {
    Info,
    Error,
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
    /// The profile F9 last tried, until a session comes up: a profile that cannot connect
    /// leaves the session as it was, and the next F9 goes on from it, not back to it.
    pub profile_tried: Option<String>,
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
            profile_tried: None,
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
}

#[cfg(test)]
mod tests;
