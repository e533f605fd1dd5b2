use std::time::{Duration, UNIX_EPOCH};

use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::call::{CallError, CallOutcome, CallRequest, ErrorKind, EventNote, FinalState, Step};
use crate::ucwa::transport::WireRecord;

fn app() -> App {
    let mut app = App::new(Format::Json, Theme::new(false));
    app.set_clock(
        Instant::now(),
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    );
    app.update(Msg::Connected(Ok(Some(DemoInfo {
        url: "http://127.0.0.1:1".into(),
        contacts: vec![
            ("sip:alice@contoso.com".into(), "answers".into()),
            ("sip:bob@contoso.com".into(), "declines".into()),
        ],
    }))));
    app
}

fn key(app: &mut App, code: KeyCode) -> Option<Command> {
    app.update(Msg::Key(KeyEvent::from(code)))
}

fn ctrl(app: &mut App, c: char) -> Option<Command> {
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

fn typ(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn started(cmd: Option<Command>) -> (CallId, ValidCall) {
    match cmd {
        Some(Command::StartCall { id, call, .. }) => (id, call),
        other => panic!("expected StartCall, got {other:?}"),
    }
}

fn outcome(state: FinalState, error: Option<CallError>) -> CallOutcome {
    CallOutcome {
        state,
        invitation: Some("/inv/1".into()),
        operation_id: "op".into(),
        timings: vec![],
        error,
        connected_for: None,
    }
}

#[test]
fn typing_a_contact_and_enter_places_the_call() {
    let mut app = app();
    typ(&mut app, "sip:alice@contoso.com");
    let (id, call) = started(key(&mut app, KeyCode::Enter));
    assert_eq!(id, 1);
    assert_eq!(call.to, "sip:alice@contoso.com");
    assert_eq!(call.operation_id.len(), 32);
    // The next call gets a fresh operation id.
    assert_ne!(app.form.value(FieldId::OperationId), call.operation_id);
    assert!(app.animating());
    assert!(app.live_call().unwrap().ringing());
}

#[test]
fn an_invalid_form_is_refused_with_every_reason() {
    let mut app = app();
    typ(&mut app, "bob");
    // Tab would complete to sip:bob@contoso.com; Down moves on.
    key(&mut app, KeyCode::Down);
    typ(&mut app, &"x".repeat(251));
    assert_eq!(
        app.form.error(FieldId::Subject),
        Some("251 characters, the limit is 250")
    );
    assert_eq!(key(&mut app, KeyCode::Enter), None);
    let (_, flash) = app.flash.clone().unwrap();
    assert!(flash.contains("To: 'bob' is not a sip: URI"), "{flash}");
    assert!(flash.contains("Subject: 251 characters"), "{flash}");
    assert_eq!(app.form.focus(), FieldId::To);
    assert!(app.calls.is_empty());
}

#[test]
fn a_missing_media_offer_opens_advanced_and_shows_in_place() {
    let mut app = app();
    typ(&mut app, "sip:alice@contoso.com");
    app.form.set_advanced(true);
    app.form.set_focus(FieldId::MediaOffer);
    typ(&mut app, "/nonexistent/offer.sdp");
    assert_eq!(key(&mut app, KeyCode::Enter), None);
    assert!(app.form.advanced_open);
    assert!(app
        .form
        .error(FieldId::MediaOffer)
        .unwrap()
        .starts_with("cannot read '/nonexistent/offer.sdp'"));
}

#[test]
fn tab_at_the_end_of_to_completes_then_moves_on() {
    let mut app = app();
    typ(&mut app, "al");
    assert_eq!(app.context(), Context::Text { can_complete: true });
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.form.value(FieldId::To), "sip:alice@contoso.com");
    assert_eq!(app.form.focus(), FieldId::To);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.form.focus(), FieldId::Subject);
}

#[test]
fn esc_while_ringing_cancels_and_ctrl_e_hangs_up() {
    let mut app = app();
    typ(&mut app, "sip:alice@contoso.com");
    let (id, _) = started(key(&mut app, KeyCode::Enter));
    app.update(Msg::Call(id, CallUpdate::StepStarted(Step::Ring)));
    assert_eq!(app.shown_call().unwrap().status_label(), "ringing");
    assert_eq!(key(&mut app, KeyCode::Esc), Some(Command::EndCall(id)));
    assert_eq!(app.shown_call().unwrap().status_label(), "cancelling");
    app.update(Msg::Call(
        id,
        CallUpdate::Finished(outcome(FinalState::Cancelled, None)),
    ));
    assert!(!app.animating());

    let (id, _) = started(key(&mut app, KeyCode::Enter));
    app.update(Msg::Call(
        id,
        CallUpdate::InvitationState(crate::call::InvitationState::Connected),
    ));
    assert_eq!(app.shown_call().unwrap().status_label(), "Connected");
    // Esc no longer ends a connected call: only the hang-up key does.
    assert_eq!(key(&mut app, KeyCode::Esc), None);
    assert_eq!(ctrl(&mut app, 'e'), Some(Command::EndCall(id)));
    assert_eq!(app.shown_call().unwrap().status_label(), "hanging up");
}

#[test]
fn a_new_call_while_one_is_live_asks_first() {
    let mut app = app();
    typ(&mut app, "sip:alice@contoso.com");
    let (first, _) = started(key(&mut app, KeyCode::Enter));
    assert_eq!(key(&mut app, KeyCode::Enter), None);
    assert!(matches!(app.overlay, Overlay::ConfirmReplace(_)));
    assert_eq!(app.context(), Context::Confirm);
    // n keeps the live call.
    assert_eq!(key(&mut app, KeyCode::Char('n')), None);
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(app.calls.len(), 1);
    key(&mut app, KeyCode::Enter);
    let (second, _) = started(key(&mut app, KeyCode::Char('y')));
    assert_ne!(first, second);
    assert!(app.call(first).unwrap().ending);
    assert_eq!(app.calls.len(), 2);
}

#[test]
fn quit_keys_work_everywhere_and_end_live_calls() {
    let mut app = app();
    typ(&mut app, "q");
    assert_eq!(app.form.value(FieldId::To), "q");
    key(&mut app, KeyCode::F(1));
    assert_eq!(app.overlay, Overlay::Help);
    assert_eq!(ctrl(&mut app, 'q'), Some(Command::Quit));

    let mut app = self::app();
    typ(&mut app, "sip:alice@contoso.com");
    started(key(&mut app, KeyCode::Enter));
    assert_eq!(ctrl(&mut app, 'c'), Some(Command::Quit));
    assert!(app.quitting && app.calls[0].ending);
}

#[test]
fn help_opens_with_question_mark_only_outside_text_fields() {
    let mut app = app();
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(app.form.value(FieldId::To), "?");
    app.form.set_focus(FieldId::Importance);
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(app.overlay, Overlay::Help);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn toggles_change_with_space_and_arrows() {
    let mut app = app();
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.form.focus(), FieldId::Importance);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Right);
    assert_eq!(app.form.importance, Some(crate::call::Importance::Urgent));
    key(&mut app, KeyCode::Left);
    assert_eq!(app.form.importance, Some(crate::call::Importance::Normal));
}

#[test]
fn updates_fill_the_status_log_ladder_and_wire_log() {
    let mut app = app();
    typ(&mut app, "sip:bob@contoso.com");
    let (id, _) = started(key(&mut app, KeyCode::Enter));
    let wall = app.wall;
    let record = WireRecord {
        seq: 1,
        started: wall,
        elapsed: Duration::from_millis(5),
        method: "POST".into(),
        url: "http://h/apps/1/startAudioVideo".into(),
        request_headers: vec![],
        request_body: None,
        status: Some(201),
        response_headers: vec![],
        response_body: None,
        error: None,
    };
    app.update(Msg::Call(id, CallUpdate::Wire(record)));
    app.update(Msg::Call(
        id,
        CallUpdate::InvitationCreated {
            href: "/inv/1".into(),
            operation_id: "op1".into(),
        },
    ));
    app.update(Msg::Call(
        id,
        CallUpdate::Event(EventNote {
            at: wall + Duration::from_millis(30),
            sender: "communication".into(),
            kind: crate::call::EventKind::Completed,
            rel: "audioVideoInvitation".into(),
            href: "/inv/1".into(),
            state: None,
            status: Some(crate::call::OperationStatus::Failure),
            reason: None,
        }),
    ));
    let error = CallError {
        kind: ErrorKind::Invitation,
        message: "sip:bob@contoso.com declined the call".into(),
        status: None,
        code: Some("Declined".into()),
        subcode: None,
        server_message: None,
        diagnostics: Vec::new(),
    };
    app.update(Msg::Call(
        id,
        CallUpdate::Finished(outcome(FinalState::Failed, Some(error))),
    ));
    let call = app.call(id).unwrap();
    assert_eq!(call.ladder.len(), 3);
    assert_eq!(call.wire_doc.starts, [0]);
    assert_eq!(call.status_label(), "Failed");
    assert_eq!(call.invitation.as_deref(), Some("/inv/1"));
    assert!(call.log.iter().any(|l| l.kind == LogKind::EventFailure));
    assert!(call.log.last().unwrap().text.contains("declined the call"));
    // Ladder: Enter on the first row opens its exchange in the wire log.
    key(&mut app, KeyCode::F(2));
    assert_eq!(app.view, View::Ladder);
    key(&mut app, KeyCode::Home);
    assert_eq!(app.ladder_sel, Some(0));
    key(&mut app, KeyCode::Enter);
    assert_eq!((app.view, app.wire_top), (View::WireLog, 0));
    assert_eq!(key(&mut app, KeyCode::Char('x')), Some(Command::Export(id)));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.view, View::Form);
}

#[test]
fn history_refills_the_form_so_calling_again_is_two_keys() {
    let mut app = app();
    typ(&mut app, "sip:bob@contoso.com");
    key(&mut app, KeyCode::Tab);
    typ(&mut app, "standup");
    let (id, first) = started(key(&mut app, KeyCode::Enter));
    app.update(Msg::Call(
        id,
        CallUpdate::Finished(outcome(FinalState::Failed, None)),
    ));
    // Clear the form, then call again from history.
    app.form.fill(&CallRequest::default(), Format::Xml);
    key(&mut app, KeyCode::F(4));
    assert_eq!(app.context(), Context::History);
    assert_eq!(app.form.value(FieldId::To), "sip:bob@contoso.com");
    let (again, call) = started(key(&mut app, KeyCode::Enter));
    assert_eq!(again, 2);
    assert_eq!(call.subject.as_deref(), Some("standup"));
    assert_ne!(call.operation_id, first.operation_id);
    assert_eq!(app.pane, Pane::Form);
}

#[test]
fn calls_queue_while_starting_and_fail_when_the_connection_does() {
    let mut app = App::new(Format::Json, Theme::new(false));
    assert_eq!(app.conn, ConnState::Starting);
    typ(&mut app, "sip:alice@contoso.com");
    started(key(&mut app, KeyCode::Enter));
    assert_eq!(app.calls[0].log[1].text, "waiting for the connection");
    app.update(Msg::Connected(Err("address in use".into())));
    assert_eq!(key(&mut app, KeyCode::Enter), None);
    assert!(app.flash.as_ref().unwrap().1.contains("address in use"));
}

#[test]
fn idle_keys_that_do_nothing_do_not_redraw() {
    let mut app = app();
    app.form.set_focus(FieldId::Importance);
    app.dirty = false;
    app.update(Msg::Key(KeyEvent::from(KeyCode::Char('z'))));
    assert!(!app.dirty);
}

fn wire(seq: u64, wall: SystemTime) -> WireRecord {
    WireRecord {
        seq,
        started: wall,
        elapsed: Duration::from_millis(5),
        method: "GET".into(),
        url: "http://h/apps/1/events".into(),
        request_headers: vec![],
        request_body: None,
        status: Some(200),
        response_headers: vec![],
        response_body: Some("x".repeat(4096)),
        error: None,
    }
}

#[test]
fn only_the_last_calls_keep_their_wire_log() {
    let mut app = app();
    let wall = app.wall;
    typ(&mut app, "sip:bob@contoso.com");
    let total = DETAILED_CALLS as u64 + 10;
    for _ in 0..total {
        let (id, _) = started(key(&mut app, KeyCode::Enter));
        app.update(Msg::Call(id, CallUpdate::Wire(wire(1, wall))));
        app.update(Msg::Call(id, CallUpdate::Wire(wire(2, wall))));
        app.update(Msg::Call(
            id,
            CallUpdate::Finished(outcome(FinalState::Failed, None)),
        ));
    }
    assert_eq!(app.calls.len() as u64, total);
    let (old, recent) = app.calls.split_at(10);
    for c in old {
        assert!(
            c.released && c.wire.is_empty() && c.wire_doc.lines.is_empty(),
            "#{}",
            c.id
        );
        assert!(c.ladder.is_empty() && c.outcome.is_some() && !c.log.is_empty());
    }
    for c in recent {
        assert!(!c.released && c.wire.len() == 2, "#{}", c.id);
    }
    // An old call still shows its summary; its export says why there is nothing to write.
    key(&mut app, KeyCode::F(4));
    key(&mut app, KeyCode::End);
    assert_eq!(app.shown_call().unwrap().id, 1);
    assert_eq!(key(&mut app, KeyCode::F(5)), None);
    let (_, flash) = app.flash.clone().unwrap();
    assert!(flash.contains("older than the last 50"), "{flash}");
}

fn past(contact: &str, at: &str, state: &str) -> PastCall {
    crate::history::Entry {
        at: at.into(),
        contact: contact.into(),
        subject: Some("Weekly".into()),
        server: "built-in simulator".into(),
        format: "xml".into(),
        importance: Some("Urgent".into()),
        audio_muted: Some(true),
        state: state.into(),
        duration_ms: 700,
        ..Default::default()
    }
    .into()
}

/// A Call via Work call of an earlier run is called again through the same phone.
#[test]
fn an_earlier_call_via_work_is_called_again_through_the_phone() {
    let mut app = app();
    let mut entry = past("tel:+14255559876", "2023-11-14T22:13:20.000Z", "Ended");
    entry.via_phone = Some("+1 425 555 0123".into());
    app.update(Msg::HistoryLoaded(vec![entry]));
    key(&mut app, KeyCode::F(4));
    assert!(app.form.via_phone);
    let (_, call) = started(key(&mut app, KeyCode::Enter));
    assert_eq!(call.phone_number.as_deref(), Some("tel:+14255550123"));
    assert_eq!(call.to, "tel:+14255559876");
}

#[test]
fn earlier_runs_are_listed_after_this_run_and_enter_calls_again() {
    let mut app = app();
    app.update(Msg::HistoryLoaded(vec![
        past(
            "sip:carol@contoso.com",
            "2023-11-13T09:00:00.000Z",
            "Cancelled",
        ),
        past("sip:dave@contoso.com", "2023-11-14T22:13:20.000Z", "Ended"),
    ]));
    // Two keys: F4 selects the newest, Enter calls it again with what it was called with.
    key(&mut app, KeyCode::F(4));
    assert_eq!(app.past_sel, Some(0));
    let (_, call) = started(key(&mut app, KeyCode::Enter));
    assert_eq!(call.to, "sip:dave@contoso.com");
    assert_eq!(call.subject.as_deref(), Some("Weekly"));
    assert_eq!(call.join_audio_muted, Some(true));
    assert_eq!(app.form.format, Format::Xml);
    // Now this run's call is first, the earlier ones follow.
    key(&mut app, KeyCode::F(4));
    assert_eq!(app.past_sel, None);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.past_sel, Some(0));
    key(&mut app, KeyCode::Down);
    assert_eq!(app.past_sel, Some(1));
    assert_eq!(app.form.value(FieldId::To), "sip:carol@contoso.com");
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up);
    assert_eq!(app.past_sel, None);
    // Completion in To draws on the history.
    key(&mut app, KeyCode::Esc);
    app.form.set_focus(FieldId::To);
    ctrl(&mut app, 'u');
    typ(&mut app, "car");
    assert_eq!(
        app.form.suggestion().unwrap().value,
        "sip:carol@contoso.com"
    );
}

#[test]
fn the_sign_in_dialog_connects_again_and_the_banner_follows() {
    let mut app = app();
    app.can_reconnect = true;
    app.profiles = vec![ProfileChoice {
        name: "work".into(),
        server: Some("https://lyncdiscover.contoso.com".into()),
        user: Some("me@contoso.com".into()),
    }];
    key(&mut app, KeyCode::F(7));
    assert!(matches!(app.overlay, Overlay::SignIn(_)));
    key(&mut app, KeyCode::Up); // to Profile
    key(&mut app, KeyCode::Right); // work
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down); // Password
    typ(&mut app, "pw1");
    let request = match key(&mut app, KeyCode::Enter) {
        Some(Command::Reconnect(r)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(request.profile.as_deref(), Some("work"));
    assert_eq!(request.user.as_deref(), Some("me@contoso.com"));
    assert_eq!(request.password.as_ref().map(|p| p.expose()), Some("pw1"));
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(app.conn, ConnState::Starting);
    app.update(Msg::Session(SessionInfo {
        profile: Some("work".into()),
        server: Some("https://lyncdiscover.contoso.com".into()),
        user: "me@contoso.com".into(),
        ..Default::default()
    }));
    app.update(Msg::Connected(Ok(None)));
    assert_eq!(app.signin, SignInState::NotYet);
    // A call that fails while signing in says so; one that signs in clears it.
    typ(&mut app, "sip:bob@contoso.com");
    let (id, _) = started(key(&mut app, KeyCode::Enter));
    app.update(Msg::Call(id, CallUpdate::StepStarted(Step::SignIn)));
    app.update(Msg::Call(
        id,
        CallUpdate::Finished(outcome(
            FinalState::Failed,
            Some(CallError::new(
                ErrorKind::Server,
                "the password was refused",
            )),
        )),
    ));
    assert_eq!(
        app.signin,
        SignInState::Failed("the password was refused".into())
    );
    let (id, _) = started(key(&mut app, KeyCode::Enter));
    app.update(Msg::Call(
        id,
        CallUpdate::StepFinished {
            step: Step::SignIn,
            elapsed: Duration::from_millis(3),
        },
    ));
    assert_eq!(app.signin, SignInState::SignedIn);
    // F9 goes straight to the next profile.
    assert!(matches!(
        key(&mut app, KeyCode::F(9)),
        Some(Command::Reconnect(ConnectRequest { profile: Some(p), .. })) if p == "work"
    ));
}

/// F9 after a profile that could not connect (its password command failed) goes on to the
/// profile after it, not back to the same one; a session coming up starts again from itself.
#[test]
fn f9_goes_past_a_profile_that_cannot_connect() {
    let mut app = app();
    app.can_reconnect = true;
    let profile = |name: &str| ProfileChoice {
        name: name.into(),
        server: None,
        user: Some(format!("{name}@contoso.com")),
    };
    app.profiles = vec![profile("broken"), profile("demo"), profile("demo2")];
    app.session.profile = Some("demo2".into());
    let tried = |app: &mut App| match key(app, KeyCode::F(9)) {
        Some(Command::Reconnect(r)) => r.profile.unwrap_or_default(),
        other => panic!("{other:?}"),
    };
    assert_eq!(tried(&mut app), "broken");
    app.update(Msg::Connected(Err(
        "profile 'broken': password_command failed".into(),
    )));
    assert_eq!(app.session.profile.as_deref(), Some("demo2"));
    assert_eq!(tried(&mut app), "demo");
    app.update(Msg::Session(SessionInfo {
        profile: Some("demo".into()),
        user: "demo@contoso.com".into(),
        ..Default::default()
    }));
    app.update(Msg::Connected(Ok(None)));
    assert_eq!(tried(&mut app), "demo2");
}

mod lookup {
    use super::*;
    use crate::tui::lookup::DEBOUNCE;
    use crate::ucwa::people::{Availability, Contact, Person, Presence};

    fn person(name: &str, availability: &str) -> Person {
        Person {
            contact: Contact {
                name: Some(name.into()),
                uri: Some(format!("sip:{}@contoso.com", name.to_lowercase())),
                title: Some("Engineer".into()),
                ..Default::default()
            },
            presence: Some(Presence {
                availability: Some(Availability::parse(availability)),
                ..Default::default()
            }),
        }
    }

    fn later(app: &mut App, by: Duration) {
        let (now, wall) = (app.now + by, app.wall + by);
        app.set_clock(now, wall);
    }

    /// Types `text`, waits out the pause: the query the loop is asked to search.
    fn search(app: &mut App, text: &str) -> String {
        typ(app, text);
        assert_eq!(app.update(Msg::SearchDue), None, "not before the pause");
        later(app, DEBOUNCE);
        match app.update(Msg::SearchDue) {
            Some(Command::Search(q)) => q,
            other => panic!("expected Search, got {other:?}"),
        }
    }

    #[test]
    fn the_search_waits_for_the_pause_after_the_last_key() {
        let mut app = app();
        typ(&mut app, "al");
        later(&mut app, DEBOUNCE / 2);
        typ(&mut app, "e");
        later(&mut app, DEBOUNCE / 2);
        assert_eq!(app.update(Msg::SearchDue), None);
        later(&mut app, DEBOUNCE / 2);
        assert_eq!(
            app.update(Msg::SearchDue),
            Some(Command::Search("ale".into()))
        );
        // A URI is not searched.
        let mut app = self::app();
        typ(&mut app, "sip:al");
        later(&mut app, DEBOUNCE);
        assert_eq!(app.lookup.due(), None);
        assert_eq!(app.update(Msg::SearchDue), None);
    }

    #[test]
    fn a_stale_answer_is_dropped() {
        let mut app = app();
        let old = search(&mut app, "al");
        let new = search(&mut app, "ex");
        assert_eq!(new, "alex");
        app.update(Msg::Searched(old, Ok(vec![person("Al", "Online")])));
        assert!(app.lookup.matches.is_empty());
        app.update(Msg::Searched(new, Ok(vec![person("Alex", "Online")])));
        assert_eq!(app.lookup.matches.len(), 1);
    }

    #[test]
    fn down_and_enter_take_a_match_and_enter_calls_it() {
        let mut app = app();
        let q = search(&mut app, "alex");
        app.update(Msg::Searched(
            q,
            Ok(vec![person("Alex", "Online"), person("Alexis", "Away")]),
        ));
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Down);
        assert_eq!(key(&mut app, KeyCode::Enter), None);
        assert_eq!(app.form.value(FieldId::To), "sip:alexis@contoso.com");
        assert!(!app.lookup.open());
        assert!(app.lookup.chosen_for("sip:alexis@contoso.com").is_some());
        let (_, call) = started(key(&mut app, KeyCode::Enter));
        assert_eq!(call.to, "sip:alexis@contoso.com");
    }

    #[test]
    fn calling_someone_offline_or_in_do_not_disturb_asks_first() {
        for (availability, words) in [("Offline", "Offline"), ("DoNotDisturb", "Do not disturb")] {
            let mut app = app();
            let q = search(&mut app, "dan");
            app.update(Msg::Searched(q, Ok(vec![person("Dan", availability)])));
            key(&mut app, KeyCode::Tab);
            assert_eq!(key(&mut app, KeyCode::Enter), None, "{availability}");
            match &app.overlay {
                Overlay::ConfirmPresence(p) => assert_eq!(p.2, words),
                other => panic!("{availability}: expected a confirm, got {other:?}"),
            }
            assert_eq!(app.context(), Context::Confirm);
            // No: nothing is called.
            key(&mut app, KeyCode::Char('n'));
            assert_eq!(app.overlay, Overlay::None);
            assert!(app.calls.is_empty());
            // Yes: called.
            key(&mut app, KeyCode::Enter);
            let (_, call) = started(key(&mut app, KeyCode::Char('y')));
            assert_eq!(call.to, "sip:dan@contoso.com");
        }
        // Busy or Away: no question.
        let mut app = app();
        let q = search(&mut app, "bea");
        app.update(Msg::Searched(q, Ok(vec![person("Bea", "Busy")])));
        key(&mut app, KeyCode::Enter);
        started(key(&mut app, KeyCode::Enter));
    }

    #[test]
    fn a_bare_address_is_called_as_a_sip_uri() {
        let mut app = app();
        typ(&mut app, "carol@contoso.com");
        let (_, call) = started(key(&mut app, KeyCode::Enter));
        assert_eq!(call.to, "sip:carol@contoso.com");
    }
}
