//! Calls made in this run, newest first, then those of earlier runs (the history file, with
//! their time of day): contact, subject, outcome, duration. Selecting one refills the form
//! (so calling again is F4, Enter).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::clock;
use crate::call::FinalState;
use crate::history::PastCall;
use crate::tui::app::{App, Pane, View};
use crate::tui::ladder::truncate;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let focused = app.view == View::Form && app.pane == Pane::History;
    let title = if focused {
        " History · Enter call again · Esc back ".to_string()
    } else {
        " History (F4) ".to_string()
    };
    let block = crate::tui::view::pane_block(app, title, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    if app.calls.is_empty() && app.past.is_empty() {
        Span::styled("calls made in this run appear here", t.dim).render(inner, buf);
        return;
    }
    let height = inner.height as usize;
    // This run's calls newest first, then the earlier runs' (from the history file).
    let total = app.calls.len() + app.past.len();
    let sel_pos = match app.past_sel {
        Some(i) => app.calls.len() + i,
        None => app.calls.len().saturating_sub(1 + app.history_sel),
    };
    let top = if sel_pos < height {
        0
    } else {
        sel_pos + 1 - height
    };
    let today = crate::har::iso8601(app.wall);
    for (row, pos) in (top..total).take(height).enumerate() {
        let rect = Rect::new(inner.x, inner.y + row as u16, inner.width, 1);
        if pos >= app.calls.len() {
            let i = pos - app.calls.len();
            let entry = &app.past[app.past.len() - 1 - i];
            let mut line = past_line(app, entry, &today);
            if focused && app.past_sel == Some(i) {
                line = line.patch_style(t.selected);
            }
            line.render(rect, buf);
            continue;
        }
        let index = app.calls.len() - 1 - pos;
        let call = &app.calls[index];
        let (outcome, style) = match call.outcome.as_ref().map(|o| o.state) {
            None => (call.status_label().to_string(), t.warn),
            Some(s @ FinalState::Ended(_)) => (s.label().to_string(), t.ok),
            // Connected at the end means the hang-up was not confirmed.
            Some(s @ (FinalState::Cancelled | FinalState::Connected)) => {
                (s.label().to_string(), t.warn)
            }
            Some(s) => (s.label().to_string(), t.error),
        };
        let duration = match call.connected_for(app.now) {
            Some(d) => clock(d),
            None => format!("after {}", clock(call.elapsed(app.now))),
        };
        let subject = call
            .request
            .subject
            .as_deref()
            .map(|s| format!(" “{}”", truncate(s, 16)))
            .unwrap_or_default();
        let shown = if app.shown == Some(index) { "▶" } else { " " };
        let mut line = Line::from(vec![
            Span::raw(format!("{shown}#{:<3}", call.id)),
            Span::raw(truncate(&call.request.to, 28)),
            Span::styled(subject, t.dim),
            Span::raw("  "),
            Span::styled(outcome, style),
            Span::styled(format!(" {duration}"), t.dim),
        ]);
        if focused && app.past_sel.is_none() && index == app.history_sel {
            line = line.patch_style(t.selected);
        }
        line.render(rect, buf);
    }
}

/// A call of an earlier run: its time of day (and date when not today, UTC), contact,
/// subject, outcome and duration.
fn past_line(app: &App, entry: &PastCall, today: &str) -> Line<'static> {
    let t = &app.theme;
    let time = entry.at.get(11..16).unwrap_or("--:--");
    let when = match entry.at.get(..10) {
        Some(date) if today.starts_with(date) => format!(" {time}"),
        Some(date) => format!(" {} {time}", date.get(5..).unwrap_or(date)),
        None => format!(" {time}"),
    };
    let style = match &*entry.state {
        "Connected" | "Ended" => t.ok,
        "Cancelled" => t.warn,
        _ => t.error,
    };
    let subject = entry
        .subject
        .as_deref()
        .map(|s| format!(" “{}”", truncate(s, 16)))
        .unwrap_or_default();
    Line::from(vec![
        Span::styled(when, t.dim),
        Span::raw(format!(" {}", truncate(&entry.contact, 28))),
        Span::styled(subject, t.dim),
        Span::raw("  "),
        Span::styled(entry.state.to_string(), style),
        Span::styled(format!(" {}", entry.duration_label()), t.dim),
    ])
}
