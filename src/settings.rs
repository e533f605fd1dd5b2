//! Settings built once from the command line, the environment and the config file's profile,
//! then passed down.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::call::session::{Connection, Server};
use crate::cli::{ServerArgs, WireFormat};
use crate::config::{
    expand_tilde, CommandLine, Config, Profile, ProfileFormat, PASSWORD_COMMAND_TIMEOUT,
};
use crate::history::Recorder;
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

/// Everything the command line, the environment and the config file say, merged: a flag
/// wins over the environment, which wins over the profile.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The config file, when there is one (the UI switches between its profiles).
    pub config: Option<Config>,
    /// The profile in use: `--profile`, `AVLAUNCH_PROFILE`, else `default_profile`.
    pub profile: Option<String>,
    /// `--server`, else the profile's; `None` = the built-in simulator.
    pub server: Option<String>,
    pub user: Option<String>,
    pub format: Format,
    pub ca_cert: Option<PathBuf>,
    /// Your own phone number for Call via Work, carried from the profile.
    pub via_phone: Option<String>,
    pub password_command: Option<CommandLine>,
    /// Record finished calls in the history file (`--no-history` or `history = false`: no).
    pub history: bool,
    /// Where the UI's exports go: `--export-dir`, else the profile's, else `data_dir()/exports`.
    pub export_dir: Option<PathBuf>,
    /// A password typed in the UI's sign-in dialog: wins over everything else.
    pub password: Option<Password>,
}

fn wire_format(f: WireFormat) -> Format {
    match f {
        WireFormat::Json => Format::Json,
        WireFormat::Xml => Format::Xml,
    }
}

impl Settings {
    /// Reads the config file (if any) and merges it with `args`. Errors are the user's to fix
    /// (exit 2): a config error names the file, line and key; an unknown profile names the
    /// ones that exist.
    pub fn resolve(args: &ServerArgs) -> Result<Settings, String> {
        let config = Config::load()?;
        let name = args
            .profile
            .clone()
            .or_else(|| config.as_ref().and_then(|c| c.default_profile.clone()));
        Settings::with_profile(args, config, name.as_deref())
    }

    /// `args` over profile `name` of `config` (`None`: no profile).
    pub fn with_profile(
        args: &ServerArgs,
        config: Option<Config>,
        name: Option<&str>,
    ) -> Result<Settings, String> {
        let profile = match (name, &config) {
            (None, _) => Profile::default(),
            (Some(name), Some(c)) => c.profile(name)?.clone(),
            (Some(name), None) => {
                let path = crate::config::config_path()
                    .map_or("(no home directory)".to_string(), |p| {
                        p.display().to_string()
                    });
                return Err(format!(
                    "--profile: no profile named '{name}': there is no config file at {path} (assets/config.toml is an example)"
                ));
            }
        };
        let format = match (args.format, profile.format) {
            (Some(f), _) => wire_format(f),
            (None, Some(ProfileFormat::Xml)) => Format::Xml,
            _ => Format::Json,
        };
        Ok(Settings {
            profile: name.map(str::to_string),
            server: args.server.clone().or(profile.server),
            user: args.user.clone().or(profile.user),
            format,
            ca_cert: args
                .ca_cert
                .clone()
                .or(profile.ca_cert.map(|p| expand_tilde(&p))),
            via_phone: profile.via_phone,
            password_command: profile.password_command,
            history: !args.no_history && profile.history.unwrap_or(true),
            export_dir: profile.export_dir.map(|p| expand_tilde(&p)),
            password: None,
            config,
        })
    }

    /// The directory exports go to: the one set, else `data_dir()/exports`, else the current
    /// directory.
    pub fn export_dir(&self) -> PathBuf {
        self.export_dir
            .clone()
            .or_else(|| crate::config::data_dir().map(|d| d.join("exports")))
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// The history recorder for calls over `connection`, unless history is off.
    pub fn recorder(&self, connection: &Connection, embedded: bool) -> Option<Recorder> {
        if !self.history {
            return None;
        }
        Some(Recorder::new(
            crate::history::path()?,
            connection,
            embedded,
            self.profile.clone(),
        ))
    }
}

/// How a missing password is found when there is no `AVLAUNCH_PASSWORD`, token or
/// `password_command`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prompt {
    /// Ask on the terminal (before the UI takes the screen, or headless).
    Terminal,
    /// Do not ask (the UI's own dialog asks): an error says so.
    Never,
}

/// Reads the target from the settings and the environment. Errors are the user's to fix
/// (exit 2); nothing has been sent. A `password_command` runs here (blocking, bounded by
/// `PASSWORD_COMMAND_TIMEOUT`).
pub fn target(settings: &Settings, prompt: Prompt) -> Result<Target, String> {
    let format = settings.format;
    let Some(server) = settings.server.as_deref() else {
        return Ok(Target::Embedded {
            user: settings
                .user
                .clone()
                .unwrap_or_else(|| DEMO_USER.to_string()),
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
    let user = settings
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
    let typed = settings.password.clone();
    let password = match typed.or_else(|| {
        std::env::var("AVLAUNCH_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .map(Password::new)
    }) {
        Some(p) => Some(p),
        None if token.is_some() => None,
        None => match (&settings.password_command, prompt) {
            (Some(cmd), _) => {
                let profile = settings.profile.as_deref().unwrap_or("?");
                Some(
                    crate::config::run_password_command(cmd, PASSWORD_COMMAND_TIMEOUT)
                        .map_err(|e| format!("profile '{profile}': {e}"))?,
                )
            }
            (None, Prompt::Terminal) => Some(prompt_password(&user)?),
            (None, Prompt::Never) => {
                return Err(format!("no password for {user}: type it in the sign-in dialog (F7), or set AVLAUNCH_PASSWORD or a password_command"))
            }
        },
    };
    let ca_cert = match &settings.ca_cert {
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
    // A regular file of at most 1 MiB: a device or pipe would block or fill memory.
    const CA_CERT_MAX: u64 = 1024 * 1024;
    let shown = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| format!("--ca-cert: cannot read '{shown}': {e}"))?;
    if !meta.is_file() || meta.len() > CA_CERT_MAX {
        return Err(format!(
            "--ca-cert: '{shown}' is not a regular file of at most {CA_CERT_MAX} bytes"
        ));
    }
    let pem = std::fs::read(path).map_err(|e| format!("--ca-cert: cannot read '{shown}': {e}"))?;
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

/// Asks for the password on the terminal (`/dev/tty`, or the console on Windows), without
/// echo, naming the user. Ctrl-C ends the program as anywhere else.
fn prompt_password(user: &str) -> Result<Password, String> {
    if !std::io::stdin().is_terminal() {
        return Err("no password: set AVLAUNCH_PASSWORD (or AVLAUNCH_TOKEN); there is no terminal to ask on".into());
    }
    let password = rpassword::prompt_password(format!("Password for {user}: "))
        .map_err(|e| format!("cannot read the password: {e}"))?;
    if password.is_empty() {
        return Err("no password given".into());
    }
    Ok(Password::new(password))
}
