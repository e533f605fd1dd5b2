//! `Session`: signed in, with an application. It outlives any one call; see the module
//! doc of `ucwa` for how an operation uses it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::timeout_at;
use url::Url;

use super::application::{self, Application};
use super::client::{Client, Credentials, NoticeSink};
use super::events::{spawn_pump, PumpMessage};
use super::transport::WireSink;
use super::{discover, Format, UcwaError};
use crate::secret::{Password, Token};

/// Where to sign in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Server {
    /// A discovery URL (`https://lyncdiscover.contoso.com`, or the simulator's URL).
    Url(Url),
    /// Discover from the sign-in name's domain: `lyncdiscoverinternal.<domain>`, then
    /// `lyncdiscover.<domain>`.
    Auto,
}

/// How to reach and sign in to a deployment.
#[derive(Clone, Debug)]
pub struct Connection {
    pub server: Server,
    /// The sign-in name, `user@contoso.com`.
    pub user: String,
    pub password: Option<Password>,
    /// A ready bearer token: skips the token request.
    pub token: Option<Token>,
    pub format: Format,
    /// An extra trusted CA certificate, PEM.
    pub ca_cert: Option<Vec<u8>>,
}

/// `close()` ends within this, whatever the server does.
pub const CLOSE_BOUND: Duration = Duration::from_secs(2);
/// How long `open_events` waits for the first P-GET to be on its way.
pub const FIRST_POLL_WAIT: Duration = Duration::from_secs(1);

/// Every link the application offers, by UCWA link relation; `None` when not offered.
///
/// Read from the application resource and its embedded `me`, `people` and `communication`
/// (UCWA 2.0 reference, `application_ref`, `communication_ref`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Links {
    /// `_links.self`, absolute.
    pub application: String,
    /// `_links.events`, as given (it carries `ack`).
    pub events: String,
    pub communication: Option<String>,
    pub people: Option<String>,
    pub me: Option<String>,
    pub online_meetings: Option<String>,
    /// `people`'s `search`.
    pub search: Option<String>,
    /// `me`'s `makeMeAvailable`.
    pub make_me_available: Option<String>,
    /// `onlineMeetings`' `myOnlineMeetings`.
    pub my_online_meetings: Option<String>,
    /// Every link offered, by rel (the ones above included), first of a rel winning.
    pub all: Vec<(String, String)>,
}

impl Links {
    fn from_application(app: &Application) -> Links {
        // `start_audio_video` may come from a fresher copy of `communication`: it wins.
        let mut all: Vec<(String, String)> = app
            .start_audio_video
            .iter()
            .map(|href| ("startAudioVideo".to_string(), href.clone()))
            .collect();
        all.extend(app.links.iter().cloned());
        Links {
            all,
            application: app.href.clone(),
            events: app.events.clone(),
            communication: app.communication.clone(),
            people: app.link("people"),
            me: app.link("me"),
            online_meetings: app.link("onlineMeetings"),
            search: app.link("search"),
            make_me_available: app.link("makeMeAvailable"),
            my_online_meetings: app.link("myOnlineMeetings"),
        }
    }

    /// The href of the link `rel`, if offered.
    pub fn link(&self, rel: &str) -> Option<String> {
        self.all
            .iter()
            .find(|(r, _)| r == rel)
            .map(|(_, href)| href.clone())
    }

    /// The `communication` link that starts a call of this modality (`Modality::start`).
    pub fn start(&self, modality: &super::modality::Modality) -> Option<String> {
        self.link(modality.start)
    }

    /// The calling modalities offered: those with a start link.
    pub fn offered(&self) -> super::modality::Offered {
        super::modality::Offered::from_fn(|m| self.start(m).is_some())
    }
}

/// The part of a session that changes when the application is re-created.
struct Live {
    application: Application,
    links: Links,
    /// The event pump and the demultiplexer in front of it; aborted on drop.
    pump: Option<Tasks>,
}

struct Tasks(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Tasks {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}

/// Everyone listening to the event channel.
type Subscribers = Arc<Mutex<Vec<mpsc::UnboundedSender<PumpMessage>>>>;

struct Inner {
    client: Arc<Client>,
    /// The `applications` URL the application was created on (for re-creation).
    applications: Url,
    live: Mutex<Option<Live>>,
    subscribers: Subscribers,
    /// False once the event channel failed for good, or after `close`.
    open: Arc<AtomicBool>,
    /// The error that ended the event channel, for whoever subscribes after it.
    ended: Ended,
}

/// The error that ended the event channel, if it did.
type Ended = Arc<Mutex<Option<UcwaError>>>;

/// Signed in, with an application and its event channel parked: what every operation
/// (a call, a search, presence) borrows. Cheap to clone: clones share one application.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

fn guard<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The signed-in client for `connection`; `wire` sees every exchange (redacted), `notice`
/// every notice.
pub fn new_client(
    connection: &Connection,
    wire: WireSink,
    notice: NoticeSink,
) -> Result<Arc<Client>, UcwaError> {
    Ok(Arc::new(Client::new(
        connection.format,
        Credentials {
            user: connection.user.clone(),
            password: connection.password.clone(),
            token: connection.token.clone(),
        },
        connection.ca_cert.as_deref(),
        wire,
        notice,
    )?))
}

/// Discovery (the candidates `connection.server` names): the user resource's URL.
pub async fn discover(client: &Client, connection: &Connection) -> Result<Url, UcwaError> {
    let candidates = match &connection.server {
        Server::Url(url) => vec![url.clone()],
        Server::Auto => discover::auto_candidates(&connection.user)?,
    };
    discover::find_user(client, &candidates).await
}

impl Session {
    /// Discovery, sign-in, the application and its parked event channel, in one go.
    pub async fn open(
        connection: &Connection,
        wire: WireSink,
        notice: NoticeSink,
    ) -> Result<Session, UcwaError> {
        let client = new_client(connection, wire, notice)?;
        let user = discover(&client, connection).await?;
        let applications = discover::sign_in(&client, user).await?;
        let session = Session::create(client, applications).await?;
        session.open_events().await;
        Ok(session)
    }

    /// Creates the application on `applications` (a signed-in client's URL). The event
    /// channel is not parked yet: call `open_events` next.
    pub async fn create(client: Arc<Client>, applications: Url) -> Result<Session, UcwaError> {
        let application = application::create(&client, &applications).await?;
        let links = Links::from_application(&application);
        Ok(Session {
            inner: Arc::new(Inner {
                client,
                applications,
                live: Mutex::new(Some(Live {
                    application,
                    links,
                    pump: None,
                })),
                subscribers: Arc::new(Mutex::new(Vec::new())),
                // Open once its event channel is parked (`open_events`).
                open: Arc::new(AtomicBool::new(false)),
                ended: Arc::new(Mutex::new(None)),
            }),
        })
    }

    /// Parks the first P-GET on the application's event channel and keeps one parked from
    /// then on (which also keeps the application alive). Returns once the first P-GET is on
    /// its way (or after `FIRST_POLL_WAIT`): the server holds it, so it cannot be awaited.
    pub async fn open_events(&self) {
        let Some(events) = guard(&self.inner.live)
            .as_ref()
            .map(|l| l.links.events.clone())
        else {
            return;
        };
        let pump = spawn_pump(self.inner.client.clone(), &events);
        *guard(&self.inner.ended) = None;
        let demux = tokio::spawn(demultiplex(
            pump.pages,
            self.inner.subscribers.clone(),
            self.inner.open.clone(),
            self.inner.ended.clone(),
        ));
        if let Some(live) = guard(&self.inner.live).as_mut() {
            live.pump = Some(Tasks(vec![pump.task, demux]));
        }
        self.inner.open.store(true, Ordering::SeqCst);
        let _ = tokio::time::timeout(FIRST_POLL_WAIT, pump.first_poll).await;
        tokio::task::yield_now().await;
    }

    /// Every page (or the error that ended the channel) from now on. Each subscriber sees
    /// every page, and picks what concerns it by sender and link; the receiver ends when
    /// the channel fails for good (after the error that ended it, even when that came
    /// before the subscription) or the session closes.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<PumpMessage> {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut subscribers = guard(&self.inner.subscribers);
        if self.inner.open.load(Ordering::SeqCst) {
            subscribers.push(tx);
        } else if let Some(e) = guard(&self.inner.ended).clone() {
            let _ = tx.send(Err(e));
        }
        rx
    }

    /// Whether `other` is this session (or a clone of it).
    pub fn same(&self, other: &Session) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The signed-in client every request goes through.
    pub fn client(&self) -> &Arc<Client> {
        &self.inner.client
    }

    /// The application's links, as last read.
    pub fn links(&self) -> Links {
        guard(&self.inner.live)
            .as_ref()
            .map(|l| l.links.clone())
            .unwrap_or_default()
    }

    /// The application, while the session holds one.
    pub fn application(&self) -> Option<Application> {
        guard(&self.inner.live)
            .as_ref()
            .map(|l| l.application.clone())
    }

    /// Whether the session still holds an application with a live event channel and a
    /// client that refused no origin: what an operation needs to start on it.
    pub fn is_open(&self) -> bool {
        self.inner.open.load(Ordering::SeqCst)
            && guard(&self.inner.live).is_some()
            && self.inner.client.origin_refusal().is_none()
    }

    /// The server lost the application: deletes it (best effort, 1 s), creates a new one on
    /// the same `applications` URL. The event channel stops: call `open_events` next.
    /// Subscribers stay subscribed.
    pub async fn recreate_application(&self) -> Result<(), UcwaError> {
        self.inner.open.store(false, Ordering::SeqCst);
        let old = guard(&self.inner.live).take();
        if let Some(mut old) = old {
            old.pump = None;
            let _ = tokio::time::timeout(
                Duration::from_secs(1),
                application::delete(&self.inner.client, &old.application),
            )
            .await;
        }
        let application = application::create(&self.inner.client, &self.inner.applications).await?;
        let links = Links::from_application(&application);
        *guard(&self.inner.live) = Some(Live {
            application,
            links,
            pump: None,
        });
        Ok(())
    }

    /// Stops the event channel and deletes the application, giving up at `until`. Ends
    /// every subscription. `Ok` when the server confirmed the delete (or there was nothing to
    /// delete); `Err(None)` when it gave no answer in time.
    pub async fn close_by(&self, until: tokio::time::Instant) -> Result<(), Option<UcwaError>> {
        self.inner.open.store(false, Ordering::SeqCst);
        guard(&self.inner.subscribers).clear();
        let live = guard(&self.inner.live).take();
        let Some(mut live) = live else {
            return Ok(());
        };
        live.pump = None;
        match timeout_at(
            until,
            application::delete(&self.inner.client, &live.application),
        )
        .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Some(e)),
            Err(_) => Err(None),
        }
    }

    /// `close_by` within `CLOSE_BOUND`.
    pub async fn close(&self) -> Result<(), Option<UcwaError>> {
        self.close_by(tokio::time::Instant::now() + CLOSE_BOUND)
            .await
    }
}

/// Hands every page of the pump to every subscriber; the end of the pump ends them all.
async fn demultiplex(
    mut pages: mpsc::UnboundedReceiver<PumpMessage>,
    subscribers: Subscribers,
    open: Arc<AtomicBool>,
    ended: Ended,
) {
    while let Some(message) = pages.recv().await {
        let mut subscribers = guard(&subscribers);
        subscribers.retain(|s| s.send(message.clone()).is_ok());
        if let Err(e) = message {
            *guard(&ended) = Some(e);
            break;
        }
    }
    // Under the subscribers' lock, so a subscription is either served or sees the end.
    let mut subscribers = guard(&subscribers);
    open.store(false, Ordering::SeqCst);
    subscribers.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ucwa::modality::{AUDIO_VIDEO, PHONE_AUDIO};
    use crate::ucwa::resource::EventsPage;

    #[test]
    fn every_offered_link_is_kept_and_absent_ones_are_none() {
        let app = Application {
            href: "https://pool/ucwa/oauth/v1/applications/1".into(),
            events: "/e?ack=1".into(),
            communication: Some("/c".into()),
            start_audio_video: Some("/c/startAudioVideo".into()),
            links: vec![
                ("people".into(), "/p".into()),
                ("search".into(), "/p/search".into()),
                ("startPhoneAudio".into(), "/c/startPhoneAudio".into()),
                ("startAudioVideo".into(), "/stale".into()),
            ],
        };
        let links = Links::from_application(&app);
        assert_eq!(links.people.as_deref(), Some("/p"));
        assert_eq!(links.search.as_deref(), Some("/p/search"));
        assert_eq!(links.me, None);
        assert_eq!(links.make_me_available, None);
        assert_eq!(
            links.start(&AUDIO_VIDEO).as_deref(),
            Some("/c/startAudioVideo")
        );
        assert_eq!(
            links.start(&PHONE_AUDIO).as_deref(),
            Some("/c/startPhoneAudio")
        );
        let offered = links.offered();
        assert!(offered.contains(&AUDIO_VIDEO) && offered.contains(&PHONE_AUDIO));
        let phone_only = Links {
            all: vec![("startPhoneAudio".into(), "/c/startPhoneAudio".into())],
            ..links
        };
        let offered = phone_only.offered();
        assert!(!offered.contains(&AUDIO_VIDEO) && offered.contains(&PHONE_AUDIO));
    }

    #[tokio::test]
    async fn every_subscriber_sees_every_page_and_the_end() {
        let (tx, rx) = mpsc::unbounded_channel();
        let subscribers: Subscribers = Arc::new(Mutex::new(Vec::new()));
        let open = Arc::new(AtomicBool::new(true));
        let (a_tx, mut a) = mpsc::unbounded_channel();
        let (b_tx, mut b) = mpsc::unbounded_channel();
        subscribers.lock().unwrap().extend([a_tx, b_tx]);
        let ended: Ended = Arc::new(Mutex::new(None));
        let task = tokio::spawn(demultiplex(
            rx,
            subscribers.clone(),
            open.clone(),
            ended.clone(),
        ));
        tx.send(Ok(EventsPage::default())).unwrap();
        drop(b.recv().await);
        // A subscriber that went away is dropped; the others still get pages.
        drop(b);
        tx.send(Ok(EventsPage::default())).unwrap();
        tx.send(Err(UcwaError::NotOffered)).unwrap();
        task.await.unwrap();
        assert!(matches!(a.recv().await, Some(Ok(_))));
        assert!(matches!(a.recv().await, Some(Ok(_))));
        assert!(matches!(a.recv().await, Some(Err(UcwaError::NotOffered))));
        assert!(a.recv().await.is_none());
        assert!(!open.load(Ordering::SeqCst));
        assert!(subscribers.lock().unwrap().is_empty());
        assert_eq!(*ended.lock().unwrap(), Some(UcwaError::NotOffered));
    }
}
