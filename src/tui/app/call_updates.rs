//! What a call's `CallUpdate`s change on screen: its step and log, its wire log and ladder
//! (kept in request order), its events and the Call via Work legs they tell, its outcome;
//! and letting go of old calls' detail.

use std::time::{Instant, SystemTime};

use crate::call::{
    CallOutcome, CallUpdate, EventNote, FinalState, InvitationState, OperationStatus, Step,
};
use crate::tui::ladder::{event_summary, ladder_rows, LadderRow};
use crate::tui::wire::WireDoc;
use crate::ucwa::modality::PHONE_AUDIO;
use crate::ucwa::transport::WireRecord;

use super::{App, CallId, CallRecord, LogKind, SignInState, DETAILED_CALLS};

impl App {
    pub(super) fn on_call_update(&mut self, id: CallId, update: CallUpdate) {
        // Where server text enters the screen's state: made safe once, here.
        let update = crate::sanitize::sanitize_update(update);
        let (now, wall) = (self.now, self.wall);
        let Some(call) = self.call_mut(id) else {
            return;
        };
        match update {
            CallUpdate::StepStarted(step) => {
                call.step = Some(step);
                if step == Step::InCall {
                    call.mark_connected(now, wall);
                }
            }
            CallUpdate::StepFinished { step, elapsed } => {
                call.log(
                    wall,
                    LogKind::Step,
                    format!("{} · {} ms", step.label(), elapsed.as_millis()),
                );
                if step == Step::SignIn {
                    self.signin = SignInState::SignedIn;
                }
            }
            CallUpdate::Notice(notice) => {
                let text = crate::sanitize::notice_text(&notice);
                call.notes.push(text.clone());
                call.log(wall, LogKind::Notice, text);
            }
            CallUpdate::Wire(record) => call.add_exchange(record),
            CallUpdate::Event(note) => call.add_event(note),
            CallUpdate::InvitationCreated { href, operation_id } => {
                call.log(wall, LogKind::Notice, format!("invitation {href}"));
                call.invitation = Some(href);
                call.operation_id = operation_id;
            }
            CallUpdate::InvitationState(state) => {
                if state == InvitationState::Connected {
                    call.mark_connected(now, wall);
                }
                call.invitation_state = Some(state);
            }
            CallUpdate::Offered(offered) => self.form.set_offered(offered),
            CallUpdate::Held(held) => {
                call.held = held;
                let text = if held { "on hold" } else { "resumed: off hold" };
                call.log(wall, LogKind::Done, text.into());
            }
            CallUpdate::HoldOffered { hold, resume } => call.hold_offered = (hold, resume),
            CallUpdate::MediaAnswer(sdp) => call.log_media_answer(wall, &sdp),
            CallUpdate::Finished(outcome) => {
                if let Some(failure) = call.finish(now, wall, outcome) {
                    self.signin = SignInState::Failed(failure);
                }
                self.release_old_detail();
            }
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
}

impl CallRecord {
    /// The first sign of connection (the InCall step or the invitation's state) counts.
    fn mark_connected(&mut self, now: Instant, wall: SystemTime) {
        if self.connected_at.is_none() {
            self.connected_at = Some(now);
            self.log(wall, LogKind::Done, "connected".into());
        }
    }

    /// Exchanges are kept in the order their requests started (a long poll is recorded when
    /// it ends, after the requests it overlapped).
    fn add_exchange(&mut self, record: WireRecord) {
        let key = (record.started, record.seq);
        let at = self.wire.partition_point(|r| (r.started, r.seq) <= key);
        if at == self.wire.len() {
            self.wire_doc.push(&record, self.started_wall);
            self.wire.push(record);
        } else {
            self.wire.insert(at, record);
            self.wire_doc = WireDoc::default();
            for r in &self.wire {
                self.wire_doc.push(r, self.started_wall);
            }
        }
        self.ladder = ladder_rows(&self.wire, &self.events);
        name_legs(&mut self.ladder, &self.legs);
    }

    fn add_event(&mut self, note: EventNote) {
        let kind = if note.status == Some(OperationStatus::Failure) {
            LogKind::EventFailure
        } else {
            LogKind::Event
        };
        self.log(note.at, kind, event_summary(&note));
        if let Some(leg) = self
            .phone_leg(&note)
            .filter(|l| self.leg.as_ref() != Some(l))
        {
            self.log(note.at, LogKind::Notice, leg.clone());
            self.legs.push((self.events.len(), leg.clone()));
            self.leg = Some(leg);
        }
        self.events.push(note);
        self.ladder = ladder_rows(&self.wire, &self.events);
        name_legs(&mut self.ladder, &self.legs);
    }

    /// Call via Work: the leg an event of the phone invitation tells (your phone, then the
    /// contact), in words.
    fn phone_leg(&self, note: &EventNote) -> Option<String> {
        let number = self
            .request
            .via_phone
            .as_deref()
            .and_then(|n| crate::call::request::check_phone_number(n).ok());
        match (&number, &note.state) {
            (Some(n), Some(state)) if note.rel == PHONE_AUDIO.invitation => {
                let to = crate::call::request::contact_uri(&self.request.to);
                crate::call::phone_leg(state, n, &to)
            }
            _ => None,
        }
    }

    fn log_media_answer(&mut self, wall: SystemTime, sdp: &str) {
        let offer = self
            .request
            .media_offer
            .as_ref()
            .and_then(|p| crate::call::request::read_media_offer(p).ok())
            .map(|o| o.body);
        let answer = crate::call::answer::summarise(sdp, offer.as_deref());
        self.log(
            wall,
            LogKind::Notice,
            format!("media answer: {}", answer.line()),
        );
    }

    /// Records the outcome; returns the error's words when the call failed while
    /// discovering or signing in (the session's sign-in failed).
    fn finish(&mut self, now: Instant, wall: SystemTime, outcome: CallOutcome) -> Option<String> {
        self.finished_at = Some(now);
        if self.invitation.is_none() {
            self.invitation = outcome.invitation.clone();
        }
        let (kind, text) = match (&outcome.error, outcome.state) {
            (Some(e), _) => (
                LogKind::Error,
                format!("{}: {}", outcome.state.label(), e.message),
            ),
            (None, FinalState::Failed) => (LogKind::Error, "Failed".to_string()),
            (None, state) => (LogKind::Done, state.label().to_string()),
        };
        let failed_signing_in = matches!(self.step, Some(Step::Discover | Step::SignIn));
        let failure = outcome
            .error
            .as_ref()
            .filter(|_| failed_signing_in)
            .map(|e| e.message.clone());
        self.log(wall, kind, text);
        self.outcome = Some(outcome);
        failure
    }
}

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
