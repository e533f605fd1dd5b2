//! `TerminalGuard`: raw mode, the alternate screen and bracketed paste on enter; all undone on
//! drop, and by a panic hook (installed once) before the previous hook prints the panic.

use std::io::{self, Stdout};
use std::sync::Once;

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

pub struct TerminalGuard {
    /// Always `Some` until dropped.
    terminal: Option<Term>,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        if let Err(e) = execute!(stdout, EnterAlternateScreen, EnableBracketedPaste) {
            let _ = restore();
            return Err(e);
        }
        match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(terminal) => Ok(TerminalGuard {
                terminal: Some(terminal),
            }),
            Err(e) => {
                let _ = restore();
                Err(e)
            }
        }
    }

    pub fn terminal(&mut self) -> &mut Term {
        self.terminal
            .get_or_insert_with(|| unreachable!("the terminal is taken only on drop"))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if let Some(mut terminal) = self.terminal.take() {
            // ratatui's own drop shows a hidden cursor and, if that fails (the terminal is
            // gone), eprintln!s, which panics on a dead terminal. Show it here instead; if
            // the terminal is gone, skip that drop (its buffers go with the process).
            if terminal.show_cursor().is_err() {
                std::mem::forget(terminal);
            }
        }
        let _ = restore();
    }
}

/// Leaves raw mode and the alternate screen and shows the cursor. Safe to call twice.
pub fn restore() -> io::Result<()> {
    let raw = disable_raw_mode();
    execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    )?;
    raw
}

fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // A panic inside a spawned task (a call session, a simulator handler) is caught
            // and shown as a failed call while the UI goes on: leave the terminal alone.
            // Any other panic ends the UI: restore first, or its message is lost in the
            // alternate screen.
            if tokio::task::try_id().is_none() {
                let _ = restore();
            }
            previous(info);
        }));
    });
}
