//! `me` and what `makeMeAvailable` unlocks: `reportMyActivity`, `presence` and `note`
//! (PROTOCOL.md §l).

use axum::http::{Method, StatusCode};
use axum::response::Response;

use crate::sim::extract::{text_field, Problem};
use crate::sim::http::{empty, Ctx};
use crate::sim::numbers;
use crate::sim::resources as res;
use crate::sim::routes::AppRoute;
use crate::sim::scenario::event;
use crate::sim::state::{App, Availability};
use crate::sim::SimState;
use crate::ucwa::modality::Modality;
use crate::ucwa::resource::{EventKind, Input, Value};

/// `PreferredAvailability` values and the `Availability` each publishes.
const PREFERRED: [(&str, &str); 6] = [
    ("Online", "Online"),
    ("Busy", "Busy"),
    ("DoNotDisturb", "DoNotDisturb"),
    ("BeRightBack", "BeRightBack"),
    ("Away", "Away"),
    ("Offwork", "Away"),
];

/// The incoming modalities `makeMeAvailable` may ask for; anything else is `403`.
const MODALITIES: [&str; 2] = ["Messaging", "PhoneAudio"];

fn availability(input: &Input, name: &'static str, problems: &mut Vec<Problem>) -> Option<String> {
    let asked = text_field(input, name, None, problems)?;
    let found = PREFERRED
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(asked.trim()));
    if found.is_none() {
        problems.push(Problem::invalid(
            name,
            format!("'{asked}' is not a PreferredAvailability"),
        ));
    }
    found.map(|(_, a)| a.to_string())
}

/// `POST me/makeMeAvailable`: `204`, then `me` updated, `presence` and `note` added and
/// `communication` updated on the event channel. `409 AlreadyExists` the second time;
/// `403` for a modality other than Messaging or PhoneAudio; `400 NormalizationFailed` for a
/// `phoneNumber` the server cannot read.
pub(crate) fn make_me_available(state: &SimState, ctx: &Ctx, id: u64, body: &[u8]) -> Response {
    let input = match ctx.input(body) {
        Ok(input) => input,
        Err(response) => return *response,
    };
    let mut problems = Vec::new();
    let published = availability(&input, "signInAs", &mut problems);
    let number = text_field(&input, "phoneNumber", None, &mut problems);
    if !problems.is_empty() {
        return ctx.invalid(problems);
    }
    let modalities: Vec<String> = match input.property("supportedModalities") {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|v| v.as_text())
            .map(|t| t.into_owned())
            .collect(),
        Some(other) => other
            .as_text()
            .map(|t| vec![t.into_owned()])
            .unwrap_or_default(),
        None => Vec::new(),
    };
    if let Some(refused) = modalities.iter().find(|m| {
        !MODALITIES
            .iter()
            .any(|ok| ok.eq_ignore_ascii_case(m.trim()))
    }) {
        return ctx.error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            None,
            &format!("The modality '{refused}' cannot be made available: only Messaging and PhoneAudio can."),
        );
    }
    let phone_number = match number.as_deref().map(numbers::normalize) {
        None => None,
        Some(Some(tel)) => Some(tel),
        Some(None) => return numbers::normalization_failed(ctx, "phoneNumber"),
    };
    let offered = state.config().faults.offered();
    let done = state.with_app(id, |app| {
        if app.available.is_some() {
            return false;
        }
        app.available = Some(Availability {
            availability: published.unwrap_or_else(|| "Online".into()),
            phone_number,
            ..Availability::default()
        });
        push_available(app, offered);
        true
    });
    match done {
        None => ctx.application_not_found(),
        Some(true) => empty(StatusCode::NO_CONTENT),
        Some(false) => ctx.error(
            StatusCode::CONFLICT,
            "Conflict",
            Some("AlreadyExists"),
            "makeMeAvailable was already called on this application.",
        ),
    }
}

/// The events that follow `makeMeAvailable` (samples/events-makeMeAvailable-guide.json).
fn push_available(app: &mut App, offered: &[Modality]) {
    let me = res::me(app);
    let presence = res::presence(app);
    let note = res::note(app);
    let communication = res::communication(app, offered);
    let base = app.base();
    let me_href = format!("{base}/me");
    let ch = &mut app.channel;
    ch.push(
        "me",
        &me_href,
        event(EventKind::Updated, "me", &me_href, Some(me)),
    );
    for added in [presence, note].into_iter().flatten() {
        let href = added.href.clone().unwrap_or_default();
        ch.push(
            "me",
            &me_href,
            event(EventKind::Added, &added.rel.clone(), &href, None),
        );
    }
    let comm_href = format!("{base}/communication");
    ch.push(
        "communication",
        &comm_href,
        event(
            EventKind::Updated,
            "communication",
            &comm_href,
            Some(communication),
        ),
    );
}

fn make_me_available_required(ctx: &Ctx) -> Response {
    ctx.error(
        StatusCode::CONFLICT,
        "Conflict",
        Some("MakeMeAvailableRequired"),
        "Call makeMeAvailable first.",
    )
}

/// `POST reportMyActivity`: `204` after `makeMeAvailable`, else `409 MakeMeAvailableRequired`.
pub(crate) fn report_my_activity(state: &SimState, ctx: &Ctx, id: u64) -> Response {
    let reported = state.with_app(id, |app| {
        let available = app.available.as_mut()?;
        available.activity_reports += 1;
        Some(())
    });
    match reported {
        None => ctx.application_not_found(),
        Some(None) => make_me_available_required(ctx),
        Some(Some(())) => empty(StatusCode::NO_CONTENT),
    }
}

/// `me/presence` and `me/note`: GET shows, POST sets (`availability`; `message`, or
/// `?message=`); an empty body resets. `409 MakeMeAvailableRequired` before makeMeAvailable.
pub(crate) fn presence_or_note(
    state: &SimState,
    ctx: &Ctx,
    id: u64,
    route: &AppRoute,
    body: &[u8],
) -> Response {
    let is_presence = matches!(route, AppRoute::Presence);
    let read = |app: &App| {
        if is_presence {
            res::presence(app)
        } else {
            res::note(app)
        }
    };
    if ctx.method == Method::GET {
        return match state.with_app(id, |app| read(app)) {
            None => ctx.application_not_found(),
            Some(None) => make_me_available_required(ctx),
            Some(Some(resource)) => ctx.resource(StatusCode::OK, &resource),
        };
    }
    let input = match ctx.input(body) {
        Ok(input) => input,
        Err(response) => return *response,
    };
    let mut problems = Vec::new();
    let (availability, message) = if is_presence {
        (availability(&input, "availability", &mut problems), None)
    } else {
        let message = text_field(&input, "message", Some(2000), &mut problems)
            .or_else(|| ctx.query("message").map(str::to_string));
        (None, message)
    };
    if !problems.is_empty() {
        return ctx.invalid(problems);
    }
    let set = state.with_app(id, |app| {
        let available = app.available.as_mut()?;
        if is_presence {
            available.availability = availability.unwrap_or_else(|| "Online".into());
        } else {
            available.note = message.unwrap_or_default();
        }
        let resource = read(app)?;
        let href = resource.href.clone().unwrap_or_default();
        let me_href = format!("{}/me", app.base());
        let rel = resource.rel.clone();
        app.channel
            .push("me", &me_href, event(EventKind::Updated, &rel, &href, None));
        Some(())
    });
    match set {
        None => ctx.application_not_found(),
        Some(None) => make_me_available_required(ctx),
        Some(Some(())) => empty(StatusCode::NO_CONTENT),
    }
}
