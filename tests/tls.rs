//! Certificate verification is always on: a self-signed deployment is refused with a
//! message naming the host, and accepted with `--ca-cert`. The TLS server is
//! `openssl s_server` with a certificate made for the test.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn self_signed(dir: &std::path::Path) -> (String, String) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
        ])
        .args([
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl is installed");
    assert!(status.success());
    (cert.display().to_string(), key.display().to_string())
}

fn serve(cert: &str, key: &str) -> (Server, u16) {
    serve_with(cert, key, &[])
}

fn serve_with(cert: &str, key: &str, extra: &[&str]) -> (Server, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-www",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            cert,
            "-key",
            key,
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server starts");
    let server = Server(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "s_server did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
}

fn call(port: u16, extra: &[&str]) -> (Option<i32>, String) {
    call_host("127.0.0.1", port, extra)
}

fn call_host(host: &str, port: u16, extra: &[&str]) -> (Option<i32>, String) {
    let out = common::avlaunch()
        .args([
            "call",
            "--server",
            &format!("https://{host}:{port}/"),
            "--user",
            "a@contoso.com",
        ])
        .args(["--to", "sip:alice@contoso.com", "--timeout", "5"])
        .args(extra)
        .envs(common::home_env())
        .env("AVLAUNCH_PASSWORD", "x")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_private_ca_is_refused_by_name_and_accepted_with_ca_cert() {
    // Removed on drop, the private key with it, whether the test passes or not.
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path().to_path_buf();
    let (cert, key) = self_signed(&dir);
    let (_server, port) = serve(&cert, &key);

    let (code, stderr) = call(port, &[]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("the TLS certificate of 127.0.0.1 is signed by an unknown CA: for a deployment with a private CA, pass that CA's certificate with --ca-cert FILE"),
        "{stderr}"
    );

    // Trusted now: the handshake succeeds and the HTML status page is reported as such.
    let (code, stderr) = call(port, &["--ca-cert", &cert]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(!stderr.contains("certificate"), "{stderr}");
    assert!(
        stderr.contains("sent text/html instead of a UCWA resource"),
        "{stderr}"
    );
}

#[test]
fn a_ca_cert_that_is_not_pem_is_refused() {
    let (code, stderr) = call(1, &["--ca-cert", "/etc/hostname"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--ca-cert: '/etc/hostname' holds no PEM certificate"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was sent"), "{stderr}");
}

fn openssl(args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("openssl is installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A private CA (P-256 keys: quick to make) that signs leaf certificates with any
/// extensions and validity dates, through `openssl ca`.
struct Ca {
    dir: std::path::PathBuf,
}

impl Ca {
    fn new(dir: &std::path::Path, name: &str) -> Ca {
        let ca = Ca {
            dir: dir.join(name),
        };
        std::fs::create_dir_all(&ca.dir).unwrap();
        std::fs::write(ca.dir.join("index.txt"), "").unwrap();
        std::fs::write(ca.dir.join("serial"), "1000\n").unwrap();
        std::fs::write(
            ca.dir.join("ca.cnf"),
            format!(
                "[ca]\ndefault_ca = d\n[d]\ndatabase = {d}/index.txt\nnew_certs_dir = {d}\nserial = {d}/serial\n\
                 default_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n",
                d = ca.dir.display()
            ),
        )
        .unwrap();
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            &ca.path("ca.key"),
            "-out",
            &ca.cert(),
        ]);
        ca
    }

    fn path(&self, file: &str) -> String {
        self.dir.join(file).display().to_string()
    }

    fn cert(&self) -> String {
        self.path("ca.pem")
    }

    /// A leaf for CN `cn` with extension lines `ext`, valid from `start` to `end`
    /// (`YYYYMMDDHHMMSSZ`); returns (cert, key).
    fn leaf(&self, file: &str, cn: &str, ext: &str, start: &str, end: &str) -> (String, String) {
        let (key, csr, cert, extfile) = (
            self.path(&format!("{file}.key")),
            self.path(&format!("{file}.csr")),
            self.path(&format!("{file}.pem")),
            self.path(&format!("{file}.ext")),
        );
        std::fs::write(&extfile, ext).unwrap();
        openssl(&[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            &format!("/CN={cn}"),
            "-keyout",
            &key,
            "-out",
            &csr,
        ]);
        openssl(&[
            "ca",
            "-batch",
            "-notext",
            "-config",
            &self.path("ca.cnf"),
            "-cert",
            &self.cert(),
            "-keyfile",
            &self.path("ca.key"),
            "-in",
            &csr,
            "-out",
            &cert,
            "-extfile",
            &extfile,
            "-startdate",
            start,
            "-enddate",
            end,
        ]);
        (cert, key)
    }
}

/// A plain-HTTP server: answers anything with a 400 page, as a web server does to a
/// TLS ClientHello.
fn plain_http() -> u16 {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request",
            );
        }
    });
    port
}

const SERVER_EXT: &str = "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";

/// One certificate (or server) per cause; every message says what is wrong and what would
/// fix it, and none tells a user who gave the right --ca-cert to give one.
#[test]
fn every_tls_failure_is_named_by_its_cause() {
    // Removed on drop, the private keys with it, whether the test passes or not.
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new(dir.path(), "avlaunch Test Root CA");
    let other = Ca::new(dir.path(), "Some Other CA");
    let (now, later) = ("20240101000000Z", "20450101000000Z");
    let san_ip = format!("{SERVER_EXT}subjectAltName=IP:127.0.0.1\n");
    let hosted =
        format!("{SERVER_EXT}subjectAltName=DNS:lync.hosted.example,DNS:*.hosted.example\n");

    let good = ca.leaf("good", "127.0.0.1", &san_ip, now, later);
    let cn_only = ca.leaf("cn-only", "127.0.0.1", SERVER_EXT, now, later);
    let wrong_name = ca.leaf("wrong-name", "lync.hosted.example", &hosted, now, later);
    let expired = ca.leaf(
        "expired",
        "127.0.0.1",
        &san_ip,
        "20200101000000Z",
        "20210101000000Z",
    );
    let future = ca.leaf("future", "127.0.0.1", &san_ip, "20400101000000Z", later);
    let by_other = other.leaf("by-other", "127.0.0.1", &san_ip, now, later);

    let ca_pem = ca.cert();
    let with_ca = ["--ca-cert", ca_pem.as_str()];
    type Case<'a> = (
        &'a str,
        (&'a str, &'a str),
        &'a [&'a str],
        &'a str,
        &'a [&'a str],
    );
    let cases: Vec<Case> = vec![
        (
            "unknown issuer, --ca-cert of another CA",
            (&by_other.0, &by_other.1), &[], "127.0.0.1",
            &["the TLS certificate of 127.0.0.1 is signed by a CA that is not trusted, not even by the --ca-cert given"],
        ),
        (
            "no subjectAltName (CN only)",
            (&cn_only.0, &cn_only.1), &[], "127.0.0.1",
            &["the TLS certificate of 127.0.0.1 has no subjectAltName: a name only in its Common Name (CN) is not accepted", "needs a certificate whose subjectAltName includes 127.0.0.1"],
        ),
        (
            "name mismatch",
            (&wrong_name.0, &wrong_name.1), &[], "localhost",
            &["the TLS certificate of localhost is for lync.hosted.example, *.hosted.example, not localhost"],
        ),
        (
            "expired",
            (&expired.0, &expired.1), &[], "127.0.0.1",
            &["the TLS certificate of 127.0.0.1 expired on Fri, 01 Jan 2021 00:00:00 GMT (it is now ", "needs a renewed certificate"],
        ),
        (
            "not yet valid",
            (&future.0, &future.1), &[], "127.0.0.1",
            &["the TLS certificate of 127.0.0.1 is not valid before Sun, 01 Jan 2040 00:00:00 GMT (it is now ", "check this computer's clock"],
        ),
        (
            "no cipher suite in common",
            (&good.0, &good.1), &["-tls1_2", "-cipher", "AES128-SHA"], "127.0.0.1",
            &["127.0.0.1 has no TLS version or cipher suite in common with avlaunch, which supports TLS 1.2 or 1.3 with ECDHE key exchange and AES-GCM or ChaCha20-Poly1305"],
        ),
    ];
    for (name, (cert, key), server_args, host, expected) in cases {
        let (_server, port) = serve_with(cert, key, server_args);
        let clock = Instant::now();
        let (code, stderr) = call_host(host, port, &with_ca);
        eprintln!(
            "| {name:<40} | exit {} | {:>4} ms | {}",
            code.unwrap_or(-1),
            clock.elapsed().as_millis(),
            stderr.lines().next().unwrap_or("")
        );
        assert_eq!(code, Some(3), "{name}: {stderr}");
        for words in expected {
            assert!(
                stderr.contains(words),
                "{name}: expected '{words}' in: {stderr}"
            );
        }
        assert!(!stderr.contains("--ca-cert FILE"), "{name}: {stderr}");
    }

    // The good certificate works with the same CA: the failures above are the certificates'.
    let (_server, port) = serve(&good.0, &good.1);
    let (code, stderr) = call(port, &with_ca);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("sent text/html instead of a UCWA resource"),
        "{stderr}"
    );

    // A plain-HTTP server on an https URL.
    let port = plain_http();
    let (code, stderr) = call(port, &[]);
    eprintln!(
        "| {:<40} | exit {} | {}",
        "plain HTTP on an https URL",
        code.unwrap_or(-1),
        stderr.lines().next().unwrap_or("")
    );
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("127.0.0.1 did not answer in TLS: it may be a plain-HTTP server"),
        "{stderr}"
    );
}

/// A date `offset` from now for `openssl ca` (`YYYYMMDDHHMMSSZ`), e.g. "+10 days".
fn openssl_date(offset: &str) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", offset, "+%Y%m%d%H%M%SZ"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `avlaunch doctor`'s `tls` check against `openssl s_server` with a leaf of a private CA:
/// (verdict, detail).
fn doctor_tls(ca: &Ca, port: u16) -> (String, String) {
    let out = common::avlaunch()
        .args([
            "doctor",
            "--server",
            &format!("https://127.0.0.1:{port}/"),
            "--user",
            "a@contoso.com",
        ])
        .args(["--output", "json", "--ca-cert", &ca.cert()])
        .envs(common::home_env())
        .env("AVLAUNCH_PASSWORD", "x")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let tls: serde_json::Value = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|c| c["name"] == "tls")
        .unwrap_or_else(|| panic!("no tls check: {stdout}"));
    (
        tls["verdict"].as_str().unwrap().to_string(),
        tls["detail"].as_str().unwrap().to_string(),
    )
}

#[test]
fn doctor_reads_the_presented_certificate_pass_warn_and_fail() {
    let guard = tempfile::tempdir().unwrap();
    let ca = Ca::new(guard.path(), "Doctor Test CA");
    let san = format!("{SERVER_EXT}subjectAltName=IP:127.0.0.1\n");
    let start = openssl_date("-1 day");
    for (file, ext, end, verdict, words) in [
        ("good", san.as_str(), openssl_date("+90 days"), "pass", "days left"),
        ("soon", san.as_str(), openssl_date("+10 days"), "warn", "renew"),
        ("old", san.as_str(), openssl_date("-1 hour"), "fail", "expired"),
        (
            "other",
            "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:other.example\n",
            openssl_date("+90 days"),
            "fail",
            "other.example",
        ),
    ] {
        let start = if file == "old" { openssl_date("-3 days") } else { start.clone() };
        let (cert, key) = ca.leaf(file, "127.0.0.1", ext, &start, &end);
        let (_server, port) = serve(&cert, &key);
        let (got, detail) = doctor_tls(&ca, port);
        assert_eq!(got, verdict, "{file}: {detail}");
        assert!(detail.contains(words), "{file}: {detail}");
        assert!(detail.contains("issuer Doctor Test CA"), "{file}: {detail}");
    }
}
