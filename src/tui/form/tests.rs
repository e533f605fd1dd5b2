use super::*;
use crossterm::event::KeyEvent;

fn form() -> Form {
    let mut f = Form::new(Format::Json, Style::default(), Style::default());
    f.directory = vec![
        ("sip:alice@contoso.com".into(), "answers".into()),
        ("sip:bob@contoso.com".into(), "declines".into()),
    ];
    f
}

fn typ(f: &mut Form, s: &str) {
    for c in s.chars() {
        f.input(KeyEvent::from(KeyCode::Char(c)));
    }
}

#[test]
fn starts_in_to_with_a_fresh_operation_id_and_no_errors() {
    let f = form();
    assert_eq!(f.focus(), FieldId::To);
    assert_eq!(f.value(FieldId::OperationId).len(), 32);
    assert_eq!(f.errors().count(), 0);
}

#[test]
fn to_shows_the_shared_rule_as_soon_as_it_is_invalid() {
    let mut f = form();
    typ(&mut f, "bob");
    assert_eq!(
        f.error(FieldId::To),
        Some("'bob' is not a sip: URI (expected sip:user@host)")
    );
    f.to.select_all();
    f.to.cut();
    typ(&mut f, "sip:bob@contoso.com");
    assert_eq!(f.error(FieldId::To), None);
}

#[test]
fn enter_and_tab_never_reach_a_text_area() {
    let mut f = form();
    typ(&mut f, "sip:a@b");
    assert!(!f.input(KeyEvent::from(KeyCode::Enter)));
    assert!(!f.input(KeyEvent::from(KeyCode::Tab)));
    assert_eq!(f.to.lines().len(), 1);
}

#[test]
fn toggles_cycle_both_ways() {
    let mut f = form();
    f.set_focus(FieldId::Importance);
    f.toggle(true);
    assert_eq!(f.importance, Some(Importance::Normal));
    f.toggle(false);
    f.toggle(false);
    assert_eq!(f.importance, Some(Importance::Emergency));
    f.set_focus(FieldId::AudioMuted);
    f.toggle(true);
    assert_eq!(f.audio_muted, Some(true));
    f.toggle(true);
    assert_eq!(f.audio_muted, Some(false));
    f.toggle(true);
    assert_eq!(f.audio_muted, None);
    assert_eq!(f.to_request().join_audio_muted, None);
}

#[test]
fn completion_prefers_recent_and_matches_without_the_scheme() {
    let mut f = form();
    typ(&mut f, "sip:a");
    let s = f.suggestion().unwrap();
    assert_eq!(s.value, "sip:alice@contoso.com");
    assert!(s.inline);
    f.remember("sip:anne@example.org");
    assert_eq!(f.suggestion().unwrap().value, "sip:anne@example.org");
    f.to.select_all();
    f.to.cut();
    typ(&mut f, "bo");
    let s = f.suggestion().unwrap();
    assert_eq!((s.value.as_str(), s.inline), ("sip:bob@contoso.com", false));
    assert!(f.accept_suggestion());
    assert_eq!(f.value(FieldId::To), "sip:bob@contoso.com");
    assert_eq!(f.behaviour(), Some("declines"));
    assert!(f.to_cursor_at_end());
    assert_eq!(f.error(FieldId::To), None);
}

#[test]
fn tab_after_tab_cycles_through_every_completion_and_typing_starts_again() {
    let mut f = form();
    f.directory = vec![
        ("sip:alice@contoso.com".into(), String::new()),
        ("sip:alan@contoso.com".into(), String::new()),
    ];
    f.known = vec!["sip:ALICE@contoso.com".into(), "sip:al@fabrikam.com".into()];
    typ(&mut f, "al");
    assert_eq!(
        f.completions("al"),
        [
            "sip:ALICE@contoso.com",
            "sip:al@fabrikam.com",
            "sip:alan@contoso.com"
        ]
    );
    let mut seen = Vec::new();
    for _ in 0..4 {
        assert!(f.accept_suggestion());
        assert!(f.cycling());
        seen.push(f.value(FieldId::To).to_string());
    }
    assert_eq!(
        seen,
        [
            "sip:ALICE@contoso.com",
            "sip:al@fabrikam.com",
            "sip:alan@contoso.com",
            "sip:ALICE@contoso.com"
        ]
    );
    typ(&mut f, "x");
    assert!(!f.cycling());
}

#[test]
fn the_advanced_fold_changes_the_ring() {
    let mut f = form();
    assert!(!f.ring().contains(&FieldId::ThreadId));
    f.set_focus(FieldId::Advanced);
    f.toggle(true);
    f.next();
    assert_eq!(f.focus(), FieldId::ThreadId);
    f.set_advanced(false);
    assert_eq!(f.focus(), FieldId::Advanced);
}

#[test]
fn fill_restores_a_request_with_a_new_operation_id() {
    let mut f = form();
    let mut req = CallRequest::to("sip:alice@contoso.com");
    req.subject = Some("hi".into());
    req.importance = Some("Urgent".into());
    req.join_video_muted = Some(false);
    f.fill(&req, Format::Xml);
    let back = f.to_request();
    assert_eq!(back.to, req.to);
    assert_eq!(back.subject, req.subject);
    assert_eq!(back.importance.as_deref(), Some("Urgent"));
    assert_eq!(back.join_video_muted, Some(false));
    assert_ne!(back.operation_id, req.operation_id);
    assert_eq!(f.format, Format::Xml);
}

#[test]
fn paste_flattens_line_breaks() {
    let mut f = form();
    f.set_focus(FieldId::Subject);
    f.paste("one\ntwo\n");
    assert_eq!(f.value(FieldId::Subject), "one two");
}

#[test]
fn the_cursor_moves_and_deletes_by_grapheme() {
    let mut f = form();
    f.set_focus(FieldId::Subject);
    // A thumbs-up with a skin tone is two characters and one grapheme.
    typ(&mut f, "a👍🏽b");
    f.input(KeyEvent::from(KeyCode::Left));
    f.input(KeyEvent::from(KeyCode::Left));
    typ(&mut f, "|");
    assert_eq!(f.value(FieldId::Subject), "a|👍🏽b");
    f.input(KeyEvent::from(KeyCode::Delete));
    assert_eq!(f.value(FieldId::Subject), "a|b");
    f.input(KeyEvent::from(KeyCode::End));
    typ(&mut f, "e\u{301}");
    f.input(KeyEvent::from(KeyCode::Backspace));
    assert_eq!(f.value(FieldId::Subject), "a|b");
    f.input(KeyEvent::from(KeyCode::Right));
    assert_eq!(f.subject.cursor(), (0, 3));
}

#[test]
fn the_media_offer_is_checked_as_typed() {
    let dir = tempfile::tempdir().unwrap();
    let offer = dir.path().join("offer.sdp");
    std::fs::write(&offer, "v=0\r\n").unwrap();
    let mut f = form();
    f.set_advanced(true);
    f.set_focus(FieldId::MediaOffer);
    typ(&mut f, "/nonexistent/offer.sdp");
    assert!(f
        .error(FieldId::MediaOffer)
        .is_some_and(|e| e.starts_with("cannot read '/nonexistent/offer.sdp'")));
    f.input(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typ(&mut f, dir.path().to_str().unwrap());
    assert!(f
        .error(FieldId::MediaOffer)
        .is_some_and(|e| e.contains("is a directory")));
    typ(&mut f, "/offer.sdp");
    assert_eq!(f.error(FieldId::MediaOffer), None);
}

#[test]
fn advanced_values_set_by_the_user_are_named() {
    let mut f = form();
    assert!(f.advanced_set().is_empty());
    f.set_advanced(true);
    f.set_focus(FieldId::OperationId);
    typ(&mut f, "x");
    f.set_focus(FieldId::ThreadId);
    typ(&mut f, "t");
    assert_eq!(f.advanced_set(), ["Thread ID", "Operation ID"]);
    f.refresh_operation_id();
    assert_eq!(f.advanced_set(), ["Thread ID"]);
}

/// The "My phone" example is a neutral number: not the simulator's phone that never
/// answers, which a user copying the example would otherwise ring.
#[test]
fn the_phone_example_is_not_the_simulators_unanswered_number() {
    let f = form();
    let example = f.phone.placeholder_text();
    let digits = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
    let example_digits = digits(example.split('(').next().unwrap_or_default());
    assert_eq!(example_digits, "14255550123", "{example}");
    assert_ne!(
        example_digits,
        digits(crate::sim::directory::UNANSWERED_PHONE),
        "{example}"
    );
}
