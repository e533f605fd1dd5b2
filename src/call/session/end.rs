//! How a call ends: cancelling while it rings, talking until the end is asked for or seen,
//! hanging up, closing the application, and the clean-up after a panic. Part of the flow
//! in `call::session` (its lifecycle diagram is there).

use super::*;

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

    /// Cancels the ringing invitation and waits (bounded) for its `completed`. If the
    /// answer raced the cancel and the call connected, it is hung up.
    pub(super) async fn cancel(
        &mut self,
        client: &Arc<Client>,
        events: &mut mpsc::UnboundedReceiver<PumpMessage>,
        why: CancelReason,
    ) -> Result<RingEnd, Stop> {
        self.tracker.phase = Phase::Cancelling;
        self.send(CallUpdate::StepStarted(Step::Cancel));
        let clock = Instant::now();
        let until = self.end_call_deadline();
        let cancel_href = match self.tracker.links.cancel.clone() {
            Some(href) => Some(href),
            None => match &self.tracker.invitation {
                Some(inv) => timeout_at(
                    until,
                    client.get_resource(inv.as_str(), "reading the invitation"),
                )
                .await
                .ok()
                .and_then(Result::ok)
                .and_then(|r| r.link("cancel").map(str::to_string)),
                None => None,
            },
        };
        match cancel_href {
            Some(href) => {
                match timeout_at(
                    until,
                    client.post(&href, None, Action::CancellingInvitation),
                )
                .await
                {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => self.notice(CallNotice::CancelRefused(e)),
                    Err(_) => self.notice(CallNotice::CancelUnanswered),
                }
            }
            None => self.notice(CallNotice::NoCancelLink),
        }
        let wait_until = until;
        loop {
            tokio::select! {
                // Events that came while the cancel was on its way go first, even when
                // the deadline has passed meanwhile.
                biased;
                message = events.recv() => match self.on_pump(client, message).await {
                    Ok(Some(RingEnd::Connected)) => {
                        self.notice(CallNotice::AnsweredWhileCancelling);
                        let _ = self.hang_up(client, events).await;
                        break;
                    }
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) => {}
                },
                _ = sleep_until(wait_until) => break,
            }
        }
        self.finished(Step::Cancel, clock.elapsed());
        Ok(RingEnd::Cancelled(why))
    }

    /// The connected call: until the far end hangs up, `hangup_after` passes, or the user
    /// ends it.
    pub(super) async fn talk(
        &mut self,
        client: &Arc<Client>,
        events: &mut mpsc::UnboundedReceiver<PumpMessage>,
        options: CallOptions,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
    ) -> Result<CallEnd, Stop> {
        let hang_up_at = options
            .hangup_after
            .map(|d| tokio::time::Instant::now() + d);
        loop {
            tokio::select! {
                message = events.recv() => {
                    let page = match message {
                        Some(Ok(page)) => page,
                        Some(Err(e)) if e.is_application_gone() => {
                            self.notice(CallNotice::ApplicationEnded(e));
                            return Ok(CallEnd::Remote);
                        }
                        // The event channel failed for good: hang up before the
                        // application is deleted, so the far end is not left on the line.
                        Some(Err(e)) => {
                            let _ = self.hang_up(client, events).await;
                            return Err(e.into());
                        }
                        None => {
                            let _ = self.hang_up(client, events).await;
                            return Err(Stop::Error(channel_closed()));
                        }
                    };
                    if self.on_page(&page).disconnected || page.is_resume() {
                        return Ok(CallEnd::Remote);
                    }
                }
                Some(CallControl::End) = control.recv() => break,
                _ = async { sleep_until(hang_up_at.unwrap_or_else(tokio::time::Instant::now)).await }, if hang_up_at.is_some() => break,
            }
        }
        Ok(match self.hang_up(client, events).await {
            Ok(()) => CallEnd::HungUp,
            Err(why) => CallEnd::Unconfirmed(why),
        })
    }

    /// Reads the modality resource for its stop link, if no event brought it (bounded).
    pub(super) async fn find_stop_link(&mut self, client: &Client, until: tokio::time::Instant) {
        if self.tracker.links.stop.is_some() {
            return;
        }
        if let Some(media) = self.tracker.links.media.clone() {
            let reading = Action::ReadingModality {
                label: self.modality.label,
            };
            if let Ok(Ok(resource)) = timeout_at(until, client.get_resource(&media, reading)).await
            {
                self.tracker
                    .links
                    .update_from_media(&resource, self.modality);
            }
        }
    }

    /// Hangs up: the modality's stop link (`stopAudioVideo`), else DELETE the conversation; waits (bounded) for the
    /// call to go down. The application delete that follows finishes anything left.
    /// Confirmed when the server accepted the hang-up request or an event showed the call
    /// go down; otherwise `Err` says what happened (the step is then not marked done).
    pub(super) async fn hang_up(
        &mut self,
        client: &Arc<Client>,
        events: &mut mpsc::UnboundedReceiver<PumpMessage>,
    ) -> Result<(), String> {
        self.tracker.phase = Phase::HangingUp {
            after_connect: self.tracker.phase.connected(),
        };
        self.send(CallUpdate::StepStarted(Step::HangUp));
        let clock = Instant::now();
        let until = self.end_call_deadline();
        let modality = self.modality;
        let stop_name = modality.stop;
        self.find_stop_link(client, until).await;
        let mut done = false;
        let mut unanswered = Vec::new();
        if let Some(stop) = self.tracker.links.stop.clone() {
            let reason = crate::ucwa::resource::Input {
                properties: vec![(
                    "reason".into(),
                    crate::ucwa::resource::Value::text("UserInitiatedAction"),
                )],
                links: Vec::new(),
            };
            let body = modality.stop_takes_reason.then_some(&reason);
            let hanging_up = Action::HangingUp { stop: stop_name };
            match timeout_at(until, client.post(&stop, body, hanging_up)).await {
                Ok(Ok(_)) => done = true,
                Ok(Err(e)) => {
                    self.send(CallUpdate::Notice(format!(
                        "{stop_name} failed ({e}); leaving the conversation instead"
                    )));
                    unanswered.push(format!("{stop_name} failed ({e})"));
                }
                Err(_) => {
                    self.send(CallUpdate::Notice(format!(
                        "{stop_name} got no answer in time"
                    )));
                    unanswered.push(format!(
                        "{stop_name} got no answer within {} s",
                        END_CALL_BOUND.as_secs()
                    ));
                }
            }
        }
        if !done {
            if let Some(conversation) = self.tracker.links.conversation.clone() {
                match timeout_at(
                    until,
                    client.delete(&conversation, Action::LeavingConversation),
                )
                .await
                {
                    Ok(Ok(_)) => done = true,
                    Ok(Err(e)) => {
                        self.send(CallUpdate::Notice(format!(
                            "leaving the conversation failed: {e}"
                        )));
                        unanswered.push(format!("leaving the conversation failed ({e})"));
                    }
                    Err(_) => unanswered.push("leaving the conversation got no answer".into()),
                }
            }
        }
        let wait_until = until;
        loop {
            tokio::select! {
                // Events that came while the hang-up was on its way go first, even when
                // the deadline has passed meanwhile: they may show the far end gone.
                biased;
                message = events.recv() => match message {
                    Some(Ok(page)) => {
                        if self.on_page(&page).disconnected { break; }
                    }
                    _ => break,
                },
                _ = sleep_until(wait_until) => break,
            }
        }
        if done || self.tracker.far_end_gone {
            self.finished(Step::HangUp, clock.elapsed());
            return Ok(());
        }
        if unanswered.is_empty() {
            unanswered.push(format!(
                "the call offers neither {stop_name} nor a conversation to leave"
            ));
        }
        let why = format!(
            "the hang-up was not confirmed: {}, and no event showed the call end; it may still be up until the application is deleted",
            unanswered.join("; ")
        );
        self.send(CallUpdate::Notice(why.clone()));
        Err(why)
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
