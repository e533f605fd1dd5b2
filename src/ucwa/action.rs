//! `Action`: what the client was doing when something went wrong. It leads every
//! `UcwaError` message ("signing in: …") and every notice about a recovery.

use std::fmt;

/// One operation of the protocol layer (or of a caller building on it). `Display` is the
/// phrase users read at the start of an error message. `Copy`: it is handed down every
/// request of the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Turning `user@domain` into discovery URLs.
    DiscoveringFromSignInName,
    /// Following the discovery root and its redirects to the `user` resource.
    DiscoveringServer,
    /// Reading the user resource, answering its challenge.
    SigningIn,
    /// Answering a 401 challenge after sign-in.
    SigningInAgain,
    /// The token request (password grant) itself.
    RequestingToken,
    /// Resolving an href a server gave.
    FollowingLink,
    /// Reading the `--ca-cert` file.
    ReadingCaCert,
    /// Building the HTTP client.
    StartingHttpClient,
    /// POST to `applications`.
    CreatingApplication,
    /// Deleting an application that came back without what a call needs.
    DeletingUnusableApplication,
    /// DELETE of the application when done.
    DeletingApplication,
    /// GET of the application (its links, after a re-creation).
    ReadingApplication,
    /// GET of the `communication` resource (for links the application lacked).
    ReadingCommunication,
    /// A P-GET of the event channel.
    ReadingEvents,
    /// The start request: `Modality::start` (`startAudioVideo`, `startPhoneAudio`).
    PlacingCall { start: &'static str },
    /// GET of the invitation.
    ReadingInvitation,
    /// GET of the invitation after the event channel asked for a resync.
    ReadingInvitationAfterResync,
    /// POST to the invitation's `cancel` link.
    CancellingInvitation,
    /// GET of the modality resource, for its stop link (`Modality::label`).
    ReadingModality { label: &'static str },
    /// POST to the modality's stop link (`stopAudioVideo`, `stopPhoneAudio`).
    HangingUp { stop: &'static str },
    /// DELETE of the conversation, when the stop link is absent or failed.
    LeavingConversation,
    /// POST to the stop link while cleaning up after a panic.
    EndingCall,
    /// An operation named by the module that performs it (a search, presence, a
    /// connectivity check): the phrase as that module gives it.
    Named(&'static str),
}

impl From<&'static str> for Action {
    fn from(phrase: &'static str) -> Action {
        Action::Named(phrase)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::DiscoveringFromSignInName => f.write_str("discovering from the sign-in name"),
            Action::DiscoveringServer => f.write_str("discovering the server"),
            Action::SigningIn => f.write_str("signing in"),
            Action::SigningInAgain => f.write_str("signing in again"),
            Action::RequestingToken => f.write_str("requesting a token"),
            Action::FollowingLink => f.write_str("following a link"),
            Action::ReadingCaCert => f.write_str("reading --ca-cert"),
            Action::StartingHttpClient => f.write_str("starting the HTTP client"),
            Action::CreatingApplication => f.write_str("creating the application"),
            Action::DeletingUnusableApplication => f.write_str("deleting the unusable application"),
            Action::DeletingApplication => f.write_str("deleting the application"),
            Action::ReadingApplication => f.write_str("reading the application"),
            Action::ReadingCommunication => f.write_str("reading the communication resource"),
            Action::ReadingEvents => f.write_str("reading the event channel"),
            Action::PlacingCall { start } => write!(f, "placing the call ({start})"),
            Action::ReadingInvitation => f.write_str("reading the invitation"),
            Action::ReadingInvitationAfterResync => {
                f.write_str("reading the invitation after a resync")
            }
            Action::CancellingInvitation => f.write_str("cancelling the invitation"),
            Action::ReadingModality { label } => write!(f, "reading the {label} modality"),
            Action::HangingUp { stop } => write!(f, "hanging up ({stop})"),
            Action::LeavingConversation => f.write_str("hanging up (leaving the conversation)"),
            Action::EndingCall => f.write_str("ending the call"),
            Action::Named(phrase) => f.write_str(phrase),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Action;

    #[test]
    fn each_action_reads_as_the_phrase_users_see() {
        for (action, text) in [
            (Action::RequestingToken, "requesting a token"),
            (
                Action::PlacingCall {
                    start: "startPhoneAudio",
                },
                "placing the call (startPhoneAudio)",
            ),
            (
                Action::HangingUp {
                    stop: "stopAudioVideo",
                },
                "hanging up (stopAudioVideo)",
            ),
            (
                Action::from("searching the directory"),
                "searching the directory",
            ),
        ] {
            assert_eq!(action.to_string(), text);
        }
    }
}
