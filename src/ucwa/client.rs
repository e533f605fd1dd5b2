//! `Client`: the signed-in connection. Every UCWA request goes through it, so the
//! Authorization header, the wire format, relative hrefs and the one re-authentication
//! after a 401 are handled in one place.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use reqwest::Method;
use url::Url;

use super::auth::{self, Challenge, Grant};
use super::error::UcwaError;
use super::resource::{Input, Resource};
use super::transport::{Transport, WireRequest, WireResponse, WireSink};
use super::Format;
use crate::secret::{Password, Token};

/// Where notices go: things the user should know that are not errors.
pub type NoticeSink = Arc<dyn Fn(String) + Send + Sync>;

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
    /// The `applications` URL: relative hrefs resolve against its host.
    base: Mutex<Option<Url>>,
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
        if let Some(p) = &credentials.password {
            transport.add_secret(p.expose());
        }
        let grant = credentials.token.as_ref().map(|t| {
            transport.add_secret(t.expose());
            Grant {
                token: t.clone(),
                token_type: "Bearer".into(),
                expires_at: None,
            }
        });
        Ok(Client {
            transport,
            format,
            credentials,
            grant: Mutex::new(grant),
            challenge: Mutex::new(None),
            base: Mutex::new(None),
            notice,
            reauth: tokio::sync::Mutex::new(()),
            deadline: Mutex::new(None),
        })
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

    pub fn notify(&self, text: impl Into<String>) {
        (self.notice)(text.into())
    }

    /// An href from a link or `Location`, made absolute against the UCWA host.
    pub fn resolve(&self, href: &str) -> Result<Url, UcwaError> {
        let base = lock(&self.base);
        let joined = match base {
            Some(base) => base.join(href),
            None => Url::parse(href),
        };
        joined.map_err(|e| UcwaError::Protocol {
            action: "following a link".into(),
            detail: format!("'{href}' is not a usable href: {e}"),
        })
    }

    pub fn set_base(&self, applications: Url) {
        set(&self.base, Some(applications));
    }

    /// A request with the Accept header of our format and no Authorization.
    pub fn anonymous(&self, method: Method, url: Url) -> WireRequest {
        WireRequest::new(method, url).header("Accept", self.format.accept())
    }

    /// Remembers the challenge of a 401 answer. A 401 without a usable challenge keeps the
    /// last good one: its token endpoint is still the place to sign in again.
    pub fn note_challenge(&self, response: &WireResponse) -> Challenge {
        let challenge = auth::parse_challenge(response.headers_named("www-authenticate"));
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
                action: "signing in".into(),
                detail: "the server asked for sign-in but sent no WWW-Authenticate challenge"
                    .into(),
            });
        };
        let Some(password) = &self.credentials.password else {
            return Err(UcwaError::Protocol {
                action: "signing in".into(),
                detail: "the server wants a new token and no password is available (set AVLAUNCH_PASSWORD)".into(),
            });
        };
        let grant = auth::request_token(
            &self.transport,
            &challenge,
            &from,
            &self.credentials.user,
            password,
        )
        .await?;
        set(&self.grant, Some(grant));
        Ok(())
    }

    /// Fetches a new token ahead of time when the current one is about to run out (and a
    /// password is known); otherwise the 401 path below takes care of it.
    async fn renew_if_expiring(&self, action: &str) -> Result<(), UcwaError> {
        let expiring = |g: &Option<Grant>| {
            g.as_ref()
                .is_some_and(|g| g.expiring(std::time::Instant::now()))
        };
        if !self.can_fetch_token() || !expiring(&lock(&self.grant)) {
            return Ok(());
        }
        let _guard = self.reauth.lock().await;
        if expiring(&lock(&self.grant)) && lock(&self.challenge).is_some() {
            self.notify(format!(
                "{action}: the token is about to expire; renewing it"
            ));
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
        action: &str,
    ) -> Result<WireResponse, UcwaError> {
        let mut reauthenticated = false;
        let mut waited = false;
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
            if response.status == 401 && !reauthenticated {
                reauthenticated = true;
                let _guard = self.reauth.lock().await;
                // Another request may have fetched a new token while this one waited.
                if lock(&self.grant).map(|g| g.authorization()) == sent_with {
                    self.note_challenge(&response);
                    self.notify(format!(
                        "{action}: the server refused the token (401); signing in again"
                    ));
                    self.fetch_token().await?;
                }
                continue;
            }
            if matches!(response.status, 429 | 503) && !waited {
                let asked = response
                    .header("retry-after")
                    .and_then(|v| parse_retry_after(v, SystemTime::now()));
                if let Some(wait) = asked {
                    let (allowed, limit) = self.retry_allowance();
                    if wait > allowed {
                        let mut error = self.error_from(&response, action);
                        if let UcwaError::Http { retry_after, .. } = &mut error {
                            *retry_after = Some(format!(
                                "the server asked to wait {} before retrying (Retry-After), longer than the {} allowed ({limit})",
                                seconds(wait),
                                seconds(allowed)
                            ));
                        }
                        return Err(error);
                    }
                    waited = true;
                    self.notify(format!(
                        "{action}: the server is busy ({}); retrying after {} as it asks",
                        response.status,
                        seconds(wait)
                    ));
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            if !response.is_success() {
                return Err(self.error_from(&response, action));
            }
            return Ok(response);
        }
    }

    pub async fn get(&self, href: &str, action: &str) -> Result<WireResponse, UcwaError> {
        let url = self.resolve(href)?;
        self.send(Method::GET, url, None, None, action).await
    }

    pub async fn post(
        &self,
        href: &str,
        body: Option<&Input>,
        action: &str,
    ) -> Result<WireResponse, UcwaError> {
        let url = self.resolve(href)?;
        self.send(Method::POST, url, body, None, action).await
    }

    pub async fn delete(&self, href: &str, action: &str) -> Result<WireResponse, UcwaError> {
        let url = self.resolve(href)?;
        self.send(Method::DELETE, url, None, None, action).await
    }

    /// GETs a resource and reads it in our format.
    pub async fn get_resource(&self, href: &str, action: &str) -> Result<Resource, UcwaError> {
        let response = self.get(href, action).await?;
        self.read_resource(&response, action)
    }

    /// Reads a resource body; the response's Content-Type decides the reader, our
    /// format is the fallback.
    pub fn read_resource(
        &self,
        response: &WireResponse,
        action: &str,
    ) -> Result<Resource, UcwaError> {
        let format = match (response_format(response), response.header("content-type")) {
            (Some(f), _) => f,
            // An HTML page from a proxy or IIS, say: name what came instead of a parse error.
            (None, Some(ct)) if !response.body.is_empty() => {
                return Err(UcwaError::Parse {
                    action: action.to_string(),
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
            .map_err(|source| UcwaError::Parse {
                action: action.to_string(),
                source,
            })
    }

    /// The error a non-2xx answer stands for, with the UCWA body when UCWA answered.
    pub fn error_from(&self, response: &WireResponse, action: &str) -> UcwaError {
        let diagnostics = response.header("x-ms-diagnostics").map(str::to_string);
        let body = response_format(response).and_then(|f| f.read_error(&response.body).ok());
        let foreign_body = match (&body, response.header("content-type")) {
            (None, Some(ct)) if !response.body.is_empty() => Some(format!(
                "a {} body, not a UCWA error: a proxy or the web server answered",
                ct.split(';').next().unwrap_or(ct)
            )),
            _ => None,
        };
        UcwaError::Http {
            action: action.to_string(),
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

/// Whole seconds, rounded up (`0 s` only for no wait at all).
fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs() + u64::from(d.subsec_nanos() > 0))
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
