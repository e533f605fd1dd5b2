//! Completion in the form: the To field's contacts (this run's calls, the history file's,
//! the simulator's directory), Tab after Tab through them, and the Media offer's path.

use tui_textarea::CursorMove;

use super::text_edit::set_text;
use super::{FieldId, Form};

/// What the To field would complete to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The whole contact, e.g. `sip:alice@contoso.com`.
    pub value: String,
    /// True when the typed text is a prefix of `value`, so the rest can be drawn inline.
    pub inline: bool,
}

impl Form {
    /// Every contact `typed` completes to, no duplicates (any case): recent contacts
    /// first, then the history file's, then the directory; those the typed text starts
    /// (as typed, or after `sip:`) before those it matches only without the scheme.
    pub fn completions(&self, typed: &str) -> Vec<String> {
        if typed.is_empty() {
            return Vec::new();
        }
        let typed_lower = typed.to_lowercase();
        let candidates = self
            .recent
            .iter()
            .map(String::as_str)
            .chain(self.known.iter().map(String::as_str))
            .chain(self.directory.iter().map(|(uri, _)| uri.as_str()));
        let mut seen = std::collections::HashSet::new();
        let (mut strict, mut loose) = (Vec::new(), Vec::new());
        for c in candidates {
            let lower = c.to_lowercase();
            if lower == typed_lower || !seen.insert(lower.clone()) {
                continue;
            }
            if lower.starts_with(&typed_lower) {
                strict.push(c.to_string());
            } else if lower.trim_start_matches("sip:").starts_with(&typed_lower) {
                loose.push(c.to_string());
            }
        }
        strict.extend(loose);
        strict
    }

    /// What Right/Tab at the end of To would complete to: the first of `completions`.
    pub fn suggestion(&self) -> Option<Suggestion> {
        let typed = self.value(FieldId::To);
        self.completions(typed)
            .into_iter()
            .next()
            .map(|c| Suggestion {
                inline: c.starts_with(typed),
                value: c,
            })
    }

    /// Whether To holds one of several completions Tab put there, so the next Tab moves to
    /// the next one (with a single completion, the next Tab moves on to the next field).
    pub fn cycling(&self) -> bool {
        self.cycle.as_ref().is_some_and(|(_, _, n)| *n > 1)
    }

    /// The directory's one-line behaviour of the contact now in To, if it is one.
    pub fn behaviour(&self) -> Option<&str> {
        let typed = self.value(FieldId::To).trim();
        self.directory
            .iter()
            .find(|(uri, _)| uri.eq_ignore_ascii_case(typed))
            .map(|(_, b)| b.as_str())
    }

    /// True when the cursor is after the last character of To.
    pub fn to_cursor_at_end(&self) -> bool {
        let (row, col) = self.to.cursor();
        row == 0 && col >= self.value(FieldId::To).chars().count()
    }

    /// Replaces To with its completion; again (Tab after Tab) with the next completion of
    /// what was typed, round the list. Returns false when there is none.
    pub fn accept_suggestion(&mut self) -> bool {
        let (typed, index) = match self.cycle.take() {
            Some((typed, i, _)) => (typed, i + 1),
            None => (self.value(FieldId::To).to_string(), 0),
        };
        let all = self.completions(&typed);
        if all.is_empty() {
            return false;
        }
        let index = index % all.len();
        self.set_to(&all[index]);
        self.cycle = Some((typed, index, all.len()));
        true
    }

    /// Replaces To (a contact taken from a list), cursor at the end.
    pub fn set_to(&mut self, value: &str) {
        set_text(&mut self.to, value);
        self.to.move_cursor(CursorMove::End);
        self.on_edit(FieldId::To);
    }

    /// What Tab or Right at the end of Media offer completes the path to (`~` understood).
    pub fn media_offer_completion(&self) -> Option<String> {
        let (row, col) = self.media_offer.cursor();
        let typed = self.value(FieldId::MediaOffer);
        (row == 0 && col >= typed.chars().count())
            .then(|| crate::tui::path_complete::complete(typed))
            .flatten()
    }

    /// Completes the Media offer path. Returns false when there is nothing to add.
    pub fn complete_media_offer(&mut self) -> bool {
        let Some(path) = self.media_offer_completion() else {
            return false;
        };
        set_text(&mut self.media_offer, &path);
        self.media_offer.move_cursor(CursorMove::End);
        self.on_edit(FieldId::MediaOffer);
        true
    }

    /// Remembers a called contact for completion (most recent first, no duplicates).
    pub fn remember(&mut self, contact: &str) {
        self.recent.retain(|c| !c.eq_ignore_ascii_case(contact));
        self.recent.insert(0, contact.to_string());
        self.recent.truncate(20);
    }
}
