//! The connectivity checklist (F12): the same checks as `avlaunch doctor`, on the current
//! session's server, filled in as each finishes.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use crate::doctor::{summary, Check, Verdict, CHECKS};
use crate::sanitize::sanitize;
use crate::tui::app::App;

/// The footer while the checklist is open.
pub const FOOTER: &[(&str, &str)] = &[("Esc/Enter/F12", "close")];

pub fn render(app: &App, checks: &[Check], area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let width = 100.min(area.width);
    let height = 24.min(area.height);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (i, name) in CHECKS.iter().enumerate() {
        match checks.get(i) {
            Some(c) => {
                let (mark, style) = match c.verdict {
                    Verdict::Pass => ("✓", t.ok),
                    Verdict::Warn => ("!", t.warn),
                    Verdict::Fail => ("✗", t.error),
                    Verdict::Skip => ("-", t.dim),
                };
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(" {mark} {name:<12} {:<4} ", c.verdict.name()),
                        style,
                    ),
                    Span::styled(format!("{:>5} ms  ", c.ms), t.dim),
                    Span::raw(sanitize(&c.detail).into_owned()),
                ]));
            }
            None if i == checks.len() => lines.push(Line::from(Span::styled(
                format!(" … {name:<12} running"),
                t.dim,
            ))),
            None => lines.push(Line::from(Span::styled(
                format!("   {name:<12} waiting"),
                t.dim,
            ))),
        }
    }
    lines.push(Line::raw(""));
    if checks.len() == CHECKS.len() {
        let (verdict, code) = summary(checks);
        let style = match verdict {
            Verdict::Fail => t.error,
            Verdict::Warn => t.warn,
            _ => t.ok,
        };
        lines.push(Line::from(Span::styled(
            format!(" {} (as `avlaunch doctor`: exit {code})", verdict.name()),
            style,
        )));
    }
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.border_focused)
                .title(Span::styled(
                    " Connectivity checks (F12) · no call is placed ",
                    t.title,
                )),
        )
        .render(rect, buf);
}
