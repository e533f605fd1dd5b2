//! `config.toml`: named profiles (server, user, format, CA certificate, Call via Work number,
//! password command, history, export directory) and the default profile, read once at start.
//!
//! Where files live follows the XDG Base Directory specification, read from the environment
//! by hand (no crate): `$XDG_CONFIG_HOME` (default `~/.config`) and `$XDG_DATA_HOME` (default
//! `~/.local/share`); a relative value is ignored, as the specification says.
//!
//! avlaunch never stores a password: a profile names a command (`pass`, `secret-tool`, a vault
//! CLI) whose first output line is the password, run without a shell.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::secret::Password;

/// How long a `password_command` may take (a vault CLI may ask for a touch or a PIN).
pub const PASSWORD_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// `$XDG_CONFIG_HOME/avlaunch`, else `~/.config/avlaunch`.
pub fn config_dir() -> Option<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("avlaunch"))
}

/// `$XDG_DATA_HOME/avlaunch`, else `~/.local/share/avlaunch`: history and exports.
pub fn data_dir() -> Option<PathBuf> {
    xdg_dir("XDG_DATA_HOME", ".local/share").map(|d| d.join("avlaunch"))
}

/// The config file's path: `config_dir()/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join("config.toml"))
}

fn xdg_dir(var: &str, home_default: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(home_default))
        })
}

/// The wire format a profile may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileFormat {
    Json,
    Xml,
}

/// A command line: one string split like a shell would (quotes, backslashes; no expansion,
/// no pipes), or an array of arguments.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum CommandLine {
    Line(String),
    Argv(Vec<String>),
}

impl CommandLine {
    /// The program and its arguments.
    pub fn argv(&self) -> Result<Vec<String>, String> {
        let argv = match self {
            CommandLine::Line(line) => shell_words::split(line)
                .map_err(|e| format!("cannot split '{line}' into arguments: {e}"))?,
            CommandLine::Argv(argv) => argv.clone(),
        };
        if argv.first().is_none_or(|p| p.is_empty()) {
            return Err("the command is empty".into());
        }
        Ok(argv)
    }
}

/// One `[profiles.NAME]` table. Every key is optional; a flag or the environment overrides it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Discovery URL or `auto`, as `--server`.
    pub server: Option<String>,
    /// Sign-in name, as `--user`.
    pub user: Option<String>,
    /// `json` or `xml`, as `--format`.
    pub format: Option<ProfileFormat>,
    /// A PEM file, as `--ca-cert`; `~/` is expanded.
    pub ca_cert: Option<PathBuf>,
    /// Your own phone number for Call via Work (`startPhoneAudio`), carried for it.
    pub via_phone: Option<String>,
    /// Prints the password on its first line (`pass show work/sfb`).
    pub password_command: Option<CommandLine>,
    /// `false` keeps this profile's calls out of the history file.
    pub history: Option<bool>,
    /// Where the UI's exports (ladder text, HAR) go; `~/` is expanded.
    pub export_dir: Option<PathBuf>,
}

/// The whole file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The profile used when no `--profile` is given.
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// Where it was read from (for messages).
    #[serde(skip)]
    pub path: PathBuf,
}

impl Config {
    /// Reads the config file at the XDG path; `Ok(None)` when there is none.
    pub fn load() -> Result<Option<Config>, String> {
        match config_path() {
            Some(path) => Config::load_from(&path),
            None => Ok(None),
        }
    }

    /// Reads `path`; `Ok(None)` when it does not exist.
    pub fn load_from(path: &Path) -> Result<Option<Config>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: cannot read: {e}", path.display())),
        };
        Config::parse(&text, path).map(Some)
    }

    /// Parses `text`; an error names the file, the line and the key.
    pub fn parse(text: &str, path: &Path) -> Result<Config, String> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| describe_error(&e, text, path))?;
        config.path = path.to_path_buf();
        if let Some(name) = &config.default_profile {
            if !config.profiles.contains_key(name) {
                let line = text
                    .lines()
                    .position(|l| l.trim_start().starts_with("default_profile"))
                    .map_or(String::new(), |i| format!(":{}", i + 1));
                return Err(format!(
                    "{}{line}: default_profile: no profile named '{name}' ({})",
                    path.display(),
                    config.known()
                ));
            }
        }
        for (name, profile) in &config.profiles {
            if let Some(cmd) = &profile.password_command {
                if let Err(e) = cmd.argv() {
                    return Err(format!(
                        "{}: profiles.{name}.password_command: {e}",
                        path.display()
                    ));
                }
            }
        }
        Ok(config)
    }

    /// "profiles: a, b" or "no profiles are defined", for messages.
    pub fn known(&self) -> String {
        if self.profiles.is_empty() {
            "no profiles are defined".into()
        } else {
            let names: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            format!("profiles: {}", names.join(", "))
        }
    }

    /// The profile `name`, or an error naming the ones that exist.
    pub fn profile(&self, name: &str) -> Result<&Profile, String> {
        self.profiles.get(name).ok_or_else(|| {
            format!(
                "--profile: no profile named '{name}' in {} ({})",
                self.path.display(),
                self.known()
            )
        })
    }
}

/// "FILE:LINE:COL: KEY: what is wrong", from toml's byte span.
fn describe_error(e: &toml::de::Error, text: &str, path: &Path) -> String {
    let message = e.message().trim().to_string();
    let Some(span) = e.span() else {
        return format!("{}: {message}", path.display());
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    let key = key_at(text, span.start);
    match key {
        Some(key) => format!("{}:{line}:{col}: {key}: {message}", path.display()),
        None => format!("{}:{line}:{col}: {message}", path.display()),
    }
}

/// The dotted key written at byte `at`: the enclosing `[table]` header and the line's
/// `key =`, or the header alone when the error is on it.
fn key_at(text: &str, at: usize) -> Option<String> {
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    let header = |l: &str| -> Option<String> {
        let l = l.trim();
        (l.starts_with('[') && !l.starts_with("[["))
            .then(|| l.trim_matches(|c| c == '[' || c == ']').trim().to_string())
    };
    if let Some(h) = header(line) {
        return Some(h);
    }
    let table = text[..line_start].lines().rev().find_map(header);
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty());
    match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(t), None) => Some(t),
        (None, None) => None,
    }
}

/// `~/x` becomes `$HOME/x`; anything else is returned as it is.
pub fn expand_tilde(path: &Path) -> PathBuf {
    let Ok(rest) = path.strip_prefix("~") else {
        return path.to_path_buf();
    };
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => PathBuf::from(home).join(rest),
        None => path.to_path_buf(),
    }
}

/// Runs a `password_command` without a shell (stdin closed, output captured, never shown) and
/// returns its first output line. An error names the program and what went wrong (could not
/// start, exit status, timeout, empty output) and never includes what it printed.
pub fn run_password_command(cmd: &CommandLine, timeout: Duration) -> Result<Password, String> {
    let argv = cmd.argv()?;
    let program = &argv[0];
    let mut child = Command::new(program)
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("password_command: cannot run '{program}': {e}"))?;
    // Read on a thread so a chatty command cannot fill the pipe and block while we wait.
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut stdout).take(64 * 1024).read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "password_command: '{program}' did not finish within {} (stopped)",
                    crate::seconds::format_seconds(timeout)
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("password_command: waiting for '{program}': {e}")),
        }
    };
    let output = reader.join().unwrap_or_default();
    if !status.success() {
        let how = match status.code() {
            Some(code) => format!("exited with status {code}"),
            None => "was killed by a signal".to_string(),
        };
        return Err(format!(
            "password_command: '{program}' {how} (its output is not shown)"
        ));
    }
    let text = String::from_utf8(output).map_err(|_| {
        format!("password_command: '{program}' printed something that is not UTF-8")
    })?;
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if first.is_empty() {
        return Err(format!(
            "password_command: '{program}' printed no password on its first line"
        ));
    }
    Ok(Password::new(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("/x/config.toml"))
    }

    #[test]
    fn profiles_and_default_profile() {
        let c = parse(
            r#"
default_profile = "work"
[profiles.work]
server = "https://lyncdiscover.contoso.com"
user = "me@contoso.com"
format = "xml"
ca_cert = "~/ca.pem"
via_phone = "+14255550123"
password_command = "pass show 'sfb work'"
history = false
export_dir = "/tmp/exports"
[profiles.lab]
password_command = ["secret-tool", "lookup", "service", "sfb"]
"#,
        )
        .unwrap();
        assert_eq!(c.default_profile.as_deref(), Some("work"));
        let w = &c.profiles["work"];
        assert_eq!(w.format, Some(ProfileFormat::Xml));
        assert_eq!(w.history, Some(false));
        assert_eq!(w.via_phone.as_deref(), Some("+14255550123"));
        assert_eq!(
            w.password_command.as_ref().unwrap().argv().unwrap(),
            ["pass", "show", "sfb work"]
        );
        assert_eq!(
            c.profiles["lab"]
                .password_command
                .as_ref()
                .unwrap()
                .argv()
                .unwrap(),
            ["secret-tool", "lookup", "service", "sfb"]
        );
        assert_eq!(c.known(), "profiles: lab, work");
    }

    #[test]
    fn errors_name_the_file_line_and_key() {
        let e = parse("[profiles.work]\nserver = \"x\"\nsever = \"y\"\n").unwrap_err();
        assert!(e.starts_with("/x/config.toml:3:"), "{e}");
        assert!(e.contains("profiles.work.sever"), "{e}");
        assert!(e.contains("unknown field"), "{e}");

        let e = parse("[profiles.work]\n\nhistory = \"no\"\n").unwrap_err();
        assert!(e.starts_with("/x/config.toml:3:"), "{e}");
        assert!(e.contains("profiles.work.history"), "{e}");

        let e = parse("[profiles.a]\nformat = \"yaml\"\n").unwrap_err();
        assert!(e.contains(":2:") && e.contains("profiles.a.format"), "{e}");

        let e = parse("default_profile = \"nope\"\n[profiles.a]\n").unwrap_err();
        assert!(
            e.contains(":1: default_profile") && e.contains("profiles: a"),
            "{e}"
        );

        let e = parse("[profiles.a]\nserver = \"unterminated\n").unwrap_err();
        assert!(e.starts_with("/x/config.toml:2:"), "{e}");

        let e = parse("[profiles.a]\npassword_command = \"pass 'open\"\n").unwrap_err();
        assert!(e.contains("profiles.a.password_command"), "{e}");
    }

    #[test]
    fn the_example_config_parses() {
        let text = include_str!("../assets/config.toml");
        let c = parse(text).unwrap();
        assert!(!c.profiles.is_empty());
        for p in c.profiles.values() {
            if let Some(cmd) = &p.password_command {
                cmd.argv().unwrap();
            }
        }
    }

    #[test]
    fn password_command_first_line_and_failures() {
        let ok = CommandLine::Argv(vec!["printf".into(), "s3cret pw\\nsecond\\n".into()]);
        let p = run_password_command(&ok, Duration::from_secs(5)).unwrap();
        assert_eq!(p.expose(), "s3cret pw");

        let failing = CommandLine::Argv(vec![
            "sh".into(),
            "-c".into(),
            "echo leaked-secret; exit 3".into(),
        ]);
        let e = run_password_command(&failing, Duration::from_secs(5)).unwrap_err();
        assert!(e.contains("'sh' exited with status 3"), "{e}");
        assert!(!e.contains("leaked-secret"), "{e}");

        let empty = CommandLine::Line("true".into());
        let e = run_password_command(&empty, Duration::from_secs(5)).unwrap_err();
        assert!(e.contains("printed no password"), "{e}");

        let missing = CommandLine::Line("/nonexistent/vault get".into());
        let e = run_password_command(&missing, Duration::from_secs(5)).unwrap_err();
        assert!(e.contains("cannot run '/nonexistent/vault'"), "{e}");

        let slow = CommandLine::Line("sleep 5".into());
        let e = run_password_command(&slow, Duration::from_millis(200)).unwrap_err();
        assert!(e.contains("did not finish within 0.2 s (stopped)"), "{e}");

        // No shell: a pipe is just an argument.
        let noshell = CommandLine::Line("echo a | cat".into());
        let p = run_password_command(&noshell, Duration::from_secs(5)).unwrap();
        assert_eq!(p.expose(), "a | cat");
    }
}
