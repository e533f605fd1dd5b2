//! The callee (`to`): `user@host` taken as `sip:user@host`, and the SIP URI rule. A
//! Call via Work callee may also be a `tel:` number (`phone.rs`).

use std::borrow::Cow;

use super::text::check_length;
use super::{Field, FieldError, TO_MAX};

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

/// `contact_uri` without a copy when nothing changes: `user@host` becomes `sip:user@host`.
pub fn with_sip_scheme(value: &str) -> Cow<'_, str> {
    let trimmed = value.trim();
    let uri = contact_uri(trimmed);
    if uri == trimmed {
        Cow::Borrowed(trimmed)
    } else {
        Cow::Owned(uri)
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
