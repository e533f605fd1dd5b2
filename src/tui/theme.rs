//! Every style the TUI draws with, in one place. With `NO_COLOR` set, colours are dropped and
//! only modifiers (bold, dim, reversed, underline) remain, so focus and errors stay visible.

use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Debug)]
pub struct Theme {
    pub base: Style,
    pub title: Style,
    pub border: Style,
    pub border_focused: Style,
    pub label: Style,
    pub label_focused: Style,
    pub value: Style,
    pub cursor: Style,
    pub placeholder: Style,
    pub suggestion: Style,
    pub error: Style,
    pub ok: Style,
    pub warn: Style,
    pub dim: Style,
    pub key: Style,
    pub banner: Style,
    pub demo: Style,
    pub selected: Style,
    pub toggle_on: Style,
    pub request: Style,
    pub response: Style,
    pub event: Style,
    pub header_name: Style,
    pub body: Style,
    pub record_title: Style,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set (to anything non-empty, as no-color.org asks).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme::new(!no_color)
    }

    pub fn new(color: bool) -> Theme {
        let c = |style: Style, color_: Color| if color { style.fg(color_) } else { style };
        let plain = Style::default();
        let bold = plain.add_modifier(Modifier::BOLD);
        let dim = plain.add_modifier(Modifier::DIM);
        Theme {
            base: plain,
            title: bold,
            border: c(plain, Color::DarkGray),
            border_focused: c(bold, Color::Cyan),
            label: plain,
            label_focused: c(bold, Color::Cyan),
            value: plain,
            cursor: plain.add_modifier(Modifier::REVERSED),
            placeholder: dim,
            suggestion: c(dim, Color::DarkGray),
            error: c(bold, Color::Red),
            ok: c(bold, Color::Green),
            warn: c(bold, Color::Yellow),
            dim,
            key: c(bold, Color::Cyan),
            banner: bold,
            demo: if color {
                bold.fg(Color::Black).bg(Color::Yellow)
            } else {
                bold.add_modifier(Modifier::REVERSED)
            },
            selected: plain.add_modifier(Modifier::REVERSED),
            toggle_on: c(bold, Color::Cyan),
            request: c(plain, Color::Cyan),
            response: c(plain, Color::Green),
            event: c(plain, Color::Magenta),
            header_name: c(plain, Color::Blue),
            body: plain,
            record_title: c(bold, Color::Yellow),
        }
    }
}
