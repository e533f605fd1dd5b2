//! How the UI reaches the signed-in session: placing a call, searching the directory for the
//! To field, learning at start what the application offers, and closing it on the way out.
//! Boxed closures, so tests and demos can script a session without a server.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::call::session::{CallOptions, Connection, Keeper};
use crate::call::{CallControl, CallOutcome, CallUpdate, Offered, ValidCall};

use super::lookup;

/// Runs one call: `call::session::run`'s shape, boxed so tests and demos can script a session.
pub type RunCall = Arc<
    dyn Fn(
            ValidCall,
            Connection,
            CallOptions,
            UnboundedSender<CallUpdate>,
            UnboundedReceiver<CallControl>,
        ) -> Pin<Box<dyn Future<Output = CallOutcome> + Send>>
        + Send
        + Sync,
>;

/// Searches the directory for the To field: the query and the connection in, up to
/// `lookup::SHOWN` people with their presence out, or why not (a sentence).
pub type RunSearch = Arc<
    dyn Fn(String, Connection) -> Pin<Box<dyn Future<Output = SearchResult> + Send>> + Send + Sync,
>;

/// What a search for the To field ends with.
pub type SearchResult = Result<Vec<crate::ucwa::people::Person>, String>;

/// Signs in (or re-uses the kept session) and tells which calling modalities the
/// application offers, or why not.
pub type RunOffered = Arc<
    dyn Fn(Connection) -> Pin<Box<dyn Future<Output = Result<Offered, String>> + Send>>
        + Send
        + Sync,
>;

/// Ends what the runner keeps between calls (the signed-in session).
pub type CloseRunner = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// How the TUI places calls: `run` for each call, `close` once on the way out.
#[derive(Clone)]
pub struct SessionRunner {
    pub run: RunCall,
    pub close: CloseRunner,
    pub search: RunSearch,
    /// Signs in at start on the simulator, so the form knows what it may offer.
    pub offered: RunOffered,
}

impl SessionRunner {
    /// A runner that keeps nothing between calls.
    pub fn new(run: RunCall) -> Self {
        SessionRunner {
            run,
            close: Arc::new(|| Box::pin(async {})),
            search: Arc::new(|_, _| {
                Box::pin(async { Err("directory search is not available here".to_string()) })
            }),
            offered: Arc::new(|_| Box::pin(async { Err("not signed in here".to_string()) })),
        }
    }
}

/// The real session: one sign-in and one application for the whole run, re-used by every
/// call (see `call::session::Keeper`), deleted by `close`.
pub fn session_runner() -> SessionRunner {
    let keeper = Keeper::new();
    let closing = keeper.clone();
    let searching = keeper.clone();
    let probing = keeper.clone();
    SessionRunner {
        offered: Arc::new(move |connection| {
            let keeper = probing.clone();
            Box::pin(async move {
                let session = keeper
                    .session_for(&connection)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(session.links().offered())
            })
        }),
        // On the kept session (opened for the search when there is none yet).
        search: Arc::new(move |query, connection| {
            let keeper = searching.clone();
            Box::pin(async move {
                let session = keeper
                    .session_for(&connection)
                    .await
                    .map_err(|e| e.to_string())?;
                let limit = lookup::SHOWN as u32;
                let quiet = |_: &crate::ucwa::people::Contact, e: crate::ucwa::UcwaError| {
                    tracing::warn!(error = %e, "cannot read a contact's presence");
                };
                crate::ucwa::people::search_with_presence(&session, &query, limit, quiet)
                    .await
                    .map(|(people, _)| people)
                    .map_err(|e| e.to_string())
            })
        }),
        run: Arc::new(move |call, connection, options, updates, control| {
            let keeper = keeper.clone();
            Box::pin(async move {
                keeper
                    .run(call, connection, options, updates, control)
                    .await
            })
        }),
        close: Arc::new(move || {
            let keeper = closing.clone();
            Box::pin(async move { keeper.close().await })
        }),
    }
}
