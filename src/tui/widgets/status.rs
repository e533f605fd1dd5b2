//! The status pane: where the shown call is (spinner and clock while live), its invitation and
//! operation id, the failure in plain words with code and subcode, and the timestamped log.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::clock;
use crate::call::FinalState;
use crate::tui::app::{App, CallRecord, LogKind};
use crate::tui::ladder::{offset_text, truncate};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let title = match app.shown_call() {
        Some(c) => format!(" Call #{} ", c.id),
        None => " Call ".to_string(),
    };
    let block = crate::tui::view::pane_block(app, title, false);
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(call) = app.shown_call() else {
        let mut lines = vec![
            Line::from("No call yet."),
            Line::from("Type a contact in To (sip:user@host) and press Enter."),
        ];
        if app.demo.is_some() {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "Demo contacts (Tab completes):",
                t.title,
            )));
            for (uri, what) in app.demo.iter().flat_map(|d| d.contacts.iter()) {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {uri:<28}"), t.key),
                    Span::styled(what.as_str(), t.dim),
                ]));
            }
        }
        Paragraph::new(lines).render(inner, buf);
        return;
    };
    let header = header_lines(app, call, inner.width);
    let used = (header.len() as u16).min(inner.height);
    Paragraph::new(header).render(Rect::new(inner.x, inner.y, inner.width, used), buf);
    let log_area = Rect::new(
        inner.x,
        inner.y + used,
        inner.width,
        inner.height.saturating_sub(used),
    );
    render_log(app, call, log_area, buf);
}

fn header_lines<'a>(app: &'a App, call: &'a CallRecord, width: u16) -> Vec<Line<'a>> {
    let t = &app.theme;
    let now = app.now;
    let mut lines = Vec::with_capacity(8);
    let label = call.status_label();
    let state_line = match call.outcome.as_ref().map(|o| o.state) {
        None if call.connected() => {
            let d = call.connected_for(now).unwrap_or_default();
            vec![
                Span::styled("● Connected", t.ok),
                Span::raw(format!("  {}", clock(d))),
                Span::styled("   Ctrl-E hang up", t.dim),
            ]
        }
        None => {
            let frame = (call.elapsed(now).as_millis() / 100) as usize % SPINNER.len();
            let mut spans = vec![
                Span::styled(format!("{} {label}…", SPINNER[frame]), t.warn),
                Span::raw(format!("  {}", clock(call.elapsed(now)))),
            ];
            if !call.ending {
                spans.push(Span::styled("   Esc cancel", t.dim));
            }
            spans
        }
        Some(state) => {
            let style = match state {
                FinalState::Ended(_) => t.ok,
                FinalState::Cancelled | FinalState::Connected => t.warn,
                FinalState::Failed => t.error,
            };
            let mut spans = vec![Span::styled(format!("■ {label}"), style)];
            match call.connected_for(now) {
                Some(d) => spans.push(Span::raw(format!("  connected {}", clock(d)))),
                None => spans.push(Span::raw(format!("  after {}", clock(call.elapsed(now))))),
            }
            spans
        }
    };
    lines.push(Line::from(state_line));
    let mut to = vec![
        Span::styled("To          ", t.dim),
        Span::raw(call.request.to.as_str()),
    ];
    if let Some(s) = call.request.subject.as_deref() {
        to.push(Span::styled(format!("  “{}”", truncate(s, 40)), t.dim));
    }
    to.push(Span::styled(format!("  {}", call.format.name()), t.dim));
    lines.push(Line::from(to));
    let invitation = match (&call.invitation, &call.invitation_state) {
        (Some(href), Some(state)) => format!("{href}  [{state}]"),
        (Some(href), None) => href.clone(),
        (None, _) => "—".to_string(),
    };
    labelled(
        &mut lines,
        "Invitation  ",
        &invitation,
        t.dim,
        t.base,
        width,
    );
    labelled(
        &mut lines,
        "Operation   ",
        &call.operation_id,
        t.dim,
        t.base,
        width,
    );
    if let Some(e) = call.outcome.as_ref().and_then(|o| o.error.as_ref()) {
        labelled(&mut lines, "✗ ", &e.message, t.error, t.error, width);
        let mut detail = Vec::new();
        if let Some(s) = e.status {
            let reason = crate::tui::ladder::status_text(s);
            detail.push(format!("status {s} {reason}").trim_end().to_string());
        }
        if let Some(c) = &e.code {
            detail.push(format!("code {c}"));
        }
        if let Some(s) = &e.subcode {
            detail.push(format!("subcode {s}"));
        }
        if !detail.is_empty() {
            labelled(
                &mut lines,
                "  ",
                &detail.join(" · "),
                t.error,
                t.error,
                width,
            );
        }
        if let Some(m) = &e.server_message {
            labelled(
                &mut lines,
                "  server: ",
                &format!("“{m}”"),
                t.dim,
                t.dim,
                width,
            );
        }
    }
    if !call.exported.is_empty() {
        let names: Vec<String> = call
            .exported
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        labelled(
            &mut lines,
            "Exported    ",
            &names.join("  "),
            t.dim,
            t.dim,
            width,
        );
    }
    let rule = "─".repeat(width.saturating_sub(8) as usize);
    lines.push(Line::from(Span::styled(format!("─ Log {rule}"), t.border)));
    lines
}

fn render_log(app: &App, call: &CallRecord, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let height = area.height as usize;
    if height == 0 {
        return;
    }
    let len = call.log.len();
    let back = app.log_back.min(len.saturating_sub(1));
    let end = len - back;
    let start = end.saturating_sub(height);
    for (row, line) in call.log[start..end].iter().enumerate() {
        let offset = line
            .at
            .duration_since(call.started_wall)
            .unwrap_or_default();
        let (mark, style) = match line.kind {
            LogKind::Step => ("✓", t.dim),
            LogKind::Event => ("◆", t.event),
            LogKind::EventFailure => ("◆", t.error),
            LogKind::Notice => ("·", t.base),
            LogKind::Error => ("✗", t.error),
            LogKind::Done => ("●", t.ok),
        };
        let text = truncate(&line.text, area.width.saturating_sub(12) as usize);
        Line::from(vec![
            Span::styled(format!("{:>9} ", offset_text(offset)), t.dim),
            Span::styled(format!("{mark} "), style),
            Span::styled(text, style),
        ])
        .render(Rect::new(area.x, area.y + row as u16, area.width, 1), buf);
    }
    if back > 0 {
        let note = format!(" ↓ {back} newer (PgDn) ");
        let w = note.chars().count() as u16;
        if area.width > w {
            Span::styled(note, t.warn)
                .render(Rect::new(area.right() - w, area.bottom() - 1, w, 1), buf);
        }
    }
}

/// `label` then `value`, wrapped at spaces (or anywhere in a long word such as an href) so
/// that continuation lines align under the value.
fn labelled<'a>(
    lines: &mut Vec<Line<'a>>,
    label: &'a str,
    value: &str,
    label_style: Style,
    value_style: Style,
    width: u16,
) {
    let indent = label.chars().count();
    let room = (width as usize).saturating_sub(indent).max(8);
    for (i, chunk) in wrap_words(value, room).into_iter().enumerate() {
        let head = if i == 0 {
            Span::styled(label, label_style)
        } else {
            Span::raw(" ".repeat(indent))
        };
        lines.push(Line::from(vec![head, Span::styled(chunk, value_style)]));
    }
}

/// Greedy word wrap by characters; words longer than `width` are cut.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let sep = usize::from(len > 0);
            if len + sep + word.len() <= width {
                if sep == 1 {
                    line.push(' ');
                }
                line.extend(word.iter());
                len += sep + word.len();
                break;
            }
            if len > 0 {
                out.push(std::mem::take(&mut line));
                len = 0;
                continue;
            }
            let rest = word.split_off(width);
            out.push(word.into_iter().collect());
            word = rest;
        }
    }
    if len > 0 || out.is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap_words;

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap_words("one two three", 7), ["one two", "three"]);
        assert_eq!(
            wrap_words("/a/very/long/href", 6),
            ["/a/ver", "y/long", "/href"]
        );
        assert_eq!(wrap_words("", 5), [""]);
        assert_eq!(wrap_words("ab cdefghij", 4), ["ab", "cdef", "ghij"]);
    }
}
