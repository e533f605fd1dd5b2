//! One `sanitize` for every string from outside (a server, a link, an error) on its way to
//! a terminal: text output, the TUI and the log all go through it, so nothing a server
//! sends can clear the screen, set the clipboard (OSC 52), move the cursor, overwrite a
//! line or reorder what is shown.
//!
//! What is neutralised, and shown visibly instead:
//! - C0 controls U+0000–U+001F (ESC, CR, LF, TAB, BS, BEL, …) and DEL U+007F, as `\x1b`;
//! - C1 controls U+0080–U+009F (8-bit CSI U+009B, OSC U+009D, …), as `\u{9b}`;
//! - bidirectional formatting characters, which reorder the text around them: the
//!   embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069, the marks
//!   U+200E, U+200F and U+061C (Unicode UAX #9), and the line and paragraph separators
//!   U+2028, U+2029, as `\u{202e}`.
//!
//! JSON output keeps JSON's own escaping (`escape_json_text` adds the characters serde
//! leaves raw).

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::call::{CallError, CallNotice, CallUpdate, EventNote};
use crate::ucwa::invitation::InvitationState;
use crate::ucwa::resource::{ErrorBody, EventKind, OperationStatus};
use crate::ucwa::transport::WireRecord;

/// Whether `c` must not reach a terminal as it is.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{2028}'
        | '\u{2029}')
}

fn escape(c: char, out: &mut String) {
    let n = c as u32;
    if n < 0x80 {
        let _ = write!(out, "\\x{n:02x}");
    } else {
        let _ = write!(out, "\\u{{{n:x}}}");
    }
}

fn escape_where(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` safe for a terminal, on one line: every unsafe character (`is_unsafe`), line
/// breaks included, is written out visibly (`\x1b`, `\x0d`, `\u{202e}`).
pub fn sanitize(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// As `sanitize`, but keeps line feeds: for bodies that are shown line by line.
pub fn sanitize_lines(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c != '\n' && is_unsafe(c))
}

/// Serialized JSON made safe for a terminal while staying the same JSON: serde already
/// escapes C0 controls; DEL, C1 and the bidi characters become `\uXXXX` escapes. Outside
/// strings, JSON text is plain ASCII, so this only ever touches string contents.
/// Expects serde's output (compact or pretty), not arbitrary text.
pub fn escape_json_text(json: &str) -> Cow<'_, str> {
    // C0 controls inside strings are escaped by serde already; outside strings they are
    // whitespace (pretty-printed JSON's line breaks).
    let raw = |c: char| c >= '\u{7f}' && is_unsafe(c);
    if !json.chars().any(raw) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn s(text: &mut String) {
    if let Cow::Owned(clean) = sanitize(text) {
        *text = clean;
    }
}

fn opt(text: &mut Option<String>) {
    if let Some(t) = text {
        s(t);
    }
}

fn error_body(body: &mut ErrorBody) {
    s(&mut body.code);
    opt(&mut body.subcode);
    opt(&mut body.message);
    for (name, value) in body.parameters.iter_mut().chain(body.debug_info.iter_mut()) {
        s(name);
        s(value);
    }
}

fn call_error(error: &mut CallError) {
    s(&mut error.message);
    opt(&mut error.code);
    opt(&mut error.subcode);
    opt(&mut error.server_message);
    for d in &mut error.diagnostics {
        d.map_server_text(|t| sanitize(t).into_owned());
    }
}

fn event(note: &mut EventNote) {
    for text in [&mut note.sender, &mut note.rel, &mut note.href] {
        s(text);
    }
    if let EventKind::Other(kind) = &mut note.kind {
        s(kind);
    }
    opt(&mut note.state);
    if let Some(OperationStatus::Other(status)) = &mut note.status {
        s(status);
    }
    if let Some(reason) = &mut note.reason {
        error_body(reason);
    }
}

fn wire(record: &mut WireRecord) {
    s(&mut record.method);
    s(&mut record.url);
    for (name, value) in record
        .request_headers
        .iter_mut()
        .chain(record.response_headers.iter_mut())
    {
        s(name);
        s(value);
    }
    for body in [&mut record.request_body, &mut record.response_body]
        .into_iter()
        .flatten()
    {
        if let Cow::Owned(clean) = sanitize_lines(body) {
            *body = clean;
        }
    }
    opt(&mut record.error);
}

/// A notice's text, safe for a terminal: notices are typed (`CallNotice`) and carry server
/// words (error messages, URLs), so every front-end takes their text from here.
pub fn notice_text(notice: &CallNotice) -> String {
    sanitize(&notice.to_string()).into_owned()
}

/// A `CallUpdate` with every string in it sanitized (bodies keep their line feeds): what
/// the TUI takes into its state, so no widget ever sees a raw server string.
pub fn sanitize_update(mut update: CallUpdate) -> CallUpdate {
    match &mut update {
        CallUpdate::StepStarted(_)
        | CallUpdate::StepFinished { .. }
        | CallUpdate::Offered(_)
        | CallUpdate::Held(_)
        | CallUpdate::HoldOffered { .. } => {}
        // Typed: its text is made safe where it is made (`notice_text`).
        CallUpdate::Notice(_) => {}
        CallUpdate::InvitationState(state) => {
            if let InvitationState::Unknown(text) = state {
                s(text);
            }
        }
        CallUpdate::Wire(record) => wire(record),
        CallUpdate::MediaAnswer(sdp) => {
            if let Cow::Owned(clean) = sanitize_lines(sdp) {
                *sdp = clean;
            }
        }
        CallUpdate::Event(note) => event(note),
        CallUpdate::InvitationCreated { href, operation_id } => {
            s(href);
            s(operation_id);
        }
        CallUpdate::Finished(outcome) => {
            opt(&mut outcome.invitation);
            s(&mut outcome.operation_id);
            if let Some(error) = &mut outcome.error {
                call_error(error);
            }
        }
    }
    update
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_control_is_shown_not_obeyed() {
        assert_eq!(sanitize("plain text, ünïcode ✓"), "plain text, ünïcode ✓");
        assert!(matches!(sanitize("plain"), Cow::Borrowed(_)));
        assert_eq!(
            sanitize("a\u{1b}[2Jb\u{1b}]52;c;aGk=\u{7}c\rd\u{8}e\tf\ng\u{0}"),
            "a\\x1b[2Jb\\x1b]52;c;aGk=\\x07c\\x0dd\\x08e\\x09f\\x0ag\\x00"
        );
        assert_eq!(
            sanitize("\u{7f}\u{80}\u{9b}31m\u{9f}"),
            "\\x7f\\u{80}\\u{9b}31m\\u{9f}"
        );
        assert_eq!(
            sanitize("x\u{202e}gnp.exe\u{2066}\u{2069}\u{200f}\u{61c}\u{2028}"),
            "x\\u{202e}gnp.exe\\u{2066}\\u{2069}\\u{200f}\\u{61c}\\u{2028}"
        );
        // The whole ranges, not examples.
        for c in (0u32..0x20)
            .chain(0x7f..0xa0)
            .chain(0x202a..0x202f)
            .chain(0x2066..0x206a)
        {
            let c = char::from_u32(c).unwrap();
            let out = sanitize(&c.to_string()).into_owned();
            assert!(!out.chars().any(is_unsafe), "{c:?} -> {out:?}");
            assert!(out.starts_with('\\'), "{c:?}");
        }
        assert_eq!(sanitize_lines("a\nb\rc"), "a\nb\\x0dc");
    }

    #[test]
    fn json_stays_json_and_loses_raw_controls() {
        let value = serde_json::json!({"m": "a\u{1b}b\u{9b}c\u{202e}d\u{7f}"});
        let text = value.to_string();
        let safe = escape_json_text(&text);
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn decoded_diagnostics_are_sanitized_with_the_error() {
        let mut error = CallError::new(crate::call::ErrorKind::Server, "refused");
        error.diagnostics = crate::ucwa::diagnostics::parse(
            "4005;source=\"a\u{1b}[2J\";reason=\"b\u{202e}c\";component=\"\u{1b}]52;c;x\u{7}\"",
        );
        let update = CallUpdate::Finished(crate::call::CallOutcome {
            state: crate::call::FinalState::Failed,
            invitation: None,
            operation_id: "op".into(),
            timings: vec![],
            error: Some(error),
            connected_for: None,
        });
        let CallUpdate::Finished(o) = sanitize_update(update) else {
            unreachable!()
        };
        let line = o.error.unwrap().diagnostics[0].line();
        assert!(!line.chars().any(is_unsafe), "{line:?}");
        assert!(line.contains("\\x1b[2J"), "{line}");
    }
}
