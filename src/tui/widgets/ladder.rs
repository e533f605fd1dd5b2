//! The ladder pane: the shown call as a sequence diagram, one row per request, response and
//! event; Enter opens the selected exchange in the wire log.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::tui::app::App;
use crate::tui::ladder::{arrow, offset_text, RowKind};

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let title = match app.shown_call() {
        Some(c) => format!(
            " Ladder · call #{} to {} · {} exchanges · {} events ",
            c.id,
            c.request.to,
            c.wire.len(),
            c.events.len()
        ),
        None => " Ladder ".to_string(),
    };
    let block = crate::tui::view::pane_block(app, title, true);
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(call) = app.shown_call().filter(|c| !c.ladder.is_empty()) else {
        Span::styled("no requests yet: place a call from the form (Esc)", t.dim).render(inner, buf);
        return;
    };
    if inner.height < 2 || inner.width < 30 {
        return;
    }
    let arrow_width = inner.width.saturating_sub(11 + 2 + 1) as usize;
    let head = format!("{:8}client{:>w$}", "", "server", w = arrow_width - 1);
    Span::styled(head, t.title).render(Rect::new(inner.x, inner.y, inner.width, 1), buf);
    let height = (inner.height - 1) as usize;
    let rows = &call.ladder;
    let sel = app.ladder_sel.unwrap_or(rows.len() - 1).min(rows.len() - 1);
    let top = if sel < height { 0 } else { sel + 1 - height };
    for (i, row) in rows.iter().enumerate().skip(top).take(height) {
        let style = match (row.failed, row.kind) {
            (true, _) => t.error,
            (false, RowKind::Request) => t.request,
            (false, RowKind::Response) => t.response,
            (false, RowKind::Event) => t.event,
            (false, RowKind::NoResponse) => t.error,
        };
        let mut line = Line::from(vec![
            Span::styled(format!("{:>10} ", offset_text(row.offset)), t.dim),
            Span::styled("│", t.border),
            Span::styled(arrow(row.kind, &row.label, arrow_width), style),
            Span::styled("│", t.border),
        ]);
        if i == sel && app.ladder_sel.is_some() {
            line = line.patch_style(t.selected);
        }
        let y = inner.y + 1 + (i - top) as u16;
        line.render(Rect::new(inner.x, y, inner.width, 1), buf);
    }
}
