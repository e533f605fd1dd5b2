//! The sign-in dialog (F7): pick a profile, change the server, the user or the password in
//! place, and connect again without restarting. State and keys only; drawn by
//! `widgets::signin`.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::secret::Password;

use super::session::{ConnectRequest, ProfileChoice, SessionInfo};

/// The dialog's rows, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    Profile,
    Server,
    User,
    Password,
}

const ROWS: [Row; 4] = [Row::Profile, Row::Server, Row::User, Row::Password];

/// What a key did to the dialog.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Still open.
    Open,
    /// Esc: closed, nothing changed.
    Cancelled,
    /// Enter: connect with this.
    Connect(ConnectRequest),
}

#[derive(Clone, PartialEq, Eq)]
pub struct SignInDialog {
    /// `None` first ("no profile"), then the config file's profiles.
    pub choices: Vec<Option<ProfileChoice>>,
    /// Index into `choices`.
    pub choice: usize,
    pub server: String,
    pub user: String,
    /// Typed here, masked on screen, handed over as a `Password` on Enter.
    password: String,
    pub focus: Row,
}

// The password never reaches a log or a panic message.
impl fmt::Debug for SignInDialog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInDialog")
            .field("choice", &self.choice)
            .field("server", &self.server)
            .field("user", &self.user)
            .field("password", &"***")
            .finish()
    }
}

impl SignInDialog {
    /// Opens on the current session's values.
    pub fn new(session: &SessionInfo, profiles: &[ProfileChoice]) -> SignInDialog {
        let mut choices = vec![None];
        choices.extend(profiles.iter().cloned().map(Some));
        let choice = choices
            .iter()
            .position(|c| c.as_ref().map(|p| &p.name) == session.profile.as_ref())
            .unwrap_or(0);
        SignInDialog {
            choices,
            choice,
            server: session.server.clone().unwrap_or_default(),
            user: session.user.clone(),
            password: String::new(),
            focus: Row::Server,
        }
    }

    /// The profile chosen, if any.
    pub fn profile(&self) -> Option<&ProfileChoice> {
        self.choices.get(self.choice).and_then(Option::as_ref)
    }

    /// How many characters of password are typed (the dialog draws that many dots).
    pub fn password_len(&self) -> usize {
        self.password.chars().count()
    }

    /// Points at the profile `name`, if the config file has it (server and user are filled
    /// by the next `cycle_profile`).
    pub fn select_profile(&mut self, name: &str) {
        if let Some(i) = self
            .choices
            .iter()
            .position(|c| c.as_ref().is_some_and(|p| p.name == name))
        {
            self.choice = i;
        }
    }

    /// Moves to the next (or previous) profile and fills server and user from it.
    pub fn cycle_profile(&mut self, forward: bool) {
        let n = self.choices.len();
        self.choice = if forward {
            (self.choice + 1) % n
        } else {
            (self.choice + n - 1) % n
        };
        let (server, user) = match self.profile() {
            Some(p) => (
                p.server.clone().unwrap_or_default(),
                p.user.clone().unwrap_or_default(),
            ),
            None => (String::new(), String::new()),
        };
        self.server = server;
        self.user = user;
        self.password.clear();
    }

    fn text_mut(&mut self) -> Option<&mut String> {
        match self.focus {
            Row::Profile => None,
            Row::Server => Some(&mut self.server),
            Row::User => Some(&mut self.user),
            Row::Password => Some(&mut self.password),
        }
    }

    fn step_focus(&mut self, forward: bool) {
        let i = ROWS.iter().position(|r| *r == self.focus).unwrap_or(0);
        let n = ROWS.len();
        self.focus = ROWS[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    /// The request Enter sends: empty fields mean "the profile's" (or the simulator).
    pub fn request(&mut self) -> ConnectRequest {
        let trimmed = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        ConnectRequest {
            profile: self.profile().map(|p| p.name.clone()),
            server: trimmed(&self.server),
            user: trimmed(&self.user),
            password: (!self.password.is_empty())
                .then(|| Password::new(std::mem::take(&mut self.password))),
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return Outcome::Cancelled,
            KeyCode::Enter => return Outcome::Connect(self.request()),
            KeyCode::Tab | KeyCode::Down => self.step_focus(true),
            KeyCode::BackTab | KeyCode::Up => self.step_focus(false),
            KeyCode::Left | KeyCode::Right if self.focus == Row::Profile => {
                self.cycle_profile(key.code == KeyCode::Right)
            }
            KeyCode::Char(' ') if self.focus == Row::Profile => self.cycle_profile(true),
            KeyCode::Char('u') if ctrl => {
                if let Some(t) = self.text_mut() {
                    t.clear();
                }
            }
            KeyCode::Backspace => {
                if let Some(t) = self.text_mut() {
                    t.pop();
                }
            }
            KeyCode::Char(c) if !ctrl => {
                if let Some(t) = self.text_mut() {
                    t.push(c);
                }
            }
            _ => {}
        }
        Outcome::Open
    }

    /// Bracketed paste into the focused text row (line breaks dropped).
    pub fn paste(&mut self, text: &str) {
        if let Some(t) = self.text_mut() {
            t.extend(text.chars().filter(|c| !c.is_control()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles() -> Vec<ProfileChoice> {
        vec![
            ProfileChoice {
                name: "lab".into(),
                server: Some("https://lyncdiscover.lab.example".into()),
                user: Some("t@lab.example".into()),
            },
            ProfileChoice {
                name: "work".into(),
                server: Some("auto".into()),
                user: Some("me@contoso.com".into()),
            },
        ]
    }

    fn typ(d: &mut SignInDialog, s: &str) {
        for c in s.chars() {
            d.key(KeyEvent::from(KeyCode::Char(c)));
        }
    }

    #[test]
    fn switching_profile_fills_server_and_user_and_enter_connects() {
        let session = SessionInfo {
            user: "demo@contoso.com".into(),
            ..Default::default()
        };
        let mut d = SignInDialog::new(&session, &profiles());
        assert_eq!(d.choice, 0);
        d.focus = Row::Profile;
        d.key(KeyEvent::from(KeyCode::Right));
        d.key(KeyEvent::from(KeyCode::Right));
        assert_eq!(d.profile().unwrap().name, "work");
        assert_eq!(
            (d.server.as_str(), d.user.as_str()),
            ("auto", "me@contoso.com")
        );
        d.key(KeyEvent::from(KeyCode::Tab));
        d.key(KeyEvent::from(KeyCode::Tab));
        d.key(KeyEvent::from(KeyCode::Tab));
        assert_eq!(d.focus, Row::Password);
        typ(&mut d, "s3cret");
        assert_eq!(d.password_len(), 6);
        assert!(!format!("{d:?}").contains("s3cret"));
        match d.key(KeyEvent::from(KeyCode::Enter)) {
            Outcome::Connect(r) => {
                assert_eq!(r.profile.as_deref(), Some("work"));
                assert_eq!(r.server.as_deref(), Some("auto"));
                assert_eq!(r.password.unwrap().expose(), "s3cret");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(d.password_len(), 0, "the typed password left the dialog");
    }

    #[test]
    fn a_fixed_user_keeps_the_profile_and_esc_cancels() {
        let session = SessionInfo {
            profile: Some("lab".into()),
            server: Some("https://lyncdiscover.lab.example".into()),
            user: "t@lab.example".into(),
            ..Default::default()
        };
        let mut d = SignInDialog::new(&session, &profiles());
        assert_eq!(d.profile().unwrap().name, "lab");
        d.focus = Row::User;
        d.key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        typ(&mut d, "other@lab.example");
        let r = d.request();
        assert_eq!(r.user.as_deref(), Some("other@lab.example"));
        assert_eq!(r.password, None);
        assert_eq!(d.key(KeyEvent::from(KeyCode::Esc)), Outcome::Cancelled);
    }
}
