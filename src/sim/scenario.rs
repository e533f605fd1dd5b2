//! The life of a call on the simulated server: the events each step raises, in the order
//! PROTOCOL.md §f gives ("The sequence a client sees"), and the task that plays a
//! contact's scenario over time.

use std::time::Duration;

use super::directory::{self, Scenario};
use super::resources::{self as res, CallPaths};
use super::state::{App, Call, InvitationState, Media};
use super::SimState;
use crate::ucwa::modality::PHONE_AUDIO;
use crate::ucwa::resource::{ErrorBody, Event, EventKind, Link, OperationStatus, Resource};

pub(crate) fn event(kind: EventKind, rel: &str, href: &str, embedded: Option<Resource>) -> Event {
    Event {
        kind,
        link: Link::new(rel, href),
        in_link: None,
        embedded,
        status: None,
        reason: None,
    }
}

/// Why an invitation failed: its final state and the `reason` of `completed`.
#[derive(Clone, Debug)]
pub struct Failure {
    pub state: InvitationState,
    pub code: &'static str,
    pub subcode: &'static str,
    pub message: &'static str,
}

impl Failure {
    pub const DECLINED: Failure = Failure {
        state: InvitationState::Declined,
        code: "RemoteFailure",
        subcode: "Declined",
        message: "The person declined the call.",
    };
    pub const TIMEOUT: Failure = Failure {
        state: InvitationState::Failed,
        code: "Timeout",
        subcode: "Timeout",
        message: "The person did not answer.",
    };
    pub const NOT_FOUND: Failure = Failure {
        state: InvitationState::Failed,
        code: "NotFound",
        subcode: "DestinationNotFound",
        message: "The person or meeting doesn't exist.",
    };
    /// The flaky contact's bad call.
    pub const UNAVAILABLE: Failure = Failure {
        state: InvitationState::Failed,
        code: "RemoteFailure",
        subcode: "TemporarilyUnavailable",
        message: "The person is temporarily unavailable.",
    };
    /// Call via Work: the user's own phone, rung first, did not answer (PROTOCOL.md §j).
    pub const OWN_PHONE_UNANSWERED: Failure = Failure {
        state: InvitationState::Failed,
        code: "LocalFailure",
        subcode: "PstnCallFailed",
        message: "Your phone did not answer.",
    };
    pub const CANCELED: Failure = Failure {
        state: InvitationState::Cancelled,
        code: "LocalFailure",
        subcode: "Canceled",
        message: "The call was canceled.",
    };

    fn reason(&self) -> ErrorBody {
        ErrorBody {
            code: self.code.into(),
            subcode: Some(self.subcode.into()),
            message: Some(self.message.into()),
            ..Default::default()
        }
    }
}

fn snapshot(app: &App, id: &str) -> Option<(Call, CallPaths)> {
    let call = app.call(id)?.clone();
    let paths = CallPaths::new(app, &call);
    Some((call, paths))
}

/// Records a new call and raises its first events: invitation started, conversation
/// added, local participant added, audioVideo connecting, and, for a contact that
/// rings, the invitation updated to `Alerting`.
pub fn begin(app: &mut App, mut call: Call) {
    // Call via Work rings the user's own phone first: the callee rings later (`alerting`).
    let rings = call.modality != PHONE_AUDIO
        && matches!(
            call.scenario,
            Scenario::Answer
                | Scenario::AnswerThenHangUp
                | Scenario::Decline
                | Scenario::NoAnswer
                | Scenario::Unavailable
        );
    let paths = CallPaths::new(app, &call);
    let started = res::invitation(app, &call);
    let conversation = res::conversation(app, &call);
    let local = res::local_participant(app, &call);
    let av = res::modality(app, &call);
    let ch = &mut app.channel;
    ch.push(
        "communication",
        &paths.communication,
        event(
            EventKind::Started,
            call.modality.invitation,
            &paths.invitation,
            Some(started),
        ),
    );
    ch.push(
        "communication",
        &paths.communication,
        event(
            EventKind::Added,
            "conversation",
            &paths.conversation,
            Some(conversation),
        ),
    );
    ch.push(
        "conversation",
        &paths.conversation,
        event(
            EventKind::Added,
            "localParticipant",
            &paths.local_participant,
            Some(local),
        ),
    );
    ch.push(
        "conversation",
        &paths.conversation,
        event(
            EventKind::Updated,
            call.modality.resource,
            &paths.modality,
            Some(av),
        ),
    );
    if rings {
        call.state = InvitationState::Alerting;
        let alerting = res::invitation(app, &call);
        app.channel.push(
            "communication",
            &paths.communication,
            event(
                EventKind::Updated,
                call.modality.invitation,
                &paths.invitation,
                Some(alerting),
            ),
        );
    }
    app.calls.push(call);
}

/// Call via Work: the user picked up their phone; the server now calls the callee, and
/// the invitation turns `Alerting`. False if it was cancelled first.
pub fn alerting(app: &mut App, id: &str) -> bool {
    match app.call_mut(id) {
        Some(call) if call.state == InvitationState::Connecting => {
            call.state = InvitationState::Alerting;
        }
        _ => return false,
    }
    let Some((call, p)) = snapshot(app, id) else {
        return false;
    };
    let updated = res::invitation(app, &call);
    app.channel.push(
        "communication",
        &p.communication,
        event(
            EventKind::Updated,
            call.modality.invitation,
            &p.invitation,
            Some(updated),
        ),
    );
    true
}

/// Puts a connected call on hold or takes it off: `phoneAudio` updated with the other
/// link. False if that action is not possible now.
pub fn set_held(app: &mut App, id: &str, held: bool) -> bool {
    match app.call_mut(id) {
        Some(call)
            if call.conversation_live && call.media == Media::Connected && call.held != held =>
        {
            call.held = held;
        }
        _ => return false,
    }
    let Some((call, p)) = snapshot(app, id) else {
        return false;
    };
    let resource = res::modality(app, &call);
    app.channel.push(
        "conversation",
        &p.conversation,
        event(
            EventKind::Updated,
            call.modality.resource,
            &p.modality,
            Some(resource),
        ),
    );
    true
}

/// The callee answers. False if the call is no longer ringing (cancelled first).
pub fn answer(app: &mut App, id: &str) -> bool {
    match app.call_mut(id) {
        Some(call) if call.state.ringing() => {
            call.state = InvitationState::Connected;
            call.media = Media::Connected;
        }
        _ => return false,
    }
    let Some((call, p)) = snapshot(app, id) else {
        return false;
    };
    let participant = res::remote_participant(app, &call, "participant");
    let negotiation = res::negotiation(app, &call);
    let av = res::modality(app, &call);
    let conversation = res::conversation(app, &call);
    let completed = res::invitation(app, &call);
    let ch = &mut app.channel;
    if call.media_offer.is_some() {
        ch.push(
            call.modality.invitation,
            &p.invitation,
            event(
                EventKind::Updated,
                "audioVideoNegotiation",
                negotiation.href.as_deref().unwrap_or_default(),
                Some(negotiation.clone()),
            ),
        );
    }
    ch.push(
        "conversation",
        &p.conversation,
        event(
            EventKind::Added,
            "participant",
            &p.remote_participant,
            Some(participant),
        ),
    );
    for rel in res::participant_media_rels(&call) {
        let mut added = event(
            EventKind::Added,
            rel,
            &format!("{}/{rel}", p.remote_participant),
            None,
        );
        added.in_link = Some(Link::new("participant", p.remote_participant.clone()));
        ch.push("conversation", &p.conversation, added);
    }
    ch.push(
        "conversation",
        &p.conversation,
        event(
            EventKind::Updated,
            call.modality.resource,
            &p.modality,
            Some(av),
        ),
    );
    ch.push(
        "communication",
        &p.communication,
        event(
            EventKind::Updated,
            "conversation",
            &p.conversation,
            Some(conversation),
        ),
    );
    let mut done = event(
        EventKind::Completed,
        call.modality.invitation,
        &p.invitation,
        Some(completed),
    );
    done.status = Some(OperationStatus::Success);
    ch.push("communication", &p.communication, done);
    true
}

/// The invitation fails (declined, no answer, unknown, cancelled): `completed` Failure
/// with a reason, the modality disconnected, the conversation deleted. False if it was
/// no longer ringing.
pub fn fail(app: &mut App, id: &str, failure: &Failure) -> bool {
    match app.call_mut(id) {
        Some(call) if call.state.ringing() => {
            call.state = failure.state;
            call.media = Media::Disconnected;
            call.conversation_live = false;
        }
        _ => return false,
    }
    let Some((call, p)) = snapshot(app, id) else {
        return false;
    };
    let completed = res::invitation(app, &call);
    let av = res::modality(app, &call);
    let ch = &mut app.channel;
    let mut done = event(
        EventKind::Completed,
        call.modality.invitation,
        &p.invitation,
        Some(completed),
    );
    done.status = Some(OperationStatus::Failure);
    done.reason = Some(failure.reason());
    ch.push("communication", &p.communication, done);
    ch.push(
        "conversation",
        &p.conversation,
        event(
            EventKind::Updated,
            call.modality.resource,
            &p.modality,
            Some(av),
        ),
    );
    push_teardown(ch, &p);
    true
}

/// The end of every call: we leave the conversation, and the conversation goes.
fn push_teardown(ch: &mut super::state::Channel, p: &CallPaths) {
    ch.push(
        "conversation",
        &p.conversation,
        event(
            EventKind::Deleted,
            "localParticipant",
            &p.local_participant,
            None,
        ),
    );
    ch.push(
        "communication",
        &p.communication,
        event(EventKind::Deleted, "conversation", &p.conversation, None),
    );
}

/// Someone hangs up a connected call: audioVideo `Disconnected` (with `reason` when the
/// far end did it), participants deleted, conversation deleted. False if not connected.
pub fn hang_up(app: &mut App, id: &str, reason: Option<ErrorBody>) -> bool {
    match app.call_mut(id) {
        Some(call) if call.conversation_live && call.media == Media::Connected => {
            call.media = Media::Disconnected;
            call.conversation_live = false;
        }
        _ => return false,
    }
    let Some((call, p)) = snapshot(app, id) else {
        return false;
    };
    let av = res::modality(app, &call);
    let ch = &mut app.channel;
    let mut disconnected = event(
        EventKind::Updated,
        call.modality.resource,
        &p.modality,
        Some(av),
    );
    disconnected.reason = reason;
    ch.push("conversation", &p.conversation, disconnected);
    ch.push(
        "conversation",
        &p.conversation,
        event(
            EventKind::Deleted,
            "participant",
            &p.remote_participant,
            None,
        ),
    );
    push_teardown(ch, &p);
    true
}

/// The reason on audioVideo `Disconnected` when the far end hangs up.
pub fn remote_hang_up_reason() -> ErrorBody {
    ErrorBody {
        code: "Informational".into(),
        subcode: Some("CallTerminated".into()),
        message: Some("The other person ended the call.".into()),
        ..Default::default()
    }
}

/// Plays the callee's side of a call over time. Every step re-checks the state, so a
/// cancel, hang-up or application delete in between simply makes it stop.
pub async fn play(state: SimState, app_id: u64, call_id: String, scenario: Scenario) {
    let cfg = state.config();
    let wait = |d: Duration| state.sleep(d);
    let step = |f: &dyn Fn(&mut App) -> bool| state.with_app(app_id, f).unwrap_or(false);
    let first_leg = state
        .with_app(app_id, |app| {
            let call = app.call(&call_id)?;
            let own = call.phone_number.as_deref();
            (call.modality == PHONE_AUDIO).then(|| own == Some(directory::UNANSWERED_PHONE))
        })
        .flatten();
    // Call via Work: the user's phone rings first; unanswered, the call fails.
    if first_leg == Some(true) {
        if wait(cfg.ring_timeout).await {
            step(&|app| fail(app, &call_id, &Failure::OWN_PHONE_UNANSWERED));
        }
        return;
    }
    if first_leg == Some(false)
        && (!wait(cfg.answer_delay).await || !step(&|app| alerting(app, &call_id)))
    {
        return;
    }
    match scenario {
        Scenario::Answer => {
            if wait(cfg.answer_delay).await {
                step(&|app| answer(app, &call_id));
            }
        }
        Scenario::AnswerThenHangUp => {
            if !wait(cfg.answer_delay).await || !step(&|app| answer(app, &call_id)) {
                return;
            }
            if wait(cfg.hangup_after).await {
                step(&|app| hang_up(app, &call_id, Some(remote_hang_up_reason())));
            }
        }
        Scenario::Decline => {
            if wait(cfg.answer_delay).await {
                step(&|app| fail(app, &call_id, &Failure::DECLINED));
            }
        }
        Scenario::NoAnswer => {
            if wait(cfg.ring_timeout).await {
                step(&|app| fail(app, &call_id, &Failure::TIMEOUT));
            }
        }
        Scenario::NotFound => {
            if wait(Duration::ZERO).await {
                step(&|app| fail(app, &call_id, &Failure::NOT_FOUND));
            }
        }
        Scenario::Unavailable => {
            if wait(cfg.answer_delay).await {
                step(&|app| fail(app, &call_id, &Failure::UNAVAILABLE));
            }
        }
        // `place` decides each flaky call beforehand.
        Scenario::Refuse(_) | Scenario::Flaky => {}
    }
}
