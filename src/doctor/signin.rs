//! The checks that speak UCWA up to a created application: `discovery` (its redirect hops
//! listed), `sign-in` (the token) and `application`.

use crate::seconds::format_seconds;
use std::sync::{Arc, Mutex};

use url::Url;

use super::{describe, Verdict, Walk, STEP_TIMEOUT};
use crate::ucwa::client::Client;
use crate::ucwa::discover;
use crate::ucwa::session::{self, Connection, Session};
use crate::ucwa::transport::WireRecord;

/// One exchange: method, URL, status (none when no answer came).
type Hop = (String, String, Option<u16>);

/// The exchanges of discovery and sign-in, recorded as they happen.
#[derive(Clone, Default)]
pub(super) struct Hops(Arc<Mutex<Vec<Hop>>>);

impl Hops {
    /// The exchanges since the last call, in words (each listed once, repeats merged).
    fn take(&self) -> String {
        let mut list = self
            .0
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default();
        list.dedup();
        list.iter()
            .map(|(m, u, s)| match s {
                Some(s) => format!("{m} {u} → {s}"),
                None => format!("{m} {u} → no answer"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The client for `connection`, its exchanges recorded in `hops`; a failure is sent as
/// `discovery`.
pub(super) fn client(walk: &mut Walk, connection: &Connection, hops: &Hops) -> Option<Arc<Client>> {
    let exchanges = hops.0.clone();
    let wire = Arc::new(move |r: WireRecord| {
        if let Ok(mut e) = exchanges.lock() {
            e.push((r.method, r.url, r.status));
        }
    });
    match session::new_client(connection, wire, Arc::new(|_| {})) {
        Ok(c) => Some(c),
        Err(e) => {
            walk.send(Verdict::Fail, describe(&e));
            None
        }
    }
}

/// `discovery`: the candidate that resolved, its redirect hops recorded; the user resource.
pub(super) async fn discovery(
    walk: &mut Walk,
    client: &Client,
    connection: &Connection,
    hops: &Hops,
) -> Option<Url> {
    match tokio::time::timeout(STEP_TIMEOUT, session::discover(client, connection)).await {
        Ok(Ok(user)) => {
            walk.send(
                Verdict::Pass,
                format!("user resource {user} ({})", hops.take()),
            );
            Some(user)
        }
        Ok(Err(e)) => {
            walk.send(Verdict::Fail, format!("{} ({})", describe(&e), hops.take()));
            None
        }
        Err(_) => no_answer(walk, hops),
    }
}

/// `sign-in`: the password grant (or the given token) accepted; the applications resource.
pub(super) async fn sign_in(
    walk: &mut Walk,
    client: &Client,
    user: Url,
    connection: &Connection,
    hops: &Hops,
) -> Option<Url> {
    match tokio::time::timeout(STEP_TIMEOUT, discover::sign_in(client, user)).await {
        Ok(Ok(applications)) => {
            let how = if connection.token.is_some() {
                "the given token (AVLAUNCH_TOKEN) was accepted"
            } else {
                "password grant accepted, token issued"
            };
            walk.send(
                Verdict::Pass,
                format!("{how}; applications at {applications}"),
            );
            Some(applications)
        }
        Ok(Err(e)) => {
            walk.send(
                Verdict::Fail,
                format!(
                    "{} ({}); check the user name and password; a deployment that offers no password grant needs a ready token in AVLAUNCH_TOKEN",
                    describe(&e),
                    hops.take()
                ),
            );
            None
        }
        Err(_) => no_answer(walk, hops),
    }
}

/// `application`: created, on the pool its URL names.
pub(super) async fn application(
    walk: &mut Walk,
    client: Arc<Client>,
    applications: Url,
) -> Option<Session> {
    match tokio::time::timeout(STEP_TIMEOUT, Session::create(client, applications.clone())).await {
        Ok(Ok(s)) => {
            let pool = Url::parse(&s.links().application)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| applications.host_str().unwrap_or_default().to_string());
            walk.send(
                Verdict::Pass,
                format!("created {} on the pool {pool}", s.links().application),
            );
            Some(s)
        }
        Ok(Err(e)) => {
            walk.send(Verdict::Fail, describe(&e));
            None
        }
        Err(_) => {
            walk.send(
                Verdict::Fail,
                format!("no answer in {}", format_seconds(STEP_TIMEOUT)),
            );
            None
        }
    }
}

/// Fails the step that got no answer within `STEP_TIMEOUT`, naming the hops made so far.
fn no_answer<T>(walk: &mut Walk, hops: &Hops) -> Option<T> {
    let why = format!(
        "no answer in {} ({})",
        format_seconds(STEP_TIMEOUT),
        hops.take()
    );
    walk.send(Verdict::Fail, why);
    None
}
