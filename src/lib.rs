//! avlaunch: start Skype for Business audio/video calls through UCWA and follow them to
//! the end, from a terminal UI (`tui`), headless (`headless`), or against the built-in
//! simulator (`sim`).
//!
//! Data flow: a front-end builds a `call::CallRequest`, `call::session::run` drives it
//! through `ucwa` and sends `call::CallUpdate`s back over a channel; the TUI turns them
//! into screen state, `headless` into text or JSON lines.

pub mod call;
pub mod cli;
pub mod config;
pub mod doctor;
pub mod har;
pub mod headless;
pub mod history;
pub mod input;
pub mod junit;
pub mod logging;
pub mod nagios;
pub mod repeat;
pub mod sanitize;
pub mod seconds;
pub mod secret;
pub mod settings;
pub mod sim;
pub mod stdio;
pub mod tui;
pub mod ucwa;
pub mod who;
