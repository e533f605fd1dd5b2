//! The one-line text areas the form's fields are made of: created with a placeholder, set
//! whole, and moved in and deleted from by grapheme cluster.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use tui_textarea::{CursorMove, TextArea};

/// Left, Right, Backspace and Delete by grapheme cluster rather than by character, so an
/// emoji with a skin tone or a letter with a combining accent moves and goes as one.
/// `None` for other keys; else whether the text changed.
pub(super) fn grapheme_key(t: &mut TextArea<'static>, key: KeyEvent) -> Option<bool> {
    if key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return None;
    }
    let value = t.lines().first().cloned().unwrap_or_default();
    let col = t.cursor().1;
    let at = value
        .char_indices()
        .nth(col)
        .map_or(value.len(), |(i, _)| i);
    let bounds = crate::tui::text::boundaries(&value);
    let prev = bounds.iter().rev().find(|b| **b < at).copied();
    let next = bounds.iter().find(|b| **b > at).copied();
    let chars = |bytes: &str| bytes.chars().count();
    let jump = |t: &mut TextArea<'static>, byte: usize| {
        let c = chars(&value[..byte]);
        t.move_cursor(CursorMove::Jump(0, u16::try_from(c).unwrap_or(u16::MAX)));
    };
    match key.code {
        KeyCode::Left => {
            if let Some(p) = prev {
                jump(t, p);
            }
            Some(false)
        }
        KeyCode::Right => {
            if let Some(n) = next {
                jump(t, n);
            }
            Some(false)
        }
        KeyCode::Backspace => Some(match prev {
            Some(p) => {
                jump(t, p);
                t.delete_str(chars(&value[p..at]))
            }
            None => false,
        }),
        KeyCode::Delete => Some(match next {
            Some(n) => t.delete_str(chars(&value[at..n])),
            None => false,
        }),
        _ => None,
    }
}

pub(super) fn text_field(placeholder: &str, placeholder_style: Style) -> TextArea<'static> {
    let mut t = TextArea::default();
    // The default underlines the cursor line, which on a one-line field is the whole field.
    t.set_cursor_line_style(Style::default());
    t.set_cursor_style(Style::default());
    t.set_placeholder_text(placeholder);
    t.set_placeholder_style(placeholder_style);
    t
}

pub(super) fn set_text(t: &mut TextArea<'static>, text: &str) {
    t.select_all();
    t.cut();
    t.insert_str(text);
}
