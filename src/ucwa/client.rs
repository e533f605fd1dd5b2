//! `Client`: the signed-in connection. Every UCWA request goes through it, so the
//! Authorization header, the wire format, relative hrefs and the one re-authentication
//! after a 401 are handled in one place.
//!
//! It also owns the origin rule: once the `applications` URL is known, the bearer token
//! goes only to that URL's origin (scheme, host, port). UCWA's hrefs from the application
//! on are relative to the pool; a link, `Location` or redirect naming any other origin is
//! refused in `send` before anything is sent there, and remembered, so that the call ends
//! as a protocol error (the application, on the pool, is still deleted).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use reqwest::Method;
use url::Url;

use super::action::Action;
use super::auth::{self, Challenge, Grant};
use super::error::UcwaError;
use super::notice::{seconds, Notice};
use super::resource::{ErrorBody, Input, Resource};
use super::transport::{Transport, WireRequest, WireResponse, WireSink};
use super::Format;
use crate::seconds::format_seconds;
use crate::secret::{Password, Token};

/// Where notices go: things the user should know that are not errors.
pub type NoticeSink = Arc<dyn Fn(Notice) + Send + Sync>;

/// The longest `Retry-After` we honour; longer waits end the attempt.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(5);

/// Credentials as given by the user.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user: String,
    pub password: Option<Password>,
    pub token: Option<Token>,
}

pub struct Client {
    transport: Transport,
    format: Format,
    credentials: Credentials,
    grant: Mutex<Option<Grant>>,
    /// The last challenge seen and the URL it came from (to resolve a relative href).
    challenge: Mutex<Option<(Challenge, Url)>>,
    /// The `applications` URL: relative hrefs resolve against its host, and its origin is
    /// the only one that receives the token from then on.
    base: Mutex<Option<Url>>,
    /// The first request refused by the origin rule, kept so the call can end on it.
    origin_refusal: Mutex<Option<UcwaError>>,
    /// The token endpoint's origin at sign-in: the only other place the password may go
    /// once the pool is known.
    token_origin: Mutex<Option<url::Origin>>,
    notice: NoticeSink,
    /// Held while a new token is fetched, so that requests refused together (the parked
    /// P-GET and a POST, say) sign in again once, not once each.
    reauth: tokio::sync::Mutex<()>,
    /// The end of `--timeout` while it applies: a `Retry-After` wait never goes past it.
    deadline: Mutex<Option<tokio::time::Instant>>,
}

fn lock<T: Clone>(m: &Mutex<T>) -> T {
    m.lock()
        .map(|g| g.clone())
        .unwrap_or_else(|p| p.into_inner().clone())
}

fn set<T>(m: &Mutex<T>, value: T) {
    match m.lock() {
        Ok(mut g) => *g = value,
        Err(p) => *p.into_inner() = value,
    }
}

impl Client {
    pub fn new(
        format: Format,
        credentials: Credentials,
        ca_cert: Option<&[u8]>,
        wire: WireSink,
        notice: NoticeSink,
    ) -> Result<Self, UcwaError> {
        let transport = Transport::new(ca_cert, wire)?;
        Ok(Client::with_transport(
            format,
            credentials,
            transport,
            notice,
        ))
    }

    /// A client over a given transport (one with an injected exchange, in tests).
    pub fn with_transport(
        format: Format,
        credentials: Credentials,
        transport: Transport,
        notice: NoticeSink,
    ) -> Self {
        if let Some(p) = &credentials.password {
            transport.set_password(p.expose());
        }
        let grant = credentials.token.as_ref().map(|t| {
            transport.add_token(t.expose());
            Grant {
                token: t.clone(),
                token_type: "Bearer".into(),
                renew_at: None,
            }
        });
        Client {
            transport,
            format,
            credentials,
            grant: Mutex::new(grant),
            challenge: Mutex::new(None),
            base: Mutex::new(None),
            origin_refusal: Mutex::new(None),
            token_origin: Mutex::new(None),
            notice,
            reauth: tokio::sync::Mutex::new(()),
            deadline: Mutex::new(None),
        }
    }

    /// Bounds every `Retry-After` wait by this instant (the end of `--timeout`); `None`
    /// leaves only `RETRY_AFTER_CAP`.
    pub fn set_deadline(&self, deadline: Option<tokio::time::Instant>) {
        set(&self.deadline, deadline);
    }

    /// The longest `Retry-After` wait allowed now, and why it is that long.
    fn retry_allowance(&self) -> (Duration, &'static str) {
        let remaining =
            lock(&self.deadline).map(|d| d.saturating_duration_since(tokio::time::Instant::now()));
        match remaining {
            Some(r) if r < RETRY_AFTER_CAP => (r, "what remains of --timeout"),
            _ => (RETRY_AFTER_CAP, "the most avlaunch waits"),
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Tells the caller of a recovery, through the notice sink.
    pub fn notify(&self, notice: Notice) {
        (self.notice)(notice)
    }

    /// An href from a link or `Location`, made absolute against the UCWA host.
    pub fn resolve(&self, href: &str) -> Result<Url, UcwaError> {
        let base = lock(&self.base);
        let joined = match base {
            Some(base) => base.join(href),
            None => Url::parse(href),
        };
        joined.map_err(|e| UcwaError::Protocol {
            action: Action::FollowingLink,
            detail: format!("'{href}' is not a usable href: {e}"),
        })
    }

    /// The URL relative hrefs resolve against (the `applications` URL), once known.
    pub fn base(&self) -> Option<Url> {
        lock(&self.base)
    }

    pub fn set_base(&self, applications: Url) {
        set(&self.base, Some(applications));
    }

    /// The origin rule: once the pool is known (`set_base`), `url` must be on its origin.
    /// A refusal is remembered (`origin_refusal`) and names both origins.
    pub fn check_origin(&self, url: &Url, action: Action) -> Result<(), UcwaError> {
        let Some(base) = lock(&self.base) else {
            return Ok(());
        };
        if url.origin() == base.origin() {
            return Ok(());
        }
        let error = UcwaError::Protocol {
            action,
            detail: format!(
                "refusing to follow {} to another origin ({}): the signed-in pool is {}, and the token is only sent there",
                self.transport.scrub_server(url.as_str()),
                url.origin().ascii_serialization(),
                base.origin().ascii_serialization()
            ),
        };
        self.refuse(error.clone());
        Err(error)
    }

    /// The refusal for a challenge whose token endpoint is, once signed in, neither on the
    /// pool's origin nor on the sign-in token endpoint's.
    fn foreign_token_endpoint(&self, challenge: &Challenge, from: &Url) -> Option<UcwaError> {
        let base = lock(&self.base)?;
        let endpoint = from.join(challenge.token_url.as_deref()?).ok()?;
        let origin = endpoint.origin();
        if origin == base.origin() || Some(&origin) == lock(&self.token_origin).as_ref() {
            return None;
        }
        Some(UcwaError::Protocol {
            action: Action::SigningInAgain,
            detail: format!(
                "refusing a token endpoint on another origin ({}): the password goes only to the pool {} or where it went at sign-in",
                origin.ascii_serialization(),
                base.origin().ascii_serialization()
            ),
        })
    }

    /// Remembers the first origin refusal.
    fn refuse(&self, error: UcwaError) {
        if let Ok(mut first) = self.origin_refusal.lock() {
            first.get_or_insert(error);
        }
    }

    /// The first request the origin rule refused, if any.
    pub fn origin_refusal(&self) -> Option<UcwaError> {
        lock(&self.origin_refusal)
    }

    /// A request with the Accept header of our format and no Authorization.
    pub fn anonymous(&self, method: Method, url: Url) -> WireRequest {
        WireRequest::new(method, url).header("Accept", self.format.accept())
    }

    /// Remembers the challenge of a 401 answer. A 401 without a usable challenge keeps the
    /// last good one: its token endpoint is still the place to sign in again.
    ///
    /// Once signed in, a challenge naming a token endpoint on another origin than the pool
    /// and the sign-in endpoint is refused (remembered as an origin refusal) and the last
    /// good one kept, so the password goes nowhere new.
    pub fn note_challenge(&self, response: &WireResponse) -> Challenge {
        let challenge = auth::parse_challenge(response.headers_named("www-authenticate"));
        if let Some(error) = self.foreign_token_endpoint(&challenge, &response.url) {
            self.refuse(error);
            return challenge;
        }
        if challenge.token_url.is_some() || lock(&self.challenge).is_none() {
            set(
                &self.challenge,
                Some((challenge.clone(), response.url.clone())),
            );
        }
        challenge
    }

    pub fn has_grant(&self) -> bool {
        lock(&self.grant).is_some()
    }

    /// Whether a new token can be fetched (a password is known).
    pub fn can_fetch_token(&self) -> bool {
        self.credentials.password.is_some()
    }

    pub fn forget_grant(&self) {
        set(&self.grant, None);
    }

    /// Gets a token from the last challenge with the password grant.
    pub async fn fetch_token(&self) -> Result<(), UcwaError> {
        let Some((challenge, from)) = lock(&self.challenge) else {
            return Err(UcwaError::Protocol {
                action: Action::SigningIn,
                detail: "the server asked for sign-in but sent no WWW-Authenticate challenge"
                    .into(),
            });
        };
        let Some(password) = &self.credentials.password else {
            return Err(UcwaError::Protocol {
                action: Action::SigningIn,
                detail: "the server wants a new token and no password is available (set AVLAUNCH_PASSWORD)".into(),
            });
        };
        // Once signed in, the password goes only where it went at sign-in, or to the pool.
        if let Some(error) = self.foreign_token_endpoint(&challenge, &from) {
            self.refuse(error.clone());
            return Err(error);
        }
        let endpoint = challenge
            .token_url
            .as_deref()
            .and_then(|href| from.join(href).ok());
        let request = auth::token_request(
            &self.transport,
            &challenge,
            &from,
            &self.credentials.user,
            password,
        )?;
        let action = Action::RequestingToken;
        let mut waited = false;
        let grant = loop {
            let response = self.transport.send(request.clone(), action).await?;
            if !waited {
                let error = || auth::token_error(&self.transport, &response);
                if self.wait_if_asked(&response, action, error).await? {
                    waited = true;
                    continue;
                }
            }
            break auth::read_token_response(&self.transport, &response)?;
        };
        if let (Some(endpoint), None) = (&endpoint, lock(&self.base)) {
            set(&self.token_origin, Some(endpoint.origin()));
        }
        set(&self.grant, Some(grant));
        Ok(())
    }

    /// Fetches a new token ahead of time when the current one is about to run out (and a
    /// password is known); otherwise the 401 path below takes care of it.
    async fn renew_if_expiring(&self, action: Action) -> Result<(), UcwaError> {
        let expiring = |g: &Option<Grant>| {
            g.as_ref()
                .is_some_and(|g| g.expiring(std::time::Instant::now()))
        };
        if !self.can_fetch_token() || !expiring(&lock(&self.grant)) {
            return Ok(());
        }
        let _guard = self.reauth.lock().await;
        if expiring(&lock(&self.grant)) && lock(&self.challenge).is_some() {
            self.notify(Notice::TokenExpiring { action });
            self.fetch_token().await?;
        }
        Ok(())
    }

    /// A UCWA request with Authorization; a 401 fetches a new token once and retries.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Input>,
        timeout: Option<Duration>,
        action: impl Into<Action>,
    ) -> Result<WireResponse, UcwaError> {
        let action = action.into();
        let mut reauthenticated = false;
        let mut waited = false;
        // The one place the token is attached: check where it would go first.
        self.check_origin(&url, action)?;
        self.renew_if_expiring(action).await?;
        loop {
            let mut request = self.anonymous(method.clone(), url.clone());
            if let Some(t) = timeout {
                request.timeout = t;
            }
            let sent_with = lock(&self.grant).map(|g| g.authorization());
            if let Some(authorization) = &sent_with {
                request = request.header("Authorization", authorization.clone());
            }
            if let Some(input) = body {
                request = request.body(self.format.content_type(), self.format.write_input(input));
            }
            let response = self.transport.send(request, action).await?;
            // The transport never follows redirects; a 3xx to another origin is named as
            // such rather than reported as a bare status.
            if (300..400).contains(&response.status) {
                if let Some(target) = response.header("location").and_then(|l| url.join(l).ok()) {
                    self.check_origin(&target, action)?;
                }
            }
            if response.status == 401 && !reauthenticated {
                reauthenticated = true;
                let _guard = self.reauth.lock().await;
                // Another request may have fetched a new token while this one waited.
                if lock(&self.grant).map(|g| g.authorization()) == sent_with {
                    self.note_challenge(&response);
                    self.notify(Notice::TokenRefused { action });
                    self.fetch_token().await?;
                }
                continue;
            }
            if !waited {
                let error = || self.error_from(&response, action);
                if self.wait_if_asked(&response, action, error).await? {
                    waited = true;
                    continue;
                }
            }
            if !response.is_success() {
                return Err(self.error_from(&response, action));
            }
            return Ok(response);
        }
    }

    /// A 429 or 503 with a `Retry-After` (RFC 9110 §10.2.3) within the allowance is
    /// waited for, with a `Busy` notice: `Ok(true)` means send the request again, once.
    /// A longer wait is the answer's error (`error`), saying how long was asked and
    /// allowed. Any other answer is `Ok(false)`: the caller reads it as usual.
    async fn wait_if_asked(
        &self,
        response: &WireResponse,
        action: Action,
        error: impl FnOnce() -> UcwaError,
    ) -> Result<bool, UcwaError> {
        if !matches!(response.status, 429 | 503) {
            return Ok(false);
        }
        let Some(wait) = response
            .header("retry-after")
            .and_then(|v| parse_retry_after(v, SystemTime::now()))
        else {
            return Ok(false);
        };
        let (allowed, limit) = self.retry_allowance();
        if wait > allowed {
            let mut error = error();
            if let UcwaError::Http { retry_after, .. } = &mut error {
                *retry_after = Some(format!(
                    "the server asked to wait {} before retrying (Retry-After), longer than the {} allowed ({limit})",
                    seconds(wait),
                    format_seconds(allowed)
                ));
            }
            return Err(error);
        }
        self.notify(Notice::Busy {
            action,
            status: response.status,
            wait,
        });
        tokio::time::sleep(wait).await;
        Ok(true)
    }

    pub async fn get(
        &self,
        href: &str,
        action: impl Into<Action>,
    ) -> Result<WireResponse, UcwaError> {
        let url = self.resolve(href)?;
        self.send(Method::GET, url, None, None, action).await
    }

    pub async fn post(
        &self,
        href: &str,
        body: Option<&Input>,
        action: impl Into<Action>,
    ) -> Result<WireResponse, UcwaError> {
        let url = self.resolve(href)?;
        self.send(Method::POST, url, body, None, action).await
    }

    pub async fn delete(
        &self,
        href: &str,
        action: impl Into<Action>,
    ) -> Result<WireResponse, UcwaError> {
        let url = self.resolve(href)?;
        self.send(Method::DELETE, url, None, None, action).await
    }

    /// GETs a resource and reads it in our format.
    pub async fn get_resource(
        &self,
        href: &str,
        action: impl Into<Action>,
    ) -> Result<Resource, UcwaError> {
        let action = action.into();
        let response = self.get(href, action).await?;
        self.read_resource(&response, action)
    }

    /// Reads a resource body; the response's Content-Type decides the reader, our
    /// format is the fallback.
    pub fn read_resource(
        &self,
        response: &WireResponse,
        action: Action,
    ) -> Result<Resource, UcwaError> {
        let format = match (response_format(response), response.header("content-type")) {
            (Some(f), _) => f,
            // An HTML page from a proxy or IIS, say: name what came instead of a parse error.
            (None, Some(ct)) if !response.body.is_empty() => {
                return Err(UcwaError::Parse {
                    action,
                    source: super::resource::ParseError::new(
                        "resource",
                        format!(
                            "the server sent {} instead of a UCWA resource (a proxy or web page answered?)",
                            ct.split(';').next().unwrap_or(ct)
                        ),
                    ),
                })
            }
            (None, _) => self.format,
        };
        format
            .read_resource(&response.body)
            .map_err(|source| UcwaError::Parse { action, source })
    }

    /// An error body or reason as the server wrote it, with any secret it quotes (the
    /// token, the password) scrubbed: this text is shown to the user.
    pub fn scrub_error_body(&self, body: &mut ErrorBody) {
        let t = &self.transport;
        body.code = t.scrub_quoted(&body.code);
        for text in [&mut body.subcode, &mut body.message].into_iter().flatten() {
            *text = t.scrub_quoted(text);
        }
        for (name, value) in body.parameters.iter_mut().chain(body.debug_info.iter_mut()) {
            *name = t.scrub_quoted(name);
            *value = t.scrub_quoted(value);
        }
    }

    /// The error a non-2xx answer stands for, with the UCWA body when UCWA answered.
    /// Whatever the server quotes back is scrubbed of secrets here.
    pub fn error_from(&self, response: &WireResponse, action: Action) -> UcwaError {
        let diagnostics =
            super::diagnostics::header_of(response).map(|d| self.transport.scrub_quoted(&d));
        let mut body = response_format(response).and_then(|f| f.read_error(&response.body).ok());
        if let Some(body) = &mut body {
            self.scrub_error_body(body);
        }
        let foreign_body = match (&body, response.header("content-type")) {
            (None, Some(ct)) if !response.body.is_empty() => Some(format!(
                "a {} body, not a UCWA error: a proxy or the web server answered",
                ct.split(';').next().unwrap_or(ct)
            )),
            _ => None,
        };
        UcwaError::Http {
            action,
            status: response.status,
            body,
            diagnostics,
            foreign_body,
            retry_after: None,
        }
    }
}

pub fn response_format(response: &WireResponse) -> Option<Format> {
    response
        .header("content-type")
        .and_then(Format::from_media_type)
}

/// A `Retry-After` value as a wait from `now`: delay-seconds or an HTTP date (RFC 9110
/// §10.2.3; the three date forms of §5.6.7). A date already past means no wait. `None`
/// when the value is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod retry_after_tests {
    use super::*;

    #[test]
    fn delay_seconds_and_every_http_date_form_are_read() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        for later in [
            "Sun, 06 Nov 1994 08:50:07 GMT",
            "Sunday, 06-Nov-94 08:50:07 GMT",
            "Sun Nov  6 08:50:07 1994",
        ] {
            assert_eq!(
                parse_retry_after(later, now),
                Some(Duration::from_secs(30)),
                "{later}"
            );
        }
        // A date in the past: retry at once.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in ["", "soon", "-1", "1.5", "Sun, 32 Nov 1994 08:49:37 GMT"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn waits_are_shown_in_whole_seconds_rounded_up() {
        assert_eq!(seconds(Duration::from_millis(1200)), "2 s");
        assert_eq!(seconds(Duration::from_secs(5)), "5 s");
        assert_eq!(seconds(Duration::ZERO), "0 s");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::new(
            Format::Json,
            Credentials {
                user: "lenea@contoso.com".into(),
                password: Some(Password::new("demo")),
                token: None,
            },
            None,
            Arc::new(|_| {}),
            Arc::new(|_| {}),
        )
        .unwrap()
    }

    #[test]
    fn the_token_goes_only_to_the_pools_origin() {
        let client = client();
        let url = |s: &str| Url::parse(s).unwrap();
        // Before the pool is known (discovery), any host.
        assert!(client
            .check_origin(
                &url("https://lyncweb.other.com/x"),
                Action::DiscoveringServer
            )
            .is_ok());
        client.set_base(url(
            "https://lyncpool.contoso.com/ucwa/oauth/v1/applications",
        ));
        for same in [
            "https://lyncpool.contoso.com/ucwa/oauth/v1/applications/1/events?ack=2",
            "https://LYNCPOOL.contoso.com:443/other/path",
        ] {
            assert!(
                client
                    .check_origin(&url(same), Action::FollowingLink)
                    .is_ok(),
                "{same}"
            );
        }
        assert!(client.origin_refusal().is_none());
        for other in [
            "http://lyncpool.contoso.com/ucwa/",
            "https://lyncpool.contoso.com:4443/ucwa/",
            "https://evil.contoso.com/ucwa/",
            "https://lyncpool.contoso.com.evil.net/ucwa/",
        ] {
            let e = client
                .check_origin(&url(other), Action::FollowingLink)
                .unwrap_err();
            assert!(e.to_string().contains("another origin"), "{other}: {e}");
        }
        // The first refusal is kept for the call's outcome.
        let first = client.origin_refusal().unwrap().to_string();
        assert!(first.contains("http://lyncpool.contoso.com"), "{first}");
    }

    #[test]
    fn resolving_a_foreign_href_is_allowed_but_sending_to_it_is_not() {
        let client = client();
        client.set_base(Url::parse("http://127.0.0.1:1/ucwa/oauth/v1/applications").unwrap());
        let foreign = client.resolve("http://127.0.0.1:2/ucwa/x").unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let e = runtime
            .block_on(client.send(Method::GET, foreign, None, None, "reading"))
            .unwrap_err();
        assert!(matches!(e, UcwaError::Protocol { .. }), "{e}");
    }
}
