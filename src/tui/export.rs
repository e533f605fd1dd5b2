//! F5: the shown call's ladder (text) and wire log (HAR) written to files named by the time.

use std::path::PathBuf;
use std::time::SystemTime;

use super::app::{App, CallId};
use super::ladder;

/// `20240501T093000Z`: sorts by time and is safe in a file name.
fn file_stamp(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, _) = crate::har::utc_fields(t);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// Writes the call's ladder (text) and wire log (HAR) to `dir` (created if missing), else
/// to the current directory.
pub(super) fn export(
    app: &App,
    id: CallId,
    dir: Option<&std::path::Path>,
) -> Result<Vec<PathBuf>, String> {
    let call = app.call(id).ok_or("no such call")?;
    let stamp = file_stamp(app.wall);
    let dir = match dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
            d.to_path_buf()
        }
        None => std::env::current_dir().map_err(|e| format!("current directory: {e}"))?,
    };
    let ladder = dir.join(format!("avlaunch-{stamp}-ladder.txt"));
    std::fs::write(&ladder, ladder::ladder_text(&call.wire, &call.events))
        .map_err(|e| format!("{}: {e}", ladder.display()))?;
    let har = dir.join(format!("avlaunch-{stamp}.har"));
    crate::har::write_har(&har, &call.wire).map_err(|e| format!("{}: {e}", har.display()))?;
    Ok(vec![ladder, har])
}
