//! Placing and ending calls: the form checked on submit, the questions asked first (another
//! call live, a contact who will not answer), the call recorded and handed to the loop.

use crate::call::ValidCall;
use crate::tui::session::ConnectRequest;
use crate::tui::wire::WireDoc;
use crate::ucwa::people::Person;
use crate::ucwa::Format;

use super::{App, CallRecord, Command, ConnState, FlashKind, LogKind, Overlay, Pane, SignInState};

impl App {
    pub(super) fn submit(&mut self) -> Option<Command> {
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
    pub(super) fn place(&mut self, call: ValidCall, format: Format) -> Option<Command> {
        if self.live_call().is_some() {
            self.overlay = Overlay::ConfirmReplace(Box::new((call, format)));
            return None;
        }
        Some(self.start(call, format))
    }

    /// Records a new call and asks the loop to start it.
    pub(super) fn start(&mut self, call: ValidCall, format: Format) -> Command {
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
    pub(super) fn end_live(&mut self, why: &str) -> Option<Command> {
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
    pub(super) fn reconnect(&mut self, request: ConnectRequest) -> Command {
        let what = match &request.profile {
            Some(p) => format!("profile {p}"),
            None => "no profile".to_string(),
        };
        self.flash = Some((FlashKind::Info, format!("connecting ({what})…")));
        self.conn = ConnState::Starting;
        self.signin = SignInState::NotYet;
        Command::Reconnect(request)
    }
}

impl App {
    /// On quitting: each call that may still be up, in one line: its hang-up was not
    /// confirmed (it ended `Connected`), or it was still ending (`unfinished`) when the
    /// quit's grace ran out. Empty when every call ended as it should.
    pub fn left_up(&self, unfinished: &[super::CallId]) -> Vec<String> {
        self.calls
            .iter()
            .filter_map(|c| {
                let to = &c.request.to;
                if unfinished.contains(&c.id) {
                    return Some(format!(
                        "the call to {to} was still ending {} after quitting: it may still be up until the server ends the application",
                        crate::seconds::format_seconds(crate::tui::QUIT_GRACE)
                    ));
                }
                let outcome = c.outcome.as_ref()?;
                (outcome.state == crate::call::FinalState::Connected).then(|| {
                    let why = outcome.error.as_ref().map(|e| e.message.as_str());
                    format!(
                        "the call to {to} may still be up: {}",
                        why.unwrap_or("its hang-up was not confirmed")
                    )
                })
            })
            .collect()
    }
}
