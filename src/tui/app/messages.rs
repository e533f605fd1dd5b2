//! What each `Msg` does to the state: keys (to the list of matches under To, the sign-in
//! dialog, the key map, or the focused field), paste, the connection, exports, the history
//! file, searches and the connectivity checks.

use std::path::PathBuf;

use crossterm::event::KeyEvent;

use crate::history::PastCall;
use crate::tui::action::{keymap, Action, Context};
use crate::tui::form::FieldId;
use crate::tui::session::SessionInfo;
use crate::tui::signin;
use crate::tui::DemoInfo;

use super::{App, Command, ConnState, FlashKind, LogKind, Msg, Overlay, Pane, SignInState, View};

impl App {
    pub(super) fn update_inner(&mut self, msg: Msg) -> Option<Command> {
        self.dirty = true;
        match msg {
            // Taking a match puts its sip: URI in To, which is not searched again.
            Msg::Key(key) if self.lookup_key(key) => None,
            Msg::SearchDue => self.lookup.fire(self.now).map(Command::Search),
            Msg::Searched(query, result) => {
                self.dirty = self.lookup.finished(&query, result);
                None
            }
            Msg::Offered(offered) => {
                // Learnt by signing in at start: the session is signed in.
                self.signin = SignInState::SignedIn;
                self.form.set_offered(offered);
                self.dirty = true;
                None
            }
            Msg::Key(key) if matches!(self.overlay, Overlay::SignIn(_)) => self.sign_in_key(key),
            Msg::Key(key) => self.key(key),
            Msg::Paste(text) => {
                self.paste(&text);
                None
            }
            Msg::Action(action) => self.on_action(action),
            Msg::Call(id, update) => {
                self.on_call_update(id, update);
                None
            }
            Msg::Connected(result) => {
                self.connected(result);
                None
            }
            Msg::Exported(result) => {
                self.exported(result);
                None
            }
            Msg::Tick => None,
            Msg::Resize(w, h) => {
                self.size = (w, h);
                None
            }
            Msg::HistoryLoaded(entries) => {
                self.history_loaded(entries);
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
                self.new_session(info);
                None
            }
        }
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

    /// The sign-in dialog has every key but quitting.
    fn sign_in_key(&mut self, key: KeyEvent) -> Option<Command> {
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

    /// A key through the key map; an unmapped one types in the form's focused text field.
    fn key(&mut self, key: KeyEvent) -> Option<Command> {
        if let Some(action) = keymap(self.context(), key) {
            self.flash = None;
            return self.on_action(action);
        }
        // Only the form's text fields take unmapped keys.
        if self.overlay == Overlay::None && self.view == View::Form && self.pane == Pane::Form {
            self.flash = None;
            self.dirty = self.form.input(key) || self.form.focus().is_text();
        } else {
            self.dirty = false;
        }
        None
    }

    fn paste(&mut self, text: &str) {
        if let Overlay::SignIn(dialog) = &mut self.overlay {
            dialog.paste(text);
        } else if self.overlay == Overlay::None
            && self.view == View::Form
            && self.pane == Pane::Form
        {
            self.form.paste(text);
        }
    }

    fn connected(&mut self, result: Result<Option<DemoInfo>, String>) {
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
    }

    fn exported(&mut self, result: Result<Vec<PathBuf>, String>) {
        match result {
            Ok(paths) => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                self.flash = Some((FlashKind::Info, format!("exported {}", names.join(", "))));
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
    }

    fn history_loaded(&mut self, entries: Vec<PastCall>) {
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
    }

    fn new_session(&mut self, info: SessionInfo) {
        if let Some(number) = &info.via_phone {
            self.form.prefill_phone(number);
        }
        self.session = info;
        self.profile_tried = None;
        self.signin = SignInState::NotYet;
        // The simulator's contacts come back with its `Connected`, if it is one.
        self.demo = None;
        self.form.directory.clear();
    }
}
