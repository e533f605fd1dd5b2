//! The UCWA protocol client: the lower layer. It knows nothing of screens or calls (nothing
//! here uses `crate::call`, `tui`, `sim` or `headless`).
//!
//! ```text
//!  discover ──► root ──(redirect)──► root … ──► user ──401──► MsRtcOAuth challenge
//!                                                              │
//!           token (password grant, or AVLAUNCH_TOKEN) ◄────────┘
//!                 │
//!  user (Bearer) ─┴─► applications ──POST──► application (events, communication, people, me…)
//!                                               │            ╰── Session: open … close
//!       events?ack=1 ◄── P-GET parked ──────────┤   (kept parked while the session is open)
//!                                               ▼
//!      communication.<Modality::start> ──POST──► 201 Location: invitation
//!                                               │
//!   events: started → updated … → completed (Success ⇒ Connected | Failure ⇒ reason)
//!                                               │
//!      cancel (ringing) / <Modality::stop> (connected)      DELETE application on close
//! ```
//!
//! # The session: signed in, with an application
//!
//! `session::Session` is what every operation borrows: the signed-in `Client` (token,
//! re-authentication, origin rule), the application, every link it offers
//! (`session::Links`: `communication`, `people`, `me`, `onlineMeetings`, `startAudioVideo`,
//! `startPhoneAudio`, `search`, `makeMeAvailable`, `myOnlineMeetings`; `None` when not
//! offered) and its event channel, kept parked (which keeps the application alive between
//! operations).
//!
//! - `Session::open(&connection, wire, notice)` discovers, signs in, creates the
//!   application and parks the event channel. The staged form — `session::new_client`,
//!   `session::discover`, `discover::sign_in`, `Session::create`, `Session::open_events` —
//!   lets a caller time, cancel or bound each stage (the call does).
//! - `session.subscribe()` gives every events page from then on (each subscriber sees every
//!   page, and picks what concerns it by sender rel and link href); the receiver ends after
//!   the error that ended the channel, or on close.
//! - `session.is_open()` says whether an operation can start on it; `recreate_application`
//!   replaces an application the server lost (then `open_events` again).
//! - `session.close()` stops the channel and deletes the application within
//!   `session::CLOSE_BOUND` (`close_by` takes a deadline); a `Session` is cheap to clone and
//!   clones share one application, so whoever opened it closes it once.
//!
//! A new operation (a search, presence, a connectivity report) takes `&Session`, reads the
//! link it needs from `session.links()` (absent: the server does not offer it), builds its
//! request body with a pure function, sends it through `session.client()`
//! (`get_resource`, `post`, `delete`: every request is authorised and logged there), and, if
//! it follows events, calls `session.subscribe()` before its first request. For example:
//!
//! ```no_run
//! # async fn search(session: &avlaunch::ucwa::session::Session) -> Result<(), avlaunch::ucwa::UcwaError> {
//! let Some(search) = session.links().search else {
//!     return Err(avlaunch::ucwa::UcwaError::NotOffered);
//! };
//! let href = format!("{search}?query=alice");
//! let results = session.client().get_resource(&href, "searching the directory").await?;
//! # let _ = results; Ok(()) }
//! ```
//!
//! Calls are one such operation: `call::session::run_on(&session, …)`; the modality's
//! names come from `modality`, its body from `invitation::start_input`.

// `UcwaError` keeps what the server said (status, body, diagnostics) next to what was
// being done; it is large, but it is made once per failed request, so boxing it would buy
// nothing but noise.
#![allow(clippy::result_large_err)]

pub mod format;
pub mod json;
pub mod proxy;
pub mod resource;
pub mod transport;
pub mod xml;

pub use format::Format;
pub mod action;
pub mod application;
pub mod auth;
pub mod client;
pub mod diagnostics;
pub mod discover;
pub mod error;
pub mod events;
#[cfg(test)]
mod fake;
pub mod invitation;
pub mod modality;
pub mod notice;
pub mod session;

pub use error::UcwaError;
