//! `render(&App, &mut Frame)`: the layout, the banner, the footer, the overlays and the
//! minimum-size notice. Reads the App, never changes it.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use ratatui::Frame;

use super::action::HELP;
use super::app::{App, ConnState, FlashKind, Overlay, Pane, View};
use super::widgets;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;

/// Below this width the form and the status pane are stacked instead of side by side.
const WIDE: u16 = 100;

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    render_buf(app, area, buf);
}

/// The same, into any buffer (the benchmark renders without a terminal).
pub fn render_buf(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(app, area, buf);
        return;
    }
    let flash = app.flash.is_some();
    let [banner, main, message, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(u16::from(flash)),
        Constraint::Length(1),
    ])
    .areas(area);
    render_banner(app, banner, buf);
    match app.view {
        View::Form => render_form_view(app, main, buf),
        View::Ladder => widgets::ladder::render(app, main, buf),
        View::WireLog => widgets::wire_log::render(app, main, buf),
    }
    if let Some((kind, text)) = &app.flash {
        let style = match kind {
            FlashKind::Info => t.ok,
            FlashKind::Error => t.error,
        };
        Line::from(Span::styled(format!(" {text}"), style)).render(message, buf);
    }
    widgets::footer::render(app, footer, buf);
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => render_help(app, area, buf),
        Overlay::ConfirmReplace(pending) => render_confirm(app, &pending.0.to, area, buf),
        Overlay::ConfirmPresence(pending) => {
            render_confirm_presence(app, &pending.0.to, pending.2, area, buf)
        }
        Overlay::SignIn(dialog) => widgets::signin::render(app, dialog, area, buf),
        Overlay::Doctor(checks) => widgets::doctor::render(app, checks, area, buf),
    }
}

fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let text = vec![
        Line::from(Span::styled(
            "avlaunch needs a bigger terminal",
            app.theme.warn,
        )),
        Line::from(format!(
            "at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {}×{}",
            area.width, area.height
        )),
        Line::from("enlarge it, or press Ctrl-Q to quit"),
    ];
    let top = area.height.saturating_sub(3) / 2;
    let rect = Rect::new(area.x, area.y + top, area.width, area.height.min(3));
    Paragraph::new(text)
        .centered()
        .wrap(Wrap { trim: true })
        .render(rect, buf);
}

fn render_banner(app: &App, area: Rect, buf: &mut Buffer) {
    if let Some(line) = widgets::signin::banner_line(app) {
        line.render(area, buf);
        return;
    }
    let t = &app.theme;
    let mut spans = vec![Span::styled(" avlaunch ", t.banner)];
    if app.quitting {
        spans.push(Span::styled(
            " ending the call before quitting (at most 3 s)…",
            t.warn,
        ));
    } else {
        match &app.conn {
            ConnState::Starting => spans.push(Span::styled(" starting…", t.dim)),
            ConnState::Failed(e) => {
                spans.push(Span::styled(format!(" cannot connect: {e}"), t.error));
            }
            ConnState::Ready => match &app.demo {
                Some(demo) => {
                    spans.push(Span::styled(" DEMO ", t.demo));
                    spans.push(Span::raw(format!(
                        " simulator at {} · ready · try ",
                        demo.url
                    )));
                    let names: Vec<&str> = demo
                        .contacts
                        .iter()
                        .map(|(uri, _)| {
                            let user = uri.trim_start_matches("sip:");
                            user.split('@').next().unwrap_or(user)
                        })
                        .collect();
                    let used: usize = spans.iter().map(Span::width).sum();
                    let room = usize::from(area.width).saturating_sub(used);
                    spans.push(Span::styled(whole_words(&names, room), t.key));
                }
                None => spans.push(Span::styled(" ready", t.ok)),
            },
        }
    }
    Line::from(spans).render(area, buf);
}

/// As many of `words` as fit in `room` columns, whole, space-separated; `…` when some are
/// left out (the call pane lists every demo contact while no call is shown).
fn whole_words(words: &[&str], room: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let all = words.join(" ");
    if all.width() <= room {
        return all;
    }
    let mut shown = String::new();
    for word in words {
        let next = if shown.is_empty() {
            word.to_string()
        } else {
            format!("{shown} {word}")
        };
        // Room is kept for " …".
        if next.width() + 2 > room {
            break;
        }
        shown = next;
    }
    if shown.is_empty() {
        "…".to_string()
    } else {
        format!("{shown} …")
    }
}

fn render_form_view(app: &App, area: Rect, buf: &mut Buffer) {
    let form_height = widgets::form::height(app);
    let history_height = ((app.calls.len() + app.past.len()).min(8) as u16 + 2).clamp(3, 8);
    if area.width >= WIDE {
        let left_width = (area.width * 45 / 100).clamp(58, 80);
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_width), Constraint::Min(20)]).areas(area);
        let [form, history] =
            Layout::vertical([Constraint::Length(form_height), Constraint::Min(3)]).areas(left);
        widgets::form::render(app, form, buf);
        widgets::history::render(app, history, buf);
        widgets::status::render(app, right, buf);
    } else {
        let history_height = if app.pane == Pane::History {
            history_height.max(5)
        } else {
            history_height.min(4)
        };
        // The shown call's outcome comes before the form's rows: the form scrolls to its
        // focus, so it can give up room down to three rows.
        let status_wanted = widgets::status::wanted_height(app, area.width);
        let form_height = form_height
            .min(area.height.saturating_sub(history_height + status_wanted))
            .max(5)
            .min(area.height.saturating_sub(8));
        let [form, status, history] = Layout::vertical([
            Constraint::Length(form_height),
            Constraint::Min(5),
            Constraint::Length(history_height),
        ])
        .areas(area);
        widgets::form::render(app, form, buf);
        widgets::status::render(app, status, buf);
        widgets::history::render(app, history, buf);
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn render_help(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let key_width = HELP
        .iter()
        .map(|(k, _)| super::text::width(k))
        .max()
        .unwrap_or(0);
    let width = area.width.min(84);
    // The descriptions wrap under themselves when the terminal is narrow.
    let room = (width as usize).saturating_sub(2 + key_width + 4).max(10);
    let mut lines = Vec::with_capacity(HELP.len() + 8);
    for (keys, what) in HELP {
        if keys.is_empty() {
            lines.push(Line::from(Span::styled(*what, t.title)));
            continue;
        }
        for (i, part) in super::text::wrap(what, room).into_iter().enumerate() {
            let head = if i == 0 { *keys } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("  {head:<key_width$}  "), t.key),
                Span::raw(part),
            ]));
        }
    }
    let rect = centered(area, width, lines.len() as u16 + 2);
    let rows = rect.height.saturating_sub(2) as usize;
    let mut vp = app.viewport.get();
    vp.help_rows = rows;
    vp.help_lines = lines.len();
    app.viewport.set(vp);
    let top = app.help_top.min(lines.len().saturating_sub(rows));
    let title = if lines.len() > rows {
        format!(
            " Keys · lines {}–{} of {} · ↑↓ PgUp PgDn scroll · Esc close ",
            top + 1,
            (top + rows).min(lines.len()),
            lines.len()
        )
    } else {
        " Keys · Esc or F1 to close ".to_string()
    };
    Clear.render(rect, buf);
    Paragraph::new(lines.split_off(top))
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.border_focused)
                .title(Span::styled(title, t.title)),
        )
        .render(rect, buf);
}

fn render_confirm(app: &App, new_to: &str, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let live = app
        .live_call()
        .map_or("a call".to_string(), |c| c.request.to.clone());
    let lines = vec![
        Line::from(format!(
            "The call to {live} is still {}.",
            app.live_call().map_or("live", |c| c.status_label())
        )),
        Line::from(format!("End it and call {new_to}?")),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", t.key),
            Span::raw(" / Enter: end it and call    "),
            Span::styled("n", t.key),
            Span::raw(" / Esc: keep it"),
        ]),
    ];
    let rect = centered(area, 64, 6);
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.warn)
                .title(Span::styled(" Start a new call? ", t.warn)),
        )
        .render(rect, buf);
}

/// A bordered block whose border shows focus.
/// "X is Offline (or in Do not disturb): call anyway?"
fn render_confirm_presence(app: &App, to: &str, mark: &str, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let name = app
        .lookup
        .chosen_for(to)
        .and_then(|p| p.contact.name.as_deref())
        .map(|n| crate::sanitize::sanitize(n).into_owned())
        .unwrap_or_else(|| to.to_string());
    let state = match mark {
        "Offline" => "is Offline: nobody is likely to answer".to_string(),
        other => format!("is in {other}"),
    };
    let lines = vec![
        Line::from(format!("{name} {state}.")),
        Line::from(format!("Call {to} anyway?")),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", t.key),
            Span::raw(" / Enter: call    "),
            Span::styled("n", t.key),
            Span::raw(" / Esc: do not call"),
        ]),
    ];
    let rect = centered(area, 64, 6);
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.warn)
                .title(Span::styled(" Call anyway? ", t.warn)),
        )
        .render(rect, buf);
}

pub fn pane_block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
    let t = &app.theme;
    let (border, title_style): (Style, Style) = if focused {
        (t.border_focused, t.border_focused)
    } else {
        (t.border, t.title)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(title, title_style))
}

#[cfg(test)]
mod tests {
    use super::whole_words;

    #[test]
    fn the_banner_names_whole_contacts_and_says_when_some_are_left_out() {
        let names = ["alice", "dave", "bob", "unsupported"];
        assert_eq!(whole_words(&names, 40), "alice dave bob unsupported");
        assert_eq!(whole_words(&names, 20), "alice dave bob …");
        assert_eq!(whole_words(&names, 7), "alice …");
        assert_eq!(whole_words(&names, 3), "…");
    }
}
