//! Drives one call on a signed-in `ucwa::session::Session`, and always cleans up.
//!
//! `run` opens a session for the call, places it and closes the session; `run_on` places a
//! call on a session someone else keeps open; `Keeper` keeps one for every call (the TUI).
//!
//! ```text
//!  set-up ─────────► placing ─────► ringing ──completed Success──► in call ──► hanging up
//!  (discover, sign in, (start POST)    │  │                          │  far end     │
//!   application,         │             │  └─ End / --timeout ──► cancelling         │
//!   event channel)       │             │                             │ (answer raced│
//!    │                   │   completed Failure                       │  the cancel: │
//!    │                   │             │                             │  hang up) ───┤
//!    ▼                   ▼             ▼                             ▼              ▼
//!  ─────────────────────────── deleting (only a session of our own: `run`) ─────────────
//!
//!  error exits: set-up fails or times out → deleting (Failed); the start POST is refused
//!  → deleting (Failed; ApplicationNotFound: re-create once, place again); the event
//!  channel ends or fails for good → see the rule below.
//! ```
//!
//! The phase is `tracker::Phase`; what each events page means is decided by the pure
//! `tracker::Tracker::on_page` (no I/O, unit-tested). Here: set-up and placing; in
//! `session/follow.rs`: the one loop that follows the placed call, waiting on "events / end
//! requested / deadline" and handing each wake to its phase's rule; in `session/end.rs`:
//! the requests that end it (cancel, hang-up, hold, the application delete).
//!
//! One rule for an event channel that closes or fails for good, by phase:
//! - ringing: the invitation may still ring, so it is cancelled (bounded), then Failed
//!   with the channel's error (404 ApplicationNotFound: re-create the application once);
//!   a `resume` counts as a failed channel here;
//! - in call: the call is hung up (bounded) before anything else, then Failed with the
//!   channel's error (the server ending the application counts as "they hung up");
//! - cancelling / hanging up: stop waiting for the confirming event; the outcome stands if
//!   the server accepted the request, else it is "not confirmed" (exit 3).
//!
//! A call this flow may leave behind (a start POST abandoned on its way, a cancel or
//! hang-up nothing confirmed) closes the session after it, even one kept for the next
//! call: deleting the application ends whatever call it still holds.
//!
//! Every wait is bounded: set-up and ringing by `--timeout`, the clean-up by
//! `CLEANUP_BOUND` (ending the call by `END_CALL_BOUND`), the connected call only by
//! `hangup_after` or the user.

use futures_util::FutureExt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::time::{sleep_until, timeout_at};

pub use super::keeper::Keeper;
mod end;
mod follow;

use super::keeper::Relay;
use super::tracker::{Effects, Phase, Tracker, Verdict};
use super::{
    CallControl, CallError, CallOutcome, CallUpdate, EndedBy, ErrorKind, FinalState, Step,
    ValidCall,
};
use super::{CallNotice, CancelReason};
use crate::ucwa::action::Action;
use crate::ucwa::client::Client;
use crate::ucwa::discover;
use crate::ucwa::events::PumpMessage;
use crate::ucwa::invitation::start_input;
use crate::ucwa::modality::{Modality, AUDIO_VIDEO, PHONE_AUDIO};
use crate::ucwa::session::{self as ucwa_session, Session};
pub use crate::ucwa::session::{Connection, Server};
use crate::ucwa::UcwaError;

/// How long to wait, and when to hang up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallOptions {
    /// Cancel the invitation if it is not connected by then (set-up included).
    pub timeout: Duration,
    /// Once connected, hang up after this long; `None` = until the far end hangs up or
    /// `CallControl::End`.
    pub hangup_after: Option<Duration>,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions {
            timeout: Duration::from_secs(60),
            hangup_after: None,
        }
    }
}

/// The whole clean-up (cancel or hang-up, the wait for its effect, and the application
/// delete) ends within this, whatever the server does.
pub const CLEANUP_BOUND: Duration = Duration::from_secs(3);
/// The part of `CLEANUP_BOUND` that ending the call may use; the rest is the delete's.
pub const END_CALL_BOUND: Duration = Duration::from_secs(2);

/// Runs one call to its end on a session of its own: signs in, creates the application,
/// places the call, and deletes the application. Every step, exchange and event goes to
/// `updates`; the last update is `CallUpdate::Finished` with the same outcome this returns.
/// `control` ends the call early (cancel while ringing, hang up when connected). The
/// application is deleted on every way out.
pub async fn run(
    call: ValidCall,
    connection: Connection,
    options: CallOptions,
    updates: mpsc::UnboundedSender<CallUpdate>,
    control: mpsc::UnboundedReceiver<CallControl>,
) -> CallOutcome {
    run_flow(call, Source::Open(connection), options, updates, control).await
}

/// Runs one call to its end on `session`, which stays open for the next operation (unless
/// the call found it broken: see `Session::is_open`). Exchanges and notices go where the
/// session's client sends them; steps, events and the outcome go to `updates`.
pub async fn run_on(
    session: &Session,
    call: ValidCall,
    options: CallOptions,
    updates: mpsc::UnboundedSender<CallUpdate>,
    control: mpsc::UnboundedReceiver<CallControl>,
) -> CallOutcome {
    run_flow(
        call,
        Source::Borrowed(session.clone(), None),
        options,
        updates,
        control,
    )
    .await
}

/// Where the call's session comes from.
pub(super) enum Source {
    /// Opened for this call, closed after it.
    Open(Connection),
    /// Opened for this call and handed to the keeper, which keeps it for the next.
    Keep(Connection, Arc<Keeper>),
    /// Kept open by someone else (the keeper, when named).
    Borrowed(Session, Option<Arc<Keeper>>),
}

pub(super) async fn run_flow(
    call: ValidCall,
    source: Source,
    options: CallOptions,
    updates: mpsc::UnboundedSender<CallUpdate>,
    mut control: mpsc::UnboundedReceiver<CallControl>,
) -> CallOutcome {
    let relay = match &source {
        Source::Keep(_, keeper) => keeper.relay.clone(),
        _ => Relay::default(),
    };
    relay.point_at(&updates);
    let mut flow = Flow {
        relay,
        operation_id: call.operation_id.clone(),
        modality: call.modality,
        updates,
        timings: Vec::new(),
        tracker: Tracker::new(call.modality, &call.operation_id),
        connected_at: None,
        cleanup_started: None,
        snapshot_state: None,
        client: None,
        session: None,
        owned: matches!(source, Source::Open(_)),
        hold_offered: None,
        left_a_call_behind: false,
        talked: None,
        keeper: match &source {
            Source::Keep(_, k) | Source::Borrowed(_, Some(k)) => Some(k.clone()),
            _ => None,
        },
    };
    let driven = std::panic::AssertUnwindSafe(flow.drive(call, source, options, &mut control))
        .catch_unwind()
        .await;
    let result = match driven {
        Ok(result) => result,
        // A bug must not leave a call ringing or an application registered: end them, then
        // report (the panic itself is logged by the panic hook).
        Err(_) => {
            flow.clean_up_after_panic().await;
            Err(Stop::Error(CallError::new(ErrorKind::Protocol, "internal error in the call session; the call was ended and the application deleted")))
        }
    };
    flow.finish(result)
}

/// Why the flow stopped early.
enum Stop {
    /// A failure to report.
    Error(CallError),
    /// Cancelled by the user or the timeout, before anything rang.
    Cancelled(CancelReason),
    /// The event channel says the application no longer exists (404 ApplicationNotFound).
    ApplicationGone(UcwaError),
    /// Connected, and our hang-up was not confirmed: the call may still be up.
    StillConnected(CallError),
}

impl From<UcwaError> for Stop {
    fn from(e: UcwaError) -> Self {
        Stop::Error(call_error(&e))
    }
}

/// Whether an End is waiting in `control` (taken if so).
fn ended(control: &mut mpsc::UnboundedReceiver<CallControl>) -> bool {
    matches!(control.try_recv(), Ok(CallControl::End))
}

/// The plain-words error a `UcwaError` becomes, with status/code/subcode kept.
pub fn call_error(e: &UcwaError) -> CallError {
    let kind = match e {
        UcwaError::Http { .. } | UcwaError::Token { .. } => ErrorKind::Server,
        UcwaError::Transport { .. } => ErrorKind::Network,
        _ => ErrorKind::Protocol,
    };
    let mut message = e.to_string();
    if let UcwaError::Http {
        foreign_body: Some(note),
        ..
    } = e
    {
        message.push_str(&format!(" [{note}]"));
    }
    CallError {
        kind,
        message,
        status: e.status(),
        code: e.body().map(|b| b.code.clone()),
        subcode: e.body().and_then(|b| b.subcode.clone()),
        server_message: e.body().and_then(|b| b.message.clone()),
        diagnostics: e.diagnostics(),
    }
}

/// How the ringing ended.
enum RingEnd {
    Connected,
    Failed(CallError),
}

/// One call in progress.
struct Flow {
    operation_id: String,
    /// How the call is placed: which links, resources and body (see `ucwa::modality`).
    modality: &'static Modality,
    updates: mpsc::UnboundedSender<CallUpdate>,
    timings: Vec<(Step, Duration)>,
    /// What the events said so far, and what they mean (no I/O: see `tracker`).
    tracker: Tracker,
    connected_at: Option<Instant>,
    /// When clean-up began: every clean-up step shares one budget from here.
    cleanup_started: Option<tokio::time::Instant>,
    /// The state of the invitation as read by GET, not yet reported: events the server
    /// raised before that GET may still be on their way, and go first.
    snapshot_state: Option<crate::ucwa::invitation::InvitationState>,
    /// The signed-in client and the session, kept here so that a panic in the flow can
    /// still end the call and delete the application.
    client: Option<Arc<Client>>,
    session: Option<Session>,
    /// Whether this call opened the session (and so closes it).
    owned: bool,
    /// Who keeps the session after the call, if anyone.
    keeper: Option<Arc<Keeper>>,
    /// Hold and resume as last reported to the front-end.
    hold_offered: Option<(bool, bool)>,
    /// Where the client of a session opened here sends exchanges and notices.
    relay: Relay,
    /// The application may hold a call this flow no longer follows: a start POST
    /// abandoned on its way, a cancel or hang-up nothing confirmed. Its session is closed
    /// after the call, so the application's delete ends that call.
    left_a_call_behind: bool,
    /// How long the call was up: from connected to the hang-up's start or the far end
    /// going (the wait for the hang-up's confirmation is not talk).
    talked: Option<Duration>,
}

impl Flow {
    /// The talk is over (the hang-up starts, or the far end went): how long it lasted.
    fn end_talk(&mut self) -> Duration {
        let since = self.connected_at.map(|t| t.elapsed()).unwrap_or_default();
        *self.talked.get_or_insert(since)
    }

    fn cleanup_start(&mut self) -> tokio::time::Instant {
        *self
            .cleanup_started
            .get_or_insert_with(tokio::time::Instant::now)
    }

    /// Until when cancelling or hanging up (and waiting for its effect) may take.
    fn end_call_deadline(&mut self) -> tokio::time::Instant {
        self.cleanup_start() + END_CALL_BOUND
    }

    /// Until when the application delete may take.
    fn delete_deadline(&mut self) -> tokio::time::Instant {
        self.cleanup_start() + CLEANUP_BOUND
    }

    fn send(&self, update: CallUpdate) {
        let _ = self.updates.send(update);
    }

    /// Runs one step, reporting its start and (on success) its duration.
    async fn step<T, F: Future<Output = Result<T, UcwaError>>>(
        &mut self,
        step: Step,
        f: F,
    ) -> Result<T, UcwaError> {
        self.send(CallUpdate::StepStarted(step));
        let clock = Instant::now();
        let result = f.await;
        if result.is_ok() {
            self.finished(step, clock.elapsed());
        }
        result
    }

    fn finished(&mut self, step: Step, elapsed: Duration) {
        self.timings.push((step, elapsed));
        self.send(CallUpdate::StepFinished { step, elapsed });
    }

    async fn drive(
        &mut self,
        call: ValidCall,
        source: Source,
        options: CallOptions,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
    ) -> Result<FinalState, Stop> {
        let deadline = tokio::time::Instant::now() + options.timeout;
        let result = match source {
            Source::Open(connection) | Source::Keep(connection, _) => {
                match self.open(&connection, options, deadline, control).await {
                    Ok(session) => {
                        self.place(&session, &call, options, deadline, control)
                            .await
                    }
                    Err(e) => Err(e),
                }
            }
            Source::Borrowed(session, _) => {
                self.client = Some(session.client().clone());
                self.session = Some(session.clone());
                // A Retry-After never stretches the call's set-up past --timeout.
                session.client().set_deadline(Some(deadline));
                if session.is_open() {
                    self.place(&session, &call, options, deadline, control)
                        .await
                } else {
                    Err(Stop::Error(CallError::new(
                        ErrorKind::Protocol,
                        "the signed-in session is no longer usable (its event channel ended)",
                    )))
                }
            }
        };
        if let Some(client) = &self.client {
            client.set_deadline(None);
        }
        // A session whose application may still hold a call nobody follows is closed too
        // (its delete ends the call), even one kept for the next call.
        let broken = self.session.as_ref().is_some_and(|s| !s.is_open()) || self.left_a_call_behind;
        if self.owned || broken {
            self.close().await;
        }
        if let (Some(keeper), Some(session)) = (&self.keeper, &self.session) {
            if broken {
                keeper.forget(session);
            }
        }
        result
    }

    /// Set-up of a session of our own: discovery, sign-in, application, event channel.
    /// Bounded by the timeout, and ended by the user; the application, once created, is
    /// always deleted (by `close`).
    async fn open(
        &mut self,
        connection: &Connection,
        options: CallOptions,
        deadline: tokio::time::Instant,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
    ) -> Result<Session, Stop> {
        let (wire, notice) = (self.relay.clone(), self.relay.clone());
        let client = ucwa_session::new_client(
            connection,
            Arc::new(move |r| wire.send(CallUpdate::Wire(r))),
            Arc::new(move |n| notice.send(CallUpdate::Notice(CallNotice::Protocol(n)))),
        )?;
        self.client = Some(client.clone());
        // A Retry-After never stretches the set-up past --timeout.
        client.set_deadline(Some(deadline));
        let signed_in = tokio::select! {
            r = self.sign_in(&client, connection) => r,
            Some(CallControl::End) = control.recv() => Err(Stop::Cancelled(CancelReason::BeforePlacing)),
            _ = sleep_until(deadline) => Err(Stop::Error(timed_out(options.timeout, "setting up"))),
        };
        let applications = signed_in?;
        // The application POST is not abandoned for a Ctrl-C (only for the deadline): once
        // the server has made it, we must know its href to delete it. A Ctrl-C that came
        // meanwhile is honoured right after.
        let created = tokio::select! {
            r = self.step(Step::CreateApplication, Session::create(client.clone(), applications)) => r?,
            _ = sleep_until(deadline) => return Err(Stop::Error(timed_out(options.timeout, "creating the application"))),
        };
        self.session = Some(created.clone());
        if let Some(keeper) = &self.keeper {
            keeper.adopt(&created);
        }
        if ended(control) {
            return Err(Stop::Cancelled(CancelReason::BeforePlacing));
        }
        self.open_events(&created).await;
        Ok(created)
    }

    /// Parks the event channel: one P-GET before the POST, so the server has somewhere to
    /// send the call's events (its absence is what CallbackChannelError reports).
    async fn open_events(&mut self, session: &Session) {
        self.send(CallUpdate::StepStarted(Step::OpenEvents));
        let clock = Instant::now();
        session.open_events().await;
        self.finished(Step::OpenEvents, clock.elapsed());
    }

    /// Discovery and sign-in; returns the `applications` URL.
    async fn sign_in(
        &mut self,
        client: &Client,
        connection: &Connection,
    ) -> Result<url::Url, Stop> {
        let user = self
            .step(Step::Discover, ucwa_session::discover(client, connection))
            .await?;
        Ok(self
            .step(Step::SignIn, discover::sign_in(client, user))
            .await?)
    }

    /// Places the call; if the server loses the application before the call connects,
    /// creates a new one once (telling the user) and places the call again.
    async fn place(
        &mut self,
        session: &Session,
        call: &ValidCall,
        options: CallOptions,
        deadline: tokio::time::Instant,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
    ) -> Result<FinalState, Stop> {
        let mut recreated = false;
        loop {
            match self.call(session, call, options, deadline, control).await {
                Err(Stop::ApplicationGone(e)) if !recreated => {
                    recreated = true;
                    self.notice(CallNotice::ApplicationRecreated(e));
                    self.tracker.reset();
                    // As at set-up: a Ctrl-C waits for the POST, so what it made is deleted.
                    tokio::select! {
                        r = self.step(Step::CreateApplication, session.recreate_application()) => r?,
                        _ = sleep_until(deadline) => return Err(Stop::Error(timed_out(options.timeout, "re-creating the application"))),
                    };
                    if ended(control) {
                        return Err(Stop::Cancelled(CancelReason::BeforePlacing));
                    }
                    self.open_events(session).await;
                }
                Err(Stop::ApplicationGone(e)) => return Err(e.into()),
                other => return other,
            }
        }
    }

    /// The start POST (`Modality::start`): the invitation's href from the 201's `Location`.
    /// Ended by the user or the deadline.
    async fn post_start(
        &mut self,
        client: &Arc<Client>,
        start_href: &str,
        call: &ValidCall,
        options: CallOptions,
        deadline: tokio::time::Instant,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
    ) -> Result<url::Url, Stop> {
        let modality = self.modality;
        let input = start_input(modality, &call.start_fields());
        let placing = Action::PlacingCall {
            start: modality.start,
        };
        let post = self.step(Step::Invite, async {
            let response = client.post(start_href, Some(&input), placing).await?;
            let location = response
                .header("location")
                .ok_or_else(|| UcwaError::Protocol {
                    action: placing,
                    detail: format!("the server answered {} without a Location", response.status),
                })?;
            let url = client.resolve(location)?;
            client.check_origin(&url, placing)?;
            Ok(url)
        });
        tokio::select! {
            r = post => match r {
                Ok(url) => Ok(url),
                // The server lost the application under us: the caller re-creates it once.
                Err(e) if e.is_application_not_found() => Err(Stop::ApplicationGone(e)),
                Err(e) => Err(Stop::Error(start_refusal(call_error(&e), call))),
            },
            Some(CallControl::End) = control.recv() => {
                // The server may have made the call already: its application goes with it.
                self.left_a_call_behind = true;
                Err(Stop::Cancelled(CancelReason::WhilePlacing))
            }
            _ = sleep_until(deadline) => {
                self.left_a_call_behind = true;
                Err(Stop::Error(timed_out(options.timeout, "placing the call")))
            }
        }
    }

    /// Handles one message of the event pump while ringing.
    async fn on_pump(
        &mut self,
        client: &Arc<Client>,
        message: Option<PumpMessage>,
    ) -> Result<Option<RingEnd>, Stop> {
        let page = match message {
            Some(Ok(page)) => page,
            Some(Err(e)) if e.is_application_not_found() => return Err(Stop::ApplicationGone(e)),
            Some(Err(e)) => return Err(e.into()),
            None => return Err(Stop::Error(channel_closed())),
        };
        if page.resync.is_some() {
            // Cached state may be stale after a resync: read the invitation afresh.
            if let Some(inv) = self.tracker.invitation.clone() {
                if let Ok(resource) = client
                    .get_resource(inv.as_str(), Action::ReadingInvitationAfterResync)
                    .await
                {
                    self.tracker
                        .links
                        .update_from_invitation(&resource, self.modality);
                }
            }
        }
        let end = self.on_page(&page).verdict;
        // The server says it reset its conversations, but nothing shows this invitation
        // ended: it may still ring, so the rule for a failed channel applies (cancel first).
        if page.is_resume() && end.is_none() {
            return Err(Stop::Error(CallError::new(ErrorKind::Protocol, "the server reset its conversations after a silence (event channel resume): the invitation is gone")));
        }
        Ok(end.map(|e| match e {
            Verdict::Connected => RingEnd::Connected,
            Verdict::Failed(error) => RingEnd::Failed(error),
            Verdict::Disconnected => RingEnd::Failed(CallError::new(
                ErrorKind::Invitation,
                "the call ended before it connected",
            )),
        }))
    }

    /// Reports a recovery or a clean-up trouble (`CallUpdate::Notice`).
    fn notice(&self, notice: CallNotice) {
        self.send(CallUpdate::Notice(notice));
    }

    /// Reports the invitation's state if it is further on than the last one reported.
    fn report_state(&mut self, state: crate::ucwa::invitation::InvitationState) {
        if let Some(update) = self.tracker.report_state(state) {
            self.send(update);
        }
    }

    /// Reports the state read by GET, if still pending.
    fn report_snapshot(&mut self) {
        if let Some(state) = self.snapshot_state.take() {
            self.report_state(state);
        }
    }

    /// Hands one page to the tracker and sends what it reports.
    fn on_page(&mut self, page: &crate::ucwa::resource::EventsPage) -> Effects {
        let effects = self.tracker.on_page(page);
        for update in &effects.updates {
            self.send(update.clone());
        }
        effects
    }

    fn finish(self, result: Result<FinalState, Stop>) -> CallOutcome {
        // The origin rule (see `Client`): a link, Location or redirect to another origin
        // ends the call as a protocol error, whatever happened after the refusal.
        let refusal = self.client.as_ref().and_then(|c| c.origin_refusal());
        let result = match refusal {
            Some(refusal) => Err(Stop::Error(call_error(&refusal))),
            None => result,
        };
        let (state, error) = match result {
            Ok(state) => (state, None),
            Err(Stop::Cancelled(why)) => (
                FinalState::Cancelled,
                Some(CallError::new(ErrorKind::Cancelled, why.to_string())),
            ),
            Err(Stop::Error(e)) => (FinalState::Failed, Some(e)),
            Err(Stop::ApplicationGone(e)) => (FinalState::Failed, Some(call_error(&e))),
            Err(Stop::StillConnected(e)) => (FinalState::Connected, Some(e)),
        };
        match &error {
            Some(e) => tracing::info!(state = state.as_str(), error = %e.message, "call finished"),
            None => tracing::info!(state = state.as_str(), "call finished"),
        }
        let outcome = CallOutcome {
            state,
            invitation: self.tracker.invitation.as_ref().map(|u| u.to_string()),
            operation_id: self.operation_id.clone(),
            timings: self.timings.clone(),
            error,
            connected_for: self
                .talked
                .or_else(|| self.connected_at.map(|t| t.elapsed())),
        };
        self.send(CallUpdate::Finished(outcome.clone()));
        outcome
    }
}

/// How long the invitation's GET copy waits for the events that were on their way before
/// its state is reported.
const SNAPSHOT_GRACE: Duration = Duration::from_millis(300);

fn timed_out(limit: Duration, doing: &str) -> CallError {
    CallError::new(
        ErrorKind::Network,
        format!(
            "{doing}: the server did not finish within the {} timeout (--timeout)",
            crate::seconds::format_seconds(limit)
        ),
    )
}

fn channel_closed() -> CallError {
    CallError::new(
        ErrorKind::Protocol,
        "the event channel stopped unexpectedly",
    )
}

/// The error for a modality the application does not offer (no start link), pointing to
/// the other modality when that one is offered (PROTOCOL.md §j: deployments commonly give
/// third-party applications `startPhoneAudio` and no `startAudioVideo`).
fn not_offered(modality: &Modality, links: &ucwa_session::Links) -> CallError {
    let other = if modality == &PHONE_AUDIO {
        AUDIO_VIDEO
    } else {
        PHONE_AUDIO
    };
    let other_offered = links.start(&other).is_some();
    let message = if modality == &PHONE_AUDIO {
        let mut m = "Call via Work is not available to this account: the application is offered no startPhoneAudio link".to_string();
        if other_offered {
            m.push_str("; audio/video calls are offered (call without --via-phone, or choose Audio: this computer)");
        }
        m
    } else if other_offered {
        "audio/video calls are not offered to this application (no startAudioVideo link), but Call via Work is: place the call through your own phone with --via-phone NUMBER (in the form: Audio: my phone)".to_string()
    } else {
        UcwaError::NotOffered.to_string()
    };
    CallError::new(ErrorKind::Protocol, message)
}

/// Plain words for a refused `startPhoneAudio` (PROTOCOL.md §j, synchronous errors); other
/// modalities' refusals, and other statuses, are kept as they are.
fn start_refusal(mut error: CallError, call: &ValidCall) -> CallError {
    if call.modality != &PHONE_AUDIO {
        return error;
    }
    let named = format!(
        "({} {}/{})",
        error.status.unwrap_or_default(),
        error.code.as_deref().unwrap_or("-"),
        error.subcode.as_deref().unwrap_or("None")
    );
    match (error.status, error.subcode.as_deref()) {
        (Some(403), _) => {
            error.message = format!(
                "Call via Work is not enabled for this user: the server refused startPhoneAudio {named}"
            );
        }
        (Some(400), Some("NormalizationFailed")) => {
            let phone = call
                .phone_number
                .as_deref()
                .map(super::request::display_phone)
                .unwrap_or_default();
            let which = if call.to.starts_with("tel:") {
                format!(
                    "the number {phone} (your phone) or the callee's {}",
                    call.to
                )
            } else {
                format!("the number {phone}")
            };
            error.message = format!("{which} is not valid for this server {named}");
        }
        _ => {}
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::CallRequest;

    fn refused(status: u16, code: &str, subcode: Option<&str>) -> CallError {
        CallError {
            status: Some(status),
            code: Some(code.into()),
            subcode: subcode.map(Into::into),
            ..CallError::new(ErrorKind::Server, "as the server said")
        }
    }

    #[test]
    fn a_refused_call_via_work_is_told_in_plain_words() {
        let mut req = CallRequest::to("sip:alice@contoso.com");
        req.via_phone = Some("+14255551234".into());
        let phone = req.validate().unwrap();
        let e = start_refusal(refused(403, "Forbidden", None), &phone);
        assert!(
            e.message
                .starts_with("Call via Work is not enabled for this user"),
            "{}",
            e.message
        );
        assert_eq!(e.status, Some(403));
        let e = start_refusal(
            refused(400, "BadRequest", Some("NormalizationFailed")),
            &phone,
        );
        assert_eq!(
            e.message,
            "the number +1 425 555 1234 is not valid for this server (400 BadRequest/NormalizationFailed)"
        );
        // Other refusals, and audio/video calls, keep the general words.
        let conflict = refused(409, "Conflict", Some("AlreadyExists"));
        assert_eq!(start_refusal(conflict.clone(), &phone), conflict);
        let av = CallRequest::to("sip:alice@contoso.com").validate().unwrap();
        let forbidden = refused(403, "Forbidden", None);
        assert_eq!(start_refusal(forbidden.clone(), &av), forbidden);
    }
}
