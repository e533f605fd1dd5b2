//! Everything the simulator remembers: tokens, applications, their event channels and
//! calls. It lives behind one `Mutex` (see `sim::SimState`); nothing here awaits.

use std::collections::{BTreeMap, HashMap, HashSet};

use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::directory::Scenario;
use super::faults::{Faults, OneShot};
use crate::ucwa::modality::Modality;
use crate::ucwa::resource::{Event, Sender};

/// The UCWA base path of every application.
pub const APPLICATIONS: &str = "/ucwa/oauth/v1/applications";

/// Every piece of mutable state.
#[derive(Default)]
pub struct Inner {
    /// Issued tokens (`cwt=…`) and the sign-in name each was issued to.
    pub tokens: HashMap<String, String>,
    pub apps: BTreeMap<u64, App>,
    pub next_app: u64,
    /// One-shot faults that have fired.
    pub fired: HashSet<OneShot>,
    /// `expire_token_once` is armed: the next UCWA request gets 401.
    pub expire_armed: bool,
    /// The simulator is shutting down: no new P-GETs are parked.
    pub closed: bool,
    /// Calls placed to the flaky contact so far.
    pub flaky_calls: u32,
    /// Token requests per user, throttled.
    pub token_buckets: TokenBuckets,
}

/// Token requests a user may make at once before being throttled.
pub const TOKEN_BURST: f64 = 10.0;
/// How often one more token request is allowed once the burst is spent.
pub const TOKEN_REFILL: Duration = Duration::from_secs(3);

/// A token bucket per sign-in name (compared without regard to case), as a real server
/// throttles sign-in attempts: `TOKEN_BURST` requests at once, then one per `TOKEN_REFILL`.
/// Every request counts, a wrong password included.
#[derive(Default)]
pub struct TokenBuckets {
    buckets: HashMap<String, (f64, Instant)>,
}

impl TokenBuckets {
    /// Takes one request from `user`'s bucket: `None` if allowed, else how long until the
    /// next one is.
    pub fn take(&mut self, user: &str, now: Instant) -> Option<Duration> {
        let (level, at) = self
            .buckets
            .entry(user.trim().to_lowercase())
            .or_insert((TOKEN_BURST, now));
        let refilled =
            now.saturating_duration_since(*at).as_secs_f64() / TOKEN_REFILL.as_secs_f64();
        *level = (*level + refilled).min(TOKEN_BURST);
        *at = now;
        if *level >= 1.0 {
            *level -= 1.0;
            None
        } else {
            Some(TOKEN_REFILL.mul_f64(1.0 - *level))
        }
    }
}

impl Inner {
    /// True if the switch behind `shot` is on and this is the first time it is asked
    /// for; false after.
    pub fn fire(&mut self, faults: &Faults, shot: OneShot) -> bool {
        faults.armed(shot) && self.fired.insert(shot)
    }
}

/// One application (`POST applications`).
pub struct App {
    pub id: u64,
    /// The sign-in name of the token that created it.
    pub user: String,
    pub culture: String,
    pub user_agent: String,
    pub endpoint_id: String,
    pub instance_id: Option<String>,
    /// The telemetry `id` property; not the URL segment.
    pub telemetry_id: String,
    /// The GUID-named "please pass this in a PUT request" property of `communication`.
    pub put_guid: String,
    pub channel: Channel,
    pub calls: Vec<Call>,
    pub next_conversation: u64,
    /// What `makeMeAvailable` set, once it has been called.
    pub available: Option<Availability>,
}

/// The user's own presence after `makeMeAvailable` (PROTOCOL.md §l).
#[derive(Clone, Debug, Default)]
pub struct Availability {
    /// `Availability` as published (`Online` unless `signInAs` or `POST presence` said
    /// otherwise).
    pub availability: String,
    /// The personal note (`POST note`); empty when reset.
    pub note: String,
    /// The number given in `makeMeAvailable`, normalized to a tel URI.
    pub phone_number: Option<String>,
    /// `reportMyActivity` calls received.
    pub activity_reports: u32,
}

impl App {
    /// `/ucwa/oauth/v1/applications/<n>`.
    pub fn base(&self) -> String {
        format!("{APPLICATIONS}/{}", self.id)
    }

    pub fn call(&self, id: &str) -> Option<&Call> {
        self.calls.iter().find(|c| c.id.eq_ignore_ascii_case(id))
    }

    pub fn call_mut(&mut self, id: &str) -> Option<&mut Call> {
        self.calls
            .iter_mut()
            .find(|c| c.id.eq_ignore_ascii_case(id))
    }

    pub fn call_by_conversation(&self, conversation: &str) -> Option<&Call> {
        self.calls
            .iter()
            .find(|c| c.conversation.to_string() == conversation)
    }
}

/// `InvitationState` of an outgoing call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationState {
    Connecting,
    Alerting,
    Connected,
    Declined,
    Cancelled,
    Failed,
}

impl InvitationState {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Connecting => "Connecting",
            InvitationState::Alerting => "Alerting",
            InvitationState::Connected => "Connected",
            InvitationState::Declined => "Declined",
            InvitationState::Cancelled => "Cancelled",
            InvitationState::Failed => "Failed",
        }
    }

    /// Still pending: the only time `cancel` is offered.
    pub fn ringing(self) -> bool {
        matches!(
            self,
            InvitationState::Connecting | InvitationState::Alerting
        )
    }
}

/// The audioVideo modality's `state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    Connecting,
    Connected,
    Disconnected,
}

impl Media {
    pub fn as_str(self) -> &'static str {
        match self {
            Media::Connecting => "Connecting",
            Media::Connected => "Connected",
            Media::Disconnected => "Disconnected",
        }
    }
}

/// One outgoing audio/video call: the invitation, its conversation and its modality.
#[derive(Clone, Debug)]
pub struct Call {
    /// The invitation's 32-hex id (the last segment of its href).
    pub id: String,
    /// Which start link placed it: names its invitation and modality resources.
    pub modality: Modality,
    pub conversation: u64,
    pub scenario: Scenario,
    pub operation_id: String,
    pub to: String,
    pub subject: Option<String>,
    pub importance: Option<String>,
    pub thread_id: String,
    pub session_context: Option<String>,
    pub join_audio_muted: Option<bool>,
    pub join_video_muted: Option<bool>,
    /// The decoded offer, if one was sent: its media type (`application/sdp` or
    /// `multipart/alternative;boundary=…`) and its text.
    pub media_offer: Option<(String, String)>,
    /// Call via Work: the user's own number as a tel URI, rung first.
    pub phone_number: Option<String>,
    /// When it was placed (the conversation's `created`).
    pub created: std::time::SystemTime,
    pub state: InvitationState,
    pub media: Media,
    /// The conversation still exists (not yet deleted).
    pub conversation_live: bool,
    /// On hold (`holdPhoneAudio`); `resumePhoneAudio` takes it off.
    pub held: bool,
}

/// What wakes a parked P-GET.
#[derive(Debug)]
pub enum Wake {
    /// Events are pending: form the batch.
    Events,
    /// A newer P-GET took this one's place: `409 PGetReplaced`.
    Replaced,
    /// The application was deleted: `404 ApplicationNotFound`.
    Gone,
    /// The simulator is stopping.
    Shutdown,
}

/// The one parked P-GET of an application.
pub struct Waiter {
    pub id: u64,
    pub tx: oneshot::Sender<Wake>,
}

/// An application's event channel: numbered batches, kept until acknowledged.
///
/// Batches `low..next` are held. `ack=N` acknowledges every batch below N and asks for
/// batch N, which is either held (a repeated request), or formed now from the pending
/// events, or formed when events arrive or the hold runs out.
pub struct Channel {
    /// The lowest batch not yet acknowledged.
    pub low: u64,
    /// The number the next batch will get.
    pub next: u64,
    pub batches: BTreeMap<u64, Vec<Sender>>,
    /// Events not yet in a batch, grouped by consecutive sender.
    pub pending: Vec<Sender>,
    pub waiter: Option<Waiter>,
    pub next_waiter: u64,
    /// The first non-empty batch, while `duplicate_events` still owes its replay.
    pub replay_owed: Option<u64>,
}

impl Default for Channel {
    fn default() -> Self {
        Channel {
            low: 1,
            next: 1,
            batches: BTreeMap::new(),
            pending: Vec::new(),
            waiter: None,
            next_waiter: 1,
            replay_owed: None,
        }
    }
}

/// What a P-GET gets right now.
#[derive(Debug, PartialEq)]
pub enum Poll {
    /// The batch numbered `ack`.
    Batch(Vec<Sender>),
    /// `ack` is out of range: answer with only `resync` to this batch number.
    Resync(u64),
    /// Nothing yet: park.
    Wait,
}

impl Channel {
    /// Queues an event raised by `sender_rel`/`sender_href` and wakes the parked P-GET.
    pub fn push(&mut self, sender_rel: &str, sender_href: &str, event: Event) {
        match self.pending.last_mut() {
            Some(last) if last.href == sender_href && last.rel == sender_rel => {
                last.events.push(event)
            }
            _ => self.pending.push(Sender {
                rel: sender_rel.to_string(),
                href: sender_href.to_string(),
                events: vec![event],
            }),
        }
        if let Some(waiter) = self.waiter.take() {
            let _ = waiter.tx.send(Wake::Events);
        }
    }

    fn in_range(&self, ack: u64) -> bool {
        (self.low..=self.next).contains(&ack)
    }

    /// Acknowledges batches below `ack` and answers without waiting.
    pub fn poll(&mut self, ack: u64) -> Poll {
        if !self.in_range(ack) {
            return Poll::Resync(self.low);
        }
        self.acknowledge(ack);
        if let Some(batch) = self.batches.get(&ack) {
            return Poll::Batch(batch.clone());
        }
        if self.pending.is_empty() {
            Poll::Wait
        } else {
            Poll::Batch(self.form())
        }
    }

    /// The answer when the hold runs out: batch `ack`, empty if nothing happened.
    pub fn poll_now(&mut self, ack: u64) -> Poll {
        match self.poll(ack) {
            Poll::Wait => Poll::Batch(self.form()),
            other => other,
        }
    }

    fn acknowledge(&mut self, ack: u64) {
        self.batches.retain(|n, _| *n >= ack);
        self.low = ack;
    }

    fn form(&mut self) -> Vec<Sender> {
        let batch = std::mem::take(&mut self.pending);
        self.batches.insert(self.next, batch.clone());
        self.next += 1;
        batch
    }

    /// Parks a new P-GET; an older one is released with `Replaced`.
    pub fn park(&mut self) -> (u64, oneshot::Receiver<Wake>) {
        let (tx, rx) = oneshot::channel();
        let id = self.next_waiter;
        self.next_waiter += 1;
        if let Some(old) = self.waiter.replace(Waiter { id, tx }) {
            let _ = old.tx.send(Wake::Replaced);
        }
        (id, rx)
    }

    /// Forgets the parked P-GET `id` if it is still the parked one.
    pub fn unpark(&mut self, id: u64) {
        if self.waiter.as_ref().is_some_and(|w| w.id == id) {
            self.waiter = None;
        }
    }

    /// Releases the parked P-GET, if any, with `wake`.
    pub fn release(&mut self, wake: Wake) {
        if let Some(waiter) = self.waiter.take() {
            let _ = waiter.tx.send(wake);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ucwa::resource::{EventKind, Link};

    fn event(href: &str) -> Event {
        Event {
            kind: EventKind::Updated,
            link: Link::new("conversation", href),
            in_link: None,
            embedded: None,
            status: None,
            reason: None,
        }
    }

    fn hrefs(poll: &Poll) -> Vec<String> {
        match poll {
            Poll::Batch(senders) => senders
                .iter()
                .flat_map(|s| s.events.iter().map(|e| e.link.href.clone()))
                .collect(),
            other => panic!("expected a batch, got {other:?}"),
        }
    }

    #[test]
    fn batches_are_numbered_kept_until_acked_and_replayed() {
        let mut ch = Channel::default();
        assert_eq!(ch.poll(1), Poll::Wait);
        ch.push("communication", "/c", event("/a"));
        ch.push("communication", "/c", event("/b"));
        ch.push("conversation", "/v", event("/x"));
        let first = ch.poll(1);
        assert_eq!(hrefs(&first), ["/a", "/b", "/x"]);
        if let Poll::Batch(senders) = &first {
            assert_eq!(
                senders.len(),
                2,
                "consecutive events of one sender are grouped"
            );
        }
        // The same ack again (a retry) gets the same batch, not a new one.
        assert_eq!(hrefs(&ch.poll(1)), ["/a", "/b", "/x"]);
        // ack=2 acknowledges batch 1; with nothing pending it waits, and the hold
        // running out forms an empty batch 2.
        assert_eq!(ch.poll(2), Poll::Wait);
        assert_eq!(ch.poll_now(2), Poll::Batch(vec![]));
        // Batch 1 is gone: below the window, and 4 is beyond it.
        assert_eq!(ch.poll(1), Poll::Resync(2));
        assert_eq!(ch.poll(4), Poll::Resync(2));
        assert_eq!(ch.poll(3), Poll::Wait);
    }

    #[test]
    fn a_second_park_replaces_the_first_and_push_wakes() {
        let mut ch = Channel::default();
        let (first_id, mut first) = ch.park();
        let (_, mut second) = ch.park();
        assert!(matches!(first.try_recv(), Ok(Wake::Replaced)));
        ch.unpark(first_id);
        assert!(
            ch.waiter.is_some(),
            "unpark of a replaced waiter is a no-op"
        );
        ch.push("communication", "/c", event("/a"));
        assert!(matches!(second.try_recv(), Ok(Wake::Events)));
    }
}

#[cfg(test)]
mod bucket_tests {
    use super::*;

    #[test]
    fn a_burst_then_one_request_per_refill_per_user() {
        let mut b = TokenBuckets::default();
        let t0 = Instant::now();
        for _ in 0..10 {
            assert_eq!(b.take("Ann@contoso.com", t0), None);
        }
        let wait = b.take("ann@contoso.com", t0).expect("throttled");
        assert_eq!(wait, TOKEN_REFILL);
        assert_eq!(b.take("bob@contoso.com", t0), None, "per user");
        assert_eq!(b.take("ann@contoso.com", t0 + TOKEN_REFILL), None);
        assert!(b.take("ann@contoso.com", t0 + TOKEN_REFILL).is_some());
    }
}
