//! One file per pane. Each `render(app, area, buf)` reads the App and draws into the buffer.

pub mod doctor;
pub mod footer;
pub mod form;
pub mod history;
pub mod ladder;
pub mod signin;
pub mod status;
pub mod wire_log;

/// `m:ss`, or `h:mm:ss` past an hour.
pub fn clock(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}
