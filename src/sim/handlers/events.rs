//! The event channel: a long poll with ack bookkeeping, and the switches that bend it.

use std::ops::ControlFlow;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use crate::sim::faults::{Faults, OneShot};
use crate::sim::http::foreign_href;
use crate::sim::http::{empty, Ctx};
use crate::sim::state::Inner;
use crate::sim::state::{Poll, Wake, APPLICATIONS};
use crate::sim::SimState;
use crate::ucwa::resource::{Event, EventKind, EventsPage, Link, Sender, Value};
use tokio::time::Instant;
/// The event channel: a real long poll with ack bookkeeping (`state::Channel`).
pub(crate) async fn events(state: &SimState, ctx: &Ctx, id: u64) -> Response {
    if state.config().faults.events_silent {
        return silent(state, ctx, id).await;
    }
    let cfg = state.config();
    let ack = ctx.query("ack").and_then(|a| a.trim().parse::<u64>().ok());
    let base = format!("{APPLICATIONS}/{id}");
    let resync = |to: u64| {
        ctx.events(&EventsPage {
            resync: Some(format!("{base}/events?ack={to}")),
            ..Default::default()
        })
    };
    let page = |ack: u64, senders: Vec<Sender>| {
        ctx.events(&events_page(&base, ack, senders, cfg.faults.unknown_events))
    };
    let ack = match early_answer(state, ctx, id, ack) {
        ControlFlow::Continue(ack) => ack,
        ControlFlow::Break(response) => return response,
    };
    let hold = hold_time(ctx, cfg.event_hold);
    // cut_held_events: a proxy in front drops the connection once the P-GET has idled this long.
    let cut_at = cfg
        .faults
        .cut_held_events
        .map(|after| Instant::now() + after);
    let deadline = Instant::now() + hold;
    let answered = |poll: Poll, inner: &mut Inner| -> Option<Response> {
        match poll {
            Poll::Batch(mut senders) => {
                reorder(&mut senders, inner, &cfg.faults);
                if !senders.is_empty() && inner.fire(&cfg.faults, OneShot::DuplicateEvents) {
                    if let Some(app) = inner.apps.get_mut(&id) {
                        app.channel.replay_owed = Some(ack);
                    }
                }
                Some(page(ack, senders))
            }
            Poll::Resync(low) => Some(resync(low)),
            Poll::Wait => None,
        }
    };
    loop {
        let parked = {
            let mut guard = state.lock();
            let inner = &mut *guard;
            if inner.closed {
                return shutting_down(ctx);
            }
            let Some(app) = inner.apps.get_mut(&id) else {
                return ctx.application_not_found();
            };
            let poll = if cfg.faults.empty_events {
                app.channel.poll_now(ack)
            } else {
                app.channel.poll(ack)
            };
            if poll != Poll::Wait {
                return answered(poll, inner).unwrap_or_else(|| ctx.not_found());
            }
            app.channel.park()
        };
        let (waiter, wake) = parked;
        let until = cut_at.map_or(deadline, |cut| cut.min(deadline));
        match tokio::time::timeout_at(until, wake).await {
            Ok(Ok(Wake::Events)) => continue,
            Ok(Ok(Wake::Replaced)) => {
                return ctx.error(
                    StatusCode::CONFLICT,
                    "Conflict",
                    Some("PGetReplaced"),
                    "A newer request for events replaced this one.",
                )
            }
            Ok(Ok(Wake::Shutdown)) => return shutting_down(ctx),
            Ok(Ok(Wake::Gone)) | Ok(Err(_)) => return ctx.application_not_found(),
            Err(_) => {
                let mut guard = state.lock();
                let inner = &mut *guard;
                let Some(app) = inner.apps.get_mut(&id) else {
                    return ctx.application_not_found();
                };
                app.channel.unpark(waiter);
                if until < deadline {
                    return cut_connection();
                }
                let poll = app.channel.poll_now(ack);
                return answered(poll, inner).unwrap_or_else(|| ctx.not_found());
            }
        }
    }
}

/// What an event-channel GET gets before any waiting: the switches that answer at once
/// (`foreign-link=redirect`, `events-gone`, `resume-once`, `resync-once`, the replay of
/// `duplicate-events`), a `resync` when `ack` is missing. `Continue(ack)` means: poll.
fn early_answer(
    state: &SimState,
    ctx: &Ctx,
    id: u64,
    ack: Option<u64>,
) -> ControlFlow<Response, u64> {
    let cfg = state.config();
    let base = format!("{APPLICATIONS}/{id}");
    let resync = |to: u64| {
        ctx.events(&EventsPage {
            resync: Some(format!("{base}/events?ack={to}")),
            ..Default::default()
        })
    };
    let page = |ack: u64, senders: Vec<Sender>| {
        ctx.events(&events_page(&base, ack, senders, cfg.faults.unknown_events))
    };
    let mut inner = state.lock();
    if let Some(link) = cfg
        .faults
        .foreign_link
        .as_ref()
        .filter(|l| l.applies("redirect"))
    {
        if inner.fire(&cfg.faults, OneShot::ForeignRedirect) {
            let mut r = empty(StatusCode::TEMPORARY_REDIRECT);
            let target = format!("{}/events?ack={}", base, ack.unwrap_or(1));
            if let Ok(v) = HeaderValue::from_str(&foreign_href(&target, link)) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            return ControlFlow::Break(r);
        }
    }
    if inner.fire(&cfg.faults, OneShot::EventsGone) {
        if let Some(mut app) = inner.apps.remove(&id) {
            app.channel.release(Wake::Gone);
        }
        return ControlFlow::Break(ctx.application_not_found());
    }
    let Some(app) = inner.apps.get(&id) else {
        return ControlFlow::Break(ctx.application_not_found());
    };
    let low = app.channel.low;
    let Some(ack) = ack else {
        return ControlFlow::Break(resync(low));
    };
    if ack >= 2 && inner.fire(&cfg.faults, OneShot::ResumeOnce) {
        return ControlFlow::Break(ctx.events(&EventsPage {
            resume: Some(format!("{base}/events?ack={ack}")),
            ..Default::default()
        }));
    }
    if ack >= 2 && inner.fire(&cfg.faults, OneShot::ResyncOnce) {
        return ControlFlow::Break(resync(low));
    }
    // duplicate_events: the P-GET after the first non-empty batch gets it again.
    if let Some(app) = inner.apps.get_mut(&id) {
        let owed = app.channel.replay_owed;
        if owed.is_some_and(|n| n + 1 == ack) {
            app.channel.replay_owed = None;
            if let Some(batch) = owed.and_then(|n| app.channel.batches.get(&n)) {
                let batch = batch.clone();
                return ControlFlow::Break(page(ack - 1, batch));
            }
        }
    }
    ControlFlow::Continue(ack)
}

/// How long a P-GET is held: its `timeout` clamped to 180–1800 s as UCWA does, unless the
/// configured hold is below 180 s (tests), which then caps it.
fn hold_time(ctx: &Ctx, configured: Duration) -> Duration {
    match ctx
        .query("timeout")
        .and_then(|t| t.trim().parse::<u64>().ok())
    {
        Some(secs) if configured >= Duration::from_secs(180) => {
            Duration::from_secs(secs.clamp(180, 1800))
        }
        _ => configured,
    }
}

/// `reorder-events`: the batch that completes the invitation arrives back to front, once.
fn reorder(senders: &mut [Sender], inner: &mut Inner, faults: &Faults) {
    let completes = senders.iter().any(|s| {
        s.events
            .iter()
            .any(|e| e.kind == crate::ucwa::resource::EventKind::Completed)
    });
    if completes && inner.fire(faults, OneShot::ReorderEvents) {
        senders.reverse();
        for sender in senders.iter_mut() {
            sender.events.reverse();
        }
    }
}

/// `events-silent`: holds the request until the application is gone or the simulator
/// stops, answering nothing in between.
async fn silent(state: &SimState, ctx: &Ctx, id: u64) -> Response {
    loop {
        if !state.lock().apps.contains_key(&id) {
            return ctx.application_not_found();
        }
        if !state.sleep(Duration::from_millis(100)).await {
            return shutting_down(ctx);
        }
    }
}

/// An answer whose body fails after the status line: hyper drops the connection mid-answer,
/// which is what a client sees when a proxy cuts an idle request.
pub(crate) fn cut_connection() -> Response {
    let cut = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "cut by an idle timeout (simulated proxy)",
        ))
    });
    let mut response = Response::new(Body::from_stream(cut));
    *response.status_mut() = StatusCode::OK;
    response
}

pub(crate) fn shutting_down(ctx: &Ctx) -> Response {
    ctx.error(
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        None,
        "The simulator is shutting down.",
    )
}

pub(crate) fn events_page(
    base: &str,
    ack: u64,
    mut senders: Vec<Sender>,
    unknown: bool,
) -> EventsPage {
    if unknown && !senders.is_empty() {
        for event in senders.iter_mut().flat_map(|s| s.events.iter_mut()) {
            if let Some(embedded) = &mut event.embedded {
                embedded
                    .properties
                    .push(("simulatorExtra".into(), Value::text("ignore me")));
            }
        }
        senders.push(Sender {
            rel: "me".into(),
            href: format!("{base}/me"),
            events: vec![Event {
                kind: EventKind::Other("refreshed".into()),
                link: Link {
                    title: Some("an event type no client knows".into()),
                    ..Link::new("presence", format!("{base}/me/presence"))
                },
                in_link: None,
                embedded: None,
                status: None,
                reason: None,
            }],
        });
    }
    EventsPage {
        self_href: Some(format!("{base}/events?ack={ack}")),
        next: Some(format!("{base}/events?ack={}", ack + 1)),
        resync: None,
        resume: None,
        senders,
    }
}
