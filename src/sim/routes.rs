//! The HTTP side: one handler that records the request, checks what UCWA would check
//! (size, Authorization, method, content type, field limits) and answers in the format the
//! `Accept` header asks for. Every UCWA error is a UCWA error body, never an axum default.
//!
//! Paths are matched here rather than with axum routes so that an unknown path is a UCWA
//! `404 NotFound` and a known path with the wrong method a UCWA `405`, both in the
//! client's format, and so that matching ignores case as IIS does.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use tokio::time::Instant;

use super::directory::{self, Scenario};
use super::faults::{Faults, ForeignLink, SimStep, HOSTILE_TEXT};
use super::resources as res;
use super::scenario::{self, Failure};
use super::state::{App, Call, InvitationState, Media, Poll, Wake, APPLICATIONS};
use super::{SeenRequest, SimState};
use crate::ucwa::resource::{
    ErrorBody, Event, EventKind, EventsPage, Input, Link, Resource, Sender, Value,
};
use crate::ucwa::Format;

/// Bodies above this get `413 EntityTooLarge`.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: SimState) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(state)
}

async fn handle(State(state): State<SimState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let bytes = if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        None
    } else {
        axum::body::to_bytes(body, BODY_LIMIT).await.ok()
    };
    let header_text = |name| {
        headers
            .get(name)
            .map(|v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let content_type = header_text(header::CONTENT_TYPE);
    let body_text = bytes
        .as_deref()
        .map(|b| redact_form(&String::from_utf8_lossy(b)))
        .unwrap_or_default();
    let seen = state.record(SeenRequest {
        method: parts.method.to_string(),
        path_and_query: parts.uri.path_and_query().map_or_else(
            || parts.uri.path().to_string(),
            |pq| pq.as_str().to_string(),
        ),
        authorization: headers.contains_key(header::AUTHORIZATION),
        content_type,
        accept: header_text(header::ACCEPT),
        body: body_text,
        status: 0,
    });
    let ctx = Ctx::new(&state, &parts.method, headers, parts.uri.query());
    let response = match bytes {
        None => ctx.error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "EntityTooLarge",
            None,
            "The request body is larger than 64 KiB.",
        ),
        Some(body) => dispatch(&state, &ctx, parts.uri.path(), &body).await,
    };
    state.set_status(seen, response.status().as_u16());
    // The `sim` command's log; bodies stay out of it (they may hold tokens).
    tracing::info!(
        method = %parts.method,
        path = parts.uri.path(),
        status = response.status().as_u16(),
        "sim request"
    );
    response
}

/// Replaces the value of every `password` field of a form body by `***`.
fn redact_form(body: &str) -> String {
    body.split('&')
        .map(|pair| {
            let key = pair.split('=').next().unwrap_or_default();
            let decoded: String = url::form_urlencoded::parse(key.as_bytes())
                .map(|(k, _)| k.into_owned())
                .collect();
            if decoded.eq_ignore_ascii_case("password") {
                format!("{key}=***")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// What every answer needs to know about its request.
struct Ctx {
    method: Method,
    headers: HeaderMap,
    query: Vec<(String, String)>,
    /// `http://host:port` for absolute links.
    origin: String,
    /// The response format and the media type to label it with.
    format: Format,
    media_type: String,
    /// For the switches that rewrite what is sent (`foreign-link`, `hostile-text`).
    faults: Faults,
}

impl Ctx {
    fn new(state: &SimState, method: &Method, headers: &HeaderMap, query: Option<&str>) -> Ctx {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.len() < 256
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            });
        let origin = host.map_or_else(|| state.origin().to_string(), |h| format!("http://{h}"));
        let (format, media_type) = negotiate(headers.get(header::ACCEPT));
        Ctx {
            method: method.clone(),
            headers: headers.clone(),
            query: url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            origin,
            format,
            media_type,
            faults: state.config().faults.clone(),
        }
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn body(&self, status: StatusCode, bytes: Vec<u8>) -> Response {
        let mut response = Response::new(Body::from(bytes));
        *response.status_mut() = status;
        if let Ok(v) = HeaderValue::from_str(&format!("{}; charset=utf-8", self.media_type)) {
            response.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        response
    }

    fn resource(&self, status: StatusCode, resource: &Resource) -> Response {
        self.body(status, self.resource_bytes(resource))
    }

    /// A resource in the answer's format, its links moved under `foreign-link`.
    fn resource_bytes(&self, resource: &Resource) -> Vec<u8> {
        match &self.faults.foreign_link {
            Some(link) => {
                let mut resource = resource.clone();
                foreign_resource(&mut resource, link);
                self.format.write_resource(&resource)
            }
            None => self.format.write_resource(resource),
        }
    }

    fn events(&self, page: &EventsPage) -> Response {
        if self.faults.foreign_link.is_none() && !self.faults.hostile_text {
            return self.body(StatusCode::OK, self.format.write_events(page));
        }
        let mut page = page.clone();
        if let Some(link) = &self.faults.foreign_link {
            let swap = |href: &mut Option<String>, rel: &str| {
                if let Some(h) = href.as_mut().filter(|_| link.applies(rel)) {
                    *h = foreign_href(h, link);
                }
            };
            swap(&mut page.next, "next");
            swap(&mut page.resync, "resync");
            swap(&mut page.resume, "resume");
        }
        for sender in &mut page.senders {
            for event in &mut sender.events {
                if let Some(link) = &self.faults.foreign_link {
                    if link.applies(&event.link.rel) {
                        event.link.href = foreign_href(&event.link.href, link);
                    }
                    if let Some(embedded) = &mut event.embedded {
                        foreign_resource(embedded, link);
                    }
                }
                if let Some(reason) = event.reason.as_mut().filter(|_| self.faults.hostile_text) {
                    hostile(reason, self.format);
                }
            }
        }
        self.body(StatusCode::OK, self.format.write_events(&page))
    }

    fn error_body(&self, status: StatusCode, error: &ErrorBody) -> Response {
        if self.faults.hostile_text {
            let mut error = error.clone();
            hostile(&mut error, self.format);
            return self.body(status, self.format.write_error(&error));
        }
        self.body(status, self.format.write_error(error))
    }

    /// A `Location` value: the path, or the path on the foreign origin under
    /// `foreign-link=location@…`.
    fn location(&self, path: &str) -> Option<HeaderValue> {
        let value = match &self.faults.foreign_link {
            Some(link) if link.applies("location") => foreign_href(path, link),
            _ => path.to_string(),
        };
        HeaderValue::from_str(&value).ok()
    }

    fn error(
        &self,
        status: StatusCode,
        code: &str,
        subcode: Option<&str>,
        message: &str,
    ) -> Response {
        self.error_body(
            status,
            &ErrorBody {
                code: code.into(),
                subcode: subcode.map(Into::into),
                message: Some(message.into()),
                ..Default::default()
            },
        )
    }

    fn not_found(&self) -> Response {
        self.error(
            StatusCode::NOT_FOUND,
            "NotFound",
            None,
            "The requested resource could not be found.",
        )
    }

    fn application_not_found(&self) -> Response {
        self.error(
            StatusCode::NOT_FOUND,
            "NotFound",
            Some("ApplicationNotFound"),
            "The application does not exist.",
        )
    }

    fn method_not_allowed(&self, allowed: &[Method]) -> Response {
        let mut response = self.error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            None,
            &format!("{} is not allowed on this resource.", self.method),
        );
        let allow = allowed
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        if let Ok(v) = HeaderValue::from_str(&allow) {
            response.headers_mut().insert(header::ALLOW, v);
        }
        response
    }

    fn invalid(&self, problems: Vec<Problem>) -> Response {
        let message = problems
            .iter()
            .map(|p| p.detail.clone())
            .collect::<Vec<_>>()
            .join("; ");
        self.error_body(
            StatusCode::BAD_REQUEST,
            &ErrorBody {
                code: "BadRequest".into(),
                subcode: Some("ParameterValidationFailure".into()),
                message: Some(message),
                parameters: problems
                    .into_iter()
                    .map(|p| (p.name.to_string(), p.reason.to_string()))
                    .collect(),
                ..Default::default()
            },
        )
    }

    /// The 401 challenge of samples/user-unauthenticated-401.http: an HTML page and two
    /// `WWW-Authenticate` headers, the `MsRtcOAuth` one in the quoted form.
    fn challenge(&self) -> Response {
        self.challenge_from(&self.origin)
    }

    /// The challenge of a UCWA resource (after sign-in): under `foreign-link=token@…` its
    /// token endpoint is on the foreign origin.
    fn ucwa_challenge(&self) -> Response {
        match &self.faults.foreign_link {
            Some(link) if link.applies("token") => self.challenge_from(&link.origin),
            _ => self.challenge(),
        }
    }

    fn challenge_from(&self, token_origin: &str) -> Response {
        let mut response = Response::new(Body::from(
            "<html><head><title>401 - Unauthorized</title></head>\
             <body><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1>\
             </body></html>",
        ));
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        h.append(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(
                "Bearer trusted_issuers=\"00000002-0000-0ff1-ce00-000000000000@contoso.com\", \
                 client_id=\"00000004-0000-0ff1-ce00-000000000000\"",
            ),
        );
        let oauth = format!(
            "MsRtcOAuth href=\"{}{}\",grant_type=\"urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password\"",
            token_origin,
            res::TOKEN
        );
        if let Ok(v) = HeaderValue::from_str(&oauth) {
            h.append(header::WWW_AUTHENTICATE, v);
        }
        response
    }

    /// Reads a UCWA input body in the format its `Content-Type` names. An empty body is
    /// an empty input.
    fn input(&self, body: &[u8]) -> Result<Input, Box<Response>> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Input::default());
        }
        let content_type = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let Some(format) = content_type.and_then(Format::from_media_type) else {
            return Err(Box::new(self.error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                None,
                &format!(
                    "The content type '{}' is not supported: send application/json or application/xml.",
                    content_type.unwrap_or("(none)")
                ),
            )));
        };
        format.read_input(body).map_err(|e| {
            Box::new(self.error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                Some("DeserializationFailure"),
                &format!("The body is not valid {}: {e}", format.name()),
            ))
        })
    }
}

/// `href` on the foreign origin (relative hrefs only; absolute ones stay).
fn foreign_href(href: &str, link: &ForeignLink) -> String {
    if href.starts_with('/') {
        format!("{}{href}", link.origin)
    } else {
        href.to_string()
    }
}

/// Moves every link of the configured kind (and, for `self`, the application's own href)
/// to the foreign origin, embedded resources included.
fn foreign_resource(resource: &mut Resource, link: &ForeignLink) {
    if link.applies("self") && resource.rel == "application" {
        if let Some(href) = &mut resource.href {
            *href = foreign_href(href, link);
        }
    }
    for l in &mut resource.links {
        if link.applies(&l.rel) {
            l.href = foreign_href(&l.href, link);
        }
    }
    for embedded in &mut resource.embedded {
        foreign_resource(embedded, link);
    }
}

/// `hostile-text`: control sequences in the message and subcode of an error or reason. In
/// XML only those XML can carry (CR, C1 controls, bidi characters; not ESC or BEL).
fn hostile(error: &mut ErrorBody, format: Format) {
    let keep = |text: String| match format {
        Format::Xml => text
            .chars()
            .filter(|c| crate::ucwa::xml::is_xml_char(*c))
            .collect(),
        _ => text,
    };
    let message = error.message.take().unwrap_or_default();
    error.message = Some(keep(format!("{message}{HOSTILE_TEXT}")));
    let subcode = error.subcode.take().unwrap_or_else(|| "None".into());
    error.subcode = Some(keep(format!("{subcode}\u{1b}[31m\u{9b}1m")));
}

/// The response format from `Accept`: the first entry naming JSON or XML; JSON if none.
fn negotiate(accept: Option<&HeaderValue>) -> (Format, String) {
    let accept = accept.and_then(|v| v.to_str().ok()).unwrap_or_default();
    accept
        .split(',')
        .find_map(|entry| {
            let format = Format::from_media_type(entry)?;
            let essence = entry.split(';').next()?.trim().to_ascii_lowercase();
            Some((format, essence))
        })
        .unwrap_or((Format::Json, "application/json".to_string()))
}

fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// `APPLICATIONS` as lowercase segments.
const APP_PREFIX: [&str; 4] = ["ucwa", "oauth", "v1", "applications"];

/// A request target, matched without regard to case.
#[derive(Debug, PartialEq)]
enum Route {
    /// `GET /`.
    Discovery,
    /// The root path itself.
    Root,
    /// `/redirect-root`: a root whose only link is `redirect`.
    RedirectRoot,
    /// `/redirect-pool`: where `user-redirect` sends the user; names the home pool's user.
    RedirectPool,
    XFrame,
    User,
    Token,
    Applications,
    App(u64, AppRoute),
    Unknown,
}

#[derive(Debug, PartialEq)]
enum AppRoute {
    Application,
    Events,
    Communication,
    StartAudioVideo,
    Me,
    People,
    OnlineMeetings,
    Invitation(String),
    Cancel(String),
    Conversation(String),
    AudioVideo(String),
    StopAudioVideo(String),
    Unknown,
}

impl Route {
    fn parse(path: &str) -> Route {
        let lower = path.to_ascii_lowercase();
        let segs: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
        let app_prefix = APP_PREFIX;
        match segs.as_slice() {
            [] => Route::Discovery,
            ["redirect-root"] => Route::RedirectRoot,
            ["redirect-pool"] => Route::RedirectPool,
            ["pool2", "autodiscover", "autodiscoverservice.svc", "root", "oauth", "user"] => {
                Route::User
            }
            ["autodiscover", "autodiscoverservice.svc", "root"] => Route::Root,
            ["autodiscover", "autodiscoverservice.svc", "root", "oauth", "user"] => Route::User,
            ["autodiscover", "xframe", "xframe.html"] => Route::XFrame,
            ["webticket", "oauthtoken"] => Route::Token,
            s if s == app_prefix.as_slice() => Route::Applications,
            s if s.len() > app_prefix.len() && s[..app_prefix.len()] == app_prefix[..] => {
                let rest = &s[app_prefix.len()..];
                match rest[0].parse::<u64>() {
                    Ok(id) => Route::App(id, AppRoute::parse(&rest[1..])),
                    Err(_) => Route::Unknown,
                }
            }
            _ => Route::Unknown,
        }
    }

    /// The step a `stall` fault can hold.
    fn step(&self, method: &Method) -> Option<SimStep> {
        Some(match self {
            Route::Discovery | Route::Root | Route::RedirectRoot => SimStep::Root,
            Route::User | Route::RedirectPool => SimStep::User,
            Route::Token => SimStep::Token,
            Route::Applications => SimStep::Application,
            Route::App(_, AppRoute::Events) => SimStep::Events,
            Route::App(_, AppRoute::StartAudioVideo) => SimStep::StartAudioVideo,
            Route::App(_, AppRoute::Cancel(_)) => SimStep::Cancel,
            Route::App(_, AppRoute::StopAudioVideo(_)) => SimStep::HangUp,
            Route::App(_, AppRoute::Conversation(_)) if method == Method::DELETE => SimStep::HangUp,
            Route::App(_, AppRoute::Application) if method == Method::DELETE => SimStep::Delete,
            _ => return None,
        })
    }
}

impl AppRoute {
    fn parse(rest: &[&str]) -> AppRoute {
        let id = |s: &str| s.to_string();
        match rest {
            [] => AppRoute::Application,
            ["events"] => AppRoute::Events,
            ["communication"] => AppRoute::Communication,
            ["communication", "startaudiovideo"] => AppRoute::StartAudioVideo,
            ["me"] => AppRoute::Me,
            ["people"] => AppRoute::People,
            ["onlinemeetings"] => AppRoute::OnlineMeetings,
            ["communication", "audiovideoinvitations", inv] => AppRoute::Invitation(id(inv)),
            ["communication", "audiovideoinvitations", inv, "cancel"] => AppRoute::Cancel(id(inv)),
            ["communication", "conversations", c] => AppRoute::Conversation(id(c)),
            ["communication", "conversations", c, "audiovideo"] => AppRoute::AudioVideo(id(c)),
            ["communication", "conversations", c, "audiovideo", "stopaudiovideo"] => {
                AppRoute::StopAudioVideo(id(c))
            }
            _ => AppRoute::Unknown,
        }
    }

    fn methods(&self) -> &'static [Method] {
        match self {
            AppRoute::Application | AppRoute::Conversation(_) => &[Method::GET, Method::DELETE],
            AppRoute::StartAudioVideo | AppRoute::Cancel(_) | AppRoute::StopAudioVideo(_) => {
                &[Method::POST]
            }
            _ => &[Method::GET],
        }
    }
}

async fn dispatch(state: &SimState, ctx: &Ctx, path: &str, body: &Bytes) -> Response {
    let route = Route::parse(path);
    let faults = &state.config().faults;
    if let Some(delay) = route.step(&ctx.method).and_then(|s| faults.stall_for(s)) {
        state.sleep(delay).await;
    }
    let get_only = |answer: &dyn Fn() -> Response| {
        if ctx.method == Method::GET {
            answer()
        } else {
            ctx.method_not_allowed(&[Method::GET])
        }
    };
    match route {
        Route::Discovery => get_only(&|| {
            let redirect = faults.redirect_loop
                || (faults.redirect_root && state.lock().fire_once("redirect-root"));
            root_answer(ctx, redirect)
        }),
        Route::Root => get_only(&|| root_answer(ctx, faults.redirect_loop)),
        Route::RedirectRoot => get_only(&|| root_answer(ctx, true)),
        Route::XFrame => get_only(&|| {
            let mut r = Response::new(Body::from("<html><body></body></html>"));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            r
        }),
        Route::User => get_only(&|| match authorize(state, ctx, false) {
            Some(_) if faults.user_redirect && state.lock().fire_once("user-redirect") => {
                ctx.resource(StatusCode::OK, &res::user_redirect(&ctx.origin))
            }
            Some(_) => ctx.resource(StatusCode::OK, &res::user(&ctx.origin)),
            None => ctx.challenge(),
        }),
        Route::RedirectPool => get_only(&|| match authorize(state, ctx, false) {
            Some(_) => ctx.resource(StatusCode::OK, &res::redirect_pool(&ctx.origin)),
            None => ctx.challenge(),
        }),
        Route::Token => token(state, ctx, body),
        Route::Applications => {
            let Some(user) = authorize(state, ctx, true) else {
                return ctx.ucwa_challenge();
            };
            if ctx.method != Method::POST {
                return ctx.method_not_allowed(&[Method::POST]);
            }
            create_application(state, ctx, &user, body)
        }
        Route::App(id, sub) => {
            if authorize(state, ctx, true).is_none() {
                return ctx.ucwa_challenge();
            }
            if !state.lock().apps.contains_key(&id) {
                return ctx.application_not_found();
            }
            if sub == AppRoute::Unknown {
                return ctx.not_found();
            }
            if !sub.methods().contains(&ctx.method) {
                return ctx.method_not_allowed(sub.methods());
            }
            app_route(state, ctx, id, sub, body).await
        }
        Route::Unknown => ctx.not_found(),
    }
}

fn root_answer(ctx: &Ctx, redirect: bool) -> Response {
    let resource = if redirect {
        res::redirect(format!("{}{}", ctx.origin, res::ROOT))
    } else {
        res::root(&ctx.origin)
    };
    ctx.resource(StatusCode::OK, &resource)
}

/// The sign-in name behind a valid `Authorization: Bearer cwt=…`, or `None` (answer with
/// the challenge). For UCWA resources an armed `expire_token_once` fires here.
fn authorize(state: &SimState, ctx: &Ctx, ucwa: bool) -> Option<String> {
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

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    if getrandom::getrandom(&mut buf).is_err() {
        // No OS randomness: ids only need to be unique within this process.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (nanos >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    buf
}

/// A fresh 32-hex id.
fn hex_id() -> String {
    random_bytes::<16>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn token_error(error: &str) -> Response {
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

/// `POST /WebTicket/oauthtoken`: the password grant, password `demo`, any user.
fn token(state: &SimState, ctx: &Ctx, body: &[u8]) -> Response {
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
    match field("grant_type") {
        None => return token_error("invalid_request"),
        Some("password") => {}
        Some(_) => return token_error("unsupported_grant_type"),
    }
    let (Some(user), Some(password)) = (field("username"), field("password")) else {
        return token_error("invalid_request");
    };
    if let Some(code) = state.config().faults.token_diagnostics {
        let (error, header) = super::faults::token_diagnostics(code);
        let mut r = token_error(error);
        if let Ok(v) = HeaderValue::from_str(&header) {
            r.headers_mut().insert("x-ms-diagnostics", v);
        }
        return r;
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

/// One invalid input property.
struct Problem {
    name: &'static str,
    reason: &'static str,
    detail: String,
}

impl Problem {
    fn missing(name: &'static str) -> Problem {
        Problem {
            name,
            reason: "Missing",
            detail: format!("{name}: required"),
        }
    }

    fn invalid(name: &'static str, detail: String) -> Problem {
        Problem {
            name,
            reason: "Invalid",
            detail: format!("{name}: {detail}"),
        }
    }
}

/// A text property: absent or null is `None`; numbers count as text (XML has only text).
fn text_field(
    input: &Input,
    name: &'static str,
    limit: Option<usize>,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let text = match input.property(name)? {
        Value::Null => return None,
        Value::Text(s) | Value::Number(s) => s.clone(),
        _ => {
            problems.push(Problem::invalid(name, "expected a string".into()));
            return None;
        }
    };
    let count = text.chars().count();
    match limit {
        Some(limit) if count > limit => {
            problems.push(Problem::invalid(
                name,
                format!("{count} characters, the limit is {limit}"),
            ));
            None
        }
        _ => Some(text),
    }
}

fn required(
    input: &Input,
    name: &'static str,
    limit: Option<usize>,
    problems: &mut Vec<Problem>,
) -> String {
    let before = problems.len();
    match text_field(input, name, limit, problems) {
        Some(s) if !s.trim().is_empty() => s,
        _ => {
            if problems.len() == before {
                problems.push(Problem::missing(name));
            }
            String::new()
        }
    }
}

fn create_application(state: &SimState, ctx: &Ctx, user: &str, body: &[u8]) -> Response {
    let faults = &state.config().faults;
    if faults.proxy_502_html && state.lock().fire_once("proxy-502-html") {
        let mut r = Response::new(Body::from(
            "<html><head><title>502 Bad Gateway</title></head>\
             <body><h1>502 Bad Gateway</h1><p>The proxy server received an invalid response \
             from an upstream server.</p></body></html>",
        ));
        *r.status_mut() = StatusCode::BAD_GATEWAY;
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        return r;
    }
    let input = match ctx.input(body) {
        Ok(input) => input,
        Err(response) => return *response,
    };
    let mut problems = Vec::new();
    let culture = required(&input, "culture", Some(100), &mut problems);
    let endpoint_id = required(&input, "endpointId", Some(100), &mut problems);
    let user_agent = required(&input, "userAgent", Some(100), &mut problems);
    let instance_id = text_field(&input, "instanceId", Some(100), &mut problems);
    if !problems.is_empty() {
        return ctx.invalid(problems);
    }
    let mut inner = state.lock();
    let id = inner.next_app;
    inner.next_app += 1;
    let app = App {
        id,
        user: user.to_string(),
        culture,
        user_agent,
        endpoint_id,
        instance_id,
        telemetry_id: hex_id(),
        put_guid: uuid_like(),
        channel: Default::default(),
        calls: Vec::new(),
        next_conversation: 1,
    };
    let resource = res::application(&app, faults.no_av_link);
    inner.apps.insert(id, app);
    if faults.expire_token_once && inner.fire_once("expire-token-once") {
        inner.expire_armed = true;
    }
    let truncate = faults.truncated_body && inner.fire_once("truncated-body");
    drop(inner);
    let mut bytes = ctx.resource_bytes(&resource);
    if truncate {
        bytes.truncate(bytes.len() / 2);
    }
    let mut response = ctx.body(StatusCode::CREATED, bytes);
    if let Some(v) = ctx.location(&format!("{}/{id}", APPLICATIONS)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// A GUID-shaped random name, for the "please pass this in a PUT request" property.
fn uuid_like() -> String {
    let h = hex_id();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

async fn app_route(state: &SimState, ctx: &Ctx, id: u64, route: AppRoute, body: &[u8]) -> Response {
    let no_av = state.config().faults.no_av_link;
    let show = |f: &dyn Fn(&App) -> Option<Resource>| match state.with_app(id, |app| f(app)) {
        None => ctx.application_not_found(),
        Some(None) => ctx.not_found(),
        Some(Some(resource)) => ctx.resource(StatusCode::OK, &resource),
    };
    match route {
        AppRoute::Application if ctx.method == Method::DELETE => {
            let mut inner = state.lock();
            if let Some(mut app) = inner.apps.remove(&id) {
                app.channel.release(Wake::Gone);
            }
            empty(StatusCode::NO_CONTENT)
        }
        AppRoute::Application => show(&|app| Some(res::application(app, no_av))),
        AppRoute::Communication => show(&|app| Some(res::communication(app, no_av))),
        AppRoute::Me => show(&|app| Some(res::me(app))),
        AppRoute::People => show(&|app| Some(res::people(app))),
        AppRoute::OnlineMeetings => show(&|app| Some(res::online_meetings(app))),
        AppRoute::Events => events(state, ctx, id).await,
        AppRoute::StartAudioVideo => start_audio_video(state, ctx, id, body),
        AppRoute::Invitation(inv) => show(&|app| Some(res::invitation(app, app.call(&inv)?))),
        AppRoute::Conversation(c) if ctx.method == Method::DELETE => {
            end_conversation(state, ctx, id, &c)
        }
        AppRoute::Conversation(c) => show(&|app| {
            let call = app.call_by_conversation(&c)?;
            call.conversation_live.then(|| res::conversation(app, call))
        }),
        AppRoute::AudioVideo(c) => show(&|app| {
            let call = app.call_by_conversation(&c)?;
            call.conversation_live.then(|| res::audio_video(app, call))
        }),
        AppRoute::Cancel(inv) => cancel(state, ctx, id, &inv),
        AppRoute::StopAudioVideo(c) => stop_audio_video(state, ctx, id, &c, body),
        AppRoute::Unknown => ctx.not_found(),
    }
}

/// The event channel: a real long poll with ack bookkeeping (`state::Channel`).
async fn events(state: &SimState, ctx: &Ctx, id: u64) -> Response {
    let cfg = state.config();
    let ack = ctx.query("ack").and_then(|a| a.trim().parse::<u64>().ok());
    let base = format!("{APPLICATIONS}/{id}");
    let resync = |to: u64| {
        ctx.events(&EventsPage {
            resync: Some(format!("{base}/events?ack={to}")),
            ..Default::default()
        })
    };
    let page = |ack: u64, senders: Vec<Sender>| {
        ctx.events(&events_page(&base, ack, senders, cfg.faults.unknown_events))
    };
    {
        let mut inner = state.lock();
        if let Some(link) = cfg
            .faults
            .foreign_link
            .as_ref()
            .filter(|l| l.applies("redirect"))
        {
            if inner.fire_once("foreign-redirect") {
                let mut r = empty(StatusCode::TEMPORARY_REDIRECT);
                let target = format!("{}/events?ack={}", base, ack.unwrap_or(1));
                if let Ok(v) = HeaderValue::from_str(&foreign_href(&target, link)) {
                    r.headers_mut().insert(header::LOCATION, v);
                }
                return r;
            }
        }
        if cfg.faults.events_gone && inner.fire_once("events-gone") {
            if let Some(mut app) = inner.apps.remove(&id) {
                app.channel.release(Wake::Gone);
            }
            return ctx.application_not_found();
        }
        let Some(app) = inner.apps.get(&id) else {
            return ctx.application_not_found();
        };
        let low = app.channel.low;
        let Some(ack) = ack else {
            return resync(low);
        };
        if cfg.faults.resume_once && ack >= 2 && inner.fire_once("resume-once") {
            return ctx.events(&EventsPage {
                resume: Some(format!("{base}/events?ack={ack}")),
                ..Default::default()
            });
        }
        if cfg.faults.resync_once && ack >= 2 && inner.fire_once("resync-once") {
            return resync(low);
        }
        // duplicate_events: the P-GET after the first non-empty batch gets it again.
        if let Some(app) = inner.apps.get_mut(&id) {
            let owed = app.channel.replay_owed;
            if owed.is_some_and(|n| n + 1 == ack) {
                app.channel.replay_owed = None;
                if let Some(batch) = owed.and_then(|n| app.channel.batches.get(&n)) {
                    let batch = batch.clone();
                    return page(ack - 1, batch);
                }
            }
        }
    }
    let Some(ack) = ack else {
        return ctx.application_not_found();
    };
    let hold = match ctx
        .query("timeout")
        .and_then(|t| t.trim().parse::<u64>().ok())
    {
        Some(secs) if cfg.event_hold >= Duration::from_secs(180) => {
            Duration::from_secs(secs.clamp(180, 1800))
        }
        _ => cfg.event_hold,
    };
    // cut_held_events: a proxy in front drops the connection once the P-GET has idled this long.
    let cut_at = cfg
        .faults
        .cut_held_events
        .map(|after| Instant::now() + after);
    let deadline = Instant::now() + hold;
    let answered = |poll: Poll, inner: &mut super::state::Inner| -> Option<Response> {
        match poll {
            Poll::Batch(mut senders) => {
                // reorder_events: the batch that completes the invitation arrives back to front.
                let completes = senders.iter().any(|s| {
                    s.events
                        .iter()
                        .any(|e| e.kind == crate::ucwa::resource::EventKind::Completed)
                });
                if cfg.faults.reorder_events && completes && inner.fire_once("reorder-events") {
                    senders.reverse();
                    for sender in &mut senders {
                        sender.events.reverse();
                    }
                }
                if cfg.faults.duplicate_events
                    && !senders.is_empty()
                    && inner.fire_once("duplicate-events")
                {
                    if let Some(app) = inner.apps.get_mut(&id) {
                        app.channel.replay_owed = Some(ack);
                    }
                }
                Some(page(ack, senders))
            }
            Poll::Resync(low) => Some(resync(low)),
            Poll::Wait => None,
        }
    };
    loop {
        let parked = {
            let mut guard = state.lock();
            let inner = &mut *guard;
            if inner.closed {
                return shutting_down(ctx);
            }
            let Some(app) = inner.apps.get_mut(&id) else {
                return ctx.application_not_found();
            };
            let poll = if cfg.faults.empty_events {
                app.channel.poll_now(ack)
            } else {
                app.channel.poll(ack)
            };
            if poll != Poll::Wait {
                return answered(poll, inner).unwrap_or_else(|| ctx.not_found());
            }
            app.channel.park()
        };
        let (waiter, wake) = parked;
        let until = cut_at.map_or(deadline, |cut| cut.min(deadline));
        match tokio::time::timeout_at(until, wake).await {
            Ok(Ok(Wake::Events)) => continue,
            Ok(Ok(Wake::Replaced)) => {
                return ctx.error(
                    StatusCode::CONFLICT,
                    "Conflict",
                    Some("PGetReplaced"),
                    "A newer request for events replaced this one.",
                )
            }
            Ok(Ok(Wake::Shutdown)) => return shutting_down(ctx),
            Ok(Ok(Wake::Gone)) | Ok(Err(_)) => return ctx.application_not_found(),
            Err(_) => {
                let mut guard = state.lock();
                let inner = &mut *guard;
                let Some(app) = inner.apps.get_mut(&id) else {
                    return ctx.application_not_found();
                };
                app.channel.unpark(waiter);
                if until < deadline {
                    return cut_connection();
                }
                let poll = app.channel.poll_now(ack);
                return answered(poll, inner).unwrap_or_else(|| ctx.not_found());
            }
        }
    }
}

/// An answer whose body fails after the status line: hyper drops the connection mid-answer,
/// which is what a client sees when a proxy cuts an idle request.
fn cut_connection() -> Response {
    let cut = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "cut by an idle timeout (simulated proxy)",
        ))
    });
    let mut response = Response::new(Body::from_stream(cut));
    *response.status_mut() = StatusCode::OK;
    response
}

fn shutting_down(ctx: &Ctx) -> Response {
    ctx.error(
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        None,
        "The simulator is shutting down.",
    )
}

fn events_page(base: &str, ack: u64, mut senders: Vec<Sender>, unknown: bool) -> EventsPage {
    if unknown && !senders.is_empty() {
        for event in senders.iter_mut().flat_map(|s| s.events.iter_mut()) {
            if let Some(embedded) = &mut event.embedded {
                embedded
                    .properties
                    .push(("simulatorExtra".into(), Value::text("ignore me")));
            }
        }
        senders.push(Sender {
            rel: "me".into(),
            href: format!("{base}/me"),
            events: vec![Event {
                kind: EventKind::Other("refreshed".into()),
                link: Link {
                    title: Some("an event type no client knows".into()),
                    ..Link::new("presence", format!("{base}/me/presence"))
                },
                in_link: None,
                embedded: None,
                status: None,
                reason: None,
            }],
        });
    }
    EventsPage {
        self_href: Some(format!("{base}/events?ack={ack}")),
        next: Some(format!("{base}/events?ack={}", ack + 1)),
        resync: None,
        resume: None,
        senders,
    }
}

const IMPORTANCE: [&str; 3] = ["Normal", "Urgent", "Emergency"];

/// The media type of an offer's `data:` URI, checked against its text: `application/sdp`
/// starting `v=0`, or `multipart/alternative` with a boundary whose delimiter opens the
/// body and whose parts are SDP (as Lync clients send). Returns the media type as received.
fn check_offer(href: &str, text: &str) -> Result<String, String> {
    let meta = href
        .get(5..)
        .and_then(|m| m.split(',').next())
        .unwrap_or_default();
    let media_type: Vec<&str> = meta
        .split(';')
        .filter(|p| !p.trim().eq_ignore_ascii_case("base64"))
        .collect();
    let kind = media_type.first().map(|k| k.trim().to_ascii_lowercase());
    match kind.as_deref() {
        Some("application/sdp") | Some("") | None => {
            if text.trim_start().starts_with("v=0") || text.is_empty() {
                Ok("application/sdp".into())
            } else {
                Err("the application/sdp offer does not start with v=0".into())
            }
        }
        Some("multipart/alternative") => {
            let boundary = media_type[1..]
                .iter()
                .find_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim())
                })
                .map(|b| String::from_utf8_lossy(&percent_decode(b, false)).into_owned())
                .ok_or("a multipart/alternative offer needs a boundary parameter")?;
            let delimiter = format!("--{boundary}");
            let parts: Vec<&str> = text.split(delimiter.as_str()).skip(1).collect();
            let closed = parts.last().is_some_and(|p| p.starts_with("--"));
            let sdp_parts = parts
                .iter()
                .filter(|p| !p.starts_with("--"))
                .all(|p| p.contains("\nv=0"));
            if !text.starts_with(&delimiter) || !closed || parts.len() < 2 || !sdp_parts {
                return Err(format!(
                    "the multipart/alternative offer is not a closed set of SDP parts delimited by '{delimiter}'"
                ));
            }
            Ok(media_type.join(";"))
        }
        Some(other) => Err(format!(
            "a media offer must be application/sdp or multipart/alternative, not {other}"
        )),
    }
}

/// `data:` URI → text: base64 or percent-encoded (`+` as space).
fn decode_data_uri(href: &str) -> Option<String> {
    let href = href.trim();
    if !href.get(..5)?.eq_ignore_ascii_case("data:") {
        return None;
    }
    let (meta, data) = href[5..].split_once(',')?;
    let base64 = meta
        .split(';')
        .any(|p| p.trim().eq_ignore_ascii_case("base64"));
    let bytes = if base64 {
        let raw = percent_decode(data, false);
        let cleaned: Vec<u8> = raw
            .into_iter()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let engines = [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        engines.iter().find_map(|e| e.decode(&cleaned).ok())?
    } else {
        percent_decode(data, true)
    };
    String::from_utf8(bytes).ok()
}

fn percent_decode(s: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn start_audio_video(state: &SimState, ctx: &Ctx, id: u64, body: &[u8]) -> Response {
    let faults = &state.config().faults;
    if faults.echo_secrets && state.lock().fire_once("echo-token") {
        // Quotes the bearer token's value back, without its `cwt=` prefix.
        let token = ctx
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once("cwt="))
            .map(|(_, t)| t.to_string())
            .unwrap_or_default();
        let mut r = ctx.error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            None,
            &format!("The token {token} may not place calls."),
        );
        if let Ok(v) = HeaderValue::from_str(&format!("2;reason=\"Token {token} refused\"")) {
            r.headers_mut().insert("x-ms-diagnostics", v);
        }
        return r;
    }
    if faults.no_av_link {
        return ctx.error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            None,
            "Audio/video calls are not allowed for this application.",
        );
    }
    let input = match ctx.input(body) {
        Ok(input) => input,
        Err(response) => return *response,
    };
    let mut problems = Vec::new();
    let to = required(&input, "to", None, &mut problems);
    let subject = text_field(&input, "subject", Some(250), &mut problems);
    let operation_id = text_field(&input, "operationId", Some(50), &mut problems).or_else(|| {
        ctx.query("operationId")
            .filter(|q| !q.is_empty() && q.chars().count() <= 50)
            .map(str::to_string)
    });
    let session_context = text_field(&input, "sessionContext", Some(50), &mut problems);
    let thread_id = text_field(&input, "threadId", None, &mut problems);
    let importance = text_field(&input, "importance", None, &mut problems).and_then(|i| {
        let known = IMPORTANCE.iter().find(|k| k.eq_ignore_ascii_case(i.trim()));
        if known.is_none() {
            problems.push(Problem::invalid(
                "importance",
                format!("'{i}' is not one of Normal, Urgent, Emergency"),
            ));
        }
        known.map(|k| k.to_string())
    });
    let mut flag = |name: &'static str| match input.property(name) {
        None | Some(Value::Null) => None,
        Some(v) => {
            let b = v.as_bool();
            if b.is_none() {
                problems.push(Problem::invalid(name, "expected true or false".into()));
            }
            b
        }
    };
    let join_audio_muted = flag("joinAudioMuted");
    let join_video_muted = flag("joinVideoMuted");
    let media_offer = match input.link("mediaOffer") {
        None => None,
        Some(href) => match decode_data_uri(href) {
            Some(text) => match check_offer(href, &text) {
                Ok(media_type) => Some((media_type, text)).filter(|(_, t)| !t.is_empty()),
                Err(why) => {
                    problems.push(Problem::invalid("mediaOffer", why));
                    None
                }
            },
            None => {
                problems.push(Problem::invalid(
                    "mediaOffer",
                    "expected a data: URI holding the SDP offer".into(),
                ));
                None
            }
        },
    };
    if !problems.is_empty() {
        return ctx.invalid(problems);
    }
    if let Some(secs) = faults.status_503_retry_date {
        if state.lock().fire_once("status-503-retry-date") {
            let mut r = ctx.error(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                None,
                "The service is busy. Please try again later.",
            );
            // An HTTP date has whole seconds: round up so the wait is never shorter.
            let at = std::time::SystemTime::now() + Duration::from_secs(u64::from(secs) + 1);
            if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(at)) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return r;
        }
    }
    if let Some(secs) = faults.status_503_retry_after {
        if state.lock().fire_once("status-503-retry-after") {
            let mut r = ctx.error(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                None,
                "The service is busy. Please try again later.",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            return r;
        }
    }
    let scenario = directory::lookup(&to);
    if let Scenario::Refuse(refusal) = scenario {
        return ctx.error(
            StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::CONFLICT),
            refusal.code,
            refusal.subcode,
            refusal.message,
        );
    }
    let call_id = hex_id();
    let location = state.with_app(id, |app| {
        let call = Call {
            id: call_id.clone(),
            conversation: app.next_conversation,
            scenario,
            operation_id: operation_id.unwrap_or_else(hex_id),
            to,
            subject,
            importance,
            thread_id: thread_id.unwrap_or_else(hex_id),
            session_context,
            join_audio_muted,
            join_video_muted,
            media_offer,
            state: InvitationState::Connecting,
            media: Media::Connecting,
            conversation_live: true,
        };
        app.next_conversation += 1;
        let href = res::CallPaths::new(app, &call).invitation;
        scenario::begin(app, call);
        href
    });
    let Some(location) = location else {
        return ctx.application_not_found();
    };
    tokio::spawn(scenario::play(state.clone(), id, call_id, scenario));
    let mut response = empty(StatusCode::CREATED);
    if let Some(v) = ctx.location(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// `POST …/cancel` while ringing → 204 and `completed` Failure `Canceled`; after the
/// invitation completed → 409 (cancelling raced with the answer, PROTOCOL.md §f).
fn cancel(state: &SimState, ctx: &Ctx, id: u64, inv: &str) -> Response {
    let outcome = state.with_app(id, |app| {
        let ringing = app.call(inv)?.state.ringing();
        Some(ringing && scenario::fail(app, inv, &Failure::CANCELED))
    });
    match outcome {
        None => ctx.application_not_found(),
        Some(None) => ctx.error(StatusCode::NOT_FOUND, "NotFound", None, "Call not found."),
        Some(Some(true)) => empty(StatusCode::NO_CONTENT),
        Some(Some(false)) => ctx.error(
            StatusCode::CONFLICT,
            "Conflict",
            None,
            "The invitation has already completed and cannot be cancelled.",
        ),
    }
}

const TERMINATION_REASONS: [&str; 16] = [
    "Unknown",
    "UserInitiatedAction",
    "Cancel",
    "SharerLeftConference",
    "ConversationSuspendedLossNetwork",
    "InternalFailure",
    "MidCallFailureOneInternalOneExternal",
    "MidCallFailureBothInternal",
    "CallEstablishFailureOneInternalOneExternal",
    "CallEstablishFailureBothInternal",
    "FailedStartAudioStream",
    "MediaTimeout",
    "MediaConnectivityFailure",
    "CodecMismatch",
    "UnsupportedMedia",
    "InvalidMediaAnswer",
];

/// `POST …/audioVideo/stopAudioVideo`, optional `reason` in the body or the query.
fn stop_audio_video(state: &SimState, ctx: &Ctx, id: u64, conv: &str, body: &[u8]) -> Response {
    let input = match ctx.input(body) {
        Ok(input) => input,
        Err(response) => return *response,
    };
    let mut problems = Vec::new();
    let reason = text_field(&input, "reason", None, &mut problems)
        .or_else(|| ctx.query("reason").map(str::to_string));
    if let Some(reason) = &reason {
        if !TERMINATION_REASONS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(reason.trim()))
        {
            problems.push(Problem::invalid(
                "reason",
                format!("'{reason}' is not a CallTerminationReason"),
            ));
        }
    }
    if !problems.is_empty() {
        return ctx.invalid(problems);
    }
    let ended = state.with_app(id, |app| {
        let call_id = app.call_by_conversation(conv)?.id.clone();
        Some(scenario::hang_up(app, &call_id, None))
    });
    match ended {
        None => ctx.application_not_found(),
        Some(Some(true)) => empty(StatusCode::NO_CONTENT),
        Some(_) => ctx.error(StatusCode::NOT_FOUND, "NotFound", None, "Call Not Found."),
    }
}

/// `DELETE` of a conversation: leaves it, tearing down every modality; a ringing
/// invitation is cancelled.
fn end_conversation(state: &SimState, ctx: &Ctx, id: u64, conv: &str) -> Response {
    let ended = state.with_app(id, |app| {
        let call = app.call_by_conversation(conv)?;
        if !call.conversation_live {
            return Some(false);
        }
        let (call_id, ringing) = (call.id.clone(), call.state.ringing());
        Some(if ringing {
            scenario::fail(app, &call_id, &Failure::CANCELED)
        } else {
            scenario::hang_up(app, &call_id, None)
        })
    });
    match ended {
        None => ctx.application_not_found(),
        Some(Some(true)) => empty(StatusCode::NO_CONTENT),
        Some(_) => ctx.not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_without_regard_to_case() {
        assert_eq!(Route::parse("/"), Route::Discovery);
        assert_eq!(Route::parse("/webticket/OAuthToken"), Route::Token);
        assert_eq!(
            Route::parse("/ucwa/oauth/v1/applications/"),
            Route::Applications
        );
        assert_eq!(
            Route::parse("/ucwa/oauth/v1/applications/101/communication/startAudioVideo"),
            Route::App(101, AppRoute::StartAudioVideo)
        );
        assert_eq!(
            Route::parse(
                "/ucwa/oauth/v1/applications/7/communication/audioVideoInvitations/AB/cancel"
            ),
            Route::App(7, AppRoute::Cancel("ab".into()))
        );
        assert_eq!(
            Route::parse("/ucwa/oauth/v1/applications/x/events"),
            Route::Unknown
        );
        assert_eq!(
            Route::parse("/ucwa/oauth/v1/applications/7/batch"),
            Route::App(7, AppRoute::Unknown)
        );
        assert_eq!(Route::parse("/nowhere"), Route::Unknown);
    }

    #[test]
    fn data_uris_decode_in_every_form() {
        let sdp = "v=0\r\ns=x y\r\n";
        assert_eq!(decode_data_uri(&res::data_uri(sdp)).as_deref(), Some(sdp));
        assert_eq!(
            decode_data_uri("data:application/sdp,v%3D0%0D%0As=x+y%0D%0A").as_deref(),
            Some(sdp)
        );
        assert_eq!(
            decode_data_uri("DATA:application/sdp;base64,dj0w%0Ds=").as_deref(),
            None,
            "broken base64 is refused"
        );
        assert_eq!(decode_data_uri("http://example.com/x"), None);
        assert_eq!(decode_data_uri("data:"), None);
        assert_eq!(percent_decode("%", false), b"%");
        assert_eq!(percent_decode("a%4", false), b"a%4");
        assert_eq!(percent_decode("%zz", false), b"%zz");
    }

    #[test]
    fn passwords_are_redacted_from_form_bodies() {
        assert_eq!(
            redact_form("grant_type=password&username=a%40b&password=s3cret&x=1"),
            "grant_type=password&username=a%40b&password=***&x=1"
        );
        assert_eq!(redact_form("{\"password\":1}"), "{\"password\":1}");
    }

    #[test]
    fn accept_picks_the_first_known_format() {
        let v = HeaderValue::from_static("text/html, application/vnd.microsoft.com.ucwa+xml;q=0.9");
        assert_eq!(
            negotiate(Some(&v)),
            (
                Format::Xml,
                "application/vnd.microsoft.com.ucwa+xml".to_string()
            )
        );
        assert_eq!(negotiate(None).0, Format::Json);
    }
}
