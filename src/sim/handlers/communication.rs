//! `communication`: placing a call (`startAudioVideo`, `startPhoneAudio`) and cancelling
//! its invitation.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;

use crate::sim::directory::{self, Scenario};
use crate::sim::extract::{required, text_field, Problem};
use crate::sim::faults::OneShot;
use crate::sim::http::{empty, Ctx};
use crate::sim::ids::hex_id;
use crate::sim::numbers;
use crate::sim::resources as res;
use crate::sim::scenario::{self, Failure};
use crate::sim::state::{Call, InvitationState, Media};
use crate::sim::SimState;
use crate::ucwa::modality::{Modality, AUDIO_VIDEO, PHONE_AUDIO};
use crate::ucwa::resource::{Input, Value};
pub(crate) const IMPORTANCE: [&str; 3] = ["Normal", "Urgent", "Emergency"];

/// The media type of an offer's `data:` URI, checked against its text: `application/sdp`
/// starting `v=0`, or `multipart/alternative` with a boundary whose delimiter opens the
/// body and whose parts are SDP (as Lync clients send). Returns the media type as received.
pub(crate) fn check_offer(href: &str, text: &str) -> Result<String, String> {
    let meta = href
        .get(5..)
        .and_then(|m| m.split(',').next())
        .unwrap_or_default();
    let media_type: Vec<&str> = meta
        .split(';')
        .filter(|p| !p.trim().eq_ignore_ascii_case("base64"))
        .collect();
    let kind = media_type.first().map(|k| k.trim().to_ascii_lowercase());
    match kind.as_deref() {
        Some("application/sdp") | Some("") | None => {
            if text.trim_start().starts_with("v=0") || text.is_empty() {
                Ok("application/sdp".into())
            } else {
                Err("the application/sdp offer does not start with v=0".into())
            }
        }
        Some("multipart/alternative") => {
            let boundary = media_type[1..]
                .iter()
                .find_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim())
                })
                .map(|b| String::from_utf8_lossy(&percent_decode(b, false)).into_owned())
                .ok_or("a multipart/alternative offer needs a boundary parameter")?;
            let delimiter = format!("--{boundary}");
            let parts: Vec<&str> = text.split(delimiter.as_str()).skip(1).collect();
            let closed = parts.last().is_some_and(|p| p.starts_with("--"));
            let sdp_parts = parts
                .iter()
                .filter(|p| !p.starts_with("--"))
                .all(|p| p.contains("\nv=0"));
            if !text.starts_with(&delimiter) || !closed || parts.len() < 2 || !sdp_parts {
                return Err(format!(
                    "the multipart/alternative offer is not a closed set of SDP parts delimited by '{delimiter}'"
                ));
            }
            Ok(media_type.join(";"))
        }
        Some(other) => Err(format!(
            "a media offer must be application/sdp or multipart/alternative, not {other}"
        )),
    }
}

/// `data:` URI → text: base64 or percent-encoded (`+` as space).
pub(crate) fn decode_data_uri(href: &str) -> Option<String> {
    let href = href.trim();
    if !href.get(..5)?.eq_ignore_ascii_case("data:") {
        return None;
    }
    let (meta, data) = href[5..].split_once(',')?;
    let base64 = meta
        .split(';')
        .any(|p| p.trim().eq_ignore_ascii_case("base64"));
    let bytes = if base64 {
        let raw = percent_decode(data, false);
        let cleaned: Vec<u8> = raw
            .into_iter()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let engines = [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        engines.iter().find_map(|e| e.decode(&cleaned).ok())?
    } else {
        percent_decode(data, true)
    };
    String::from_utf8(bytes).ok()
}

pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

pub(crate) fn start_audio_video(state: &SimState, ctx: &Ctx, id: u64, body: &[u8]) -> Response {
    if state.fire(OneShot::EchoToken) {
        return echo_token(ctx);
    }
    if !state.config().faults.offered().contains(&AUDIO_VIDEO) {
        return ctx.error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            None,
            "Audio/video calls are not allowed for this application.",
        );
    }
    let input = match ctx.input(body) {
        Ok(input) => input,
        Err(response) => return *response,
    };
    let mut problems = Vec::new();
    let call = read_audio_video(ctx, &input, &mut problems);
    if !problems.is_empty() {
        return ctx.invalid(problems);
    }
    place(state, ctx, id, call)
}

/// `POST startPhoneAudio` (Call via Work, PROTOCOL.md §j): the shared fields and
/// `phoneNumber`, the user's own phone, rung first. Without it, the number given to
/// `makeMeAvailable` is used; with neither, `phoneNumber` is missing. Numbers (and a
/// `tel:` callee) that cannot be normalized get `400 NormalizationFailed`.
pub(crate) fn start_phone_audio(state: &SimState, ctx: &Ctx, id: u64, body: &[u8]) -> Response {
    if !state.config().faults.offered().contains(&PHONE_AUDIO) {
        return ctx.error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            None,
            "Call via Work is not enabled for this user.",
        );
    }
    let input = match ctx.input(body) {
        Ok(input) => input,
        Err(response) => return *response,
    };
    let mut problems = Vec::new();
    let mut call = read_common(ctx, &input, PHONE_AUDIO, &mut problems);
    let number = text_field(&input, "phoneNumber", None, &mut problems);
    if !problems.is_empty() {
        return ctx.invalid(problems);
    }
    let given = state.with_app(id, |app| {
        app.available.as_ref().and_then(|a| a.phone_number.clone())
    });
    call.phone_number = match number.as_deref().map(numbers::normalize) {
        Some(Some(tel)) => Some(tel),
        Some(None) => return numbers::normalization_failed(ctx, "phoneNumber"),
        None => given.flatten(),
    };
    if call.phone_number.is_none() {
        return ctx.invalid(vec![Problem::invalid(
            "phoneNumber",
            "required: no number was given here or to makeMeAvailable".into(),
        )]);
    }
    if call
        .to
        .trim()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("tel:"))
    {
        match numbers::normalize(&call.to) {
            Some(tel) => call.to = tel,
            None => return numbers::normalization_failed(ctx, "to"),
        }
    }
    place(state, ctx, id, call)
}

/// `echo-secrets`: a refusal that quotes the bearer token's value, without its `cwt=`.
fn echo_token(ctx: &Ctx) -> Response {
    let token = ctx
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once("cwt="))
        .map(|(_, t)| t.to_string())
        .unwrap_or_default();
    let mut r = ctx.error(
        StatusCode::FORBIDDEN,
        "Forbidden",
        None,
        &format!("The token {token} may not place calls."),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("2;reason=\"Token {token} refused\"")) {
        r.headers_mut().insert("x-ms-diagnostics", v);
    }
    r
}

/// The fields every start link shares (`to`, `subject`, `operationId`, `threadId`,
/// `importance`), as a call that is not yet placed.
fn read_common(ctx: &Ctx, input: &Input, modality: Modality, problems: &mut Vec<Problem>) -> Call {
    let to = required(input, "to", None, problems);
    let subject = text_field(input, "subject", Some(250), problems);
    let operation_id = text_field(input, "operationId", Some(50), problems).or_else(|| {
        ctx.query("operationId")
            .filter(|q| !q.is_empty() && q.chars().count() <= 50)
            .map(str::to_string)
    });
    let thread_id = text_field(input, "threadId", None, problems);
    let importance = text_field(input, "importance", None, problems).and_then(|i| {
        let known = IMPORTANCE.iter().find(|k| k.eq_ignore_ascii_case(i.trim()));
        if known.is_none() {
            problems.push(Problem::invalid(
                "importance",
                format!("'{i}' is not one of Normal, Urgent, Emergency"),
            ));
        }
        known.map(|k| k.to_string())
    });
    Call {
        id: hex_id(),
        modality,
        conversation: 0,
        scenario: Scenario::NotFound,
        operation_id: operation_id.unwrap_or_else(hex_id),
        to,
        subject,
        importance,
        thread_id: thread_id.unwrap_or_else(hex_id),
        session_context: None,
        join_audio_muted: None,
        join_video_muted: None,
        media_offer: None,
        phone_number: None,
        created: std::time::SystemTime::now(),
        state: InvitationState::Connecting,
        media: Media::Connecting,
        conversation_live: true,
        held: false,
    }
}

/// A `startAudioVideo` body: the shared fields, the session context, the mute flags and
/// the media offer.
fn read_audio_video(ctx: &Ctx, input: &Input, problems: &mut Vec<Problem>) -> Call {
    let mut call = read_common(ctx, input, AUDIO_VIDEO, problems);
    call.session_context = text_field(input, "sessionContext", Some(50), problems);
    let mut flag = |name: &'static str| match input.property(name) {
        None | Some(Value::Null) => None,
        Some(v) => {
            let b = v.as_bool();
            if b.is_none() {
                problems.push(Problem::invalid(name, "expected true or false".into()));
            }
            b
        }
    };
    call.join_audio_muted = flag("joinAudioMuted");
    call.join_video_muted = flag("joinVideoMuted");
    call.media_offer = match input.link("mediaOffer") {
        None => None,
        Some(href) => match decode_data_uri(href) {
            Some(text) => match check_offer(href, &text) {
                Ok(media_type) => Some((media_type, text)).filter(|(_, t)| !t.is_empty()),
                Err(why) => {
                    problems.push(Problem::invalid("mediaOffer", why));
                    None
                }
            },
            None => {
                problems.push(Problem::invalid(
                    "mediaOffer",
                    "expected a data: URI holding the SDP offer".into(),
                ));
                None
            }
        },
    };
    call
}

/// `status-503-retry-date` / `status-503-retry-after`: the first start is refused as busy.
fn busy(state: &SimState, ctx: &Ctx) -> Option<Response> {
    let faults = &state.config().faults;
    let retry_after = if let Some(secs) = faults
        .status_503_retry_date
        .filter(|_| state.fire(OneShot::Status503RetryDate))
    {
        // An HTTP date has whole seconds: round up so the wait is never shorter.
        let at = std::time::SystemTime::now() + Duration::from_secs(u64::from(secs) + 1);
        HeaderValue::from_str(&httpdate::fmt_http_date(at)).ok()?
    } else if let Some(secs) = faults
        .status_503_retry_after
        .filter(|_| state.fire(OneShot::Status503RetryAfter))
    {
        HeaderValue::from(secs)
    } else {
        return None;
    };
    let mut r = ctx.error(
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        None,
        "The service is busy. Please try again later.",
    );
    r.headers_mut().insert(header::RETRY_AFTER, retry_after);
    Some(r)
}

/// Places a validated call: the callee's synchronous refusal, or `201` with the
/// invitation's `Location` and the scenario playing.
fn place(state: &SimState, ctx: &Ctx, id: u64, mut call: Call) -> Response {
    if let Some(refused) = busy(state, ctx) {
        return refused;
    }
    let scenario = directory::lookup(&call.to);
    if let Scenario::Refuse(refusal) = scenario {
        return ctx.error(
            StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::CONFLICT),
            refusal.code,
            refusal.subcode,
            refusal.message,
        );
    }
    call.scenario = match scenario {
        Scenario::Flaky => {
            let every = state.config().faults.flaky.unwrap_or(3);
            let mut inner = state.lock();
            inner.flaky_calls += 1;
            if (inner.flaky_calls - 1).is_multiple_of(every) {
                Scenario::Unavailable
            } else {
                Scenario::Answer
            }
        }
        other => other,
    };
    let scenario = call.scenario;
    let call_id = call.id.clone();
    let location = state.with_app(id, |app| {
        call.conversation = app.next_conversation;
        app.next_conversation += 1;
        let href = res::CallPaths::new(app, &call).invitation;
        scenario::begin(app, call);
        href
    });
    let Some(location) = location else {
        return ctx.application_not_found();
    };
    tokio::spawn(scenario::play(state.clone(), id, call_id, scenario));
    let mut response = empty(StatusCode::CREATED);
    if let Some(v) = ctx.location(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// `POST …/cancel` while ringing → 204 and `completed` Failure `Canceled`; after the
/// invitation completed → 409 (cancelling raced with the answer, PROTOCOL.md §f).
pub(crate) fn cancel(state: &SimState, ctx: &Ctx, id: u64, inv: &str) -> Response {
    let outcome = state.with_app(id, |app| {
        let ringing = app.call(inv)?.state.ringing();
        Some(ringing && scenario::fail(app, inv, &Failure::CANCELED))
    });
    match outcome {
        None => ctx.application_not_found(),
        Some(None) => ctx.error(StatusCode::NOT_FOUND, "NotFound", None, "Call not found."),
        Some(Some(true)) => empty(StatusCode::NO_CONTENT),
        Some(Some(false)) => ctx.error(
            StatusCode::CONFLICT,
            "Conflict",
            None,
            "The invitation has already completed and cannot be cancelled.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_uris_decode_in_every_form() {
        let sdp = "v=0\r\ns=x y\r\n";
        assert_eq!(decode_data_uri(&res::data_uri(sdp)).as_deref(), Some(sdp));
        assert_eq!(
            decode_data_uri("data:application/sdp,v%3D0%0D%0As=x+y%0D%0A").as_deref(),
            Some(sdp)
        );
        assert_eq!(
            decode_data_uri("DATA:application/sdp;base64,dj0w%0Ds=").as_deref(),
            None,
            "broken base64 is refused"
        );
        assert_eq!(decode_data_uri("http://example.com/x"), None);
        assert_eq!(decode_data_uri("data:"), None);
        assert_eq!(percent_decode("%", false), b"%");
        assert_eq!(percent_decode("a%4", false), b"a%4");
        assert_eq!(percent_decode("%zz", false), b"%zz");
    }
}
