//! Moving about: the history list (this run's calls, then earlier runs'), the ladder's
//! selection, the wire log and help scroll, and opening the exchange behind a ladder row.

use crate::call::CallRequest;
use crate::tui::action::Action;
use crate::tui::ladder::RowKind;
use crate::ucwa::Format;

use super::{App, Overlay, Pane, View};

/// Rows scrolled by PageUp / PageDown.
const PAGE: usize = 10;

impl App {
    /// The wire log at the selected ladder row: a request or response opens its exchange, an
    /// event the long poll's answer that carried it, at the event itself. False when there is
    /// nothing to open.
    pub(super) fn open_selected(&mut self) -> bool {
        let Some(call) = self.shown_call() else {
            return false;
        };
        let Some(sel) = self.ladder_sel.or(call.ladder.len().checked_sub(1)) else {
            return false;
        };
        let Some(row) = call.ladder.get(sel) else {
            return false;
        };
        let (record, needle) = match (row.record, row.event) {
            (Some(r), _) => (r, None),
            (None, Some(event)) => {
                // The answer that carried it is the response row before it; the event is
                // found by its href, counting the events of that answer with the same href.
                let Some(answer) = (0..sel)
                    .rev()
                    .find(|i| call.ladder[*i].kind == RowKind::Response)
                else {
                    return false;
                };
                let href = &call.events[event].href;
                let nth = call.ladder[answer + 1..sel]
                    .iter()
                    .filter_map(|r| r.event)
                    .filter(|e| call.events[*e].href == *href)
                    .count();
                let Some(record) = call.ladder[answer].record else {
                    return false;
                };
                (record, Some((href.clone(), nth)))
            }
            (None, None) => return false,
        };
        let Some(&start) = call.wire_doc.starts.get(record) else {
            return false;
        };
        let end = call
            .wire_doc
            .starts
            .get(record + 1)
            .copied()
            .unwrap_or(call.wire_doc.lines.len());
        let line = needle
            .and_then(|(href, nth)| {
                call.wire_doc.lines[start..end]
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, l))| l.contains(href.as_str()))
                    .nth(nth)
                    .map(|(i, _)| start + i)
            })
            .unwrap_or(start);
        self.wire_top = line.min(self.wire_max_top());
        self.view = View::WireLog;
        true
    }

    /// The last first-line of the wire log that still fills the view.
    pub fn wire_max_top(&self) -> usize {
        let vp = self.viewport.get();
        self.shown_call()
            .map_or(0, |c| c.wire_doc.max_top(vp.wire_width, vp.wire_rows))
    }

    /// The furthest the status log can scroll back: its first line at the top.
    fn log_max_back(&self) -> usize {
        let len = self.shown_call().map_or(0, |c| c.log.len());
        len.saturating_sub(self.viewport.get().log_rows)
    }

    fn help_max_top(&self) -> usize {
        let vp = self.viewport.get();
        vp.help_lines.saturating_sub(vp.help_rows)
    }

    /// Selects entry `index` (0 = newest) of the earlier runs' history and refills the form.
    pub(super) fn select_past(&mut self, index: usize) {
        let Some(entry) = self
            .past
            .len()
            .checked_sub(index + 1)
            .map(|i| &self.past[i])
        else {
            return;
        };
        self.past_sel = Some(index);
        let request = CallRequest {
            to: entry.contact.to_string(),
            subject: entry.subject.as_deref().map(str::to_string),
            importance: entry.importance.as_deref().map(str::to_string),
            join_audio_muted: entry.audio_muted,
            join_video_muted: entry.video_muted,
            via_phone: entry.via_phone.as_deref().map(str::to_string),
            ..Default::default()
        };
        let format = if entry.xml { Format::Xml } else { Format::Json };
        self.form.fill(&request, format);
    }

    pub(super) fn select_history(&mut self, index: usize) {
        let Some(call) = self.calls.get(index) else {
            return;
        };
        self.past_sel = None;
        self.history_sel = index;
        self.shown = Some(index);
        let (request, format) = (call.request.clone(), call.format);
        self.form.fill(&request, format);
        self.log_back = 0;
        self.ladder_sel = None;
        self.wire_top = 0;
    }

    pub(super) fn move_selection(&mut self, action: Action) {
        if self.overlay == Overlay::Help {
            let max = self.help_max_top();
            self.help_top = match action {
                Action::Up => self.help_top.saturating_sub(1),
                Action::Down => (self.help_top + 1).min(max),
                Action::Top => 0,
                _ => max,
            };
            return;
        }
        match (self.view, self.pane) {
            (View::Form, Pane::History) if self.past_sel.is_some() || self.calls.is_empty() => {
                // Below this run's calls: the earlier runs', newest first.
                let cur = self.past_sel.unwrap_or(0);
                let last = self.past.len().saturating_sub(1);
                match action {
                    Action::Up if cur == 0 && !self.calls.is_empty() => self.select_history(0),
                    Action::Up => self.select_past(cur.saturating_sub(1)),
                    Action::Down => self.select_past((cur + 1).min(last)),
                    Action::Top if !self.calls.is_empty() => {
                        self.select_history(self.calls.len() - 1)
                    }
                    Action::Top => self.select_past(0),
                    _ => self.select_past(last),
                }
            }
            (View::Form, Pane::History) => {
                if !self.past.is_empty()
                    && ((action == Action::Down && self.history_sel == 0)
                        || action == Action::Bottom)
                {
                    let i = if action == Action::Bottom {
                        self.past.len() - 1
                    } else {
                        0
                    };
                    self.select_past(i);
                    return;
                }
                // The list shows the newest first, so Up goes to a newer call.
                let last = self.calls.len().saturating_sub(1);
                let i = match action {
                    Action::Up => (self.history_sel + 1).min(last),
                    Action::Down => self.history_sel.saturating_sub(1),
                    Action::Top => last,
                    _ => 0,
                };
                self.select_history(i);
            }
            (View::Ladder, _) => {
                let len = self.shown_call().map_or(0, |c| c.ladder.len());
                let Some(last) = len.checked_sub(1) else {
                    self.ladder_sel = None;
                    return;
                };
                // Nothing selected yet: Down starts at the first row, Up at the last.
                self.ladder_sel = Some(match (action, self.ladder_sel) {
                    (Action::Down, None) | (Action::Top, _) => 0,
                    (_, None) | (Action::Bottom, _) => last,
                    (Action::Down, Some(i)) => (i + 1).min(last),
                    (_, Some(i)) => i.saturating_sub(1).min(last),
                });
            }
            (View::WireLog, _) => {
                let max = self.wire_max_top();
                self.wire_top = match action {
                    Action::Up => self.wire_top.min(max).saturating_sub(1),
                    Action::Down => (self.wire_top + 1).min(max),
                    Action::Top => 0,
                    _ => max,
                };
            }
            (View::Form, Pane::Form) => {}
        }
    }

    pub(super) fn page(&mut self, up: bool) {
        if self.overlay == Overlay::Help {
            let rows = self.viewport.get().help_rows.max(1);
            self.help_top = if up {
                self.help_top.saturating_sub(rows)
            } else {
                (self.help_top + rows).min(self.help_max_top())
            };
            return;
        }
        match self.view {
            View::Form => {
                let max = self.log_max_back();
                self.log_back = if up {
                    (self.log_back.min(max) + PAGE).min(max)
                } else {
                    self.log_back.min(max).saturating_sub(PAGE)
                };
            }
            View::Ladder => {
                for _ in 0..PAGE {
                    self.move_selection(if up { Action::Up } else { Action::Down });
                }
            }
            View::WireLog => {
                let max = self.wire_max_top();
                let rows = self.viewport.get().wire_rows.max(1);
                self.wire_top = if up {
                    self.wire_top.min(max).saturating_sub(rows)
                } else {
                    (self.wire_top + rows).min(max)
                };
            }
        }
    }

    pub(super) fn jump_record(&mut self, next: bool) {
        let Some(call) = self.shown_call() else {
            return;
        };
        match self.view {
            View::WireLog => {
                let starts = &call.wire_doc.starts;
                let target = if next {
                    starts.iter().find(|s| **s > self.wire_top)
                } else {
                    starts.iter().rev().find(|s| **s < self.wire_top)
                };
                if let Some(t) = target {
                    self.wire_top = (*t).min(self.wire_max_top());
                }
            }
            View::Ladder => {
                let last = call.ladder.len().saturating_sub(1);
                let cur = self.ladder_sel.unwrap_or(last);
                let found = if next {
                    (cur + 1..call.ladder.len()).find(|i| call.ladder[*i].record.is_some())
                } else {
                    (0..cur).rev().find(|i| call.ladder[*i].record.is_some())
                };
                if let Some(i) = found {
                    self.ladder_sel = Some(i);
                }
            }
            View::Form => {}
        }
    }
}
