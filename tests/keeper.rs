//! Calls on one kept session (as the UI places them): each call's exchanges go to that
//! call, even when a newer call has started by the time an older one hangs up.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use avlaunch::call::keeper::Keeper;
use avlaunch::call::session::CallOptions;
use avlaunch::call::{CallControl, CallRequest, CallUpdate};
use avlaunch::settings::embedded_connection;
use avlaunch::ucwa::Format;
use tokio::sync::mpsc;

use common::*;

fn urls(updates: &[CallUpdate]) -> Vec<String> {
    updates
        .iter()
        .filter_map(|u| match u {
            CallUpdate::Wire(r) => Some(format!("{} {}", r.method, r.url)),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_older_calls_hang_up_is_recorded_with_that_call() {
    let sim = start_sim(fast_config()).await;
    let keeper = Keeper::new();
    let connection =
        embedded_connection(sim.url.clone(), "tester@contoso.com".into(), Format::Json);
    let options = CallOptions {
        timeout: Duration::from_secs(10),
        hangup_after: None,
    };
    // Call 1: alice answers and stays until we hang up.
    let (tx1, mut rx1) = mpsc::unbounded_channel();
    let (end1, ctl1) = mpsc::unbounded_channel();
    let call1 = CallRequest::to("sip:alice@contoso.com").validate().unwrap();
    let k = keeper.clone();
    let c = connection.clone();
    let first = tokio::spawn(async move { k.run(call1, c, options, tx1, ctl1).await });
    let mut seen1 = Vec::new();
    while let Some(u) = rx1.recv().await {
        let connected = matches!(&u, CallUpdate::StepStarted(avlaunch::call::Step::InCall));
        seen1.push(u);
        if connected {
            break;
        }
    }
    // Call 2 starts (dave) while call 1 is still up; then call 1 is hung up.
    let (tx2, mut rx2) = mpsc::unbounded_channel();
    let (_end2, ctl2) = mpsc::unbounded_channel();
    let call2 = CallRequest::to("sip:dave@contoso.com").validate().unwrap();
    let k = keeper.clone();
    let second = tokio::spawn(async move { k.run(call2, connection, options, tx2, ctl2).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    end1.send(CallControl::End).unwrap();
    first.await.unwrap();
    while let Ok(u) = rx1.try_recv() {
        seen1.push(u);
    }
    let _ = second.await.unwrap();
    let mut seen2 = Vec::new();
    while let Ok(u) = rx2.try_recv() {
        seen2.push(u);
    }
    let (urls1, urls2) = (urls(&seen1), urls(&seen2));
    let stop = |u: &&String| u.starts_with("POST ") && u.contains("stopAudioVideo");
    assert_eq!(urls1.iter().filter(stop).count(), 1, "call 1: {urls1:#?}");
    let started1 = |u: &&String| u.contains("startAudioVideo");
    assert_eq!(
        urls2.iter().filter(started1).count(),
        1,
        "call 2: {urls2:#?}"
    );
    // Call 2 (dave hangs up by himself) has no stopAudioVideo of its own: one there would
    // be call 1's.
    assert_eq!(urls2.iter().filter(stop).count(), 0, "call 2: {urls2:#?}");
    keeper.close().await;
    sim.shutdown().await;
}

/// Ending a call whose start POST is still on its way (the server may have made the call
/// already), or whose cancel nothing confirms, closes the kept session: its application's
/// delete ends any call it holds. The next call signs in on a new application.
#[tokio::test(flavor = "multi_thread")]
async fn a_call_left_behind_closes_the_kept_session() {
    let mut config = fast_config();
    config.faults = avlaunch::sim::faults::Faults::parse("stall=start-audio-video:3000").unwrap();
    let sim = start_sim(config).await;
    let keeper = Keeper::new();
    let connection =
        embedded_connection(sim.url.clone(), "tester@contoso.com".into(), Format::Json);
    let options = CallOptions {
        timeout: Duration::from_secs(10),
        hangup_after: Some(Duration::ZERO),
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (end, ctl) = mpsc::unbounded_channel();
    let call = CallRequest::to("sip:alice@contoso.com").validate().unwrap();
    let k = keeper.clone();
    let c = connection.clone();
    let first = tokio::spawn(async move { k.run(call, c, options, tx, ctl).await });
    while let Some(u) = rx.recv().await {
        if matches!(u, CallUpdate::StepStarted(avlaunch::call::Step::Invite)) {
            break;
        }
    }
    end.send(CallControl::End).unwrap();
    let outcome = first.await.unwrap();
    assert_eq!(
        outcome.state,
        avlaunch::call::FinalState::Cancelled,
        "{outcome:?}"
    );
    let applications = |sim: &avlaunch::sim::SimHandle| {
        seen(sim)
            .iter()
            .filter(|r| r.starts_with("POST ") && r.ends_with("/applications"))
            .count()
    };
    let deleted = seen(&sim)
        .iter()
        .any(|r| r.starts_with("DELETE ") && r.contains("/applications/"));
    assert!(
        deleted,
        "the kept application is deleted: {:#?}",
        seen(&sim)
    );
    assert_eq!(applications(&sim), 1);
    // The next call opens a new session.
    let (tx, _rx) = mpsc::unbounded_channel();
    let (_end, ctl) = mpsc::unbounded_channel();
    let call = CallRequest::to("sip:alice@contoso.com").validate().unwrap();
    let _ = keeper.run(call, connection, options, tx, ctl).await;
    assert_eq!(applications(&sim), 2, "{:#?}", seen(&sim));
    keeper.close().await;
}
