//! `avlaunch doctor`: a connectivity report. Walks a deployment the way a call would —
//! DNS, TCP, TLS, discovery, sign-in, the application, what it offers, the event channel,
//! clean-up — and stops short of calling. One verdict per check, with what was seen and
//! what to do next.
//!
//! The engine knows nothing of screens or output formats: it sends each `Check` on a channel
//! as it finishes, so the CLI (`doctor::output`) and the UI's checklist share it. A failed
//! check ends the walk and the rest are `skip`; an application that was created is deleted on
//! every way out.

pub mod output;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use url::Url;

use crate::ucwa::diagnostics::Diagnostic;
use crate::ucwa::session::{self, Connection, Server, Session};
use crate::ucwa::transport::WireRecord;
use crate::ucwa::{discover, UcwaError};

/// The checks, in the order they run.
pub const CHECKS: [&str; 9] = [
    "dns",
    "connect",
    "tls",
    "discovery",
    "sign-in",
    "application",
    "capabilities",
    "events",
    "cleanup",
];

/// The links `capabilities` looks for, in the order they are listed (UCWA link relations).
pub const CAPABILITIES: [&str; 5] = [
    "startAudioVideo",
    "startPhoneAudio",
    "search",
    "makeMeAvailable",
    "myOnlineMeetings",
];

/// The exchanges of discovery and sign-in: (method, URL, status).
type Hops = Arc<Mutex<Vec<(String, String, Option<u16>)>>>;

/// Each network step gives up after this.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `events` waits for the channel to deliver what `makeMeAvailable` caused.
pub const EVENTS_WAIT: Duration = Duration::from_secs(5);

/// One check's verdict, ordered from best to worst (`skip` sorts first: it never decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Skip,
    Pass,
    Warn,
    Fail,
}

impl Verdict {
    /// `pass`, `warn`, `fail` or `skip`.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
            Verdict::Skip => "skip",
        }
    }
}

/// One finished check.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// One of `CHECKS`.
    pub name: &'static str,
    pub verdict: Verdict,
    /// What was seen and, unless it passed, what to do next (plain words, server text
    /// scrubbed of echoed secrets; the caller sanitizes it for a terminal).
    pub detail: String,
    /// Time the check took, milliseconds.
    pub ms: u64,
    /// `capabilities` only: the links of `CAPABILITIES` the application offers.
    pub offered: Option<Vec<String>>,
}

/// The summary of a walk: the worst verdict and the exit code (0 all pass, 1 some warn,
/// 3 some fail).
pub fn summary(checks: &[Check]) -> (Verdict, u8) {
    let worst = checks
        .iter()
        .map(|c| c.verdict)
        .max()
        .unwrap_or(Verdict::Pass);
    match worst {
        Verdict::Fail => (Verdict::Fail, 3),
        Verdict::Warn => (Verdict::Warn, 1),
        _ => (Verdict::Pass, 0),
    }
}

/// Sends the checks in order.
struct Walk {
    tx: mpsc::UnboundedSender<Check>,
    done: usize,
    started: Instant,
}

impl Walk {
    fn send(&mut self, verdict: Verdict, detail: String) -> Verdict {
        self.send_with(verdict, detail, None)
    }

    fn send_with(
        &mut self,
        verdict: Verdict,
        detail: String,
        offered: Option<Vec<String>>,
    ) -> Verdict {
        let name = CHECKS[self.done];
        self.done += 1;
        let _ = self.tx.send(Check {
            name,
            verdict,
            detail,
            ms: self.started.elapsed().as_millis() as u64,
            offered,
        });
        self.started = Instant::now();
        verdict
    }

    /// Every check not run yet, as `skip`.
    fn skip_rest(&mut self, why: &str) {
        while self.done < CHECKS.len() {
            self.started = Instant::now();
            self.send(Verdict::Skip, why.to_string());
        }
    }
}

/// An error in plain words, with its decoded `X-Ms-diagnostics`.
fn describe(e: &UcwaError) -> String {
    let mut text = e.to_string();
    for d in e.diagnostics() {
        text.push_str(&format!(" · diagnostics: {}", diagnostic_line(&d)));
    }
    text
}

fn diagnostic_line(d: &Diagnostic) -> String {
    d.line()
}

/// Runs every check against `connection`, sending each as it finishes. Ends after the
/// last check (the receiver may go away at any time: the walk then stops at the next
/// check, still deleting the application).
pub async fn run(connection: Connection, tx: mpsc::UnboundedSender<Check>) {
    let mut walk = Walk {
        tx,
        done: 0,
        started: Instant::now(),
    };
    let after_fail = "not run: an earlier check failed";

    // dns: every candidate name, in order, until one resolves.
    let candidates = match &connection.server {
        Server::Url(url) => vec![url.clone()],
        Server::Auto => match discover::auto_candidates(&connection.user) {
            Ok(c) => c,
            Err(e) => {
                walk.send(
                    Verdict::Fail,
                    format!("{e}: give --server URL, or a sign-in name user@domain"),
                );
                return walk.skip_rest(after_fail);
            }
        },
    };
    let Some((chosen, addresses)) = dns(&mut walk, &candidates).await else {
        return walk.skip_rest(after_fail);
    };

    // connect: TCP to each address in turn.
    let host = chosen.host_str().unwrap_or_default().to_string();
    let port = chosen.port_or_known_default().unwrap_or(443);
    let mut failures = Vec::new();
    let mut connected = None;
    for addr in &addresses {
        let t = Instant::now();
        match tokio::time::timeout(STEP_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                connected = Some((stream, *addr, t.elapsed()));
                break;
            }
            Ok(Err(e)) => failures.push(format!("{addr}: {e}")),
            Err(_) => failures.push(format!("{addr}: no answer in {} s", STEP_TIMEOUT.as_secs())),
        }
    }
    let Some((stream, addr, took)) = connected else {
        walk.send(
            Verdict::Fail,
            format!(
                "no address of {host} accepted a TCP connection on port {port} ({}): check the server is running and that no firewall blocks port {port} from here",
                failures.join("; ")
            ),
        );
        return walk.skip_rest(after_fail);
    };
    let mut detail = format!("{addr} accepted in {} ms", took.as_millis());
    if !failures.is_empty() {
        detail.push_str(&format!(" (after {})", failures.join("; ")));
    }
    walk.send(Verdict::Pass, detail);

    // tls
    if chosen.scheme() == "http" {
        drop(stream);
        walk.send(
            Verdict::Skip,
            format!("plain http to the loopback host {host}: no TLS"),
        );
    } else {
        let verdict = tls(&mut walk, stream, &host, connection.ca_cert.as_deref()).await;
        if verdict == Verdict::Fail {
            return walk.skip_rest(after_fail);
        }
    }

    // discovery: the candidate that resolved, its redirect hops recorded.
    let exchanges: Hops = Arc::default();
    let wire = {
        let exchanges = exchanges.clone();
        Arc::new(move |r: WireRecord| {
            if let Ok(mut e) = exchanges.lock() {
                e.push((r.method, r.url, r.status));
            }
        })
    };
    let connection = Connection {
        server: Server::Url(chosen.clone()),
        ..connection
    };
    let client = match session::new_client(&connection, wire, Arc::new(|_| {})) {
        Ok(c) => c,
        Err(e) => {
            walk.send(Verdict::Fail, describe(&e));
            return walk.skip_rest(after_fail);
        }
    };
    let hops = |exchanges: &Hops| -> String {
        let mut list = exchanges
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default();
        list.dedup();
        list.iter()
            .map(|(m, u, s)| match s {
                Some(s) => format!("{m} {u} → {s}"),
                None => format!("{m} {u} → no answer"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let user =
        match tokio::time::timeout(STEP_TIMEOUT, session::discover(&client, &connection)).await {
            Ok(Ok(user)) => {
                walk.send(
                    Verdict::Pass,
                    format!("user resource {user} ({})", hops(&exchanges)),
                );
                user
            }
            Ok(Err(e)) => {
                walk.send(
                    Verdict::Fail,
                    format!("{} ({})", describe(&e), hops(&exchanges)),
                );
                return walk.skip_rest(after_fail);
            }
            Err(_) => {
                walk.send(
                    Verdict::Fail,
                    format!(
                        "no answer in {} s ({})",
                        STEP_TIMEOUT.as_secs(),
                        hops(&exchanges)
                    ),
                );
                return walk.skip_rest(after_fail);
            }
        };

    // sign-in
    let applications = match tokio::time::timeout(STEP_TIMEOUT, discover::sign_in(&client, user))
        .await
    {
        Ok(Ok(applications)) => {
            let how = if connection.token.is_some() {
                "the given token (AVLAUNCH_TOKEN) was accepted"
            } else {
                "password grant accepted, token issued"
            };
            walk.send(
                Verdict::Pass,
                format!("{how}; applications at {applications}"),
            );
            applications
        }
        Ok(Err(e)) => {
            walk.send(
                Verdict::Fail,
                format!(
                    "{} ({}); check the user name and password; a deployment that offers no password grant needs a ready token in AVLAUNCH_TOKEN",
                    describe(&e),
                    hops(&exchanges)
                ),
            );
            return walk.skip_rest(after_fail);
        }
        Err(_) => {
            walk.send(
                Verdict::Fail,
                format!(
                    "no answer in {} s ({})",
                    STEP_TIMEOUT.as_secs(),
                    hops(&exchanges)
                ),
            );
            return walk.skip_rest(after_fail);
        }
    };

    // application
    let session =
        match tokio::time::timeout(STEP_TIMEOUT, Session::create(client, applications.clone()))
            .await
        {
            Ok(Ok(s)) => {
                let pool = Url::parse(&s.links().application)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_else(|| applications.host_str().unwrap_or_default().to_string());
                walk.send(
                    Verdict::Pass,
                    format!("created {} on the pool {pool}", s.links().application),
                );
                s
            }
            Ok(Err(e)) => {
                walk.send(Verdict::Fail, describe(&e));
                return walk.skip_rest(after_fail);
            }
            Err(_) => {
                walk.send(
                    Verdict::Fail,
                    format!("no answer in {} s", STEP_TIMEOUT.as_secs()),
                );
                return walk.skip_rest(after_fail);
            }
        };

    let verdict = capabilities_and_events(&mut walk, &session).await;

    // cleanup: always, even after a failure (then reported as skip with what happened).
    let closed = session.close().await;
    if verdict == Verdict::Fail {
        let what = match closed {
            Ok(()) => "not run: an earlier check failed (the application was deleted)",
            Err(_) => "not run: an earlier check failed (deleting the application failed too)",
        };
        return walk.skip_rest(what);
    }
    match closed {
        Ok(()) => walk.send(Verdict::Pass, "application deleted".into()),
        Err(Some(e)) => walk.send(
            Verdict::Fail,
            format!(
                "{}: the server keeps the application until it times out (about 15 minutes)",
                describe(&e)
            ),
        ),
        Err(None) => walk.send(
            Verdict::Fail,
            format!(
                "DELETE of the application got no answer in {} s",
                session::CLOSE_BOUND.as_secs()
            ),
        ),
    };
}

async fn dns(walk: &mut Walk, candidates: &[Url]) -> Option<(Url, Vec<SocketAddr>)> {
    let mut seen = Vec::new();
    for url in candidates {
        let Some(host) = url.host() else { continue };
        let port = url.port_or_known_default().unwrap_or(443);
        let found: Result<Vec<SocketAddr>, String> = match host {
            url::Host::Ipv4(ip) => Ok(vec![SocketAddr::from((ip, port))]),
            url::Host::Ipv6(ip) => Ok(vec![SocketAddr::from((ip, port))]),
            url::Host::Domain(name) => {
                match tokio::time::timeout(STEP_TIMEOUT, tokio::net::lookup_host((name, port)))
                    .await
                {
                    Ok(Ok(addrs)) => Ok(addrs.collect()),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err(format!("no answer in {} s", STEP_TIMEOUT.as_secs())),
                }
            }
        };
        let name = url.host_str().unwrap_or_default();
        match found {
            Ok(addrs) if !addrs.is_empty() => {
                let list: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
                let how = if matches!(host, url::Host::Domain(_)) {
                    "resolved to"
                } else {
                    "is an address:"
                };
                seen.push(format!("{name} {how} {}", list.join(", ")));
                walk.send(Verdict::Pass, seen.join("; "));
                return Some((url.clone(), addrs));
            }
            Ok(_) => seen.push(format!("{name}: no address, trying the next name")),
            Err(e) => seen.push(format!("{name}: {e}, trying the next name")),
        }
    }
    let last = seen
        .pop()
        .map(|s| s.replace(", trying the next name", ""))
        .unwrap_or_default();
    seen.push(last);
    walk.send(
        Verdict::Fail,
        format!(
            "{}: no name resolved; check the DNS records (lyncdiscoverinternal.<domain> inside, lyncdiscover.<domain> outside) or give --server URL",
            seen.join("; ")
        ),
    );
    None
}

/// Days to expiry under which `tls` warns.
pub const EXPIRY_WARN_DAYS: i64 = 30;

/// What the server's certificate says, read from its DER (RFC 5280 §4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSummary {
    /// The subject's Common Name, if any.
    pub subject: String,
    /// subjectAltName dNSName and iPAddress entries.
    pub names: Vec<String>,
    /// The issuer's Common Name (else the whole issuer name).
    pub issuer: String,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: i64,
}

/// Reads a certificate; `None` if it cannot be parsed.
pub fn read_certificate(der: &[u8]) -> Option<CertSummary> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let cn = |name: &X509Name| {
        name.iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok().map(str::to_string))
            .unwrap_or_else(|| name.to_string())
    };
    let names = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    GeneralName::DNSName(d) => Some(d.to_string()),
                    GeneralName::IPAddress(b) if b.len() == 4 => {
                        Some(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string())
                    }
                    GeneralName::IPAddress(b) if b.len() == 16 => <[u8; 16]>::try_from(*b)
                        .ok()
                        .map(|a| std::net::Ipv6Addr::from(a).to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Some(CertSummary {
        subject: cn(cert.subject()),
        names,
        issuer: cn(cert.issuer()),
        not_after: cert.validity().not_after.timestamp(),
    })
}

/// Keeps the end-entity certificate the server presented, then verifies as every request
/// does (rustls's WebPKI verifier with the same roots).
#[derive(Debug)]
struct Capture {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    seen: Arc<Mutex<Option<rustls::pki_types::CertificateDer<'static>>>>,
}

impl rustls::client::danger::ServerCertVerifier for Capture {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(end_entity.clone().into_owned());
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The certificate in words: subject, names, issuer, expiry.
fn certificate_words(cert: &CertSummary, now: i64) -> String {
    let days = (cert.not_after - now).div_euclid(86_400);
    let expiry = httpdate::fmt_http_date(
        std::time::UNIX_EPOCH + Duration::from_secs(cert.not_after.max(0) as u64),
    );
    let names = if cert.names.is_empty() {
        "none".to_string()
    } else {
        cert.names.join(", ")
    };
    let left = if days < 0 {
        format!("expired {} days ago", -days)
    } else {
        format!("{days} days left")
    };
    format!(
        "certificate CN={} names: {names}; issuer {}; expires {expiry} ({left})",
        cert.subject, cert.issuer
    )
}

/// The TLS handshake with the verification every request uses (the public roots plus
/// `--ca-cert`), on the connection `connect` opened; the presented certificate is read
/// whether or not it verifies.
async fn tls(
    walk: &mut Walk,
    stream: tokio::net::TcpStream,
    host: &str,
    ca_cert: Option<&[u8]>,
) -> Verdict {
    use rustls::pki_types::ServerName;
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(pem) = ca_cert {
        let mut reader = std::io::BufReader::new(pem);
        for cert in rustls_pemfile_certs(&mut reader) {
            let _ = roots.add(cert);
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = match rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    {
        Ok(v) => v,
        Err(e) => return walk.send(Verdict::Fail, format!("internal TLS set-up error: {e}")),
    };
    let seen = Arc::new(Mutex::new(None));
    let capture = Arc::new(Capture {
        inner: verifier,
        seen: seen.clone(),
    });
    let config = match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(capture)
            .with_no_client_auth(),
        Err(e) => return walk.send(Verdict::Fail, format!("internal TLS set-up error: {e}")),
    };
    let Ok(name) = ServerName::try_from(host.to_string()) else {
        return walk.send(
            Verdict::Fail,
            format!("{host} is not a valid TLS server name"),
        );
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let presented = || {
        seen.lock()
            .ok()
            .and_then(|s| s.as_ref().and_then(|der| read_certificate(der)))
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    match tokio::time::timeout(STEP_TIMEOUT, connector.connect(name, stream)).await {
        Ok(Ok(tls)) => {
            let (_, conn) = tls.get_ref();
            let version = conn
                .protocol_version()
                .map(|v| format!("{v:?}").replace("TLSv1_", "TLS 1."))
                .unwrap_or_default();
            match presented() {
                Some(cert) => {
                    let days = (cert.not_after - now).div_euclid(86_400);
                    let words = certificate_words(&cert, now);
                    if days < EXPIRY_WARN_DAYS {
                        walk.send(
                            Verdict::Warn,
                            format!("{version}; {words}: renew the certificate before it expires"),
                        )
                    } else {
                        walk.send(Verdict::Pass, format!("{version}; {words}"))
                    }
                }
                None => walk.send(
                    Verdict::Warn,
                    format!("{version}; the certificate verified but could not be read"),
                ),
            }
        }
        Ok(Err(e)) => {
            let text = match e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                Some(tls) => crate::ucwa::transport::explain_tls(
                    host,
                    tls,
                    ca_cert.is_some(),
                    std::time::SystemTime::now(),
                ),
                None => format!("the TLS handshake with {host} failed: {e}"),
            };
            let cert = presented()
                .map(|c| format!(" ({})", certificate_words(&c, now)))
                .unwrap_or_default();
            walk.send(Verdict::Fail, format!("{text}{cert}"))
        }
        Err(_) => walk.send(
            Verdict::Fail,
            format!(
                "the TLS handshake with {host} got no answer in {} s",
                STEP_TIMEOUT.as_secs()
            ),
        ),
    }
}

/// The certificates of a PEM file (`--ca-cert` was read and checked before).
fn rustls_pemfile_certs(
    reader: &mut dyn std::io::BufRead,
) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    let mut pem = Vec::new();
    let _ = reader.read_to_end(&mut pem);
    rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .filter_map(Result::ok)
        .collect()
}

/// `capabilities`, then `events`; the worst verdict of the two.
async fn capabilities_and_events(walk: &mut Walk, session: &Session) -> Verdict {
    let links = session.links();
    let offered: Vec<String> = CAPABILITIES
        .iter()
        .filter(|rel| links.link(rel).is_some())
        .map(|rel| rel.to_string())
        .collect();
    let has = |rel: &str| offered.iter().any(|o| o == rel);
    let list = if offered.is_empty() {
        "none of them".to_string()
    } else {
        offered.join(", ")
    };
    let (verdict, meaning) = if has("startAudioVideo") {
        (Verdict::Pass, "audio/video calls can be placed")
    } else if has("startPhoneAudio") {
        (
            Verdict::Warn,
            "Call via Work only: startAudioVideo is not offered to this application; place calls with --via-phone YOUR_NUMBER",
        )
    } else {
        (
            Verdict::Fail,
            "no calling at all: neither startAudioVideo nor startPhoneAudio is offered; ask the administrator to enable audio/video or Call via Work for this user (and for UCWA applications)",
        )
    };
    let v = walk.send_with(
        verdict,
        format!("offered: {list}; {meaning}"),
        Some(offered.clone()),
    );
    if v == Verdict::Fail {
        return v;
    }

    // events: park the first P-GET, then prove delivery with makeMeAvailable's events.
    let t = Instant::now();
    session.open_events().await;
    let mut pages = session.subscribe();
    let Some(available) = links.make_me_available.clone() else {
        let parked = session.is_open();
        return match parked {
            true => walk.send(Verdict::Warn, "the first P-GET is parked, but delivery is not proven: makeMeAvailable is not offered, so nothing could be made to happen".into()),
            false => walk.send(Verdict::Fail, "the event channel failed at once".into()),
        };
    };
    use crate::ucwa::resource::{Input, Value};
    let input = Input {
        properties: vec![
            ("signInAs".into(), Value::text("Online")),
            (
                "supportedModalities".into(),
                Value::List(vec![Value::text("Messaging")]),
            ),
        ],
        links: Vec::new(),
    };
    if let Err(e) = session
        .client()
        .post(&available, Some(&input), "making me available")
        .await
    {
        return walk.send(Verdict::Warn, format!("the first P-GET is parked, but makeMeAvailable was refused, so delivery is not proven: {}", describe(&e)));
    }
    let deadline = tokio::time::Instant::now() + EVENTS_WAIT;
    loop {
        match tokio::time::timeout_at(deadline, pages.recv()).await {
            Ok(Some(Ok(page))) if page.events().next().is_some() => {
                return walk.send(Verdict::Pass, format!("the parked P-GET answered with events {} ms after makeMeAvailable", t.elapsed().as_millis()));
            }
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => return walk.send(Verdict::Fail, format!("the event channel failed: {}", describe(&e))),
            Ok(None) => return walk.send(Verdict::Fail, "the event channel ended".into()),
            Err(_) => {
                return walk.send(
                    Verdict::Fail,
                    format!("the event channel never answered: no events {} s after makeMeAvailable; calls would never see their progress. Check that proxies and load balancers in front of the pool let a request be held for 180 s and do not buffer responses", EVENTS_WAIT.as_secs()),
                )
            }
        }
    }
}
