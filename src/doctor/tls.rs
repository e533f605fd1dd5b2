//! The `tls` check: the handshake as every request makes it, and the server's certificate
//! read (names, issuer, expiry) whether or not it verifies.

use crate::seconds::format_seconds;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName};

use super::{Verdict, Walk, STEP_TIMEOUT};

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

/// Reads a certificate; `None` if it cannot be parsed (RFC 5280 §4.1: the subject's and
/// issuer's Common Name, §4.2.1.6: subjectAltName, §4.1.2.5: notAfter).
pub fn read_certificate(der: &[u8]) -> Option<CertSummary> {
    use x509_cert::der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
    use x509_cert::der::{Decode, Tag, Tagged};
    use x509_cert::ext::pkix::name::GeneralName;
    use x509_cert::ext::pkix::SubjectAltName;
    use x509_cert::name::Name;

    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let tbs = &cert.tbs_certificate;
    // The first Common Name as text (any of the string types a CA may use), else the whole
    // name as RFC 4514 writes it.
    let cn = |name: &Name| {
        name.0
            .iter()
            .flat_map(|rdn| rdn.0.iter())
            .filter(|atv| atv.oid == x509_cert::der::oid::db::rfc4519::CN)
            .find_map(|atv| {
                let v = &atv.value;
                match v.tag() {
                    Tag::Utf8String => Utf8StringRef::try_from(v).ok().map(|s| s.to_string()),
                    Tag::PrintableString => {
                        PrintableStringRef::try_from(v).ok().map(|s| s.to_string())
                    }
                    Tag::Ia5String => Ia5StringRef::try_from(v).ok().map(|s| s.to_string()),
                    Tag::TeletexString => TeletexStringRef::try_from(v).ok().map(|s| s.to_string()),
                    _ => None,
                }
            })
            .unwrap_or_else(|| name.to_string())
    };
    let names = match tbs.get::<SubjectAltName>() {
        Ok(Some((_, san))) => san
            .0
            .iter()
            .filter_map(|n| match n {
                GeneralName::DnsName(d) => Some(d.to_string()),
                GeneralName::IpAddress(b) => match b.as_bytes().len() {
                    4 => <[u8; 4]>::try_from(b.as_bytes())
                        .ok()
                        .map(|a| std::net::Ipv4Addr::from(a).to_string()),
                    16 => <[u8; 16]>::try_from(b.as_bytes())
                        .ok()
                        .map(|a| std::net::Ipv6Addr::from(a).to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let not_after = tbs.validity.not_after.to_unix_duration().as_secs();
    Some(CertSummary {
        subject: cn(&tbs.subject),
        names,
        issuer: cn(&tbs.issuer),
        not_after: i64::try_from(not_after).ok()?,
    })
}

/// Keeps the end-entity certificate the server presented, then verifies as every request
/// does (rustls's WebPKI verifier with the same roots).
#[derive(Debug)]
struct Capture {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    seen: Seen,
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

/// The presented end-entity certificate, kept by `Capture`.
type Seen = Arc<Mutex<Option<CertificateDer<'static>>>>;

/// `tls`: the TLS handshake with the verification every request uses (the public roots plus
/// `--ca-cert`), on the connection `connect` opened; the presented certificate is read
/// whether or not it verifies.
pub(super) async fn tls(
    walk: &mut Walk,
    stream: tokio::net::TcpStream,
    host: &str,
    ca_cert: Option<&[u8]>,
) -> Verdict {
    let (config, seen) = match client_config(ca_cert) {
        Ok(c) => c,
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
            let (verdict, detail) = verified(&version, presented(), now);
            walk.send(verdict, detail)
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
                "the TLS handshake with {host} got no answer in {}",
                format_seconds(STEP_TIMEOUT)
            ),
        ),
    }
}

/// The verdict on a handshake that verified: `warn` when the certificate expires within
/// `EXPIRY_WARN_DAYS` or could not be read.
fn verified(version: &str, cert: Option<CertSummary>, now: i64) -> (Verdict, String) {
    let Some(cert) = cert else {
        return (
            Verdict::Warn,
            format!("{version}; the certificate verified but could not be read"),
        );
    };
    let days = (cert.not_after - now).div_euclid(86_400);
    let words = certificate_words(&cert, now);
    if days < EXPIRY_WARN_DAYS {
        (
            Verdict::Warn,
            format!("{version}; {words}: renew the certificate before it expires"),
        )
    } else {
        (Verdict::Pass, format!("{version}; {words}"))
    }
}

/// The client configuration every request uses (rustls with ring, the WebPKI roots plus
/// `--ca-cert`), its verifier wrapped to keep the presented certificate in the second value.
fn client_config(ca_cert: Option<&[u8]>) -> Result<(rustls::ClientConfig, Seen), String> {
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
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .map_err(|e| e.to_string())?;
    let seen: Seen = Arc::new(Mutex::new(None));
    let capture = Arc::new(Capture {
        inner: verifier,
        seen: seen.clone(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(capture)
        .with_no_client_auth();
    Ok((config, seen))
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
