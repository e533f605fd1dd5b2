//! The status pane: where the shown call is (spinner and clock while live), its invitation and
//! operation id, the failure in plain words with code and subcode, and the timestamped log.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::clock;
use crate::call::{CallError, FinalState};
use crate::tui::app::{App, CallRecord, LogKind};
use crate::tui::ladder::{offset_text, truncate};
use crate::tui::text;

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
    let mut header = header_lines(app, call, inner.width);
    // What happened comes first; identifiers are cut before the outcome is, and the log's
    // rule before either.
    header.truncate(inner.height as usize);
    let used = header.len() as u16;
    Paragraph::new(header).render(Rect::new(inner.x, inner.y, inner.width, used), buf);
    if used + 1 >= inner.height {
        return;
    }
    let log_area = Rect::new(
        inner.x,
        inner.y + used + 1,
        inner.width,
        inner.height - used - 1,
    );
    let (start, end) = render_log(app, call, log_area, buf);
    // The rule says which lines of the log are shown.
    let hint = if app.details {
        "F6 shorten"
    } else {
        "F6 in full"
    };
    let place = if call.log.is_empty() {
        String::new()
    } else {
        format!(" {}–{} of {}", start + 1, end, call.log.len())
    };
    let head = format!("─ Log{place} ");
    let fill = (inner.width as usize).saturating_sub(text::width(&head) + hint.len() + 2);
    Line::from(vec![
        Span::styled(format!("{head}{} ", "─".repeat(fill)), t.border),
        Span::styled(hint, t.dim),
    ])
    .render(Rect::new(inner.x, inner.y + used, inner.width, 1), buf);
}

/// Rows the status pane would like: its header (the outcome, then identifiers), three log
/// lines and its borders; 5 with no call shown.
pub fn wanted_height(app: &App, width: u16) -> u16 {
    match app.shown_call() {
        // The header, the log's rule, three log lines, the borders.
        Some(call) => header_lines(app, call, width.saturating_sub(2)).len() as u16 + 1 + 3 + 2,
        None => 5,
    }
}

/// The header: where the call is, what went wrong (if it did), what the session noted, then
/// To and the identifiers.
fn header_lines<'a>(app: &'a App, call: &'a CallRecord, width: u16) -> Vec<Line<'a>> {
    let t = &app.theme;
    let mut lines = Vec::with_capacity(8);
    lines.push(Line::from(state_spans(app, call)));
    if let Some(e) = call.outcome.as_ref().and_then(|o| o.error.as_ref()) {
        error_lines(&mut lines, app, e, width);
    }
    for note in &call.notes {
        labelled(&mut lines, "· ", note, t.warn, t.base, width);
    }
    let value_room = (width as usize).saturating_sub(12);
    lines.push(to_line(app, call, value_room));
    identifier_lines(&mut lines, app, call, width, value_room);
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
    lines
}

/// "● Connected  0:12", a spinner while setting up or ringing, or "■ Ended" and how long,
/// with the keys that apply now.
fn state_spans<'a>(app: &'a App, call: &'a CallRecord) -> Vec<Span<'a>> {
    let t = &app.theme;
    let now = app.now;
    let label = call.status_label();
    match call.outcome.as_ref().map(|o| o.state) {
        None if call.connected() => {
            let d = call.connected_for(now).unwrap_or_default();
            let mut spans = vec![
                Span::styled("● Connected", t.ok),
                Span::raw(format!("  {}", clock(d))),
            ];
            if call.held {
                spans.push(Span::styled("  on hold", t.warn));
            }
            spans.push(Span::styled("   Ctrl-E hang up", t.dim));
            match (call.held, call.hold_offered) {
                (false, (true, _)) => spans.push(Span::styled("  F11 hold", t.dim)),
                (true, (_, true)) => spans.push(Span::styled("  F11 resume", t.dim)),
                _ => {}
            }
            spans
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
    }
}

/// The failure in plain words, then status, code and subcode, the server's own words (once)
/// and its diagnostics.
fn error_lines<'a>(lines: &mut Vec<Line<'a>>, app: &'a App, e: &'a CallError, width: u16) {
    let t = &app.theme;
    labelled(lines, "✗ ", &e.message, t.error, t.error, width);
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
        labelled(lines, "  ", &detail.join(" · "), t.error, t.error, width);
    }
    // Said once: not again when the explanation already quotes the server.
    if let Some(m) = e
        .server_message
        .as_ref()
        .filter(|m| !e.message.contains(m.as_str()))
    {
        labelled(lines, "  server: ", &format!("“{m}”"), t.dim, t.dim, width);
    }
    for d in &e.diagnostics {
        labelled(lines, "  ", &d.line(), t.warn, t.dim, width);
    }
}

/// To, then the subject and the format as far as they fit in `value_room`.
fn to_line<'a>(app: &'a App, call: &'a CallRecord, value_room: usize) -> Line<'a> {
    let t = &app.theme;
    let to_text = truncate(&call.request.to, value_room);
    let format = format!("  {}", call.format.name());
    let format_fits = text::width(&to_text) + format.len() <= value_room;
    let left = value_room.saturating_sub(text::width(&to_text) + format.len());
    let mut to = vec![Span::styled("To          ", t.dim), Span::raw(to_text)];
    if let Some(s) = call.request.subject.as_deref().filter(|_| left > 6) {
        let subject = format!("  “{}”", truncate(s, (left - 4).min(40)));
        to.push(Span::styled(subject, t.dim));
    }
    if format_fits {
        to.push(Span::styled(format, t.dim));
    }
    Line::from(to)
}

/// The invitation (with its state) and the operation id: in full with F6, else one line
/// each, cut in the middle, an href without its origin.
fn identifier_lines<'a>(
    lines: &mut Vec<Line<'a>>,
    app: &'a App,
    call: &'a CallRecord,
    width: u16,
    value_room: usize,
) {
    let t = &app.theme;
    let invitation = match (&call.invitation, &call.invitation_state) {
        (Some(href), Some(state)) => (href.as_str(), format!("  [{state}]")),
        (Some(href), None) => (href.as_str(), String::new()),
        (None, _) => ("—", String::new()),
    };
    let operation = (call.operation_id.as_str(), String::new());
    for (label, (value, suffix)) in [("Invitation  ", invitation), ("Operation   ", operation)] {
        if app.details {
            labelled(
                lines,
                label,
                &format!("{value}{suffix}"),
                t.dim,
                t.base,
                width,
            );
        } else {
            let room = value_room.saturating_sub(text::width(&suffix));
            let value = match url::Url::parse(value) {
                Ok(u) if text::width(value) > room => u.path().to_string(),
                _ => value.to_string(),
            };
            lines.push(Line::from(vec![
                Span::styled(label, t.dim),
                Span::raw(text::truncate_middle(&value, room)),
                Span::styled(suffix, t.dim),
            ]));
        }
    }
}

/// Draws the log's lines that fit, newest at the bottom unless scrolled back; returns the
/// range of lines shown.
fn render_log(app: &App, call: &CallRecord, area: Rect, buf: &mut Buffer) -> (usize, usize) {
    let t = &app.theme;
    let height = area.height as usize;
    if height == 0 {
        return (0, 0);
    }
    let mut vp = app.viewport.get();
    vp.log_rows = height;
    app.viewport.set(vp);
    let len = call.log.len();
    let back = app.log_back.min(len.saturating_sub(height));
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
        let w = text::width(&note) as u16;
        if area.width > w {
            Span::styled(note, t.warn)
                .render(Rect::new(area.right() - w, area.bottom() - 1, w, 1), buf);
        }
    }
    (start, end)
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
    let indent = text::width(label);
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

/// Greedy word wrap by display width; words wider than a line are cut between graphemes.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    text::wrap(text, width)
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
