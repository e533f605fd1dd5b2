//! The real binary in a real terminal: one tmux server per test on a socket in its own
//! temporary directory, read back with `capture-pane`. Killed on drop, and the directory
//! (socket included) removed. Without tmux the tests that need it fail (`.ci/run`
//! installs it).

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long a screen may take to show what a test waits for, unless it says otherwise.
pub const SCREEN_DEADLINE: Duration = Duration::from_secs(20);

pub struct Tmux {
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    /// Starts `command` in a detached `width`x`height` session; after it ends the pane
    /// shows `EXIT=<code>`, then `TTY=icanon` or `TTY=-icanon` (whether the terminal is back
    /// in cooked mode or left raw), and stays open a minute to be read. `None` without tmux.
    pub fn start(name: &str, command: &str, width: u16, height: u16) -> Option<Tmux> {
        let after =
            "echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon' | sed 's/^/TTY=/'";
        Tmux::start_exact(
            name,
            &format!("{command}; {after}; sleep 60"),
            width,
            height,
        )
    }

    /// Starts `command` exactly as given (the pane closes when it ends). `None` without tmux.
    pub fn start_exact(name: &str, command: &str, width: u16, height: u16) -> Option<Tmux> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("avlaunch-tmux-{name}"))
            .tempdir()
            .ok()?;
        let tmux = Tmux {
            socket: dir.path().join("socket"),
            _dir: dir,
        };
        let ok = tmux
            .run(&[
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                command,
            ])
            .ok()?
            .status
            .success();
        ok.then_some(tmux)
    }

    /// Any tmux command on this server (`kill-pane -t t`, …).
    ///
    /// The server (started by the first command) and so every pane gets a fresh home of
    /// its own: HOME and the XDG directories in this server's temporary directory, no
    /// profile from the environment. A command may set its own on top; none reaches the
    /// user's config or history, or another test's.
    pub fn run(&self, args: &[&str]) -> std::io::Result<Output> {
        let home = self._dir.path();
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env("NO_COLOR", "1")
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env_remove("AVLAUNCH_PROFILE")
            .output()
    }

    /// Sends tmux key names (`Enter`, `C-q`, `F2`) or literal text.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.run(&args).expect("tmux send-keys");
    }

    /// The screen with its colours and attributes as escape sequences.
    pub fn screen_with_escapes(&self) -> String {
        self.capture(&["capture-pane", "-p", "-e", "-t", "t"])
    }

    /// The screen as text (empty once the pane is gone).
    pub fn screen(&self) -> String {
        self.capture(&["capture-pane", "-p", "-t", "t"])
    }

    fn capture(&self, args: &[&str]) -> String {
        self.run(args)
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// Polls the screen until it contains `text`, or panics with the last screen.
    pub fn wait_for(&self, text: &str, deadline: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if start.elapsed() > deadline {
                panic!("no {text:?} on screen after {deadline:?}:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `wait_for` for async tests, sleeping without blocking the runtime's thread.
    pub async fn wait_for_async(&self, text: &str, deadline: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if start.elapsed() > deadline {
                panic!("no {text:?} on screen after {deadline:?}:\n{screen}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
