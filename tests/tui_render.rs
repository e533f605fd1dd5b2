//! The TUI's main states drawn into a `TestBackend` and compared with reviewed snapshots;
//! key styles are checked on cells, since snapshots drop colours.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use avlaunch::call::{
    CallError, CallOutcome, CallUpdate, EndedBy, ErrorKind, EventNote, FinalState, Step,
};
use avlaunch::tui::app::{App, CallId, Command, Msg};
use avlaunch::tui::theme::Theme;
use avlaunch::tui::{view, DemoInfo};
use avlaunch::ucwa::transport::WireRecord;
use avlaunch::ucwa::Format;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;

const WALL: u64 = 1_714_555_800;

fn demo() -> DemoInfo {
    DemoInfo {
        url: "http://127.0.0.1:40123".into(),
        contacts: [
            (
                "alice",
                "answers after the answer delay and stays until you hang up",
            ),
            ("dave", "answers, then hangs up after a few seconds"),
            ("bob", "declines"),
            ("carol", "never answers (the invitation times out)"),
            ("conflict", "409 Conflict / AlreadyExists"),
        ]
        .iter()
        .map(|(u, b)| (format!("sip:{u}@contoso.com"), b.to_string()))
        .collect(),
    }
}

struct Harness {
    app: App,
    base: Instant,
}

impl Harness {
    fn new(color: bool) -> Harness {
        let mut app = App::new(Format::Json, Theme::new(color));
        let base = Instant::now();
        app.set_clock(base, UNIX_EPOCH + Duration::from_secs(WALL));
        app.update(Msg::Connected(Ok(Some(demo()))));
        Harness { app, base }
    }

    /// Moves both clocks to `ms` after the start.
    fn at(&mut self, ms: u64) {
        let d = Duration::from_millis(ms);
        self.app
            .set_clock(self.base + d, UNIX_EPOCH + Duration::from_secs(WALL) + d);
    }

    fn wall(&self, ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(WALL) + Duration::from_millis(ms)
    }

    fn key(&mut self, code: KeyCode) -> Option<Command> {
        self.app.update(Msg::Key(KeyEvent::from(code)))
    }

    fn typ(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn call(&mut self, to: &str) -> CallId {
        self.typ(to);
        match self.key(KeyCode::Enter) {
            Some(Command::StartCall { id, .. }) => id,
            other => panic!("no call started: {other:?}"),
        }
    }

    fn send(&mut self, id: CallId, update: CallUpdate) {
        self.app.update(Msg::Call(id, update));
    }

    #[allow(clippy::too_many_arguments)]
    fn wire(
        &mut self,
        id: CallId,
        seq: u64,
        start: u64,
        took: u64,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&str>,
    ) {
        let record = WireRecord {
            seq,
            started: self.wall(start),
            elapsed: Duration::from_millis(took),
            method: method.into(),
            url: format!("http://127.0.0.1:40123{path}"),
            request_headers: vec![
                ("Accept".into(), "application/json".into()),
                ("Authorization".into(), "Bearer cwt=***".into()),
            ],
            request_body: (method == "POST")
                .then(|| "{\"userAgent\":\"avlaunch\",\"culture\":\"en-US\"}".to_string()),
            status: Some(status),
            response_headers: vec![("Content-Type".into(), "application/json".into())],
            response_body: body.map(str::to_string),
            error: None,
        };
        self.at(start + took);
        self.send(id, CallUpdate::Wire(record));
    }

    fn event(
        &mut self,
        id: CallId,
        ms: u64,
        kind: &str,
        state: Option<&str>,
        status: Option<&str>,
    ) {
        self.at(ms);
        let note = EventNote {
            at: self.wall(ms),
            sender: "communication".into(),
            kind: kind.into(),
            rel: "audioVideoInvitation".into(),
            href: "/ucwa/oauth/v1/applications/101/communication/audioVideoInvitations/7".into(),
            state: state.map(str::to_string),
            status: status.map(str::to_string),
            reason: None,
        };
        self.send(id, CallUpdate::Event(note));
    }

    /// A call to alice through sign-in, application, invitation, to ringing.
    fn ringing(&mut self) -> CallId {
        let id = self.call("sip:alice@contoso.com");
        self.send(id, CallUpdate::StepStarted(Step::Discover));
        self.wire(
            id,
            1,
            2,
            8,
            "GET",
            "/autodiscover/autodiscoverservice.svc/root",
            200,
            Some("{\"_links\":{\"user\":{\"href\":\"/autodiscover/user\"}}}"),
        );
        self.send(
            id,
            CallUpdate::StepFinished {
                step: Step::Discover,
                elapsed: Duration::from_millis(8),
            },
        );
        self.send(id, CallUpdate::StepStarted(Step::SignIn));
        self.wire(id, 2, 12, 3, "GET", "/autodiscover/user", 401, None);
        self.wire(
            id,
            3,
            16,
            20,
            "POST",
            "/oauth/token",
            200,
            Some("{\"access_token\":\"cwt=***\",\"token_type\":\"Bearer\"}"),
        );
        self.send(
            id,
            CallUpdate::StepFinished {
                step: Step::SignIn,
                elapsed: Duration::from_millis(24),
            },
        );
        self.send(id, CallUpdate::StepStarted(Step::CreateApplication));
        self.wire(id, 4, 40, 15, "POST", "/ucwa/oauth/v1/applications", 201, Some("{\"id\":\"101\",\"_links\":{\"self\":{\"href\":\"/ucwa/oauth/v1/applications/101\"}}}"));
        self.send(
            id,
            CallUpdate::StepFinished {
                step: Step::CreateApplication,
                elapsed: Duration::from_millis(15),
            },
        );
        self.send(id, CallUpdate::StepStarted(Step::Invite));
        self.wire(
            id,
            5,
            60,
            9,
            "POST",
            "/ucwa/oauth/v1/applications/101/communication/startAudioVideo",
            201,
            None,
        );
        self.send(
            id,
            CallUpdate::InvitationCreated {
                href: "/ucwa/oauth/v1/applications/101/communication/audioVideoInvitations/7"
                    .into(),
                operation_id: "0123456789abcdef0123456789abcdef".into(),
            },
        );
        self.send(id, CallUpdate::StepStarted(Step::Ring));
        self.wire(
            id,
            6,
            56,
            80,
            "GET",
            "/ucwa/oauth/v1/applications/101/events?ack=1",
            200,
            Some("{\"sender\":[]}"),
        );
        self.event(id, 136, "started", Some("Connecting"), None);
        self.send(id, CallUpdate::InvitationState("Connecting".into()));
        self.event(id, 136, "updated", Some("Alerting"), None);
        self.send(id, CallUpdate::InvitationState("Alerting".into()));
        self.at(7_300);
        id
    }

    fn render(&self, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
        term.draw(|f| view::render(&self.app, f)).unwrap();
        term
    }
}

fn outcome(state: FinalState, error: Option<CallError>, connected: Option<u64>) -> CallOutcome {
    CallOutcome {
        state,
        invitation: Some(
            "/ucwa/oauth/v1/applications/101/communication/audioVideoInvitations/7".into(),
        ),
        operation_id: "0123456789abcdef0123456789abcdef".into(),
        timings: vec![],
        error,
        connected_for: connected.map(Duration::from_secs),
    }
}

macro_rules! snap {
    ($name:expr, $term:expr) => {
        insta::with_settings!({
            snapshot_path => "snapshots",
            filters => vec![(r"[0-9a-f]{32}", "[OPID]")],
        }, {
            insta::assert_snapshot!($name, $term.backend());
        })
    };
}

#[test]
fn empty_form() {
    let h = Harness::new(true);
    let term = h.render(120, 30);
    snap!("empty_form", term);
    let buf = term.backend().buffer();
    // The DEMO badge stands out; the focused field's label is highlighted.
    let demo_x = (0..120).find(|x| buf[(*x, 0)].symbol() == "D").unwrap();
    assert_eq!(buf[(demo_x, 0)].bg, Color::Yellow);
    let to_x = (0..60).find(|x| buf[(*x, 2)].symbol() == "T").unwrap();
    assert_eq!(buf[(to_x, 2)].fg, Color::Cyan);
}

#[test]
fn invalid_fields() {
    let mut h = Harness::new(true);
    h.typ("bob");
    h.key(KeyCode::Down);
    h.typ(&"long subject ".repeat(20));
    assert_eq!(h.key(KeyCode::Enter), None);
    let term = h.render(120, 30);
    snap!("invalid_fields", term);
    let buf = term.backend().buffer();
    let (x, y) = (0..120)
        .flat_map(|x| (0..30).map(move |y| (x, y)))
        .find(|(x, y)| buf[(*x, *y)].symbol() == "✗")
        .unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Red);
}

#[test]
fn completion_is_drawn_dim_after_the_cursor() {
    let mut h = Harness::new(true);
    h.typ("sip:da");
    let term = h.render(120, 30);
    snap!("completion", term);
}

#[test]
fn ringing() {
    let mut h = Harness::new(true);
    h.ringing();
    snap!("ringing", h.render(120, 30));
}

#[test]
fn connected() {
    let mut h = Harness::new(true);
    let id = h.ringing();
    h.event(id, 2_000, "completed", None, Some("Success"));
    h.send(id, CallUpdate::InvitationState("Connected".into()));
    h.send(id, CallUpdate::StepStarted(Step::InCall));
    h.at(44_000);
    snap!("connected", h.render(120, 30));
}

#[test]
fn failed_with_reason() {
    let mut h = Harness::new(true);
    let id = h.call("sip:conflict@contoso.com");
    h.send(id, CallUpdate::StepStarted(Step::Invite));
    h.wire(id, 1, 10, 4, "POST", "/ucwa/oauth/v1/applications/101/communication/startAudioVideo", 409,
        Some("{\"code\":\"Conflict\",\"subcode\":\"AlreadyExists\",\"message\":\"An invitation with this operation id already exists.\"}"));
    let error = CallError {
        kind: ErrorKind::Server,
        message: "inviting: the server refused the invitation: one with this operation id already exists (use a fresh operation id)".into(),
        status: Some(409),
        code: Some("Conflict".into()),
        subcode: Some("AlreadyExists".into()),
        server_message: Some("An invitation with this operation id already exists.".into()),
    };
    h.at(30);
    h.send(
        id,
        CallUpdate::Finished(outcome(FinalState::Failed, Some(error), None)),
    );
    let term = h.render(120, 30);
    snap!("failed_with_reason", term);
}

#[test]
fn history_after_calls_that_ended_each_way() {
    let mut h = Harness::new(true);
    for (to, state, connected) in [
        (
            "sip:alice@contoso.com",
            FinalState::Ended(EndedBy::Local),
            Some(42),
        ),
        (
            "sip:dave@contoso.com",
            FinalState::Ended(EndedBy::Remote),
            Some(7),
        ),
        ("sip:bob@contoso.com", FinalState::Failed, None),
        ("sip:carol@contoso.com", FinalState::Cancelled, None),
    ] {
        h.app.form.fill(&Default::default(), Format::Json);
        let id = h.call(to);
        h.send(id, CallUpdate::Finished(outcome(state, None, connected)));
    }
    h.key(KeyCode::F(4));
    h.key(KeyCode::Down);
    snap!("history", h.render(120, 30));
}

#[test]
fn ladder_view() {
    let mut h = Harness::new(true);
    h.ringing();
    h.key(KeyCode::F(2));
    let term = h.render(120, 30);
    snap!("ladder", term);
    // Requests and responses are told apart by colour.
    let buf = term.backend().buffer();
    let row = (0..30)
        .find(|y| buf[(13, *y)].symbol() == "─" && buf[(14, *y)].symbol() == "─")
        .unwrap();
    assert_eq!(buf[(13, row)].fg, Color::Cyan);
}

#[test]
fn wire_log_view() {
    let mut h = Harness::new(true);
    h.ringing();
    h.key(KeyCode::F(3));
    h.key(KeyCode::Char('n'));
    h.key(KeyCode::Char('n'));
    h.key(KeyCode::Char('n'));
    snap!("wire_log", h.render(120, 30));
}

#[test]
fn help_overlay() {
    let mut h = Harness::new(true);
    h.key(KeyCode::F(1));
    snap!("help", h.render(120, 34));
}

#[test]
fn confirm_before_replacing_a_live_call() {
    let mut h = Harness::new(true);
    h.ringing();
    h.app.form.fill(&Default::default(), Format::Json);
    h.typ("sip:bob@contoso.com");
    assert_eq!(h.key(KeyCode::Enter), None);
    snap!("confirm", h.render(100, 26));
}

#[test]
fn narrow_terminal_stacks_the_panes() {
    let mut h = Harness::new(true);
    h.ringing();
    snap!("narrow_ringing", h.render(80, 30));
}

#[test]
fn too_small_says_so() {
    let h = Harness::new(true);
    snap!("too_small", h.render(50, 12));
}

#[test]
fn no_color_draws_no_colour() {
    let mut h = Harness::new(false);
    let id = h.ringing();
    h.send(
        id,
        CallUpdate::Finished(outcome(FinalState::Failed, None, None)),
    );
    for view in [None, Some(KeyCode::F(2)), Some(KeyCode::F(3))] {
        if let Some(k) = view {
            h.key(k);
        }
        let term = h.render(120, 30);
        for cell in term.backend().buffer().content() {
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
        }
        h.key(KeyCode::Esc);
    }
}

#[test]
fn quitting_with_ctrl_q_from_a_text_field() {
    let mut h = Harness::new(true);
    h.typ("sip:al");
    let cmd = h.app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('q'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(cmd, Some(Command::Quit));
}
