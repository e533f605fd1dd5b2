//! The TUI's main states drawn into a `TestBackend` and compared with reviewed snapshots;
//! key styles are checked on cells, since snapshots drop colours.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use avlaunch::call::{
    CallError, CallNotice, CallOutcome, CallUpdate, EndedBy, ErrorKind, EventKind, EventNote,
    FinalState, OperationStatus, Step,
};
use avlaunch::tui::app::{App, CallId, Command, Msg};
use avlaunch::tui::theme::Theme;
use avlaunch::tui::{view, DemoInfo};
use avlaunch::ucwa::action::Action;
use avlaunch::ucwa::notice::Notice;
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
            kind: EventKind::parse(kind),
            rel: "audioVideoInvitation".into(),
            href: "/ucwa/oauth/v1/applications/101/communication/audioVideoInvitations/7".into(),
            state: state.map(str::to_string),
            status: status.map(OperationStatus::parse),
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
        self.send(
            id,
            CallUpdate::InvitationState(avlaunch::call::InvitationState::Connecting),
        );
        self.event(id, 136, "updated", Some("Alerting"), None);
        self.send(
            id,
            CallUpdate::InvitationState(avlaunch::call::InvitationState::Alerting),
        );
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
    h.send(
        id,
        CallUpdate::InvitationState(avlaunch::call::InvitationState::Connected),
    );
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
        diagnostics: Vec::new(),
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

/// The screen as text, one string per row (a wide character's second cell is empty).
fn screen(term: &Terminal<TestBackend>) -> Vec<String> {
    let buf = term.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in 0..buf.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let symbol = buf[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                row.push_str(symbol);
            }
            row
        })
        .collect()
}

fn declined() -> CallError {
    CallError {
        kind: ErrorKind::Invitation,
        message: "The person declined the call.".into(),
        status: None,
        code: Some("RemoteFailure".into()),
        subcode: Some("Declined".into()),
        server_message: Some("The person declined the call.".into()),
        diagnostics: Vec::new(),
    }
}

#[test]
fn what_happened_is_on_screen_at_every_size() {
    let mut h = Harness::new(true);
    let id = h.ringing();
    h.send(
        id,
        CallUpdate::Notice(CallNotice::Protocol(Notice::TokenRefused {
            action: Action::ReadingInvitation,
        })),
    );
    h.send(
        id,
        CallUpdate::Finished(outcome(FinalState::Failed, Some(declined()), None)),
    );
    for (w, rows) in [(60, 20), (80, 24), (120, 40)] {
        let term = h.render(w, rows);
        let text = screen(&term).join("\n");
        for shown in [
            "■ Failed",
            "✗ The person declined the call.",
            "code RemoteFailure · subcode Declined",
            "signing in again",
            "Invitation  ",
        ] {
            assert!(text.contains(shown), "{w}x{rows}: no {shown:?}\n{text}");
        }
        // The server's words are the explanation here: said once, not again as "server:".
        assert!(!text.contains("server: “"), "{text}");
        if (w, rows) == (80, 24) {
            snap!("declined_80x24", term);
        }
    }
    // F6: the identifiers in full, wrapped.
    h.app.update(Msg::Key(KeyEvent::from(KeyCode::F(6))));
    let text = screen(&h.render(120, 40)).join("\n");
    assert!(text.contains("F6 shorten"), "{text}");
    assert!(!text.contains("applications…"), "{text}");
}

#[test]
fn the_focused_field_is_always_in_view() {
    let mut h = Harness::new(true);
    for _ in 0..7 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Char(' '));
    for _ in 0..4 {
        h.key(KeyCode::Down);
    }
    h.typ("/nonexistent/offer.sdp");
    for (w, rows) in [(60, 20), (80, 24), (120, 40)] {
        let term = h.render(w, rows);
        let lines = screen(&term);
        let focus = lines
            .iter()
            .position(|l| l.contains("›  Media offer"))
            .unwrap_or_else(|| panic!("{w}x{rows}: focus not in view\n{}", lines.join("\n")));
        // Checked as typed, and its error is in view too.
        assert!(
            lines[focus + 1].contains("✗ cannot read '/nonexist"),
            "{}",
            lines.join("\n")
        );
        if (w, rows) == (60, 20) {
            assert!(
                lines.join("\n").contains("↑ "),
                "scrolled: {}",
                lines.join("\n")
            );
            snap!("focus_60x20", term);
        }
    }
}

#[test]
fn views_stop_with_their_last_line_at_the_bottom() {
    let mut h = Harness::new(true);
    let id = h.ringing();
    h.send(
        id,
        CallUpdate::Finished(outcome(FinalState::Failed, Some(declined()), None)),
    );
    // The wire log: End, then Down and PgDn, leave the last line at the bottom.
    h.key(KeyCode::F(3));
    h.render(120, 30);
    h.key(KeyCode::End);
    let end = h.app.wire_top;
    for k in [KeyCode::Down, KeyCode::PageDown, KeyCode::Char(' ')] {
        h.key(k);
        assert_eq!(h.app.wire_top, end, "{k:?} scrolled past the end");
    }
    let lines = screen(&h.render(120, 30));
    let total = h.app.shown_call().unwrap().wire_doc.lines.len();
    assert!(
        lines[1].contains(&format!("of {total} · end")),
        "{}",
        lines[1]
    );
    // The last exchange's last header is on the last row but one (a blank line ends it).
    assert!(
        lines[lines.len() - 4].contains("Content-Type"),
        "{}",
        lines.join("\n")
    );
    h.key(KeyCode::Up);
    assert_eq!(h.app.wire_top, end - 1);

    // The help at the stated minimum scrolls to its last line.
    h.key(KeyCode::Esc);
    h.key(KeyCode::F(1));
    let first = screen(&h.render(60, 20)).join("\n");
    assert!(first.contains("lines 1–"), "{first}");
    assert!(!first.contains("back to the form"), "{first}");
    h.key(KeyCode::End);
    let term = h.render(60, 20);
    let last = screen(&term).join("\n");
    assert!(last.contains("back to the form"), "{last}");
    snap!("help_60x20_end", term);
    h.key(KeyCode::Esc);

    // The status log scrolls back to its first line and no further.
    let len = h.app.shown_call().unwrap().log.len();
    h.render(120, 30);
    for _ in 0..10 {
        h.key(KeyCode::PageUp);
    }
    let rows = h.app.viewport.get().log_rows;
    assert_eq!(h.app.log_back, len.saturating_sub(rows));
    h.key(KeyCode::PageDown);
    assert!(h.app.log_back < len.saturating_sub(rows) || len <= rows);
}

#[test]
fn the_wire_log_wraps_and_counts_exchanges_in_request_order() {
    let mut h = Harness::new(true);
    let id = h.ringing();
    // The event GET (started at 56 ms, #6) ended after the POST (#5, started at 60 ms): the
    // log lists exchanges in the order their requests started.
    let seqs: Vec<u64> = h.app.call(id).unwrap().wire.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 6, 5]);
    let challenge = format!(
        "Bearer trusted_issuers=\"00000001-0000-0000-c000-000000000000@contoso.com\", client_id=\"00000004-0000-0ff1-ce00-000000000000\", authorization_uri=\"https://login.contoso.com/common/oauth2/authorize/{}\" END-OF-CHALLENGE",
        "x".repeat(60)
    );
    let record = WireRecord {
        seq: 7,
        started: h.wall(200),
        elapsed: Duration::from_millis(3),
        method: "GET".into(),
        url: "http://127.0.0.1:40123/autodiscover/user".into(),
        request_headers: vec![],
        request_body: None,
        status: Some(401),
        response_headers: vec![("WWW-Authenticate".into(), challenge)],
        response_body: None,
        error: None,
    };
    h.send(id, CallUpdate::Wire(record));
    h.key(KeyCode::F(3));
    h.render(80, 24);
    h.key(KeyCode::End);
    let lines = screen(&h.render(80, 24));
    let text = lines.join("\n");
    assert!(text.contains("END-OF-CHALLENGE"), "{text}");
    assert!(lines[1].contains("· end"), "{}", lines[1]);
    h.key(KeyCode::Home);
    for _ in 0..4 {
        h.key(KeyCode::Char('n'));
    }
    let lines = screen(&h.render(80, 24));
    assert!(lines[1].contains("exchange 5/7 (#6)"), "{}", lines[1]);
    assert!(lines[2].starts_with("│━━ #6 GET"), "{}", lines[2]);
}

#[test]
fn the_ladder_selects_from_the_first_key_and_opens_what_is_selected() {
    let mut h = Harness::new(true);
    let id = h.call("sip:bob@contoso.com");
    let href = "/ucwa/oauth/v1/applications/101/communication/audioVideoInvitations/7";
    let body = format!(
        "{{\"sender\":[{{\"events\":[{{\"link\":{{\"rel\":\"audioVideoInvitation\",\"href\":\"{href}\"}},\"type\":\"started\"}},{{\"link\":{{\"rel\":\"audioVideoInvitation\",\"href\":\"{href}\"}},\"type\":\"completed\"}}]}}]}}"
    );
    h.wire(
        id,
        1,
        0,
        4,
        "POST",
        "/ucwa/oauth/v1/applications",
        201,
        None,
    );
    h.wire(
        id,
        2,
        5,
        50,
        "GET",
        "/ucwa/oauth/v1/applications/101/events?ack=1",
        200,
        Some(&body),
    );
    h.event(id, 55, "started", Some("Connecting"), None);
    h.event(id, 55, "completed", None, Some("Failure"));
    // A long last exchange, so that the event's line can be at the top of the view.
    let members: Vec<String> = (0..60).map(|i| format!("\"m{i}\":{i}")).collect();
    let long = format!("{{{}}}", members.join(","));
    h.wire(
        id,
        3,
        60,
        2,
        "GET",
        "/ucwa/oauth/v1/applications/101",
        200,
        Some(&long),
    );
    h.key(KeyCode::F(2));
    h.key(KeyCode::Down);
    assert_eq!(h.app.ladder_sel, Some(0), "Down selects the first row");
    let rows = h.app.call(id).unwrap().ladder.len();
    for _ in 0..rows + 3 {
        h.key(KeyCode::Down);
    }
    assert_eq!(
        h.app.ladder_sel,
        Some(rows - 1),
        "every row, the last included"
    );
    h.key(KeyCode::Up);
    h.key(KeyCode::Up);
    let term = h.render(120, 30);
    snap!("ladder_selected", term);
    // Enter on the last event opens the answer that carried it, at that event.
    h.key(KeyCode::Enter);
    assert_eq!(h.app.view, avlaunch::tui::app::View::WireLog);
    let lines = screen(&h.render(120, 30));
    let doc = &h.app.call(id).unwrap().wire_doc;
    let at = &doc.lines[h.app.wire_top].1;
    assert!(lines[2].contains(href), "{lines:#?}");
    assert!(at.contains(href), "{at}");
    let occurrences_before = doc.lines[doc.starts[1]..h.app.wire_top]
        .iter()
        .filter(|(_, l)| l.contains(href))
        .count();
    assert_eq!(occurrences_before, 1, "the second event's line: {lines:#?}");
    // Tab from the ladder opens the selected exchange.
    h.key(KeyCode::F(2));
    h.key(KeyCode::Home);
    h.key(KeyCode::Down);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.view, avlaunch::tui::app::View::WireLog);
    assert_eq!(h.app.wire_top, doc_start(&h, id, 0));
}

fn doc_start(h: &Harness, id: CallId, record: usize) -> usize {
    h.app.call(id).unwrap().wire_doc.starts[record]
}

#[test]
fn wide_text_scrolls_with_a_visible_cursor() {
    let mut h = Harness::new(true);
    h.key(KeyCode::Down);
    let subject = "会".repeat(21);
    h.typ(&subject);
    let term = h.render(120, 30);
    let lines = screen(&term);
    let row = lines.iter().position(|l| l.contains("›Subject")).unwrap();
    // 42 columns of text in a 30-column field: the end is shown, with the cursor after it.
    assert!(lines[row].contains(&"会".repeat(14)), "{}", lines[row]);
    assert!(lines[row].contains("21/250"), "{}", lines[row]);
    let buf = term.backend().buffer();
    let last = (0..120u16)
        .rev()
        .find(|x| buf[(*x, row as u16)].symbol() == "会")
        .unwrap();
    let cursor = &buf[(last + 2, row as u16)];
    assert!(
        cursor.modifier.contains(ratatui::style::Modifier::REVERSED),
        "no cursor after the text: {cursor:?}"
    );
    snap!("cjk_subject", term);
}

#[test]
fn the_folded_section_says_what_is_set() {
    let mut h = Harness::new(true);
    let request = avlaunch::call::CallRequest {
        session_context: Some("ctx-42".into()),
        thread_id: Some("thread-1".into()),
        ..Default::default()
    };
    h.app.form.fill(&request, Format::Json);
    h.app.form.set_advanced(false);
    let text = screen(&h.render(120, 30)).join("\n");
    assert!(
        text.contains("▸ Advanced        set: Thread ID, Session context"),
        "{text}"
    );
}

fn person(
    name: &str,
    title: &str,
    department: &str,
    availability: &str,
) -> avlaunch::ucwa::people::Person {
    use avlaunch::ucwa::people::{Availability, Contact, Person, Presence};
    Person {
        contact: Contact {
            name: Some(name.into()),
            uri: Some(format!(
                "sip:{}@contoso.com",
                name.to_lowercase().replace(' ', ".")
            )),
            title: Some(title.into()),
            department: Some(department.into()),
            ..Default::default()
        },
        presence: Some(Presence {
            availability: Some(Availability::parse(availability)),
            ..Default::default()
        }),
    }
}

#[test]
fn directory_matches_under_to_with_presence() {
    for color in [true, false] {
        let mut h = Harness::new(color);
        h.typ("alex");
        h.at(300);
        let Some(Command::Search(query)) = h.app.update(Msg::SearchDue) else {
            panic!("no search after the pause");
        };
        h.app.update(Msg::Searched(
            query,
            Ok(vec![
                person("Alex Wilber", "Marketing Assistant", "Marketing", "Online"),
                person("Alexandra Dunn", "Legal Counsel", "Legal", "Busy"),
                person("Alexis Moreau", "Accountant", "Finance", "BeRightBack"),
                person("Alex Offline", "Intern", "Sales", "Offline"),
                person("Alex Quiet", "Architect", "IT", "DoNotDisturb"),
            ]),
        ));
        h.key(KeyCode::Down);
        h.key(KeyCode::Down);
        let term = h.render(120, 30);
        if color {
            snap!("directory_matches", term);
        }
        let buf = term.backend().buffer();
        let row = |y: u16| (0..120).map(|x| buf[(x, y)].symbol()).collect::<String>();
        for (y, words) in [
            (3, "Available"),
            (4, "Busy"),
            (5, "Away"),
            (6, "Offline"),
            (7, "Do not disturb"),
        ] {
            assert!(row(y).contains(words), "{color}: row {y}: {}", row(y));
        }
        let dot = |y: u16| {
            (0..60)
                .find(|x| buf[(*x, y)].symbol() == "●")
                .map(|x| buf[(x, y)].fg)
        };
        if color {
            assert_eq!(dot(3), Some(Color::Green));
            assert_eq!(dot(4), Some(Color::Red));
            assert_eq!(dot(5), Some(Color::Yellow));
        } else {
            assert_eq!(dot(3), Some(Color::Reset));
        }
    }
}
