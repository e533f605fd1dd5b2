//! The event channel: one P-GET parked at a time, always on the last `next`, `resync` or
//! `resume` href the server gave. `ack` belongs to the server: never computed here.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use tokio::sync::mpsc;

use super::client::Client;
use super::error::UcwaError;
use super::resource::EventsPage;

/// The server holds a P-GET up to 180 s by default; read a little longer than that.
pub const POLL_TIMEOUT: Duration = Duration::from_secs(180 + 30);
/// Transport failures in a row tolerated on the channel before giving up.
pub const MAX_RETRIES: u32 = 3;

/// What the pump delivers: a page of events, or the error that stopped it.
pub type PumpMessage = Result<EventsPage, UcwaError>;

pub struct EventChannel {
    next: String,
}

impl EventChannel {
    /// Starts at the application's `events` href, exactly as given.
    pub fn new(events_href: &str) -> Self {
        EventChannel {
            next: events_href.to_string(),
        }
    }

    /// The href the next P-GET will use.
    pub fn next_href(&self) -> &str {
        &self.next
    }

    /// One P-GET. Moves to the page's `resync`, `next` or `resume` link.
    pub async fn poll(&mut self, client: &Client) -> Result<EventsPage, UcwaError> {
        let action = "reading the event channel";
        let url = client.resolve(&self.next)?;
        let response = client
            .send(Method::GET, url, None, Some(POLL_TIMEOUT), action)
            .await?;
        let format = super::client::response_format(&response).unwrap_or(client.format());
        let mut page = format
            .read_events(&response.body)
            .map_err(|source| UcwaError::Parse {
                action: action.into(),
                source,
            })?;
        // Reasons are shown to the user: scrub any secret the server quotes in them.
        for event in page.senders.iter_mut().flat_map(|s| s.events.iter_mut()) {
            if let Some(reason) = &mut event.reason {
                client.scrub_error_body(reason);
            }
        }
        let follow = page.follow().ok_or_else(|| UcwaError::Protocol {
            action: action.into(),
            detail: "the events answer has no next, resync or resume link".into(),
        })?;
        if page.resync.is_some() {
            client.notify("the event channel asked for a resync; following it");
        } else if page.next.is_none() && page.resume.is_some() {
            client.notify("the event channel resumed after a silence; the server reset its state");
        }
        self.next = follow.to_string();
        Ok(page)
    }
}

/// Keeps one P-GET parked until the receiver is dropped or the channel fails for good.
/// Transport errors are retried (same href: `ack` makes that safe) with a short backoff.
/// The pump's handles: its pages, its task, and a signal that fires when its first
/// P-GET is on its way (the server holds that GET, so its answer cannot be awaited).
pub struct Pump {
    pub pages: mpsc::UnboundedReceiver<PumpMessage>,
    pub task: tokio::task::JoinHandle<()>,
    pub first_poll: tokio::sync::oneshot::Receiver<()>,
}

pub fn spawn_pump(client: Arc<Client>, events_href: &str) -> Pump {
    let (tx, rx) = mpsc::unbounded_channel();
    let (first_tx, first_poll) = tokio::sync::oneshot::channel();
    let mut first_tx = Some(first_tx);
    let mut channel = EventChannel::new(events_href);
    let task = tokio::spawn(async move {
        let mut failures = 0;
        loop {
            if let Some(first) = first_tx.take() {
                let _ = first.send(());
            }
            let result = tokio::select! {
                r = channel.poll(&client) => r,
                _ = tx.closed() => return,
            };
            match result {
                Ok(page) => {
                    failures = 0;
                    if tx.send(Ok(page)).is_err() {
                        return;
                    }
                }
                Err(UcwaError::Transport { .. }) if failures < MAX_RETRIES => {
                    failures += 1;
                    tokio::time::sleep(Duration::from_millis(200 << failures)).await;
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
    });
    Pump {
        pages: rx,
        task,
        first_poll,
    }
}
