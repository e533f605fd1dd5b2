//! File-name completion for the form's Media offer field, as a shell completes: the longest
//! common prefix of the names that start with what is typed, a `/` after a lone directory.
//! `~` and `~/` stand for the home directory (the text keeps the `~`).

use std::path::{Path, PathBuf};

/// What `typed` completes to, or `None` when nothing would be added (no match, or several
/// matches that share nothing more). Hidden files are offered only when the typed name starts
/// with a dot.
pub fn complete(typed: &str) -> Option<String> {
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    complete_in(typed, home.as_deref())
}

/// `complete`, with the home directory given.
fn complete_in(typed: &str, home: Option<&Path>) -> Option<String> {
    if typed.is_empty() {
        return None;
    }
    if typed == "~" {
        return Some("~/".into());
    }
    // Split into the directory as typed and the partial name after the last `/`.
    let (dir_typed, partial) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let dir: PathBuf = if dir_typed.is_empty() {
        PathBuf::from(".")
    } else {
        match (dir_typed.strip_prefix("~/"), home) {
            (Some(rest), Some(home)) => home.join(rest),
            (Some(_), None) => return None,
            (None, _) => PathBuf::from(dir_typed),
        }
    };
    let mut matches: Vec<(String, bool)> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let visible = !name.starts_with('.') || partial.starts_with('.');
            (visible && name.starts_with(partial)).then(|| {
                let is_dir = e.path().is_dir();
                (name, is_dir)
            })
        })
        .collect();
    matches.sort();
    let completed = match matches.as_slice() {
        [] => return None,
        [(name, is_dir)] => {
            let mut name = name.clone();
            if *is_dir {
                name.push('/');
            }
            name
        }
        [(first, _), rest @ ..] => {
            let mut prefix = first.clone();
            for (name, _) in rest {
                let common = prefix
                    .chars()
                    .zip(name.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                prefix = prefix.chars().take(common).collect();
            }
            prefix
        }
    };
    (completed.len() > partial.len()).then(|| format!("{dir_typed}{completed}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_names_directories_and_common_prefixes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        std::fs::create_dir(dir.path().join("sdp")).unwrap();
        std::fs::write(dir.path().join("sdp/lync-audio.sdp"), "v=0").unwrap();
        std::fs::write(dir.path().join("sdp/lync-audio-video.sdp"), "v=0").unwrap();
        std::fs::write(dir.path().join(".hidden"), "").unwrap();
        assert_eq!(complete(&format!("{d}/s")), Some(format!("{d}/sdp/")));
        assert_eq!(
            complete(&format!("{d}/sdp/l")),
            Some(format!("{d}/sdp/lync-audio"))
        );
        assert_eq!(
            complete(&format!("{d}/sdp/lync-audio.")),
            Some(format!("{d}/sdp/lync-audio.sdp"))
        );
        assert_eq!(complete(&format!("{d}/sdp/lync-audio")), None, "ambiguous");
        assert_eq!(complete(&format!("{d}/sdp/x")), None);
        assert_eq!(complete(&format!("{d}/.h")), Some(format!("{d}/.hidden")));
        assert_eq!(complete(&format!("{d}/h")), None);
        assert_eq!(complete(&format!("{d}/nope/x")), None);
        // `~/` is the home directory, and stays `~/` in the text.
        assert_eq!(
            complete_in("~/sdp/lync-audio-", Some(dir.path())),
            Some("~/sdp/lync-audio-video.sdp".into())
        );
        assert_eq!(complete_in("~/s", Some(dir.path())), Some("~/sdp/".into()));
        assert_eq!(complete_in("~", Some(dir.path())), Some("~/".into()));
    }
}
