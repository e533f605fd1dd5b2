//! `CallRequest`: the nine `startAudioVideo` fields (and, for Call via Work, the user's own
//! phone number) as the user typed them, and the one home of their rules. The TUI form and
//! `avlaunch call` both validate here.
//!
//! This file holds the shapes and the limits; the rules live beside it, one file per group
//! of fields, and `validate.rs` applies them all at once.

mod contact;
mod media_offer;
mod phone;
mod text;
mod validate;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;

use crate::ucwa::invitation::StartFields;
use crate::ucwa::modality::Modality;

pub use crate::ucwa::invitation::MediaOffer;
pub use contact::{check_to, contact_uri, with_sip_scheme};
pub use media_offer::{expand_home, read_media_offer};
pub use phone::{check_phone_number, display_phone};
pub use text::{
    check_importance, check_operation_id, check_session_context, check_subject, check_thread_id,
};

/// Published limits of the reference page, counted in Unicode scalar values.
pub const SUBJECT_MAX: usize = 250;
pub const OPERATION_ID_MAX: usize = 50;
pub const SESSION_CONTEXT_MAX: usize = 50;
/// Not published; large enough for any real offer, small enough to refuse a wrong file.
pub const MEDIA_OFFER_MAX_BYTES: usize = 64 * 1024;
/// The digits of a Call via Work phone number: an extension has at least 2, and no number
/// more than 20 (avlaunch's rule; the reference gives none, PROTOCOL.md §j).
pub const PHONE_DIGITS_MIN: usize = 2;
pub const PHONE_DIGITS_MAX: usize = 20;
/// The digits of an E.164 number after `+` (ITU-T E.164 §6: at most 15).
pub const E164_DIGITS_MAX: usize = 15;
/// `to` and `threadId` have no limit in the reference; ours keeps an absurd value from
/// reaching the server (a SIP URI or a thread id is far shorter in practice).
pub const TO_MAX: usize = 256;
/// See `TO_MAX`.
pub const THREAD_ID_MAX: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Importance {
    Normal,
    Urgent,
    Emergency,
}

impl Importance {
    pub const ALL: [Importance; 3] = [
        Importance::Normal,
        Importance::Urgent,
        Importance::Emergency,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Importance::Normal => "Normal",
            Importance::Urgent => "Urgent",
            Importance::Emergency => "Emergency",
        }
    }

    /// Case-insensitive, as UCWA servers read enum values.
    pub fn parse(s: &str) -> Option<Importance> {
        Importance::ALL
            .into_iter()
            .find(|i| i.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// Which field a problem belongs to; `name()` is the name the user sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    To,
    Subject,
    Importance,
    ThreadId,
    SessionContext,
    OperationId,
    MediaOffer,
    JoinAudioMuted,
    JoinVideoMuted,
    /// Call via Work: the user's own phone (`phoneNumber` of `startPhoneAudio`).
    PhoneNumber,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::To => "to",
            Field::Subject => "subject",
            Field::Importance => "importance",
            Field::ThreadId => "threadId",
            Field::SessionContext => "sessionContext",
            Field::OperationId => "operationId",
            Field::MediaOffer => "mediaOffer",
            Field::JoinAudioMuted => "joinAudioMuted",
            Field::JoinVideoMuted => "joinVideoMuted",
            Field::PhoneNumber => "phoneNumber",
        }
    }

    /// The `avlaunch call` option that sets this field.
    pub fn flag(self) -> &'static str {
        match self {
            Field::To => "--to",
            Field::Subject => "--subject",
            Field::Importance => "--importance",
            Field::ThreadId => "--thread-id",
            Field::SessionContext => "--session-context",
            Field::OperationId => "--operation-id",
            Field::MediaOffer => "--media-offer",
            Field::JoinAudioMuted => "--audio-muted",
            Field::JoinVideoMuted => "--video-muted",
            Field::PhoneNumber => "--via-phone",
        }
    }

    /// The form's label of this field.
    pub fn label(self) -> &'static str {
        match self {
            Field::To => "To",
            Field::Subject => "Subject",
            Field::Importance => "Importance",
            Field::ThreadId => "Thread ID",
            Field::SessionContext => "Session context",
            Field::OperationId => "Operation ID",
            Field::MediaOffer => "Media offer",
            Field::JoinAudioMuted => "Audio muted",
            Field::JoinVideoMuted => "Video muted",
            Field::PhoneNumber => "My phone",
        }
    }
}

/// One problem with one field: `subject: 262 characters, the limit is 250`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.name(), self.message)
    }
}

/// The call as entered. Empty optional text counts as "not sent".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallRequest {
    pub to: String,
    pub subject: Option<String>,
    /// As typed; must name one of `Importance::ALL`.
    pub importance: Option<String>,
    pub thread_id: Option<String>,
    pub session_context: Option<String>,
    pub operation_id: String,
    pub media_offer: Option<PathBuf>,
    pub join_audio_muted: Option<bool>,
    pub join_video_muted: Option<bool>,
    /// Call via Work: the user's own phone, rung first, as typed (`None` or empty: an
    /// audio/video call from this application).
    pub via_phone: Option<String>,
}

/// A request that passed every rule, with the media offer read from its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidCall {
    pub to: String,
    pub subject: Option<String>,
    pub importance: Option<Importance>,
    pub thread_id: Option<String>,
    pub session_context: Option<String>,
    pub operation_id: String,
    /// The offer read from its file: SDP, or Lync's multipart/alternative of SDP parts.
    pub media_offer: Option<MediaOffer>,
    pub join_audio_muted: Option<bool>,
    pub join_video_muted: Option<bool>,
    /// How the call is placed: audio/video from this application (the default), or Call
    /// via Work (`PHONE_AUDIO`) when `phone_number` is set.
    pub modality: &'static Modality,
    /// Call via Work: the user's own phone as sent in `phoneNumber` (`tel:+digits`, or the
    /// digits of an extension; see `check_phone_number`).
    pub phone_number: Option<String>,
}

impl ValidCall {
    /// The fields of the start request, for the modality's body builder.
    pub fn start_fields(&self) -> StartFields<'_> {
        StartFields {
            operation_id: &self.operation_id,
            to: &self.to,
            importance: self.importance.map(Importance::as_str),
            subject: self.subject.as_deref(),
            thread_id: self.thread_id.as_deref(),
            session_context: self.session_context.as_deref(),
            join_audio_muted: self.join_audio_muted,
            join_video_muted: self.join_video_muted,
            media_offer: self.media_offer.as_ref(),
            phone_number: self.phone_number.as_deref(),
        }
    }
}

/// A fresh operation id: 32 random hex digits, a v4 UUID without dashes.
pub fn fresh_operation_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl CallRequest {
    /// A request to `to` with a fresh operation id and nothing else set.
    pub fn to(to: impl Into<String>) -> Self {
        CallRequest {
            to: to.into(),
            operation_id: fresh_operation_id(),
            ..Default::default()
        }
    }
}
