//! What each `Action` (a key's meaning, from `action::keymap`) does: overlays and views
//! opened and closed, the y/n answers, hold and hang-up, export, and the moves handed to
//! `navigation.rs`.

use crate::tui::action::Action;
use crate::tui::form::FieldId;
use crate::tui::signin::SignInDialog;

use super::{App, CallRecord, Command, FlashKind, LogKind, Overlay, Pane, View, DETAILED_CALLS};

impl App {
    pub(super) fn on_action(&mut self, action: Action) -> Option<Command> {
        match action {
            Action::Quit => Some(self.quit()),
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
            Action::Doctor => self.toggle_doctor(),
            Action::Yes => self.answer_yes(),
            Action::No => {
                self.answer_no();
                None
            }
            Action::Submit => self.submit(),
            Action::SignIn => {
                self.open_sign_in();
                None
            }
            Action::NextProfile => self.next_profile(),
            Action::NextField | Action::PrevField | Action::ToggleNext | Action::TogglePrev => {
                self.form_move(action);
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
            Action::Escape => self.escape(),
            Action::HoldResume => self.hold_resume(),
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
                self.toggle_wire_log();
                None
            }
            Action::History => {
                self.toggle_history();
                None
            }
            Action::Export => self.export(),
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

    /// Every live call is asked to end; the loop waits for them (bounded) and returns.
    fn quit(&mut self) -> Command {
        self.overlay = Overlay::None;
        self.quitting = true;
        let wall = self.wall;
        for call in self.calls.iter_mut().filter(|c| c.live() && !c.ending) {
            call.ending = true;
            call.log(wall, LogKind::Notice, "quitting: ending the call".into());
        }
        Command::Quit
    }

    /// F12: opens the checklist and starts a new walk, or closes it.
    fn toggle_doctor(&mut self) -> Option<Command> {
        if matches!(self.overlay, Overlay::Doctor(_)) {
            self.overlay = Overlay::None;
            return None;
        }
        self.doctor_run += 1;
        self.overlay = Overlay::Doctor(Box::default());
        Some(Command::Doctor(self.doctor_run))
    }

    /// Yes to the question shown: replace the live call, or call the contact anyway.
    fn answer_yes(&mut self) -> Option<Command> {
        match std::mem::replace(&mut self.overlay, Overlay::None) {
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
        }
    }

    fn answer_no(&mut self) {
        let flash = match std::mem::replace(&mut self.overlay, Overlay::None) {
            Overlay::ConfirmPresence(_) => "not called",
            _ => "not called; the live call goes on",
        };
        self.flash = Some((FlashKind::Info, flash.into()));
    }

    /// F7: the sign-in dialog, where the binary can connect again.
    fn open_sign_in(&mut self) {
        if !self.can_reconnect {
            self.flash = Some((
                FlashKind::Info,
                "signing in again is not available here".into(),
            ));
            return;
        }
        self.overlay = Overlay::SignIn(Box::new(SignInDialog::new(&self.session, &self.profiles)));
    }

    /// F9: connects with the config file's next profile.
    fn next_profile(&mut self) -> Option<Command> {
        if !self.can_reconnect || self.profiles.is_empty() {
            self.flash = Some((
                FlashKind::Info,
                "no profiles to switch to (see assets/config.toml)".into(),
            ));
            return None;
        }
        let mut dialog = SignInDialog::new(&self.session, &self.profiles);
        if let Some(tried) = &self.profile_tried {
            dialog.select_profile(tried);
        }
        dialog.cycle_profile(true);
        if dialog.profile().is_none() {
            dialog.cycle_profile(true);
        }
        self.profile_tried = dialog.profile().map(|p| p.name.clone());
        let request = dialog.request();
        Some(self.reconnect(request))
    }

    /// Focus to the next or previous field; a toggle forward or back.
    fn form_move(&mut self, action: Action) {
        match action {
            Action::NextField => self.form.next(),
            Action::PrevField => self.form.prev(),
            Action::ToggleNext => {
                self.form.toggle(true);
            }
            _ => {
                self.form.toggle(false);
            }
        }
    }

    /// Esc: back to the form, out of the history list, or cancel a ringing call.
    fn escape(&mut self) -> Option<Command> {
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

    /// F11: hold or resume the connected call, when its modality offers it now.
    fn hold_resume(&mut self) -> Option<Command> {
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

    /// F3: the wire log, or back; from the ladder, at the selected row's exchange.
    fn toggle_wire_log(&mut self) {
        if self.view == View::Ladder && self.ladder_sel.is_some() && self.open_selected() {
            return;
        }
        self.view = if self.view == View::WireLog {
            View::Form
        } else {
            View::WireLog
        };
    }

    /// F4: keys to the history list (newest call selected), or back to the form.
    fn toggle_history(&mut self) {
        if self.calls.is_empty() && self.past.is_empty() {
            self.flash = Some((FlashKind::Info, "no calls yet".into()));
            return;
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
    }

    /// F5: the shown call's files, if it has anything to write and still keeps it.
    fn export(&mut self) -> Option<Command> {
        match self.shown_call() {
            Some(c) if c.released => {
                self.flash = Some((
                    FlashKind::Info,
                    format!("call #{} is older than the last {DETAILED_CALLS}: its wire log was let go (only its summary is kept)", c.id),
                ));
                None
            }
            Some(c) if !c.wire.is_empty() || !c.events.is_empty() => Some(Command::Export(c.id)),
            _ => {
                self.flash = Some((FlashKind::Info, "nothing to export yet".into()));
                None
            }
        }
    }
}
