//! One call, independent of any screen: the request (`request`), the session that drives
//! it (`session`), and the stream of `CallUpdate`s that both front-ends (TUI and
//! `avlaunch call`) read.

pub mod answer;
pub mod keeper;
pub mod request;
pub mod session;
pub mod tracker;

use std::time::{Duration, SystemTime};

use crate::ucwa::action::Action;
use crate::ucwa::notice::Notice;
use crate::ucwa::resource::ErrorBody;
use crate::ucwa::transport::WireRecord;
use crate::ucwa::UcwaError;
/// The protocol's states and kinds that reach the front-ends in `CallUpdate`s.
pub use crate::ucwa::{
    invitation::InvitationState,
    modality::{Modality, Offered},
    resource::{EventKind, OperationStatus},
};

pub use request::{CallRequest, Field, FieldError, Importance, ValidCall};

/// The steps of a call, in the order they normally happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// Autodiscovery: root, user link, redirects.
    Discover,
    /// The 401 challenge and the token request.
    SignIn,
    CreateApplication,
    /// The first event-channel GET.
    OpenEvents,
    /// The `startAudioVideo` POST.
    Invite,
    /// From the 201 until the invitation completes.
    Ring,
    /// Connected, until someone hangs up.
    InCall,
    Cancel,
    HangUp,
    DeleteApplication,
}

impl Step {
    /// Plain words for the status pane and text output.
    pub fn label(self) -> &'static str {
        match self {
            Step::Discover => "discovering the server",
            Step::SignIn => "signing in",
            Step::CreateApplication => "creating application",
            Step::OpenEvents => "opening event channel",
            Step::Invite => "inviting",
            Step::Ring => "ringing",
            Step::InCall => "in call",
            Step::Cancel => "cancelling",
            Step::HangUp => "hanging up",
            Step::DeleteApplication => "deleting application",
        }
    }

    /// The machine name used in JSON output.
    pub fn key(self) -> &'static str {
        match self {
            Step::Discover => "discover",
            Step::SignIn => "sign_in",
            Step::CreateApplication => "create_application",
            Step::OpenEvents => "open_events",
            Step::Invite => "invite",
            Step::Ring => "ring",
            Step::InCall => "in_call",
            Step::Cancel => "cancel",
            Step::HangUp => "hang_up",
            Step::DeleteApplication => "delete_application",
        }
    }
}

/// One event from the channel, as the user should see it.
#[derive(Clone, Debug, PartialEq)]
pub struct EventNote {
    pub at: SystemTime,
    /// The sender's rel (`communication`, `conversation`, …).
    pub sender: String,
    /// `added`, `updated`, `deleted`, `started`, `completed`, or an unknown type.
    pub kind: EventKind,
    /// The target's rel and href.
    pub rel: String,
    pub href: String,
    /// The target's `state`, when embedded.
    pub state: Option<String>,
    /// `Success` / `Failure` on `completed`.
    pub status: Option<OperationStatus>,
    pub reason: Option<ErrorBody>,
}

/// Everything a front-end needs to follow a call, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum CallUpdate {
    StepStarted(Step),
    StepFinished {
        step: Step,
        elapsed: Duration,
    },
    /// Something the user should know that is not an error (re-authenticating, following a
    /// redirect, re-creating the application). Its text (`Display`) carries server words:
    /// front-ends sanitize it on the way to a terminal.
    Notice(CallNotice),
    /// One HTTP exchange, already redacted.
    Wire(WireRecord),
    Event(EventNote),
    /// The 201's `Location`, resolved, and the operation id sent.
    InvitationCreated {
        href: String,
        operation_id: String,
    },
    /// The invitation's latest `state` (Connecting, Alerting, Connected, …), only forwards.
    InvitationState(InvitationState),
    /// Which calling modalities the signed-in application offers (its `communication`
    /// links `startAudioVideo`, `startPhoneAudio`); sent once the session is ready, before
    /// the call is placed.
    Offered(Offered),
    /// The far end's media answer (SDP text, decoded from the `audioVideoNegotiation`
    /// event's `mediaAnswer` data URI), for a call that sent a media offer.
    MediaAnswer(String),
    /// A connected call was put on hold (`true`) or taken off it (`false`): the server
    /// accepted `holdPhoneAudio` / `resumePhoneAudio`.
    Held(bool),
    /// Whether the connected call can be put on hold or resumed now: the modality resource
    /// offers `holdPhoneAudio` / `resumePhoneAudio` (each link only while possible).
    HoldOffered {
        hold: bool,
        resume: bool,
    },
    /// The last update: how the call ended.
    Finished(CallOutcome),
}

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinalState {
    /// Connected, and possibly still up when we stopped following it: our hang-up got no
    /// answer and no event showed the call go down.
    Connected,
    /// Never connected: declined, unknown, a server or network error.
    Failed,
    /// We cancelled it while it rang (timeout, Ctrl-C, Esc).
    Cancelled,
    /// Connected, then ended: by us (a confirmed hang-up) or by the far end.
    Ended(EndedBy),
}

/// Who ended a connected call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndedBy {
    /// We hung up, and the server confirmed it.
    Local,
    /// The far end hung up (or the server ended the conversation).
    Remote,
}

impl EndedBy {
    /// The machine name used in JSON output (`ended_by`).
    pub fn as_str(self) -> &'static str {
        match self {
            EndedBy::Local => "local",
            EndedBy::Remote => "remote",
        }
    }
}

impl FinalState {
    /// The machine name used in JSON output (`state`).
    pub fn as_str(self) -> &'static str {
        match self {
            FinalState::Connected => "Connected",
            FinalState::Failed => "Failed",
            FinalState::Cancelled => "Cancelled",
            FinalState::Ended(_) => "Ended",
        }
    }

    /// Who ended the call, for an ended call.
    pub fn ended_by(self) -> Option<EndedBy> {
        match self {
            FinalState::Ended(by) => Some(by),
            _ => None,
        }
    }

    /// Plain words for the status pane, history and text output.
    pub fn label(self) -> &'static str {
        match self {
            FinalState::Ended(EndedBy::Local) => "Ended — you hung up",
            FinalState::Ended(EndedBy::Remote) => "Ended — they hung up",
            other => other.as_str(),
        }
    }
}

/// Why a call did not succeed, which decides the exit code. Serialized (JSON `kind`) as
/// the variant's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ErrorKind {
    /// The invitation failed or was declined (an event-channel `reason`): exit 1.
    Invitation,
    /// Not connected within `--timeout`, or cancelled by the user: exit 1.
    Cancelled,
    /// The server refused a request (a synchronous HTTP error): exit 3.
    Server,
    /// The server could not be reached, or stopped answering: exit 3.
    Network,
    /// The server answered something this client cannot follow, or offers no A/V: exit 3.
    Protocol,
}

/// A failure in plain words, with what the server said kept alongside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    pub kind: ErrorKind,
    /// The plain-words explanation, naming what was being done.
    pub message: String,
    pub status: Option<u16>,
    pub code: Option<String>,
    pub subcode: Option<String>,
    /// The server's own `message`, if any.
    pub server_message: Option<String>,
    /// `X-Ms-diagnostics` of the failed answer, decoded (usually one entry, or none).
    pub diagnostics: Vec<crate::ucwa::diagnostics::Diagnostic>,
}

impl CallError {
    /// An error of our own (no HTTP status, nothing from the server).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CallError {
            kind,
            message: message.into(),
            status: None,
            code: None,
            subcode: None,
            server_message: None,
            diagnostics: Vec::new(),
        }
    }
}

/// The summary of a call: the last `CallUpdate`.
#[derive(Clone, Debug, PartialEq)]
pub struct CallOutcome {
    pub state: FinalState,
    pub invitation: Option<String>,
    pub operation_id: String,
    /// How long each finished step took, in order.
    pub timings: Vec<(Step, Duration)>,
    pub error: Option<CallError>,
    /// How long the call was connected, if it was.
    pub connected_for: Option<Duration>,
}

impl CallOutcome {
    /// `avlaunch call`'s exit code: 0 connected (and ended cleanly), 1
    /// failed/declined/cancelled, 3 errors (a hang-up that was not confirmed included).
    pub fn exit_code(&self) -> u8 {
        match (&self.state, &self.error) {
            (FinalState::Ended(_), _) | (FinalState::Connected, None) => 0,
            (_, Some(e))
                if matches!(
                    e.kind,
                    ErrorKind::Server | ErrorKind::Network | ErrorKind::Protocol
                ) =>
            {
                3
            }
            _ => 1,
        }
    }
}

/// What a Call via Work invitation's `state` means for its two legs, in words for the
/// status line and ladder (PROTOCOL.md §j, "The life of a Call-via-Work call"): at
/// `Connecting` the server rings the user's own phone (`phone`, as sent); once the user
/// answers it calls the callee (`Alerting`, or `TeamRing` / `Forwarded`). `None` for other
/// states.
pub fn phone_leg(state: &str, phone: &str, to: &str) -> Option<String> {
    match state.to_ascii_lowercase().as_str() {
        "connecting" => Some(format!(
            "ringing your phone ({})",
            request::display_phone(phone)
        )),
        "alerting" | "teamring" | "forwarded" => Some(format!("your phone answered: calling {to}")),
        _ => None,
    }
}

/// What the call flow recovered from, or could not clean up, without failing the call.
/// `Display` is the text of the `CallUpdate::Notice` users read; the protocol layer's own
/// recoveries (re-authentication, redirects, resync, retry) are `ucwa::notice::Notice`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallNotice {
    /// A recovery of the protocol layer: re-authenticating, following a redirect, resync,
    /// a retry after Retry-After.
    Protocol(Notice),
    /// The server lost the application (404 ApplicationNotFound, 410): a new one is
    /// created and the call placed again, once.
    ApplicationRecreated(UcwaError),
    /// The event channel says the server ended the application while the call was up.
    ApplicationEnded(UcwaError),
    /// The cancel (while ringing) was refused.
    CancelRefused(UcwaError),
    /// The cancel got no answer within the clean-up bound.
    CancelUnanswered,
    /// The invitation has no `cancel` link: deleting the application ends it.
    NoCancelLink,
    /// The call connected as it was being cancelled: it is hung up.
    AnsweredWhileCancelling,
    /// The application could not be deleted.
    DeleteFailed(UcwaError),
    /// The application's DELETE got no answer within `bound`.
    DeleteUnanswered { bound: std::time::Duration },
    /// The invitation could not be read after the start POST (a fast call may already be
    /// over: the events tell the rest).
    InvitationUnread(UcwaError),
    /// Hold (`hold`) or resume (`!hold`) was asked for, but `resource` offers no such link now.
    HoldNotOffered { hold: bool, resource: &'static str },
    /// The server refused the hold or resume.
    HoldFailed { action: Action, error: UcwaError },
    /// The hold or resume got no answer within `END_CALL_BOUND`.
    HoldUnanswered { action: Action },
    /// One attempt at hanging up went wrong (the next one is tried).
    HangUpTrouble(HangUpTrouble),
    /// Nothing confirmed the hang-up: neither the server's answer nor an event showing the
    /// call go down. Lists what went wrong, in order.
    HangUpUnconfirmed(Vec<HangUpTrouble>),
}

impl std::fmt::Display for CallNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallNotice::Protocol(n) => write!(f, "{n}"),
            CallNotice::ApplicationRecreated(e) => write!(
                f,
                "the server lost the application ({e}); creating a new one and placing the call again"
            ),
            CallNotice::ApplicationEnded(e) => write!(f, "the server ended the application: {e}"),
            CallNotice::CancelRefused(e) => write!(f, "the cancel was refused: {e}"),
            CallNotice::CancelUnanswered => f.write_str("the cancel got no answer in time"),
            CallNotice::NoCancelLink => f.write_str(
                "the invitation offers no cancel link; deleting the application ends it",
            ),
            CallNotice::AnsweredWhileCancelling => {
                f.write_str("the call was answered as it was cancelled: hanging up")
            }
            CallNotice::DeleteFailed(e) => write!(f, "could not delete the application: {e}"),
            CallNotice::DeleteUnanswered { bound } => write!(
                f,
                "could not delete the application: no answer within the {} clean-up bound",
                crate::seconds::format_seconds(*bound)
            ),
            CallNotice::InvitationUnread(e) => write!(f, "could not read the invitation: {e}"),
            CallNotice::HoldNotOffered { hold, resource } => write!(
                f,
                "{} is not offered for this call now ({resource} has no such link)",
                if *hold { "hold" } else { "resume" }
            ),
            CallNotice::HoldFailed { action, error } => write!(f, "{action} failed: {error}"),
            CallNotice::HoldUnanswered { action } => write!(f, "{action} got no answer in time"),
            CallNotice::HangUpTrouble(HangUpTrouble::StopFailed { stop, error }) => {
                write!(f, "{stop} failed ({error}); leaving the conversation instead")
            }
            CallNotice::HangUpTrouble(HangUpTrouble::StopUnanswered { stop, .. }) => {
                write!(f, "{stop} got no answer in time")
            }
            CallNotice::HangUpTrouble(HangUpTrouble::LeaveFailed(e)) => {
                write!(f, "leaving the conversation failed: {e}")
            }
            CallNotice::HangUpTrouble(trouble) => write!(f, "{trouble}"),
            CallNotice::HangUpUnconfirmed(troubles) => {
                f.write_str("the hang-up was not confirmed: ")?;
                for (i, trouble) in troubles.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{trouble}")?;
                }
                f.write_str(", and no event showed the call end; it may still be up until the application is deleted")
            }
        }
    }
}

/// What went wrong with one way of hanging up (`Display`: the words listed when nothing
/// confirmed the hang-up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HangUpTrouble {
    /// The modality's stop link (`stopAudioVideo`, `stopPhoneAudio`) was refused.
    StopFailed {
        stop: &'static str,
        error: UcwaError,
    },
    /// The stop link got no answer within `bound`.
    StopUnanswered {
        stop: &'static str,
        bound: std::time::Duration,
    },
    /// The conversation's DELETE was refused.
    LeaveFailed(UcwaError),
    /// The conversation's DELETE got no answer in time.
    LeaveUnanswered,
    /// The call offered neither the stop link nor a conversation to leave.
    NothingToEnd { stop: &'static str },
}

impl std::fmt::Display for HangUpTrouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HangUpTrouble::StopFailed { stop, error } => write!(f, "{stop} failed ({error})"),
            HangUpTrouble::StopUnanswered { stop, bound } => {
                write!(
                    f,
                    "{stop} got no answer within {}",
                    crate::seconds::format_seconds(*bound)
                )
            }
            HangUpTrouble::LeaveFailed(e) => write!(f, "leaving the conversation failed ({e})"),
            HangUpTrouble::LeaveUnanswered => f.write_str("leaving the conversation got no answer"),
            HangUpTrouble::NothingToEnd { stop } => {
                write!(
                    f,
                    "the call offers neither {stop} nor a conversation to leave"
                )
            }
        }
    }
}

/// Why a call was cancelled before it connected. `Display` is the message of the
/// `Cancelled` error users read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelReason {
    /// The user ended the call before the start request went out.
    BeforePlacing,
    /// The user ended the call while the start request was on its way.
    WhilePlacing,
    /// The user ended the call while it rang.
    WhileRinging,
    /// Nobody answered within `--timeout`.
    Unanswered { timeout: std::time::Duration },
}

impl std::fmt::Display for CancelReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CancelReason::BeforePlacing => {
                f.write_str("cancelled by the user before the call was placed")
            }
            CancelReason::WhilePlacing => {
                f.write_str("cancelled by the user while placing the call")
            }
            CancelReason::WhileRinging => f.write_str("cancelled by the user while ringing"),
            CancelReason::Unanswered { timeout } => {
                write!(
                    f,
                    "not answered within {}: cancelled",
                    crate::seconds::format_seconds(*timeout)
                )
            }
        }
    }
}

/// What a front-end can ask of a running call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallControl {
    /// Cancel if ringing, hang up if connected, then clean up.
    End,
    /// Put the connected call on hold (its modality's `hold` link, when offered).
    Hold,
    /// Take the connected call off hold (its modality's `resume` link, when offered).
    Resume,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_kind_is_the_variant_name() {
        for (kind, name) in [
            (ErrorKind::Invitation, "Invitation"),
            (ErrorKind::Cancelled, "Cancelled"),
            (ErrorKind::Server, "Server"),
            (ErrorKind::Network, "Network"),
            (ErrorKind::Protocol, "Protocol"),
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), name);
        }
    }

    /// Durations in the words users read are as given, not cut to whole seconds.
    #[test]
    fn fractional_bounds_read_as_given() {
        let half = std::time::Duration::from_millis(500);
        assert_eq!(
            CancelReason::Unanswered { timeout: half }.to_string(),
            "not answered within 0.5 s: cancelled"
        );
        let trouble = HangUpTrouble::StopUnanswered {
            stop: "stopAudioVideo",
            bound: std::time::Duration::from_secs(2),
        };
        assert_eq!(
            trouble.to_string(),
            "stopAudioVideo got no answer within 2 s"
        );
    }
}
