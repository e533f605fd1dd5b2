//! A conversation and its modality: hanging up and leaving.

use axum::http::StatusCode;
use axum::response::Response;

use crate::sim::extract::{text_field, Problem};
use crate::sim::http::{empty, Ctx};
use crate::sim::resources as res;
use crate::sim::routes::{self, AppRoute};
use crate::sim::scenario::{self, Failure};
use crate::sim::state::Media;
use crate::sim::SimState;
use crate::ucwa::modality::Modality;
pub(crate) const TERMINATION_REASONS: [&str; 16] = [
    "Unknown",
    "UserInitiatedAction",
    "Cancel",
    "SharerLeftConference",
    "ConversationSuspendedLossNetwork",
    "InternalFailure",
    "MidCallFailureOneInternalOneExternal",
    "MidCallFailureBothInternal",
    "CallEstablishFailureOneInternalOneExternal",
    "CallEstablishFailureBothInternal",
    "FailedStartAudioStream",
    "MediaTimeout",
    "MediaConnectivityFailure",
    "CodecMismatch",
    "UnsupportedMedia",
    "InvalidMediaAnswer",
];

/// `POST …/audioVideo/stopAudioVideo`, optional `reason` in the body or the query.
pub(crate) fn stop(
    state: &SimState,
    ctx: &Ctx,
    id: u64,
    modality: Modality,
    conv: &str,
    body: &[u8],
) -> Response {
    // stopPhoneAudio has no input at all (PROTOCOL.md §j).
    let body = if modality.stop_takes_reason {
        body
    } else {
        &[]
    };
    let input = match ctx.input(body) {
        Ok(input) => input,
        Err(response) => return *response,
    };
    let mut problems = Vec::new();
    let reason = text_field(&input, "reason", None, &mut problems)
        .or_else(|| ctx.query("reason").map(str::to_string));
    if let Some(reason) = &reason {
        if !TERMINATION_REASONS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(reason.trim()))
        {
            problems.push(Problem::invalid(
                "reason",
                format!("'{reason}' is not a CallTerminationReason"),
            ));
        }
    }
    if !problems.is_empty() {
        return ctx.invalid(problems);
    }
    let ended = state.with_app(id, |app| {
        let call = app.call_by_conversation(conv)?;
        let call_id = (call.modality == modality).then(|| call.id.clone())?;
        Some(scenario::hang_up(app, &call_id, None))
    });
    match ended {
        None => ctx.application_not_found(),
        Some(Some(true)) => empty(StatusCode::NO_CONTENT),
        Some(_) => ctx.error(StatusCode::NOT_FOUND, "NotFound", None, "Call Not Found."),
    }
}

/// `DELETE` of a conversation: leaves it, tearing down every modality; a ringing
/// invitation is cancelled.
pub(crate) fn end_conversation(state: &SimState, ctx: &Ctx, id: u64, conv: &str) -> Response {
    let ended = state.with_app(id, |app| {
        let call = app.call_by_conversation(conv)?;
        if !call.conversation_live {
            return Some(false);
        }
        let (call_id, ringing) = (call.id.clone(), call.state.ringing());
        Some(if ringing {
            scenario::fail(app, &call_id, &Failure::CANCELED)
        } else {
            scenario::hang_up(app, &call_id, None)
        })
    });
    match ended {
        None => ctx.application_not_found(),
        Some(Some(true)) => empty(StatusCode::NO_CONTENT),
        Some(_) => ctx.not_found(),
    }
}

/// The GETs under `communication/conversations`: the list, a conversation, its modality,
/// its participants and their media. A conversation that has ended is gone (`404`).
pub(crate) fn show(state: &SimState, ctx: &Ctx, id: u64, route: AppRoute) -> Response {
    routes::show(state, ctx, id, &|app| {
        let live = |c: &str| app.call_by_conversation(c).filter(|c| c.conversation_live);
        match &route {
            AppRoute::Conversations => Some(res::conversations(app)),
            AppRoute::Conversation(c) => Some(res::conversation(app, live(c)?)),
            AppRoute::Modality(m, c) => {
                let call = live(c).filter(|call| call.modality == *m)?;
                Some(res::modality(app, call))
            }
            AppRoute::Participants(c) => Some(res::participants(app, live(c)?)),
            AppRoute::Participant(c, p) => {
                let call = live(c)?;
                if p.eq_ignore_ascii_case(&res::segment(&res::my_uri(app))) {
                    Some(res::local_participant(app, call))
                } else {
                    let joined = call.media == Media::Connected
                        && p.eq_ignore_ascii_case(&res::segment(&call.to));
                    joined.then(|| res::remote_participant(app, call, "participant"))
                }
            }
            AppRoute::ParticipantMedia(c, p, rel) => {
                let call = live(c).filter(|call| call.media == Media::Connected)?;
                let has = res::participant_media_rels(call).contains(rel);
                (has && p.eq_ignore_ascii_case(&res::segment(&call.to)))
                    .then(|| res::participant_media(app, call, rel))
            }
            _ => None,
        }
    })
}

/// `holdPhoneAudio` / `resumePhoneAudio`: `204` and `phoneAudio` updated while the action
/// is possible (connected, and not already held / held); `404` otherwise, as for a link
/// that is not offered.
pub(crate) fn hold(
    state: &SimState,
    ctx: &Ctx,
    id: u64,
    modality: Modality,
    conv: &str,
    held: bool,
) -> Response {
    let done = state.with_app(id, |app| {
        let call = app.call_by_conversation(conv)?;
        let call_id = (call.modality == modality).then(|| call.id.clone())?;
        Some(scenario::set_held(app, &call_id, held))
    });
    match done {
        None => ctx.application_not_found(),
        Some(Some(true)) => empty(StatusCode::NO_CONTENT),
        Some(_) => ctx.not_found(),
    }
}
