//! What differs between the calling modalities UCWA offers an application: one row per
//! modality, read by the call session, the event routing and the simulator alike.
//!
//! Sources: UCWA 2.0 reference, `startAudioVideo_ref`, `audioVideoInvitation_ref`,
//! `audioVideo_ref`, `stopAudioVideo_ref`; `startPhoneAudio_ref`, `phoneAudioInvitation_ref`,
//! `phoneAudio_ref`, `stopPhoneAudio_ref`, `holdPhoneAudio_ref`, `resumePhoneAudio_Ref`
//! (PROTOCOL.md §e, §f and §j).

/// One calling modality: the names of its links, resources and request fields.
///
/// Every name is a UCWA link relation or resource name, spelled as on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Modality {
    /// The modality resource of the conversation (`audioVideo`, `phoneAudio`); also the
    /// invitation's link to it.
    pub resource: &'static str,
    /// The `communication` link that places a call (`startAudioVideo`, `startPhoneAudio`).
    pub start: &'static str,
    /// The invitation resource a start creates (`audioVideoInvitation`,
    /// `phoneAudioInvitation`): the event channel names it in `link.rel`.
    pub invitation: &'static str,
    /// The modality's link that ends a connected call (`stopAudioVideo`, `stopPhoneAudio`).
    pub stop: &'static str,
    /// Links that put a connected call on hold and take it off, where the modality has
    /// them (`holdPhoneAudio` / `resumePhoneAudio`); each is present on the resource only
    /// while that action is possible.
    pub hold: Option<&'static str>,
    /// See `hold`.
    pub resume: Option<&'static str>,
    /// Whether `stop` takes a `reason` input (stopAudioVideo does; stopPhoneAudio has no
    /// input at all).
    pub stop_takes_reason: bool,
    /// The request fields beyond the shared ones (`operationId`, `to`, `importance`,
    /// `subject`, `threadId`) that this modality accepts.
    pub own_fields: &'static [&'static str],
    /// Plain words for people: "audio/video", "Call via Work".
    pub label: &'static str,
    /// Its name in JSON output (`"audio_video"`, `"phone_audio"`).
    pub key: &'static str,
}

/// `startAudioVideo`: the application itself negotiates media (PROTOCOL.md §e–§f).
pub const AUDIO_VIDEO: Modality = Modality {
    resource: "audioVideo",
    start: "startAudioVideo",
    invitation: "audioVideoInvitation",
    stop: "stopAudioVideo",
    hold: None,
    resume: None,
    stop_takes_reason: true,
    own_fields: &[
        "sessionContext",
        "joinAudioMuted",
        "joinVideoMuted",
        "mediaOffer",
    ],
    label: "audio/video",
    key: "audio_video",
};

/// `startPhoneAudio`, Call via Work: the server rings the user's own phone, then the
/// callee, and joins the two (PROTOCOL.md §j).
pub const PHONE_AUDIO: Modality = Modality {
    resource: "phoneAudio",
    start: "startPhoneAudio",
    invitation: "phoneAudioInvitation",
    stop: "stopPhoneAudio",
    hold: Some("holdPhoneAudio"),
    resume: Some("resumePhoneAudio"),
    stop_takes_reason: false,
    own_fields: &["phoneNumber"],
    label: "Call via Work",
    key: "phone_audio",
};

/// Every calling modality, in the order a front-end prefers them.
pub const ALL: [Modality; 2] = [AUDIO_VIDEO, PHONE_AUDIO];

impl Modality {
    /// The modality whose invitation resource is `rel` (an event's `link.rel`).
    pub fn by_invitation(rel: &str) -> Option<Modality> {
        ALL.into_iter()
            .find(|m| m.invitation.eq_ignore_ascii_case(rel))
    }

    /// The modality whose conversation resource is `rel` (an event's `link.rel`).
    pub fn by_resource(rel: &str) -> Option<Modality> {
        ALL.into_iter()
            .find(|m| m.resource.eq_ignore_ascii_case(rel))
    }

    /// The modality placed through the `communication` link `rel`.
    pub fn by_start(rel: &str) -> Option<Modality> {
        ALL.into_iter().find(|m| m.start.eq_ignore_ascii_case(rel))
    }

    /// Whether the request field `name` belongs to this modality (shared fields included).
    pub fn accepts_field(&self, name: &str) -> bool {
        SHARED_FIELDS.contains(&name) || self.own_fields.contains(&name)
    }
}

/// Which calling modalities an application offers: one flag per row of `ALL` (its
/// `communication` resource has that modality's start link).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Offered([bool; ALL.len()]);

impl Offered {
    /// The modalities `offers` says yes to.
    pub fn from_fn(offers: impl Fn(&Modality) -> bool) -> Offered {
        Offered(ALL.map(|m| offers(&m)))
    }

    /// Whether `modality` is offered.
    pub fn contains(&self, modality: &Modality) -> bool {
        ALL.iter()
            .zip(self.0)
            .any(|(m, offered)| offered && m == modality)
    }

    /// Each modality of `ALL`, with whether it is offered.
    pub fn each(&self) -> impl Iterator<Item = (Modality, bool)> + '_ {
        ALL.into_iter().zip(self.0)
    }
}

/// The request fields every start operation takes (PROTOCOL.md §e, §j).
pub const SHARED_FIELDS: &[&str] = &["operationId", "to", "importance", "subject", "threadId"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_finds_its_own_row_and_no_other() {
        for m in ALL {
            assert_eq!(Modality::by_invitation(m.invitation), Some(m));
            assert_eq!(Modality::by_resource(m.resource), Some(m));
            assert_eq!(Modality::by_start(m.start), Some(m));
            assert_eq!(Modality::by_start(m.invitation), None);
        }
        assert_eq!(Modality::by_invitation("messagingInvitation"), None);
    }

    #[test]
    fn av_only_fields_are_refused_for_phone_audio() {
        for field in [
            "mediaOffer",
            "sessionContext",
            "joinAudioMuted",
            "joinVideoMuted",
        ] {
            assert!(AUDIO_VIDEO.accepts_field(field));
            assert!(!PHONE_AUDIO.accepts_field(field), "{field}");
        }
        assert!(PHONE_AUDIO.accepts_field("phoneNumber"));
        assert!(!AUDIO_VIDEO.accepts_field("phoneNumber"));
        for field in SHARED_FIELDS {
            assert!(AUDIO_VIDEO.accepts_field(field) && PHONE_AUDIO.accepts_field(field));
        }
    }
}
