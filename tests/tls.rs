//! Certificate verification is always on: a self-signed deployment is refused with a
//! message naming the host, and accepted with `--ca-cert`. The TLS server is
//! `openssl s_server` with a certificate made for the test.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_avlaunch");

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
    let out = Command::new(BIN)
        .args([
            "call",
            "--server",
            &format!("https://127.0.0.1:{port}/"),
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
    let dir = std::env::temp_dir().join(format!("avlaunch-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = self_signed(&dir);
    let (_server, port) = serve(&cert, &key);

    let (code, stderr) = call(port, &[]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr
            .contains("the TLS certificate of 127.0.0.1 could not be verified (use --ca-cert FILE"),
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
