//! The call form: single-line TextAreas for text, tri-state toggles, the focus ring, live
//! per-field errors from `call::request`'s rules, and completion of the To field.
//!
//! Here: the form's state, editing, checking and the request it makes. The rows and their
//! focus order are in `field.rs`, completion (To, Media offer) in `completion.rs`, the
//! text areas' grapheme-wise editing in `text_edit.rs`.

use crate::call::Offered;
use crate::ucwa::modality::{AUDIO_VIDEO, PHONE_AUDIO};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use tui_textarea::{Input, TextArea};

use crate::call::request::{
    check_operation_id, check_session_context, check_subject, check_thread_id, check_to,
    fresh_operation_id, read_media_offer, SESSION_CONTEXT_MAX, SUBJECT_MAX,
};
use crate::call::{CallRequest, FieldError, Importance};
use crate::ucwa::Format;

mod completion;
mod field;
mod text_edit;

pub use completion::Suggestion;
pub use field::FieldId;
use field::{RING_FOLDED, RING_OPEN};
use text_edit::{grapheme_key, set_text, text_field};

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
    /// What the signed-in application offers; `None` until a call (or the start) has
    /// signed in.
    pub offered: Option<Offered>,
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
                "+1 425 555 0123 (rung first, then the contact)",
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
    pub fn set_offered(&mut self, offered: Offered) {
        self.offered = Some(offered);
        if self.audio_choices() == Some((false, true)) {
            self.set_via_phone(true);
        }
    }

    /// The Audio choice's two modalities as offered: (this computer: audio/video, my
    /// phone: Call via Work).
    fn audio_choices(&self) -> Option<(bool, bool)> {
        self.offered
            .map(|o| (o.contains(&AUDIO_VIDEO), o.contains(&PHONE_AUDIO)))
    }

    /// The form's note under Audio about what the server offers, if it limits the choice.
    pub fn offered_note(&self) -> Option<&'static str> {
        match self.audio_choices()? {
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
        self.via_phone = request.via_phone.is_some() || self.audio_choices() == Some((false, true));
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
}

#[cfg(test)]
mod tests;
