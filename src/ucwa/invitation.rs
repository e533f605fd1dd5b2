//! The start request bodies, one builder per modality, and what the flow keeps of an
//! invitation (`audioVideoInvitation`, `phoneAudioInvitation`).

use base64::Engine;

use super::modality::Modality;
use super::resource::{Input, Link, Resource, Value};

/// A media offer ready to send: its body and the media type of its `data:` URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaOffer {
    /// `application/sdp`, or `multipart/alternative;boundary=…` (the boundary as in the body).
    pub media_type: String,
    /// The SDP text, or the multipart body from its first delimiter line on.
    pub body: String,
}

/// The fields of a start request (`startAudioVideo_ref`, `startPhoneAudio_ref`), already
/// validated. `None` = not sent. Each modality's builder sends the fields it accepts
/// (`Modality::accepts_field`) and ignores the others.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StartFields<'a> {
    pub operation_id: &'a str,
    /// `sip:user@host`.
    pub to: &'a str,
    /// `Normal`, `Urgent` or `Emergency`.
    pub importance: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub thread_id: Option<&'a str>,
    pub session_context: Option<&'a str>,
    pub join_audio_muted: Option<bool>,
    pub join_video_muted: Option<bool>,
    pub media_offer: Option<&'a MediaOffer>,
    /// Call via Work: the user's own phone the server rings first (`tel:` URI).
    pub phone_number: Option<&'a str>,
}

/// The fields every start operation shares, in the reference order.
fn shared_properties(f: &StartFields) -> Vec<(String, Value)> {
    let mut properties = vec![
        ("operationId".to_string(), Value::text(f.operation_id)),
        ("to".to_string(), Value::text(f.to)),
    ];
    for (name, value) in [
        ("importance", f.importance),
        ("subject", f.subject),
        ("threadId", f.thread_id),
    ] {
        if let Some(v) = value {
            properties.push((name.to_string(), Value::text(v)));
        }
    }
    properties
}

/// The `startAudioVideo` body: the nine fields of the reference page. Unset optional
/// fields are left out.
pub fn start_audio_video_input(f: &StartFields) -> Input {
    let mut properties = shared_properties(f);
    if let Some(v) = f.session_context {
        properties.push(("sessionContext".to_string(), Value::text(v)));
    }
    for (name, value) in [
        ("joinAudioMuted", f.join_audio_muted),
        ("joinVideoMuted", f.join_video_muted),
    ] {
        if let Some(b) = value {
            properties.push((name.to_string(), Value::Bool(b)));
        }
    }
    let links = f
        .media_offer
        .map(|offer| vec![Link::new("mediaOffer", offer_data_uri(offer))])
        .unwrap_or_default();
    Input { properties, links }
}

/// The `startPhoneAudio` body (Call via Work): the shared fields and `phoneNumber`.
pub fn start_phone_audio_input(f: &StartFields) -> Input {
    let mut properties = shared_properties(f);
    if let Some(v) = f.phone_number {
        properties.push(("phoneNumber".to_string(), Value::text(v)));
    }
    Input {
        properties,
        links: Vec::new(),
    }
}

/// The start request body for `modality`.
pub fn start_input(modality: &Modality, fields: &StartFields) -> Input {
    match modality.start {
        "startPhoneAudio" => start_phone_audio_input(fields),
        _ => start_audio_video_input(fields),
    }
}

/// An SDP offer as the data URI UCWA expects.
pub fn sdp_data_uri(sdp: &str) -> String {
    format!(
        "data:application/sdp;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(sdp)
    )
}

/// A media offer as a data URI (RFC 2397): `data:application/sdp;base64,…` or
/// `data:multipart/alternative;boundary=…;base64,…`. Characters of the media type that
/// would end or split it in a URI (`,`, `;` in a value, space, `%`, `"`) are percent-encoded.
pub fn offer_data_uri(offer: &MediaOffer) -> String {
    let mut media_type = String::new();
    for (i, part) in offer.media_type.split(';').enumerate() {
        if i > 0 {
            media_type.push(';');
        }
        for c in part.chars() {
            match c {
                ',' | ' ' | '%' | '"' | '#' => media_type.push_str(&format!("%{:02X}", c as u32)),
                c => media_type.push(c),
            }
        }
    }
    format!(
        "data:{media_type};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&offer.body)
    )
}

/// What the flow keeps of the invitation and its call, always from the latest copy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallLinks {
    pub state: Option<InvitationState>,
    pub cancel: Option<String>,
    pub conversation: Option<String>,
    /// The modality resource of the conversation (`Modality::resource`: `audioVideo`).
    pub media: Option<String>,
    /// Its link that ends the call (`Modality::stop`: `stopAudioVideo`).
    pub stop: Option<String>,
    /// Its hold and resume links (`Modality::hold`, `Modality::resume`), each present only
    /// while the action is possible.
    pub hold: Option<String>,
    pub resume: Option<String>,
}

impl CallLinks {
    /// Takes state and links from a fresh copy of the invitation. `cancel` is a
    /// capability: its absence in the latest copy means it no longer applies.
    pub fn update_from_invitation(&mut self, invitation: &Resource, modality: &Modality) {
        if let Some(state) = invitation.text("state") {
            self.state = Some(InvitationState::parse(&state));
        }
        self.cancel = invitation.link("cancel").map(str::to_string);
        if let Some(c) = invitation.link("conversation") {
            self.conversation = Some(c.to_string());
        }
        if let Some(m) = invitation.link(modality.resource) {
            self.media = Some(m.to_string());
        }
    }

    /// Takes the href and the stop link from a fresh copy of the modality resource.
    pub fn update_from_media(&mut self, media: &Resource, modality: &Modality) {
        if let Some(href) = &media.href {
            self.media = Some(href.clone());
        }
        self.stop = media.link(modality.stop).map(str::to_string);
        self.hold = modality
            .hold
            .and_then(|h| media.link(h))
            .map(str::to_string);
        self.resume = modality
            .resume
            .and_then(|r| media.link(r))
            .map(str::to_string);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ucwa::modality::{AUDIO_VIDEO, PHONE_AUDIO};

    #[test]
    fn all_nine_fields_are_sent_and_unset_ones_left_out() {
        let bare = start_audio_video_input(&StartFields {
            operation_id: "1",
            to: "sip:john@contoso.com",
            ..Default::default()
        });
        let names: Vec<_> = bare.properties.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["operationId", "to"]);
        assert!(bare.links.is_empty());

        let offer = MediaOffer {
            media_type: "application/sdp".into(),
            body: "v=0\r\n".into(),
        };
        let full = StartFields {
            operation_id: "1",
            to: "sip:john@contoso.com",
            subject: Some("Skype for Business"),
            importance: Some("Urgent"),
            thread_id: Some("292e0aaef36c426a97757f43dda19d06"),
            session_context: Some("8efd502350ff419cb615018ae561f97e"),
            join_audio_muted: Some(false),
            join_video_muted: Some(true),
            media_offer: Some(&offer),
            phone_number: Some("tel:+15550100"),
        };
        let input = start_audio_video_input(&full);
        let names: Vec<_> = input.properties.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "operationId",
                "to",
                "importance",
                "subject",
                "threadId",
                "sessionContext",
                "joinAudioMuted",
                "joinVideoMuted"
            ]
        );
        assert_eq!(input.text("importance").as_deref(), Some("Urgent"));
        assert_eq!(input.property("joinVideoMuted"), Some(&Value::Bool(true)));
        assert_eq!(
            input.link("mediaOffer"),
            Some("data:application/sdp;base64,dj0wDQo=")
        );
        assert_eq!(start_input(&AUDIO_VIDEO, &full), input);
    }

    #[test]
    fn each_modality_sends_only_the_fields_it_accepts() {
        let offer = MediaOffer {
            media_type: "application/sdp".into(),
            body: "v=0\r\n".into(),
        };
        let full = StartFields {
            operation_id: "1",
            to: "sip:john@contoso.com",
            subject: Some("s"),
            importance: Some("Normal"),
            thread_id: Some("t"),
            session_context: Some("c"),
            join_audio_muted: Some(false),
            join_video_muted: Some(true),
            media_offer: Some(&offer),
            phone_number: Some("tel:+15550100"),
        };
        for m in crate::ucwa::modality::ALL {
            let input = start_input(&m, &full);
            for (name, _) in &input.properties {
                assert!(m.accepts_field(name), "{} sent {name}", m.start);
            }
            for link in &input.links {
                assert!(m.accepts_field(&link.rel), "{} sent {}", m.start, link.rel);
            }
        }
        let phone = start_input(&PHONE_AUDIO, &full);
        assert_eq!(phone.text("phoneNumber").as_deref(), Some("tel:+15550100"));
    }

    #[test]
    fn the_links_kept_follow_the_modality() {
        let invitation = Resource::new("phoneAudioInvitation", None)
            .with_link("phoneAudio", "/pa")
            .with_link("audioVideo", "/av")
            .with_link("cancel", "/cancel");
        let mut links = CallLinks::default();
        links.update_from_invitation(&invitation, &PHONE_AUDIO);
        assert_eq!(links.media.as_deref(), Some("/pa"));
        let media = Resource::new("phoneAudio", Some("/pa".into()))
            .with_link("stopPhoneAudio", "/stop")
            .with_link("stopAudioVideo", "/wrong");
        links.update_from_media(&media, &PHONE_AUDIO);
        assert_eq!(links.stop.as_deref(), Some("/stop"));
    }

    #[test]
    fn a_multipart_offer_keeps_its_media_type_and_a_boundary_cannot_break_the_uri() {
        let offer = MediaOffer {
            media_type: "multipart/alternative;boundary=a, b".into(),
            body: "--a, b\r\n".into(),
        };
        assert_eq!(
            offer_data_uri(&offer),
            "data:multipart/alternative;boundary=a%2C%20b;base64,LS1hLCBiDQo="
        );
    }
}

/// An invitation's `state` (UCWA `InvitationState`, PROTOCOL.md "audioVideoInvitation"):
/// an outgoing call goes Connecting → Alerting (or TeamRing, Forwarded) → Connected, or ends
/// Declined, Cancelled or Failed. Parsed ignoring case; a state this client does not know
/// is kept as received (`Unknown`) and counts as final.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationState {
    Connecting,
    Alerting,
    TeamRing,
    Forwarded,
    Connected,
    Declined,
    Cancelled,
    Failed,
    Unknown(String),
}

impl InvitationState {
    const KNOWN: [InvitationState; 8] = [
        InvitationState::Connecting,
        InvitationState::Alerting,
        InvitationState::TeamRing,
        InvitationState::Forwarded,
        InvitationState::Connected,
        InvitationState::Declined,
        InvitationState::Cancelled,
        InvitationState::Failed,
    ];

    /// The state named by the wire text `s` (any case).
    pub fn parse(s: &str) -> InvitationState {
        Self::KNOWN
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .unwrap_or_else(|| InvitationState::Unknown(s.to_string()))
    }

    /// The wire spelling (an unknown state as received).
    pub fn as_str(&self) -> &str {
        match self {
            InvitationState::Connecting => "Connecting",
            InvitationState::Alerting => "Alerting",
            InvitationState::TeamRing => "TeamRing",
            InvitationState::Forwarded => "Forwarded",
            InvitationState::Connected => "Connected",
            InvitationState::Declined => "Declined",
            InvitationState::Cancelled => "Cancelled",
            InvitationState::Failed => "Failed",
            InvitationState::Unknown(s) => s,
        }
    }

    /// Where the state sits in the one-way progress: a later copy with a lower rank is
    /// stale. Every ending (and every unknown state) shares the highest rank.
    pub fn rank(&self) -> u8 {
        match self {
            InvitationState::Connecting => 1,
            InvitationState::Alerting | InvitationState::TeamRing | InvitationState::Forwarded => 2,
            InvitationState::Connected => 3,
            _ => Self::FINAL_RANK,
        }
    }

    /// The rank of every ending.
    pub const FINAL_RANK: u8 = 4;
}

super::resource::wire_text!(InvitationState);

#[cfg(test)]
mod state_tests {
    use super::InvitationState;

    #[test]
    fn states_parse_in_any_case_and_keep_unknown_text() {
        assert_eq!(
            InvitationState::parse("connected"),
            InvitationState::Connected
        );
        assert_eq!(InvitationState::parse("TeamRing").as_str(), "TeamRing");
        let odd = InvitationState::parse("Parked");
        assert_eq!(odd, InvitationState::Unknown("Parked".into()));
        assert_eq!(odd.to_string(), "Parked");
        assert_eq!(odd.rank(), InvitationState::FINAL_RANK);
        assert!(InvitationState::Connecting.rank() < InvitationState::Alerting.rank());
        assert!(InvitationState::Alerting.rank() < InvitationState::Connected.rank());
    }
}
