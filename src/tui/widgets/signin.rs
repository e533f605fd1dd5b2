//! The session in the banner (profile, server, user, sign-in state) and the sign-in dialog.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use crate::tui::app::{App, ConnState, SignInState};
use crate::tui::ladder::truncate;
use crate::tui::signin::{Row, SignInDialog};

/// The footer while the dialog is open.
pub const FOOTER: &[(&str, &str)] = &[
    ("Enter", "connect"),
    ("Tab/↑↓", "next row"),
    ("←→", "profile"),
    ("Esc", "cancel"),
];

/// The banner's line when it has more to say than the plain demo banner: a profile is in use,
/// or calls go to a deployment. `None` leaves the banner as it is.
pub fn banner_line(app: &App) -> Option<Line<'static>> {
    let t = &app.theme;
    let s = &app.session;
    if app.quitting || (s.profile.is_none() && s.server.is_none()) {
        return None;
    }
    let mut spans = vec![Span::styled(" avlaunch ", t.banner)];
    if let Some(p) = &s.profile {
        spans.push(Span::styled(format!(" {p} "), t.demo));
    }
    let server = match (&s.server, &app.demo) {
        (Some(server), _) => truncate(server, 48),
        (None, Some(demo)) => format!("simulator at {}", demo.url),
        (None, None) => "built-in simulator".to_string(),
    };
    spans.push(Span::raw(format!(
        " {server} · {} · ",
        truncate(&s.user, 32)
    )));
    match (&app.conn, &app.signin) {
        (ConnState::Starting, _) => spans.push(Span::styled("connecting…", t.dim)),
        (ConnState::Failed(e), _) => {
            spans.push(Span::styled(format!("cannot connect: {e}"), t.error))
        }
        (ConnState::Ready, SignInState::SignedIn) => spans.push(Span::styled("signed in", t.ok)),
        (ConnState::Ready, SignInState::Failed(e)) => {
            spans.push(Span::styled(format!("sign-in failed: {e}"), t.error))
        }
        (ConnState::Ready, SignInState::NotYet) => {
            spans.push(Span::styled("ready (signs in with the first call)", t.dim))
        }
    }
    if let Some(phone) = &s.via_phone {
        spans.push(Span::styled(format!(" · phone {phone}"), t.dim));
    }
    spans.push(Span::styled(" · F7 sign-in", t.dim));
    Some(Line::from(spans))
}

/// The dialog, centred over everything.
pub fn render(app: &App, dialog: &SignInDialog, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let width = 72.min(area.width);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + area.height.saturating_sub(9) / 2,
        width,
        9.min(area.height),
    );
    let field = (width as usize).saturating_sub(16);
    let row = |r: Row, label: &str, value: String| -> Line<'static> {
        let focused = dialog.focus == r;
        let marker = if focused { "›" } else { " " };
        let mut value = truncate(&value, field);
        if focused && r != Row::Profile {
            value.push('▏');
        }
        let style = if focused { t.selected } else { t.dim };
        Line::from(vec![
            Span::raw(format!("{marker}{label:<10} ")),
            Span::styled(value, style),
        ])
    };
    let profile = match dialog.profile() {
        Some(p) => format!("◂ {} ▸", p.name),
        None if dialog.choices.len() > 1 => "◂ (none) ▸".to_string(),
        None => "(none: no config file profiles)".to_string(),
    };
    let server = if dialog.server.is_empty() {
        "(built-in simulator)".to_string()
    } else {
        dialog.server.clone()
    };
    let password = if dialog.password_len() == 0 {
        "(from the profile or AVLAUNCH_PASSWORD)".to_string()
    } else {
        "•".repeat(dialog.password_len().min(field))
    };
    let lines = vec![
        row(Row::Profile, "Profile", profile),
        row(Row::Server, "Server", server),
        row(Row::User, "User", dialog.user.clone()),
        row(Row::Password, "Password", password),
        Line::from(""),
        Line::from(Span::styled(
            "Enter connect · Tab next · ←→ profile · Esc cancel",
            t.dim,
        )),
    ];
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.border_focused)
                .title(Span::styled(" Sign in ", t.title)),
        )
        .render(rect, buf);
}
