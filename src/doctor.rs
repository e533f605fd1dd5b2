//! `avlaunch doctor`: a connectivity report. Walks a deployment the way a call would —
//! DNS, TCP, TLS, discovery, sign-in, the application, what it offers, the event channel,
//! clean-up — and stops short of calling. One verdict per check, with what was seen and
//! what to do next.
//!
//! The engine knows nothing of screens or output formats: it sends each `Check` on a channel
//! as it finishes, so the CLI (`doctor::output`) and the UI's checklist share it. A failed
//! check ends the walk and the rest are `skip`; an application that was created is deleted on
//! every way out.

mod application;
mod network;
pub mod output;
mod signin;
mod tls;

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::ucwa::diagnostics::Diagnostic;
use crate::ucwa::session::{Connection, Server, Session};
use crate::ucwa::UcwaError;

pub use tls::{read_certificate, CertSummary, EXPIRY_WARN_DAYS};

/// The checks, in the order they run.
pub const CHECKS: [&str; 9] = [
    "dns",
    "connect",
    "tls",
    "discovery",
    "sign-in",
    "application",
    "capabilities",
    "events",
    "cleanup",
];

/// The links `capabilities` looks for, in the order they are listed (UCWA link relations).
pub const CAPABILITIES: [&str; 5] = [
    "startAudioVideo",
    "startPhoneAudio",
    "search",
    "makeMeAvailable",
    "myOnlineMeetings",
];

/// Each network step gives up after this.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `events` waits for the channel to deliver what `makeMeAvailable` caused.
pub const EVENTS_WAIT: Duration = Duration::from_secs(5);

/// One check's verdict, ordered from best to worst (`skip` sorts first: it never decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Skip,
    Pass,
    Warn,
    Fail,
}

impl Verdict {
    /// `pass`, `warn`, `fail` or `skip`.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Skip => "skip",
        }
    }
}

/// One finished check.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// One of `CHECKS`.
    pub name: &'static str,
    pub verdict: Verdict,
    /// What was seen and, unless it passed, what to do next (plain words, server text
    /// scrubbed of echoed secrets; the caller sanitizes it for a terminal).
    pub detail: String,
    /// Time the check took, milliseconds.
    pub ms: u64,
    /// `capabilities` only: the links of `CAPABILITIES` the application offers.
    pub offered: Option<Vec<String>>,
}

/// The summary of a walk: the worst verdict and the exit code (0 all pass, 1 some warn,
/// 3 some fail).
pub fn summary(checks: &[Check]) -> (Verdict, u8) {
    let worst = checks
        .iter()
        .map(|c| c.verdict)
        .max()
        .unwrap_or(Verdict::Pass);
    match worst {
        Verdict::Fail => (Verdict::Fail, 3),
        Verdict::Warn => (Verdict::Warn, 1),
        _ => (Verdict::Pass, 0),
    }
}

/// Sends the checks in order.
struct Walk {
    tx: mpsc::UnboundedSender<Check>,
    done: usize,
    started: Instant,
}

impl Walk {
    fn send(&mut self, verdict: Verdict, detail: String) -> Verdict {
        self.send_with(verdict, detail, None)
    }

    fn send_with(
        &mut self,
        verdict: Verdict,
        detail: String,
        offered: Option<Vec<String>>,
    ) -> Verdict {
        let name = CHECKS[self.done];
        self.done += 1;
        let _ = self.tx.send(Check {
            name,
            verdict,
            detail,
            ms: self.started.elapsed().as_millis() as u64,
            offered,
        });
        self.started = Instant::now();
        verdict
    }

    /// Every check not run yet, as `skip`.
    fn skip_rest(&mut self, why: &str) {
        while self.done < CHECKS.len() {
            self.started = Instant::now();
            self.send(Verdict::Skip, why.to_string());
        }
    }
}

/// An error in plain words, with its decoded `X-Ms-diagnostics`.
fn describe(e: &UcwaError) -> String {
    let mut text = e.to_string();
    for d in e.diagnostics() {
        text.push_str(&format!(" · diagnostics: {}", diagnostic_line(&d)));
    }
    text
}

fn diagnostic_line(d: &Diagnostic) -> String {
    d.line()
}

/// What every check left says after one failed.
const AFTER_FAIL: &str = "not run: an earlier check failed";

/// Runs every check against `connection`, sending each as it finishes. Ends after the
/// last check (the receiver may go away at any time: the walk then stops at the next
/// check, still deleting the application).
pub async fn run(connection: Connection, tx: mpsc::UnboundedSender<Check>) {
    let mut walk = Walk {
        tx,
        done: 0,
        started: Instant::now(),
    };
    let Some(session) = up_to_application(&mut walk, connection).await else {
        return walk.skip_rest(AFTER_FAIL);
    };
    let mut verdict = application::capabilities(&mut walk, &session);
    if verdict != Verdict::Fail {
        verdict = application::events(&mut walk, &session).await;
    }
    application::cleanup(&mut walk, &session, verdict == Verdict::Fail).await;
}

/// `dns`, `connect`, `tls`, `discovery`, `sign-in` and `application`, in order: the
/// application's session, or `None` after the first check that failed (its verdict sent).
async fn up_to_application(walk: &mut Walk, connection: Connection) -> Option<Session> {
    let candidates = network::candidates(walk, &connection)?;
    let (chosen, addresses) = network::dns(walk, &candidates).await?;
    let stream = network::connect(walk, &chosen, &addresses).await?;
    let host = chosen.host_str().unwrap_or_default().to_string();
    if chosen.scheme() == "http" {
        drop(stream);
        walk.send(
            Verdict::Skip,
            format!("plain http to the loopback host {host}: no TLS"),
        );
    } else if tls::tls(walk, stream, &host, connection.ca_cert.as_deref()).await == Verdict::Fail {
        return None;
    }
    // From here on, the candidate that resolved.
    let connection = Connection {
        server: Server::Url(chosen),
        ..connection
    };
    let hops = signin::Hops::default();
    let client = signin::client(walk, &connection, &hops)?;
    let user = signin::discovery(walk, &client, &connection, &hops).await?;
    let applications = signin::sign_in(walk, &client, user, &connection, &hops).await?;
    signin::application(walk, client, applications).await
}
