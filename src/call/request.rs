//! `CallRequest`: the nine `startAudioVideo` fields (and, for Call via Work, the user's own
//! phone number) as the user typed them, and the one home of their rules. The TUI form and
//! `avlaunch call` both validate here.

use std::fmt;
use std::path::PathBuf;

use crate::ucwa::invitation::StartFields;
use crate::ucwa::modality::{Modality, AUDIO_VIDEO, PHONE_AUDIO};

/// Published limits of the reference page, counted in Unicode scalar values.
pub const SUBJECT_MAX: usize = 250;
pub const OPERATION_ID_MAX: usize = 50;
pub const SESSION_CONTEXT_MAX: usize = 50;
/// Not published; large enough for any real offer, small enough to refuse a wrong file.
pub const MEDIA_OFFER_MAX_BYTES: usize = 64 * 1024;
/// The digits of a Call via Work phone number: an extension has at least 2, and no number
/// more than 20 (avlaunch's rule; the reference gives none, PROTOCOL.md §j).
pub const PHONE_DIGITS_MIN: usize = 2;
pub const PHONE_DIGITS_MAX: usize = 20;
/// The digits of an E.164 number after `+` (ITU-T E.164 §6: at most 15).
pub const E164_DIGITS_MAX: usize = 15;
/// `to` and `threadId` have no limit in the reference; ours keeps an absurd value from
/// reaching the server (a SIP URI or a thread id is far shorter in practice).
pub const TO_MAX: usize = 256;
/// See `TO_MAX`.
pub const THREAD_ID_MAX: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Importance {
    Normal,
    Urgent,
    Emergency,
}

impl Importance {
    pub const ALL: [Importance; 3] = [
        Importance::Normal,
        Importance::Urgent,
        Importance::Emergency,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Importance::Normal => "Normal",
            Importance::Urgent => "Urgent",
            Importance::Emergency => "Emergency",
        }
    }

    /// Case-insensitive, as UCWA servers read enum values.
    pub fn parse(s: &str) -> Option<Importance> {
        Importance::ALL
            .into_iter()
            .find(|i| i.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// Which field a problem belongs to; `name()` is the name the user sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    To,
    Subject,
    Importance,
    ThreadId,
    SessionContext,
    OperationId,
    MediaOffer,
    JoinAudioMuted,
    JoinVideoMuted,
    /// Call via Work: the user's own phone (`phoneNumber` of `startPhoneAudio`).
    PhoneNumber,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::To => "to",
            Field::Subject => "subject",
            Field::Importance => "importance",
            Field::ThreadId => "threadId",
            Field::SessionContext => "sessionContext",
            Field::OperationId => "operationId",
            Field::MediaOffer => "mediaOffer",
            Field::JoinAudioMuted => "joinAudioMuted",
            Field::JoinVideoMuted => "joinVideoMuted",
            Field::PhoneNumber => "phoneNumber",
        }
    }

    /// The `avlaunch call` option that sets this field.
    pub fn flag(self) -> &'static str {
        match self {
            Field::To => "--to",
            Field::Subject => "--subject",
            Field::Importance => "--importance",
            Field::ThreadId => "--thread-id",
            Field::SessionContext => "--session-context",
            Field::OperationId => "--operation-id",
            Field::MediaOffer => "--media-offer",
            Field::JoinAudioMuted => "--audio-muted",
            Field::JoinVideoMuted => "--video-muted",
            Field::PhoneNumber => "--via-phone",
        }
    }

    /// The form's label of this field.
    pub fn label(self) -> &'static str {
        match self {
            Field::To => "To",
            Field::Subject => "Subject",
            Field::Importance => "Importance",
            Field::ThreadId => "Thread ID",
            Field::SessionContext => "Session context",
            Field::OperationId => "Operation ID",
            Field::MediaOffer => "Media offer",
            Field::JoinAudioMuted => "Audio muted",
            Field::JoinVideoMuted => "Video muted",
            Field::PhoneNumber => "My phone",
        }
    }
}

/// One problem with one field: `subject: 262 characters, the limit is 250`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.name(), self.message)
    }
}

/// The call as entered. Empty optional text counts as "not sent".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallRequest {
    pub to: String,
    pub subject: Option<String>,
    /// As typed; must name one of `Importance::ALL`.
    pub importance: Option<String>,
    pub thread_id: Option<String>,
    pub session_context: Option<String>,
    pub operation_id: String,
    pub media_offer: Option<PathBuf>,
    pub join_audio_muted: Option<bool>,
    pub join_video_muted: Option<bool>,
    /// Call via Work: the user's own phone, rung first, as typed (`None` or empty: an
    /// audio/video call from this application).
    pub via_phone: Option<String>,
}

/// A request that passed every rule, with the media offer read from its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidCall {
    pub to: String,
    pub subject: Option<String>,
    pub importance: Option<Importance>,
    pub thread_id: Option<String>,
    pub session_context: Option<String>,
    pub operation_id: String,
    /// The offer read from its file: SDP, or Lync's multipart/alternative of SDP parts.
    pub media_offer: Option<MediaOffer>,
    pub join_audio_muted: Option<bool>,
    pub join_video_muted: Option<bool>,
    /// How the call is placed: audio/video from this application (the default), or Call
    /// via Work (`PHONE_AUDIO`) when `phone_number` is set.
    pub modality: &'static Modality,
    /// Call via Work: the user's own phone as sent in `phoneNumber` (`tel:+digits`, or the
    /// digits of an extension; see `check_phone_number`).
    pub phone_number: Option<String>,
}

impl ValidCall {
    /// The fields of the start request, for the modality's body builder.
    pub fn start_fields(&self) -> StartFields<'_> {
        StartFields {
            operation_id: &self.operation_id,
            to: &self.to,
            importance: self.importance.map(Importance::as_str),
            subject: self.subject.as_deref(),
            thread_id: self.thread_id.as_deref(),
            session_context: self.session_context.as_deref(),
            join_audio_muted: self.join_audio_muted,
            join_video_muted: self.join_video_muted,
            media_offer: self.media_offer.as_ref(),
            phone_number: self.phone_number.as_deref(),
        }
    }
}

/// A fresh operation id: 32 random hex digits, a v4 UUID without dashes.
pub fn fresh_operation_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}

/// The first character no field may carry: a control character, or one XML 1.0 cannot
/// carry (U+FFFE, U+FFFF), which a server in the XML format could not be sent.
fn control_char(value: &str) -> Option<char> {
    value
        .chars()
        .find(|c| c.is_control() || !crate::ucwa::xml::is_xml_char(*c))
}

fn control_char_error(field: Field, c: char) -> FieldError {
    FieldError {
        field,
        message: format!(
            "contains the {}character U+{:04X}, which cannot be sent",
            if c.is_control() { "control " } else { "" },
            c as u32
        ),
    }
}

/// A contact written `user@host` is taken as `sip:user@host` (DESIGN.md); anything else is
/// kept as typed (trimmed).
pub fn contact_uri(value: &str) -> String {
    let value = value.trim();
    let has_scheme = value
        .split_once(':')
        .is_some_and(|(scheme, _)| !scheme.contains('@'));
    let bare_address = value
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty());
    if !has_scheme && bare_address && !value.contains(char::is_whitespace) {
        format!("sip:{value}")
    } else {
        value.to_string()
    }
}

/// Removes what people write between the digits of a phone number: spaces, dots, dashes
/// and parentheses.
fn strip_separators(value: &str) -> String {
    value
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '.' | '-' | '(' | ')')))
        .collect()
}

/// The Call via Work number rule (PROTOCOL.md §j, DESIGN.md `--via-phone`): after removing
/// spaces, dots, dashes and parentheses (and a leading `tel:`), `+` and 2–20 digits, sent
/// as `tel:+digits`, or 2–20 digits (an extension), sent as the digits alone.
pub fn check_phone_number(value: &str) -> Result<String, FieldError> {
    let error = |message: String| FieldError {
        field: Field::PhoneNumber,
        message,
    };
    let shown = value.trim();
    if let Some(c) = control_char(shown) {
        return Err(control_char_error(Field::PhoneNumber, c));
    }
    let expected = format!(
        "expected + and {PHONE_DIGITS_MIN}–{PHONE_DIGITS_MAX} digits, or {PHONE_DIGITS_MIN}–{PHONE_DIGITS_MAX} digits for an extension"
    );
    if shown.is_empty() {
        return Err(error(format!(
            "required: your own phone, rung first ({expected})"
        )));
    }
    let mut cleaned = strip_separators(shown);
    if cleaned
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("tel:"))
    {
        cleaned.drain(..4);
    }
    let (plus, digits) = match cleaned.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_digit()) {
        let what = if c == '+' {
            "a '+' that is not at the start".to_string()
        } else {
            format!("'{c}'")
        };
        return Err(error(format!("'{shown}' contains {what} ({expected})")));
    }
    let count = digits.len();
    if count < PHONE_DIGITS_MIN {
        return Err(error(format!(
            "'{shown}' has {count} digit{}, at least {PHONE_DIGITS_MIN} are needed ({expected})",
            if count == 1 { "" } else { "s" }
        )));
    }
    if count > PHONE_DIGITS_MAX {
        return Err(error(format!(
            "'{shown}' has {count} digits, the limit is {PHONE_DIGITS_MAX}"
        )));
    }
    Ok(if plus {
        format!("tel:+{digits}")
    } else {
        digits.to_string()
    })
}

/// A phone number as sent (`tel:+14255551234`, `5512`) for people: `+1 425 555 1234` for a
/// North American number, else `+` and the digits (or the extension) as they are.
pub fn display_phone(sent: &str) -> String {
    let number = sent.strip_prefix("tel:").unwrap_or(sent);
    match number.strip_prefix("+1") {
        Some(rest) if rest.len() == 10 && rest.chars().all(|c| c.is_ascii_digit()) => {
            format!("+1 {} {} {}", &rest[..3], &rest[3..6], &rest[6..])
        }
        _ => number.to_string(),
    }
}

/// A callee given as a phone number (Call via Work only): `tel:+` and 2–15 digits (E.164),
/// separators removed; sent as `tel:+digits`.
fn check_tel_callee(value: &str) -> Result<String, FieldError> {
    let cleaned = strip_separators(&value[4..]);
    let digits = cleaned.strip_prefix('+').unwrap_or("");
    let ok = cleaned.starts_with('+')
        && (PHONE_DIGITS_MIN..=E164_DIGITS_MAX).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(format!("tel:+{digits}"))
    } else {
        Err(FieldError {
            field: Field::To,
            message: format!(
                "'{value}' is not a tel:+E164 number (expected tel:+ and {PHONE_DIGITS_MIN}–{E164_DIGITS_MAX} digits, or sip:user@host)"
            ),
        })
    }
}

/// `contact_uri` without a copy when nothing changes: `user@host` becomes `sip:user@host`.
pub fn with_sip_scheme(value: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = value.trim();
    let uri = contact_uri(trimmed);
    if uri == trimmed {
        std::borrow::Cow::Borrowed(trimmed)
    } else {
        std::borrow::Cow::Owned(uri)
    }
}

/// The `to` rule: `sip:user@host` (or `user@host`, taken as that), no spaces or control
/// characters.
pub fn check_to(value: &str) -> Option<FieldError> {
    let error = |message: String| {
        Some(FieldError {
            field: Field::To,
            message,
        })
    };
    let value = with_sip_scheme(value);
    let value = value.as_ref();
    if value.is_empty() {
        return error("required (expected sip:user@host)".into());
    }
    if let Some(e) = check_length(Field::To, value, TO_MAX) {
        return Some(e);
    }
    let Some(rest) = value
        .get(..4)
        .filter(|s| s.eq_ignore_ascii_case("sip:"))
        .map(|_| &value[4..])
    else {
        return error(format!(
            "'{value}' is not a sip: URI (expected sip:user@host)"
        ));
    };
    if value.contains(char::is_whitespace) {
        return error(format!(
            "'{value}' contains a space (expected sip:user@host)"
        ));
    }
    let address = rest.split(';').next().unwrap_or_default();
    match address.split_once('@') {
        Some((user, host)) if !user.is_empty() && valid_host(host) => None,
        Some(("", _)) => error(format!(
            "'{value}' has no user before '@' (expected sip:user@host)"
        )),
        Some(_) => error(format!(
            "'{value}' has no valid host after '@' (expected sip:user@host)"
        )),
        None => error(format!("'{value}' has no '@' (expected sip:user@host)")),
    }
}

fn valid_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    !name.is_empty()
        && !name.starts_with(['.', '-'])
        && !name.ends_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

fn check_length(field: Field, value: &str, max: usize) -> Option<FieldError> {
    if let Some(c) = control_char(value) {
        return Some(control_char_error(field, c));
    }
    let count = value.chars().count();
    (count > max).then(|| FieldError {
        field,
        message: format!("{count} characters, the limit is {max}"),
    })
}

pub fn check_subject(value: &str) -> Option<FieldError> {
    check_length(Field::Subject, value, SUBJECT_MAX)
}

pub fn check_session_context(value: &str) -> Option<FieldError> {
    check_length(Field::SessionContext, value, SESSION_CONTEXT_MAX)
}

pub fn check_operation_id(value: &str) -> Option<FieldError> {
    // Events are matched to our call by this id: an empty one would match any invitation.
    if value.trim().is_empty() {
        return Some(FieldError {
            field: Field::OperationId,
            message: "required: events are matched to the call by it".into(),
        });
    }
    check_length(Field::OperationId, value, OPERATION_ID_MAX)
}

pub fn check_thread_id(value: &str) -> Option<FieldError> {
    check_length(Field::ThreadId, value, THREAD_ID_MAX)
}

pub fn check_importance(value: &str) -> Option<FieldError> {
    Importance::parse(value).is_none().then(|| FieldError {
        field: Field::Importance,
        message: format!("'{value}' is not one of Normal, Urgent, Emergency"),
    })
}

/// `~` or `~/…` at the start of a path is the home directory (`$HOME`), as in a shell; a
/// path typed in the form or written `--media-offer=~/…` is not expanded by any shell.
pub fn expand_home(path: &std::path::Path) -> PathBuf {
    let Some(text) = path.to_str() else {
        return path.to_path_buf();
    };
    let rest = match text.strip_prefix('~') {
        Some("") => "",
        Some(rest) if rest.starts_with('/') => &rest[1..],
        _ => return path.to_path_buf(),
    };
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => PathBuf::from(home).join(rest),
        None => path.to_path_buf(),
    }
}

pub use crate::ucwa::invitation::MediaOffer;

/// The media offer rule: the file exists, is UTF-8, at most 64 KiB, and is either SDP
/// (starting `v=0`) or a `multipart/alternative` body whose parts are all SDP, as Lync and
/// Skype for Business clients send their offer (RFC 2046 §5.1; the file may keep the
/// `Content-Type` header line that names the boundary). Anything else is refused with what
/// it looks like.
pub fn read_media_offer(path: &std::path::Path) -> Result<MediaOffer, FieldError> {
    let error = |message: String| FieldError {
        field: Field::MediaOffer,
        message,
    };
    let shown = path.display();
    let path = &expand_home(path);
    // Only a regular file is read, and never more than the limit: a directory, a FIFO,
    // `/dev/stdin` or `/dev/zero` would otherwise block the caller (the form checks this
    // field on every key) or fill memory. `metadata` follows links and opens nothing.
    let meta = std::fs::metadata(path).map_err(|e| error(format!("cannot read '{shown}': {e}")))?;
    if meta.is_dir() {
        return Err(error(format!(
            "'{shown}' is a directory (expected an SDP file)"
        )));
    }
    if !meta.is_file() {
        return Err(error(format!(
            "'{shown}' is not a regular file (a device, pipe or socket; expected an SDP file)"
        )));
    }
    if meta.len() > MEDIA_OFFER_MAX_BYTES as u64 {
        return Err(error(format!(
            "'{shown}' is {} bytes, the limit is {MEDIA_OFFER_MAX_BYTES}",
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(path).map_err(|e| error(format!("cannot read '{shown}': {e}")))?,
            MEDIA_OFFER_MAX_BYTES as u64 + 1,
        ),
        &mut bytes,
    )
    .map_err(|e| error(format!("cannot read '{shown}': {e}")))?;
    // The file may have grown since its size was read.
    if bytes.len() > MEDIA_OFFER_MAX_BYTES {
        return Err(error(format!(
            "'{shown}' is more than {MEDIA_OFFER_MAX_BYTES} bytes, the limit"
        )));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Err(error(format!(
                "'{shown}' is not an SDP offer: it looks like {} (expected SDP text starting v=0, or a multipart/alternative of SDP parts)",
                looks_like(e.as_bytes())
            )))
        }
    };
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with("v=0") {
        return Ok(MediaOffer {
            media_type: "application/sdp".into(),
            body: text,
        });
    }
    if let Some(offer) = multipart_offer(start).map_err(|why| error(format!("'{shown}': {why}")))? {
        return Ok(offer);
    }
    Err(error(format!(
        "'{shown}' does not look like SDP: it looks like {} (expected SDP text starting v=0, or a multipart/alternative of SDP parts)",
        looks_like(start.as_bytes())
    )))
}

/// Reads a `multipart/alternative` offer: `Ok(None)` if the text is not multipart at all,
/// `Err` naming the problem if it is but is not an offer of SDP parts.
fn multipart_offer(text: &str) -> Result<Option<MediaOffer>, String> {
    // Either the body alone (starting with its delimiter), or the SIP message's
    // Content-Type header (and maybe others), a blank line, then the body.
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    // A delimiter line is followed by the part's headers (or a blank line), which tells
    // it from a PEM block's "-----BEGIN …" or a text that happens to start with "--".
    let opens_part = first.starts_with("--")
        && !first.starts_with("-----BEGIN ")
        && lines
            .next()
            .is_some_and(|l| l.trim().is_empty() || l.contains(':'));
    let (boundary, body) = if opens_part {
        (first[2..].trim_end().to_string(), text)
    } else {
        let Some((headers, body)) = text
            .split_once("\r\n\r\n")
            .or_else(|| text.split_once("\n\n"))
        else {
            return Ok(None);
        };
        let content_type = headers.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-type")
                .then(|| value.trim())
        });
        let Some(content_type) = content_type else {
            return Ok(None);
        };
        let mut params = content_type.split(';').map(str::trim);
        let kind = params.next().unwrap_or_default();
        if !kind.eq_ignore_ascii_case("multipart/alternative") {
            return Ok(None);
        }
        let boundary = params
            .find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("boundary")
                    .then(|| v.trim().trim_matches('"'))
            })
            .ok_or("a multipart/alternative Content-Type with no boundary")?;
        (boundary.to_string(), body.trim_start_matches(['\r', '\n']))
    };
    // RFC 2046 §5.1.1: 1–70 characters, no trailing space.
    let valid_boundary = (1..=70).contains(&boundary.len())
        && !boundary.ends_with(' ')
        && boundary
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c));
    if !valid_boundary {
        return Err(format!("'{boundary}' is not a valid multipart boundary"));
    }
    let delimiter = format!("--{boundary}");
    let close = format!("--{boundary}--");
    let mut parts: Vec<Vec<&str>> = Vec::new();
    let mut closed = false;
    for line in body.lines() {
        let line_end = line.trim_end();
        if line_end == close {
            closed = true;
            break;
        }
        if line_end == delimiter {
            parts.push(Vec::new());
        } else if let Some(part) = parts.last_mut() {
            part.push(line);
        }
    }
    if !body.starts_with(&delimiter) {
        return Err(format!(
            "a multipart body must start with its delimiter line '{delimiter}'"
        ));
    }
    if !closed {
        return Err(format!(
            "the multipart body is not closed (no '{close}' line): the file may be cut short"
        ));
    }
    if parts.is_empty() {
        return Err("the multipart body has no parts".into());
    }
    for (n, part) in parts.iter().enumerate() {
        let blank = part.iter().position(|l| l.trim().is_empty());
        let (headers, content) = match blank {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (&part[..0], &part[..]),
        };
        let content_type = headers.iter().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-type")
                .then(|| value.trim())
        });
        let sdp_type = content_type.is_none_or(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/sdp")
        });
        if !sdp_type {
            return Err(format!(
                "part {} of the multipart body is {}, not application/sdp",
                n + 1,
                content_type.unwrap_or_default()
            ));
        }
        if !content
            .first()
            .is_some_and(|l| l.trim_start().starts_with("v=0"))
        {
            return Err(format!(
                "part {} of the multipart body is not SDP (it must start with v=0)",
                n + 1
            ));
        }
    }
    Ok(Some(MediaOffer {
        media_type: format!("multipart/alternative;boundary={boundary}"),
        body: body.to_string(),
    }))
}

/// What a file that is not an offer looks like, in a few words.
fn looks_like(bytes: &[u8]) -> &'static str {
    let text = String::from_utf8_lossy(bytes);
    let start = text.trim_start_matches('\u{feff}').trim_start();
    let lower: String = start
        .chars()
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        "an empty file"
    } else if std::str::from_utf8(bytes).is_err() || bytes.contains(&0) {
        "binary data"
    } else if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        "an HTML page"
    } else if lower.starts_with("<?xml") || lower.starts_with('<') {
        "XML"
    } else if start.starts_with('{') || start.starts_with('[') {
        "JSON"
    } else if start.starts_with("-----BEGIN ") {
        "a PEM file (a certificate or key)"
    } else if lower.starts_with("invite ") || lower.starts_with("sip/2.0") {
        "a whole SIP message (save only its body, or its Content-Type line and body)"
    } else if start.lines().next().is_some_and(|l| {
        l.len() >= 2 && l.as_bytes()[1] == b'=' && l.as_bytes()[0].is_ascii_lowercase()
    }) {
        "SDP lines without the leading v=0 line"
    } else {
        "plain text"
    }
}

impl CallRequest {
    /// A request to `to` with a fresh operation id and nothing else set.
    pub fn to(to: impl Into<String>) -> Self {
        CallRequest {
            to: to.into(),
            operation_id: fresh_operation_id(),
            ..Default::default()
        }
    }

    /// Every rule at once: either a call ready to send, or every problem found.
    pub fn validate(&self) -> Result<ValidCall, Vec<FieldError>> {
        let mut errors = Vec::new();
        let phone_number = match self.via_phone.as_deref() {
            Some(number) => match check_phone_number(number) {
                Ok(n) => Some(n),
                Err(e) => {
                    errors.push(e);
                    // Still a Call via Work request: its other fields follow its rules.
                    Some(String::new())
                }
            },
            None => None,
        };
        let via_phone = phone_number.is_some();
        let mut to = contact_uri(&self.to);
        let tel_callee = to.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tel:"));
        if via_phone && tel_callee {
            match check_tel_callee(&to) {
                Ok(tel) => to = tel,
                Err(e) => errors.push(e),
            }
        } else {
            errors.extend(check_to(&to));
            if via_phone {
                if let Some(e) = errors.last_mut().filter(|e| e.field == Field::To) {
                    e.message = e.message.replace(
                        "(expected sip:user@host)",
                        "(expected sip:user@host or tel:+E164)",
                    );
                }
            }
        }
        if via_phone {
            // The server owns the media of a Call via Work call: these fields do not exist
            // for startPhoneAudio (PROTOCOL.md §j).
            let av_only = [
                (
                    Field::SessionContext,
                    non_empty(&self.session_context).is_some(),
                ),
                (
                    Field::MediaOffer,
                    self.media_offer
                        .as_ref()
                        .is_some_and(|p| !p.as_os_str().is_empty()),
                ),
                (Field::JoinAudioMuted, self.join_audio_muted.is_some()),
                (Field::JoinVideoMuted, self.join_video_muted.is_some()),
            ];
            for (field, given) in av_only {
                if given {
                    errors.push(FieldError {
                        field,
                        message: "does not apply to Call via Work (--via-phone): the server rings your phone and owns the media".into(),
                    });
                }
            }
        }
        if let Some(subject) = non_empty(&self.subject) {
            errors.extend(check_subject(subject));
        }
        let importance = non_empty(&self.importance).and_then(|value| {
            errors.extend(check_importance(value));
            Importance::parse(value)
        });
        if let Some(thread_id) = non_empty(&self.thread_id) {
            errors.extend(check_thread_id(thread_id));
        }
        if let Some(context) = non_empty(&self.session_context).filter(|_| !via_phone) {
            errors.extend(check_session_context(context));
        }
        errors.extend(check_operation_id(&self.operation_id));
        let media_offer = match &self.media_offer {
            Some(path) if !path.as_os_str().is_empty() && !via_phone => {
                match read_media_offer(path) {
                    Ok(sdp) => Some(sdp),
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                }
            }
            _ => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidCall {
            to,
            subject: non_empty(&self.subject).map(str::to_string),
            importance,
            thread_id: non_empty(&self.thread_id).map(str::to_string),
            session_context: non_empty(&self.session_context).map(str::to_string),
            operation_id: self.operation_id.clone(),
            media_offer,
            join_audio_muted: self.join_audio_muted,
            join_video_muted: self.join_video_muted,
            modality: if via_phone {
                &PHONE_AUDIO
            } else {
                &AUDIO_VIDEO
            },
            phone_number,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(req: &CallRequest) -> Vec<String> {
        req.validate()
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_plain_contact_is_valid() {
        let call = CallRequest::to("sip:alice@contoso.com").validate().unwrap();
        assert_eq!(call.to, "sip:alice@contoso.com");
        let call = CallRequest::to(" alice@contoso.com ").validate().unwrap();
        assert_eq!(call.to, "sip:alice@contoso.com");
        assert_eq!(with_sip_scheme("sip:bob@x.com"), "sip:bob@x.com");
        assert_eq!(with_sip_scheme("tel:+1@x"), "tel:+1@x");
        assert_eq!(with_sip_scheme("@x.com"), "@x.com");
        assert_eq!(with_sip_scheme("a b@x.com"), "a b@x.com");
        assert_eq!(call.operation_id.len(), 32);
        assert!(call.subject.is_none() && call.importance.is_none());
    }

    #[test]
    fn to_must_be_a_sip_uri_with_user_and_host() {
        for bad in [
            "",
            "bob",
            "@contoso.com",
            "sip:@contoso.com",
            "sip:bob@",
            "sip:bob",
            "sip:a b@c.com",
            "tel:+1555",
        ] {
            let req = CallRequest::to(bad);
            let m = messages(&req);
            assert_eq!(m.len(), 1, "{bad:?} gave {m:?}");
            assert!(m[0].starts_with("to: "), "{m:?}");
        }
        assert!(messages(&CallRequest::to("bob"))[0]
            .contains("'bob' is not a sip: URI (expected sip:user@host)"));
        assert!(
            CallRequest::to("SIP:bob@fe1.contoso.com:5061;transport=tls")
                .validate()
                .is_ok()
        );
    }

    fn phone(to: &str, number: &str) -> CallRequest {
        let mut req = CallRequest::to(to);
        req.via_phone = Some(number.into());
        req
    }

    #[test]
    fn phone_numbers_are_normalised_by_their_kind() {
        for (typed, sent) in [
            ("+14255551234", "tel:+14255551234"),
            ("+1 (425) 555-1234", "tel:+14255551234"),
            ("+1.425.555.1234", "tel:+14255551234"),
            ("tel:+14255551234", "tel:+14255551234"),
            ("4255551234", "4255551234"),
            ("12", "12"),
            (" 55-12 ", "5512"),
            ("+12", "tel:+12"),
            (
                &*format!("+{}", "9".repeat(20)),
                &*format!("tel:+{}", "9".repeat(20)),
            ),
        ] {
            let call = phone("sip:alice@contoso.com", typed).validate().unwrap();
            assert_eq!(call.phone_number.as_deref(), Some(sent), "{typed}");
            assert_eq!(call.modality, &PHONE_AUDIO);
            assert_eq!(call.start_fields().phone_number, Some(sent));
        }
        assert_eq!(
            CallRequest::to("sip:alice@contoso.com")
                .validate()
                .unwrap()
                .modality,
            &AUDIO_VIDEO
        );
    }

    #[test]
    fn each_kind_of_bad_number_is_named_with_the_limit() {
        let long = "1".repeat(21);
        let plus_long = format!("+{long}");
        for (typed, expected) in [
            ("", "required"),
            ("   ", "required"),
            ("1", "has 1 digit, at least 2"),
            ("+1", "has 1 digit, at least 2"),
            ("+", "has 0 digits, at least 2"),
            ("(-.)", "has 0 digits, at least 2"),
            (long.as_str(), "has 21 digits, the limit is 20"),
            (plus_long.as_str(), "has 21 digits, the limit is 20"),
            ("1425555ABCD", "contains 'A'"),
            ("++14255551234", "a '+' that is not at the start"),
            ("1425+5551234", "a '+' that is not at the start"),
            ("425/555", "contains '/'"),
            ("sip:bob@contoso.com", "contains 's'"),
            ("tel:", "has 0 digits"),
            ("4255\u{7}551234", "control character U+0007"),
        ] {
            let m = messages(&phone("sip:alice@contoso.com", typed));
            assert_eq!(m.len(), 1, "{typed:?}: {m:?}");
            assert!(m[0].starts_with("phoneNumber: "), "{m:?}");
            assert!(m[0].contains(expected), "{typed:?}: {m:?}");
        }
    }

    #[test]
    fn a_call_via_work_callee_may_be_a_tel_number_and_av_fields_are_refused() {
        let call = phone("tel:+1 425 555 9876", "+14255551234")
            .validate()
            .unwrap();
        assert_eq!(call.to, "tel:+14255559876");
        for bad in [
            "tel:4255559876",
            "tel:+1",
            "tel:+1234567890123456",
            "tel:+1425x",
        ] {
            let m = messages(&phone(bad, "+14255551234"));
            assert_eq!(m.len(), 1, "{bad}: {m:?}");
            assert!(m[0].contains("is not a tel:+E164 number"), "{m:?}");
        }
        // An audio/video call still takes only sip:.
        assert!(messages(&CallRequest::to("tel:+14255559876"))[0].starts_with("to: "));
        let mut req = phone("sip:alice@contoso.com", "+14255551234");
        req.session_context = Some("ctx".into());
        req.media_offer = Some("/nonexistent.sdp".into());
        req.join_audio_muted = Some(false);
        req.join_video_muted = Some(true);
        let m = messages(&req);
        let fields: Vec<&str> = m.iter().map(|s| s.split(':').next().unwrap()).collect();
        assert_eq!(
            fields,
            [
                "sessionContext",
                "mediaOffer",
                "joinAudioMuted",
                "joinVideoMuted"
            ]
        );
        assert!(m
            .iter()
            .all(|s| s.contains("does not apply to Call via Work")));
    }

    #[test]
    fn a_contact_written_user_at_host_is_a_sip_uri() {
        let call = CallRequest::to(" alice@contoso.com ").validate().unwrap();
        assert_eq!(call.to, "sip:alice@contoso.com");
        assert_eq!(contact_uri("sip:bob@x.com"), "sip:bob@x.com");
        assert_eq!(contact_uri("bob@x.com:5061"), "sip:bob@x.com:5061");
        assert_eq!(contact_uri("bob"), "bob");
    }

    #[test]
    fn numbers_are_shown_grouped_where_the_plan_is_known() {
        assert_eq!(display_phone("tel:+14255550100"), "+1 425 555 0100");
        assert_eq!(display_phone("tel:+441632960961"), "+441632960961");
        assert_eq!(display_phone("5512"), "5512");
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_limit() {
        let mut req = CallRequest::to("bob");
        req.subject = Some("x".repeat(262));
        req.importance = Some("High".into());
        req.session_context = Some("é".repeat(51));
        req.operation_id = "o".repeat(51);
        req.media_offer = Some("/nonexistent/offer.sdp".into());
        let m = messages(&req);
        assert_eq!(m.len(), 6, "{m:?}");
        assert!(m.contains(&"subject: 262 characters, the limit is 250".to_string()));
        assert!(m.contains(&"sessionContext: 51 characters, the limit is 50".to_string()));
        assert!(m.contains(&"operationId: 51 characters, the limit is 50".to_string()));
        assert!(
            m.contains(&"importance: 'High' is not one of Normal, Urgent, Emergency".to_string())
        );
        assert!(m
            .iter()
            .any(|s| s.starts_with("mediaOffer: cannot read '/nonexistent/offer.sdp'")));
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let mut req = CallRequest::to("sip:alice@contoso.com");
        req.subject = Some("😀".repeat(250));
        req.session_context = Some("é".repeat(50));
        assert!(req.validate().is_ok());
    }

    #[test]
    fn control_characters_are_refused() {
        let mut req = CallRequest::to("sip:alice@contoso.com");
        req.subject = Some("hello\u{7}".into());
        assert_eq!(
            messages(&req),
            ["subject: contains the control character U+0007, which cannot be sent"]
        );
    }

    #[test]
    fn media_offer_must_be_utf8_sdp() {
        let guard = tempfile::tempdir().unwrap();
        let dir = guard.path();
        let good = dir.join("good.sdp");
        std::fs::write(&good, "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n").unwrap();
        let text = dir.join("notes.txt");
        std::fs::write(&text, "hello").unwrap();
        let binary = dir.join("bin.sdp");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        let mut req = CallRequest::to("sip:alice@contoso.com");
        req.media_offer = Some(good);
        let offer = req.validate().unwrap().media_offer.unwrap();
        assert!(offer.body.starts_with("v=0"));
        assert_eq!(offer.media_type, "application/sdp");
        req.media_offer = Some(text);
        assert!(messages(&req)[0].contains("does not look like SDP: it looks like plain text"));
        req.media_offer = Some(binary);
        assert!(messages(&req)[0].contains("is not an SDP offer: it looks like binary data"));
    }

    #[test]
    fn characters_xml_cannot_carry_are_refused_in_every_field() {
        for c in ['\u{fffe}', '\u{ffff}', '\u{1b}'] {
            let mut req = CallRequest::to("sip:alice@contoso.com");
            req.subject = Some(format!("a{c}b"));
            req.thread_id = Some(format!("t{c}"));
            req.session_context = Some(format!("s{c}"));
            let m = messages(&req);
            assert_eq!(m.len(), 3, "{c:?}: {m:?}");
            assert!(
                m.iter().all(|m| m.contains(&format!("U+{:04X}", c as u32))),
                "{m:?}"
            );
        }
    }

    #[test]
    fn to_and_thread_id_have_a_limit() {
        let mut req = CallRequest::to(format!("sip:{}@contoso.com", "a".repeat(300)));
        req.thread_id = Some("t".repeat(257));
        let m = messages(&req);
        assert!(m.iter().any(|m| m.contains("the limit is 256")), "{m:?}");
        assert_eq!(m.len(), 2, "{m:?}");
        let mut req = CallRequest::to("sip:alice@contoso.com");
        req.thread_id = Some("t".repeat(256));
        assert!(req.validate().is_ok());
    }

    #[test]
    fn only_a_regular_file_is_read_and_never_past_the_limit() {
        for device in ["/dev/zero", "/dev/null", "/dev/stdin"] {
            let mut req = CallRequest::to("sip:alice@contoso.com");
            req.media_offer = Some(device.into());
            let m = messages(&req);
            assert!(
                m[0].contains("not a regular file") || m[0].contains("cannot read"),
                "{device}: {m:?}"
            );
        }
        let guard = tempfile::tempdir().unwrap();
        let fifo = guard.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let mut req = CallRequest::to("sip:alice@contoso.com");
            req.media_offer = Some(fifo);
            // Returns at once (a FIFO with no writer would block an open()).
            assert!(messages(&req)[0].contains("not a regular file"));
        }
        let big = guard.path().join("big.sdp");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(2 * 1024 * 1024 * 1024).unwrap(); // sparse: nothing is read
        let mut req = CallRequest::to("sip:alice@contoso.com");
        req.media_offer = Some(big);
        assert!(messages(&req)[0].contains("the limit is 65536"));
    }

    /// The body of a Lync 2013 INVITE: two SDP parts (ICE and the 2007 fallback).
    pub const LYNC_BOUNDARY: &str = "9BCE36B8-2C70-44CA-AAA6-A5B6E7F7D4C2";

    fn lync_body() -> String {
        let sdp = |o: &str| {
            format!(
                "v=0\r\no=- 0 {o} IN IP4 10.0.0.5\r\ns=session\r\nc=IN IP4 10.0.0.5\r\nb=CT:99980\r\nt=0 0\r\nm=audio 50014 RTP/AVP 114 9 0 8 101\r\na=rtpmap:114 x-msrta/16000\r\na=rtpmap:101 telephone-event/8000\r\n"
            )
        };
        format!(
            "--{b}\r\nContent-Type: application/sdp\r\nContent-Transfer-Encoding: 7bit\r\nContent-Disposition: session; handling=optional; ms-proxy-2007fallback\r\n\r\n{}\r\n--{b}\r\nContent-Type: application/sdp\r\nContent-Transfer-Encoding: 7bit\r\nContent-Disposition: session; handling=optional\r\n\r\n{}\r\n--{b}--\r\n",
            sdp("0"),
            sdp("1"),
            b = LYNC_BOUNDARY
        )
    }

    #[test]
    fn a_lync_multipart_offer_is_accepted_with_or_without_its_content_type_line() {
        let body = lync_body();
        let with_header =
            format!("Content-Type: multipart/alternative;boundary={LYNC_BOUNDARY}\r\n\r\n{body}");
        for text in [body.clone(), with_header] {
            let offer = multipart_offer(&text).unwrap().unwrap();
            assert_eq!(
                offer.media_type,
                format!("multipart/alternative;boundary={LYNC_BOUNDARY}")
            );
            assert_eq!(offer.body, body);
        }
    }

    #[test]
    fn a_broken_multipart_offer_says_what_is_wrong() {
        let body = lync_body();
        let cases = [
            (
                body.replace(&format!("--{LYNC_BOUNDARY}--"), ""),
                "is not closed",
            ),
            (
                body.replacen("application/sdp", "text/html", 1),
                "part 1 of the multipart body is text/html",
            ),
            (
                body.replacen("v=0", "x=0", 2).replacen("x=0", "v=0", 1),
                "part 2 of the multipart body is not SDP",
            ),
            (
                "Content-Type: multipart/alternative\r\n\r\n--x\r\n".into(),
                "no boundary",
            ),
        ];
        for (text, expected) in cases {
            let e = multipart_offer(&text).unwrap_err();
            assert!(e.contains(expected), "{expected}: {e}");
        }
        assert_eq!(
            multipart_offer("Content-Type: text/plain\n\nhello").unwrap(),
            None
        );
    }

    #[test]
    fn anything_else_is_named_for_what_it_looks_like() {
        for (bytes, expected) in [
            (&b""[..], "an empty file"),
            (b"  \n", "an empty file"),
            (b"<!DOCTYPE html><html>", "an HTML page"),
            (b"<?xml version=\"1.0\"?><a/>", "XML"),
            (b"{\"sdp\": 1}", "JSON"),
            (b"-----BEGIN CERTIFICATE-----\nMII", "a PEM file"),
            (
                b"INVITE sip:bob@contoso.com SIP/2.0\r\n",
                "a whole SIP message",
            ),
            (
                b"o=- 0 0 IN IP4 1.2.3.4\r\ns=x\r\n",
                "SDP lines without the leading v=0",
            ),
            (b"\x7fELF\x02\x01\x00", "binary data"),
            (b"hello", "plain text"),
        ] {
            assert!(
                looks_like(bytes).starts_with(expected),
                "{expected}: {}",
                looks_like(bytes)
            );
        }
    }

    #[test]
    fn importance_is_read_without_regard_to_case() {
        let mut req = CallRequest::to("sip:alice@contoso.com");
        req.importance = Some("urgent".into());
        assert_eq!(req.validate().unwrap().importance, Some(Importance::Urgent));
    }

    #[test]
    fn a_leading_tilde_is_the_home_directory() {
        let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
            return;
        };
        let home = PathBuf::from(home);
        assert_eq!(expand_home("~/offer.sdp".as_ref()), home.join("offer.sdp"));
        assert_eq!(expand_home("~".as_ref()), home);
        assert_eq!(expand_home("~bob/x".as_ref()), PathBuf::from("~bob/x"));
        assert_eq!(expand_home("/a/~/b".as_ref()), PathBuf::from("/a/~/b"));
    }
}
