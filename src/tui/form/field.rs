//! The form's rows: which fields there are, their labels, which are text and which exist
//! only for audio/video calls, and the focus order with the advanced section folded or open.

use crate::call::Field;

/// One row of the form, in focus order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldId {
    To,
    Subject,
    Importance,
    AudioMuted,
    VideoMuted,
    Format,
    /// The fold of the advanced section.
    Advanced,
    ThreadId,
    SessionContext,
    OperationId,
    MediaOffer,
    /// How the call is placed: this computer (audio/video) or my phone (Call via Work).
    Audio,
    /// Call via Work: the user's own phone, rung first.
    Phone,
}

pub(super) const RING_FOLDED: [FieldId; 9] = [
    FieldId::To,
    FieldId::Subject,
    FieldId::Importance,
    FieldId::Audio,
    FieldId::Phone,
    FieldId::AudioMuted,
    FieldId::VideoMuted,
    FieldId::Format,
    FieldId::Advanced,
];
pub(super) const RING_OPEN: [FieldId; 13] = [
    FieldId::To,
    FieldId::Subject,
    FieldId::Importance,
    FieldId::Audio,
    FieldId::Phone,
    FieldId::AudioMuted,
    FieldId::VideoMuted,
    FieldId::Format,
    FieldId::Advanced,
    FieldId::ThreadId,
    FieldId::SessionContext,
    FieldId::OperationId,
    FieldId::MediaOffer,
];

impl FieldId {
    pub fn label(self) -> &'static str {
        match self {
            FieldId::To => "To",
            FieldId::Subject => "Subject",
            FieldId::Importance => "Importance",
            FieldId::AudioMuted => "Join audio muted",
            FieldId::VideoMuted => "Join video muted",
            FieldId::Format => "Format",
            FieldId::Advanced => "Advanced",
            FieldId::ThreadId => "Thread ID",
            FieldId::SessionContext => "Session context",
            FieldId::OperationId => "Operation ID",
            FieldId::MediaOffer => "Media offer",
            FieldId::Audio => "Audio",
            FieldId::Phone => "My phone",
        }
    }

    /// Fields that exist only for audio/video calls (`startAudioVideo`): hidden when the
    /// call goes through the user's phone, and not sent.
    pub fn audio_video_only(self) -> bool {
        matches!(
            self,
            FieldId::AudioMuted
                | FieldId::VideoMuted
                | FieldId::SessionContext
                | FieldId::MediaOffer
        )
    }

    /// A TextArea has the keys: letters type, Left/Right move the cursor.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FieldId::To
                | FieldId::Subject
                | FieldId::ThreadId
                | FieldId::SessionContext
                | FieldId::OperationId
                | FieldId::MediaOffer
                | FieldId::Phone
        )
    }

    pub(super) fn of(field: Field) -> FieldId {
        match field {
            Field::To => FieldId::To,
            Field::Subject => FieldId::Subject,
            Field::Importance => FieldId::Importance,
            Field::ThreadId => FieldId::ThreadId,
            Field::SessionContext => FieldId::SessionContext,
            Field::OperationId => FieldId::OperationId,
            Field::MediaOffer => FieldId::MediaOffer,
            Field::JoinAudioMuted => FieldId::AudioMuted,
            Field::JoinVideoMuted => FieldId::VideoMuted,
            Field::PhoneNumber => FieldId::Phone,
        }
    }
}
