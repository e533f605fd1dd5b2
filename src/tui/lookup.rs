//! The To field's directory search as you type: a pause of `DEBOUNCE` after the last edit
//! starts a search; a newer query supersedes an older one (the loop aborts the older task,
//! and a late answer is dropped because it carries its query); up to `SHOWN` matches under
//! the field, one selected with Up/Down and taken with Enter or Tab; the contact taken is
//! kept (with its presence) until To changes. Pure: the loop runs the searches.

use std::time::{Duration, Instant};

use crate::call::request::with_sip_scheme;
use crate::ucwa::people::{Person, QUERY_MAX_CHARS};

/// The pause after the last key before a search starts.
pub const DEBOUNCE: Duration = Duration::from_millis(250);
/// The most matches shown under To.
pub const SHOWN: usize = 8;

/// What To holds, if it is something to look up: not empty, not a `sip:` or `tel:` URI,
/// within the server's `query` limit; trimmed.
pub fn searchable(text: &str) -> Option<&str> {
    let t = text.trim();
    let scheme = t.get(..4).map(str::to_ascii_lowercase);
    if t.is_empty()
        || matches!(scheme.as_deref(), Some("sip:" | "tel:"))
        || t.chars().count() > QUERY_MAX_CHARS
    {
        return None;
    }
    Some(t)
}

#[derive(Clone, Debug, Default)]
pub struct Lookup {
    /// The query waiting for the pause to end, and when it ends.
    pending: Option<(String, Instant)>,
    /// The query of the search running now.
    running: Option<String>,
    /// The newest search's matches (at most `SHOWN`), shown under To.
    pub matches: Vec<Person>,
    /// The match selected with Up/Down.
    pub selected: Option<usize>,
    /// The contact taken from the list, while To still holds its URI.
    pub chosen: Option<Person>,
    /// Why the newest search failed.
    pub error: Option<String>,
}

impl Lookup {
    /// To now reads `text` (edited at `now`).
    pub fn edited(&mut self, text: &str, now: Instant) {
        let to = with_sip_scheme(text);
        if self
            .chosen
            .as_ref()
            .is_some_and(|c| c.contact.uri.as_deref() != Some(to.as_ref()))
        {
            self.chosen = None;
        }
        self.selected = None;
        self.error = None;
        match searchable(text) {
            Some(q) => self.pending = Some((q.to_string(), now + DEBOUNCE)),
            None => {
                self.pending = None;
                self.running = None;
                self.matches.clear();
            }
        }
    }

    /// When the pause ends, while a query waits for it.
    pub fn due(&self) -> Option<Instant> {
        self.pending.as_ref().map(|(_, at)| *at)
    }

    /// The pause is over at `now`: the query to search now (the loop starts it and stops
    /// any older one).
    pub fn fire(&mut self, now: Instant) -> Option<String> {
        match &self.pending {
            Some((_, at)) if *at <= now => {
                let (query, _) = self.pending.take()?;
                self.running = Some(query.clone());
                Some(query)
            }
            _ => None,
        }
    }

    /// A search for `query` ended. Kept only if it answers the newest query (and no newer
    /// one waits); returns whether it was.
    pub fn finished(&mut self, query: &str, result: Result<Vec<Person>, String>) -> bool {
        if self.running.as_deref() != Some(query) || self.pending.is_some() {
            return false;
        }
        self.running = None;
        self.selected = None;
        match result {
            Ok(mut people) => {
                people.truncate(SHOWN);
                self.matches = people;
                self.error = None;
            }
            Err(e) => {
                self.matches.clear();
                self.error = Some(e);
            }
        }
        true
    }

    /// Whether a search waits or runs.
    pub fn searching(&self) -> bool {
        self.pending.is_some() || self.running.is_some()
    }

    /// Whether the list of matches is shown.
    pub fn open(&self) -> bool {
        !self.matches.is_empty()
    }

    /// Up/Down: moves the selection, wrapping.
    pub fn step(&mut self, down: bool) {
        let n = self.matches.len();
        if n == 0 {
            return;
        }
        self.selected = Some(match (self.selected, down) {
            (None, true) => 0,
            (None, false) => n - 1,
            (Some(i), true) => (i + 1) % n,
            (Some(i), false) => (i + n - 1) % n,
        });
    }

    /// Enter or Tab: takes the selected match (the first when none is): it becomes the
    /// chosen contact and the list closes. Returns its URI.
    pub fn take(&mut self) -> Option<String> {
        let person = self
            .matches
            .get(self.selected.unwrap_or(0))
            .cloned()
            .filter(|p| p.contact.uri.is_some())?;
        self.close();
        let uri = person.contact.uri.clone();
        self.chosen = Some(person);
        uri
    }

    /// Esc: closes the list; nothing more is searched until To changes.
    pub fn close(&mut self) {
        self.matches.clear();
        self.selected = None;
        self.pending = None;
        self.running = None;
    }

    /// The chosen contact, if calling `to` calls them.
    pub fn chosen_for(&self, to: &str) -> Option<&Person> {
        self.chosen
            .as_ref()
            .filter(|c| c.contact.uri.as_deref() == Some(with_sip_scheme(to).as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ucwa::people::{Availability, Contact, Presence};

    pub fn person(name: &str, availability: &str) -> Person {
        Person {
            contact: Contact {
                name: Some(name.into()),
                uri: Some(format!("sip:{}@contoso.com", name.to_lowercase())),
                ..Default::default()
            },
            presence: Some(Presence {
                availability: Some(Availability::parse(availability)),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn uris_and_blank_text_are_not_searched() {
        assert_eq!(searchable(" alex "), Some("alex"));
        assert_eq!(searchable("alex@contoso.com"), Some("alex@contoso.com"));
        for text in [
            "",
            "  ",
            "sip:alex@contoso.com",
            "SIP:a",
            "tel:+1425",
            "TEL:1",
        ] {
            assert_eq!(searchable(text), None, "{text}");
        }
        assert_eq!(searchable(&"a".repeat(257)), None);
    }

    #[test]
    fn a_search_starts_only_after_the_pause_after_the_last_key() {
        let t0 = Instant::now();
        let mut l = Lookup::default();
        l.edited("a", t0);
        l.edited("al", t0 + Duration::from_millis(100));
        assert_eq!(l.fire(t0 + Duration::from_millis(300)), None);
        assert_eq!(l.due(), Some(t0 + Duration::from_millis(100) + DEBOUNCE));
        let q = l.fire(t0 + Duration::from_millis(100) + DEBOUNCE);
        assert_eq!(q.as_deref(), Some("al"));
        assert!(l.due().is_none() && l.searching());
    }

    #[test]
    fn a_stale_answer_is_dropped_and_the_newest_is_kept() {
        let t0 = Instant::now();
        let mut l = Lookup::default();
        l.edited("al", t0);
        let old = l.fire(t0 + DEBOUNCE).unwrap();
        l.edited("alex", t0 + DEBOUNCE);
        // The old search answers while the new query waits: dropped.
        assert!(!l.finished(&old, Ok(vec![person("Al", "Online")])));
        let new = l.fire(t0 + DEBOUNCE * 2).unwrap();
        // Still the old one, late: dropped.
        assert!(!l.finished(&old, Ok(vec![person("Al", "Online")])));
        assert!(l.finished(&new, Ok(vec![person("Alex", "Online")])));
        assert_eq!(l.matches[0].contact.name.as_deref(), Some("Alex"));
        assert!(!l.searching());
    }

    #[test]
    fn at_most_eight_are_shown_and_up_down_wrap_and_enter_takes_one() {
        let t0 = Instant::now();
        let mut l = Lookup::default();
        l.edited("x", t0);
        let q = l.fire(t0 + DEBOUNCE).unwrap();
        let many: Vec<Person> = (0..12).map(|i| person(&format!("P{i}"), "Busy")).collect();
        l.finished(&q, Ok(many));
        assert_eq!(l.matches.len(), SHOWN);
        l.step(false);
        assert_eq!(l.selected, Some(7));
        l.step(true);
        l.step(true);
        assert_eq!(l.selected, Some(1));
        assert_eq!(l.take().as_deref(), Some("sip:p1@contoso.com"));
        assert!(!l.open());
        assert!(l.chosen_for("sip:p1@contoso.com").is_some());
        // Editing To away from the chosen URI forgets the choice.
        l.edited("sip:p1@contoso.co", t0);
        assert!(l.chosen.is_none());
    }

    #[test]
    fn typing_a_uri_closes_the_list() {
        let t0 = Instant::now();
        let mut l = Lookup::default();
        l.edited("al", t0);
        let q = l.fire(t0 + DEBOUNCE).unwrap();
        l.finished(&q, Ok(vec![person("Al", "Online")]));
        l.edited("sip:", t0);
        assert!(!l.open() && !l.searching());
    }
}
