//! The UCWA protocol client. It knows nothing of screens.
//!
//! ```text
//!  discover ──► root ──(redirect)──► root … ──► user ──401──► MsRtcOAuth challenge
//!                                                              │
//!           token (password grant, or AVLAUNCH_TOKEN) ◄────────┘
//!                 │
//!  user (Bearer) ─┴─► applications ──POST──► application (events, communication)
//!                                               │
//!       events?ack=1 ◄── P-GET parked ──────────┤
//!                                               ▼
//!      communication.startAudioVideo ──POST──► 201 Location: invitation
//!                                               │
//!   events: started → updated … → completed (Success ⇒ Connected | Failure ⇒ reason)
//!                                               │
//!      cancel (ringing) / stopAudioVideo (connected) ──► DELETE application, always
//! ```

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
pub mod application;
pub mod auth;
pub mod client;
pub mod diagnostics;
pub mod discover;
pub mod error;
pub mod events;
pub mod invitation;
pub mod modality;

pub use error::UcwaError;
