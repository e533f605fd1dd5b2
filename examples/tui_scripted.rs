//! The TUI on a real terminal with a scripted session (no server): try the form, the ladder,
//! the wire log and the export. `cargo run --example tui_scripted`; contacts: alice answers,
//! dave answers then hangs up, bob declines, carol never answers, conflict gets a 409.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use avlaunch::call::session::{CallOptions, Connection, Server};
use avlaunch::tui::{run_with, terminal::TerminalGuard, theme::Theme};
use avlaunch::tui::{DemoInfo, Ready, TuiConfig};
use avlaunch::ucwa::Format;

#[path = "../tests/support/scripted.rs"]
mod scripted;
use scripted::scripted_session;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let url = "http://127.0.0.1:40123";
    let connect = Box::pin(async move {
        // Like the simulator starting in the background.
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok(Ready {
            connection: Connection {
                server: Server::Url(url.parse().map_err(|e| format!("{e}"))?),
                user: "demo@contoso.com".into(),
                password: None,
                token: None,
                format: Format::Json,
                ca_cert: None,
            },
            demo: Some(DemoInfo {
                url: url.into(),
                contacts: [
                    ("alice", "answers and stays until you hang up"),
                    ("dave", "answers, then hangs up after a few seconds"),
                    ("bob", "declines"),
                    ("carol", "never answers (the invitation times out)"),
                    ("conflict", "409 Conflict / AlreadyExists"),
                ]
                .iter()
                .map(|(u, b)| (format!("sip:{u}@contoso.com"), b.to_string()))
                .collect(),
            }),
        })
    });
    let config = TuiConfig {
        connect,
        options: CallOptions::default(),
        format: Format::Json,
    };
    let mut guard = TerminalGuard::enter()?;
    run_with(
        guard.terminal(),
        crossterm::event::EventStream::new(),
        config,
        scripted_session(Duration::from_millis(700)),
        Theme::from_env(),
        avlaunch::tui::quit_signals(),
    )
    .await
    .map(|_| ())
}
