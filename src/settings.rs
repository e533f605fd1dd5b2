//! Settings built once from the command line and the environment, then passed down.

use std::io::IsTerminal;

use crate::call::session::{Connection, Server};
use crate::cli::{ServerArgs, WireFormat};
use crate::secret::{Password, Token};
use crate::ucwa::transport::check_scheme;
use crate::ucwa::Format;

/// The sign-in name used on the built-in simulator when none is given.
pub const DEMO_USER: &str = "demo@contoso.com";
/// The simulator's password for every user.
pub const DEMO_PASSWORD: &str = "demo";

/// Where calls go: the built-in simulator, or a deployment.
pub enum Target {
    /// Start the simulator in-process and sign in to it as the demo user.
    Embedded { user: String, format: Format },
    /// A deployment: everything needed to sign in.
    Deployment(Connection),
}

pub fn format(args: &ServerArgs) -> Format {
    match args.format {
        WireFormat::Json => Format::Json,
        WireFormat::Xml => Format::Xml,
    }
}

/// Reads the target from the options and environment. Errors are the user's to fix
/// (exit 2); nothing has been sent.
pub fn target(args: &ServerArgs) -> Result<Target, String> {
    let format = format(args);
    let Some(server) = args.server.as_deref() else {
        return Ok(Target::Embedded {
            user: args.user.clone().unwrap_or_else(|| DEMO_USER.to_string()),
            format,
        });
    };
    let server = if server.eq_ignore_ascii_case("auto") {
        Server::Auto
    } else {
        let url = url::Url::parse(server)
            .map_err(|e| format!("--server: '{server}' is not a URL ({e}); expected e.g. https://lyncdiscover.contoso.com or 'auto'"))?;
        check_scheme(&url).map_err(|e| format!("--server: {e}"))?;
        Server::Url(url)
    };
    let user = args
        .user
        .clone()
        .filter(|u| !u.trim().is_empty())
        .ok_or("--user: required with --server (the sign-in name, e.g. user@contoso.com)")?;
    if matches!(server, Server::Auto) && !user.contains('@') {
        return Err(format!(
            "--user: '{user}' has no domain, which --server auto needs (expected user@domain)"
        ));
    }
    let token = std::env::var("AVLAUNCH_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
        .map(Token::new);
    let password = match std::env::var("AVLAUNCH_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(Password::new(p)),
        None if token.is_some() => None,
        None => Some(prompt_password(&user)?),
    };
    let ca_cert = match &args.ca_cert {
        Some(path) => Some(read_ca_cert(path)?),
        None => None,
    };
    Ok(Target::Deployment(Connection {
        server,
        user,
        password,
        token,
        format,
        ca_cert,
    }))
}

/// Reads `--ca-cert FILE`: a readable file holding at least one PEM certificate. The error
/// starts with `--ca-cert: `.
pub fn read_ca_cert(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let pem = std::fs::read(path)
        .map_err(|e| format!("--ca-cert: cannot read '{}': {e}", path.display()))?;
    // A file without a certificate would be accepted silently and trust nothing.
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(format!(
            "--ca-cert: '{}' holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)",
            path.display()
        ));
    }
    Ok(pem)
}

/// The embedded simulator's connection, once it listens at `url`.
pub fn embedded_connection(url: url::Url, user: String, format: Format) -> Connection {
    Connection {
        server: Server::Url(url),
        user,
        password: Some(Password::new(DEMO_PASSWORD)),
        token: None,
        format,
        ca_cert: None,
    }
}

/// Asks for the password on the terminal, without echo.
fn prompt_password(user: &str) -> Result<Password, String> {
    use crossterm::event::{read, Event, KeyCode, KeyEventKind, KeyModifiers};
    use std::io::Write;
    if !std::io::stdin().is_terminal() {
        return Err("no password: set AVLAUNCH_PASSWORD (or AVLAUNCH_TOKEN); there is no terminal to ask on".into());
    }
    let _ = write!(std::io::stderr(), "Password for {user}: ");
    let _ = std::io::stderr().flush();
    crossterm::terminal::enable_raw_mode().map_err(|e| format!("cannot read the password: {e}"))?;
    let mut password = String::new();
    let result = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err("cancelled at the password prompt".to_string())
                }
                KeyCode::Char(c) => password.push(c),
                KeyCode::Backspace => {
                    password.pop();
                }
                KeyCode::Esc => break Err("cancelled at the password prompt".to_string()),
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(format!("cannot read the password: {e}")),
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    crate::errln!();
    result?;
    if password.is_empty() {
        return Err("no password given".into());
    }
    Ok(Password::new(password))
}
