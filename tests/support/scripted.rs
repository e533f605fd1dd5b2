//! A scripted call session with no server: the same `CallUpdate`s a real session sends, paced
//! by `pace`, with one outcome per contact (like the simulator's directory). For trying and
//! testing the TUI without a network; the real session is `call::session::run`. Test
//! support only: it is not part of the library.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use avlaunch::call::session::{CallOptions, Connection};
use avlaunch::call::{
    CallControl, CallError, CallOutcome, CallUpdate, EndedBy, ErrorKind, EventNote, FinalState,
    Step, ValidCall,
};
use avlaunch::tui::SessionRunner;
use avlaunch::ucwa::resource::ErrorBody;
use avlaunch::ucwa::transport::WireRecord;

/// A runner that plays a scripted call, waiting `pace` between steps.
pub fn scripted_session(pace: Duration) -> SessionRunner {
    SessionRunner::new(Arc::new(
        move |call, connection, options, updates, control| {
            Box::pin(play(call, connection, options, updates, control, pace))
        },
    ))
}

struct Script {
    updates: UnboundedSender<CallUpdate>,
    base: String,
    seq: u64,
    json: bool,
    timings: Vec<(Step, Duration)>,
}

impl Script {
    fn send(&self, u: CallUpdate) {
        let _ = self.updates.send(u);
    }

    fn wire(&mut self, method: &str, path: &str, status: u16, body: Option<&str>, took_ms: u64) {
        self.seq += 1;
        let ct = if self.json {
            "application/json"
        } else {
            "application/vnd.microsoft.com.ucwa+xml"
        };
        let request_body = (method == "POST").then(|| {
            if self.json {
                "{\"culture\":\"en-US\",\"userAgent\":\"avlaunch\"}".to_string()
            } else {
                "<input xmlns=\"http://schemas.microsoft.com/rtc/2012/03/ucwa\"><property name=\"userAgent\">avlaunch</property></input>".to_string()
            }
        });
        self.send(CallUpdate::Wire(WireRecord {
            seq: self.seq,
            started: SystemTime::now() - Duration::from_millis(took_ms),
            elapsed: Duration::from_millis(took_ms),
            method: method.into(),
            url: format!("{}{path}", self.base),
            request_headers: vec![
                ("Accept".into(), ct.into()),
                ("Authorization".into(), "Bearer cwt=***".into()),
            ],
            request_body,
            status: Some(status),
            response_headers: vec![("Content-Type".into(), ct.into())],
            response_body: body.map(str::to_string),
            error: None,
        }));
    }

    fn step(&mut self, step: Step, started: Instant) {
        let elapsed = started.elapsed();
        self.timings.push((step, elapsed));
        self.send(CallUpdate::StepFinished { step, elapsed });
    }

    fn event(
        &self,
        kind: &str,
        state: Option<&str>,
        status: Option<&str>,
        reason: Option<ErrorBody>,
    ) {
        self.send(CallUpdate::Event(EventNote {
            at: SystemTime::now(),
            sender: "communication".into(),
            kind: avlaunch::call::EventKind::parse(kind),
            rel: "audioVideoInvitation".into(),
            href: "/ucwa/oauth/v1/applications/101/communication/audioVideoInvitations/1".into(),
            state: state.map(str::to_string),
            status: status.map(avlaunch::call::OperationStatus::parse),
            reason,
        }));
    }
}

async fn play(
    call: ValidCall,
    connection: Connection,
    options: CallOptions,
    updates: UnboundedSender<CallUpdate>,
    mut control: UnboundedReceiver<CallControl>,
    pace: Duration,
) -> CallOutcome {
    let base = match &connection.server {
        avlaunch::call::session::Server::Url(u) => u.as_str().trim_end_matches('/').to_string(),
        avlaunch::call::session::Server::Auto => "https://lyncdiscover.contoso.com".to_string(),
    };
    let mut s = Script {
        updates,
        base,
        seq: 0,
        json: connection.format == avlaunch::ucwa::Format::Json,
        timings: Vec::new(),
    };
    let user = call
        .to
        .trim_start_matches("sip:")
        .split('@')
        .next()
        .unwrap_or("")
        .to_string();
    let inv = "/ucwa/oauth/v1/applications/101/communication/audioVideoInvitations/1".to_string();
    let mut outcome = CallOutcome {
        state: FinalState::Failed,
        invitation: None,
        operation_id: call.operation_id.clone(),
        timings: Vec::new(),
        error: None,
        connected_for: None,
    };
    let deadline = tokio::time::Instant::now() + options.timeout;
    // Waits `d`, or returns true early when the user ends the call.
    let mut wait = async |d: Duration| -> bool {
        tokio::select! {
            c = control.recv() => c.is_some(),
            _ = tokio::time::sleep(d) => false,
            _ = tokio::time::sleep_until(deadline) => true,
        }
    };

    let t = Instant::now();
    s.send(CallUpdate::StepStarted(Step::Discover));
    s.wire(
        "GET",
        "/autodiscover/autodiscoverservice.svc/root",
        200,
        Some("{\"_links\":{\"user\":{\"href\":\"/autodiscover/user\"}}}"),
        4,
    );
    s.step(Step::Discover, t);
    let ended_early = wait(pace).await;
    let t = Instant::now();
    s.send(CallUpdate::StepStarted(Step::SignIn));
    s.wire("GET", "/autodiscover/user", 401, None, 2);
    s.wire(
        "POST",
        "/oauth/token",
        200,
        Some("{\"access_token\":\"cwt=***\",\"token_type\":\"Bearer\"}"),
        6,
    );
    s.step(Step::SignIn, t);
    let t = Instant::now();
    s.send(CallUpdate::StepStarted(Step::CreateApplication));
    s.wire(
        "POST",
        "/ucwa/oauth/v1/applications",
        201,
        Some("{\"id\":\"101\"}"),
        8,
    );
    s.step(Step::CreateApplication, t);
    let finish = |s: &mut Script, mut outcome: CallOutcome| {
        let t = Instant::now();
        s.send(CallUpdate::StepStarted(Step::DeleteApplication));
        s.wire("DELETE", "/ucwa/oauth/v1/applications/101", 204, None, 3);
        s.step(Step::DeleteApplication, t);
        outcome.timings = std::mem::take(&mut s.timings);
        s.send(CallUpdate::Finished(outcome.clone()));
        outcome
    };
    if ended_early || wait(pace).await {
        outcome.state = FinalState::Cancelled;
        outcome.error = Some(error(
            ErrorKind::Cancelled,
            "cancelled before the invitation was sent",
            None,
            None,
            None,
        ));
        return finish(&mut s, outcome);
    }
    let t = Instant::now();
    s.send(CallUpdate::StepStarted(Step::Invite));
    if user == "conflict" {
        s.wire("POST", "/ucwa/oauth/v1/applications/101/communication/startAudioVideo", 409,
            Some("{\"code\":\"Conflict\",\"subcode\":\"AlreadyExists\",\"message\":\"The operation id is already in use.\"}"), 5);
        outcome.error = Some(error(
            ErrorKind::Server,
            "inviting: the server refused: an invitation with this operation id already exists",
            Some(409),
            Some("Conflict"),
            Some("AlreadyExists"),
        ));
        return finish(&mut s, outcome);
    }
    s.wire(
        "POST",
        "/ucwa/oauth/v1/applications/101/communication/startAudioVideo",
        201,
        None,
        5,
    );
    s.step(Step::Invite, t);
    s.send(CallUpdate::InvitationCreated {
        href: inv.clone(),
        operation_id: call.operation_id.clone(),
    });
    outcome.invitation = Some(inv);
    s.send(CallUpdate::StepStarted(Step::Ring));
    s.event("started", Some("Connecting"), None, None);
    s.send(CallUpdate::InvitationState(
        avlaunch::call::InvitationState::Connecting,
    ));
    let cancel = |s: &mut Script, mut outcome: CallOutcome, why: &str| {
        s.send(CallUpdate::StepStarted(Step::Cancel));
        s.wire(
            "POST",
            "/ucwa/oauth/v1/applications/101/communication/audioVideoInvitations/1/cancel",
            204,
            None,
            3,
        );
        s.event(
            "completed",
            None,
            Some("Failure"),
            Some(ErrorBody {
                code: "Cancelled".into(),
                subcode: None,
                message: None,
                parameters: vec![],
                debug_info: vec![],
            }),
        );
        outcome.state = FinalState::Cancelled;
        outcome.error = Some(error(
            ErrorKind::Cancelled,
            why,
            None,
            Some("Cancelled"),
            None,
        ));
        finish(s, outcome)
    };
    if wait(pace).await {
        return cancel(&mut s, outcome, "cancelled while ringing");
    }
    s.event("updated", Some("Alerting"), None, None);
    s.send(CallUpdate::InvitationState(
        avlaunch::call::InvitationState::Alerting,
    ));
    let ring = if user == "carol" {
        options.timeout
    } else {
        pace * 2
    };
    if wait(ring).await {
        return cancel(&mut s, outcome, "cancelled while ringing");
    }
    if user == "bob" {
        s.event(
            "completed",
            None,
            Some("Failure"),
            Some(ErrorBody {
                code: "Declined".into(),
                subcode: None,
                message: Some("The person declined the call.".into()),
                parameters: vec![],
                debug_info: vec![],
            }),
        );
        outcome.error = Some(error(
            ErrorKind::Invitation,
            "sip:bob@contoso.com declined the call",
            None,
            Some("Declined"),
            None,
        ));
        return finish(&mut s, outcome);
    }
    s.step(Step::Ring, t);
    s.event("completed", None, Some("Success"), None);
    s.send(CallUpdate::InvitationState(
        avlaunch::call::InvitationState::Connected,
    ));
    s.send(CallUpdate::StepStarted(Step::InCall));
    let connected = Instant::now();
    let stay = if user == "dave" {
        pace * 6
    } else {
        Duration::from_secs(24 * 3600)
    };
    let ended_by_us = tokio::select! {
        c = control.recv() => c.is_some(),
        _ = tokio::time::sleep(stay) => false,
    };
    outcome.connected_for = Some(connected.elapsed());
    if ended_by_us {
        s.send(CallUpdate::StepStarted(Step::HangUp));
        s.wire(
            "POST",
            "/ucwa/oauth/v1/applications/101/communication/audioVideo/stopAudioVideo",
            204,
            None,
            3,
        );
        outcome.state = FinalState::Ended(EndedBy::Local);
    } else {
        s.event("deleted", None, None, None);
        outcome.state = FinalState::Ended(EndedBy::Remote);
    }
    finish(&mut s, outcome)
}

fn error(
    kind: ErrorKind,
    message: &str,
    status: Option<u16>,
    code: Option<&str>,
    subcode: Option<&str>,
) -> CallError {
    CallError {
        kind,
        message: message.into(),
        status,
        code: code.map(str::to_string),
        subcode: subcode.map(str::to_string),
        server_message: None,
        diagnostics: Vec::new(),
    }
}
