//! Calls made in this run, newest first: contact, subject, outcome, duration. Selecting one
//! refills the form (so calling again is F4, Enter).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::clock;
use crate::call::FinalState;
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
    if app.calls.is_empty() {
        Span::styled("calls made in this run appear here", t.dim).render(inner, buf);
        return;
    }
    let height = inner.height as usize;
    // Newest first; keep the selection in view.
    let order: Vec<usize> = (0..app.calls.len()).rev().collect();
    let sel_pos = order
        .iter()
        .position(|i| *i == app.history_sel)
        .unwrap_or(0);
    let top = if sel_pos < height {
        0
    } else {
        sel_pos + 1 - height
    };
    for (row, index) in order.iter().skip(top).take(height).enumerate() {
        let call = &app.calls[*index];
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
        let shown = if app.shown == Some(*index) {
            "▶"
        } else {
            " "
        };
        let mut line = Line::from(vec![
            Span::raw(format!("{shown}#{:<3}", call.id)),
            Span::raw(truncate(&call.request.to, 28)),
            Span::styled(subject, t.dim),
            Span::raw("  "),
            Span::styled(outcome, style),
            Span::styled(format!(" {duration}"), t.dim),
        ]);
        if focused && *index == app.history_sel {
            line = line.patch_style(t.selected);
        }
        line.render(
            Rect::new(inner.x, inner.y + row as u16, inner.width, 1),
            buf,
        );
    }
}
