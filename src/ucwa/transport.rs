//! The only user of reqwest: sends one request, records a redacted `WireRecord`.
//!
//! It owns proxy selection: reqwest's own reading of the environment is switched off and
//! every URL is routed by `proxy::ProxyEnv::route` (loopback never proxied; curl's
//! variables otherwise), and a failure through a proxy names it.

use std::time::{Duration, SystemTime};

/// One HTTP exchange as the wire log shows it. Secrets are already redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireRecord {
    /// Order of the exchange within the call, from 1.
    pub seq: u64,
    pub started: SystemTime,
    /// Time from sending to the whole response (or the error).
    pub elapsed: Duration,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    /// `None` when no response came (transport error).
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Option<String>,
    /// The transport error, if the request got no response.
    pub error: Option<String>,
}

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use url::Url;

use super::action::Action;
use super::error::{TransportSource, UcwaError};
use super::proxy::{is_loopback, ProxyEnv, Route};
use crate::secret::{redact_cwt, redact_form_fields, redact_json_fields, scrub_echoes};

/// Largest response body read; anything bigger is refused rather than buffered.
pub const BODY_CAP: usize = 1024 * 1024;
/// Time to open a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for an ordinary request to be answered in full.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// One request to send. Built by pure functions, sent here.
#[derive(Clone, Debug)]
pub struct WireRequest {
    pub method: reqwest::Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Duration,
}

impl WireRequest {
    pub fn new(method: reqwest::Method, url: Url) -> Self {
        WireRequest {
            method,
            url,
            headers: Vec::new(),
            body: None,
            timeout: REQUEST_TIMEOUT,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn body(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.headers
            .push(("Content-Type".to_string(), content_type.to_string()));
        self.body = Some(body);
        self
    }
}

/// A whole response.
#[derive(Clone, Debug)]
pub struct WireResponse {
    pub url: Url,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl WireResponse {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header with this name, in order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Where records of exchanges go (the call session forwards them as `CallUpdate::Wire`).
pub type WireSink = Arc<dyn Fn(WireRecord) + Send + Sync>;

/// Plain `http://` is allowed only to loopback hosts: anything else would send the
/// password and token in clear.
pub fn check_scheme(url: &Url) -> Result<(), UcwaError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(UcwaError::Refused(format!(
            "refusing plain http:// to {}: credentials would travel in clear; use https:// (http:// is allowed only for loopback hosts such as 127.0.0.1)",
            url.host_str().unwrap_or("?")
        ))),
        other => Err(UcwaError::Refused(format!(
            "refusing the URL scheme '{other}:' ({url}): only https:// (and http:// to loopback) are supported"
        ))),
    }
}

/// What an exchange yields: status, headers and body, or the failure in plain words.
pub type ExchangeResult = Result<(u16, Vec<(String, String)>, Vec<u8>), String>;

/// Sends one request and reads its whole answer: the part of the transport that touches
/// the network. reqwest is the default; tests inject a closure that asserts the request
/// and answers it (`Transport::with_exchange`).
pub type Exchange = Arc<
    dyn Fn(
            WireRequest,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ExchangeResult> + Send>>
        + Send
        + Sync,
>;

/// Sends requests and records each exchange, redacted, to the sink.
pub struct Transport {
    http: reqwest::Client,
    /// Replaces `http` when set (tests).
    injected: Option<Exchange>,
    seq: AtomicU64,
    sink: WireSink,
    /// Secrets a server might echo back, scrubbed by value from what it sends.
    secrets: Mutex<Secrets>,
    /// The proxy variables, read once.
    proxies: Arc<ProxyEnv>,
    /// `--ca-cert` was given: an unknown issuer is then not fixed by giving it.
    ca_cert_given: bool,
}

/// The values `Transport` scrubs from server-sent text.
#[derive(Default, Clone)]
struct Secrets {
    /// Bearer tokens, and their value without a `cwt=` prefix: scrubbed from everything
    /// the server sends (they are long and random: nothing else looks like them).
    tokens: Vec<String>,
    /// The password: scrubbed from what a server *quotes* (error answers, diagnostics,
    /// reasons), not from resources, which legitimately echo our own fields (a subject
    /// with the same word in it).
    password: Option<String>,
}

impl Transport {
    /// `ca_cert`: an extra trusted CA (PEM). Certificate verification is always on.
    pub fn new(ca_cert: Option<&[u8]>, sink: WireSink) -> Result<Self, UcwaError> {
        Self::with_proxies(ca_cert, sink, ProxyEnv::from_env())
    }

    /// As `new`, with the proxy variables given rather than read from the environment.
    pub fn with_proxies(
        ca_cert: Option<&[u8]>,
        sink: WireSink,
        proxies: ProxyEnv,
    ) -> Result<Self, UcwaError> {
        let proxies = Arc::new(proxies);
        let routes = proxies.clone();
        let mut builder = reqwest::Client::builder()
            // Redirects are never followed by reqwest: discovery follows them itself, and
            // the signed-in client refuses them to another origin (the token goes nowhere
            // else).
            .redirect(reqwest::redirect::Policy::none())
            // Proxies: ours, not reqwest's reading of the environment.
            .no_proxy()
            .proxy(reqwest::Proxy::custom(move |url| match routes.route(url) {
                Route::Proxy { proxy, .. } => Some(proxy),
                _ => None,
            }))
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("avlaunch/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = ca_cert {
            let cert = reqwest::Certificate::from_pem(pem).map_err(|e| UcwaError::Protocol {
                action: Action::ReadingCaCert,
                detail: format!("not a PEM certificate: {e}"),
            })?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder.build().map_err(|e| UcwaError::Transport {
            action: Action::StartingHttpClient,
            detail: e.to_string(),
            source: Some(TransportSource::new(e)),
        })?;
        Ok(Transport {
            http,
            injected: None,
            seq: AtomicU64::new(0),
            sink,
            secrets: Mutex::new(Secrets::default()),
            proxies,
            ca_cert_given: ca_cert.is_some(),
        })
    }

    /// A transport whose exchanges are `exchange`'s answers instead of the network's (no
    /// proxies). Everything else — scheme check, redaction, the wire record — is as usual.
    pub fn with_exchange(sink: WireSink, exchange: Exchange) -> Result<Self, UcwaError> {
        let mut transport = Self::with_proxies(None, sink, ProxyEnv::default())?;
        transport.injected = Some(exchange);
        Ok(transport)
    }

    /// Registers a bearer token (as given or as received): a server that quotes it back is
    /// scrubbed of it.
    pub fn add_token(&self, token: &str) {
        if let Ok(mut secrets) = self.secrets.lock() {
            let bare = token.strip_prefix("cwt=").unwrap_or(token);
            for value in [token, bare] {
                if !value.is_empty() && !secrets.tokens.iter().any(|t| t == value) {
                    secrets.tokens.push(value.to_string());
                }
            }
        }
    }

    /// Registers the password: a server that quotes it in an error is scrubbed of it.
    pub fn set_password(&self, password: &str) {
        if let Ok(mut secrets) = self.secrets.lock() {
            secrets.password = Some(password.to_string()).filter(|p| !p.is_empty());
        }
    }

    fn secrets(&self) -> Secrets {
        self.secrets
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Server text that may carry tokens (links, resources): tokens scrubbed by value and
    /// by shape; the password is left alone (a resource echoes our own subject, say).
    pub fn scrub_server(&self, text: &str) -> String {
        let secrets = self.secrets();
        let refs: Vec<&str> = secrets.tokens.iter().map(String::as_str).collect();
        scrub_echoes(text, &refs)
    }

    /// Text in which a server quotes what it was sent (an error message, `X-Ms-diagnostics`,
    /// a reason): tokens and the password scrubbed by value, tokens by shape.
    pub fn scrub_quoted(&self, text: &str) -> String {
        let secrets = self.secrets();
        let mut refs: Vec<&str> = secrets.tokens.iter().map(String::as_str).collect();
        refs.extend(secrets.password.as_deref());
        scrub_echoes(text, &refs)
    }

    /// One header of ours: Authorization keeps only its scheme; others lose `cwt=` values.
    fn redact_request_header(name: &str, value: &str) -> String {
        if name.eq_ignore_ascii_case("authorization") {
            let scheme = value.split_whitespace().next().unwrap_or("");
            format!("{scheme} ***")
        } else {
            redact_cwt(value)
        }
    }

    /// One body of ours, redacted by structure: secret form fields and JSON members,
    /// `cwt=` values. Nothing else is touched.
    fn redact_request_body(headers: &[(String, String)], body: &[u8]) -> Option<String> {
        if body.is_empty() {
            return None;
        }
        let text = String::from_utf8_lossy(body);
        let text = if is_form(headers) {
            redact_form_fields(&text)
        } else {
            text.into_owned()
        };
        Some(redact_cwt(&redact_json_fields(&text)))
    }

    /// A response header: scrubbed as server text; an error answer's as quoting text.
    fn scrub_response_header(&self, status: u16, name: &str, value: &str) -> String {
        if name.eq_ignore_ascii_case("authorization") {
            return Self::redact_request_header(name, value);
        }
        if (200..300).contains(&status) {
            self.scrub_server(value)
        } else {
            self.scrub_quoted(value)
        }
    }

    /// A response body: secret members by structure, then echoes as for headers.
    fn scrub_response_body(
        &self,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Option<String> {
        if body.is_empty() {
            return None;
        }
        let text = String::from_utf8_lossy(body);
        let text = if is_form(headers) {
            redact_form_fields(&text)
        } else {
            text.into_owned()
        };
        let text = redact_json_fields(&text);
        Some(if (200..300).contains(&status) {
            self.scrub_server(&text)
        } else {
            self.scrub_quoted(&text)
        })
    }

    /// Sends one request; every outcome (response or error) is recorded.
    pub async fn send(
        &self,
        request: WireRequest,
        action: Action,
    ) -> Result<WireResponse, UcwaError> {
        check_scheme(&request.url)?;
        let route = self.proxies.route(&request.url);
        if let Route::Unusable { from, why } = &route {
            return Err(UcwaError::Refused(format!(
                "{action}: the proxy set by {from} cannot be used for {}: {why}",
                request.url.host_str().unwrap_or("?")
            )));
        }
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let started = SystemTime::now();
        let clock = std::time::Instant::now();
        let mut builder = self
            .http
            .request(request.method.clone(), request.url.clone())
            .timeout(request.timeout);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let mut record = WireRecord {
            seq,
            started,
            elapsed: Duration::ZERO,
            method: request.method.to_string(),
            // The URL often comes from a server's link: it may carry a token.
            url: self.scrub_server(request.url.as_str()),
            request_headers: request
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Self::redact_request_header(k, v)))
                .collect(),
            request_body: request
                .body
                .as_deref()
                .and_then(|b| Self::redact_request_body(&request.headers, b)),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            error: None,
        };
        // Dropped before an answer (the event channel's long poll when the call ends): the
        // exchange is recorded as abandoned rather than lost.
        let mut abandoned = Abandoned {
            sink: self.sink.clone(),
            record: Some(record.clone()),
            clock,
        };
        let result = match &self.injected {
            Some(exchange) => exchange(request.clone())
                .await
                .map_err(|detail| (detail, None)),
            None => self.exchange(builder).await,
        };
        abandoned.record = None;
        record.elapsed = clock.elapsed();
        match result {
            Ok((status, headers, body)) => {
                record.status = Some(status);
                record.response_headers = headers
                    .iter()
                    .map(|(k, v)| (k.clone(), self.scrub_response_header(status, k, v)))
                    .collect();
                record.response_body = self.scrub_response_body(status, &headers, &body);
                tracing::debug!(seq, method = %record.method, url = %record.url, status, ms = record.elapsed.as_millis() as u64, "exchange");
                (self.sink)(record);
                Ok(WireResponse {
                    url: request.url,
                    status,
                    headers,
                    body,
                })
            }
            Err((detail, source)) => {
                let mut detail = self.scrub_server(&detail);
                if let Route::Proxy { proxy, from } = &route {
                    detail = format!(
                        "{detail} [through the proxy {} set by {from}]",
                        super::proxy::display(proxy)
                    );
                }
                record.error = Some(detail.clone());
                tracing::info!(seq, method = %record.method, url = %record.url, error = %detail, "no answer");
                (self.sink)(record);
                Err(UcwaError::Transport {
                    action,
                    detail,
                    source,
                })
            }
        }
    }

    async fn exchange(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>), (String, Option<TransportSource>)> {
        // The text users read, and the error itself kept as the source (without its URL,
        // which may carry a token).
        let describe = |e: reqwest::Error| {
            let detail = describe(&e, self.ca_cert_given);
            (detail, Some(TransportSource::new(e.without_url())))
        };
        let mut response = builder.send().await.map_err(describe)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        if response
            .content_length()
            .is_some_and(|n| n > BODY_CAP as u64)
        {
            return Err((
                format!(
                    "the response body is larger than the {} KiB limit",
                    BODY_CAP / 1024
                ),
                None,
            ));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(describe)? {
            if body.len() + chunk.len() > BODY_CAP {
                return Err((
                    format!(
                        "the response body is larger than the {} KiB limit",
                        BODY_CAP / 1024
                    ),
                    None,
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, headers, body))
    }
}

fn is_form(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("content-type")
            && v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
    })
}

/// A transport error in plain words, with the chain of causes (TLS detail included).
/// `ca_cert_given`: whether `--ca-cert` was given (changes the advice for an unknown CA).
fn describe(error: &reqwest::Error, ca_cert_given: bool) -> String {
    let host = error
        .url()
        .and_then(|u| u.host_str())
        .unwrap_or("the server")
        .to_string();
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        causes.push(s.to_string());
        source = s.source();
    }
    let chain = causes.join(": ");
    let lead = if let Some(tls) = tls_error(error) {
        explain_tls(&host, tls, ca_cert_given, std::time::SystemTime::now())
    } else if error.is_timeout() {
        format!("no answer from {host} in time")
    } else if error.is_connect() {
        format!("cannot connect to {host}")
    } else if error.is_body() || error.is_decode() {
        format!("the answer from {host} was cut off")
    } else if chain.contains("connection closed before message completed") {
        // hyper's IncompleteMessage: what a proxy's idle timeout looks like.
        format!("the connection to {host} was closed before an answer came (a proxy or load balancer cut it?)")
    } else {
        format!("the request to {host} failed")
    };
    if chain.is_empty() {
        lead
    } else {
        format!("{lead} ({chain})")
    }
}

/// Records its exchange as abandoned if dropped while still holding it.
struct Abandoned {
    sink: WireSink,
    record: Option<WireRecord>,
    clock: std::time::Instant,
}

impl Drop for Abandoned {
    fn drop(&mut self) {
        if let Some(mut record) = self.record.take() {
            record.elapsed = self.clock.elapsed();
            record.error = Some(ABANDONED.to_string());
            (self.sink)(record);
        }
    }
}

/// The `error` of an exchange still pending when it was given up (the call ended).
pub const ABANDONED: &str = "abandoned: still pending when the call ended";

/// The rustls error behind a failed request, if TLS failed: found in the source chain.
/// (An `io::Error` hides the error it wraps from `source()`, so each is opened too.)
fn tls_error(error: &reqwest::Error) -> Option<&rustls::Error> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(e) = next {
        // io::Errors may nest (an Other wrapping an InvalidData wrapping rustls's).
        let mut layer = e;
        loop {
            if let Some(tls) = layer.downcast_ref::<rustls::Error>() {
                return Some(tls);
            }
            match layer
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
            {
                Some(inner) => layer = inner,
                None => break,
            }
        }
        next = e.source();
    }
    None
}

/// What avlaunch's TLS accepts, for the message when a server has nothing in common.
pub const TLS_SUPPORTED: &str =
    "TLS 1.2 or 1.3 with ECDHE key exchange and AES-GCM or ChaCha20-Poly1305";

/// A TLS failure in plain words: what is wrong and what would fix it. `now` dates the
/// validity messages.
pub fn explain_tls(
    host: &str,
    error: &rustls::Error,
    ca_cert_given: bool,
    now: SystemTime,
) -> String {
    use rustls::{AlertDescription as Alert, CertificateError as Cert, Error as E};
    let date = |t: rustls::pki_types::UnixTime| {
        httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(t.as_secs()))
    };
    let now = httpdate::fmt_http_date(now);
    let cert = format!("the TLS certificate of {host}");
    match error {
        E::InvalidCertificate(Cert::UnknownIssuer) if ca_cert_given => format!(
            "{cert} is signed by a CA that is not trusted, not even by the --ca-cert given: is that the CA that issued this server's certificate (or is an intermediate certificate missing from the server's chain)?"
        ),
        E::InvalidCertificate(Cert::UnknownIssuer) => format!(
            "{cert} is signed by an unknown CA: for a deployment with a private CA, pass that CA's certificate with --ca-cert FILE"
        ),
        E::InvalidCertificate(Cert::ExpiredContext { not_after, .. }) => format!(
            "{cert} expired on {} (it is now {now}): the server needs a renewed certificate (or this computer's clock is wrong)",
            date(*not_after)
        ),
        E::InvalidCertificate(Cert::Expired) => format!(
            "{cert} has expired (it is now {now}): the server needs a renewed certificate (or this computer's clock is wrong)"
        ),
        E::InvalidCertificate(Cert::NotValidYetContext { not_before, .. }) => format!(
            "{cert} is not valid before {} (it is now {now}): check this computer's clock, or wait until the new certificate is valid",
            date(*not_before)
        ),
        E::InvalidCertificate(Cert::NotValidYet) => format!(
            "{cert} is not valid yet (it is now {now}): check this computer's clock"
        ),
        E::InvalidCertificate(Cert::NotValidForNameContext { presented, .. })
            if presented.is_empty() =>
        {
            format!(
                "{cert} has no subjectAltName: a name only in its Common Name (CN) is not accepted (RFC 6125); the server needs a certificate whose subjectAltName includes {host}"
            )
        }
        E::InvalidCertificate(Cert::NotValidForNameContext { presented, .. }) => {
            let names: Vec<String> = presented.iter().map(|n| presented_name(n)).collect();
            let mut text = format!(
                "{cert} is for {}, not {host}: connect with a name the certificate carries, or give the server a certificate for {host}",
                names.join(", ")
            );
            if host.to_ascii_lowercase().starts_with("lyncdiscover") {
                text.push_str(&format!(
                    " ({host} may point at a hosted or web service rather than the Skype for Business pool: check its DNS record)"
                ));
            }
            text
        }
        E::InvalidCertificate(Cert::NotValidForName) => format!(
            "{cert} does not carry the name {host}: connect with a name the certificate carries, or give the server a certificate for {host}"
        ),
        E::InvalidCertificate(Cert::InvalidPurpose | Cert::InvalidPurposeContext { .. }) => {
            format!("{cert} is not meant for a TLS server (its extended key usage)")
        }
        E::InvalidCertificate(Cert::Revoked) => format!("{cert} has been revoked by its CA"),
        E::InvalidCertificate(other) => format!("{cert} is not valid ({other:?})"),
        E::PeerIncompatible(_)
        | E::AlertReceived(
            Alert::HandshakeFailure | Alert::ProtocolVersion | Alert::InsufficientSecurity,
        ) => format!(
            "{host} has no TLS version or cipher suite in common with avlaunch, which supports {TLS_SUPPORTED} (the server may offer only TLS 1.0/1.1, or RSA key exchange and CBC ciphers)"
        ),
        E::InvalidMessage(_) | E::InappropriateMessage { .. } => format!(
            "{host} did not answer in TLS: it may be a plain-HTTP server (use its https port, or http:// for a loopback simulator) or something else listening on that port"
        ),
        E::AlertReceived(alert) => format!("{host} refused the TLS handshake ({alert:?})"),
        other => format!("TLS with {host} failed ({other})"),
    }
}

/// A name as rustls reports it (`DnsName("x")`, `IpAddress(1.2.3.4)`), plain, and with
/// anything unprintable replaced (it comes from the server).
fn presented_name(name: &str) -> String {
    let plain = name
        .strip_prefix("DnsName(\"")
        .and_then(|n| n.strip_suffix("\")"))
        .or_else(|| {
            name.strip_prefix("IpAddress(")
                .and_then(|n| n.strip_suffix(')'))
        })
        .unwrap_or(name);
    plain
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refused connection: the text users read is unchanged, and the reqwest error (and
    /// the io error under it) stays reachable through `source()`, without the URL.
    #[tokio::test]
    async fn no_answer_keeps_the_transport_error_as_its_source() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let transport =
            Transport::with_proxies(None, Arc::new(|_| {}), ProxyEnv::default()).unwrap();
        let url = Url::parse(&format!("http://127.0.0.1:{port}/ucwa?cwt=secret")).unwrap();
        let e = transport
            .send(
                WireRequest::new(reqwest::Method::GET, url),
                "reading".into(),
            )
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("reading: cannot connect to 127.0.0.1"),
            "{e}"
        );
        let source = std::error::Error::source(&e).expect("the reqwest error");
        let reqwest = match &e {
            UcwaError::Transport {
                source: Some(s), ..
            } => s.get().downcast_ref::<reqwest::Error>(),
            _ => None,
        };
        assert!(
            reqwest.is_some_and(|r| r.is_connect() && r.url().is_none()),
            "{e:?}"
        );
        assert!(!source.to_string().contains("cwt="), "{source}");
        let mut chain = Vec::new();
        let mut next = source.source();
        while let Some(s) = next {
            chain.push(s.to_string());
            next = s.source();
        }
        assert!(!chain.is_empty(), "the io error under reqwest's");
    }

    #[test]
    fn every_tls_cause_says_what_is_wrong_and_what_fixes_it() {
        use rustls::pki_types::{ServerName, UnixTime};
        use rustls::{CertificateError as Cert, Error as E};
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let at = |s| UnixTime::since_unix_epoch(Duration::from_secs(s));
        let name = |n: &[&str]| {
            E::InvalidCertificate(Cert::NotValidForNameContext {
                expected: ServerName::try_from("lyncdiscover.contoso.com").unwrap(),
                presented: n.iter().map(|s| s.to_string()).collect(),
            })
        };
        let cases: Vec<(E, bool, &str)> = vec![
            (E::InvalidCertificate(Cert::UnknownIssuer), false, "unknown CA: for a deployment with a private CA, pass that CA's certificate with --ca-cert FILE"),
            (E::InvalidCertificate(Cert::UnknownIssuer), true, "not even by the --ca-cert given"),
            (E::InvalidCertificate(Cert::ExpiredContext { time: at(1_700_000_000), not_after: at(1_600_000_000) }), false, "expired on Sun, 13 Sep 2020 12:26:40 GMT (it is now Tue, 14 Nov 2023 22:13:20 GMT)"),
            (E::InvalidCertificate(Cert::NotValidYetContext { time: at(1_700_000_000), not_before: at(1_800_000_000) }), false, "is not valid before Fri, 15 Jan 2027 08:00:00 GMT"),
            (name(&[]), true, "has no subjectAltName"),
            (name(&["DnsName(\"*.hosted.example\")", "IpAddress(10.0.0.1)"]), true, "is for *.hosted.example, 10.0.0.1, not lyncdiscover.contoso.com"),
            (E::PeerIncompatible(rustls::PeerIncompatible::NoCipherSuitesInCommon), false, TLS_SUPPORTED),
            (E::AlertReceived(rustls::AlertDescription::ProtocolVersion), false, "no TLS version or cipher suite in common"),
            (E::InvalidMessage(rustls::InvalidMessage::InvalidContentType), false, "did not answer in TLS: it may be a plain-HTTP server"),
        ];
        for (error, ca, expected) in cases {
            let text = explain_tls("lyncdiscover.contoso.com", &error, ca, now);
            assert!(text.contains(expected), "{error:?}: {text}");
            if ca {
                assert!(!text.contains("pass that CA"), "{text}");
            }
        }
        let text = explain_tls(
            "lyncdiscover.contoso.com",
            &name(&["DnsName(\"a\u{1b}[2J\")"]),
            true,
            now,
        );
        assert!(text.contains("is for a?[2J,"), "{text}");
        assert!(text.contains("check its DNS record"), "{text}");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "https://lyncdiscover.contoso.com/",
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://localhost/",
        ] {
            assert!(check_scheme(&Url::parse(ok).unwrap()).is_ok(), "{ok}");
        }
        for refused in [
            "http://lyncdiscover.contoso.com/",
            "http://10.0.0.1/",
            "ftp://127.0.0.1/",
        ] {
            let e = check_scheme(&Url::parse(refused).unwrap()).unwrap_err();
            assert!(e.to_string().starts_with("refusing"), "{refused}: {e}");
        }
    }
}
