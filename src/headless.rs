//! `avlaunch call`: runs one call and prints its `CallUpdate`s as text or JSON lines;
//! Ctrl-C and SIGTERM end the call (cancel or hang up) before exiting.

use crate::seconds::format_seconds;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;

use crate::call::session::{self, CallOptions, Connection};
use crate::call::{CallOutcome, CallUpdate, ValidCall};
use crate::cli::Output;
use crate::ucwa::transport::WireRecord;
use crate::ucwa::Format;

/// How the run is printed.
#[derive(Clone, Debug)]
pub struct PrintOptions {
    pub output: Output,
    /// `-q`: only the outcome line (text) or the summary line (JSON).
    pub quiet: bool,
    /// The wire format, named once in the text output's first line about the call.
    pub format: Format,
    /// `--warn` / `--crit` on the set-up time, for `--output nagios`.
    pub thresholds: crate::nagios::Thresholds,
    /// `--save-answer FILE`: where the far end's media answer (SDP) is written.
    pub save_answer: Option<PathBuf>,
}

/// Colour only for a person: stdout is a terminal and `NO_COLOR` is unset or empty
/// (<https://no-color.org>).
pub fn colour_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// What the headless run prints first when it runs on the built-in simulator.
pub struct Banner {
    pub url: String,
    pub contacts: Vec<String>,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0
}

/// Runs the call; returns the process exit code.
pub async fn run(
    call: ValidCall,
    connection: Connection,
    options: CallOptions,
    print: PrintOptions,
    banner: Option<Banner>,
    har: Option<PathBuf>,
    history: Option<crate::history::Recorder>,
) -> u8 {
    let output = print.output;
    if let Some(b) = banner.as_ref().filter(|_| !print.quiet) {
        print_banner(b, output);
    }
    let started = std::time::SystemTime::now();
    let format = connection.format;
    let recorded = history.map(|r| (r, call.clone()));
    let mut printer = Printer::new(&call, &options, &print);
    let (updates_tx, updates) = mpsc::unbounded_channel();
    let (control_tx, control) = mpsc::unbounded_channel();
    let task = tokio::spawn(session::run(call, connection, options, updates_tx, control));
    let followed = follow(&mut printer, updates, control_tx, har.is_some()).await;
    let outcome = match followed.outcome {
        Some(o) => o,
        None => match task.await {
            Ok(o) => o,
            Err(e) => {
                let message = format!("the call stopped unexpectedly: {e}");
                return ended_early("Internal", &message, output);
            }
        },
    };
    if let Some((recorder, call)) = recorded {
        if let Err(e) = recorder.record(&call, format, started, &outcome) {
            crate::errln!(
                "avlaunch: note: could not record the call in {}: {e}",
                recorder.path.display()
            );
        }
    }
    if let (Some(path), None) = (&print.save_answer, &printer.answer) {
        crate::errln!(
            "avlaunch: note: no media answer came (the call did not get that far); {} not written",
            path.display()
        );
    }
    if let Some(path) = har {
        match crate::har::write_har(&path, &followed.records) {
            Ok(()) => printer.note(&format!("wire log written to {} (HAR 1.2)", path.display())),
            Err(e) => crate::errln!("avlaunch: cannot write {}: {e}", path.display()),
        }
    }
    printer.print(&CallUpdate::Finished(outcome.clone()));
    if output == Output::Nagios {
        let verdict = nagios_verdict(
            &printer.to,
            &outcome,
            followed.setup,
            &followed.notices,
            print.thresholds,
            options.timeout,
        );
        crate::outln!("{}", verdict.0);
        return verdict.1.exit_code();
    }
    outcome.exit_code()
}

/// The first line on the built-in simulator: where it is and whom to call.
fn print_banner(banner: &Banner, output: Output) {
    let mut out = std::io::stdout().lock();
    let _ = match output {
        Output::Text => writeln!(
            out,
            "avlaunch: no --server given: using the built-in simulator at {} (password 'demo'; contacts: {})",
            banner.url,
            banner.contacts.join(", ")
        ),
        Output::Json => writeln!(out, "{}", json!({"type": "simulator", "url": banner.url, "contacts": banner.contacts})),
        Output::Nagios => Ok(()),
    };
}

/// A run that ended before the call could report its own outcome (the built-in simulator
/// could not start, the session task died): the message on stderr, and the summary line
/// (`kind` names what failed) or the Nagios UNKNOWN line the output asks for; exit 3.
pub fn ended_early(kind: &str, message: &str, output: Output) -> u8 {
    crate::errln!("avlaunch: {message}");
    match output {
        Output::Json => crate::outln!("{}", failure_summary(kind, message, 3)),
        Output::Nagios => crate::outln!(
            "{}",
            crate::nagios::line(crate::nagios::Status::Unknown, message, &[])
        ),
        Output::Text => {}
    }
    3
}

/// What following a call's updates kept for the end of the run.
struct Followed {
    /// The outcome, unless the session task ended without one.
    outcome: Option<CallOutcome>,
    /// For --output nagios: the set-up time (start to connected)…
    setup: Option<Duration>,
    /// …and what needed recovering.
    notices: Vec<String>,
    /// The exchanges, kept only for `--har`.
    records: Vec<WireRecord>,
}

/// Prints each update as it comes (the outcome is kept, to be printed last) until the
/// session ends; a signal asks the call to end.
async fn follow(
    printer: &mut Printer,
    mut updates: mpsc::UnboundedReceiver<CallUpdate>,
    control: mpsc::UnboundedSender<crate::call::CallControl>,
    keep_records: bool,
) -> Followed {
    let mut signals = Signals::new();
    let clock = std::time::Instant::now();
    let mut followed = Followed {
        outcome: None,
        setup: None,
        notices: Vec::new(),
        records: Vec::new(),
    };
    loop {
        tokio::select! {
            update = updates.recv() => match update {
                Some(update) => {
                    if let CallUpdate::Wire(r) = &update {
                        if keep_records { followed.records.push(r.clone()); }
                    }
                    match &update {
                        // Printed last, after the HAR note: the summary is the last line.
                        CallUpdate::Finished(o) => {
                            followed.outcome = Some(o.clone());
                            continue;
                        }
                        CallUpdate::StepStarted(crate::call::Step::InCall) if followed.setup.is_none() => {
                            followed.setup = Some(clock.elapsed());
                        }
                        CallUpdate::Notice(notice) => {
                            followed.notices.push(crate::sanitize::notice_text(notice))
                        }
                        _ => {}
                    }
                    printer.print(&update);
                }
                None => break,
            },
            _ = signals.next() => {
                printer.note("interrupted: ending the call (cancel or hang up, then delete the application)");
                let _ = control.send(crate::call::CallControl::End);
            }
        }
    }
    followed
}

/// The `--output nagios` line of one call and its status: CRITICAL if it never connected
/// (for any reason) or the set-up took longer than `--crit`; WARNING if it was slower than
/// `--warn`, or if something had to be recovered or went wrong after connecting (a notice,
/// an unconfirmed hang-up); else OK. Performance data: `setup` in seconds, from 0 to the
/// `--timeout`, `U` when it never connected.
pub fn nagios_verdict(
    to: &str,
    outcome: &CallOutcome,
    setup: Option<Duration>,
    notices: &[String],
    thresholds: crate::nagios::Thresholds,
    timeout: Duration,
) -> (String, crate::nagios::Status) {
    use crate::nagios::{line, Perf, Status};
    let connected = outcome.connected_for.is_some()
        || matches!(
            outcome.state,
            crate::call::FinalState::Connected | crate::call::FinalState::Ended(_)
        );
    let setup = setup.filter(|_| connected);
    let perf = [Perf::seconds("setup", setup, thresholds, Some(timeout))];
    let Some(took) = setup.or(connected.then_some(Duration::ZERO)) else {
        let mut text = format!("{} calling {to}", outcome.state.as_str());
        if let Some(e) = &outcome.error {
            text.push_str(&format!(": {}", e.message));
            if let Some(d) = e.diagnostics.first() {
                text.push_str(&format!(" [X-Ms-diagnostics {}", d.code_text()));
                if let Some(r) = &d.reason {
                    text.push_str(&format!(" {r}"));
                }
                text.push(']');
            }
        }
        return (line(Status::Critical, &text, &perf), Status::Critical);
    };
    let mut status = thresholds.check(took);
    let mut text = format!("connected to {to} in {:.3} s", took.as_secs_f64());
    match status {
        Status::Critical => text.push_str(&format!(
            ", slower than --crit {}",
            format_seconds(thresholds.crit.unwrap_or_default())
        )),
        Status::Warning => text.push_str(&format!(
            ", slower than --warn {}",
            format_seconds(thresholds.warn.unwrap_or_default())
        )),
        _ => {}
    }
    let trouble: Vec<&str> = notices
        .iter()
        .map(String::as_str)
        .chain(outcome.error.iter().map(|e| e.message.as_str()))
        .collect();
    if !trouble.is_empty() {
        status = status.max(Status::Warning);
        text.push_str(&format!("; needed recovery: {}", trouble.join("; ")));
    }
    (line(status, &text, &perf), status)
}

struct Printer {
    output: Output,
    to: String,
    /// The offer sent (SDP), to compare the answer with.
    offer: Option<String>,
    /// The far end's media answer, once it came (SDP text).
    answer: Option<String>,
    /// `--save-answer FILE`.
    save_answer: Option<PathBuf>,
    /// Call via Work: the user's own phone, as sent (the legs are shown).
    phone: Option<String>,
    /// No `--hangup-after`: the call stays up until the far end hangs up or Ctrl-C.
    stays: bool,
    quiet: bool,
    colour: bool,
    format: Format,
    /// Both streams are the terminal: the outcome line already shows the message.
    stdout_is_stderr_terminal: bool,
}

/// SGR colours for the text output (only used when `Printer::colour`).
mod sgr {
    pub const RED: &str = "\x1b[31m";
    pub const GREEN: &str = "\x1b[32m";
    pub const YELLOW: &str = "\x1b[33m";
    pub const DIM: &str = "\x1b[2m";
    pub const BOLD: &str = "\x1b[1m";
    pub const RESET: &str = "\x1b[0m";
}

impl Printer {
    fn new(call: &ValidCall, options: &CallOptions, print: &PrintOptions) -> Printer {
        Printer {
            output: print.output,
            to: call.to.clone(),
            offer: call.media_offer.as_ref().map(|o| o.body.clone()),
            answer: None,
            save_answer: print.save_answer.clone(),
            phone: call.phone_number.clone(),
            stays: options.hangup_after.is_none(),
            quiet: print.quiet,
            colour: print.output == Output::Text && colour_wanted(),
            format: print.format,
            // Where the outcome line goes, the failure's message need not be repeated on stderr.
            stdout_is_stderr_terminal: std::io::stdout().is_terminal()
                && std::io::stderr().is_terminal(),
        }
    }

    fn media_answer(&self) -> Option<crate::call::answer::MediaAnswer> {
        self.answer
            .as_deref()
            .map(|sdp| crate::call::answer::summarise(sdp, self.offer.as_deref()))
    }

    fn paint(&self, colour: &str, text: &str) -> String {
        if self.colour {
            format!("{colour}{text}{}", sgr::RESET)
        } else {
            text.to_string()
        }
    }

    /// Every line printed goes through here. Text lines are built from updates that were
    /// sanitized first (`print`), so the only escapes left in them are our own colours;
    /// JSON gets its controls escaped as JSON does.
    fn line(&self, text: &str) {
        let text = match self.output {
            Output::Text | Output::Nagios => std::borrow::Cow::Borrowed(text),
            Output::Json => crate::sanitize::escape_json_text(text),
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    fn note(&self, text: &str) {
        if self.quiet {
            return;
        }
        match self.output {
            Output::Nagios => {}
            Output::Text => self.line(&crate::sanitize::sanitize(&format!("note: {text}"))),
            Output::Json => self.line(&json!({"type": "notice", "message": text}).to_string()),
        }
    }

    fn print(&mut self, update: &CallUpdate) {
        if let CallUpdate::MediaAnswer(sdp) = update {
            self.answer = Some(sdp.clone());
            // Written as it comes, so the summary stays the last line.
            if let Some(path) = &self.save_answer {
                match std::fs::write(path, sdp) {
                    Ok(()) => self.note(&format!("media answer written to {}", path.display())),
                    Err(e) => crate::errln!("avlaunch: cannot write {}: {e}", path.display()),
                }
            }
            if self.output == Output::Text && !self.quiet {
                let line = self.media_answer().map(|a| a.line()).unwrap_or_default();
                self.line(&crate::sanitize::sanitize(&format!(
                    "  media answer: {line}"
                )));
            }
            return;
        }
        if let (Output::Json, CallUpdate::Finished(_)) = (self.output, update) {
            let mut summary = json_line(update);
            if let Some(answer) = self.media_answer() {
                summary["media_answer"] = json!(answer);
            }
            self.line(&summary.to_string());
            return;
        }
        // What the application offers and hold state are for the terminal UI.
        if matches!(
            update,
            CallUpdate::Offered { .. } | CallUpdate::Held(_) | CallUpdate::HoldOffered { .. }
        ) {
            return;
        }
        match self.output {
            Output::Text => {
                let finished = matches!(update, CallUpdate::Finished(_));
                if self.quiet && !finished {
                    return;
                }
                // Sanitized before painting, so server strings cannot drive the terminal
                // and our own colour codes still can.
                let safe = crate::sanitize::sanitize_update(update.clone());
                if let Some(text) = self.text(&safe) {
                    self.line(&text);
                }
                if let CallUpdate::Finished(o) = update {
                    if let Some(e) = o.error.as_ref().filter(|_| !self.stdout_is_stderr_terminal) {
                        crate::errln!("avlaunch: {}", crate::sanitize::sanitize(&e.message));
                    }
                }
            }
            // One line at the end (`run`), nothing before it.
            Output::Nagios => {}
            Output::Json => {
                if !self.quiet || matches!(update, CallUpdate::Finished(_)) {
                    self.line(&json_line(update).to_string())
                }
            }
        }
    }

    /// The text line of an update (already sanitized); `None` for what text does not show.
    fn text(&self, update: &CallUpdate) -> Option<String> {
        Some(match update {
            CallUpdate::StepStarted(step) => self.step_started(*step),
            CallUpdate::StepFinished { step, elapsed } => self.paint(
                sgr::DIM,
                &format!("  {} done ({} ms)", step.label(), ms(*elapsed)),
            ),
            CallUpdate::Notice(notice) => {
                let text = crate::sanitize::notice_text(notice);
                self.paint(sgr::YELLOW, &format!("note: {text}"))
            }
            CallUpdate::Wire(_)
            | CallUpdate::Offered(_)
            | CallUpdate::Held(_)
            | CallUpdate::HoldOffered { .. }
            | CallUpdate::MediaAnswer(_) => return None,
            CallUpdate::Event(e) => self.event(e),
            CallUpdate::InvitationCreated { href, operation_id } => {
                format!("  invitation {href} (operation {operation_id})")
            }
            CallUpdate::InvitationState(state) => format!("  invitation state: {state}"),
            CallUpdate::Finished(o) => self.finished(o),
        })
    }

    fn step_started(&self, step: crate::call::Step) -> String {
        match step {
            crate::call::Step::Invite => match &self.phone {
                Some(phone) => format!(
                    "{} {} through your phone {} (Call via Work, {})…",
                    step.label(),
                    self.to,
                    crate::call::request::display_phone(phone),
                    self.format.name()
                ),
                None => format!("{} {} ({})…", step.label(), self.to, self.format.name()),
            },
            crate::call::Step::InCall if self.stays => {
                format!("{}… (press Ctrl-C to hang up)", step.label())
            }
            _ => format!("{}…", step.label()),
        }
    }

    /// An event line; red when the event carries a reason (something failed).
    fn event(&self, e: &crate::call::EventNote) -> String {
        let mut s = format!("  event: {} {} {}", e.sender, e.rel, e.kind);
        if let Some(state) = &e.state {
            s.push_str(&format!(" ({state})"));
            // Call via Work: which leg the invitation is on.
            let leg = self
                .phone
                .as_deref()
                .filter(|_| e.rel == crate::ucwa::modality::PHONE_AUDIO.invitation)
                .and_then(|p| crate::call::phone_leg(state, p, &self.to));
            if let Some(leg) = leg {
                s.push_str(&format!(" — {leg}"));
            }
        }
        if let Some(status) = &e.status {
            s.push_str(&format!(" status {status}"));
        }
        if let Some(r) = &e.reason {
            s.push_str(&format!(
                " reason {}/{}",
                r.code,
                r.subcode.as_deref().unwrap_or("None")
            ));
            return self.paint(sgr::RED, &s);
        }
        s
    }

    /// The outcome line: the final state in colour, the error (with code, subcode and
    /// diagnostics) or how long the call was connected, and the exit code.
    fn finished(&self, o: &CallOutcome) -> String {
        let colour = match o.state {
            crate::call::FinalState::Connected | crate::call::FinalState::Ended(_) => sgr::GREEN,
            crate::call::FinalState::Cancelled => sgr::YELLOW,
            crate::call::FinalState::Failed => sgr::RED,
        };
        let state = self.paint(&format!("{}{colour}", sgr::BOLD), o.state.label());
        let mut s = format!("result: {state}");
        match (&o.error, o.connected_for) {
            (Some(e), _) => {
                s.push_str(&format!(" — {}", e.message));
                // The message may already name them ("409 Conflict/AlreadyExists").
                let named = |v: &Option<String>| v.as_deref().is_none_or(|v| e.message.contains(v));
                if (e.code.is_some() || e.subcode.is_some())
                    && !(named(&e.code) && named(&e.subcode))
                {
                    s.push_str(&format!(
                        " [code {}, subcode {}]",
                        e.code.as_deref().unwrap_or("-"),
                        e.subcode.as_deref().unwrap_or("None")
                    ));
                }
                for d in &e.diagnostics {
                    s.push_str(&format!("\n  {}", d.line()));
                }
            }
            (None, Some(d)) => s.push_str(&format!(
                "{} talked to {} for {:.1} s",
                // "Ended — you hung up; talked to …", "Connected — talked to …"
                if o.state.ended_by().is_some() {
                    ";"
                } else {
                    " —"
                },
                self.to,
                d.as_secs_f64()
            )),
            (None, None) => {}
        }
        s.push_str(&format!(" (exit {})", o.exit_code()));
        s
    }
}

/// The summary line of a run that ended before the call could report its own outcome (the
/// simulator could not start, the session task died): the summary's members, `state`
/// `Failed`, `error.kind` naming what failed.
pub fn failure_summary(kind: &str, message: &str, exit_code: u8) -> serde_json::Value {
    json!({
        "type": "summary",
        "state": "Failed",
        "invitation": null,
        "operation_id": null,
        "timings_ms": {},
        "connected_ms": null,
        "exit_code": exit_code,
        "error": {
            "kind": kind,
            "status": null,
            "code": null,
            "subcode": null,
            "message": message,
            "server_message": null,
        },
    })
}

/// One JSON object per update; the `Finished` one is the summary.
pub fn json_line(update: &CallUpdate) -> serde_json::Value {
    match update {
        CallUpdate::StepStarted(step) => {
            json!({"type": "step", "step": step.key(), "phase": "started"})
        }
        CallUpdate::StepFinished { step, elapsed } => {
            json!({"type": "step", "step": step.key(), "phase": "finished", "ms": ms(*elapsed)})
        }
        CallUpdate::Notice(notice) => json!({"type": "notice", "message": notice.to_string()}),
        CallUpdate::Wire(r) => json!({
            "type": "http", "seq": r.seq, "method": r.method, "url": r.url,
            "status": r.status, "ms": ms(r.elapsed), "error": r.error,
        }),
        CallUpdate::Event(e) => json!({
            "type": "event", "sender": e.sender, "kind": e.kind, "rel": e.rel, "href": e.href,
            "state": e.state, "status": e.status,
            "reason": e.reason.as_ref().map(|r| json!({"code": r.code, "subcode": r.subcode, "message": r.message})),
        }),
        CallUpdate::InvitationCreated { href, operation_id } => {
            json!({"type": "invitation", "href": href, "operation_id": operation_id})
        }
        CallUpdate::InvitationState(state) => json!({"type": "state", "state": state}),
        CallUpdate::Offered(offered) => {
            let mut line = serde_json::Map::new();
            line.insert("type".into(), json!("offered"));
            for (modality, yes) in offered.each() {
                line.insert(modality.key.into(), json!(yes));
            }
            serde_json::Value::Object(line)
        }
        CallUpdate::Held(held) => json!({"type": "held", "held": held}),
        CallUpdate::MediaAnswer(sdp) => json!({"type": "media_answer", "sdp": sdp}),
        CallUpdate::HoldOffered { hold, resume } => {
            json!({"type": "hold_offered", "hold": hold, "resume": resume})
        }
        CallUpdate::Finished(o) => {
            let timings: serde_json::Map<String, serde_json::Value> = o
                .timings
                .iter()
                .map(|(s, d)| (s.key().to_string(), json!(ms(*d))))
                .collect();
            json!({
                "type": "summary",
                "state": o.state.as_str(),
                "ended_by": o.state.ended_by().map(|by| by.as_str()),
                "invitation": o.invitation,
                "operation_id": o.operation_id,
                "timings_ms": timings,
                "connected_ms": o.connected_for.map(ms),
                "exit_code": o.exit_code(),
                "error": o.error.as_ref().map(|e| json!({
                    "kind": e.kind,
                    "status": e.status,
                    "code": e.code,
                    "subcode": e.subcode,
                    "message": e.message,
                    "server_message": e.server_message,
                    "diagnostics": e.diagnostics.first(),
                })),
            })
        }
    }
}

/// Ctrl-C, SIGTERM and SIGHUP as one stream. The handlers are installed once, up front, so a
/// signal that arrives while an update is being printed is not lost.
/// SIGINT, SIGTERM and SIGHUP (Ctrl-C elsewhere): what ends a headless command early.
pub(crate) struct Signals {
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    pub(crate) fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Signals {
                streams: [
                    SignalKind::interrupt(),
                    SignalKind::terminate(),
                    SignalKind::hangup(),
                ]
                .into_iter()
                .filter_map(|kind| signal(kind).ok())
                .collect(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    pub(crate) async fn next(&mut self) {
        #[cfg(unix)]
        {
            if self.streams.is_empty() {
                return std::future::pending().await;
            }
            let waits = self.streams.iter_mut().map(|s| Box::pin(s.recv()));
            futures_util::future::select_all(waits).await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{CallOutcome, FinalState};

    fn printer(colour: bool) -> Printer {
        Printer {
            output: Output::Text,
            to: "sip:bob@contoso.com".into(),
            phone: None,
            offer: None,
            answer: None,
            save_answer: None,
            stays: true,
            quiet: false,
            colour,
            format: Format::Xml,
            stdout_is_stderr_terminal: false,
        }
    }

    /// The JSON form of `Offered` has one key per row of the modality table, after `type`,
    /// in the table's order; the typed states and kinds are their wire spellings.
    #[test]
    fn json_lines_spell_typed_values_as_on_the_wire() {
        use crate::call::{EventKind, InvitationState, Offered, OperationStatus};
        use crate::ucwa::modality::PHONE_AUDIO;
        let phone_only = Offered::from_fn(|m| *m == PHONE_AUDIO);
        assert_eq!(
            json_line(&CallUpdate::Offered(phone_only)).to_string(),
            r#"{"type":"offered","audio_video":false,"phone_audio":true}"#
        );
        assert_eq!(
            json_line(&CallUpdate::InvitationState(InvitationState::TeamRing)).to_string(),
            r#"{"type":"state","state":"TeamRing"}"#
        );
        let odd = InvitationState::parse("Parked");
        assert_eq!(
            json_line(&CallUpdate::InvitationState(odd))["state"],
            "Parked"
        );
        let note = crate::call::EventNote {
            at: std::time::SystemTime::UNIX_EPOCH,
            sender: "communication".into(),
            kind: EventKind::Completed,
            rel: "audioVideoInvitation".into(),
            href: "/inv/1".into(),
            state: None,
            status: Some(OperationStatus::Other("Partial".into())),
            reason: None,
        };
        let line = json_line(&CallUpdate::Event(note));
        assert_eq!(
            (&line["kind"], &line["status"]),
            (&json!("completed"), &json!("Partial"))
        );
    }

    #[test]
    fn colour_only_when_asked_and_the_format_named_with_the_invitation() {
        let outcome = CallUpdate::Finished(CallOutcome {
            state: FinalState::Failed,
            invitation: None,
            operation_id: "op".into(),
            timings: vec![],
            error: None,
            connected_for: None,
        });
        let plain = printer(false).text(&outcome).unwrap();
        assert_eq!(plain, "result: Failed (exit 1)");
        let painted = printer(true).text(&outcome).unwrap();
        assert!(
            painted.contains("\x1b[1m\x1b[31mFailed\x1b[0m"),
            "{painted:?}"
        );
        let invite = CallUpdate::StepStarted(crate::call::Step::Invite);
        assert!(printer(false)
            .text(&invite)
            .unwrap()
            .ends_with("sip:bob@contoso.com (xml)…"));
    }
}
