//! The wire log pane: every exchange of the shown call in full, headers and pretty bodies,
//! long lines wrapped (continuation rows indented) so a challenge or a link can be read.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::tui::app::App;
use crate::tui::wire::{wrap_line, LineKind, CONTINUATION_INDENT};

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let Some(call) = app.shown_call().filter(|c| !c.wire.is_empty()) else {
        let block = crate::tui::view::pane_block(app, " Wire log ".to_string(), true);
        let inner = block.inner(area);
        block.render(area, buf);
        Span::styled("no requests yet: place a call from the form (Esc)", t.dim).render(inner, buf);
        return;
    };
    let doc = &call.wire_doc;
    let inner = ratatui::widgets::Block::bordered().inner(area);
    let (width, rows) = (inner.width as usize, inner.height as usize);
    let mut vp = app.viewport.get();
    vp.wire_rows = rows;
    vp.wire_width = width;
    app.viewport.set(vp);
    let top = app.wire_top.min(doc.max_top(width, rows));
    // The exchange whose lines are at the top; its number counts exchanges in the order
    // their requests started, as the `#seq` beside it does.
    let current = doc.starts.iter().rposition(|s| *s <= top).unwrap_or(0);
    let mut drawn = Vec::with_capacity(rows);
    let mut last = top;
    'lines: for (i, (kind, text)) in doc.lines.iter().enumerate().skip(top) {
        for (n, row) in wrap_line(text, width).into_iter().enumerate() {
            if drawn.len() == rows {
                break 'lines;
            }
            drawn.push((*kind, n > 0, row));
        }
        last = i;
    }
    let at_end = last + 1 >= doc.lines.len();
    let seq = call.wire.get(current).map_or(0, |r| r.seq);
    // Where you are first: the rest is cut on a narrow terminal.
    let title = format!(
        " Wire log · lines {}–{} of {}{} · exchange {}/{} (#{seq}) · call #{} ",
        top + 1,
        last + 1,
        doc.lines.len(),
        if at_end { " · end" } else { "" },
        current + 1,
        doc.starts.len(),
        call.id,
    );
    let block = crate::tui::view::pane_block(app, title, true);
    block.render(area, buf);
    for (y, (kind, continued, text)) in drawn.into_iter().enumerate() {
        let style = match kind {
            LineKind::Title => t.record_title,
            LineKind::Section => t.title,
            LineKind::Header => t.header_name,
            LineKind::Body | LineKind::Blank => t.body,
            LineKind::Error => t.error,
        };
        let indent = if continued {
            " ".repeat(CONTINUATION_INDENT)
        } else {
            String::new()
        };
        Line::from(vec![Span::raw(indent), Span::styled(text, style)])
            .render(Rect::new(inner.x, inner.y + y as u16, inner.width, 1), buf);
    }
}
