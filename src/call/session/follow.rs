//! Following a placed call to its end: one loop that waits on "events / end requested /
//! deadline" and hands each wake to the rule of the phase the call is in. Part of the flow
//! in `call::session` (its lifecycle diagram and the event-channel rule are there).
//!
//! | phase       | listens to                 | its deadline           | events first |
//! |-------------|----------------------------|------------------------|--------------|
//! | ringing     | events, End, the GET grace | `--timeout`            | no           |
//! | in call     | events, End, Hold/Resume   | `hangup_after`, if any | no           |
//! | cancelling  | events                     | `END_CALL_BOUND`       | yes          |
//! | hanging up  | events                     | `END_CALL_BOUND`       | yes          |
//!
//! "Events first": once the cancel or hang-up is sent, events that came meanwhile are read
//! before the deadline is judged, even when it passed meanwhile: they may show the call end.

use super::*;
use crate::call::HangUpTrouble;

/// What woke the flow.
// Moved once per wake and never stored in bulk: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Wake {
    /// A message of the event pump; `None`: the channel closed.
    Events(Option<PumpMessage>),
    /// The user asked for something (End, Hold, Resume).
    Control(CallControl),
    /// The phase's deadline passed.
    Deadline,
    /// The invitation's GET copy waited long enough for the events that were on their way.
    SnapshotDue,
}

/// What a wake leads to.
// Moved once per wake and never stored in bulk: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Next {
    Wait,
    Done(Result<FinalState, Stop>),
}

/// How the call ends once the cancel or hang-up in progress is over.
// Moved once per wake and never stored in bulk: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Then {
    /// Cancelled, for this reason (even if the answer raced the cancel and was hung up).
    Cancelled(CancelReason),
    /// Report this failure (the event channel failed; the call was ended first).
    Fail(Stop),
    /// We hung up the connected call: ended by us if confirmed, else possibly still up.
    HungUp,
}

/// A hang-up on its way: what was sent, and what went wrong (for the unconfirmed notice).
pub(super) struct HangUp {
    pub(super) clock: Instant,
    /// The server accepted the stop request or the conversation's DELETE.
    pub(super) accepted: bool,
    pub(super) troubles: Vec<HangUpTrouble>,
}

/// The state of the loop that is not the call's own.
struct Follow {
    /// `--timeout`, counted from the start of set-up: bounds the ringing.
    ring_deadline: tokio::time::Instant,
    ring_clock: Instant,
    /// When the connected call is hung up (`hangup_after`).
    hang_up_at: Option<tokio::time::Instant>,
    /// Set when cancelling began (the step ends when the whole ending does).
    cancel_clock: Option<Instant>,
    /// What went wrong with the cancel request (`None`: the server accepted it).
    cancel_trouble: Option<CallNotice>,
    /// An event showed the invitation end (or connect) after the cancel went out.
    cancel_confirmed: bool,
    hang_up: Option<HangUp>,
    then: Option<Then>,
}

impl Flow {
    /// From the application to the end of the call: invite, ring, talk, end.
    pub(super) async fn call(
        &mut self,
        session: &Session,
        call: &ValidCall,
        options: CallOptions,
        deadline: tokio::time::Instant,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
    ) -> Result<FinalState, Stop> {
        let client = session.client().clone();
        let client = &client;
        let links = session.links();
        self.send(CallUpdate::Offered(links.offered()));
        let Some(start_href) = links.start(self.modality) else {
            return Err(Stop::Error(not_offered(self.modality, &links)));
        };
        // Subscribed before the POST: the events of this call may come before its 201.
        let mut events = session.subscribe();
        self.tracker.base = client.base();
        self.tracker.phase = Phase::Placing;
        let invitation = self
            .post_start(client, &start_href, call, options, deadline, control)
            .await?;
        self.tracker.invitation = Some(invitation.clone());
        self.tracker.phase = Phase::Ringing;
        self.send(CallUpdate::InvitationCreated {
            href: invitation.to_string(),
            operation_id: self.operation_id.clone(),
        });
        self.send(CallUpdate::StepStarted(Step::Ring));
        let mut follow = Follow {
            ring_deadline: deadline,
            ring_clock: Instant::now(),
            hang_up_at: None,
            cancel_clock: None,
            cancel_trouble: None,
            cancel_confirmed: false,
            hang_up: None,
            then: None,
        };
        if let Next::Done(result) = self
            .first_look(
                client,
                &invitation,
                &mut events,
                control,
                &mut follow,
                options,
            )
            .await
        {
            return result;
        }
        loop {
            let wake = self.wait(&mut events, control, &mut follow).await;
            if let Next::Done(result) = self.on_wake(client, wake, &mut follow, options).await {
                return result;
            }
        }
    }

    /// Events the server sent before the 201 reached us are older than a fresh copy of the
    /// invitation: they are handled first, then the invitation is read (its state reported
    /// after the events on their way: see `SNAPSHOT_GRACE`).
    async fn first_look(
        &mut self,
        client: &Arc<Client>,
        invitation: &url::Url,
        events: &mut mpsc::UnboundedReceiver<PumpMessage>,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
        follow: &mut Follow,
        options: CallOptions,
    ) -> Next {
        while self.tracker.phase == Phase::Ringing {
            let Ok(message) = events.try_recv() else {
                break;
            };
            let wake = Wake::Events(Some(message));
            if let Next::Done(result) = self.on_wake(client, wake, follow, options).await {
                return Next::Done(result);
            }
        }
        if self.tracker.phase != Phase::Ringing {
            return Next::Wait;
        }
        let read = client.get_resource(invitation.as_str(), Action::ReadingInvitation);
        tokio::select! {
            r = read => match r {
                Ok(resource) => {
                    self.tracker.links.update_from_invitation(&resource, self.modality);
                    self.snapshot_state = self.tracker.links.state.clone();
                }
                // A fast call may be over (404) before we look: the events tell the rest.
                Err(e) => self.notice(CallNotice::InvitationUnread(e)),
            },
            Some(CallControl::End) = control.recv() => {
                self.begin_cancel(client, follow, Then::Cancelled(CancelReason::WhileRinging)).await;
            }
            _ = sleep_until(follow.ring_deadline) => {}
        }
        Next::Wait
    }

    /// Waits for whatever the current phase listens to (the table at the top).
    async fn wait(
        &mut self,
        events: &mut mpsc::UnboundedReceiver<PumpMessage>,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
        follow: &mut Follow,
    ) -> Wake {
        let (deadline, listens) = match self.tracker.phase {
            Phase::InCall => (follow.hang_up_at, true),
            Phase::Cancelling | Phase::HangingUp { .. } => (Some(self.end_call_deadline()), false),
            _ => (Some(follow.ring_deadline), true),
        };
        let events_first = !listens;
        let snapshot = self.snapshot_state.is_some() && self.tracker.phase == Phase::Ringing;
        let deadline = async {
            match deadline {
                Some(at) => sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        if events_first {
            tokio::select! {
                biased;
                message = events.recv() => Wake::Events(message),
                _ = deadline => Wake::Deadline,
            }
        } else {
            tokio::select! {
                message = events.recv() => Wake::Events(message),
                Some(c) = control.recv() => Wake::Control(c),
                _ = deadline => Wake::Deadline,
                _ = tokio::time::sleep(SNAPSHOT_GRACE), if snapshot => Wake::SnapshotDue,
            }
        }
    }

    /// Hands a wake to the rule of the current phase.
    async fn on_wake(
        &mut self,
        client: &Arc<Client>,
        wake: Wake,
        follow: &mut Follow,
        options: CallOptions,
    ) -> Next {
        match self.tracker.phase {
            Phase::InCall => self.in_call(client, wake, follow).await,
            Phase::Cancelling => self.cancelling(client, wake, follow).await,
            Phase::HangingUp { .. } => self.hanging_up(wake, follow),
            _ => self.ringing(client, wake, follow, options).await,
        }
    }

    /// Ringing: a verdict connects or fails the call; End or `--timeout` cancels it; the
    /// event channel failing cancels it too (it may still ring), then fails with the
    /// channel's error, except 404 ApplicationNotFound (the application is re-created).
    async fn ringing(
        &mut self,
        client: &Arc<Client>,
        wake: Wake,
        follow: &mut Follow,
        options: CallOptions,
    ) -> Next {
        let why = match wake {
            Wake::SnapshotDue => {
                self.report_snapshot();
                return Next::Wait;
            }
            Wake::Events(message) => {
                let result = self.on_pump(client, message).await;
                self.report_snapshot();
                match result {
                    Ok(None) => return Next::Wait,
                    Ok(Some(RingEnd::Connected)) => {
                        self.finished(Step::Ring, follow.ring_clock.elapsed());
                        return self.connect(client, follow, options).await;
                    }
                    Ok(Some(RingEnd::Failed(error))) => {
                        self.finished(Step::Ring, follow.ring_clock.elapsed());
                        return Next::Done(Err(Stop::Error(error)));
                    }
                    Err(stop @ Stop::Error(_)) => {
                        self.begin_cancel(client, follow, Then::Fail(stop)).await;
                        return Next::Wait;
                    }
                    Err(other) => return Next::Done(Err(other)),
                }
            }
            Wake::Control(CallControl::End) => CancelReason::WhileRinging,
            // Nothing to hold yet.
            Wake::Control(CallControl::Hold | CallControl::Resume) => return Next::Wait,
            Wake::Deadline => CancelReason::Unanswered {
                timeout: options.timeout,
            },
        };
        self.begin_cancel(client, follow, Then::Cancelled(why))
            .await;
        Next::Wait
    }

    /// The call connected: from now on only `hangup_after` or the user bounds it.
    async fn connect(
        &mut self,
        client: &Arc<Client>,
        follow: &mut Follow,
        options: CallOptions,
    ) -> Next {
        self.connected_at = Some(Instant::now());
        self.tracker.phase = Phase::InCall;
        // --timeout bounds the set-up only; the call itself may last any time.
        client.set_deadline(None);
        self.send(CallUpdate::StepStarted(Step::InCall));
        // The far end may have hung up in the very batch that connected the call.
        if self.tracker.far_end_gone {
            return self.call_over(Ok(FinalState::Ended(EndedBy::Remote)));
        }
        follow.hang_up_at = options
            .hangup_after
            .map(|d| tokio::time::Instant::now() + d);
        // A call that can be held: learn its hold link now, unless it ends at once.
        let stays = options.hangup_after != Some(Duration::ZERO);
        if stays && self.modality.hold.is_some() && self.tracker.links.hold.is_none() {
            let until = tokio::time::Instant::now() + END_CALL_BOUND;
            self.read_media(client, until).await;
        }
        self.report_hold_links();
        Next::Wait
    }

    /// In call: the far end hanging up (or the server resetting after a silence) ends it;
    /// End or `hangup_after` hangs up; the event channel failing hangs up first (so the far
    /// end is not left on the line), then fails with the channel's error, except the server
    /// ending the application, which counts as "they hung up".
    async fn in_call(&mut self, client: &Arc<Client>, wake: Wake, follow: &mut Follow) -> Next {
        match wake {
            Wake::Events(Some(Ok(page))) => {
                if self.on_page(&page).disconnected || page.is_resume() {
                    return self.call_over(Ok(FinalState::Ended(EndedBy::Remote)));
                }
                self.report_hold_links();
            }
            Wake::Events(Some(Err(e))) if e.is_application_gone() => {
                self.notice(CallNotice::ApplicationEnded(e));
                return self.call_over(Ok(FinalState::Ended(EndedBy::Remote)));
            }
            Wake::Events(Some(Err(e))) => {
                self.begin_hang_up(client, follow, Then::Fail(e.into()))
                    .await
            }
            Wake::Events(None) => {
                let stop = Stop::Error(channel_closed());
                self.begin_hang_up(client, follow, Then::Fail(stop)).await
            }
            Wake::Control(CallControl::End) | Wake::Deadline => {
                self.begin_hang_up(client, follow, Then::HungUp).await
            }
            Wake::Control(c @ (CallControl::Hold | CallControl::Resume)) => {
                self.hold(client, c == CallControl::Hold).await
            }
            Wake::SnapshotDue => {}
        }
        Next::Wait
    }

    /// Cancelling: wait (events first) for the invitation to complete; if the answer raced
    /// the cancel and the call connected, hang it up. A failed or closed channel, or the
    /// deadline, ends the wait; the outcome stands.
    async fn cancelling(&mut self, client: &Arc<Client>, wake: Wake, follow: &mut Follow) -> Next {
        if let Wake::Events(message) = wake {
            match self.on_pump(client, message).await {
                Ok(None) => return Next::Wait,
                Ok(Some(RingEnd::Connected)) => {
                    follow.cancel_confirmed = true;
                    self.notice(CallNotice::AnsweredWhileCancelling);
                    // Hung up, and the call still ends as the cancel decided (`then` stays).
                    follow.hang_up = Some(self.send_hang_up(client).await);
                    return Next::Wait;
                }
                Ok(Some(_)) => follow.cancel_confirmed = true,
                Err(_) => {}
            }
        }
        self.ending_over(follow)
    }

    /// Hanging up: wait (events first) for an event showing the call go down. Anything else
    /// from the channel, or the deadline, ends the wait; the outcome stands.
    fn hanging_up(&mut self, wake: Wake, follow: &mut Follow) -> Next {
        if let Wake::Events(Some(Ok(page))) = &wake {
            if !self.on_page(page).disconnected {
                return Next::Wait;
            }
        }
        let Some(hang_up) = follow.hang_up.take() else {
            return self.ending_over(follow);
        };
        let confirmed = hang_up.accepted || self.tracker.far_end_gone;
        let unconfirmed = if confirmed {
            self.finished(Step::HangUp, hang_up.clock.elapsed());
            None
        } else {
            self.left_a_call_behind = true;
            let notice = CallNotice::HangUpUnconfirmed(hang_up.troubles);
            let why = notice.to_string();
            self.notice(notice);
            Some(why)
        };
        if let Some(Then::HungUp) = follow.then {
            follow.then = None;
            return self.call_over(match unconfirmed {
                None => Ok(FinalState::Ended(EndedBy::Local)),
                // The call may still be up: report it as last known, with why.
                Some(why) => Err(Stop::StillConnected(CallError::new(
                    ErrorKind::Network,
                    why,
                ))),
            });
        }
        self.ending_over(follow)
    }

    /// The cancel (and a hang-up after it) or the hang-up after a channel failure is over:
    /// the outcome decided when it began.
    fn ending_over(&mut self, follow: &mut Follow) -> Next {
        // A cancel neither accepted by the server nor shown by an event: the invitation may
        // ring on, or have connected, until the application is deleted.
        let unconfirmed = match (&follow.cancel_trouble, follow.cancel_confirmed) {
            (Some(trouble), false) if follow.cancel_clock.is_some() => Some(trouble.clone()),
            _ => None,
        };
        if let Some(clock) = follow.cancel_clock.take() {
            self.finished(Step::Cancel, clock.elapsed());
        }
        if unconfirmed.is_some() {
            self.left_a_call_behind = true;
        }
        Next::Done(match follow.then.take() {
            Some(Then::Cancelled(why)) => match unconfirmed {
                None => Err(Stop::Cancelled(why)),
                Some(trouble) => Err(Stop::Error(CallError::new(
                    ErrorKind::Network,
                    format!("{why}, but the cancel was not confirmed ({trouble}) and no event showed the invitation end: it may have rung on or connected until the application was deleted"),
                ))),
            },
            Some(Then::Fail(stop)) => Err(stop),
            // Not reached: every cancel and hang-up sets `then`, and a hang-up of ours is
            // over through `hanging_up`. Counted as ended by the user, the safe reading.
            Some(Then::HungUp) | None => Err(Stop::Cancelled(CancelReason::WhileRinging)),
        })
    }

    /// The connected call is over: the in-call step ends with how long it lasted.
    fn call_over(&mut self, result: Result<FinalState, Stop>) -> Next {
        let talked = self.end_talk();
        self.finished(Step::InCall, talked);
        Next::Done(result)
    }

    /// Starts cancelling (see `end.rs`) and remembers how the call then ends.
    async fn begin_cancel(&mut self, client: &Arc<Client>, follow: &mut Follow, then: Then) {
        follow.cancel_clock = Some(Instant::now());
        follow.then = Some(then);
        follow.cancel_trouble = self.send_cancel(client).await;
    }

    /// Starts hanging up (see `end.rs`) and remembers how the call then ends.
    async fn begin_hang_up(&mut self, client: &Arc<Client>, follow: &mut Follow, then: Then) {
        if self.tracker.phase == Phase::InCall {
            self.end_talk();
        }
        follow.then = Some(then);
        follow.hang_up = Some(self.send_hang_up(client).await);
    }
}
