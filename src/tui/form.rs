//! The call form: single-line TextAreas for text, tri-state toggles, the focus ring, live
//! per-field errors from `call::request`'s rules, and completion of the To field.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use tui_textarea::{CursorMove, Input, TextArea};

use crate::call::request::{
    check_operation_id, check_session_context, check_subject, check_thread_id, check_to,
    fresh_operation_id, read_media_offer, SESSION_CONTEXT_MAX, SUBJECT_MAX,
};
use crate::call::{CallRequest, Field, FieldError, Importance};
use crate::ucwa::Format;

/// One row of the form, in focus order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldId {
    To,
    Subject,
    Importance,
    AudioMuted,
    VideoMuted,
    Format,
    /// The fold of the advanced section.
    Advanced,
    ThreadId,
    SessionContext,
    OperationId,
    MediaOffer,
    /// How the call is placed: this computer (audio/video) or my phone (Call via Work).
    Audio,
    /// Call via Work: the user's own phone, rung first.
    Phone,
}

const RING_FOLDED: [FieldId; 9] = [
    FieldId::To,
    FieldId::Subject,
    FieldId::Importance,
    FieldId::Audio,
    FieldId::Phone,
    FieldId::AudioMuted,
    FieldId::VideoMuted,
    FieldId::Format,
    FieldId::Advanced,
];
const RING_OPEN: [FieldId; 13] = [
    FieldId::To,
    FieldId::Subject,
    FieldId::Importance,
    FieldId::Audio,
    FieldId::Phone,
    FieldId::AudioMuted,
    FieldId::VideoMuted,
    FieldId::Format,
    FieldId::Advanced,
    FieldId::ThreadId,
    FieldId::SessionContext,
    FieldId::OperationId,
    FieldId::MediaOffer,
];

impl FieldId {
    pub fn label(self) -> &'static str {
        match self {
            FieldId::To => "To",
            FieldId::Subject => "Subject",
            FieldId::Importance => "Importance",
            FieldId::AudioMuted => "Join audio muted",
            FieldId::VideoMuted => "Join video muted",
            FieldId::Format => "Format",
            FieldId::Advanced => "Advanced",
            FieldId::ThreadId => "Thread ID",
            FieldId::SessionContext => "Session context",
            FieldId::OperationId => "Operation ID",
            FieldId::MediaOffer => "Media offer",
            FieldId::Audio => "Audio",
            FieldId::Phone => "My phone",
        }
    }

    /// Fields that exist only for audio/video calls (`startAudioVideo`): hidden when the
    /// call goes through the user's phone, and not sent.
    pub fn audio_video_only(self) -> bool {
        matches!(
            self,
            FieldId::AudioMuted
                | FieldId::VideoMuted
                | FieldId::SessionContext
                | FieldId::MediaOffer
        )
    }

    /// A TextArea has the keys: letters type, Left/Right move the cursor.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FieldId::To
                | FieldId::Subject
                | FieldId::ThreadId
                | FieldId::SessionContext
                | FieldId::OperationId
                | FieldId::MediaOffer
                | FieldId::Phone
        )
    }

    fn of(field: Field) -> FieldId {
        match field {
            Field::To => FieldId::To,
            Field::Subject => FieldId::Subject,
            Field::Importance => FieldId::Importance,
            Field::ThreadId => FieldId::ThreadId,
            Field::SessionContext => FieldId::SessionContext,
            Field::OperationId => FieldId::OperationId,
            Field::MediaOffer => FieldId::MediaOffer,
            Field::JoinAudioMuted => FieldId::AudioMuted,
            Field::JoinVideoMuted => FieldId::VideoMuted,
            Field::PhoneNumber => FieldId::Phone,
        }
    }
}

/// Left, Right, Backspace and Delete by grapheme cluster rather than by character, so an
/// emoji with a skin tone or a letter with a combining accent moves and goes as one.
/// `None` for other keys; else whether the text changed.
fn grapheme_key(t: &mut TextArea<'static>, key: KeyEvent) -> Option<bool> {
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return None;
    }
    let value = t.lines().first().cloned().unwrap_or_default();
    let col = t.cursor().1;
    let at = value
        .char_indices()
        .nth(col)
        .map_or(value.len(), |(i, _)| i);
    let bounds = crate::tui::text::boundaries(&value);
    let prev = bounds.iter().rev().find(|b| **b < at).copied();
    let next = bounds.iter().find(|b| **b > at).copied();
    let chars = |bytes: &str| bytes.chars().count();
    let jump = |t: &mut TextArea<'static>, byte: usize| {
        let c = chars(&value[..byte]);
        t.move_cursor(CursorMove::Jump(0, u16::try_from(c).unwrap_or(u16::MAX)));
    };
    match key.code {
        KeyCode::Left => {
            if let Some(p) = prev {
                jump(t, p);
            }
            Some(false)
        }
        KeyCode::Right => {
            if let Some(n) = next {
                jump(t, n);
            }
            Some(false)
        }
        KeyCode::Backspace => Some(match prev {
            Some(p) => {
                jump(t, p);
                t.delete_str(chars(&value[p..at]))
            }
            None => false,
        }),
        KeyCode::Delete => Some(match next {
            Some(n) => t.delete_str(chars(&value[at..n])),
            None => false,
        }),
        _ => None,
    }
}

/// What the To field would complete to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The whole contact, e.g. `sip:alice@contoso.com`.
    pub value: String,
    /// True when the typed text is a prefix of `value`, so the rest can be drawn inline.
    pub inline: bool,
}

pub struct Form {
    pub to: TextArea<'static>,
    pub subject: TextArea<'static>,
    pub thread_id: TextArea<'static>,
    pub session_context: TextArea<'static>,
    pub operation_id: TextArea<'static>,
    pub media_offer: TextArea<'static>,
    /// Call via Work: the user's own phone (kept for the whole run).
    pub phone: TextArea<'static>,
    /// The Audio choice: through the user's phone (`true`) or this computer.
    pub via_phone: bool,
    /// What the signed-in application offers: (audio/video, Call via Work); `None` until a
    /// call has signed in.
    pub offered: Option<(bool, bool)>,
    pub importance: Option<Importance>,
    pub audio_muted: Option<bool>,
    pub video_muted: Option<bool>,
    pub format: Format,
    pub advanced_open: bool,
    focus: FieldId,
    /// Shown in place under each field; `None` while the field is valid.
    errors: [Option<String>; 13],
    /// The To error waits for the first edit or submit, so an empty form is not red.
    to_touched: bool,
    /// The simulator's directory: (sip uri, behaviour).
    pub directory: Vec<(String, String)>,
    /// Contacts called in this run, most recent first.
    pub recent: Vec<String>,
    /// Contacts from the history file, most recent first (offered after `recent`).
    pub known: Vec<String>,
    cursor: Style,
    /// The operation id avlaunch last filled in: another value was typed by the user.
    issued_operation_id: String,
    /// Tab completion in progress: what was typed, which of its completions To holds, and
    /// how many there are.
    cycle: Option<(String, usize, usize)>,
}

fn slot(id: FieldId) -> usize {
    id as usize
}

fn text_field(placeholder: &str, placeholder_style: Style) -> TextArea<'static> {
    let mut t = TextArea::default();
    // The default underlines the cursor line, which on a one-line field is the whole field.
    t.set_cursor_line_style(Style::default());
    t.set_cursor_style(Style::default());
    t.set_placeholder_text(placeholder);
    t.set_placeholder_style(placeholder_style);
    t
}

fn set_text(t: &mut TextArea<'static>, text: &str) {
    t.select_all();
    t.cut();
    t.insert_str(text);
}

impl Form {
    pub fn new(format: Format, cursor: Style, placeholder: Style) -> Form {
        let mut operation_id = text_field("", placeholder);
        let issued_operation_id = fresh_operation_id();
        operation_id.insert_str(&issued_operation_id);
        let mut form = Form {
            to: text_field("sip:user@host", placeholder),
            subject: text_field("optional", placeholder),
            thread_id: text_field("optional", placeholder),
            session_context: text_field("optional", placeholder),
            operation_id,
            media_offer: text_field("path to an SDP file (optional)", placeholder),
            phone: text_field(
                "+1 425 555 0100 (rung first, then the contact)",
                placeholder,
            ),
            via_phone: false,
            offered: None,
            importance: None,
            audio_muted: None,
            video_muted: None,
            format,
            advanced_open: false,
            focus: FieldId::To,
            errors: Default::default(),
            to_touched: false,
            directory: Vec::new(),
            known: Vec::new(),
            recent: Vec::new(),
            cursor,
            issued_operation_id,
            cycle: None,
        };
        form.set_focus(FieldId::To);
        form
    }

    pub fn focus(&self) -> FieldId {
        self.focus
    }

    /// The rows that can take focus now: the number only with "my phone", the audio/video
    /// fields only without it.
    pub fn ring(&self) -> Vec<FieldId> {
        let all: &[FieldId] = if self.advanced_open {
            &RING_OPEN
        } else {
            &RING_FOLDED
        };
        all.iter()
            .copied()
            .filter(|id| match id {
                FieldId::Phone => self.via_phone,
                id if id.audio_video_only() => !self.via_phone,
                _ => true,
            })
            .collect()
    }

    /// Learns what the signed-in application offers; with Call via Work alone, "my phone"
    /// is chosen (the form says why).
    pub fn set_offered(&mut self, audio_video: bool, phone_audio: bool) {
        self.offered = Some((audio_video, phone_audio));
        if phone_audio && !audio_video {
            self.set_via_phone(true);
        }
    }

    /// The form's note under Audio about what the server offers, if it limits the choice.
    pub fn offered_note(&self) -> Option<&'static str> {
        match self.offered? {
            (false, true) => Some("only Call via Work offered here"),
            (true, false) if self.via_phone => Some("Call via Work is not offered here"),
            (false, false) => Some("this server offers no way to place calls"),
            _ => None,
        }
    }

    /// Chooses "my phone" or "this computer"; focus leaves a field that is now hidden.
    pub fn set_via_phone(&mut self, on: bool) {
        self.via_phone = on;
        if !self.ring().contains(&self.focus) {
            self.set_focus(FieldId::Audio);
        }
        self.revalidate(FieldId::To);
        self.revalidate(FieldId::Phone);
    }

    /// Prefills the number (the profile's `via_phone`) unless one was typed.
    pub fn prefill_phone(&mut self, number: &str) {
        if self.value(FieldId::Phone).trim().is_empty() {
            set_text(&mut self.phone, number.trim());
        }
    }

    pub fn set_focus(&mut self, id: FieldId) {
        let leaving = self.focus;
        if let Some(t) = self.text_mut(leaving) {
            t.set_cursor_style(Style::default());
        }
        if leaving == FieldId::MediaOffer && id != leaving {
            self.check_media_offer();
        }
        self.focus = id;
        let cursor = self.cursor;
        if let Some(t) = self.text_mut(id) {
            t.set_cursor_style(cursor);
        }
    }

    pub fn next(&mut self) {
        let ring = self.ring();
        let i = ring.iter().position(|f| *f == self.focus).unwrap_or(0);
        self.set_focus(ring[(i + 1) % ring.len()]);
    }

    pub fn prev(&mut self) {
        let ring = self.ring();
        let i = ring.iter().position(|f| *f == self.focus).unwrap_or(0);
        self.set_focus(ring[(i + ring.len() - 1) % ring.len()]);
    }

    pub fn text(&self, id: FieldId) -> Option<&TextArea<'static>> {
        match id {
            FieldId::To => Some(&self.to),
            FieldId::Subject => Some(&self.subject),
            FieldId::ThreadId => Some(&self.thread_id),
            FieldId::SessionContext => Some(&self.session_context),
            FieldId::OperationId => Some(&self.operation_id),
            FieldId::MediaOffer => Some(&self.media_offer),
            FieldId::Phone => Some(&self.phone),
            _ => None,
        }
    }

    fn text_mut(&mut self, id: FieldId) -> Option<&mut TextArea<'static>> {
        match id {
            FieldId::To => Some(&mut self.to),
            FieldId::Subject => Some(&mut self.subject),
            FieldId::ThreadId => Some(&mut self.thread_id),
            FieldId::SessionContext => Some(&mut self.session_context),
            FieldId::OperationId => Some(&mut self.operation_id),
            FieldId::MediaOffer => Some(&mut self.media_offer),
            FieldId::Phone => Some(&mut self.phone),
            _ => None,
        }
    }

    /// The field's text (one line).
    pub fn value(&self, id: FieldId) -> &str {
        self.text(id)
            .and_then(|t| t.lines().first())
            .map_or("", String::as_str)
    }

    pub fn error(&self, id: FieldId) -> Option<&str> {
        self.errors[slot(id)].as_deref()
    }

    /// Every error now shown, in form order.
    pub fn errors(&self) -> impl Iterator<Item = (FieldId, &str)> {
        RING_OPEN
            .iter()
            .filter_map(|id| self.error(*id).map(|e| (*id, e)))
    }

    /// `(count, limit)` for fields with a published length limit.
    pub fn counter(&self, id: FieldId) -> Option<(usize, usize)> {
        let max = match id {
            FieldId::Subject => SUBJECT_MAX,
            FieldId::SessionContext => SESSION_CONTEXT_MAX,
            _ => return None,
        };
        Some((self.value(id).chars().count(), max))
    }

    /// A key for the focused TextArea. Returns true when the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        // Enter, Ctrl-M and Ctrl-J would break the line; Tab would insert spaces.
        if matches!(key.code, KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab)
            || (ctrl && matches!(key.code, KeyCode::Char('m' | 'j')))
        {
            return false;
        }
        let focus = self.focus;
        let Some(t) = self.text_mut(focus) else {
            return false;
        };
        // Ctrl-U clears to the start of the field, as in a shell (tui-textarea would undo).
        let changed = if ctrl && key.code == KeyCode::Char('u') {
            t.delete_line_by_head()
        } else if let Some(changed) = grapheme_key(t, key) {
            changed
        } else {
            t.input(Input::from(key))
        };
        if changed {
            self.on_edit(focus);
        }
        changed
    }

    /// Pasted text goes into the focused field, line breaks turned into spaces.
    pub fn paste(&mut self, text: &str) -> bool {
        let focus = self.focus;
        let Some(t) = self.text_mut(focus) else {
            return false;
        };
        let flat: String = text
            .trim_end_matches(['\r', '\n'])
            .chars()
            .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
            .collect();
        let changed = t.insert_str(flat);
        if changed {
            self.on_edit(focus);
        }
        changed
    }

    fn on_edit(&mut self, id: FieldId) {
        if id == FieldId::To {
            self.to_touched = true;
            self.cycle = None;
        }
        if id == FieldId::MediaOffer {
            // Checked as typed, like the other fields (a stat and at most 64 KiB read).
            self.check_media_offer();
            return;
        }
        self.revalidate(id);
    }

    fn revalidate(&mut self, id: FieldId) {
        let value = self.value(id);
        let error: Option<FieldError> = match id {
            FieldId::To if self.to_touched => {
                let uri = crate::call::request::contact_uri(value);
                let tel = uri.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tel:"));
                if self.via_phone && tel {
                    // Checked as a whole with the number on submit.
                    None
                } else {
                    check_to(&uri)
                }
            }
            FieldId::Phone if self.via_phone && !value.trim().is_empty() => {
                crate::call::request::check_phone_number(value).err()
            }
            FieldId::Subject => check_subject(value),
            FieldId::ThreadId => check_thread_id(value),
            FieldId::SessionContext => check_session_context(value),
            FieldId::OperationId => check_operation_id(value),
            _ => None,
        };
        self.errors[slot(id)] = error.map(|e| e.message);
    }

    fn check_media_offer(&mut self) {
        let path = self.value(FieldId::MediaOffer).trim().to_string();
        self.errors[slot(FieldId::MediaOffer)] = if path.is_empty() {
            None
        } else {
            read_media_offer(path.as_ref()).err().map(|e| e.message)
        };
    }

    /// Space / Left / Right on a toggle row. Returns true when something changed.
    pub fn toggle(&mut self, forward: bool) -> bool {
        fn tri(v: Option<bool>, forward: bool) -> Option<bool> {
            let order = [None, Some(true), Some(false)];
            let i = order.iter().position(|o| *o == v).unwrap_or(0);
            order[if forward { (i + 1) % 3 } else { (i + 2) % 3 }]
        }
        match self.focus {
            FieldId::Importance => {
                let order = [
                    None,
                    Some(Importance::Normal),
                    Some(Importance::Urgent),
                    Some(Importance::Emergency),
                ];
                let i = order
                    .iter()
                    .position(|o| *o == self.importance)
                    .unwrap_or(0);
                self.importance = order[if forward { (i + 1) % 4 } else { (i + 3) % 4 }];
            }
            FieldId::AudioMuted => self.audio_muted = tri(self.audio_muted, forward),
            FieldId::VideoMuted => self.video_muted = tri(self.video_muted, forward),
            FieldId::Audio => self.set_via_phone(!self.via_phone),
            FieldId::Format => {
                self.format = match self.format {
                    Format::Json => Format::Xml,
                    Format::Xml => Format::Json,
                }
            }
            FieldId::Advanced => self.set_advanced(!self.advanced_open),
            _ => return false,
        }
        true
    }

    pub fn set_advanced(&mut self, open: bool) {
        self.advanced_open = open;
        if !open && !self.ring().contains(&self.focus) {
            self.set_focus(FieldId::Advanced);
        }
    }

    /// The request as entered. Empty optional fields are `None` (not sent).
    pub fn to_request(&self) -> CallRequest {
        let opt = |id: FieldId| {
            let v = self.value(id);
            (!v.is_empty()).then(|| v.to_string())
        };
        // Hidden fields are not sent: a call through the phone has no audio/video fields.
        let av = !self.via_phone;
        CallRequest {
            to: self.value(FieldId::To).trim().to_string(),
            subject: opt(FieldId::Subject),
            importance: self.importance.map(|i| i.as_str().to_string()),
            thread_id: opt(FieldId::ThreadId),
            session_context: opt(FieldId::SessionContext).filter(|_| av),
            operation_id: self.value(FieldId::OperationId).to_string(),
            media_offer: opt(FieldId::MediaOffer)
                .filter(|_| av)
                .map(|p| p.trim().into()),
            join_audio_muted: self.audio_muted.filter(|_| av),
            join_video_muted: self.video_muted.filter(|_| av),
            via_phone: self
                .via_phone
                .then(|| self.value(FieldId::Phone).to_string()),
        }
    }

    /// Puts every problem in place under its field; opens the advanced section if one is there.
    pub fn show_errors(&mut self, errors: &[FieldError]) {
        self.to_touched = true;
        for e in errors {
            let id = FieldId::of(e.field);
            self.errors[slot(id)] = Some(e.message.clone());
            if !RING_FOLDED.contains(&id) {
                self.advanced_open = true;
            }
        }
        if let Some(first) = errors.first() {
            self.set_focus(FieldId::of(first.field));
        }
    }

    /// Fills the form from an earlier call (history), with a fresh operation id.
    pub fn fill(&mut self, request: &CallRequest, format: Format) {
        set_text(&mut self.to, &request.to);
        set_text(&mut self.subject, request.subject.as_deref().unwrap_or(""));
        set_text(
            &mut self.thread_id,
            request.thread_id.as_deref().unwrap_or(""),
        );
        set_text(
            &mut self.session_context,
            request.session_context.as_deref().unwrap_or(""),
        );
        let offer = request
            .media_offer
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        set_text(&mut self.media_offer, &offer);
        self.importance = request.importance.as_deref().and_then(Importance::parse);
        self.audio_muted = request.join_audio_muted;
        self.video_muted = request.join_video_muted;
        if let Some(number) = &request.via_phone {
            set_text(&mut self.phone, number);
        }
        self.via_phone = request.via_phone.is_some() || self.offered == Some((false, true));
        self.format = format;
        self.refresh_operation_id();
        self.errors = Default::default();
        self.to_touched = true;
        for id in RING_OPEN {
            self.revalidate(id);
        }
    }

    /// A new id for the next call (each call needs its own).
    pub fn refresh_operation_id(&mut self) {
        self.issued_operation_id = fresh_operation_id();
        set_text(&mut self.operation_id, &self.issued_operation_id);
        self.errors[slot(FieldId::OperationId)] = None;
    }

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

    /// The advanced fields the user has set (the operation id once it is not the one
    /// avlaunch filled in), by label: they are sent even while the section is folded.
    pub fn advanced_set(&self) -> Vec<&'static str> {
        let mut set: Vec<&'static str> = [FieldId::ThreadId, FieldId::SessionContext]
            .into_iter()
            .filter(|id| !(self.via_phone && id.audio_video_only()))
            .filter(|id| !self.value(*id).trim().is_empty())
            .map(FieldId::label)
            .collect();
        if self.value(FieldId::OperationId) != self.issued_operation_id {
            set.push(FieldId::OperationId.label());
        }
        if !self.via_phone && !self.value(FieldId::MediaOffer).trim().is_empty() {
            set.push(FieldId::MediaOffer.label());
        }
        set
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
            .then(|| super::path_complete::complete(typed))
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

#[cfg(test)]
mod tests {
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
}
