//! The wire log pane: every exchange of the shown call in full, headers and pretty bodies.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::tui::app::App;
use crate::tui::wire::LineKind;

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
    let top = app.wire_top.min(doc.lines.len().saturating_sub(1));
    let current = doc
        .starts
        .iter()
        .rposition(|s| *s <= top)
        .map_or(0, |i| i + 1);
    let title = format!(
        " Wire log · call #{} · exchange {current}/{} · line {}/{} ",
        call.id,
        doc.starts.len(),
        top + 1,
        doc.lines.len()
    );
    let block = crate::tui::view::pane_block(app, title, true);
    let inner = block.inner(area);
    block.render(area, buf);
    for (row, (kind, text)) in doc
        .lines
        .iter()
        .skip(top)
        .take(inner.height as usize)
        .enumerate()
    {
        let style = match kind {
            LineKind::Title => t.record_title,
            LineKind::Section => t.title,
            LineKind::Header => t.header_name,
            LineKind::Body | LineKind::Blank => t.body,
            LineKind::Error => t.error,
        };
        Line::from(Span::styled(text.as_str(), style)).render(
            Rect::new(inner.x, inner.y + row as u16, inner.width, 1),
            buf,
        );
    }
}
