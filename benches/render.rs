//! Frame time of the busiest views: a call with 200 events and 100 exchanges, drawn at
//! 200x60 into a TestBackend. Prints the median (and p99) per frame; the target is 1 ms.
//! `cargo bench --bench render`

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant, UNIX_EPOCH};

use avlaunch::call::{CallUpdate, EventNote, Step};
use avlaunch::tui::app::{App, Command, Msg};
use avlaunch::tui::theme::Theme;
use avlaunch::tui::view;
use avlaunch::ucwa::transport::WireRecord;
use avlaunch::ucwa::Format;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::Terminal;

fn busy_app() -> App {
    let mut app = App::new(Format::Json, Theme::new(true));
    let base = Instant::now();
    let wall = UNIX_EPOCH + Duration::from_secs(1_714_555_800);
    app.set_clock(base, wall);
    app.update(Msg::Connected(Ok(None)));
    for c in "sip:alice@contoso.com".chars() {
        app.update(Msg::Key(KeyEvent::from(KeyCode::Char(c))));
    }
    let Some(Command::StartCall { id, .. }) = app.update(Msg::Key(KeyEvent::from(KeyCode::Enter)))
    else {
        panic!("no call");
    };
    app.update(Msg::Call(id, CallUpdate::StepStarted(Step::Ring)));
    let body = r#"{"_links":{"self":{"href":"/ucwa/oauth/v1/applications/101/events?ack=3"},"next":{"href":"/ucwa/oauth/v1/applications/101/events?ack=4"}},"sender":[{"rel":"communication","events":[{"link":{"rel":"audioVideoInvitation","href":"/inv/1"},"type":"updated"}]}]}"#;
    for i in 0..100u64 {
        let record = WireRecord {
            seq: i + 1,
            started: wall + Duration::from_millis(i * 50),
            elapsed: Duration::from_millis(40),
            method: if i % 3 == 0 { "POST" } else { "GET" }.into(),
            url: format!("http://127.0.0.1:40123/ucwa/oauth/v1/applications/101/events?ack={i}"),
            request_headers: vec![
                ("Accept".into(), "application/json".into()),
                ("Authorization".into(), "Bearer cwt=***".into()),
            ],
            request_body: (i % 3 == 0).then(|| "{\"userAgent\":\"avlaunch\"}".to_string()),
            status: Some(200),
            response_headers: vec![("Content-Type".into(), "application/json".into())],
            response_body: Some(body.to_string()),
            error: None,
        };
        app.update(Msg::Call(id, CallUpdate::Wire(record)));
    }
    for i in 0..200u64 {
        let note = EventNote {
            at: wall + Duration::from_millis(i * 25),
            sender: "communication".into(),
            kind: avlaunch::call::EventKind::Updated,
            rel: "audioVideoInvitation".into(),
            href: "/inv/1".into(),
            state: Some("Alerting".into()),
            status: None,
            reason: None,
        };
        app.update(Msg::Call(id, CallUpdate::Event(note)));
    }
    app.set_clock(base + Duration::from_secs(7), wall + Duration::from_secs(7));
    app
}

fn median_p99(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (
        ms(times[times.len() / 2]),
        ms(times[times.len() * 99 / 100]),
    )
}

/// `render`: the view into a buffer (our code). `frame`: a whole `Terminal::draw` into a
/// TestBackend after a clear, so every cell is diffed and written (ratatui's share included).
fn measure(name: &str, app: &App, frames: usize) {
    let area = Rect::new(0, 0, 200, 60);
    let mut buf = Buffer::empty(area);
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        buf.reset();
        let t = Instant::now();
        view::render_buf(app, area, &mut buf);
        times.push(t.elapsed());
    }
    let (render, render99) = median_p99(times);
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        term.clear().unwrap();
        let t = Instant::now();
        term.draw(|f| view::render(app, f)).unwrap();
        times.push(t.elapsed());
    }
    let (frame, frame99) = median_p99(times);
    println!(
        "{name:<9} render median {render:>6.3} ms (p99 {render99:>6.3})   full frame median {frame:>6.3} ms (p99 {frame99:>6.3})   200x60, {frames} frames"
    );
}

fn main() {
    let mut app = busy_app();
    measure("status", &app, 500);
    app.update(Msg::Key(KeyEvent::from(KeyCode::F(2))));
    measure("ladder", &app, 500);
    app.update(Msg::Key(KeyEvent::from(KeyCode::F(3))));
    measure("wire log", &app, 500);
    app.update(Msg::Key(KeyEvent::from(KeyCode::F(1))));
    measure("help", &app, 500);
}
