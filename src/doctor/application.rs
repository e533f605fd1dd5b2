//! The checks on the created application: `capabilities` (what it offers), `events` (the
//! event channel delivers), and `cleanup` (it is deleted, on every way out).

use crate::seconds::format_seconds;
use std::time::Instant;

use super::{describe, Verdict, Walk, CAPABILITIES, EVENTS_WAIT};
use crate::ucwa::resource::{Input, Value};
use crate::ucwa::session::{self, Session};

/// `capabilities`: which of `CAPABILITIES` the application offers, and what that allows.
pub(super) fn capabilities(walk: &mut Walk, session: &Session) -> Verdict {
    let links = session.links();
    let offered: Vec<String> = CAPABILITIES
        .iter()
        .filter(|rel| links.link(rel).is_some())
        .map(|rel| rel.to_string())
        .collect();
    let has = |rel: &str| offered.iter().any(|o| o == rel);
    let list = if offered.is_empty() {
        "none of them".to_string()
    } else {
        offered.join(", ")
    };
    let (verdict, meaning) = if has("startAudioVideo") {
        (Verdict::Pass, "audio/video calls can be placed")
    } else if has("startPhoneAudio") {
        (
            Verdict::Warn,
            "Call via Work only: startAudioVideo is not offered to this application; place calls with --via-phone YOUR_NUMBER",
        )
    } else {
        (
            Verdict::Fail,
            "no calling at all: neither startAudioVideo nor startPhoneAudio is offered; ask the administrator to enable audio/video or Call via Work for this user (and for UCWA applications)",
        )
    };
    walk.send_with(
        verdict,
        format!("offered: {list}; {meaning}"),
        Some(offered.clone()),
    )
}

/// `events`: park the first P-GET, then prove delivery with makeMeAvailable's events.
pub(super) async fn events(walk: &mut Walk, session: &Session) -> Verdict {
    let links = session.links();
    let t = Instant::now();
    session.open_events().await;
    let mut pages = session.subscribe();
    let Some(available) = links.make_me_available.clone() else {
        let parked = session.is_open();
        return match parked {
            true => walk.send(Verdict::Warn, "the first P-GET is parked, but delivery is not proven: makeMeAvailable is not offered, so nothing could be made to happen".into()),
            false => walk.send(Verdict::Fail, "the event channel failed at once".into()),
        };
    };
    let input = Input {
        properties: vec![
            ("signInAs".into(), Value::text("Online")),
            (
                "supportedModalities".into(),
                Value::List(vec![Value::text("Messaging")]),
            ),
        ],
        links: Vec::new(),
    };
    if let Err(e) = session
        .client()
        .post(&available, Some(&input), "making me available")
        .await
    {
        return walk.send(Verdict::Warn, format!("the first P-GET is parked, but makeMeAvailable was refused, so delivery is not proven: {}", describe(&e)));
    }
    let deadline = tokio::time::Instant::now() + EVENTS_WAIT;
    loop {
        match tokio::time::timeout_at(deadline, pages.recv()).await {
            Ok(Some(Ok(page))) if page.events().next().is_some() => {
                return walk.send(Verdict::Pass, format!("the parked P-GET answered with events {} ms after makeMeAvailable", t.elapsed().as_millis()));
            }
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => return walk.send(Verdict::Fail, format!("the event channel failed: {}", describe(&e))),
            Ok(None) => return walk.send(Verdict::Fail, "the event channel ended".into()),
            Err(_) => {
                return walk.send(
                    Verdict::Fail,
                    format!("the event channel never answered: no events {} after makeMeAvailable; calls would never see their progress. Check that proxies and load balancers in front of the pool let a request be held for 180 s and do not buffer responses", format_seconds(EVENTS_WAIT)),
                )
            }
        }
    }
}

/// `cleanup`: always, even after a failure (then every check left, this one included, is
/// reported as skip with what happened to the application).
pub(super) async fn cleanup(walk: &mut Walk, session: &Session, earlier_failed: bool) {
    let closed = session.close().await;
    if earlier_failed {
        let what = match closed {
            Ok(()) => "not run: an earlier check failed (the application was deleted)",
            Err(_) => "not run: an earlier check failed (deleting the application failed too)",
        };
        return walk.skip_rest(what);
    }
    match closed {
        Ok(()) => walk.send(Verdict::Pass, "application deleted".into()),
        Err(Some(e)) => walk.send(
            Verdict::Fail,
            format!(
                "{}: the server keeps the application until it times out (about 15 minutes)",
                describe(&e)
            ),
        ),
        Err(None) => walk.send(
            Verdict::Fail,
            format!(
                "DELETE of the application got no answer in {}",
                format_seconds(session::CLOSE_BOUND)
            ),
        ),
    };
}
