//! The resources the simulator serves, built from its state in the shapes of the samples
//! (`samples/application-create-response.json`, `audioVideoInvitation.json`, …). Pure.

mod people;

pub use people::*;

use super::state::{App, Call, InvitationState, Media};
use crate::ucwa::modality::{Modality, PHONE_AUDIO};
use crate::ucwa::resource::{Resource, Value};

/// The root path (`/` answers the same).
pub const ROOT: &str = "/Autodiscover/AutodiscoverService.svc/root";
pub const USER: &str = "/Autodiscover/AutodiscoverService.svc/root/oauth/user";
pub const XFRAME: &str = "/Autodiscover/XFrame/XFrame.html";
pub const TOKEN: &str = "/WebTicket/oauthtoken";

/// The discovery root: `self`, `user`, `xframe`, absolute on `origin`.
pub fn root(origin: &str) -> Resource {
    Resource::new("", Some(format!("{origin}{ROOT}")))
        .with_link("user", format!("{origin}{USER}"))
        .with_link("xframe", format!("{origin}{XFRAME}"))
}

/// A root whose only link is `redirect`.
pub fn redirect(target: String) -> Resource {
    Resource::new("", None).with_link("redirect", target)
}

/// The authenticated `user` resource.
pub fn user(origin: &str) -> Resource {
    Resource::new("", Some(format!("{origin}{USER}")))
        .with_link(
            "applications",
            format!("{origin}{}", super::state::APPLICATIONS),
        )
        .with_link("xframe", format!("{origin}{XFRAME}"))
}

/// The pool a `user-redirect` sends the user to (same host, another path).
pub const REDIRECT_POOL: &str = "/redirect-pool";
pub const POOL2_USER: &str = "/pool2/Autodiscover/AutodiscoverService.svc/root/oauth/user";

/// The authenticated `user` of a user homed elsewhere: only `redirect`.
pub fn user_redirect(origin: &str) -> Resource {
    Resource::new("", Some(format!("{origin}{USER}")))
        .with_link("redirect", format!("{origin}{REDIRECT_POOL}"))
}

/// The redirect resource: the home pool's `user` and `xframe`.
pub fn redirect_pool(origin: &str) -> Resource {
    Resource::new("redirect", Some(format!("{origin}{REDIRECT_POOL}")))
        .with_link("user", format!("{origin}{POOL2_USER}"))
        .with_link("xframe", format!("{origin}{XFRAME}"))
}

pub(crate) fn text(s: &str) -> Value {
    Value::text(s)
}

pub(crate) fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| text(s)).collect())
}

fn with_links(mut resource: Resource, base: &str, links: &[(&str, &str)]) -> Resource {
    for (rel, path) in links {
        resource = resource.with_link(rel, format!("{base}{path}"));
    }
    resource
}

/// Keeps only characters that are safe in a path segment.
pub fn segment(uri: &str) -> String {
    uri.strip_prefix("sip:")
        .unwrap_or(uri)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The sign-in name as a SIP URI.
pub(crate) fn my_uri(app: &App) -> String {
    if app.user.contains('@') {
        format!("sip:{}", app.user.trim_start_matches("sip:"))
    } else {
        "sip:demo@contoso.com".to_string()
    }
}

/// `communication`, with the start link of each `offered` modality.
pub fn communication(app: &App, offered: &[Modality]) -> Resource {
    let base = app.base();
    let modalities: Vec<&str> = offered
        .iter()
        .flat_map(|m| {
            if *m == PHONE_AUDIO {
                &["PhoneAudio"][..]
            } else {
                &["Audio", "Video"][..]
            }
        })
        .copied()
        .collect();
    let mut comm = Resource::new("communication", Some(format!("{base}/communication")))
        .with_property(&app.put_guid, text("please pass this in a PUT request"))
        .with_property("supportedModalities", list(&modalities))
        .with_property("supportedMessageFormats", list(&["Plain"]));
    comm = with_links(
        comm,
        &base,
        &[(
            "conversations",
            "/communication/conversations?filter=active",
        )],
    );
    for m in offered {
        comm = comm.with_link(m.start, format!("{base}/communication/{}", m.start));
    }
    if let Some(number) = app.available.as_ref().and_then(|a| a.phone_number.as_ref()) {
        comm = comm.with_property("phoneNumber", text(number));
    }
    comm.with_property("etag", text("3140562359"))
}

/// The application, as `POST applications` returns it and `GET` shows it.
pub fn application(app: &App, offered: &[Modality]) -> Resource {
    let base = app.base();
    let mut resource = Resource::new("application", Some(base.clone()))
        .with_property("culture", text(&app.culture))
        .with_property("userAgent", text(&app.user_agent))
        .with_property("endpointId", text(&app.endpoint_id))
        .with_property("id", text(&app.telemetry_id))
        .with_property("type", text("Application"));
    if let Some(instance) = &app.instance_id {
        resource = resource.with_property("instanceId", text(instance));
    }
    resource
        .with_link("events", format!("{base}/events?ack=1"))
        .with_embedded(me(app))
        .with_embedded(people(app))
        .with_embedded(communication(app, offered))
}

/// Paths of one call's resources.
pub struct CallPaths {
    pub communication: String,
    pub invitation: String,
    pub conversation: String,
    /// The conversation's modality resource (`audioVideo`, `phoneAudio`).
    pub modality: String,
    pub local_participant: String,
    pub remote_participant: String,
    pub to_contact: String,
}

impl CallPaths {
    pub fn new(app: &App, call: &Call) -> Self {
        let base = app.base();
        let conversation = format!("{base}/communication/conversations/{}", call.conversation);
        CallPaths {
            communication: format!("{base}/communication"),
            invitation: format!(
                "{base}/communication/{}s/{}",
                call.modality.invitation, call.id
            ),
            modality: format!("{conversation}/{}", call.modality.resource),
            local_participant: format!("{conversation}/participants/{}", segment(&my_uri(app))),
            remote_participant: format!("{conversation}/participants/{}", segment(&call.to)),
            to_contact: format!("{base}/people/{}", segment(&call.to)),
            conversation,
        }
    }
}

fn optional(resource: Resource, name: &str, value: &Option<String>) -> Resource {
    match value {
        Some(v) => resource.with_property(name, text(v)),
        None => resource,
    }
}

/// The local user as a participant (the invitation's `from`).
pub fn local_participant(app: &App, call: &Call) -> Resource {
    let p = CallPaths::new(app, call);
    let uri = my_uri(app);
    Resource::new("localParticipant", Some(p.local_participant))
        .with_property("local", Value::Bool(true))
        .with_property("uri", Value::Text(uri))
        .with_link("conversation", p.conversation)
        .with_link("me", format!("{}/me", app.base()))
}

/// The callee as a participant.
pub fn remote_participant(app: &App, call: &Call, rel: &str) -> Resource {
    let p = CallPaths::new(app, call);
    let name = super::directory::person_by_uri(&call.to).map_or_else(
        || {
            segment(&call.to)
                .split('@')
                .next()
                .unwrap_or_default()
                .to_string()
        },
        |person| person.name.to_string(),
    );
    let known = super::directory::person_by_uri(&call.to).is_some();
    let mut participant = Resource::new(rel, Some(p.remote_participant.clone()))
        .with_property("name", Value::Text(name))
        .with_property("uri", text(&call.to))
        .with_property("sourceNetwork", text("SameEnterprise"));
    if known {
        participant = participant.with_link("contact", p.to_contact);
    }
    participant = participant.with_link("conversation", p.conversation);
    for media in participant_media_rels(call) {
        participant = participant.with_link(media, format!("{}/{media}", p.remote_participant));
    }
    participant
}

/// The audioVideoInvitation at its current state; `cancel` only while it rings.
pub fn invitation(app: &App, call: &Call) -> Resource {
    let p = CallPaths::new(app, call);
    let mut inv = Resource::new(call.modality.invitation, Some(p.invitation.clone()))
        .with_property("direction", text("Outgoing"))
        .with_property("state", text(call.state.as_str()))
        .with_property("operationId", text(&call.operation_id))
        .with_property("to", text(&call.to));
    inv = optional(inv, "subject", &call.subject);
    inv = optional(inv, "importance", &call.importance);
    inv = inv.with_property("threadId", text(&call.thread_id));
    inv = optional(inv, "phoneNumber", &call.phone_number);
    inv = optional(inv, "sessionContext", &call.session_context);
    for (name, value) in [
        ("joinAudioMuted", call.join_audio_muted),
        ("joinVideoMuted", call.join_video_muted),
    ] {
        if let Some(b) = value {
            inv = inv.with_property(name, Value::Bool(b));
        }
    }
    inv = inv
        .with_link("conversation", p.conversation)
        .with_link(call.modality.resource, p.modality);
    if call.state.ringing() {
        inv = inv.with_link("cancel", format!("{}/cancel", p.invitation));
    }
    if super::directory::person_by_uri(&call.to).is_some() {
        inv = inv.with_link("to", p.to_contact);
    }
    inv = inv.with_link("from", p.local_participant);
    if let Some((media_type, body)) = &call.media_offer {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(body);
        inv = inv.with_link("mediaOffer", format!("data:{media_type};base64,{encoded}"));
    }
    inv = inv.with_embedded({
        let mut from = local_participant(app, call);
        from.rel = "from".into();
        from
    });
    if call.state == InvitationState::Connected {
        inv = inv.with_embedded(remote_participant(app, call, "acceptedByParticipant"));
    }
    inv
}

/// The conversation: `Connecting`, then `Connected` with the modality's media; its
/// modality, participants, subject, importance and creation time.
pub fn conversation(app: &App, call: &Call) -> Resource {
    let p = CallPaths::new(app, call);
    let (state, modalities): (&str, &[&str]) = match call.media {
        Media::Connecting => ("Connecting", &[]),
        Media::Connected => ("Connected", call_modalities(call)),
        Media::Disconnected => ("Disconnected", &[]),
    };
    let count = if call.media == Media::Connected { 2 } else { 1 };
    let mut conv = Resource::new("conversation", Some(p.conversation.clone()))
        .with_property("state", text(state))
        .with_property("threadId", text(&call.thread_id))
        .with_property("activeModalities", list(modalities))
        .with_property("participantCount", Value::Number(count.to_string()))
        .with_property(
            "importance",
            text(call.importance.as_deref().unwrap_or("Normal")),
        )
        .with_property("created", text(&iso8601(call.created)));
    conv = optional(conv, "subject", &call.subject);
    conv.with_link(call.modality.resource, p.modality)
        .with_link("localParticipant", p.local_participant)
        .with_link("participants", format!("{}/participants", p.conversation))
}

/// What `activeModalities` holds once connected.
fn call_modalities(call: &Call) -> &'static [&'static str] {
    if call.modality == PHONE_AUDIO {
        &["PhoneAudio"]
    } else {
        &["Audio", "Video"]
    }
}

/// `conversations`: every live conversation, embedded.
pub fn conversations(app: &App) -> Resource {
    let href = format!("{}/communication/conversations", app.base());
    app.calls
        .iter()
        .filter(|c| c.conversation_live)
        .fold(Resource::new("conversations", Some(href)), |list, call| {
            list.with_embedded(conversation(app, call))
        })
}

/// `participants` of a conversation: the local participant, and the callee once in.
pub fn participants(app: &App, call: &Call) -> Resource {
    let p = CallPaths::new(app, call);
    let mut list = Resource::new(
        "participants",
        Some(format!("{}/participants", p.conversation)),
    )
    .with_embedded(local_participant(app, call));
    if call.media == Media::Connected {
        list = list.with_embedded(remote_participant(app, call, "participant"));
    }
    list
}

/// A participant's `participantAudio` / `participantVideo`.
pub fn participant_media(app: &App, call: &Call, rel: &str) -> Resource {
    let p = CallPaths::new(app, call);
    Resource::new(rel, Some(format!("{}/{rel}", p.remote_participant)))
        .with_link("participant", p.remote_participant)
}

/// Seconds since 1970 as ISO 8601 UTC (`2026-11-30T09:00:00Z`).
fn iso8601(at: std::time::SystemTime) -> String {
    let secs = at
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// The call's modality resource (`audioVideo`, `phoneAudio`); its stop link only while
/// connected.
pub fn modality(app: &App, call: &Call) -> Resource {
    let p = CallPaths::new(app, call);
    let mut av = Resource::new(call.modality.resource, Some(p.modality.clone()))
        .with_property("state", text(call.media.as_str()))
        .with_link("conversation", p.conversation);
    if call.media == Media::Connected {
        av = av.with_link(
            call.modality.stop,
            format!("{}/{}", p.modality, call.modality.stop),
        );
        let toggle = if call.held {
            call.modality.resume
        } else {
            call.modality.hold
        };
        if let Some(rel) = toggle {
            av = av.with_link(rel, format!("{}/{rel}", p.modality));
        }
    }
    av
}

/// The media a participant has in a call of this modality.
pub fn participant_media_rels(call: &Call) -> &'static [&'static str] {
    if call.modality == PHONE_AUDIO {
        &["participantAudio"]
    } else {
        &["participantAudio", "participantVideo"]
    }
}

/// The answer to every media offer: one codec per media, and ICE candidates as an edge
/// deployment gives them (a host candidate, and a relay on the media relay, TEST-NET-1).
pub const SDP_ANSWER: &str = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=avlaunch simulator\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50010 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=candidate:1 1 UDP 2130706431 127.0.0.1 50010 typ host\r\na=candidate:2 1 UDP 16648703 192.0.2.10 3478 typ relay raddr 127.0.0.1 rport 50010\r\nm=video 50012 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=candidate:1 1 UDP 2130706431 127.0.0.1 50012 typ host\r\na=candidate:2 1 UDP 16648703 192.0.2.10 3479 typ relay raddr 127.0.0.1 rport 50012\r\n";

/// `data:application/sdp;base64,…`
pub fn data_uri(sdp: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(sdp);
    format!("data:application/sdp;base64,{encoded}")
}

pub fn negotiation(app: &App, call: &Call) -> Resource {
    let p = CallPaths::new(app, call);
    Resource::new(
        "audioVideoNegotiation",
        Some(format!("{}/audioVideoNegotiation", p.invitation)),
    )
    .with_link("mediaAnswer", data_uri(SDP_ANSWER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_times_are_iso_8601_utc() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_029_261);
        assert_eq!(iso8601(at), "2026-11-30T09:01:01Z");
        assert_eq!(iso8601(std::time::UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }
}
