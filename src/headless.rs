//! `avlaunch call`: runs one call and prints its `CallUpdate`s as text or JSON lines;
//! Ctrl-C and SIGTERM end the call (cancel or hang up) before exiting.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;

use crate::call::session::{self, CallOptions, Connection};
use crate::call::{CallOutcome, CallUpdate, ValidCall};
use crate::cli::Output;
use crate::ucwa::transport::WireRecord;

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
    output: Output,
    banner: Option<Banner>,
    har: Option<PathBuf>,
    history: Option<crate::history::Recorder>,
) -> u8 {
    let mut out = std::io::stdout().lock();
    if let Some(b) = &banner {
        let _ = match output {
            Output::Text => writeln!(
                out,
                "avlaunch: no --server given: using the built-in simulator at {} (password 'demo'; contacts: {})",
                b.url,
                b.contacts.join(", ")
            ),
            Output::Json => writeln!(out, "{}", json!({"type": "simulator", "url": b.url, "contacts": b.contacts})),
        };
    }
    drop(out);
    let to = call.to.clone();
    let started = std::time::SystemTime::now();
    let format = connection.format;
    let recorded = history.map(|r| (r, call.clone()));
    let (updates_tx, mut updates) = mpsc::unbounded_channel();
    let (control_tx, control) = mpsc::unbounded_channel();
    let task = tokio::spawn(session::run(call, connection, options, updates_tx, control));
    let mut signals = Signals::new();
    let mut records: Vec<WireRecord> = Vec::new();
    let mut printer = Printer {
        output,
        to,
        stays: options.hangup_after.is_none(),
    };
    let mut outcome: Option<CallOutcome> = None;
    loop {
        tokio::select! {
            update = updates.recv() => match update {
                Some(update) => {
                    if let CallUpdate::Wire(r) = &update {
                        if har.is_some() { records.push(r.clone()); }
                    }
                    if let CallUpdate::Finished(o) = &update {
                        outcome = Some(o.clone());
                    }
                    printer.print(&update);
                }
                None => break,
            },
            _ = signals.next() => {
                printer.note("interrupted: ending the call (cancel or hang up, then delete the application)");
                let _ = control_tx.send(crate::call::CallControl::End);
            }
        }
    }
    let outcome = match outcome {
        Some(o) => o,
        None => match task.await {
            Ok(o) => o,
            Err(e) => {
                eprintln!("avlaunch: the call stopped unexpectedly: {e}");
                return 3;
            }
        },
    };
    if let Some((recorder, call)) = recorded {
        if let Err(e) = recorder.record(&call, format, started, &outcome) {
            eprintln!(
                "avlaunch: note: could not record the call in {}: {e}",
                recorder.path.display()
            );
        }
    }
    if let Some(path) = har {
        match crate::har::write_har(&path, &records) {
            Ok(()) => printer.note(&format!("wire log written to {} (HAR 1.2)", path.display())),
            Err(e) => eprintln!("avlaunch: cannot write {}: {e}", path.display()),
        }
    }
    outcome.exit_code()
}

struct Printer {
    output: Output,
    to: String,
    /// No `--hangup-after`: the call stays up until the far end hangs up or Ctrl-C.
    stays: bool,
}

impl Printer {
    fn line(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    fn note(&self, text: &str) {
        match self.output {
            Output::Text => self.line(&format!("note: {text}")),
            Output::Json => self.line(&json!({"type": "notice", "message": text}).to_string()),
        }
    }

    fn print(&mut self, update: &CallUpdate) {
        match self.output {
            Output::Text => {
                if let Some(text) = self.text(update) {
                    self.line(&text);
                }
                if let CallUpdate::Finished(o) = update {
                    if let Some(e) = &o.error {
                        eprintln!("avlaunch: {}", e.message);
                    }
                }
            }
            Output::Json => self.line(&json_line(update).to_string()),
        }
    }

    fn text(&self, update: &CallUpdate) -> Option<String> {
        Some(match update {
            CallUpdate::StepStarted(step) => match step {
                crate::call::Step::Invite => format!("{} {}…", step.label(), self.to),
                crate::call::Step::InCall if self.stays => {
                    format!("{}… (press Ctrl-C to hang up)", step.label())
                }
                _ => format!("{}…", step.label()),
            },
            CallUpdate::StepFinished { step, elapsed } => {
                format!("  {} done ({} ms)", step.label(), ms(*elapsed))
            }
            CallUpdate::Notice(text) => format!("note: {text}"),
            CallUpdate::Wire(_) => return None,
            CallUpdate::Event(e) => {
                let mut s = format!("  event: {} {} {}", e.sender, e.rel, e.kind);
                if let Some(state) = &e.state {
                    s.push_str(&format!(" ({state})"));
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
                }
                s
            }
            CallUpdate::InvitationCreated { href, operation_id } => {
                format!("  invitation {href} (operation {operation_id})")
            }
            CallUpdate::InvitationState(state) => format!("  invitation state: {state}"),
            CallUpdate::Finished(o) => {
                let mut s = format!("result: {} ", o.state.as_str());
                match (&o.error, o.connected_for) {
                    (Some(e), _) => {
                        s.push_str(&format!("— {}", e.message));
                        if e.code.is_some() || e.subcode.is_some() {
                            s.push_str(&format!(
                                " [code {}, subcode {}]",
                                e.code.as_deref().unwrap_or("-"),
                                e.subcode.as_deref().unwrap_or("None")
                            ));
                        }
                    }
                    (None, Some(d)) => s.push_str(&format!(
                        "— talked to {} for {:.1} s",
                        self.to,
                        d.as_secs_f64()
                    )),
                    (None, None) => {}
                }
                s.push_str(&format!(" (exit {})", o.exit_code()));
                s
            }
        })
    }
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
        CallUpdate::Notice(text) => json!({"type": "notice", "message": text}),
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
        CallUpdate::Finished(o) => {
            let timings: serde_json::Map<String, serde_json::Value> = o
                .timings
                .iter()
                .map(|(s, d)| (s.key().to_string(), json!(ms(*d))))
                .collect();
            json!({
                "type": "summary",
                "state": o.state.as_str(),
                "invitation": o.invitation,
                "operation_id": o.operation_id,
                "timings_ms": timings,
                "connected_ms": o.connected_for.map(ms),
                "exit_code": o.exit_code(),
                "error": o.error.as_ref().map(|e| json!({
                    "kind": format!("{:?}", e.kind),
                    "status": e.status,
                    "code": e.code,
                    "subcode": e.subcode,
                    "message": e.message,
                    "server_message": e.server_message,
                })),
            })
        }
    }
}

/// Ctrl-C, SIGTERM and SIGHUP as one stream. The handlers are installed once, up front, so a
/// signal that arrives while an update is being printed is not lost.
struct Signals {
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Self {
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

    async fn next(&mut self) {
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
