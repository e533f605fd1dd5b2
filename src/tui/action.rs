//! What a key means where it is pressed. `keymap` is the whole key map (with one small table
//! per context under it); the help overlay is generated from `HELP`, so the two cannot drift
//! apart silently (a test checks them).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Something the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave avlaunch (ending a live call first).
    Quit,
    /// Show or hide the key list.
    Help,
    /// Place the call (or, in the history list, call the selected entry again).
    Submit,
    NextField,
    PrevField,
    /// Cycle a toggle forward (Space, Right) or back (Left).
    ToggleNext,
    TogglePrev,
    /// Take the To field's completion.
    Complete,
    /// Esc: close, go back, or cancel a ringing call.
    Escape,
    /// End the live call: cancel while ringing, hang up when connected.
    HangUp,
    /// Put the connected call on hold, or take it off (when its modality offers it).
    HoldResume,
    /// Switch to (or back from) the ladder.
    Ladder,
    /// Switch to (or back from) the wire log.
    WireLog,
    /// Move focus to the history list.
    History,
    /// Write the shown call's ladder (text) and wire log (HAR) to the current directory.
    Export,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// In the wire log: jump to the next / previous exchange.
    NextRecord,
    PrevRecord,
    /// In the ladder: show the selected row's exchange in the wire log.
    Open,
    /// Show identifiers in the status pane in full, or shortened (F6).
    Details,
    /// In a y/n question.
    Yes,
    No,
    /// Open the sign-in dialog: profile, server, user, password.
    SignIn,
    /// Connect with the next profile of the config file.
    NextProfile,
    /// Open the connectivity checklist (`avlaunch doctor`) and run it, or close it.
    Doctor,
}

/// Where the key is pressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// A text field of the form has focus: letters type.
    Text {
        /// The To field's completion can be taken (cursor at the end, a suggestion exists).
        can_complete: bool,
    },
    /// A toggle row of the form has focus.
    Toggle,
    History,
    Ladder,
    WireLog,
    Help,
    Confirm,
    /// The sign-in dialog has the keys (only quitting is taken from it).
    SignIn,
    /// The connectivity checklist: Esc, Enter or F12 close it.
    Doctor,
}

/// The action for `key` in `context`, or `None` to hand the key to the focused text field
/// (or to ignore it). Read in layers: keys that work everywhere, then an overlay's own keys
/// (which take all the others), the function keys of the main screen, then the keys of the
/// focused part.
pub fn keymap(context: Context, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    // Everywhere, even over a dialog.
    match key.code {
        KeyCode::Char('c' | 'q') if ctrl => return Some(Action::Quit),
        KeyCode::F(1) => return Some(Action::Help),
        _ => {}
    }
    match context {
        Context::Help => return help_key(key),
        Context::Confirm => return confirm_key(key),
        Context::SignIn => return None,
        Context::Doctor => return doctor_key(key),
        _ => {}
    }
    if let Some(action) = screen_key(key, ctrl) {
        return Some(action);
    }
    if ctrl || alt {
        return None;
    }
    let text = matches!(context, Context::Text { .. });
    if key.code == KeyCode::Char('?') && !text {
        return Some(Action::Help);
    }
    match context {
        Context::Text { can_complete } => text_key(key, can_complete),
        Context::Toggle => toggle_key(key),
        Context::History => history_key(key),
        Context::Ladder | Context::WireLog => exchange_view_key(context, key),
        Context::Help | Context::Confirm | Context::SignIn | Context::Doctor => None,
    }
}

/// The help overlay: scroll it, or close it.
fn help_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::Enter => Some(Action::Help),
        KeyCode::Up | KeyCode::Char('k') => Some(Action::Up),
        KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown | KeyCode::Char(' ') => Some(Action::PageDown),
        KeyCode::Home | KeyCode::Char('g') => Some(Action::Top),
        KeyCode::End | KeyCode::Char('G') => Some(Action::Bottom),
        _ => None,
    }
}

/// A y/n question.
fn confirm_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Char('y' | 'Y') | KeyCode::Enter => Some(Action::Yes),
        KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Action::No),
        _ => None,
    }
}

/// The connectivity checklist: Esc, Enter or F12 close it.
fn doctor_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::F(12) => Some(Action::Doctor),
        _ => None,
    }
}

/// The main screen's keys, wherever the focus is (no overlay open).
fn screen_key(key: KeyEvent, ctrl: bool) -> Option<Action> {
    match key.code {
        KeyCode::F(7) => Some(Action::SignIn),
        KeyCode::F(9) => Some(Action::NextProfile),
        KeyCode::F(12) => Some(Action::Doctor),
        KeyCode::Char('e') if ctrl => Some(Action::HangUp),
        KeyCode::F(8) => Some(Action::HangUp),
        KeyCode::F(11) => Some(Action::HoldResume),
        KeyCode::F(2) => Some(Action::Ladder),
        KeyCode::F(3) => Some(Action::WireLog),
        KeyCode::F(4) => Some(Action::History),
        KeyCode::F(5) => Some(Action::Export),
        KeyCode::F(6) => Some(Action::Details),
        KeyCode::Esc => Some(Action::Escape),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        _ => None,
    }
}

/// A text field of the form (other keys type).
fn text_key(key: KeyEvent, can_complete: bool) -> Option<Action> {
    match key.code {
        KeyCode::Enter => Some(Action::Submit),
        KeyCode::Tab | KeyCode::Right if can_complete => Some(Action::Complete),
        KeyCode::Tab | KeyCode::Down => Some(Action::NextField),
        KeyCode::BackTab | KeyCode::Up => Some(Action::PrevField),
        _ => None,
    }
}

/// A toggle row of the form.
fn toggle_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Enter => Some(Action::Submit),
        KeyCode::Tab | KeyCode::Down => Some(Action::NextField),
        KeyCode::BackTab | KeyCode::Up => Some(Action::PrevField),
        KeyCode::Char(' ') | KeyCode::Right => Some(Action::ToggleNext),
        KeyCode::Left => Some(Action::TogglePrev),
        _ => None,
    }
}

/// The history list.
fn history_key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Enter => Some(Action::Submit),
        KeyCode::Up | KeyCode::Char('k') => Some(Action::Up),
        KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
        KeyCode::Home | KeyCode::Char('g') => Some(Action::Top),
        KeyCode::End | KeyCode::Char('G') => Some(Action::Bottom),
        KeyCode::Tab | KeyCode::BackTab => Some(Action::Escape),
        KeyCode::Char('l') => Some(Action::Ladder),
        KeyCode::Char('w') => Some(Action::WireLog),
        KeyCode::Char('x') => Some(Action::Export),
        _ => None,
    }
}

/// The ladder and the wire log (Tab goes from one to the other).
fn exchange_view_key(context: Context, key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => Some(Action::Up),
        KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
        KeyCode::Home | KeyCode::Char('g') => Some(Action::Top),
        KeyCode::End | KeyCode::Char('G') => Some(Action::Bottom),
        KeyCode::Char(' ') => Some(Action::PageDown),
        KeyCode::Char('n' | ']') => Some(Action::NextRecord),
        KeyCode::Char('p' | '[') => Some(Action::PrevRecord),
        KeyCode::Enter if context == Context::Ladder => Some(Action::Open),
        KeyCode::Tab | KeyCode::BackTab => Some(if context == Context::Ladder {
            Action::WireLog
        } else {
            Action::Ladder
        }),
        KeyCode::Char('l') => Some(Action::Ladder),
        KeyCode::Char('w') => Some(Action::WireLog),
        KeyCode::Char('x') => Some(Action::Export),
        KeyCode::Char('q') => Some(Action::Escape),
        _ => None,
    }
}

/// The help overlay: (keys, what they do), grouped by heading (an entry with empty keys).
pub const HELP: &[(&str, &str)] = &[
    ("", "Anywhere"),
    ("Ctrl-C  Ctrl-Q", "quit (ends a live call first)"),
    ("F1", "this help (also ? outside text fields)"),
    (
        "Ctrl-E  F8",
        "end the call: cancel while ringing, hang up when connected",
    ),
    (
        "F11",
        "hold or resume a connected Call via Work call (when the server offers it)",
    ),
    ("F2", "ladder: the call as a sequence diagram"),
    ("F3", "wire log: every request and response in full"),
    ("F4", "history: this run's calls, then earlier runs'"),
    ("F5", "export the call: ladder .txt and wire log .har"),
    (
        "F6",
        "status: identifiers in full, or shortened in the middle",
    ),
    ("F7", "sign in: profile, server, user, password"),
    ("F9", "switch to the next profile"),
    ("F12", "check the deployment (doctor): no call placed"),
    ("Esc", "cancel a ringing call / go back / close"),
    (
        "PgUp PgDn",
        "scroll the events (form), the view or this help",
    ),
    ("", "Form"),
    ("Enter", "place the call (from any field)"),
    ("Tab  Down", "next field"),
    ("Shift-Tab  Up", "previous field"),
    (
        "Tab  Right",
        "take the completion (To: a contact; Media offer: a path)",
    ),
    (
        "Space  Right  Left",
        "change a toggle; open or fold Advanced",
    ),
    ("Ctrl-U", "clear the text before the cursor"),
    ("", "History"),
    ("Up Down  j k", "select a call: the form is refilled"),
    ("Enter", "call it again"),
    ("Tab  Esc", "back to the form"),
    ("", "Ladder and wire log"),
    ("Up Down  j k", "move / scroll"),
    ("Home End  g G", "first / last"),
    ("n p  ] [", "next / previous exchange"),
    (
        "Enter",
        "ladder: open the selected exchange or event in the wire log",
    ),
    (
        "Tab",
        "switch between ladder and wire log (at the selection)",
    ),
    ("x", "export"),
    ("Esc  q", "back to the form"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::from(code)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    const TEXT: Context = Context::Text {
        can_complete: false,
    };

    #[test]
    fn quitting_works_everywhere_and_never_by_a_bare_letter_in_a_field() {
        for cx in [
            TEXT,
            Context::Toggle,
            Context::History,
            Context::Ladder,
            Context::Help,
            Context::Confirm,
        ] {
            assert_eq!(keymap(cx, ctrl('c')), Some(Action::Quit));
            assert_eq!(keymap(cx, ctrl('q')), Some(Action::Quit));
        }
        assert_eq!(keymap(TEXT, key(KeyCode::Char('q'))), None);
        assert_eq!(
            keymap(Context::Ladder, key(KeyCode::Char('q'))),
            Some(Action::Escape)
        );
    }

    #[test]
    fn letters_type_into_text_fields() {
        for c in ['a', 'x', 'l', 'w', '?', ' ', 'j'] {
            assert_eq!(keymap(TEXT, key(KeyCode::Char(c))), None, "{c}");
        }
        assert_eq!(keymap(TEXT, key(KeyCode::Left)), None);
        assert_eq!(keymap(TEXT, key(KeyCode::Right)), None);
    }

    #[test]
    fn form_navigation_and_submit() {
        assert_eq!(keymap(TEXT, key(KeyCode::Enter)), Some(Action::Submit));
        assert_eq!(
            keymap(Context::Toggle, key(KeyCode::Enter)),
            Some(Action::Submit)
        );
        assert_eq!(keymap(TEXT, key(KeyCode::Tab)), Some(Action::NextField));
        assert_eq!(keymap(TEXT, key(KeyCode::BackTab)), Some(Action::PrevField));
        assert_eq!(keymap(TEXT, key(KeyCode::Up)), Some(Action::PrevField));
        assert_eq!(
            keymap(Context::Toggle, key(KeyCode::Char(' '))),
            Some(Action::ToggleNext)
        );
        assert_eq!(
            keymap(Context::Toggle, key(KeyCode::Left)),
            Some(Action::TogglePrev)
        );
        assert_eq!(
            keymap(Context::Toggle, key(KeyCode::Char('?'))),
            Some(Action::Help)
        );
        let complete = Context::Text { can_complete: true };
        assert_eq!(keymap(complete, key(KeyCode::Tab)), Some(Action::Complete));
        assert_eq!(
            keymap(complete, key(KeyCode::Right)),
            Some(Action::Complete)
        );
    }

    #[test]
    fn call_keys() {
        assert_eq!(keymap(TEXT, ctrl('e')), Some(Action::HangUp));
        assert_eq!(keymap(TEXT, key(KeyCode::F(8))), Some(Action::HangUp));
        assert_eq!(keymap(TEXT, key(KeyCode::F(11))), Some(Action::HoldResume));
        assert_eq!(keymap(TEXT, key(KeyCode::Esc)), Some(Action::Escape));
        assert_eq!(
            keymap(Context::Confirm, key(KeyCode::Char('y'))),
            Some(Action::Yes)
        );
        assert_eq!(
            keymap(Context::Confirm, key(KeyCode::Esc)),
            Some(Action::No)
        );
        assert_eq!(keymap(Context::Confirm, ctrl('e')), None);
    }

    #[test]
    fn help_lists_every_function_key() {
        for k in [
            "F1", "F2", "F3", "F4", "F5", "F8", "F11", "Ctrl-E", "Ctrl-C", "Ctrl-Q", "Esc", "Enter",
        ] {
            assert!(HELP.iter().any(|(keys, _)| keys.contains(k)), "{k}");
        }
    }
}
