//! The event channel: one P-GET parked at a time, always on the last `next`, `resync` or
//! `resume` href the server gave. `ack` belongs to the server: never computed here.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use tokio::sync::mpsc;

use super::action::Action;
use super::client::Client;
use super::error::UcwaError;
use super::notice::Notice;
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
        let action = Action::ReadingEvents;
        let url = client.resolve(&self.next)?;
        let response = client
            .send(Method::GET, url, None, Some(POLL_TIMEOUT), action)
            .await?;
        let format = super::client::response_format(&response).unwrap_or(client.format());
        let mut page = format
            .read_events(&response.body)
            .map_err(|source| UcwaError::Parse { action, source })?;
        // Reasons are shown to the user: scrub any secret the server quotes in them.
        for event in page.senders.iter_mut().flat_map(|s| s.events.iter_mut()) {
            if let Some(reason) = &mut event.reason {
                client.scrub_error_body(reason);
            }
        }
        let follow = page.follow().ok_or_else(|| UcwaError::Protocol {
            action,
            detail: "the events answer has no next, resync or resume link".into(),
        })?;
        if page.resync.is_some() {
            client.notify(Notice::Resync);
        } else if page.next.is_none() && page.resume.is_some() {
            client.notify(Notice::Resumed);
        }
        self.next = follow.to_string();
        Ok(page)
    }
}

/// A P-GET that lasted at least this long was held by the server: if it then failed, a
/// proxy or load balancer cut the idle connection (commonly after 60–120 s), which says
/// nothing about the server's health. Shorter failures are quick failures.
pub const HELD_AFTER: Duration = Duration::from_millis(500);
/// The first pause after a P-GET that came back at once with nothing in it (no events, or
/// only `resync`); it doubles on each such answer in a row, up to `EMPTY_PAUSE_MAX`.
pub const EMPTY_PAUSE_MIN: Duration = Duration::from_millis(250);
/// The longest pause between P-GETs that come back at once and empty.
pub const EMPTY_PAUSE_MAX: Duration = Duration::from_secs(4);

/// How the pump paces its P-GETs: a held request that is cut is re-issued at once; quick
/// failures back off and end the channel after `MAX_RETRIES` in a row; quick empty answers
/// are spaced out so a server that does not hold P-GETs is not hammered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pacing {
    /// Quick failures in a row.
    failures: u32,
    /// The pause before the next P-GET after a quick empty answer (zero: none yet).
    empty_pause: Duration,
}

/// What to do after one P-GET.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Send the next P-GET after this pause (zero: at once).
    Poll(Duration),
    /// Give up: report the error.
    Stop,
}

impl Pacing {
    /// After a page: `held` = the server kept the P-GET at least `HELD_AFTER`; `empty` =
    /// the page carried no events.
    pub fn answered(&mut self, held: bool, empty: bool) -> Next {
        self.failures = 0;
        if held || !empty {
            self.empty_pause = Duration::ZERO;
            return Next::Poll(Duration::ZERO);
        }
        self.empty_pause = if self.empty_pause.is_zero() {
            EMPTY_PAUSE_MIN
        } else {
            (self.empty_pause * 2).min(EMPTY_PAUSE_MAX)
        };
        Next::Poll(self.empty_pause)
    }

    /// After a failure that may be retried (no answer, or a gateway's 502/503/504).
    pub fn failed(&mut self, held: bool) -> Next {
        if held {
            // Cut while parked: re-issue with the same `ack` (that is what it is for).
            self.failures = 0;
            return Next::Poll(Duration::ZERO);
        }
        if self.failures >= MAX_RETRIES {
            return Next::Stop;
        }
        self.failures += 1;
        Next::Poll(Duration::from_millis(200 << self.failures))
    }
}

/// Whether a failed P-GET may be sent again: no answer at all, or a gateway in front of
/// the pool answering for it (502, 503, 504: the usual answers of a proxy whose upstream
/// connection was cut).
fn retryable(e: &UcwaError) -> bool {
    matches!(e, UcwaError::Transport { .. })
        || matches!(
            e,
            UcwaError::Http {
                status: 502..=504,
                ..
            }
        )
}

/// The pump's handles: its pages, its task, and a signal that fires when its first
/// P-GET is on its way (the server holds that GET, so its answer cannot be awaited).
pub struct Pump {
    pub pages: mpsc::UnboundedReceiver<PumpMessage>,
    pub task: tokio::task::JoinHandle<()>,
    pub first_poll: tokio::sync::oneshot::Receiver<()>,
}

/// Keeps one P-GET parked until the receiver is dropped or the channel fails for good,
/// paced by `Pacing`. A failed P-GET is sent again on the same href: `ack` makes that safe.
pub fn spawn_pump(client: Arc<Client>, events_href: &str) -> Pump {
    let (tx, rx) = mpsc::unbounded_channel();
    let (first_tx, first_poll) = tokio::sync::oneshot::channel();
    let mut first_tx = Some(first_tx);
    let mut channel = EventChannel::new(events_href);
    let task = tokio::spawn(async move {
        let mut pacing = Pacing::default();
        loop {
            if let Some(first) = first_tx.take() {
                let _ = first.send(());
            }
            let sent = tokio::time::Instant::now();
            let result = tokio::select! {
                r = channel.poll(&client) => r,
                _ = tx.closed() => return,
            };
            let held = sent.elapsed() >= HELD_AFTER;
            let next = match result {
                Ok(page) => {
                    let empty = page.events().next().is_none();
                    if tx.send(Ok(page)).is_err() {
                        return;
                    }
                    pacing.answered(held, empty)
                }
                Err(e) if retryable(&e) => match pacing.failed(held) {
                    Next::Stop => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                    next => {
                        if held {
                            tracing::info!(error = %e, "event channel: a held P-GET was cut; sending it again");
                        }
                        next
                    }
                },
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            if let Next::Poll(pause) = next {
                if !pause.is_zero() {
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = tx.closed() => return,
                    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_and_cut_polls_never_end_the_channel() {
        let mut pacing = Pacing::default();
        for _ in 0..100 {
            assert_eq!(pacing.failed(true), Next::Poll(Duration::ZERO));
        }
    }

    #[test]
    fn quick_failures_in_a_row_end_it_with_backoff() {
        let mut pacing = Pacing::default();
        let pauses: Vec<Next> = (0..4).map(|_| pacing.failed(false)).collect();
        assert_eq!(
            pauses,
            [400, 800, 1600]
                .map(|ms| Next::Poll(Duration::from_millis(ms)))
                .into_iter()
                .chain([Next::Stop])
                .collect::<Vec<_>>()
        );
        // A held cut or a page in between starts the count again.
        let mut pacing = Pacing::default();
        for _ in 0..10 {
            pacing.failed(false);
            pacing.failed(false);
            pacing.failed(true);
        }
        assert_ne!(pacing.failed(false), Next::Stop);
        pacing.answered(false, false);
        assert_ne!(pacing.failed(false), Next::Stop);
    }

    #[test]
    fn quick_empty_answers_back_off_up_to_the_ceiling() {
        let mut pacing = Pacing::default();
        let pauses: Vec<Next> = (0..7).map(|_| pacing.answered(false, true)).collect();
        let ms = |n| Next::Poll(Duration::from_millis(n));
        assert_eq!(
            pauses,
            [
                ms(250),
                ms(500),
                ms(1000),
                ms(2000),
                ms(4000),
                ms(4000),
                ms(4000)
            ]
        );
        // Events, or a held answer, reset the pause.
        assert_eq!(pacing.answered(false, false), Next::Poll(Duration::ZERO));
        assert_eq!(pacing.answered(false, true), ms(250));
        pacing.answered(false, true);
        assert_eq!(pacing.answered(true, true), Next::Poll(Duration::ZERO));
        assert_eq!(pacing.answered(false, true), ms(250));
    }
}
