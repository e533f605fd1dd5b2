//! The `tls` check: the handshake as every request makes it, and the server's certificate
//! read (names, issuer, expiry) whether or not it verifies.

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
                "the TLS handshake with {host} got no answer in {} s",
                STEP_TIMEOUT.as_secs()
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
