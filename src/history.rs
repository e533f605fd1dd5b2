//! The persisted call history: `$XDG_DATA_HOME/avlaunch/history.jsonl`, one JSON object per
//! finished call (the `avlaunch call --output json` summary plus who was called, how and where),
//! oldest first, the newest `KEEP` kept.
//!
//! Never a secret: the password and token are not part of a line, every text field is passed
//! through `secret::redact` with the connection's password and token, and a server URL loses any
//! `user:password@`.
//!
//! Rotation: lines are appended; once the file holds more than `KEEP + SLACK` lines it is
//! rewritten (to a temporary file, then renamed) with the newest `KEEP`. So the file is
//! rewritten once every `SLACK` calls, not on every call, and counted only once it is big
//! enough to possibly need it. (A line another avlaunch appends in the instant of that
//! rewrite can be lost; lines themselves never interleave, each is one `write`.)

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::call::session::{Connection, Server};
use crate::call::{CallOutcome, CallUpdate, ValidCall};
use crate::cli::{HistoryAction, HistoryArgs, Output};
use crate::ucwa::Format;

/// How many calls the file keeps.
pub const KEEP: usize = 10_000;
/// How many lines beyond `KEEP` the file may hold before it is rewritten.
pub const SLACK: usize = 1_000;
/// No line is shorter than this (every key is always written): below `KEEP * MIN_LINE_BYTES`
/// bytes the file cannot hold `KEEP` lines and is not counted.
const MIN_LINE_BYTES: u64 = 200;

/// The history file: `config::data_dir()/history.jsonl`.
pub fn path() -> Option<PathBuf> {
    crate::config::data_dir().map(|d| d.join("history.jsonl"))
}

/// What a recorded line says about where the call went, fixed when the connection is.
#[derive(Clone, Debug)]
pub struct Recorder {
    pub path: PathBuf,
    /// The discovery URL (without credentials), `auto`, or `built-in simulator`.
    pub server: String,
    pub user: String,
    pub profile: Option<String>,
    /// Redacted from every field (kept as plain strings only inside this struct).
    secrets: Vec<String>,
}

impl Recorder {
    /// For calls over `connection`; `embedded` names the built-in simulator as the server.
    pub fn new(
        path: PathBuf,
        connection: &Connection,
        embedded: bool,
        profile: Option<String>,
    ) -> Recorder {
        let server = if embedded {
            "built-in simulator".to_string()
        } else {
            match &connection.server {
                Server::Auto => "auto".to_string(),
                Server::Url(url) => {
                    let mut url = url.clone();
                    let _ = url.set_username("");
                    let _ = url.set_password(None);
                    url.to_string()
                }
            }
        };
        // Redaction by meaning: the password never enters a line (nothing we record carries
        // it, and what the server echoed was scrubbed where it was received), so it is not
        // masked by value here, which would mask a subject that happens to contain it. The
        // bearer token, long and random, is scrubbed wherever it appears, as a last guard.
        let secrets = connection
            .token
            .as_ref()
            .map(|t| t.expose())
            .into_iter()
            .flat_map(|t| [t, t.strip_prefix("cwt=").unwrap_or(t)])
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        Recorder {
            path,
            server,
            user: connection.user.clone(),
            profile,
            secrets,
        }
    }

    /// The line for one finished call, started at `started`.
    pub fn line(
        &self,
        call: &ValidCall,
        format: Format,
        started: SystemTime,
        outcome: &CallOutcome,
    ) -> Value {
        let finished = SystemTime::now();
        let duration_ms = finished
            .duration_since(started)
            .unwrap_or_default()
            .as_millis() as u64;
        let mut line = Map::new();
        line.insert("at".into(), json!(crate::har::iso8601(started)));
        line.insert("contact".into(), json!(call.to));
        line.insert("subject".into(), json!(call.subject));
        line.insert("server".into(), json!(self.server));
        line.insert("user".into(), json!(self.user));
        line.insert("format".into(), json!(format.name()));
        line.insert("profile".into(), json!(self.profile));
        line.insert(
            "importance".into(),
            json!(call.importance.map(|i| i.as_str())),
        );
        line.insert("audio_muted".into(), json!(call.join_audio_muted));
        line.insert("video_muted".into(), json!(call.join_video_muted));
        // Call via Work: the user's own phone as people write it (what the form takes), so
        // calling again from the history goes through it too.
        let via_phone = call
            .phone_number
            .as_deref()
            .map(crate::call::request::display_phone);
        line.insert("via_phone".into(), json!(via_phone));
        line.insert("duration_ms".into(), json!(duration_ms));
        // The same summary `avlaunch call --output json` prints last.
        if let Value::Object(summary) =
            crate::headless::json_line(&CallUpdate::Finished(outcome.clone()))
        {
            line.extend(summary.into_iter().filter(|(k, _)| k != "type"));
        }
        let mut line = Value::Object(line);
        self.redact(&mut line);
        line
    }

    fn redact(&self, value: &mut Value) {
        match value {
            Value::String(s) => {
                let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
                *s = crate::secret::scrub_echoes(s, &secrets);
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.redact(v)),
            _ => {}
        }
    }

    /// Appends the call's line (and rotates when due). Errors are the caller's to report.
    pub fn record(
        &self,
        call: &ValidCall,
        format: Format,
        started: SystemTime,
        outcome: &CallOutcome,
    ) -> std::io::Result<()> {
        append(&self.path, &self.line(call, format, started, outcome))
    }
}

/// Appends one line to the file at `path` (created with mode 0600, its directory too), then
/// rotates it when it holds more than `KEEP + SLACK` lines.
pub fn append(path: &Path, line: &Value) -> std::io::Result<()> {
    append_keeping(path, line, KEEP, SLACK)
}

fn append_keeping(path: &Path, line: &Value, keep: usize, slack: usize) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // One write of the whole line, so lines of two processes never interleave.
    let mut text = line.to_string();
    text.push('\n');
    file.write_all(text.as_bytes())?;
    let size = file.metadata()?.len();
    drop(file);
    if size >= (keep as u64).saturating_mul(MIN_LINE_BYTES) {
        rotate(path, keep, slack)?;
    }
    Ok(())
}

/// Keeps the newest `keep` lines once there are more than `keep + slack`.
fn rotate(path: &Path, keep: usize, slack: usize) -> std::io::Result<()> {
    let bytes = std::fs::read(path)?;
    let lines = bytes.iter().filter(|b| **b == b'\n').count();
    if lines <= keep + slack {
        return Ok(());
    }
    // The byte after the (lines - keep)-th newline starts the newest `keep` lines.
    let drop_count = lines - keep;
    let start = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(drop_count - 1)
        .map_or(0, |(i, _)| i + 1);
    let tmp = path.with_extension("jsonl.tmp");
    {
        let mut options = std::fs::OpenOptions::new();
        options.create(true).write(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options.open(&tmp)?;
        out.write_all(&bytes[start..])?;
        out.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// The fields of a line that lists and the UI need. Unknown and missing fields are fine: a
/// line written by another version still reads.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Entry {
    /// `2024-05-01T09:30:00.123Z` (UTC).
    pub at: String,
    pub contact: String,
    pub subject: Option<String>,
    pub server: String,
    pub user: String,
    pub format: String,
    pub profile: Option<String>,
    pub importance: Option<String>,
    pub audio_muted: Option<bool>,
    pub video_muted: Option<bool>,
    /// Call via Work: the user's own phone, as sent; `None` for an audio/video call.
    pub via_phone: Option<String>,
    /// `Connected`, `Failed`, `Cancelled`, `Ended`.
    pub state: String,
    /// Who ended an `Ended` call: `local` or `remote`.
    pub ended_by: Option<String>,
    pub exit_code: Option<u8>,
    /// The whole call, set-up included.
    pub duration_ms: u64,
    /// How long it was connected, if it was.
    pub connected_ms: Option<f64>,
}

impl Entry {
    /// The state in plain words, with who ended an ended call: "Ended — you hung up".
    pub fn outcome_label(&self) -> String {
        match (self.state.as_str(), self.ended_by.as_deref()) {
            ("Ended", Some("local")) => "Ended — you hung up".to_string(),
            ("Ended", Some("remote")) => "Ended — they hung up".to_string(),
            (state, _) => state.to_string(),
        }
    }

    /// "2:05" connected, or "after 0:03" when it never connected.
    pub fn duration_label(&self) -> String {
        duration_label(self.connected_ms, self.duration_ms)
    }
}

fn duration_label(connected_ms: Option<f64>, duration_ms: u64) -> String {
    fn clock(ms: u64) -> String {
        let s = ms / 1000;
        if s >= 3600 {
            format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
        } else {
            format!("{}:{:02}", s / 60, s % 60)
        }
    }
    match connected_ms {
        Some(ms) => clock(ms as u64),
        None => format!("after {}", clock(duration_ms)),
    }
}

/// A call of an earlier run as the UI holds it: up to `KEEP` of these stay in memory, so only
/// what the history pane shows and "call again" needs, in boxed strings (no spare capacity).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PastCall {
    /// `2024-05-01T09:30` (UTC, to the minute).
    pub at: Box<str>,
    pub contact: Box<str>,
    pub subject: Option<Box<str>>,
    /// `Connected`, `Failed`, `Cancelled`, `Ended`.
    pub state: Box<str>,
    pub xml: bool,
    pub importance: Option<Box<str>>,
    pub audio_muted: Option<bool>,
    pub video_muted: Option<bool>,
    /// Call via Work: the user's own phone.
    pub via_phone: Option<Box<str>>,
    pub duration_ms: u64,
    pub connected_ms: Option<f64>,
}

impl PastCall {
    /// As `Entry::duration_label`.
    pub fn duration_label(&self) -> String {
        duration_label(self.connected_ms, self.duration_ms)
    }
}

impl From<Entry> for PastCall {
    fn from(e: Entry) -> PastCall {
        let e = e.printable();
        let state = e.outcome_label().into();
        PastCall {
            at: e.at.get(..16).unwrap_or(&e.at).into(),
            contact: e.contact.into(),
            subject: e.subject.map(Into::into),
            state,
            xml: e.format == "xml",
            importance: e.importance.map(Into::into),
            audio_muted: e.audio_muted,
            video_muted: e.video_muted,
            via_phone: e.via_phone.map(Into::into),
            duration_ms: e.duration_ms,
            connected_ms: e.connected_ms,
        }
    }
}

/// The history file for the UI, oldest first, read line by line (malformed lines skipped).
pub fn read_past(path: &Path) -> std::io::Result<Vec<PastCall>> {
    use std::io::BufRead;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut past = Vec::new();
    // Line by line as bytes: a line that is not UTF-8 (the file is anyone's to edit) is
    // skipped like any other unreadable line, not the end of the history.
    for line in std::io::BufReader::new(file).split(b'\n') {
        if let Ok(entry) = serde_json::from_slice::<Entry>(&line?) {
            past.push(PastCall::from(entry));
        }
    }
    past.shrink_to_fit();
    Ok(past)
}

/// Every line of the file, oldest first, as JSON values; malformed lines (a torn write) are
/// skipped and counted. A missing file is an empty history.
pub fn read_values(path: &Path) -> std::io::Result<(Vec<Value>, usize)> {
    let bytes = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(e),
    };
    let mut values = Vec::new();
    let mut bad = 0;
    // As bytes: a line that is not UTF-8 counts as malformed, like a torn one.
    for line in bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
    {
        match serde_json::from_slice::<Value>(line) {
            Ok(v @ Value::Object(_)) => values.push(v),
            _ => bad += 1,
        }
    }
    Ok((values, bad))
}

impl Entry {
    /// The same, with control characters replaced: the file is only text, and the screen
    /// must not be driven by it.
    fn printable(mut self) -> Entry {
        for field in [
            &mut self.at,
            &mut self.contact,
            &mut self.server,
            &mut self.user,
            &mut self.format,
            &mut self.state,
        ] {
            *field = printable(field);
        }
        for v in [
            &mut self.subject,
            &mut self.profile,
            &mut self.importance,
            &mut self.via_phone,
        ]
        .into_iter()
        .flatten()
        {
            *v = printable(v);
        }
        self
    }
}

/// `avlaunch history [show N]`: prints the recorded calls, newest first. Returns the exit
/// code: 0, 2 for a call number that is not there, 3 when the file cannot be read.
pub fn command(args: &HistoryArgs) -> u8 {
    let Some(path) = path() else {
        crate::errln!("avlaunch history: no home directory (set HOME or XDG_DATA_HOME)");
        return 3;
    };
    let (mut values, bad) = match read_values(&path) {
        Ok(v) => v,
        Err(e) => {
            crate::errln!("avlaunch history: cannot read {}: {e}", path.display());
            return 3;
        }
    };
    if bad > 0 {
        crate::errln!(
            "avlaunch history: note: {bad} unreadable line(s) in {} skipped",
            path.display()
        );
    }
    values.reverse();
    if args.output == Output::Nagios {
        crate::errln!(
            "avlaunch history: --output nagios is for `call` and `doctor`; use text or json"
        );
        return 2;
    }
    let mut out = std::io::stdout().lock();
    match &args.action {
        Some(HistoryAction::Show { n }) => {
            let Some(value) = n.checked_sub(1).and_then(|i| values.get(i)) else {
                crate::errln!(
                    "avlaunch history show: no call {n}: the history holds {} call(s), 1 is the newest",
                    values.len()
                );
                return 2;
            };
            let _ = match args.output {
                Output::Json | Output::Nagios => writeln!(out, "{value}"),
                Output::Text => write!(out, "{}", show_text(value, *n, values.len())),
            };
        }
        None => {
            let limit = if args.limit == 0 {
                values.len()
            } else {
                args.limit
            };
            match args.output {
                Output::Json | Output::Nagios => {
                    for v in values.iter().take(limit) {
                        let _ = writeln!(out, "{v}");
                    }
                }
                Output::Text if values.is_empty() => {
                    let _ = writeln!(
                        out,
                        "no calls recorded yet (history file: {})",
                        path.display()
                    );
                }
                Output::Text => {
                    let _ = write!(out, "{}", list_text(&values[..limit.min(values.len())]));
                    if limit < values.len() {
                        let _ = writeln!(
                            out,
                            "({} more; --limit 0 lists all; history file: {})",
                            values.len() - limit,
                            path.display()
                        );
                    }
                }
            }
        }
    }
    0
}

/// Control characters (a hand-edited file, a server's message) never reach the terminal.
/// History lines are read back from a file anyone could have edited: shown only through
/// the one `sanitize` for terminal-bound text.
fn printable(text: &str) -> String {
    crate::sanitize::sanitize(text).into_owned()
}

fn cut(text: &str, width: usize) -> String {
    let text = printable(text);
    if text.chars().count() <= width {
        format!("{text:<width$}")
    } else {
        let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// `2024-05-01 09:30 UTC` from the stored `at`.
fn when(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => printable(at),
    }
}

/// The table: number (1 = newest), when, contact, subject, server, outcome, duration.
pub fn list_text(newest_first: &[Value]) -> String {
    let mut text = format!(
        "{:>4}  {:<20}  {:<30}  {:<20}  {:<32}  {:<20}  {}\n",
        "#", "when (UTC)", "contact", "subject", "server", "outcome", "duration"
    );
    for (i, v) in newest_first.iter().enumerate() {
        let e: Entry = serde_json::from_value(v.clone()).unwrap_or_default();
        text.push_str(&format!(
            "{:>4}  {:<20}  {}  {}  {}  {}  {}\n",
            i + 1,
            when(&e.at),
            cut(&e.contact, 30),
            cut(e.subject.as_deref().unwrap_or(""), 20),
            cut(&e.server, 32),
            cut(&e.outcome_label(), 20),
            e.duration_label()
        ));
    }
    text
}

/// One call in full, with its summary (timings, error).
pub fn show_text(v: &Value, n: usize, total: usize) -> String {
    let e: Entry = serde_json::from_value(v.clone()).unwrap_or_default();
    let field = |k: &str| -> String {
        match v.get(k) {
            None | Some(Value::Null) => "-".to_string(),
            Some(Value::String(s)) => printable(s),
            Some(other) => printable(&other.to_string()),
        }
    };
    let mut text = format!("call {n} of {total} (1 is the newest)\n");
    let mut row = |k: &str, value: String| text.push_str(&format!("{k:<13}{value}\n"));
    row("when", format!("{} (UTC)", field("at")));
    row("contact", field("contact"));
    row("subject", field("subject"));
    row("server", field("server"));
    row("user", field("user"));
    row("format", field("format"));
    row("profile", field("profile"));
    row("importance", field("importance"));
    row(
        "joined muted",
        format!(
            "audio {} · video {}",
            field("audio_muted"),
            field("video_muted")
        ),
    );
    row(
        "outcome",
        format!(
            "{} (exit {})",
            printable(&e.outcome_label()),
            field("exit_code")
        ),
    );
    row(
        "duration",
        format!(
            "{:.1} s in all; {}",
            e.duration_ms as f64 / 1000.0,
            match e.connected_ms {
                Some(ms) => format!("connected {:.1} s", ms / 1000.0),
                None => "never connected".into(),
            }
        ),
    );
    row("invitation", field("invitation"));
    row("operation id", field("operation_id"));
    if let Some(Value::Object(t)) = v.get("timings_ms") {
        let steps: Vec<String> = t
            .iter()
            .map(|(k, ms)| format!("{} {ms} ms", printable(k)))
            .collect();
        row("timings", steps.join(" · "));
    }
    if let Some(Value::Object(err)) = v.get("error") {
        let get = |k: &str| err.get(k).and_then(Value::as_str).map(printable);
        row("error", get("message").unwrap_or_default());
        let mut detail = Vec::new();
        if let Some(k) = get("kind") {
            detail.push(format!("kind {k}"));
        }
        if let Some(s) = err.get("status").and_then(Value::as_u64) {
            detail.push(format!("status {s}"));
        }
        if let Some(c) = get("code") {
            detail.push(format!("code {c}"));
        }
        if let Some(c) = get("subcode") {
            detail.push(format!("subcode {c}"));
        }
        if !detail.is_empty() {
            row("", detail.join(" · "));
        }
        if let Some(m) = get("server_message") {
            row("", format!("server: “{m}”"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{CallError, ErrorKind, FinalState, Step};
    use crate::secret::{Password, Token};
    use std::time::Duration;

    fn connection() -> Connection {
        Connection {
            server: Server::Url(
                "https://admin:hunter22@lyncdiscover.contoso.com/"
                    .parse()
                    .unwrap(),
            ),
            user: "me@contoso.com".into(),
            password: Some(Password::new("pa55-word")),
            token: Some(Token::new("cwt=AAEBHAEFAAAAAAAFFQAAAA")),
            format: Format::Json,
            ca_cert: None,
        }
    }

    fn call(subject: &str) -> ValidCall {
        ValidCall {
            to: "sip:bob@contoso.com".into(),
            subject: Some(subject.into()),
            importance: None,
            thread_id: None,
            session_context: None,
            operation_id: "op1".into(),
            media_offer: Some(crate::call::request::MediaOffer {
                media_type: "application/sdp".into(),
                body: "v=0\r\n".into(),
            }),
            join_audio_muted: Some(true),
            join_video_muted: None,
            modality: &crate::ucwa::modality::AUDIO_VIDEO,
            phone_number: None,
        }
    }

    fn outcome() -> CallOutcome {
        CallOutcome {
            state: FinalState::Failed,
            invitation: None,
            operation_id: "op1".into(),
            timings: vec![(Step::Discover, Duration::from_millis(3))],
            error: Some(CallError::new(
                ErrorKind::Invitation,
                "declined; token was cwt=AAEBHAEFAAAAAAAFFQAAAA, bare AAEBHAEFAAAAAAAFFQAAAA",
            )),
            connected_for: None,
        }
    }

    #[test]
    fn a_line_has_the_summary_and_context_and_no_secret() {
        let r = Recorder::new("/x".into(), &connection(), false, Some("work".into()));
        let line = r.line(
            &call("about pa55-word"),
            Format::Xml,
            SystemTime::now(),
            &outcome(),
        );
        let text = line.to_string();
        // Redaction by meaning: no field carries the password, and our own subject is not
        // masked for happening to contain its text (a server's echo of it is scrubbed where
        // it is received, before it reaches an outcome).
        assert_eq!(line["subject"], "about pa55-word", "{text}");
        assert_eq!(text.matches("pa55-word").count(), 1, "{text}");
        assert!(!text.contains("AAEBHAEFAAAAAAAFFQAAAA"), "{text}");
        assert!(
            !text.contains("hunter22") && !text.contains("admin"),
            "{text}"
        );
        assert!(!text.contains("v=0"), "the offer is not recorded: {text}");
        assert_eq!(line["contact"], "sip:bob@contoso.com");
        assert_eq!(line["server"], "https://lyncdiscover.contoso.com/");
        assert_eq!(line["format"], "xml");
        assert_eq!(line["profile"], "work");
        assert_eq!(line["state"], "Failed");
        assert_eq!(line["exit_code"], 1);
        assert_eq!(line["timings_ms"]["discover"], 3.0);
        assert_eq!(line["audio_muted"], true);
        let entry: Entry = serde_json::from_value(line).unwrap();
        assert_eq!(entry.state, "Failed");
    }

    #[test]
    fn the_shortest_line_is_longer_than_the_rotation_bound() {
        let mut conn = connection();
        conn.user = String::new();
        conn.server = Server::Auto;
        let r = Recorder::new("/x".into(), &conn, false, None);
        let mut c = call("");
        c.to = String::new();
        c.subject = None;
        let mut o = outcome();
        o.timings.clear();
        o.error = None;
        o.operation_id.clear();
        let line = r.line(&c, Format::Json, SystemTime::now(), &o).to_string();
        assert!(
            line.len() as u64 >= MIN_LINE_BYTES,
            "{} bytes: {line}",
            line.len()
        );
    }

    #[test]
    fn rotation_keeps_the_newest_and_rewrites_only_past_the_slack() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/history.jsonl");
        let (keep, slack) = (5, 3);
        let ino = |p: &Path| {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(p).unwrap().ino()
        };
        // Lines are padded past MIN_LINE_BYTES so the size check lets rotation run.
        let pad = "x".repeat(MIN_LINE_BYTES as usize);
        for i in 0..(keep + slack) {
            append_keeping(&path, &json!({"n": i, "pad": pad}), keep, slack).unwrap();
        }
        let first = ino(&path);
        let (values, _) = read_values(&path).unwrap();
        assert_eq!(values.len(), keep + slack, "not rewritten within the slack");
        append_keeping(&path, &json!({"n": keep + slack, "pad": pad}), keep, slack).unwrap();
        let (values, bad) = read_values(&path).unwrap();
        assert_eq!(bad, 0);
        let kept: Vec<u64> = values.iter().map(|v| v["n"].as_u64().unwrap()).collect();
        assert_eq!(
            kept,
            (slack as u64 + 1..=(keep + slack) as u64).collect::<Vec<_>>()
        );
        assert_ne!(ino(&path), first, "rewritten once, through a new file");
        let second = ino(&path);
        append_keeping(&path, &json!({"n": 99, "pad": pad}), keep, slack).unwrap();
        assert_eq!(ino(&path), second, "appended, not rewritten");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn reading_skips_torn_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.jsonl");
        std::fs::write(
            &path,
            b"{\"contact\":\"sip:a@b\\u001b[2J\",\"state\":\"Ended\",\"connected_ms\":65000.0}\n{\"contact\":\"sip:\n\xff\xfe\n",
        )
        .unwrap();
        let (values, bad) = read_values(&path).unwrap();
        assert_eq!((values.len(), bad), (1, 2), "a torn line and one not UTF-8");
        let past = read_past(&path).unwrap();
        assert_eq!(past.len(), 1);
        assert_eq!(past[0].duration_label(), "1:05");
        assert_eq!(
            &*past[0].contact, "sip:a@b\\x1b[2J",
            "no escape reaches the screen"
        );
        assert!(read_past(&dir.path().join("none")).unwrap().is_empty());
        assert!(read_values(&dir.path().join("none")).unwrap().0.is_empty());
    }
}
