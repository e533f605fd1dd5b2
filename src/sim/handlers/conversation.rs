//! A conversation and its modality: hanging up and leaving.

use axum::http::StatusCode;
use axum::response::Response;

use crate::sim::extract::{text_field, Problem};
use crate::sim::http::{empty, Ctx};
use crate::sim::scenario::{self, Failure};
use crate::sim::SimState;
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
pub(crate) fn stop_audio_video(
    state: &SimState,
    ctx: &Ctx,
    id: u64,
    conv: &str,
    body: &[u8],
) -> Response {
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
        let call_id = app.call_by_conversation(conv)?.id.clone();
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
