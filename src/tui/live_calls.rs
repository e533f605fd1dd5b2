//! The calls the loop runs: each session on its own task, its updates forwarded tagged with
//! the call's number (and recorded in the history file as it finishes), ended on the way out;
//! a call that cannot start still ends on screen with the reason.

use std::collections::HashMap;
use std::time::SystemTime;

use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task::JoinHandle;

use crate::call::session::{CallOptions, Connection};
use crate::call::{
    CallControl, CallError, CallOutcome, CallUpdate, ErrorKind, FinalState, ValidCall,
};
use crate::history::Recorder;
use crate::ucwa::Format;

use super::app::{self, App, CallId};
use super::{SessionRunner, QUIT_GRACE};

/// A call's session on its task, and how to steer it.
pub(super) struct LiveCall {
    pub(super) control: UnboundedSender<CallControl>,
    pub(super) task: JoinHandle<()>,
}

/// Sends End to every live call and waits (bounded) for each to cancel or hang up, then
/// closes the signed-in session (its application is deleted).
///
/// Returns the calls still ending when `QUIT_GRACE` ran out.
pub(super) async fn end_live_calls(
    live: HashMap<CallId, LiveCall>,
    runner: &SessionRunner,
) -> Vec<CallId> {
    for c in live.values() {
        let _ = c.control.send(CallControl::End);
    }
    let mut tasks: Vec<(CallId, JoinHandle<()>)> =
        live.into_iter().map(|(id, c)| (id, c.task)).collect();
    let all_ended = async {
        for (_, task) in &mut tasks {
            let _ = task.await;
        }
    };
    let _ = tokio::time::timeout(QUIT_GRACE, all_ended).await;
    (runner.close)().await;
    tasks
        .iter()
        .filter(|(_, task)| !task.is_finished())
        .map(|(id, _)| *id)
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn spawn_call(
    runner: &SessionRunner,
    id: CallId,
    call: ValidCall,
    connection: &Connection,
    format: Format,
    options: CallOptions,
    tx: UnboundedSender<(CallId, CallUpdate)>,
    recorder: Option<Recorder>,
) -> LiveCall {
    let (updates_tx, mut updates_rx) = mpsc::unbounded_channel();
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    let mut connection = connection.clone();
    connection.format = format;
    let operation_id = call.operation_id.clone();
    let recorded = recorder.map(|r| (r, call.clone(), SystemTime::now()));
    let session = (runner.run)(call, connection, options, updates_tx, control_rx);
    let task = tokio::spawn(async move {
        let inner = tokio::spawn(session);
        let mut finished = false;
        while let Some(update) = updates_rx.recv().await {
            if let (CallUpdate::Finished(outcome), Some((recorder, call, started))) =
                (&update, &recorded)
            {
                let (recorder, call, started) = (recorder.clone(), call.clone(), *started);
                let outcome = outcome.clone();
                // A file write: off the runtime's thread.
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = recorder.record(&call, format, started, &outcome) {
                        tracing::warn!(
                            "cannot record the call in {}: {e}",
                            recorder.path.display()
                        );
                    }
                });
            }
            finished |= matches!(update, CallUpdate::Finished(_));
            let _ = tx.send((id, update));
        }
        // A session that ended without saying so (or panicked) still ends on screen.
        let result = inner.await;
        if !finished {
            let outcome = match result {
                Ok(outcome) => outcome,
                Err(_) => failed_outcome(
                    operation_id,
                    "the call stopped unexpectedly (an internal error); see the log",
                    ErrorKind::Protocol,
                ),
            };
            let _ = tx.send((id, CallUpdate::Finished(outcome)));
        }
    });
    LiveCall {
        control: control_tx,
        task,
    }
}

fn failed_outcome(operation_id: String, message: &str, kind: ErrorKind) -> CallOutcome {
    CallOutcome {
        state: if kind == ErrorKind::Cancelled {
            FinalState::Cancelled
        } else {
            FinalState::Failed
        },
        invitation: None,
        operation_id,
        timings: Vec::new(),
        error: Some(CallError::new(kind, message)),
        connected_for: None,
    }
}

pub(super) fn fail_call(
    tx: &UnboundedSender<(CallId, CallUpdate)>,
    id: CallId,
    call: &ValidCall,
    app: &App,
) {
    let reason = match &app.conn {
        app::ConnState::Failed(e) => format!("cannot connect: {e}"),
        _ => "no connection".to_string(),
    };
    let outcome = failed_outcome(call.operation_id.clone(), &reason, ErrorKind::Network);
    let _ = tx.send((id, CallUpdate::Finished(outcome)));
}

pub(super) fn cancel_queued(
    tx: &UnboundedSender<(CallId, CallUpdate)>,
    id: CallId,
    call: &ValidCall,
) {
    let outcome = failed_outcome(
        call.operation_id.clone(),
        "cancelled before the connection was ready; nothing was sent",
        ErrorKind::Cancelled,
    );
    let _ = tx.send((id, CallUpdate::Finished(outcome)));
}
