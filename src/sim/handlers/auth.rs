//! Sign-in: the bearer check of every UCWA request and the token endpoint.

use axum::body::Body;
use std::time::Duration;

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use tokio::time::Instant;

use crate::sim::http::Ctx;
use crate::sim::ids::random_bytes;
use crate::sim::SimState;
/// The sign-in name behind a valid `Authorization: Bearer cwt=…`, or `None` (answer with
/// the challenge). For UCWA resources an armed `expire_token_once` fires here.
pub(crate) fn authorize(state: &SimState, ctx: &Ctx, ucwa: bool) -> Option<String> {
    let value = ctx.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut inner = state.lock();
    let user = inner.tokens.get(token.trim())?.clone();
    if ucwa && inner.expire_armed {
        inner.expire_armed = false;
        inner.tokens.clear();
        return None;
    }
    Some(user)
}

pub(crate) fn token_error(error: &str) -> Response {
    let mut response = Response::new(Body::from(
        serde_json::json!({ "error": error }).to_string(),
    ));
    *response.status_mut() = StatusCode::BAD_REQUEST;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A refused token request with the `X-Ms-diagnostics` header a real pool sends
/// (PROTOCOL.md §m): `CODE;source="HOST";reason="…"`.
fn diagnosed(error: &str, code: u32, reason: &str, ctx: &Ctx) -> Response {
    let mut r = token_error(error);
    let host = ctx
        .origin
        .split("://")
        .nth(1)
        .unwrap_or("127.0.0.1")
        .split(':')
        .next()
        .unwrap_or("127.0.0.1");
    if let Ok(v) = HeaderValue::from_str(&format!("{code};source=\"{host}\";reason=\"{reason}\"")) {
        r.headers_mut().insert("x-ms-diagnostics", v);
    }
    r
}

/// `429 Too Many Requests` with `Retry-After` (whole seconds, rounded up) and an OAuth
/// error body.
fn throttled(wait: Duration) -> Response {
    let mut r = token_error("temporarily_unavailable");
    *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    r
}

/// `POST /WebTicket/oauthtoken`: the password grant, password `demo`, any user.
pub(crate) fn token(state: &SimState, ctx: &Ctx, body: &[u8]) -> Response {
    if ctx.method != Method::POST {
        let mut r = token_error("invalid_request");
        *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let form = ctx
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|e| {
            e.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return token_error("invalid_request");
    }
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let faults = &state.config().faults;
    let grant = field("grant_type");
    if let (Some(code), Some(_)) = (faults.token_diagnostics, grant) {
        let (error, reason) = crate::sim::faults::token_diagnostics(code);
        return diagnosed(error, code, reason, ctx);
    }
    match grant {
        None => return token_error("invalid_request"),
        Some("password") if faults.no_password_grant => {
            return diagnosed(
                "unsupported_grant_type",
                28029,
                "Authentication type not allowed.",
                ctx,
            )
        }
        Some("urn:microsoft.rtc:windows") if faults.no_password_grant => {
            // The grant it offers, but no Windows credential ever comes over this socket.
            return diagnosed("invalid_grant", 28020, "No valid security token.", ctx);
        }
        Some("password") => {}
        Some(_) => return token_error("unsupported_grant_type"),
    }
    let (Some(user), Some(password)) = (field("username"), field("password")) else {
        return token_error("invalid_request");
    };
    if let Some(wait) = state.lock().token_buckets.take(user, Instant::now()) {
        return throttled(wait);
    }
    if password != "demo" {
        let faults = &state.config().faults;
        if faults.echo_secrets {
            // A server that quotes what it was sent, password included.
            let mut r = token_error(&format!(
                "invalid_grant: the password '{password}' is wrong"
            ));
            if let Ok(v) = HeaderValue::from_str(&format!(
                "40022;reason=\"Wrong password {password} for {user}\""
            )) {
                r.headers_mut().insert("x-ms-diagnostics", v);
            }
            return r;
        }
        return token_error("invalid_grant");
    }
    let token = format!(
        "cwt={}",
        base64::engine::general_purpose::STANDARD.encode(random_bytes::<48>())
    );
    state.lock().tokens.insert(token.clone(), user.to_string());
    let body = serde_json::json!({
        "access_token": token,
        "expires_in": state.config().faults.token_expires_in.unwrap_or(28800),
        "ms_rtc_identityscope": "local",
        "token_type": "Bearer",
    });
    let mut response = Response::new(Body::from(body.to_string()));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
