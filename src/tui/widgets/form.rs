//! The call form: one row per field, its error in place under it, toggles drawn with every
//! choice visible, the To field's completion drawn dim after the cursor.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::call::Importance;
use crate::sanitize::sanitize;
use crate::tui::app::{App, Pane, View};
use crate::tui::form::FieldId;
use crate::tui::ladder::truncate;
use crate::tui::text;
use crate::ucwa::people::{Person, Reachability};
use crate::ucwa::Format;

const LABEL: u16 = 19;

enum Row<'a> {
    Field(FieldId),
    Error(&'a str),
    Hint(String),
    /// One match of the directory search under To (index into `app.lookup.matches`).
    Match(usize),
    /// The contact taken from the search, with its presence.
    Chosen(&'a Person),
}

fn rows(app: &App) -> Vec<Row<'_>> {
    let form = &app.form;
    let mut rows = Vec::with_capacity(16);
    for id in form.ring() {
        rows.push(Row::Field(id));
        let to = id == FieldId::To;
        if to && app.lookup.open() && form.focus() == FieldId::To {
            rows.extend((0..app.lookup.matches.len()).map(Row::Match));
        } else if let Some(e) = form.error(id).filter(|_| !to || !app.lookup.searching()) {
            rows.push(Row::Error(e));
        } else if to {
            if let Some(p) = app.lookup.chosen_for(form.value(FieldId::To)) {
                rows.push(Row::Chosen(p));
            } else if app.lookup.searching() {
                rows.push(Row::Hint("searching the directory…".into()));
            } else if let Some(e) = &app.lookup.error {
                rows.push(Row::Hint(format!("directory: {}", sanitize(e))));
            } else if let Some(b) = form.behaviour() {
                rows.push(Row::Hint(format!("↳ {b}")));
            }
        } else if id == FieldId::Audio {
            if let Some(note) = form.offered_note() {
                rows.push(Row::Hint(format!("↳ {note}")));
            } else if form.via_phone {
                rows.push(Row::Hint(
                    "↳ your phone rings first, then the contact".into(),
                ));
            }
        }
    }
    rows
}

/// Rows needed, borders included.
pub fn height(app: &App) -> u16 {
    rows(app).len() as u16 + 2
}

fn focused(app: &App) -> bool {
    app.view == View::Form
        && app.pane == Pane::Form
        && app.overlay == crate::tui::app::Overlay::None
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let form = &app.form;
    let has_focus = focused(app);
    let rows = rows(app);
    let height = area.height.saturating_sub(2) as usize;
    // Scrolled so that the focused field and the line under it (its error) are in view.
    let focus_at = rows
        .iter()
        .position(|r| matches!(r, Row::Field(id) if *id == form.focus()))
        .unwrap_or(0);
    let focus_end = rows
        .iter()
        .skip(focus_at + 1)
        .take_while(|r| !matches!(r, Row::Field(_)))
        .count()
        + focus_at;
    let top = (focus_end + 1).saturating_sub(height.max(1));
    let below = rows.len().saturating_sub(top + height);
    let mut title = " New call ".to_string();
    if top > 0 {
        title.push_str(&format!("· ↑ {top} more "));
    }
    if below > 0 {
        title.push_str(&format!("· ↓ {below} more "));
    }
    let block = crate::tui::view::pane_block(app, title, has_focus);
    let inner = block.inner(area);
    block.render(area, buf);
    for (y, row) in (inner.y..inner.bottom()).zip(rows.into_iter().skip(top)) {
        let line_area = Rect::new(inner.x, y, inner.width, 1);
        match row {
            Row::Error(e) => {
                let text = truncate(
                    &format!("✗ {e}"),
                    inner.width.saturating_sub(LABEL) as usize,
                );
                Line::from(vec![
                    Span::raw(" ".repeat(LABEL as usize)),
                    Span::styled(text, t.error),
                ])
                .render(line_area, buf);
            }
            Row::Hint(h) => {
                let text = truncate(&h, inner.width.saturating_sub(LABEL) as usize);
                Line::from(vec![
                    Span::raw(" ".repeat(LABEL as usize)),
                    Span::styled(text, t.dim),
                ])
                .render(line_area, buf);
            }
            Row::Field(id) => {
                render_field(app, id, has_focus && form.focus() == id, line_area, buf)
            }
            Row::Match(i) => {
                let selected = app.lookup.selected == Some(i);
                let person = &app.lookup.matches[i];
                let mut line = person_line(app, person, inner.width.saturating_sub(LABEL));
                let marker = if selected { "  › " } else { "    " };
                line.spans
                    .insert(0, Span::raw(format!("{marker:<w$}", w = LABEL as usize)));
                if selected {
                    line = line.patch_style(t.selected);
                }
                line.render(line_area, buf);
            }
            Row::Chosen(person) => {
                let mut line = person_line(app, person, inner.width.saturating_sub(LABEL));
                line.spans.insert(0, Span::raw(" ".repeat(LABEL as usize)));
                line.render(line_area, buf);
            }
        }
    }
}

/// The presence mark's style: green, red, bold red, yellow, grey (only the words under
/// `NO_COLOR`).
fn mark_style(app: &App, mark: Option<Reachability>) -> ratatui::style::Style {
    let t = &app.theme;
    match mark {
        Some(Reachability::Available) => t.ok,
        Some(Reachability::Busy) => t.error,
        Some(Reachability::DoNotDisturb) => t.error,
        Some(Reachability::Away) => t.warn,
        Some(Reachability::Offline) | None => t.dim,
    }
}

/// "● Available  Alex Wilber · Marketing Assistant · Marketing", at most `width` wide;
/// server text through `sanitize`.
fn person_line(app: &App, person: &Person, width: u16) -> Line<'static> {
    let mark = person.reachability();
    let words = crate::who::availability_words(person.presence.as_ref());
    let mark_text = format!("● {words:<14} ");
    let c = &person.contact;
    let about: Vec<String> = [&c.name, &c.title, &c.department]
        .into_iter()
        .flatten()
        .map(|s| sanitize(s).into_owned())
        .collect();
    let about = match about.is_empty() {
        true => sanitize(c.uri.as_deref().unwrap_or("?")).into_owned(),
        false => about.join(" · "),
    };
    let rest = (width as usize).saturating_sub(mark_text.chars().count());
    Line::from(vec![
        Span::styled(mark_text, mark_style(app, mark)),
        Span::styled(truncate(&about, rest), app.theme.value),
    ])
}

/// One field's row: its label, then its text (with a length counter and, in To, the
/// completion) or its choices.
fn render_field(app: &App, id: FieldId, focus: bool, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let form = &app.form;
    let label_style = if focus { t.label_focused } else { t.label };
    Line::from(Span::styled(
        format!("{:<w$}", field_label(app, id, focus), w = LABEL as usize),
        label_style,
    ))
    .render(Rect::new(area.x, area.y, LABEL.min(area.width), 1), buf);
    let value = Rect::new(
        area.x + LABEL.min(area.width),
        area.y,
        area.width.saturating_sub(LABEL),
        1,
    );
    if let Some(text) = form.text(id) {
        render_text_value(app, id, text, focus, value, buf);
        return;
    }
    if id == FieldId::Advanced {
        advanced_summary(app).render(value, buf);
        return;
    }
    let mut spans = Vec::new();
    for (name, on) in choices(app, id) {
        if on {
            let style = if focus {
                t.toggle_on.patch(t.selected)
            } else {
                t.toggle_on
            };
            spans.push(Span::styled(format!("[{name}]"), style));
        } else {
            spans.push(Span::styled(format!(" {name} "), t.dim));
        }
        spans.push(Span::raw(" "));
    }
    Line::from(spans).render(value, buf);
}

/// "›To", the advanced fields indented under their fold ("▸ Advanced" / "▾ Advanced").
fn field_label(app: &App, id: FieldId, focus: bool) -> String {
    let marker = if focus { "›" } else { " " };
    match id {
        FieldId::Advanced => format!(
            "{marker}{} Advanced",
            if app.form.advanced_open { "▾" } else { "▸" }
        ),
        FieldId::ThreadId
        | FieldId::SessionContext
        | FieldId::OperationId
        | FieldId::MediaOffer => {
            format!("{marker}  {}", id.label())
        }
        _ => format!("{marker}{}", id.label()),
    }
}

/// A text field's value, with "count/limit" at the right where the field has a limit.
fn render_text_value(
    app: &App,
    id: FieldId,
    text: &tui_textarea::TextArea<'static>,
    focus: bool,
    value: Rect,
    buf: &mut Buffer,
) {
    let t = &app.theme;
    let mut value = value;
    if let Some((count, max)) = app.form.counter(id) {
        let counter = format!(" {count}/{max}");
        let w = counter.chars().count() as u16;
        if value.width > w + 4 {
            let style = if count > max { t.error } else { t.dim };
            Span::styled(counter, style).render(Rect::new(value.right() - w, value.y, w, 1), buf);
            value.width -= w;
        }
    }
    render_text(app, id, text, focus, value, buf);
    if focus && id == FieldId::To {
        render_suggestion(app, value, buf);
    }
}

/// A toggle row's choices, each with whether it is the one chosen.
fn choices(app: &App, id: FieldId) -> Vec<(&'static str, bool)> {
    let form = &app.form;
    match id {
        FieldId::Importance => std::iter::once(("unset", form.importance.is_none()))
            .chain(
                Importance::ALL
                    .iter()
                    .map(|i| (i.as_str(), form.importance == Some(*i))),
            )
            .collect(),
        FieldId::AudioMuted | FieldId::VideoMuted => {
            let v = if id == FieldId::AudioMuted {
                form.audio_muted
            } else {
                form.video_muted
            };
            vec![
                ("not sent", v.is_none()),
                ("true", v == Some(true)),
                ("false", v == Some(false)),
            ]
        }
        FieldId::Audio => vec![
            ("this computer (A/V)", !form.via_phone),
            ("my phone", form.via_phone),
        ],
        FieldId::Format => vec![
            ("json", form.format == Format::Json),
            ("xml", form.format == Format::Xml),
        ],
        _ => Vec::new(),
    }
}

/// The Advanced row: what the section holds when open; folded, which of its values are set
/// (they are still sent with every call).
fn advanced_summary(app: &App) -> Line<'static> {
    let t = &app.theme;
    let form = &app.form;
    let set = form.advanced_set();
    if form.advanced_open {
        Line::from(Span::styled(
            if form.via_phone {
                "Thread ID, Operation ID"
            } else {
                "Thread ID, Session context, Operation ID, Media offer"
            },
            t.dim,
        ))
    } else if set.is_empty() {
        Line::from(Span::styled("folded: Space or → to open", t.dim))
    } else {
        Line::from(vec![
            Span::styled(format!("set: {}", set.join(", ")), t.warn),
            Span::styled(" · Space or → to open", t.dim),
        ])
    }
}

/// A one-line text field drawn by display width: focused, scrolled so the cursor (a cell in
/// the cursor style) is in view; otherwise its start, cut with `…`. tui-textarea keeps the
/// editing; its own drawing counts characters, which wide characters outgrow.
fn render_text(
    app: &App,
    id: FieldId,
    area: &tui_textarea::TextArea<'static>,
    focus: bool,
    rect: Rect,
    buf: &mut Buffer,
) {
    let t = &app.theme;
    let value = app.form.value(id);
    let width = rect.width as usize;
    if width == 0 {
        return;
    }
    let cursor_x = if value.is_empty() {
        Span::styled(area.placeholder_text().to_string(), t.placeholder).render(rect, buf);
        0
    } else if focus {
        let (view, x) = text::scroll_to_cursor(value, area.cursor().1, width);
        Span::styled(view, t.base).render(rect, buf);
        x
    } else {
        Span::styled(text::truncate(value, width), t.base).render(rect, buf);
        0
    };
    if focus {
        if let Some(cell) = buf.cell_mut((rect.x + cursor_x as u16, rect.y)) {
            cell.set_style(t.cursor);
        }
    }
}

/// The rest of the suggested contact, dim, from the cursor on (like a shell's autosuggestion).
fn render_suggestion(app: &App, value: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let form = &app.form;
    let Some(s) = form.suggestion() else {
        return;
    };
    if !form.to_cursor_at_end() {
        return;
    }
    let typed_text = form.value(FieldId::To);
    let typed = text::width(typed_text) as u16;
    if typed >= value.width {
        return;
    }
    let (text, x) = if s.inline {
        (s.value[typed_text.len()..].to_string(), typed)
    } else {
        (format!("→ {}  (Tab)", s.value), typed + 2)
    };
    if x >= value.width {
        return;
    }
    let rect = Rect::new(value.x + x, value.y, value.width - x, 1);
    Span::styled(text, t.suggestion).render(rect, buf);
    if s.inline {
        // Keep the cursor visible on the first suggested character.
        if let Some(cell) = buf.cell_mut((value.x + typed, value.y)) {
            cell.set_style(t.cursor);
        }
    }
}
