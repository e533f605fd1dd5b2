//! Phone numbers of Call via Work: the user's own phone (`phoneNumber`), a callee given
//! as `tel:+E164`, and how a number is shown to people.

use super::text::{control_char, control_char_error};
use super::{Field, FieldError, E164_DIGITS_MAX, PHONE_DIGITS_MAX, PHONE_DIGITS_MIN};

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
pub(super) fn check_tel_callee(value: &str) -> Result<String, FieldError> {
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
