//! One call of this run as the screen keeps it: its log, events, wire log and ladder while
//! they are wanted, then only its summary; and the words that say where it is.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use crate::call::{CallOutcome, CallRequest, EventNote, InvitationState, Step};
use crate::ucwa::transport::WireRecord;
use crate::ucwa::Format;

use super::CallId;
use crate::tui::ladder::LadderRow;
use crate::tui::wire::WireDoc;

/// Calls that keep their full detail (wire log, events, ladder, every status line); older
/// finished calls keep their summary, notices and outcome only, so memory grows by a few
/// hundred bytes per call, not by the wire log's tens of kilobytes.
pub const DETAILED_CALLS: usize = 50;

/// A line of the status pane's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogKind {
    Step,
    Event,
    /// An event that reports a failure.
    EventFailure,
    Notice,
    Error,
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub at: SystemTime,
    pub kind: LogKind,
    pub text: String,
}

/// One call of this run, live or finished.
#[derive(Clone, Debug)]
pub struct CallRecord {
    pub id: CallId,
    pub request: CallRequest,
    pub format: Format,
    pub started: Instant,
    pub started_wall: SystemTime,
    pub step: Option<Step>,
    pub invitation: Option<String>,
    pub operation_id: String,
    pub invitation_state: Option<InvitationState>,
    pub connected_at: Option<Instant>,
    pub log: Vec<LogLine>,
    pub events: Vec<EventNote>,
    pub wire: Vec<WireRecord>,
    pub wire_doc: WireDoc,
    pub ladder: Vec<LadderRow>,
    pub outcome: Option<CallOutcome>,
    pub finished_at: Option<Instant>,
    /// The user asked to end it (Esc, Ctrl-E, a new call, quit).
    pub ending: bool,
    /// Files written by the last export.
    pub exported: Vec<PathBuf>,
    /// What the session reported along the way (a recovery such as signing in again, a
    /// refused cancel): part of what happened, shown with the outcome.
    pub notes: Vec<String>,
    /// The wire log, events and ladder were let go (older than the last `DETAILED_CALLS`).
    pub released: bool,
    /// Call via Work: on hold now (the server accepted holdPhoneAudio).
    pub held: bool,
    /// Whether hold and resume are offered now (the modality's links).
    pub hold_offered: (bool, bool),
    /// Call via Work: the leg last shown (your phone ringing, then the contact called).
    pub leg: Option<String>,
    /// Call via Work: the event (an index into `events`) that started each leg, and its
    /// words, so the ladder names the legs too.
    pub legs: Vec<(usize, String)>,
}

impl CallRecord {
    pub fn live(&self) -> bool {
        self.outcome.is_none()
    }

    pub fn connected(&self) -> bool {
        self.connected_at.is_some()
    }

    /// Lets go of the wire log, events and ladder, and of the status log's step and event
    /// lines; the summary, notices and the outcome line stay.
    pub(super) fn release_detail(&mut self) {
        self.log
            .retain(|l| matches!(l.kind, LogKind::Notice | LogKind::Error | LogKind::Done));
        self.log.shrink_to_fit();
        self.wire = Vec::new();
        self.events = Vec::new();
        self.wire_doc = WireDoc::default();
        self.ladder = Vec::new();
        self.released = true;
    }

    /// Still setting up or ringing: Esc cancels.
    pub fn ringing(&self) -> bool {
        self.live() && !self.connected()
    }

    /// The one word or phrase that says where the call is.
    pub fn status_label(&self) -> &'static str {
        match (&self.outcome, self.step) {
            (Some(o), _) => o.state.label(),
            (None, _) if self.ending && self.connected() => "hanging up",
            (None, _) if self.ending => "cancelling",
            (None, _) if self.connected() => "Connected",
            (None, Some(step)) => step.label(),
            (None, None) => "starting",
        }
    }

    /// Time since the call started, or its whole length once finished.
    pub fn elapsed(&self, now: Instant) -> Duration {
        self.finished_at
            .unwrap_or(now)
            .saturating_duration_since(self.started)
    }

    /// Time connected so far (or in all), if it connected.
    pub fn connected_for(&self, now: Instant) -> Option<Duration> {
        if let Some(d) = self.outcome.as_ref().and_then(|o| o.connected_for) {
            return Some(d);
        }
        self.connected_at.map(|at| {
            self.finished_at
                .unwrap_or(now)
                .saturating_duration_since(at)
        })
    }

    pub(super) fn log(&mut self, at: SystemTime, kind: LogKind, text: String) {
        self.log.push(LogLine { at, kind, text });
    }
}
