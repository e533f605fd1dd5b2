//! The `startAudioVideo` body and what the flow keeps of an `audioVideoInvitation`.

use base64::Engine;

use super::resource::{Input, Link, Resource, Value};
use crate::call::ValidCall;

/// The nine fields of the reference page. Unset optional fields are left out.
pub fn start_audio_video_input(call: &ValidCall) -> Input {
    let mut properties = vec![
        ("operationId".to_string(), Value::text(&call.operation_id)),
        ("to".to_string(), Value::text(&call.to)),
    ];
    let mut text = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            properties.push((name.to_string(), Value::text(v)));
        }
    };
    text("importance", call.importance.map(|i| i.as_str()));
    text("subject", call.subject.as_deref());
    text("threadId", call.thread_id.as_deref());
    text("sessionContext", call.session_context.as_deref());
    for (name, value) in [
        ("joinAudioMuted", call.join_audio_muted),
        ("joinVideoMuted", call.join_video_muted),
    ] {
        if let Some(b) = value {
            properties.push((name.to_string(), Value::Bool(b)));
        }
    }
    let links = call
        .media_offer
        .as_ref()
        .map(|offer| vec![Link::new("mediaOffer", offer_data_uri(offer))])
        .unwrap_or_default();
    Input { properties, links }
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
pub fn offer_data_uri(offer: &crate::call::request::MediaOffer) -> String {
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
    pub state: Option<String>,
    pub cancel: Option<String>,
    pub conversation: Option<String>,
    pub audio_video: Option<String>,
    pub stop_audio_video: Option<String>,
}

impl CallLinks {
    /// Takes state and links from a fresh copy of the invitation. `cancel` is a
    /// capability: its absence in the latest copy means it no longer applies.
    pub fn update_from_invitation(&mut self, invitation: &Resource) {
        if let Some(state) = invitation.text("state") {
            self.state = Some(state);
        }
        self.cancel = invitation.link("cancel").map(str::to_string);
        if let Some(c) = invitation.link("conversation") {
            self.conversation = Some(c.to_string());
        }
        if let Some(av) = invitation.link("audioVideo") {
            self.audio_video = Some(av.to_string());
        }
    }

    pub fn update_from_audio_video(&mut self, audio_video: &Resource) {
        if let Some(href) = &audio_video.href {
            self.audio_video = Some(href.clone());
        }
        self.stop_audio_video = audio_video.link("stopAudioVideo").map(str::to_string);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{CallRequest, Importance};

    #[test]
    fn all_nine_fields_are_sent_and_unset_ones_left_out() {
        let mut req = CallRequest::to("sip:john@contoso.com");
        let bare = start_audio_video_input(&req.validate().unwrap());
        let names: Vec<_> = bare.properties.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["operationId", "to"]);
        assert!(bare.links.is_empty());

        req.subject = Some("Skype for Business".into());
        req.importance = Some("Urgent".into());
        req.thread_id = Some("292e0aaef36c426a97757f43dda19d06".into());
        req.session_context = Some("8efd502350ff419cb615018ae561f97e".into());
        req.join_audio_muted = Some(false);
        req.join_video_muted = Some(true);
        let mut call = req.validate().unwrap();
        call.media_offer = Some(crate::call::request::MediaOffer {
            media_type: "application/sdp".into(),
            body: "v=0\r\n".into(),
        });
        let input = start_audio_video_input(&call);
        assert_eq!(input.properties.len(), 8);
        assert_eq!(
            input.text("importance").as_deref(),
            Some(Importance::Urgent.as_str())
        );
        assert_eq!(input.property("joinVideoMuted"), Some(&Value::Bool(true)));
        assert_eq!(
            input.link("mediaOffer"),
            Some("data:application/sdp;base64,dj0wDQo=")
        );
    }

    #[test]
    fn a_multipart_offer_keeps_its_media_type_and_a_boundary_cannot_break_the_uri() {
        let offer = crate::call::request::MediaOffer {
            media_type: "multipart/alternative;boundary=a, b".into(),
            body: "--a, b\r\n".into(),
        };
        assert_eq!(
            offer_data_uri(&offer),
            "data:multipart/alternative;boundary=a%2C%20b;base64,LS1hLCBiDQo="
        );
    }
}
