//! The built-in UCWA simulator: an axum server on 127.0.0.1 that answers the whole call
//! flow of PROTOCOL.md (discovery, the 401 challenge, the token, applications, the event
//! channel, `startAudioVideo` and `startPhoneAudio`, cancel, hang-up) for the contacts of its
//! directory, plus directory search, contacts, presence and makeMeAvailable. Every link it
//! hands out works (tests/sim_crawl.rs).
//!
//! It shares the resource model and the wire formats (`ucwa::Format`) with the client, but
//! none of the client's control flow, so a bug in one is not silently mirrored in the other.
//!
//! ```text
//!  GET /  ──► root {user}      GET user ──401 MsRtcOAuth──► POST /WebTicket/oauthtoken
//!  GET user (Bearer) ──► {applications} ──POST──► application n ──► events?ack=1 (P-GET)
//!  POST communication/startAudioVideo ──201 Location──► scenario task (directory.rs)
//!        └─ raises events into the application's channel (state.rs), woken P-GETs answer
//! ```
//!
//! `start` binds a port and serves; `router` gives the same service for
//! `tower::ServiceExt::oneshot` tests.
//!
//! Paths (matched without regard to case; `A` = `/ucwa/oauth/v1/applications/<n>`):
//!
//! | path | methods | answer |
//! |---|---|---|
//! | `/`, `/Autodiscover/AutodiscoverService.svc/root` | GET | root: `self`, `user`, `xframe` (absolute) |
//! | `/redirect-root` | GET | a root whose only link is `redirect` → the real root |
//! | `/Autodiscover/AutodiscoverService.svc/root/oauth/user` | GET | 401 challenge, or `applications` |
//! | `/WebTicket/oauthtoken` | POST | password grant, password `demo` |
//! | `/ucwa/oauth/v1/applications` | POST | 201 application |
//! | `A` | GET, DELETE | the application / 204 |
//! | `A/events?ack=N[&timeout=S]` | GET | long poll |
//! | `A/communication`, `A/me`, `A/people` | GET | the embedded copies |
//! | `A/me/makeMeAvailable`, `A/reportMyActivity` | POST | 204; 403/409 as PROTOCOL.md §l |
//! | `A/me/presence`, `A/me/note` | GET, POST | after makeMeAvailable, else 409 |
//! | `A/people/search?query=…&limit=…` | GET | directory search |
//! | `A/people/contacts`, `A/people/groups[/demo[/contacts]]` | GET | myContacts, myGroups, group |
//! | `A/people/<contact>[/presence]` | GET | contact, contactPresence |
//! | `A/communication/startAudioVideo`, `…/startPhoneAudio` | POST | 201 `Location: A/communication/<invitation>s/<32hex>` |
//! | `A/communication/<invitation>s/<id>` | GET | the invitation |
//! | `A/communication/<invitation>s/<id>/cancel` | POST | 204 while ringing, else 409 |
//! | `A/communication/audioVideoInvitations/<id>/audioVideoNegotiation` | GET | the SDP answer, once connected |
//! | `A/communication/conversations` | GET | the live conversations |
//! | `A/communication/conversations/<c>` | GET, DELETE | the conversation / 204 (cancel or hang up) |
//! | `A/communication/conversations/<c>/participants[/<p>[/participantAudio\|Video]]` | GET | participants |
//! | `A/communication/conversations/<c>/<modality>` | GET | `audioVideo` or `phoneAudio` |
//! | `…/<modality>/stopAudioVideo`, `…/stopPhoneAudio` | POST | 204 while connected, else 404 |
//! | `…/phoneAudio/holdPhoneAudio`, `…/resumePhoneAudio` | POST | 204 while possible, else 404 |

pub mod directory;
mod extract;
pub mod faults;
mod handlers;
mod http;
mod ids;
mod numbers;
mod resources;
mod routes;
mod scenario;
mod state;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub use directory::{directory, Scenario};
pub use faults::{Faults, SimStep, Stall};

use state::{App, Inner, Wake};

/// How the simulator behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    /// Where to listen; loopback only. Default `127.0.0.1:0` (any free port).
    pub listen: SocketAddr,
    /// How long a contact rings before answering or declining. Default 1500 ms.
    pub answer_delay: Duration,
    /// How long dave stays on the call before hanging up. Default 5 s.
    pub hangup_after: Duration,
    /// How long carol rings before the invitation fails with `Timeout`. Default 30 s.
    pub ring_timeout: Duration,
    pub faults: Faults,
    /// How long a P-GET is held when nothing happens and it names no `timeout`. Default
    /// 180 s, UCWA's default. A `timeout=S` parameter is clamped to 180–1800 s as UCWA
    /// does, except that a hold set below 180 s here (for tests) caps it.
    pub event_hold: Duration,
    /// Keep every request for `requests()` (tests). The simulator embedded in a long UI
    /// session turns this off, so its memory does not grow with every call. Default true.
    pub record_requests: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            answer_delay: Duration::from_millis(1500),
            hangup_after: Duration::from_secs(5),
            ring_timeout: Duration::from_secs(30),
            faults: Faults::default(),
            event_hold: Duration::from_secs(180),
            record_requests: true,
        }
    }
}

/// One request as the simulator received it, for tests and the `sim` command's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenRequest {
    pub method: String,
    /// As sent, query included (so event-channel acks can be asserted).
    pub path_and_query: String,
    /// An `Authorization` header was present (valid or not).
    pub authorization: bool,
    pub content_type: Option<String>,
    pub accept: Option<String>,
    /// The body as text; the `password` of a token request is replaced by `***`.
    pub body: String,
    /// The status answered; 0 while the request is still being answered (a parked P-GET).
    pub status: u16,
}

/// The simulator's state, shared by every request and scenario task.
#[derive(Clone)]
pub struct SimState {
    shared: Arc<Shared>,
}

struct Shared {
    cfg: SimConfig,
    /// `http://host:port` used for absolute links when a request has no usable `Host`.
    origin: String,
    inner: Mutex<Inner>,
    seen: Mutex<Vec<SeenRequest>>,
    stopping: watch::Sender<bool>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not take the simulator down with it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SimState {
    /// State for `router`; absolute links name `http://127.0.0.1` unless the request's
    /// `Host` says otherwise.
    pub fn new(cfg: SimConfig) -> Self {
        SimState::with_origin(cfg, "http://127.0.0.1".to_string())
    }

    fn with_origin(cfg: SimConfig, origin: String) -> Self {
        let (stopping, _) = watch::channel(false);
        SimState {
            shared: Arc::new(Shared {
                cfg,
                origin,
                inner: Mutex::new(Inner {
                    next_app: 101,
                    ..Inner::default()
                }),
                seen: Mutex::new(Vec::new()),
                stopping,
            }),
        }
    }

    pub fn config(&self) -> &SimConfig {
        &self.shared.cfg
    }

    /// Every request seen so far, in order of arrival.
    pub fn requests(&self) -> Vec<SeenRequest> {
        lock(&self.shared.seen).clone()
    }

    /// Applications created and not yet deleted.
    pub fn live_applications(&self) -> usize {
        lock(&self.shared.inner).apps.len()
    }

    /// Stops scenario timers and releases every parked P-GET, so a graceful shutdown does
    /// not wait for long polls.
    pub fn close(&self) {
        let mut inner = self.lock();
        inner.closed = true;
        for app in inner.apps.values_mut() {
            app.channel.release(Wake::Shutdown);
        }
        drop(inner);
        self.shared.stopping.send_replace(true);
    }

    fn origin(&self) -> &str {
        &self.shared.origin
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        lock(&self.shared.inner)
    }

    /// True the first time a one-shot fault whose switch is on is asked for.
    fn fire(&self, shot: faults::OneShot) -> bool {
        let faults = &self.shared.cfg.faults;
        self.lock().fire(faults, shot)
    }

    /// Runs `f` on application `id`, or `None` if it does not exist.
    fn with_app<R>(&self, id: u64, f: impl FnOnce(&mut App) -> R) -> Option<R> {
        self.lock().apps.get_mut(&id).map(f)
    }

    /// Sleeps; false if the simulator is stopping (then the caller should give up).
    async fn sleep(&self, d: Duration) -> bool {
        let mut stopping = self.shared.stopping.subscribe();
        if *stopping.borrow() {
            return false;
        }
        if d.is_zero() {
            tokio::task::yield_now().await;
        } else {
            tokio::select! {
                _ = tokio::time::sleep(d) => {}
                _ = stopping.changed() => {}
            }
        }
        let stopped = *stopping.borrow();
        !stopped
    }

    fn record(&self, seen: SeenRequest) -> usize {
        if !self.shared.cfg.record_requests {
            return usize::MAX;
        }
        let mut all = lock(&self.shared.seen);
        all.push(seen);
        all.len() - 1
    }

    fn set_status(&self, index: usize, status: u16) {
        if let Some(seen) = lock(&self.shared.seen).get_mut(index) {
            seen.status = status;
        }
    }
}

/// The simulator's service, for `oneshot` tests and for `start`.
pub fn router(state: SimState) -> axum::Router {
    routes::router(state)
}

/// A running simulator. Dropping it stops it too, without waiting.
pub struct SimHandle {
    /// The discovery root, e.g. `http://127.0.0.1:PORT/`.
    pub url: url::Url,
    state: SimState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl SimHandle {
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.state.requests()
    }

    pub fn live_applications(&self) -> usize {
        self.state.live_applications()
    }

    pub fn state(&self) -> &SimState {
        &self.state
    }

    /// Every bearer token issued so far (tests check that none leaks or goes astray).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.state.lock().tokens.keys().cloned().collect()
    }

    /// Stops serving: parked P-GETs are released, then the server waits (at most 2 s) for
    /// requests in flight.
    pub async fn shutdown(mut self) {
        self.signal();
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }

    fn signal(&mut self) {
        self.state.close();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.signal();
    }
}

/// Binds `cfg.listen` (loopback only) and serves on the caller's tokio runtime (a
/// current-thread runtime is fine). Cheap: one bind, one spawned task.
pub async fn start(cfg: SimConfig) -> io::Result<SimHandle> {
    if !cfg.listen.ip().is_loopback() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "the simulator listens on loopback addresses only, not {}",
                cfg.listen
            ),
        ));
    }
    let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
    let addr = listener.local_addr()?;
    let origin = format!("http://{addr}");
    let url = url::Url::parse(&format!("{origin}/"))
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let state = SimState::with_origin(cfg, origin);
    let service = router(state.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(SimHandle {
        url,
        state,
        stop: Some(stop),
        task: Some(task),
    })
}
