//! `Keeper`: one signed-in session kept across calls, and the relay that sends its client's
//! exchanges and notices to the call it serves.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::session::{run_flow, CallOptions, Source};
use super::{CallControl, CallOutcome, CallUpdate, ValidCall};
use crate::ucwa::session::{Connection, Session};

/// Keeps one session open across calls (the TUI keeps one for its whole run): each call
/// re-uses it while it is open and in the call's wire format, else opens a new one with the
/// usual set-up steps. A call that finds the session broken (its event channel ended, an
/// origin refused) deletes its application; the next call opens a new one. `close` ends it.
///
/// Exchanges and notices of the kept session go to the call started last.
#[derive(Default)]
pub struct Keeper {
    slot: std::sync::Mutex<Option<Session>>,
    /// The server and user the kept session was opened for: after a switch of profile,
    /// server or user (the sign-in dialog), the next call opens a new session.
    opened_for: std::sync::Mutex<Option<String>>,
    /// Held while `session_for` opens a session, so two searches open one.
    opening: tokio::sync::Mutex<()>,
    pub(super) relay: Relay,
}

impl Keeper {
    pub fn new() -> Arc<Keeper> {
        Arc::new(Keeper::default())
    }

    /// The session kept open, if any.
    pub fn session(&self) -> Option<Session> {
        guard(&self.slot).clone()
    }

    /// Runs one call (see `run`) on the kept session, or on a new one that is then kept.
    pub async fn run(
        self: &Arc<Self>,
        call: ValidCall,
        connection: Connection,
        options: CallOptions,
        updates: mpsc::UnboundedSender<CallUpdate>,
        control: mpsc::UnboundedReceiver<CallControl>,
    ) -> CallOutcome {
        self.relay.point_at(&updates);
        let target = target_of(&connection);
        let usable = {
            let mut slot = guard(&self.slot);
            match slot.take() {
                Some(s) if self.serves(&s, &target, &connection) => {
                    *slot = Some(s.clone());
                    Some(s)
                }
                Some(stale) => {
                    // Broken, for another server or user, or in the other wire format: its
                    // application goes.
                    tokio::spawn(async move {
                        let _ = stale.close().await;
                    });
                    None
                }
                None => None,
            }
        };
        let source = match usable {
            Some(session) => Source::Borrowed(session, Some(self.clone())),
            None => {
                *guard(&self.opened_for) = Some(target);
                Source::Keep(connection, self.clone())
            }
        };
        // The kept client's exchanges made while this call's own code runs (its invite, its
        // cancel or hang-up, even after a newer call started) belong to this call.
        CALL_UPDATES
            .scope(
                updates.clone(),
                run_flow(call, source, options, updates, control),
            )
            .await
    }

    /// The kept session when it is open for `connection` (same server, user and format),
    /// else a new one, opened and kept: what a directory search runs on. The opening runs
    /// in its own task, so a caller that gives up (a newer search) never leaves an
    /// application behind; one opening at a time.
    pub async fn session_for(
        self: &Arc<Self>,
        connection: &Connection,
    ) -> Result<Session, crate::ucwa::UcwaError> {
        let _one = self.opening.lock().await;
        let target = target_of(connection);
        if let Some(s) = self
            .session()
            .filter(|s| self.serves(s, &target, connection))
        {
            return Ok(s);
        }
        let (keeper, connection) = (self.clone(), connection.clone());
        let opening = tokio::spawn(async move {
            let (wire, notice) = (keeper.relay.clone(), keeper.relay.clone());
            let session = Session::open(
                &connection,
                Arc::new(move |r| wire.send(CallUpdate::Wire(r))),
                Arc::new(move |n| notice.send(CallUpdate::Notice(super::CallNotice::Protocol(n)))),
            )
            .await?;
            *guard(&keeper.opened_for) = Some(target);
            keeper.adopt(&session);
            Ok(session)
        });
        opening
            .await
            .map_err(|e| crate::ucwa::UcwaError::Protocol {
                action: "opening a session".into(),
                detail: e.to_string(),
            })?
    }

    /// Whether the kept `session` may serve a call or search over `connection`: still open,
    /// opened for the same server and user (`target`), in the same wire format.
    fn serves(&self, session: &Session, target: &str, connection: &Connection) -> bool {
        guard(&self.opened_for).as_deref() == Some(target)
            && session.is_open()
            && session.client().format() == connection.format
    }

    /// Deletes the kept session's application, within `ucwa::session::CLOSE_BOUND`.
    pub async fn close(&self) {
        let kept = guard(&self.slot).take();
        if let Some(session) = kept {
            if let Err(e) = session.close().await {
                let why = e.map_or("no answer in time".to_string(), |e| e.to_string());
                tracing::warn!(error = %why, "could not delete the application");
            }
        }
    }

    /// Keeps `session`; a different one kept before is closed.
    pub(super) fn adopt(&self, session: &Session) {
        let old = guard(&self.slot).replace(session.clone());
        if let Some(old) = old.filter(|o| !o.same(session)) {
            tokio::spawn(async move {
                let _ = old.close().await;
            });
        }
    }

    /// Stops keeping `session` (if it is the one kept).
    pub(super) fn forget(&self, session: &Session) {
        let mut slot = guard(&self.slot);
        if slot.as_ref().is_some_and(|s| s.same(session)) {
            *slot = None;
        }
    }
}

tokio::task_local! {
    /// The updates of the call whose code is running in this task (see `Keeper::run`).
    static CALL_UPDATES: mpsc::UnboundedSender<CallUpdate>;
}

/// What a kept session was opened for: the server and the sign-in name.
fn target_of(connection: &Connection) -> String {
    format!("{:?} {}", connection.server, connection.user)
}

fn guard<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where a session's client sends exchanges and notices: the call it serves now. Weak, so
/// a call's update stream ends with the call, whatever the session does after.
#[derive(Clone, Default)]
pub(super) struct Relay(Arc<std::sync::Mutex<Option<mpsc::WeakUnboundedSender<CallUpdate>>>>);

impl Relay {
    pub(super) fn point_at(&self, updates: &mpsc::UnboundedSender<CallUpdate>) {
        *guard(&self.0) = Some(updates.downgrade());
    }

    pub(super) fn send(&self, update: CallUpdate) {
        // The call whose task made the request, if any; else (the shared event channel's
        // pump) the call started last.
        if let Ok(tx) = CALL_UPDATES.try_with(|tx| tx.clone()) {
            let _ = tx.send(update);
            return;
        }
        let target = guard(&self.0).as_ref().and_then(|w| w.upgrade());
        if let Some(tx) = target {
            let _ = tx.send(update);
        }
    }
}
