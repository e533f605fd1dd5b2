//! The TUI keeps one signed-in session for its whole run: two calls placed from the real
//! loop (`tui::run_with` with the real runner) against the simulator sign in once and create
//! one application, and quitting deletes it.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use avlaunch::call::session::{CallOptions, Connection, Server};
use avlaunch::secret::Password;
use avlaunch::sim::{self, SimConfig};
use avlaunch::tui::theme::Theme;
use avlaunch::tui::{run_with, session_runner, Ready, TuiConfig};
use avlaunch::ucwa::Format;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures_util::stream;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::Terminal;
use tokio::sync::mpsc;

/// A TestBackend that keeps the text of the last flushed frame.
struct Recorder {
    inner: TestBackend,
    last: Arc<Mutex<String>>,
}

impl Backend for Recorder {
    fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(&mut self, content: I) -> io::Result<()> {
        self.inner.draw(content)
    }
    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, p: P) -> io::Result<()> {
        self.inner.set_cursor_position(p)
    }
    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }
    fn clear_region(&mut self, t: ClearType) -> io::Result<()> {
        self.inner.clear_region(t)
    }
    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }
    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> io::Result<()> {
        let text: String = self
            .inner
            .buffer()
            .content()
            .chunks(self.inner.buffer().area.width as usize)
            .map(|row| row.iter().map(Cell::symbol).collect::<String>() + "\n")
            .collect();
        *self.last.lock().unwrap() = text;
        Ok(())
    }
}

fn key(code: KeyCode) -> io::Result<Event> {
    Ok(Event::Key(KeyEvent::from(code)))
}

fn ctrl(c: char) -> io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

/// Waits (up to 20 s) until `ok` holds, then returns; panics with `what` otherwise.
async fn until(what: &str, last: &Arc<Mutex<String>>, mut ok: impl FnMut(&str) -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if ok(&last.lock().unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{what}: not seen; last frame:\n{}", last.lock().unwrap());
}

#[tokio::test(flavor = "current_thread")]
async fn two_calls_share_one_sign_in_and_one_application() {
    tokio::task::LocalSet::new().run_until(two_calls()).await;
}

async fn two_calls() {
    let sim = sim::start(SimConfig {
        answer_delay: Duration::from_millis(100),
        ..Default::default()
    })
    .await
    .unwrap();
    let connection = Connection {
        server: Server::Url(sim.url.clone()),
        user: "tester@contoso.com".into(),
        password: Some(Password::new("demo")),
        token: None,
        format: Format::Json,
        ca_cert: None,
    };
    let (keys, rx) = mpsc::unbounded_channel::<io::Result<Event>>();
    let last = Arc::new(Mutex::new(String::new()));
    let backend = Recorder {
        inner: TestBackend::new(120, 30),
        last: last.clone(),
    };
    let events = Box::pin(stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    }));
    let config = TuiConfig {
        connect: Box::pin(async move {
            Ok(Ready {
                connection,
                demo: None,
            })
        }),
        options: CallOptions::default(),
        format: Format::Json,
    };
    let ui = tokio::task::spawn_local(async move {
        let mut term = Terminal::new(backend)?;
        run_with(
            &mut term,
            events,
            config,
            session_runner(),
            Theme::new(false),
            Vec::new(),
        )
        .await
    });
    let count = |what: &dyn Fn(&str, &str) -> bool| {
        sim.requests()
            .iter()
            .filter(|r| what(&r.method, &r.path_and_query))
            .count()
    };
    let start_av = |m: &str, p: &str| m == "POST" && p.ends_with("/startAudioVideo");
    let stop_av = |m: &str, p: &str| m == "POST" && p.ends_with("/stopAudioVideo");
    for n in 1..=2 {
        until("the form", &last, |f| f.contains("New call")).await;
        keys.send(ctrl('u')).unwrap();
        for c in "sip:alice@contoso.com".chars() {
            keys.send(key(KeyCode::Char(c))).unwrap();
        }
        keys.send(key(KeyCode::Enter)).unwrap();
        let start = Instant::now();
        while count(&start_av) < n {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "call {n} not placed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        until("connected", &last, |f| f.contains("● Connected")).await;
        keys.send(ctrl('e')).unwrap();
        let start = Instant::now();
        while count(&stop_av) < n {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "call {n} not hung up"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        until("hung up", &last, |f| {
            f.contains("Ended — you hung up") && !f.contains("● Connected")
        })
        .await;
    }
    // Between and after the calls the application stays: nothing deleted it yet.
    let deletes = |m: &str, p: &str| m == "DELETE" && p.contains("/applications/");
    assert_eq!(count(&deletes), 0);
    assert_eq!(sim.live_applications(), 1);
    keys.send(ctrl('q')).unwrap();
    ui.await.unwrap().unwrap();

    let seen: Vec<String> = sim
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path_and_query))
        .collect();
    let tokens = count(&|m, p| m == "POST" && p.to_ascii_lowercase().contains("oauthtoken"));
    assert_eq!(tokens, 1, "one token request: {seen:#?}");
    let applications = count(&|m, p| m == "POST" && p.ends_with("/applications"));
    assert_eq!(applications, 1, "one application: {seen:#?}");
    assert_eq!(count(&start_av), 2, "{seen:#?}");
    // Quitting deleted the one application, after both calls.
    assert_eq!(count(&deletes), 1, "{seen:#?}");
    assert_eq!(sim.live_applications(), 0);
    sim.shutdown().await;
}

/// On the simulator the UI signs in at start (DESIGN.md), so the form knows what the
/// application offers before any call: with only `startPhoneAudio` it says so and
/// preselects the phone; quitting deletes that application.
#[tokio::test(flavor = "current_thread")]
async fn on_the_simulator_the_form_knows_what_is_offered_before_any_call() {
    tokio::task::LocalSet::new()
        .run_until(offered_at_start())
        .await;
}

async fn offered_at_start() {
    let sim = sim::start(SimConfig {
        faults: avlaunch::sim::faults::Faults::parse("no-av-link").unwrap(),
        ..Default::default()
    })
    .await
    .unwrap();
    let connection = Connection {
        server: Server::Url(sim.url.clone()),
        user: "tester@contoso.com".into(),
        password: Some(Password::new("demo")),
        token: None,
        format: Format::Json,
        ca_cert: None,
    };
    let (keys, rx) = mpsc::unbounded_channel::<io::Result<Event>>();
    let last = Arc::new(Mutex::new(String::new()));
    let backend = Recorder {
        inner: TestBackend::new(120, 30),
        last: last.clone(),
    };
    let events = Box::pin(stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    }));
    let demo = avlaunch::tui::DemoInfo {
        url: sim.url.to_string(),
        contacts: Vec::new(),
    };
    let config = TuiConfig {
        connect: Box::pin(async move {
            Ok(Ready {
                connection,
                demo: Some(demo),
            })
        }),
        options: CallOptions::default(),
        format: Format::Json,
    };
    let ui = tokio::task::spawn_local(async move {
        let mut term = Terminal::new(backend)?;
        run_with(
            &mut term,
            events,
            config,
            session_runner(),
            Theme::new(false),
            Vec::new(),
        )
        .await
    });
    until("the phone preselected", &last, |f| {
        f.contains("only Call via Work offered here") && f.contains("[my phone]")
    })
    .await;
    assert_eq!(sim.live_applications(), 1, "signed in at start");
    keys.send(ctrl('q')).unwrap();
    ui.await.unwrap().unwrap();
    assert_eq!(sim.live_applications(), 0, "deleted on the way out");
}
