//! Phone numbers as the simulated server reads them (PROTOCOL.md §j "Number formats"):
//! `+digits`, `digits`, `tel:+digits` and `tel:digits;phone-context=…` are accepted and
//! stored as tel URIs; anything else is `400 NormalizationFailed`.

use axum::http::StatusCode;
use axum::response::Response;

use crate::sim::http::Ctx;

/// The tel URI for `number`, or `None` if the server cannot normalize it.
pub fn normalize(number: &str) -> Option<String> {
    let number = number.trim();
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    let tel = number
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("tel:"))
        .map(|_| &number[4..]);
    match tel {
        Some(rest) => {
            if let Some(e164) = rest.strip_prefix('+') {
                digits(e164).then(|| format!("tel:+{e164}"))
            } else {
                let (local, context) = rest.split_once(';')?;
                let (name, value) = context.split_once('=')?;
                let context_ok = name.eq_ignore_ascii_case("phone-context")
                    && !value.is_empty()
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
                (digits(local) && context_ok).then(|| format!("tel:{local};{name}={value}"))
            }
        }
        None => match number.strip_prefix('+') {
            Some(e164) => digits(e164).then(|| format!("tel:+{e164}")),
            None => digits(number).then(|| format!("tel:{number}")),
        },
    }
}

/// `400 BadRequest / NormalizationFailed` naming the field.
pub(crate) fn normalization_failed(ctx: &Ctx, field: &str) -> Response {
    ctx.error(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        Some("NormalizationFailed"),
        &format!("The {field} could not be normalized to a phone number."),
    )
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn accepts_the_four_forms_and_nothing_else() {
        assert_eq!(
            normalize("+14255551234").as_deref(),
            Some("tel:+14255551234")
        );
        assert_eq!(normalize("4255551234").as_deref(), Some("tel:4255551234"));
        assert_eq!(
            normalize("TEL:+14255551234").as_deref(),
            Some("tel:+14255551234")
        );
        assert_eq!(
            normalize("tel:5551234;phone-context=contoso.com").as_deref(),
            Some("tel:5551234;phone-context=contoso.com")
        );
        for bad in [
            "",
            "+",
            "tel:",
            "tel:5551234",
            "tel:+1 425",
            "425-555-1234",
            "sip:alice@contoso.com",
            "+1425555123a",
            "tel:555;phone-context=",
            "tel:555;foo=bar",
            "12345678901234567890123",
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }
}
