//! How a call ends: cancelling while it rings, talking until the end is asked for or seen,
//! hanging up, closing the application, and the clean-up after a panic. Part of the flow
//! in `call::session` (its lifecycle diagram is there).

use super::follow::HangUp;
use super::*;
use crate::call::HangUpTrouble;

impl Flow {
    /// Deletes the application of a session we opened, within the clean-up budget.
    pub(super) async fn close(&mut self) {
        let Some(session) = self.session.clone() else {
            return;
        };
        if session.application().is_none() {
            return;
        }
        self.send(CallUpdate::StepStarted(Step::DeleteApplication));
        let clock = Instant::now();
        let until = self.delete_deadline();
        match session.close_by(until).await {
            Ok(()) => self.finished(Step::DeleteApplication, clock.elapsed()),
            Err(Some(e)) => self.notice(CallNotice::DeleteFailed(e)),
            Err(None) => self.notice(CallNotice::DeleteUnanswered {
                bound: CLEANUP_BOUND,
            }),
        }
    }

    /// Sends the cancel of the ringing invitation (bounded by `END_CALL_BOUND`): its
    /// `cancel` link, read afresh from the invitation if no event brought it. The wait for
    /// its effect is the `cancelling` phase of the loop in `follow.rs`. Returns what went
    /// wrong (also sent as a notice); `None` when the server accepted the cancel.
    pub(super) async fn send_cancel(&mut self, client: &Arc<Client>) -> Option<CallNotice> {
        self.tracker.phase = Phase::Cancelling;
        self.send(CallUpdate::StepStarted(Step::Cancel));
        let until = self.end_call_deadline();
        let cancel_href = match self.tracker.links.cancel.clone() {
            Some(href) => Some(href),
            None => match &self.tracker.invitation {
                Some(inv) => timeout_at(
                    until,
                    client.get_resource(inv.as_str(), Action::ReadingInvitation),
                )
                .await
                .ok()
                .and_then(Result::ok)
                .and_then(|r| r.link("cancel").map(str::to_string)),
                None => None,
            },
        };
        let trouble = match cancel_href {
            None => CallNotice::NoCancelLink,
            Some(href) => {
                let cancelling = client.post(&href, None, Action::CancellingInvitation);
                match timeout_at(until, cancelling).await {
                    Ok(Ok(_)) => return None,
                    Ok(Err(e)) => CallNotice::CancelRefused(e),
                    Err(_) => CallNotice::CancelUnanswered,
                }
            }
        };
        self.notice(trouble.clone());
        Some(trouble)
    }

    /// Tells the front-end whether hold and resume are offered now, when that changed.
    pub(super) fn report_hold_links(&mut self) {
        let now = (
            self.tracker.links.hold.is_some(),
            self.tracker.links.resume.is_some(),
        );
        if self.hold_offered != Some(now) {
            self.hold_offered = Some(now);
            self.send(CallUpdate::HoldOffered {
                hold: now.0,
                resume: now.1,
            });
        }
    }

    /// Puts the connected call on hold or takes it off (`holdPhoneAudio` /
    /// `resumePhoneAudio`, POST with no body, PROTOCOL.md §j), if the modality resource
    /// offers the link now; a refusal or a missing link is a notice, and the call goes on.
    pub(super) async fn hold(&mut self, client: &Arc<Client>, hold: bool) {
        let (link, name) = if hold {
            (self.tracker.links.hold.clone(), self.modality.hold)
        } else {
            (self.tracker.links.resume.clone(), self.modality.resume)
        };
        let (Some(href), Some(name)) = (link, name) else {
            return self.notice(CallNotice::HoldNotOffered {
                hold,
                resource: self.modality.resource,
            });
        };
        let action = if hold {
            Action::HoldingCall { link: name }
        } else {
            Action::ResumingCall { link: name }
        };
        let until = tokio::time::Instant::now() + END_CALL_BOUND;
        match timeout_at(until, client.post(&href, None, action)).await {
            Ok(Ok(_)) => {
                self.send(CallUpdate::Held(hold));
                // The links swap (hold gone, resume offered): read them afresh.
                self.read_media(client, until).await;
                self.report_hold_links();
            }
            Ok(Err(error)) => self.notice(CallNotice::HoldFailed { action, error }),
            Err(_) => self.notice(CallNotice::HoldUnanswered { action }),
        }
    }

    /// Reads the modality resource for its stop link, if no event brought it (bounded).
    pub(super) async fn find_stop_link(&mut self, client: &Client, until: tokio::time::Instant) {
        if self.tracker.links.stop.is_none() {
            self.read_media(client, until).await;
        }
    }

    /// Reads the modality resource (`audioVideo`, `phoneAudio`) for its links: stop, hold,
    /// resume (bounded by `until`; a failure leaves the links as they were).
    pub(super) async fn read_media(&mut self, client: &Client, until: tokio::time::Instant) {
        let Some(media) = self.tracker.links.media.clone() else {
            return;
        };
        let reading = Action::ReadingModality {
            label: self.modality.label,
        };
        if let Ok(Ok(resource)) = timeout_at(until, client.get_resource(&media, reading)).await {
            self.tracker
                .links
                .update_from_media(&resource, self.modality);
        }
    }

    /// Sends the hang-up (bounded by `END_CALL_BOUND`): the modality's stop link
    /// (`stopAudioVideo`, `stopPhoneAudio`), else DELETE the conversation. The wait for the
    /// call to go down is the `hanging up` phase of the loop in `follow.rs`; the application
    /// delete that follows finishes anything left.
    pub(super) async fn send_hang_up(&mut self, client: &Arc<Client>) -> HangUp {
        self.tracker.phase = Phase::HangingUp {
            after_connect: self.tracker.phase.connected(),
        };
        self.send(CallUpdate::StepStarted(Step::HangUp));
        let mut hang_up = HangUp {
            clock: Instant::now(),
            accepted: false,
            troubles: Vec::new(),
        };
        let until = self.end_call_deadline();
        let modality = self.modality;
        let stop = modality.stop;
        self.find_stop_link(client, until).await;
        if let Some(href) = self.tracker.links.stop.clone() {
            let reason = crate::ucwa::resource::Input {
                properties: vec![(
                    "reason".into(),
                    crate::ucwa::resource::Value::text("UserInitiatedAction"),
                )],
                links: Vec::new(),
            };
            let body = modality.stop_takes_reason.then_some(&reason);
            let action = Action::HangingUp { stop };
            let trouble = match timeout_at(until, client.post(&href, body, action)).await {
                Ok(Ok(_)) => {
                    hang_up.accepted = true;
                    None
                }
                Ok(Err(e)) => Some(HangUpTrouble::StopFailed { stop, error: e }),
                Err(_) => Some(HangUpTrouble::StopUnanswered {
                    stop,
                    bound: END_CALL_BOUND,
                }),
            };
            if let Some(trouble) = trouble {
                self.notice(CallNotice::HangUpTrouble(trouble.clone()));
                hang_up.troubles.push(trouble);
            }
        }
        if hang_up.accepted {
            return hang_up;
        }
        if let Some(conversation) = self.tracker.links.conversation.clone() {
            let leaving = client.delete(&conversation, Action::LeavingConversation);
            match timeout_at(until, leaving).await {
                Ok(Ok(_)) => hang_up.accepted = true,
                Ok(Err(e)) => {
                    let trouble = HangUpTrouble::LeaveFailed(e);
                    self.notice(CallNotice::HangUpTrouble(trouble.clone()));
                    hang_up.troubles.push(trouble);
                }
                Err(_) => hang_up.troubles.push(HangUpTrouble::LeaveUnanswered),
            }
        }
        if hang_up.troubles.is_empty() && !hang_up.accepted {
            hang_up.troubles.push(HangUpTrouble::NothingToEnd { stop });
        }
        hang_up
    }

    /// After a panic in the flow: cancel or hang up what is live, delete the application,
    /// all within the clean-up budget.
    pub(super) async fn clean_up_after_panic(&mut self) {
        let Some(client) = self.client.clone() else {
            return;
        };
        let until = self.end_call_deadline();
        let end_call = match self.connected_at {
            Some(_) => self.tracker.links.stop.clone(),
            None => self.tracker.links.cancel.clone(),
        };
        if let Some(href) = end_call {
            let _ = timeout_at(until, client.post(&href, None, Action::EndingCall)).await;
        }
        // A borrowed session is closed too: what the panic left of it is unknown. Its
        // keeper opens a new one for the next call.
        if let Some(session) = self.session.clone() {
            let until = self.delete_deadline();
            let _ = session.close_by(until).await;
        }
    }
}
