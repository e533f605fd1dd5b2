//! Secrets that cannot be printed by accident: `Debug` writes `***`, there is no `Display`,
//! and `expose()` is the only way to the value.

use std::fmt;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The secret itself, for the one place that must send it.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(***)"))
            }
        }
    };
}

secret_type!(
    /// The sign-in password (from `AVLAUNCH_PASSWORD` or a prompt, never a flag).
    Password
);
secret_type!(
    /// A bearer token such as `cwt=…` (from `AVLAUNCH_TOKEN` or the token endpoint).
    Token
);

/// Scrubs secrets a server *echoed*: every exact occurrence of one of `secrets` in `text`
/// becomes `***`, then any `cwt=…` token becomes `cwt=***`.
///
/// Only for text the server sent (error messages, `X-Ms-diagnostics`, reasons, error
/// bodies), never for what we send: our own fields (a subject, a sign-in name) are
/// redacted by structure only (`redact_form_fields`, `redact_json_fields`, the
/// Authorization header), so they are never masked because they happen to contain the
/// password's text.
pub fn scrub_echoes(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    let mut secrets: Vec<&str> = secrets.iter().copied().filter(|s| !s.is_empty()).collect();
    // Longest first, so a token is not half-replaced by a shorter secret inside it.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for secret in secrets {
        if out.contains(secret) {
            out = out.replace(secret, "***");
        }
    }
    redact_cwt(&out)
}

/// Form fields whose values are secrets: the password grant's `password`, and the
/// `ms_rtc_renew…` fields some token endpoints use to renew.
pub fn is_secret_form_field(name: &str) -> bool {
    name.eq_ignore_ascii_case("password")
        || name.eq_ignore_ascii_case("refresh_token")
        || name.eq_ignore_ascii_case("client_secret")
        || name.to_ascii_lowercase().starts_with("ms_rtc_renew")
}

/// A form-encoded body with the value of every secret field (`is_secret_form_field`)
/// replaced by `***`; every other field is kept exactly as sent.
pub fn redact_form_fields(body: &str) -> String {
    body.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_secret_form_field(k) => format!("{k}=***"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `cwt=` followed by base64 or URL-safe characters becomes `cwt=***`.
pub fn redact_cwt(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("cwt=") {
        out.push_str(&rest[..pos + 4]);
        rest = &rest[pos + 4..];
        let end = rest
            // `\` too: JSON from .NET servers writes `/` as `\/` inside tokens.
            .find(|c: char| !(c.is_ascii_alphanumeric() || "+/=-_.%\\".contains(c)))
            .unwrap_or(rest.len());
        if end > 0 && !rest[..end].starts_with("***") {
            out.push_str("***");
        } else {
            out.push_str(&rest[..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// JSON members whose string values are secrets, whatever they look like.
pub const SECRET_FIELDS: [&str; 6] = [
    "access_token",
    "refresh_token",
    "id_token",
    "password",
    "client_secret",
    "ms_rtc_renewtoken",
];

/// Replaces the string value of every `"name": "…"` member named in `SECRET_FIELDS` by
/// `***`. Works on text that is not valid JSON too (a cut-off body, say).
pub fn redact_json_fields(text: &str) -> String {
    let mut out = text.to_string();
    for field in SECRET_FIELDS {
        let key = format!("\"{field}\"");
        let mut from = 0;
        while let Some(found) = out[from..].find(&key) {
            let after_key = from + found + key.len();
            let rest = &out[after_key..];
            let trimmed = rest.trim_start();
            let Some(value) = trimmed.strip_prefix(':') else {
                from = after_key;
                continue;
            };
            let value = value.trim_start();
            if !value.starts_with('"') {
                from = after_key;
                continue;
            }
            let start = out.len() - value.len() + 1;
            let mut end = start;
            let bytes = out.as_bytes();
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let end = end.min(out.len());
            out.replace_range(start..end, "***");
            from = start + 3;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        assert_eq!(format!("{:?}", Password::new("hunter2")), "Password(***)");
        assert_eq!(format!("{:?}", Token::new("cwt=AAEB")), "Token(***)");
    }

    #[test]
    fn secret_json_members_are_redacted_whatever_their_shape() {
        let body = r#"{"access_token":"cwt=AAEB\/x+y==","expires_in":28800,"refresh_token" : "abc\"def","token_type":"Bearer"}"#;
        assert_eq!(
            redact_json_fields(body),
            r#"{"access_token":"***","expires_in":28800,"refresh_token" : "***","token_type":"Bearer"}"#
        );
        assert_eq!(
            redact_json_fields(r#"{"access_token":"cut off"#),
            r#"{"access_token":"***"#
        );
        assert_eq!(redact_cwt(r"cwt=AAEB\/xyz rest"), "cwt=*** rest");
    }

    #[test]
    fn echoes_are_scrubbed_by_value_and_tokens_by_shape() {
        let text = "Authorization: Bearer cwt=AAEB+/x==; password=hunter2 cwt= AAEBxyz";
        let out = scrub_echoes(text, &["hunter2", "AAEBxyz", ""]);
        assert_eq!(out, "Authorization: Bearer cwt=***; password=*** cwt= ***");
    }

    #[test]
    fn form_bodies_lose_only_their_secret_fields() {
        assert_eq!(
            redact_form_fields("grant_type=password&username=demo2%40contoso.com&password=demo"),
            "grant_type=password&username=demo2%40contoso.com&password=***"
        );
        assert_eq!(
            redact_form_fields("ms_rtc_renewtoken=x&PASSWORD=y&demo=demo"),
            "ms_rtc_renewtoken=***&PASSWORD=***&demo=demo"
        );
    }
}
