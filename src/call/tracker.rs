//! What the event pages say about one call, decided without I/O: which events are the
//! call's (by invitation href or operation id, conversation and modality hrefs), which
//! invitation states to report (only forwards), and what each page means for the call
//! (connected, failed, disconnected). The session feeds it pages and acts on its verdicts.

use std::collections::HashSet;
use std::time::SystemTime;

use url::Url;

use super::{CallError, CallUpdate, ErrorKind, EventNote};
use crate::ucwa::invitation::{CallLinks, InvitationState};
use crate::ucwa::modality::{Modality, PHONE_AUDIO};
use crate::ucwa::resource::{Event, EventKind, EventsPage, OperationStatus, Sender};

/// Where the call is in its lifecycle (see the diagram in `session.rs`). Set by the session
/// as it moves on; the tracker reads it to judge what a page means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Phase {
    /// Discovery, sign-in, application, event channel: nothing placed yet.
    #[default]
    SettingUp,
    /// The start POST is on its way.
    Placing,
    /// The invitation exists and has not completed.
    Ringing,
    /// We asked the invitation to stop ringing.
    Cancelling,
    /// Connected.
    InCall,
    /// Ending the call; `after_connect` when it had connected (not a cancel that raced an
    /// answer).
    HangingUp { after_connect: bool },
}

impl Phase {
    /// Whether the call had connected: only then does a conversation or modality going
    /// down end it as "they hung up".
    pub fn connected(self) -> bool {
        matches!(
            self,
            Phase::InCall
                | Phase::HangingUp {
                    after_connect: true
                }
        )
    }
}

/// What one event means for the call.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The invitation completed with Success.
    Connected,
    /// The invitation completed with Failure (declined, not found, …).
    Failed(CallError),
    /// The call went down (far end hung up, or conversation deleted) after it connected.
    Disconnected,
}

/// What one page means: what to report, in order, and the first verdict.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Effects {
    /// Event notes and invitation states to send, in order.
    pub updates: Vec<CallUpdate>,
    /// The first verdict of the page's events.
    pub verdict: Option<Verdict>,
    /// Whether any event of the page said the connected call went down.
    pub disconnected: bool,
}

/// The call as the events describe it.
#[derive(Clone, Debug)]
pub struct Tracker {
    modality: &'static Modality,
    operation_id: String,
    /// Relative hrefs resolve against this (the application's href): UCWA's are
    /// absolute paths on the pool.
    pub base: Option<Url>,
    /// The invitation's href, from the 201's `Location`.
    pub invitation: Option<Url>,
    pub links: CallLinks,
    pub phase: Phase,
    /// The call's conversation or modality went down (seen in any event so far).
    pub far_end_gone: bool,
    /// Events already handled: a server may deliver one twice.
    seen: HashSet<String>,
    /// The last invitation state reported: states are reported only forwards.
    reported_state: Option<InvitationState>,
}

impl Tracker {
    pub fn new(modality: &'static Modality, operation_id: &str) -> Tracker {
        Tracker {
            modality,
            operation_id: operation_id.to_string(),
            base: None,
            invitation: None,
            links: CallLinks::default(),
            phase: Phase::SettingUp,
            far_end_gone: false,
            seen: HashSet::new(),
            reported_state: None,
        }
    }

    /// Forgets the invitation (the application was re-created and the call is placed
    /// again). What was reported stays reported.
    pub fn reset(&mut self) {
        self.invitation = None;
        self.links = CallLinks::default();
        self.seen.clear();
        self.phase = Phase::SettingUp;
    }

    /// The update for the invitation's `state`, if it is further on than the last one
    /// reported: an event or a GET copy that arrives late never takes the state backwards.
    /// Between two states of one rank (Alerting and TeamRing, or two endings) a change is
    /// reported.
    pub fn report_state(&mut self, state: InvitationState) -> Option<CallUpdate> {
        let forwards = match &self.reported_state {
            None => true,
            Some(last) => {
                state.rank() > last.rank() || (state.rank() == last.rank() && state != *last)
            }
        };
        forwards.then(|| {
            self.reported_state = Some(state.clone());
            CallUpdate::InvitationState(state)
        })
    }

    /// Every event of `page`, in order.
    pub fn on_page(&mut self, page: &EventsPage) -> Effects {
        let mut effects = Effects::default();
        for (sender, event) in page.events() {
            if let Some(v) = self.on_event(sender, event, &mut effects.updates) {
                effects.disconnected |= v == Verdict::Disconnected;
                effects.verdict.get_or_insert(v);
            }
        }
        effects
    }

    fn resolve(&self, href: &str) -> Option<Url> {
        match &self.base {
            Some(base) => base.join(href).ok(),
            None => Url::parse(href).ok(),
        }
    }

    fn is_ours(&self, href: &str) -> bool {
        match (&self.invitation, self.resolve(href)) {
            (Some(inv), Some(url)) => inv == &url,
            _ => false,
        }
    }

    fn same_href(&self, a: &Option<String>, b: &str) -> bool {
        match a {
            Some(a) => match (self.resolve(a), self.resolve(b)) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            },
            None => false,
        }
    }

    /// One event: noted (once), and judged.
    fn on_event(
        &mut self,
        sender: &Sender,
        event: &Event,
        updates: &mut Vec<CallUpdate>,
    ) -> Option<Verdict> {
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
        // A kept session's channel carries every call's events (an earlier call's last
        // ones, a call placed at the same time): only this call's are noted and judged.
        if !self.owns(sender, event) {
            return None;
        }
        updates.push(CallUpdate::Event(EventNote {
            at: SystemTime::now(),
            sender: sender.rel.clone(),
            kind: event.kind.clone(),
            rel: event.link.rel.clone(),
            href: event.link.href.clone(),
            state: state.clone(),
            status: event.status.clone(),
            reason: event.reason.clone(),
        }));
        let modality = self.modality;
        let rel = event.link.rel.as_str();
        let gone = event.kind == EventKind::Deleted || state.as_deref() == Some("Disconnected");
        match rel {
            _ if rel == modality.invitation => self.on_invitation(event, updates),
            // The far end's answer to our media offer, sent by our invitation.
            "audioVideoNegotiation" => {
                let answer = event
                    .embedded
                    .as_ref()
                    .and_then(|r| r.link("mediaAnswer"))
                    .and_then(super::answer::decode_data_uri);
                updates.extend(answer.map(CallUpdate::MediaAnswer));
                None
            }
            "conversation" => {
                self.far_end_gone |= gone;
                (gone && self.phase.connected()).then_some(Verdict::Disconnected)
            }
            _ if rel == modality.resource => {
                if let Some(resource) = &event.embedded {
                    self.links.update_from_media(resource, modality);
                } else {
                    self.links.media = Some(event.link.href.clone());
                }
                self.far_end_gone |= gone;
                (gone && self.phase.connected()).then_some(Verdict::Disconnected)
            }
            _ => None,
        }
    }

    /// Whether an event is about this call: its invitation (by href, or by operation id
    /// before the 201 came), the answer its invitation sent, its conversation, its
    /// modality resource, or anything else inside its conversation (participants, …).
    fn owns(&self, sender: &Sender, event: &Event) -> bool {
        let rel = event.link.rel.as_str();
        let in_our_conversation = self.same_href(&self.links.conversation, &sender.href);
        if rel == self.modality.invitation {
            let by_operation = event
                .embedded
                .as_ref()
                .and_then(|r| r.text("operationId"))
                .is_some_and(|id| id == self.operation_id);
            return self.is_ours(&event.link.href) || by_operation;
        }
        match rel {
            "audioVideoNegotiation" => self.is_ours(&sender.href),
            "conversation" => self.same_href(&self.links.conversation, &event.link.href),
            _ if rel == self.modality.resource => {
                self.same_href(&self.links.media, &event.link.href) || in_our_conversation
            }
            _ => in_our_conversation,
        }
    }

    /// An event about this call's invitation (`owns` said so).
    fn on_invitation(&mut self, event: &Event, updates: &mut Vec<CallUpdate>) -> Option<Verdict> {
        if let Some(resource) = &event.embedded {
            self.links.update_from_invitation(resource, self.modality);
            if let Some(s) = resource.text("state") {
                updates.extend(self.report_state(InvitationState::parse(&s)));
            }
        }
        if event.kind != EventKind::Completed {
            return None;
        }
        if event.status == Some(OperationStatus::Success) {
            return Some(Verdict::Connected);
        }
        let reason = event.reason.clone().unwrap_or_default();
        let subcode = reason.subcode.as_deref().unwrap_or("");
        let words = (self.modality.start == PHONE_AUDIO.start)
            .then(|| phone_failure_words(&reason.code, subcode))
            .flatten();
        let message = match (words, &reason.message, reason.subcode.as_deref()) {
            (Some(w), _, _) => format!(
                "{w} ({}/{})",
                reason.code,
                if subcode.is_empty() { "None" } else { subcode }
            ),
            (None, Some(m), _) => m.clone(),
            (None, None, Some(sub)) => format!("the call failed: {sub}"),
            (None, None, None) => "the call failed (the server gave no reason)".into(),
        };
        Some(Verdict::Failed(CallError {
            kind: ErrorKind::Invitation,
            message,
            status: None,
            code: (!reason.code.is_empty()).then(|| reason.code.clone()),
            subcode: reason.subcode.clone(),
            server_message: reason.message.clone(),
            diagnostics: Vec::new(),
        }))
    }
}

/// Plain words for why a Call via Work invitation failed, by its `reason` (PROTOCOL.md §j,
/// the failure table from the 2015 `phoneAudioInvitation` reference and the Web SDK's PSTN
/// page). `None` for a reason not known here (the server's own message is shown then).
pub fn phone_failure_words(code: &str, subcode: &str) -> Option<&'static str> {
    Some(match (code, subcode) {
        (_, "PstnCallFailed") => {
            "your phone did not answer (or the call to it was rejected), so the callee was not called"
        }
        ("LocalFailure", "Canceled") => "the call was cancelled",
        (_, "Declined") => "the callee declined the call",
        (_, "Busy") => "the callee is busy",
        (_, "DoNotDisturb") => "the callee is busy (Do Not Disturb)",
        ("LocalFailure", "Timeout") => "nobody answered in time",
        ("RemoteFailure", "Timeout") | ("Timeout", _) => "the callee did not answer",
        (_, "DestinationNotFound") => "the callee does not exist (destination not found)",
        (_, "NormalizationFailed") => "a phone number is not valid for this server",
        (_, "PhoneNumberConflict") => {
            "several users share the callee's number: tell the administrator"
        }
        (_, "TemporarilyUnavailable") => "the callee cannot take calls right now",
        (_, "NotAcceptable") | (_, "NotAllowed") => "a policy does not allow this call",
        (_, "FederationRequired") => "the callee is outside the organisation and federation is not set up",
        (_, "Unreachable") => "the callee cannot be reached",
        ("ServiceFailure", _) => "the server failed to set up the call",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ucwa::modality::{AUDIO_VIDEO, PHONE_AUDIO};
    use crate::ucwa::resource::{ErrorBody, Link, Resource, Value};

    const APP: &str = "https://pool.contoso.com/ucwa/oauth/v1/applications/1";
    const INV: &str = "/ucwa/oauth/v1/applications/1/communication/audioVideoInvitations/7";
    const CONV: &str = "/ucwa/oauth/v1/applications/1/communication/conversations/3";
    const AV: &str = "/ucwa/oauth/v1/applications/1/communication/conversations/3/audioVideo";

    fn tracker(modality: &'static Modality) -> Tracker {
        let mut t = Tracker::new(modality, "op-1");
        t.base = Some(Url::parse(APP).unwrap());
        t.invitation = Some(t.base.as_ref().unwrap().join(INV).unwrap());
        t.phase = Phase::Ringing;
        t
    }

    fn event(kind: EventKind, rel: &str, href: &str, embedded: Option<Resource>) -> Event {
        Event {
            kind,
            link: Link::new(rel, href),
            in_link: None,
            embedded,
            status: None,
            reason: None,
        }
    }

    fn page(sender_rel: &str, sender_href: &str, events: Vec<Event>) -> EventsPage {
        EventsPage {
            senders: vec![Sender {
                rel: sender_rel.into(),
                href: sender_href.into(),
                events,
            }],
            ..Default::default()
        }
    }

    fn invitation(state: &str) -> Resource {
        Resource::new("audioVideoInvitation", Some(INV.into()))
            .with_property("state", Value::text(state))
            .with_link("conversation", CONV)
            .with_link("audioVideo", AV)
            .with_link("cancel", format!("{INV}/cancel"))
    }

    fn states(effects: &Effects) -> Vec<String> {
        effects
            .updates
            .iter()
            .filter_map(|u| match u {
                CallUpdate::InvitationState(s) => Some(s.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn completed_success_connects_and_states_only_go_forwards() {
        let mut t = tracker(&AUDIO_VIDEO);
        let alerting = page(
            "communication",
            "/c",
            vec![event(
                EventKind::Updated,
                "audioVideoInvitation",
                INV,
                Some(invitation("Alerting")),
            )],
        );
        let e = t.on_page(&alerting);
        assert_eq!(states(&e), ["Alerting"]);
        assert_eq!(e.verdict, None);
        assert_eq!(t.links.cancel.as_deref(), Some(&*format!("{INV}/cancel")));
        // A late Connecting is noted but not reported as the state.
        let late = page(
            "communication",
            "/c",
            vec![event(
                EventKind::Updated,
                "audioVideoInvitation",
                INV,
                Some(invitation("Connecting")),
            )],
        );
        let e = t.on_page(&late);
        assert!(states(&e).is_empty());
        assert_eq!(e.updates.len(), 1, "the event itself is still noted");
        let mut done = event(
            EventKind::Completed,
            "audioVideoInvitation",
            INV,
            Some(invitation("Connected")),
        );
        done.status = Some(OperationStatus::Success);
        let e = t.on_page(&page("communication", "/c", vec![done.clone()]));
        assert_eq!(states(&e), ["Connected"]);
        assert_eq!(e.verdict, Some(Verdict::Connected));
        // The same event delivered twice is handled once.
        assert_eq!(
            t.on_page(&page("communication", "/c", vec![done])),
            Effects::default()
        );
    }

    #[test]
    fn a_failure_carries_the_servers_reason() {
        let mut t = tracker(&AUDIO_VIDEO);
        let mut failed = event(EventKind::Completed, "audioVideoInvitation", INV, None);
        failed.status = Some(OperationStatus::Failure);
        failed.reason = Some(ErrorBody {
            code: "Forbidden".into(),
            subcode: Some("Declined".into()),
            message: None,
            ..Default::default()
        });
        let e = t.on_page(&page("communication", "/c", vec![failed]));
        let Some(Verdict::Failed(error)) = e.verdict else {
            panic!("{e:?}")
        };
        assert_eq!(error.kind, ErrorKind::Invitation);
        assert_eq!(error.message, "the call failed: Declined");
        assert_eq!(error.subcode.as_deref(), Some("Declined"));
    }

    #[test]
    fn call_via_work_failures_are_told_apart() {
        for (code, subcode, words) in [
            (
                "LocalFailure",
                "PstnCallFailed",
                "your phone did not answer",
            ),
            ("RemoteFailure", "Declined", "the callee declined"),
            ("Timeout", "Timeout", "the callee did not answer"),
            ("RemoteFailure", "Timeout", "the callee did not answer"),
            (
                "NotFound",
                "DestinationNotFound",
                "the callee does not exist",
            ),
            (
                "BadRequest",
                "NormalizationFailed",
                "a phone number is not valid",
            ),
        ] {
            let mut t = tracker(&PHONE_AUDIO);
            let mut failed = event(EventKind::Completed, "phoneAudioInvitation", INV, None);
            failed.status = Some(OperationStatus::Failure);
            failed.reason = Some(ErrorBody {
                code: code.into(),
                subcode: Some(subcode.into()),
                message: Some("server words".into()),
                ..Default::default()
            });
            let e = t.on_page(&page("communication", "/c", vec![failed]));
            let Some(Verdict::Failed(error)) = e.verdict else {
                panic!("{e:?}")
            };
            assert!(error.message.starts_with(words), "{}", error.message);
            assert!(error.message.ends_with(&format!("({code}/{subcode})")));
            assert_eq!(error.server_message.as_deref(), Some("server words"));
        }
        assert_eq!(phone_failure_words("Odd", "Unknown"), None);
    }

    /// A kept session's channel carries other calls' events (an earlier call ending, a call
    /// placed at the same time): they are neither shown with this call nor judged.
    #[test]
    fn someone_elses_events_are_neither_noted_nor_judged() {
        let mut t = tracker(&AUDIO_VIDEO);
        let mut other = event(
            EventKind::Completed,
            "audioVideoInvitation",
            "/ucwa/oauth/v1/applications/1/communication/audioVideoInvitations/8",
            None,
        );
        other.status = Some(OperationStatus::Success);
        let e = t.on_page(&page("communication", "/c", vec![other.clone()]));
        assert_eq!(e.verdict, None);
        assert!(e.updates.is_empty(), "{:?}", e.updates);
        // Another conversation going down, and what happens inside it.
        let gone = event(EventKind::Deleted, "conversation", "/ucwa/conv/other", None);
        let inside = event(
            EventKind::Updated,
            "audioVideo",
            "/ucwa/conv/other/av",
            None,
        );
        let e = t.on_page(&page("communication", "/c", vec![gone]));
        assert!(e.updates.is_empty() && !t.far_end_gone, "{:?}", e.updates);
        let e = t.on_page(&page("conversation", "/ucwa/conv/other", vec![inside]));
        assert!(e.updates.is_empty(), "{:?}", e.updates);
        // Unless it names our operation id.
        other.link.href.push('9');
        other.embedded = Some(
            Resource::new("audioVideoInvitation", None)
                .with_property("operationId", Value::text("op-1")),
        );
        let e = t.on_page(&page("communication", "/c", vec![other]));
        assert_eq!(e.verdict, Some(Verdict::Connected));
    }

    #[test]
    fn the_modality_going_down_ends_only_a_connected_call() {
        for (phase, ends) in [
            (Phase::Ringing, false),
            (Phase::Cancelling, false),
            (
                Phase::HangingUp {
                    after_connect: false,
                },
                false,
            ),
            (Phase::InCall, true),
            (
                Phase::HangingUp {
                    after_connect: true,
                },
                true,
            ),
        ] {
            let mut t = tracker(&AUDIO_VIDEO);
            t.links.conversation = Some(CONV.into());
            t.phase = phase;
            let e = t.on_page(&page(
                "conversation",
                CONV,
                vec![event(EventKind::Deleted, "audioVideo", AV, None)],
            ));
            assert_eq!(e.disconnected, ends, "{phase:?}");
            assert!(t.far_end_gone, "{phase:?}");
        }
    }

    #[test]
    fn the_names_come_from_the_modality() {
        let mut t = tracker(&PHONE_AUDIO);
        t.phase = Phase::InCall;
        t.links.conversation = Some(CONV.into());
        // An audio/video event means nothing to a Call via Work call…
        let av = t.on_page(&page(
            "conversation",
            CONV,
            vec![event(EventKind::Deleted, "audioVideo", AV, None)],
        ));
        assert!(!av.disconnected);
        // …its own modality resource does.
        let pa = t.on_page(&page(
            "conversation",
            CONV,
            vec![event(
                EventKind::Deleted,
                "phoneAudio",
                &format!("{CONV}/phoneAudio"),
                None,
            )],
        ));
        assert!(pa.disconnected);
    }
}
