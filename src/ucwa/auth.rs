//! Sign-in: the `WWW-Authenticate` challenge (a pure parser), the password grant's
//! request and answer, and the token a 401 makes us fetch again. The client sends the
//! request, so the token endpoint gets the same `Retry-After` handling as UCWA.

use url::Url;

use super::action::Action;
use super::error::UcwaError;
use super::transport::{Transport, WireRequest, WireResponse};
use crate::secret::{Password, Token};

/// What a 401 from the `user` resource (or any UCWA resource) tells us.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Challenge {
    /// The token endpoint, from `MsRtcOAuth href`.
    pub token_url: Option<String>,
    /// Grant types the server accepts, from `MsRtcOAuth grant_type`.
    pub grant_types: Vec<String>,
    /// From the `Bearer` challenge.
    pub trusted_issuers: Option<String>,
    pub client_id: Option<String>,
    /// Azure AD (online) deployments name their authorization endpoint here.
    pub authorization_uri: Option<String>,
}

impl Challenge {
    pub fn accepts_password(&self) -> bool {
        self.grant_types.iter().any(|g| g == "password")
    }
}

/// Parses every `WWW-Authenticate` value of a response into one `Challenge`.
///
/// Accepts both challenges in separate headers or joined by a comma in one, and `href`
/// quoted or bare (the docs print both). Unknown schemes and parameters are ignored.
pub fn parse_challenge<'a>(values: impl IntoIterator<Item = &'a str>) -> Challenge {
    let mut challenge = Challenge::default();
    for value in values {
        let mut scheme = String::new();
        for item in tokenize(value) {
            match item {
                Item::Scheme(s) => scheme = s.to_ascii_lowercase(),
                Item::Param(name, value) => {
                    let name = name.to_ascii_lowercase();
                    match (scheme.as_str(), name.as_str()) {
                        ("msrtcoauth", "href") => challenge.token_url = Some(value),
                        ("msrtcoauth", "grant_type") => {
                            challenge.grant_types = value
                                .split(',')
                                .map(|g| g.trim().to_string())
                                .filter(|g| !g.is_empty())
                                .collect()
                        }
                        ("bearer", "trusted_issuers") => challenge.trusted_issuers = Some(value),
                        ("bearer", "client_id") => challenge.client_id = Some(value),
                        ("bearer", "authorization_uri") => {
                            challenge.authorization_uri = Some(value)
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    challenge
}

enum Item {
    Scheme(String),
    Param(String, String),
}

/// Splits a header value into schemes and `name=value` parameters. A token followed by
/// `=` is a parameter; any other token starts a new challenge.
fn tokenize(value: &str) -> Vec<Item> {
    let chars: Vec<char> = value.chars().collect();
    let mut items = Vec::new();
    let mut i = 0;
    let skip = |i: &mut usize, pred: &dyn Fn(char) -> bool| {
        while *i < chars.len() && pred(chars[*i]) {
            *i += 1;
        }
    };
    while i < chars.len() {
        skip(&mut i, &|c| c.is_whitespace() || c == ',');
        let start = i;
        skip(&mut i, &|c| !(c.is_whitespace() || c == ',' || c == '='));
        let token: String = chars[start..i].iter().collect();
        if token.is_empty() {
            // A stray `=`: step over it so the loop always advances.
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        if j < chars.len() && chars[j] == '=' {
            i = j + 1;
            skip(&mut i, &|c| c.is_whitespace());
            let value = if i < chars.len() && chars[i] == '"' {
                i += 1;
                let mut v = String::new();
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    v.push(chars[i]);
                    i += 1;
                }
                i += 1;
                v
            } else {
                let start = i;
                skip(&mut i, &|c| c != ',' && !c.is_whitespace());
                chars[start..i].iter().collect()
            };
            items.push(Item::Param(token, value));
        } else {
            items.push(Item::Scheme(token));
        }
    }
    items
}

/// The token endpoint's answer.
#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(serde::Deserialize)]
struct TokenError {
    error: String,
}

/// The body of a password-grant request, form-encoded.
pub fn password_grant_body(user: &str, password: &Password) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "password")
        .append_pair("username", user)
        .append_pair("password", password.expose())
        .finish()
        .into_bytes()
}

/// A bearer token and when to renew it.
#[derive(Clone, Debug)]
pub struct Grant {
    pub token: Token,
    pub token_type: String,
    /// When to fetch a new token ahead of its expiry (`renew_at`); `None` when the
    /// lifetime is unknown (a given token): only a 401 renews it.
    pub renew_at: Option<std::time::Instant>,
}

/// A token is renewed this long before it runs out, so no request meets the expiry.
pub const RENEW_BEFORE: std::time::Duration = std::time::Duration::from_secs(60);
/// A token is never renewed ahead of time before it is this old, whatever `expires_in`
/// says (0 or 30 would otherwise mean a token request before every request). A server
/// that really refuses it answers 401, which renews it once for that request.
pub const MIN_TOKEN_AGE: std::time::Duration = std::time::Duration::from_secs(30);

/// When a token issued at `issued` with `expires_in` should be renewed: `RENEW_BEFORE`
/// before it runs out, but never before half its lifetime nor before `MIN_TOKEN_AGE`.
pub fn renew_at(issued: std::time::Instant, expires_in: std::time::Duration) -> std::time::Instant {
    let ahead = expires_in.saturating_sub(RENEW_BEFORE);
    issued + ahead.max(expires_in / 2).max(MIN_TOKEN_AGE)
}

impl Grant {
    /// The `Authorization` header value.
    pub fn authorization(&self) -> String {
        format!("{} {}", self.token_type, self.token.expose())
    }

    /// Whether it is time to fetch a new token ahead of the expiry.
    pub fn expiring(&self, now: std::time::Instant) -> bool {
        self.renew_at.is_some_and(|at| now >= at)
    }
}

/// The password-grant request for the challenge's token endpoint (`MsRtcOAuth href`,
/// resolved against `base`). The password is registered with the transport for scrubbing
/// before it is put in the body.
pub fn token_request(
    transport: &Transport,
    challenge: &Challenge,
    base: &Url,
    user: &str,
    password: &Password,
) -> Result<WireRequest, UcwaError> {
    let action = Action::RequestingToken;
    let href = challenge
        .token_url
        .as_deref()
        .ok_or_else(|| UcwaError::Protocol {
            action,
            detail: "the 401 challenge named no token endpoint (no MsRtcOAuth href)".into(),
        })?;
    if !challenge.grant_types.is_empty() && !challenge.accepts_password() {
        return Err(UcwaError::Protocol {
            action,
            detail: format!(
                "the server does not offer password sign-in (grant types: {})",
                challenge.grant_types.join(", ")
            ),
        });
    }
    let url = base.join(href).map_err(|e| UcwaError::Protocol {
        action,
        detail: format!("bad token endpoint '{href}': {e}"),
    })?;
    transport.set_password(password.expose());
    Ok(WireRequest::new(reqwest::Method::POST, url)
        .header("Accept", "application/json")
        .body(
            "application/x-www-form-urlencoded;charset=UTF-8",
            password_grant_body(user, password),
        ))
}

/// The error a token endpoint's non-2xx answer stands for: the OAuth `error` of a 400
/// (RFC 6749 §5.2), else the status. What the server quotes is scrubbed of secrets.
pub fn token_error(transport: &Transport, response: &WireResponse) -> UcwaError {
    let action = Action::RequestingToken;
    let diagnostics = super::diagnostics::header_of(response).map(|d| transport.scrub_quoted(&d));
    if response.status == 400 {
        if let Ok(e) = serde_json::from_slice::<TokenError>(&response.body) {
            return UcwaError::Token {
                action,
                error: transport.scrub_quoted(&e.error),
                diagnostics,
            };
        }
    }
    UcwaError::Http {
        action,
        status: response.status,
        body: None,
        diagnostics,
        foreign_body: None,
        retry_after: None,
    }
}

/// Reads a token endpoint's answer into a `Grant` (a non-2xx answer is `token_error`).
/// The token is registered with the transport for scrubbing.
pub fn read_token_response(
    transport: &Transport,
    response: &WireResponse,
) -> Result<Grant, UcwaError> {
    let action = Action::RequestingToken;
    if !response.is_success() {
        return Err(token_error(transport, response));
    }
    let parsed: TokenResponse =
        serde_json::from_slice(&response.body).map_err(|e| UcwaError::Parse {
            action,
            source: super::resource::ParseError::new("token response", e.to_string()),
        })?;
    transport.add_token(&parsed.access_token);
    Ok(Grant {
        token: Token::new(parsed.access_token),
        token_type: parsed.token_type.unwrap_or_else(|| "Bearer".into()),
        renew_at: parsed.expires_in.map(|secs| {
            renew_at(
                std::time::Instant::now(),
                std::time::Duration::from_secs(secs),
            )
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: [&str; 2] = [
        r#"Bearer trusted_issuers="00000002-0000-0ff1-ce00-000000000000@contoso.com", client_id="00000004-0000-0ff1-ce00-000000000000""#,
        r#"MsRtcOAuth href="https://lyncweb.contoso.com/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password""#,
    ];

    #[test]
    fn reads_the_two_header_sample() {
        let c = parse_challenge(SAMPLE);
        assert_eq!(
            c.token_url.as_deref(),
            Some("https://lyncweb.contoso.com/WebTicket/oauthtoken")
        );
        assert_eq!(
            c.grant_types,
            [
                "urn:microsoft.rtc:windows",
                "urn:microsoft.rtc:anonmeeting",
                "password"
            ]
        );
        assert_eq!(
            c.client_id.as_deref(),
            Some("00000004-0000-0ff1-ce00-000000000000")
        );
        assert!(c.accepts_password());
    }

    #[test]
    fn reads_one_joined_header_and_a_bare_href() {
        let joined = format!("{}, {}", SAMPLE[0], SAMPLE[1]);
        assert_eq!(parse_challenge([joined.as_str()]), parse_challenge(SAMPLE));
        let bare =
            r#"MsRtcOAuth href=https://contoso.com/WebTicket/oauthtoken,grant_type="password""#;
        let c = parse_challenge([bare]);
        assert_eq!(
            c.token_url.as_deref(),
            Some("https://contoso.com/WebTicket/oauthtoken")
        );
        assert_eq!(c.grant_types, ["password"]);
    }

    #[test]
    fn reads_the_azure_authorization_uri_and_survives_garbage() {
        let c = parse_challenge([
            r#"Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="x""#,
        ]);
        assert_eq!(
            c.authorization_uri.as_deref(),
            Some("https://login.microsoftonline.com/common/oauth2/authorize")
        );
        for garbage in [
            "",
            "=",
            "==,,\"",
            "MsRtcOAuth href=\"unterminated",
            "a=b=c, ,=x",
        ] {
            let _ = parse_challenge([garbage]);
        }
    }

    #[test]
    fn a_token_is_renewed_a_minute_before_it_runs_out_but_never_when_fresh() {
        use std::time::Duration;
        let now = std::time::Instant::now();
        let s = Duration::from_secs;
        assert_eq!(renew_at(now, s(28800)), now + s(28740));
        assert_eq!(renew_at(now, s(100)), now + s(50));
        for short in [0, 1, 30, 59, 60] {
            assert_eq!(renew_at(now, s(short)), now + MIN_TOKEN_AGE, "{short}");
        }
        let grant = |secs: u64| Grant {
            token: Token::new("cwt=x"),
            token_type: "Bearer".into(),
            renew_at: Some(renew_at(now, s(secs))),
        };
        assert!(
            !grant(0).expiring(now),
            "a token just received is not renewed"
        );
        assert!(!grant(30).expiring(now + s(29)));
        assert!(grant(30).expiring(now + s(30)));
        assert!(!grant(28800).expiring(now + s(28739)));
        assert!(grant(28800).expiring(now + s(28740)));
        let given = Grant {
            renew_at: None,
            ..grant(0)
        };
        assert!(
            !given.expiring(now + s(86400)),
            "a given token's lifetime is unknown"
        );
    }

    #[test]
    fn the_password_is_form_encoded() {
        let body = password_grant_body("lenea@contoso.com", &Password::new("p&ss=w rd"));
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "grant_type=password&username=lenea%40contoso.com&password=p%26ss%3Dw+rd"
        );
    }
}
