//! `UcwaError`: what was being done, what the server or network said, and what it means
//! in plain words. Server, transport and parse errors stay separate variants.

use std::fmt;
use std::sync::Arc;

use super::action::Action;
use super::resource::{ErrorBody, ParseError};

/// The transport's error behind a `UcwaError::Transport`, shared so the error stays
/// `Clone`. Displays and chains as the wrapped error; two are equal when they read the same.
#[derive(Debug, Clone)]
pub struct TransportSource(Arc<dyn std::error::Error + Send + Sync>);

impl TransportSource {
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        TransportSource(Arc::new(error))
    }

    /// The wrapped error, to downcast (to `reqwest::Error`, say).
    pub fn get(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl fmt::Display for TransportSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TransportSource {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for TransportSource {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

impl Eq for TransportSource {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UcwaError {
    /// The server answered with an HTTP error.
    #[error("{action}: {}{}", explain_http(*.status, .body.as_ref()), .retry_after.as_deref().map(|n| format!("; {n}")).unwrap_or_default())]
    Http {
        action: Action,
        status: u16,
        /// The UCWA error body, when UCWA itself answered (JSON or XML).
        body: Option<ErrorBody>,
        /// `X-Ms-diagnostics`, shown but never interpreted.
        diagnostics: Option<String>,
        /// Set when the body was not a UCWA body (an HTML page from a proxy, say).
        foreign_body: Option<String>,
        /// Set when the server asked (`Retry-After`) to wait longer than allowed: says how
        /// long it asked and what the limit was.
        retry_after: Option<String>,
    },
    /// The token endpoint refused the credentials or the grant.
    #[error("{action}: {}", explain_token_error(.error))]
    Token {
        action: Action,
        error: String,
        /// `X-Ms-diagnostics` of the refusal, shown but never interpreted.
        diagnostics: Option<String>,
    },
    /// No answer: connection refused, reset, timed out, TLS failure. `detail` is the text
    /// users read; `source` the transport's own error (reqwest, itself wrapping the io or
    /// TLS error), kept for `Error::source` chains, without its URL.
    #[error("{action}: {detail}")]
    Transport {
        action: Action,
        detail: String,
        #[source]
        source: Option<TransportSource>,
    },
    /// An answer this client cannot read.
    #[error("{action}: {source}")]
    Parse {
        action: Action,
        #[source]
        source: ParseError,
    },
    /// An answer that breaks the protocol (a missing link, a redirect loop, …).
    #[error("{action}: {detail}")]
    Protocol { action: Action, detail: String },
    /// The deployment offers no `startAudioVideo` link to this application.
    #[error("audio/video calls are not offered: this account or server gives the application no startAudioVideo link (checked the application and its communication resource); avlaunch never builds that URL itself")]
    NotOffered,
    /// A URL this client refuses to use (plain http to a non-loopback host).
    #[error("{0}")]
    Refused(String),
}

impl UcwaError {
    pub fn status(&self) -> Option<u16> {
        match self {
            UcwaError::Http { status, .. } => Some(*status),
            UcwaError::Token { .. } => Some(400),
            _ => None,
        }
    }

    pub fn body(&self) -> Option<&ErrorBody> {
        match self {
            UcwaError::Http { body, .. } => body.as_ref(),
            _ => None,
        }
    }

    /// The decoded `X-Ms-diagnostics` of the answer, if it carried one (PROTOCOL.md §m).
    pub fn diagnostics(&self) -> Vec<super::diagnostics::Diagnostic> {
        match self {
            UcwaError::Http {
                diagnostics: Some(d),
                ..
            }
            | UcwaError::Token {
                diagnostics: Some(d),
                ..
            } => super::diagnostics::parse(d),
            _ => Vec::new(),
        }
    }

    /// The server's `subcode`, if it gave one.
    pub fn subcode(&self) -> Option<&str> {
        self.body().and_then(|b| b.subcode.as_deref())
    }

    /// 404 ApplicationNotFound: the server no longer knows the application.
    pub fn is_application_not_found(&self) -> bool {
        matches!(self, UcwaError::Http { status: 404, body: Some(b), .. }
            if b.subcode.as_deref() == Some("ApplicationNotFound"))
    }

    /// The application is gone: not found, or expired/refused (410).
    pub fn is_application_gone(&self) -> bool {
        matches!(self, UcwaError::Http { status: 404, body: Some(b), .. }
            if b.subcode.as_deref() == Some("ApplicationNotFound"))
            || matches!(self, UcwaError::Http { status: 410, .. })
    }
}

fn explain_token_error(error: &str) -> String {
    let words = match error {
        "invalid_grant" => "sign-in refused: wrong user name or password",
        "unsupported_grant_type" => "sign-in refused: the server does not accept password sign-in",
        "invalid_request" => "sign-in refused: the token request was incomplete",
        "invalid_scope" => "sign-in refused: the requested scope is not allowed",
        "server_error" => "sign-in failed: the token service had an internal error",
        _ => "sign-in refused",
    };
    format!("{words} ({error})")
}

/// Plain words for a synchronous UCWA error, with status, code and subcode kept.
pub fn explain_http(status: u16, body: Option<&ErrorBody>) -> String {
    let code = body.map(|b| b.code.as_str()).unwrap_or("");
    let subcode = body.and_then(|b| b.subcode.as_deref()).unwrap_or("");
    let words = explain(status, code, subcode);
    let mut out = format!("{words} ({status}");
    if !code.is_empty() {
        out.push(' ');
        out.push_str(code);
        out.push('/');
        out.push_str(if subcode.is_empty() { "None" } else { subcode });
    }
    out.push(')');
    if let Some(message) = body.and_then(|b| b.message.as_deref()) {
        out.push_str(": ");
        out.push_str(message);
    }
    if let Some(body) = body.filter(|b| !b.parameters.is_empty()) {
        let params: Vec<String> = body
            .parameters
            .iter()
            .map(|(n, r)| format!("{n} {r}"))
            .collect();
        out.push_str(&format!(" [invalid: {}]", params.join(", ")));
    }
    out
}

/// What a status/code/subcode means, in plain words. Unknown subcodes fall back to the
/// code, then to the status.
pub fn explain(status: u16, code: &str, subcode: &str) -> &'static str {
    match (status, subcode) {
        (500, "CallbackChannelError") => {
            return "the server cannot deliver call events (its callback/event channel is unreachable)"
        }
        (409, "AlreadyExists") => {
            return "the server says this already exists (a reused operation id or thread id?)"
        }
        (409, "TooManyGroups") => return "the server refused: too many groups",
        (409, "PGetReplaced") => return "another request replaced this event-channel poll",
        (409, "MakeMeAvailableRequired") => return "the server wants makeMeAvailable first",
        (409, "") | (409, "None") => return "not supported by this server (service, resource or API)",
        (410, "CannotRedirect") => {
            return "the server cannot redirect the request: no backup pool is configured"
        }
        (410, "InactiveApplicationExpired") => return "the application expired after inactivity",
        (410, "TooManyApplications") => return "this user has too many applications running",
        (410, "UserAgentNotAllowed") => return "the server does not allow this client (user agent)",
        (404, "ApplicationNotFound") => return "the application no longer exists on the server",
        (404, "APIVersionNotSupported") => return "the server does not support this API version",
        (400, "ParameterValidationFailure") => return "the server rejected a parameter",
        (400, "DeserializationFailure") => return "the server could not read the request body",
        _ => {}
    }
    match (status, code) {
        (400, _) => "the server rejected the request as malformed",
        (401, _) => "not signed in, or the token was refused",
        (403, _) => "the server forbids this for this account",
        (404, _) => "not found on the server",
        (405, _) => "the server does not allow this method here",
        (408, _) => "the server timed out waiting for the request",
        (409, _) => "the server reported a conflict",
        (410, _) => "gone from the server",
        (412, _) => "a precondition failed",
        (413, _) => "the request was too large for the server",
        (415, _) => "the server does not accept this content type",
        (428, _) => "the server requires a precondition",
        (429, _) => "the server says too many requests",
        (500, _) => "the server had an internal failure",
        (502, _) => "a proxy or gateway in front of the server failed",
        (503, _) => "the server is unavailable",
        (504, _) => "the server timed out",
        _ => "the server refused the request",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &str, subcode: Option<&str>) -> ErrorBody {
        ErrorBody {
            code: code.into(),
            subcode: subcode.map(Into::into),
            message: Some("msg".into()),
            ..Default::default()
        }
    }

    #[test]
    fn every_seed_error_is_explained_with_code_and_subcode() {
        let cases = [
            (
                500,
                "ServiceFailure",
                Some("CallbackChannelError"),
                "cannot deliver call events",
            ),
            (409, "Conflict", Some("AlreadyExists"), "already exists"),
            (409, "Conflict", Some("TooManyGroups"), "too many groups"),
            (409, "Conflict", None, "not supported by this server"),
            (410, "Gone", Some("CannotRedirect"), "no backup pool"),
        ];
        for (status, code, subcode, words) in cases {
            let text = explain_http(status, Some(&body(code, subcode)));
            assert!(text.contains(words), "{text}");
            assert!(
                text.contains(&format!("({status} {code}/{}", subcode.unwrap_or("None"))),
                "{text}"
            );
            assert!(text.ends_with(": msg"), "{text}");
        }
    }

    #[test]
    fn unknown_subcodes_fall_back_to_the_status() {
        let text = explain_http(409, Some(&body("Conflict", Some("BrandNew"))));
        assert!(
            text.starts_with("the server reported a conflict (409 Conflict/BrandNew)"),
            "{text}"
        );
        assert_eq!(
            explain_http(502, None),
            "a proxy or gateway in front of the server failed (502)"
        );
    }
}
