//! Drives one call: sign in, application, POST, follow events, end. Always cleans up.

use std::collections::HashSet;

use futures_util::FutureExt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc;
use tokio::time::{sleep_until, timeout_at};

use super::{
    CallControl, CallError, CallOutcome, CallUpdate, EndedBy, ErrorKind, EventNote, FinalState,
    Step, ValidCall,
};
use crate::secret::{Password, Token};
use crate::ucwa::application::{self, Application};
use crate::ucwa::client::{Client, Credentials};
use crate::ucwa::events::{spawn_pump, PumpMessage};
use crate::ucwa::invitation::{start_audio_video_input, CallLinks};
use crate::ucwa::resource::{Event, EventKind, Sender};
use crate::ucwa::{discover, Format, UcwaError};

/// Where to sign in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Server {
    /// A discovery URL (`https://lyncdiscover.contoso.com`, or the simulator's URL).
    Url(url::Url),
    /// Discover from the sign-in name's domain: `lyncdiscoverinternal.<domain>`, then
    /// `lyncdiscover.<domain>`.
    Auto,
}

/// How to reach and sign in to a deployment.
#[derive(Clone, Debug)]
pub struct Connection {
    pub server: Server,
    /// The sign-in name, `user@contoso.com`.
    pub user: String,
    pub password: Option<Password>,
    /// A ready bearer token: skips the token request.
    pub token: Option<Token>,
    pub format: Format,
    /// An extra trusted CA certificate, PEM.
    pub ca_cert: Option<Vec<u8>>,
}

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

/// Runs one call to its end. Every step, exchange and event goes to `updates`; the last
/// update is `CallUpdate::Finished` with the same outcome this returns. `control` ends
/// the call early (cancel while ringing, hang up when connected). The application is
/// deleted on every way out.
pub async fn run(
    call: ValidCall,
    connection: Connection,
    options: CallOptions,
    updates: mpsc::UnboundedSender<CallUpdate>,
    mut control: mpsc::UnboundedReceiver<CallControl>,
) -> CallOutcome {
    let mut session = Session {
        operation_id: call.operation_id.clone(),
        updates,
        timings: Vec::new(),
        invitation: None,
        links: CallLinks::default(),
        seen: HashSet::new(),
        connected_at: None,
        cleanup_started: None,
        far_end_gone: false,
        reported_state: None,
        snapshot_state: None,
        client: None,
        live_application: None,
    };
    let driven =
        std::panic::AssertUnwindSafe(session.drive(call, connection, options, &mut control))
            .catch_unwind()
            .await;
    let result = match driven {
        Ok(result) => result,
        // A bug must not leave a call ringing or an application registered: end them, then
        // report (the panic itself is logged by the panic hook).
        Err(_) => {
            session.clean_up_after_panic().await;
            Err(Stop::Error(CallError::new(ErrorKind::Protocol, "internal error in the call session; the call was ended and the application deleted")))
        }
    };
    session.finish(result)
}

/// Why the flow stopped early.
enum Stop {
    /// A failure to report.
    Error(CallError),
    /// Cancelled by the user or the timeout, before anything rang.
    Cancelled(String),
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
    Cancelled(String),
}

/// How the connected call ended.
enum CallEnd {
    /// We hung up, and the server confirmed it.
    HungUp,
    /// We hung up, but nothing confirmed it: no answer to the hang-up request and no event
    /// showing the call go down. The message says what happened.
    Unconfirmed(String),
    /// The far end hung up.
    Remote,
}

struct Session {
    operation_id: String,
    updates: mpsc::UnboundedSender<CallUpdate>,
    timings: Vec<(Step, Duration)>,
    invitation: Option<url::Url>,
    links: CallLinks,
    /// Events already handled: a server may deliver one twice.
    seen: HashSet<String>,
    connected_at: Option<Instant>,
    /// When clean-up began: every clean-up step shares one budget from here.
    cleanup_started: Option<tokio::time::Instant>,
    /// The call's conversation or audio/video went down (seen in any event so far).
    far_end_gone: bool,
    /// The last invitation state reported: states are reported only forwards.
    reported_state: Option<String>,
    /// The state of the invitation as read by GET, not yet reported: events the server
    /// raised before that GET may still be on their way, and go first.
    snapshot_state: Option<String>,
    /// The signed-in client and the application still to delete, kept here so that a
    /// panic in the flow can still end the call and delete the application.
    client: Option<Arc<Client>>,
    live_application: Option<Application>,
}

impl Session {
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
        connection: Connection,
        options: CallOptions,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
    ) -> Result<FinalState, Stop> {
        let deadline = tokio::time::Instant::now() + options.timeout;
        let wire_tx = self.updates.clone();
        let notice_tx = self.updates.clone();
        let client = Arc::new(Client::new(
            connection.format,
            Credentials {
                user: connection.user.clone(),
                password: connection.password.clone(),
                token: connection.token.clone(),
            },
            connection.ca_cert.as_deref(),
            Arc::new(move |r| {
                let _ = wire_tx.send(CallUpdate::Wire(r));
            }),
            Arc::new(move |n| {
                let _ = notice_tx.send(CallUpdate::Notice(n));
            }),
        )?);
        self.client = Some(client.clone());
        // A Retry-After never stretches the set-up past --timeout.
        client.set_deadline(Some(deadline));

        // Set-up: discovery, sign-in, application. Bounded by the timeout, and ended by
        // the user; the application, once created, is always deleted.
        let mut app: Option<Application> = None;
        let signed_in = tokio::select! {
            r = self.sign_in(&client, &connection) => r,
            Some(CallControl::End) = control.recv() => Err(Stop::Cancelled("cancelled by the user before the call was placed".into())),
            _ = sleep_until(deadline) => Err(Stop::Error(timed_out(options.timeout, "setting up"))),
        };
        // The application POST is not abandoned for a Ctrl-C (only for the deadline): once
        // the server has made it, we must know its href to delete it. A Ctrl-C that came
        // meanwhile is honoured right after.
        let setup = match signed_in {
            Ok(applications) => tokio::select! {
                r = self.create_application(&client, &applications, &mut app) => match r {
                    Ok(()) if ended(control) => Err(Stop::Cancelled("cancelled by the user before the call was placed".into())),
                    Ok(()) => Ok(applications),
                    Err(e) => Err(e),
                },
                _ = sleep_until(deadline) => Err(Stop::Error(timed_out(options.timeout, "creating the application"))),
            },
            Err(e) => Err(e),
        };
        let result = match setup {
            Ok(applications) => {
                self.place(
                    &client,
                    &mut app,
                    &applications,
                    &call,
                    options,
                    deadline,
                    control,
                )
                .await
            }
            Err(e) => Err(e),
        };
        self.live_application = None;
        if let Some(app) = &app {
            self.send(CallUpdate::StepStarted(Step::DeleteApplication));
            let clock = Instant::now();
            let until = self.delete_deadline();
            match timeout_at(until, application::delete(&client, app)).await {
                Ok(Ok(())) => self.finished(Step::DeleteApplication, clock.elapsed()),
                Ok(Err(e)) => self.send(CallUpdate::Notice(format!(
                    "could not delete the application: {e}"
                ))),
                Err(_) => self.send(CallUpdate::Notice(format!(
                    "could not delete the application: no answer within the {} s clean-up bound",
                    CLEANUP_BOUND.as_secs()
                ))),
            }
        }
        result
    }

    /// Discovery and sign-in; returns the `applications` URL.
    async fn sign_in(
        &mut self,
        client: &Client,
        connection: &Connection,
    ) -> Result<url::Url, Stop> {
        let candidates = match &connection.server {
            Server::Url(url) => vec![url.clone()],
            Server::Auto => discover::auto_candidates(&connection.user)?,
        };
        let user = self
            .step(Step::Discover, discover::find_user(client, &candidates))
            .await?;
        Ok(self
            .step(Step::SignIn, discover::sign_in(client, user))
            .await?)
    }

    async fn create_application(
        &mut self,
        client: &Client,
        applications: &url::Url,
        app: &mut Option<Application>,
    ) -> Result<(), Stop> {
        let created = self
            .step(
                Step::CreateApplication,
                application::create(client, applications),
            )
            .await?;
        self.live_application = Some(created.clone());
        *app = Some(created);
        Ok(())
    }

    /// Places the call; if the server loses the application before the call connects,
    /// creates a new one once (telling the user) and places the call again.
    #[allow(clippy::too_many_arguments)]
    async fn place(
        &mut self,
        client: &Arc<Client>,
        app: &mut Option<Application>,
        applications: &url::Url,
        call: &ValidCall,
        options: CallOptions,
        deadline: tokio::time::Instant,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
    ) -> Result<FinalState, Stop> {
        let mut recreated = false;
        loop {
            // Set-up and re-creation both leave an application here before looping.
            let Some(current) = app.clone() else {
                return Err(Stop::Error(CallError::new(
                    ErrorKind::Protocol,
                    "no application to place the call on",
                )));
            };
            match self
                .call(client, &current, call, options, deadline, control)
                .await
            {
                Err(Stop::ApplicationGone(e)) if !recreated => {
                    recreated = true;
                    self.send(CallUpdate::Notice(format!(
                        "the server lost the application ({e}); creating a new one and placing the call again"
                    )));
                    // Usually already gone; a short, best-effort delete in case it is not.
                    self.live_application = None;
                    if let Some(old) = app.take() {
                        let _ = tokio::time::timeout(
                            Duration::from_secs(1),
                            application::delete(client, &old),
                        )
                        .await;
                    }
                    self.invitation = None;
                    self.links = CallLinks::default();
                    self.seen.clear();
                    // As at set-up: a Ctrl-C waits for the POST, so what it made is deleted.
                    tokio::select! {
                        r = self.create_application(client, applications, app) => r?,
                        _ = sleep_until(deadline) => return Err(Stop::Error(timed_out(options.timeout, "re-creating the application"))),
                    };
                    if ended(control) {
                        return Err(Stop::Cancelled(
                            "cancelled by the user before the call was placed".into(),
                        ));
                    }
                }
                Err(Stop::ApplicationGone(e)) => return Err(e.into()),
                other => return other,
            }
        }
    }

    /// From the application to the end of the call: event channel, invite, ring, talk.
    async fn call(
        &mut self,
        client: &Arc<Client>,
        app: &Application,
        call: &ValidCall,
        options: CallOptions,
        deadline: tokio::time::Instant,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
    ) -> Result<FinalState, Stop> {
        let Some(start_href) = app.start_audio_video.clone() else {
            return Err(UcwaError::NotOffered.into());
        };
        // One P-GET parked before the POST, so the server has somewhere to send the call's
        // events (its absence is what CallbackChannelError reports).
        self.send(CallUpdate::StepStarted(Step::OpenEvents));
        let clock = Instant::now();
        let pump = spawn_pump(client.clone(), &app.events);
        let mut events = pump.pages;
        let _pump = AbortOnDrop(pump.task);
        let _ = tokio::time::timeout(Duration::from_secs(1), pump.first_poll).await;
        tokio::task::yield_now().await;
        self.finished(Step::OpenEvents, clock.elapsed());

        let input = start_audio_video_input(call);
        let post = self.step(Step::Invite, async {
            let response = client
                .post(
                    &start_href,
                    Some(&input),
                    "placing the call (startAudioVideo)",
                )
                .await?;
            let location = response
                .header("location")
                .ok_or_else(|| UcwaError::Protocol {
                    action: "placing the call (startAudioVideo)".into(),
                    detail: format!("the server answered {} without a Location", response.status),
                })?;
            let url = client.resolve(location)?;
            client.check_origin(&url, "placing the call (startAudioVideo)")?;
            Ok(url)
        });
        let invitation = tokio::select! {
            r = post => match r {
                Ok(url) => url,
                // The server lost the application under us: the caller re-creates it once.
                Err(e) if e.is_application_not_found() => return Err(Stop::ApplicationGone(e)),
                Err(e) => return Err(e.into()),
            },
            Some(CallControl::End) = control.recv() => return Err(Stop::Cancelled("cancelled by the user while placing the call".into())),
            _ = sleep_until(deadline) => return Err(Stop::Error(timed_out(options.timeout, "placing the call"))),
        };
        self.invitation = Some(invitation.clone());
        self.send(CallUpdate::InvitationCreated {
            href: invitation.to_string(),
            operation_id: self.operation_id.clone(),
        });

        self.send(CallUpdate::StepStarted(Step::Ring));
        let ring_clock = Instant::now();
        // Events the server sent before the 201 reached us are older than a fresh copy of
        // the invitation: handle them first, then read the invitation, then follow events.
        let mut early = None;
        while early.is_none() {
            match events.try_recv() {
                Ok(message) => early = self.on_pump(client, Some(message)).await?,
                Err(_) => break,
            }
        }
        let mut end_requested = false;
        if early.is_none() {
            let read = client.get_resource(invitation.as_str(), "reading the invitation");
            tokio::select! {
                r = read => match r {
                    Ok(resource) => {
                        self.links.update_from_invitation(&resource);
                        // Reported after the events already on their way (see `ring`).
                        self.snapshot_state = self.links.state.clone();
                    }
                    // A fast call may be over (404) before we look: the events tell the rest.
                    Err(e) => self.send(CallUpdate::Notice(format!("could not read the invitation: {e}"))),
                },
                Some(CallControl::End) = control.recv() => end_requested = true,
                _ = sleep_until(deadline) => {}
            }
        }
        let ring = match early {
            Some(end) => end,
            None => {
                self.ring(
                    client,
                    &mut events,
                    options,
                    deadline,
                    control,
                    end_requested,
                )
                .await?
            }
        };
        match ring {
            RingEnd::Failed(error) => {
                self.finished(Step::Ring, ring_clock.elapsed());
                Err(Stop::Error(error))
            }
            RingEnd::Cancelled(why) => Err(Stop::Cancelled(why)),
            RingEnd::Connected => {
                self.finished(Step::Ring, ring_clock.elapsed());
                self.connected_at = Some(Instant::now());
                // --timeout bounds the set-up only; the call itself may last any time.
                client.set_deadline(None);
                self.send(CallUpdate::StepStarted(Step::InCall));
                // The far end may have hung up in the very batch that connected the call.
                let end = if self.far_end_gone {
                    CallEnd::Remote
                } else {
                    self.talk(client, &mut events, options, control).await?
                };
                let talked = self.connected_at.map(|t| t.elapsed()).unwrap_or_default();
                self.finished(Step::InCall, talked);
                match end {
                    CallEnd::HungUp => Ok(FinalState::Ended(EndedBy::Local)),
                    CallEnd::Remote => Ok(FinalState::Ended(EndedBy::Remote)),
                    // The call may still be up: report it as last known, with why.
                    CallEnd::Unconfirmed(why) => Err(Stop::StillConnected(CallError::new(
                        ErrorKind::Network,
                        why,
                    ))),
                }
            }
        }
    }

    /// Follows the invitation until it connects, fails, or is cancelled.
    async fn ring(
        &mut self,
        client: &Arc<Client>,
        events: &mut mpsc::UnboundedReceiver<PumpMessage>,
        options: CallOptions,
        deadline: tokio::time::Instant,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
        end_requested: bool,
    ) -> Result<RingEnd, Stop> {
        if end_requested {
            let why = "cancelled by the user while ringing".to_string();
            return self.cancel(client, events, why).await;
        }
        loop {
            let why = tokio::select! {
                // The invitation's GET copy is newer than any event in flight when it was
                // read: report its state once those events are in (or none came soon).
                _ = tokio::time::sleep(SNAPSHOT_GRACE), if self.snapshot_state.is_some() => {
                    self.report_snapshot();
                    continue;
                }
                message = events.recv() => {
                    let result = self.on_pump(client, message).await;
                    self.report_snapshot();
                    match result {
                        Ok(Some(end)) => return Ok(end),
                        Ok(None) => continue,
                        // The event channel failed for good: the invitation may still ring,
                        // so cancel it before the application is deleted.
                        Err(Stop::Error(e)) => {
                            self.cancel(client, events, String::new()).await?;
                            return Err(Stop::Error(e));
                        }
                        Err(other) => return Err(other),
                    }
                }
                Some(CallControl::End) = control.recv() => "cancelled by the user while ringing".to_string(),
                _ = sleep_until(deadline) => format!("not answered within {} s: cancelled", options.timeout.as_secs()),
            };
            return self.cancel(client, events, why).await;
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
            if let Some(inv) = self.invitation.clone() {
                if let Ok(resource) = client
                    .get_resource(inv.as_str(), "reading the invitation after a resync")
                    .await
                {
                    self.links.update_from_invitation(&resource);
                }
            }
        }
        let mut end = None;
        for (sender, event) in page.events() {
            if let Some(e) = self.on_event(client, sender, event) {
                end.get_or_insert(e);
            }
        }
        if page.is_resume() && end.is_none() {
            return Ok(Some(RingEnd::Failed(CallError::new(ErrorKind::Protocol, "the server reset its conversations after a silence (event channel resume): the invitation is gone"))));
        }
        Ok(end.map(|e| match e {
            Outcome::Connected => RingEnd::Connected,
            Outcome::Failed(error) => RingEnd::Failed(error),
            Outcome::Disconnected => RingEnd::Failed(CallError::new(
                ErrorKind::Invitation,
                "the call ended before it connected",
            )),
        }))
    }

    /// Cancels the ringing invitation and waits (bounded) for its `completed`. If the
    /// answer raced the cancel and the call connected, it is hung up.
    async fn cancel(
        &mut self,
        client: &Arc<Client>,
        events: &mut mpsc::UnboundedReceiver<PumpMessage>,
        why: String,
    ) -> Result<RingEnd, Stop> {
        self.send(CallUpdate::StepStarted(Step::Cancel));
        let clock = Instant::now();
        let until = self.end_call_deadline();
        let cancel_href = match self.links.cancel.clone() {
            Some(href) => Some(href),
            None => match &self.invitation {
                Some(inv) => timeout_at(
                    until,
                    client.get_resource(inv.as_str(), "reading the invitation"),
                )
                .await
                .ok()
                .and_then(Result::ok)
                .and_then(|r| r.link("cancel").map(str::to_string)),
                None => None,
            },
        };
        match cancel_href {
            Some(href) => {
                match timeout_at(until, client.post(&href, None, "cancelling the invitation")).await
                {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => {
                        self.send(CallUpdate::Notice(format!("the cancel was refused: {e}")))
                    }
                    Err(_) => self.send(CallUpdate::Notice(
                        "the cancel got no answer in time".into(),
                    )),
                }
            }
            None => self.send(CallUpdate::Notice(
                "the invitation offers no cancel link; deleting the application ends it".into(),
            )),
        }
        let wait_until = until;
        loop {
            tokio::select! {
                // Events that came while the cancel was on its way go first, even when
                // the deadline has passed meanwhile.
                biased;
                message = events.recv() => match self.on_pump(client, message).await {
                    Ok(Some(RingEnd::Connected)) => {
                        self.send(CallUpdate::Notice("the call was answered as it was cancelled: hanging up".into()));
                        let _ = self.hang_up(client, events).await;
                        break;
                    }
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) => {}
                },
                _ = sleep_until(wait_until) => break,
            }
        }
        self.finished(Step::Cancel, clock.elapsed());
        Ok(RingEnd::Cancelled(why))
    }

    /// The connected call: until the far end hangs up, `hangup_after` passes, or the user
    /// ends it.
    async fn talk(
        &mut self,
        client: &Arc<Client>,
        events: &mut mpsc::UnboundedReceiver<PumpMessage>,
        options: CallOptions,
        control: &mut mpsc::UnboundedReceiver<CallControl>,
    ) -> Result<CallEnd, Stop> {
        let hang_up_at = options
            .hangup_after
            .map(|d| tokio::time::Instant::now() + d);
        loop {
            tokio::select! {
                message = events.recv() => {
                    let page = match message {
                        Some(Ok(page)) => page,
                        Some(Err(e)) if e.is_application_gone() => {
                            self.send(CallUpdate::Notice(format!("the server ended the application: {e}")));
                            return Ok(CallEnd::Remote);
                        }
                        // The event channel failed for good: hang up before the
                        // application is deleted, so the far end is not left on the line.
                        Some(Err(e)) => {
                            let _ = self.hang_up(client, events).await;
                            return Err(e.into());
                        }
                        None => {
                            let _ = self.hang_up(client, events).await;
                            return Err(Stop::Error(channel_closed()));
                        }
                    };
                    let mut ended = page.is_resume();
                    for (sender, event) in page.events() {
                        ended |= matches!(self.on_event(client, sender, event), Some(Outcome::Disconnected));
                    }
                    if ended {
                        return Ok(CallEnd::Remote);
                    }
                }
                Some(CallControl::End) = control.recv() => break,
                _ = async { sleep_until(hang_up_at.unwrap_or_else(tokio::time::Instant::now)).await }, if hang_up_at.is_some() => break,
            }
        }
        Ok(match self.hang_up(client, events).await {
            Ok(()) => CallEnd::HungUp,
            Err(why) => CallEnd::Unconfirmed(why),
        })
    }

    /// Hangs up: `stopAudioVideo`, else DELETE the conversation; waits (bounded) for the
    /// call to go down. The application delete that follows finishes anything left.
    /// Confirmed when the server accepted the hang-up request or an event showed the call
    /// go down; otherwise `Err` says what happened (the step is then not marked done).
    async fn hang_up(
        &mut self,
        client: &Arc<Client>,
        events: &mut mpsc::UnboundedReceiver<PumpMessage>,
    ) -> Result<(), String> {
        self.send(CallUpdate::StepStarted(Step::HangUp));
        let clock = Instant::now();
        let until = self.end_call_deadline();
        if self.links.stop_audio_video.is_none() {
            if let Some(av) = self.links.audio_video.clone() {
                if let Ok(Ok(resource)) = timeout_at(
                    until,
                    client.get_resource(&av, "reading the audio/video modality"),
                )
                .await
                {
                    self.links.update_from_audio_video(&resource);
                }
            }
        }
        let mut done = false;
        let mut unanswered = Vec::new();
        if let Some(stop) = self.links.stop_audio_video.clone() {
            let reason = crate::ucwa::resource::Input {
                properties: vec![(
                    "reason".into(),
                    crate::ucwa::resource::Value::text("UserInitiatedAction"),
                )],
                links: Vec::new(),
            };
            match timeout_at(
                until,
                client.post(&stop, Some(&reason), "hanging up (stopAudioVideo)"),
            )
            .await
            {
                Ok(Ok(_)) => done = true,
                Ok(Err(e)) => {
                    self.send(CallUpdate::Notice(format!(
                        "stopAudioVideo failed ({e}); leaving the conversation instead"
                    )));
                    unanswered.push(format!("stopAudioVideo failed ({e})"));
                }
                Err(_) => {
                    self.send(CallUpdate::Notice(
                        "stopAudioVideo got no answer in time".into(),
                    ));
                    unanswered.push(format!(
                        "stopAudioVideo got no answer within {} s",
                        END_CALL_BOUND.as_secs()
                    ));
                }
            }
        }
        if !done {
            if let Some(conversation) = self.links.conversation.clone() {
                match timeout_at(
                    until,
                    client.delete(&conversation, "hanging up (leaving the conversation)"),
                )
                .await
                {
                    Ok(Ok(_)) => done = true,
                    Ok(Err(e)) => {
                        self.send(CallUpdate::Notice(format!(
                            "leaving the conversation failed: {e}"
                        )));
                        unanswered.push(format!("leaving the conversation failed ({e})"));
                    }
                    Err(_) => unanswered.push("leaving the conversation got no answer".into()),
                }
            }
        }
        let wait_until = until;
        loop {
            tokio::select! {
                // Events that came while the hang-up was on its way go first, even when
                // the deadline has passed meanwhile: they may show the far end gone.
                biased;
                message = events.recv() => match message {
                    Some(Ok(page)) => {
                        let mut ended = false;
                        for (sender, event) in page.events() {
                            ended |= matches!(self.on_event(client, sender, event), Some(Outcome::Disconnected));
                        }
                        if ended { break; }
                    }
                    _ => break,
                },
                _ = sleep_until(wait_until) => break,
            }
        }
        if done || self.far_end_gone {
            self.finished(Step::HangUp, clock.elapsed());
            return Ok(());
        }
        if unanswered.is_empty() {
            unanswered
                .push("the call offers neither stopAudioVideo nor a conversation to leave".into());
        }
        let why = format!(
            "the hang-up was not confirmed: {}, and no event showed the call end; it may still be up until the application is deleted",
            unanswered.join("; ")
        );
        self.send(CallUpdate::Notice(why.clone()));
        Err(why)
    }

    /// Reports the invitation's state if it is further on than the last one reported: an
    /// event or a GET copy that arrives late never takes the state backwards.
    fn report_state(&mut self, state: String) {
        let forwards = match &self.reported_state {
            None => true,
            Some(last) => {
                let (new, old) = (state_rank(&state), state_rank(last));
                new > old || (new == old && new == FINAL_RANK && !state.eq_ignore_ascii_case(last))
            }
        };
        if forwards {
            self.reported_state = Some(state.clone());
            self.send(CallUpdate::InvitationState(state));
        }
    }

    /// Reports the state read by GET, if still pending.
    fn report_snapshot(&mut self) {
        if let Some(state) = self.snapshot_state.take() {
            self.report_state(state);
        }
    }

    fn is_ours(&self, client: &Client, href: &str) -> bool {
        match (&self.invitation, client.resolve(href)) {
            (Some(inv), Ok(url)) => inv == &url,
            _ => false,
        }
    }

    fn same_href(client: &Client, a: &Option<String>, b: &str) -> bool {
        match a {
            Some(a) => match (client.resolve(a), client.resolve(b)) {
                (Ok(x), Ok(y)) => x == y,
                _ => false,
            },
            None => false,
        }
    }

    /// Reports one event and updates the call; returns what it means for the call.
    fn on_event(&mut self, client: &Client, sender: &Sender, event: &Event) -> Option<Outcome> {
        let state = event.embedded.as_ref().and_then(|r| r.text("state"));
        let fingerprint = format!(
            "{}|{}|{}|{}|{:?}",
            sender.href,
            event.kind.as_str(),
            event.link.href,
            state.as_deref().unwrap_or(""),
            event.status
        );
        if !self.seen.insert(fingerprint) {
            return None;
        }
        self.send(CallUpdate::Event(EventNote {
            at: SystemTime::now(),
            sender: sender.rel.clone(),
            kind: event.kind.as_str().to_string(),
            rel: event.link.rel.clone(),
            href: event.link.href.clone(),
            state: state.clone(),
            status: event.status.clone(),
            reason: event.reason.clone(),
        }));
        match event.link.rel.as_str() {
            "audioVideoInvitation" => {
                let by_operation = event
                    .embedded
                    .as_ref()
                    .and_then(|r| r.text("operationId"))
                    .is_some_and(|id| id == self.operation_id);
                if !(self.is_ours(client, &event.link.href) || by_operation) {
                    return None;
                }
                if let Some(resource) = &event.embedded {
                    self.links.update_from_invitation(resource);
                    if let Some(s) = resource.text("state") {
                        self.report_state(s);
                    }
                }
                if event.kind != EventKind::Completed {
                    return None;
                }
                if event.status.as_deref() == Some("Success") {
                    return Some(Outcome::Connected);
                }
                let reason = event.reason.clone().unwrap_or_default();
                let message = match (&reason.message, reason.subcode.as_deref()) {
                    (Some(m), _) => m.clone(),
                    (None, Some(sub)) => format!("the call failed: {sub}"),
                    (None, None) => "the call failed (the server gave no reason)".into(),
                };
                Some(Outcome::Failed(CallError {
                    kind: ErrorKind::Invitation,
                    message,
                    status: None,
                    code: (!reason.code.is_empty()).then(|| reason.code.clone()),
                    subcode: reason.subcode.clone(),
                    server_message: reason.message.clone(),
                    diagnostics: Vec::new(),
                }))
            }
            "conversation" => {
                if !Self::same_href(client, &self.links.conversation, &event.link.href) {
                    return None;
                }
                let gone =
                    event.kind == EventKind::Deleted || state.as_deref() == Some("Disconnected");
                self.far_end_gone |= gone;
                (gone && self.connected_at.is_some()).then_some(Outcome::Disconnected)
            }
            "audioVideo" => {
                let ours = Self::same_href(client, &self.links.audio_video, &event.link.href)
                    || Self::same_href(client, &self.links.conversation, &sender.href);
                if !ours {
                    return None;
                }
                if let Some(resource) = &event.embedded {
                    self.links.update_from_audio_video(resource);
                } else {
                    self.links.audio_video = Some(event.link.href.clone());
                }
                let gone =
                    event.kind == EventKind::Deleted || state.as_deref() == Some("Disconnected");
                self.far_end_gone |= gone;
                (gone && self.connected_at.is_some()).then_some(Outcome::Disconnected)
            }
            _ => None,
        }
    }

    /// After a panic in the flow: cancel or hang up what is live, delete the application,
    /// all within the clean-up budget.
    async fn clean_up_after_panic(&mut self) {
        let Some(client) = self.client.clone() else {
            return;
        };
        let until = self.end_call_deadline();
        let end_call = match self.connected_at {
            Some(_) => self.links.stop_audio_video.clone(),
            None => self.links.cancel.clone(),
        };
        if let Some(href) = end_call {
            let _ = timeout_at(until, client.post(&href, None, "ending the call")).await;
        }
        if let Some(app) = self.live_application.take() {
            let until = self.delete_deadline();
            let _ = timeout_at(until, application::delete(&client, &app)).await;
        }
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
                Some(CallError::new(ErrorKind::Cancelled, why)),
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
            invitation: self.invitation.as_ref().map(|u| u.to_string()),
            operation_id: self.operation_id.clone(),
            timings: self.timings.clone(),
            error,
            connected_for: self.connected_at.map(|t| t.elapsed()),
        };
        self.send(CallUpdate::Finished(outcome.clone()));
        outcome
    }
}

/// What one event means for the call.
enum Outcome {
    Connected,
    Failed(CallError),
    /// The call went down (far end hung up, or conversation deleted).
    Disconnected,
}

/// How long the invitation's GET copy waits for the events that were on their way before
/// its state is reported.
const SNAPSHOT_GRACE: Duration = Duration::from_millis(300);

/// The rank of a failed or ended invitation state (Failed, Declined, Cancelled, or any
/// state not known here): a change between two of these is still reported.
const FINAL_RANK: u8 = 4;

/// Where an invitation state sits in its one-way progress (UCWA audioVideoInvitation:
/// Connecting, then Alerting, then Connected or a failure).
fn state_rank(state: &str) -> u8 {
    match state.to_ascii_lowercase().as_str() {
        "connecting" => 1,
        "alerting" => 2,
        "connected" => 3,
        _ => FINAL_RANK,
    }
}

fn timed_out(limit: Duration, doing: &str) -> CallError {
    CallError::new(
        ErrorKind::Network,
        format!(
            "{doing}: the server did not finish within the {} s timeout (--timeout)",
            limit.as_secs()
        ),
    )
}

fn channel_closed() -> CallError {
    CallError::new(
        ErrorKind::Protocol,
        "the event channel stopped unexpectedly",
    )
}

/// Stops the event pump when the session is done with it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
