//! The real loop (`tui::run_with`) driven by a channel of key events, a scripted session and a
//! backend that records every frame: first frame before the connection, calls placed and
//! followed, redraws only on change, and quitting ends a live call first.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use avlaunch::call::session::{CallOptions, Connection, Server};
#[path = "support/scripted.rs"]
mod scripted;
use avlaunch::tui::theme::Theme;
use avlaunch::tui::{run_with, DemoInfo, Ready, TuiConfig};
use avlaunch::ucwa::Format;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures_util::stream;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use ratatui::Terminal;
use scripted::scripted_session;
use tokio::sync::{mpsc, oneshot};

/// A TestBackend that keeps the text of every flushed frame.
struct Recorder {
    inner: TestBackend,
    frames: Arc<Mutex<Vec<String>>>,
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
        self.frames.lock().unwrap().push(text);
        Ok(())
    }
}

fn connection() -> Connection {
    Connection {
        server: Server::Url("http://127.0.0.1:40123".parse().unwrap()),
        user: "demo@contoso.com".into(),
        password: None,
        token: None,
        format: Format::Json,
        ca_cert: None,
    }
}

fn ready() -> Ready {
    Ready {
        connection: connection(),
        demo: Some(DemoInfo {
            url: "http://127.0.0.1:40123".into(),
            contacts: vec![("sip:alice@contoso.com".into(), "answers".into())],
        }),
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

struct Rig {
    keys: mpsc::UnboundedSender<io::Result<Event>>,
    frames: Arc<Mutex<Vec<String>>>,
}

impl Rig {
    fn typ(&self, s: &str) {
        for c in s.chars() {
            self.keys.send(key(KeyCode::Char(c))).unwrap();
        }
    }

    fn last(&self) -> String {
        self.frames
            .lock()
            .unwrap()
            .last()
            .cloned()
            .unwrap_or_default()
    }

    fn count(&self) -> usize {
        self.frames.lock().unwrap().len()
    }

    /// Waits (up to 20 s) until the last frame contains `text`.
    async fn until(&self, text: &str) {
        let start = Instant::now();
        for _ in 0..2000 {
            if self.last().contains(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "no frame with {text:?} after {:?}; last frame:\n{}",
            start.elapsed(),
            self.last()
        );
    }
}

fn start(
    connect: std::pin::Pin<Box<dyn std::future::Future<Output = Result<Ready, String>> + Send>>,
) -> (
    Rig,
    tokio::task::JoinHandle<io::Result<avlaunch::tui::Quit>>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let frames = Arc::new(Mutex::new(Vec::new()));
    let backend = Recorder {
        inner: TestBackend::new(120, 30),
        frames: frames.clone(),
    };
    let events = Box::pin(stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    }));
    let config = TuiConfig {
        connect,
        options: CallOptions::default(),
        format: Format::Json,
    };
    let task = tokio::task::spawn_local(async move {
        let mut term = Terminal::new(backend)?;
        run_with(
            &mut term,
            events,
            config,
            scripted_session(Duration::from_millis(20)),
            Theme::new(false),
            Vec::new(),
        )
        .await
    });
    (Rig { keys: tx, frames }, task)
}

async fn local<F: std::future::Future>(f: F) -> F::Output {
    tokio::task::LocalSet::new().run_until(f).await
}

#[tokio::test(flavor = "current_thread")]
async fn first_frame_comes_before_the_connection_and_a_call_runs_to_its_end() {
    local(async {
        let (ready_tx, ready_rx) = oneshot::channel::<()>();
        let connect = Box::pin(async move {
            let _ = ready_rx.await;
            Ok(ready())
        });
        let (rig, task) = start(connect);
        rig.until("starting…").await;
        assert_eq!(rig.count(), 1, "one frame while waiting");
        // Typing before the connection is ready works; the call waits for it.
        rig.typ("sip:alice@contoso.com");
        rig.keys.send(key(KeyCode::Enter)).unwrap();
        rig.until("waiting for the connection").await;
        ready_tx.send(()).unwrap();
        rig.until("DEMO").await;
        rig.until("Connected").await;
        assert!(rig.last().contains("Ctrl-E hang up"));
        rig.keys.send(ctrl('e')).unwrap();
        rig.until("■ Ended — you hung up").await;
        // Idle: no tick, no redraw.
        let frames = rig.count();
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(rig.count(), frames, "redrew while idle");
        rig.keys.send(ctrl('q')).unwrap();
        assert!(task.await.unwrap().unwrap().left_up.is_empty());
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn esc_cancels_while_ringing_and_the_ladder_shows_the_cancel() {
    local(async {
        let (rig, task) = start(Box::pin(async { Ok(ready()) }));
        rig.until("DEMO").await;
        rig.typ("sip:carol@contoso.com");
        rig.keys.send(key(KeyCode::Enter)).unwrap();
        rig.until("ringing…").await;
        rig.keys.send(key(KeyCode::Esc)).unwrap();
        rig.until("■ Cancelled").await;
        rig.keys.send(key(KeyCode::F(2))).unwrap();
        rig.until("/cancel").await;
        assert!(rig
            .last()
            .contains("DELETE /ucwa/oauth/v1/applications/101"));
        rig.keys.send(ctrl('c')).unwrap();
        assert!(task.await.unwrap().unwrap().left_up.is_empty());
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn quitting_during_a_call_ends_it_first() {
    local(async {
        let (rig, task) = start(Box::pin(async { Ok(ready()) }));
        rig.until("DEMO").await;
        rig.typ("sip:alice@contoso.com");
        rig.keys.send(key(KeyCode::Enter)).unwrap();
        rig.until("● Connected").await;
        rig.keys.send(ctrl('q')).unwrap();
        let started = tokio::time::Instant::now();
        assert!(task.await.unwrap().unwrap().left_up.is_empty());
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(rig.last().contains("ending the call before quitting"));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_failed_connection_is_shown_and_calls_are_refused() {
    local(async {
        let (rig, task) = start(Box::pin(async {
            Err("address already in use".to_string())
        }));
        rig.until("cannot connect: address already in use").await;
        rig.typ("sip:alice@contoso.com");
        rig.keys.send(key(KeyCode::Enter)).unwrap();
        rig.until("cannot call").await;
        drop(rig.keys);
        assert!(task.await.unwrap().unwrap().left_up.is_empty());
    })
    .await;
}
