//! The footer: the keys that matter now, depending on focus, view and the call's state.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::tui::action::Context;
use crate::tui::app::App;

/// (key, what) pairs for the footer, most important first.
pub fn keys(app: &App) -> Vec<(&'static str, &'static str)> {
    let mut keys = Vec::with_capacity(12);
    let live = app.live_call();
    match app.context() {
        Context::Help => {
            return vec![
                ("↑↓ PgUp PgDn", "scroll"),
                ("Esc", "close help"),
                ("Ctrl-Q", "quit"),
            ]
        }
        Context::Confirm => return vec![("y", "end it and call"), ("n", "keep the live call")],
        Context::SignIn => return crate::tui::widgets::signin::FOOTER.to_vec(),
        Context::Doctor => return crate::tui::widgets::doctor::FOOTER.to_vec(),
        Context::Text { can_complete } => {
            keys.push(("Enter", "call"));
            if can_complete {
                keys.push(("Tab/→", "complete"));
            }
            keys.push(("Tab", "next"));
        }
        Context::Toggle => {
            keys.push(("Enter", "call"));
            keys.push(("Space/←→", "change"));
            keys.push(("Tab", "next"));
        }
        Context::History => {
            keys.push(("Enter", "call again"));
            keys.push(("↑↓", "select"));
            keys.push(("Esc", "back"));
        }
        Context::Ladder => {
            keys.push(("↑↓", "select"));
            keys.push(("Enter/Tab", "open in wire log"));
            keys.push(("x", "export"));
            keys.push(("Esc", "back"));
        }
        Context::WireLog => {
            keys.push(("↑↓ PgUp PgDn", "scroll"));
            keys.push(("n/p", "next/prev exchange"));
            keys.push(("x", "export"));
            keys.push(("Esc", "back"));
        }
    }
    let in_form = matches!(app.context(), Context::Text { .. } | Context::Toggle);
    match live {
        // Esc cancels only from the form; elsewhere it goes back.
        Some(c) if c.ringing() && in_form => keys.insert(0, ("Esc", "cancel call")),
        Some(c) if c.ringing() => keys.insert(0, ("Ctrl-E", "cancel call")),
        Some(c) => {
            keys.insert(0, ("Ctrl-E", "hang up"));
            if c.held && c.hold_offered.1 {
                keys.insert(1, ("F11", "resume"));
            } else if !c.held && c.hold_offered.0 {
                keys.insert(1, ("F11", "hold"));
            }
        }
        None => {}
    }
    keys.push(("F2", "ladder"));
    keys.push(("F3", "wire"));
    if !app.calls.is_empty() || !app.past.is_empty() {
        keys.push(("F4", "history"));
        keys.push(("F5", "export"));
    }
    keys.push(("F1", "help"));
    keys.push(("Ctrl-Q", "quit"));
    keys
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let mut spans = Vec::with_capacity(32);
    let mut used = 0usize;
    for (key, what) in keys(app) {
        let width = crate::tui::text::width(key) + crate::tui::text::width(what) + 3;
        if used + width > area.width as usize {
            break;
        }
        used += width;
        spans.push(Span::styled(format!(" {key}"), t.key));
        spans.push(Span::styled(format!(" {what} "), t.dim));
    }
    Line::from(spans).render(area, buf);
}
