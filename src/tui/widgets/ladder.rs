//! The ladder pane: the shown call as a sequence diagram, one row per request, response and
//! event; Enter opens the selected exchange in the wire log.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Widget;

use crate::tui::app::App;
use crate::tui::ladder::{arrow_parts, offset_text, RowKind};

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let title = match app.shown_call() {
        // Where you are first: the rest is cut on a narrow terminal.
        Some(c) => format!(
            " Ladder · {} · call #{} to {} · {} exchanges · {} events ",
            match app.ladder_sel {
                Some(i) => format!("row {}/{}", (i + 1).min(c.ladder.len()), c.ladder.len()),
                None => format!("newest of {} rows (↑↓ select)", c.ladder.len()),
            },
            c.id,
            c.request.to,
            c.wire.len(),
            c.events.len(),
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
    let mut vp = app.viewport.get();
    vp.ladder_rows = height;
    app.viewport.set(vp);
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
        let y = inner.y + 1 + (i - top) as u16;
        let offset = format!("{:>10} ", offset_text(row.offset));
        let (mut x, _) = buf.set_stringn(inner.x, y, &offset, inner.width as usize, t.dim);
        let end = inner.x + inner.width;
        let (nx, _) = buf.set_stringn(x, y, "│", (end - x) as usize, t.border);
        x = nx;
        let parts = arrow_parts(row.kind, &row.label, arrow_width);
        let (nx, _) = buf.set_stringn(x, y, &parts.head, (end - x) as usize, style);
        x = nx;
        for _ in 0..parts.fill_count {
            if x >= end {
                break;
            }
            buf[(x, y)].set_char(parts.fill).set_style(style);
            x += 1;
        }
        let (nx, _) = buf.set_stringn(x, y, parts.tail, end.saturating_sub(x) as usize, style);
        x = nx;
        buf.set_stringn(x, y, "│", end.saturating_sub(x) as usize, t.border);
        if i == sel && app.ladder_sel.is_some() {
            buf.set_style(Rect::new(inner.x, y, inner.width, 1), t.selected);
        }
    }
}
