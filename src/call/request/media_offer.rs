//! The media offer (`--media-offer`, the form's Media offer): the file read safely (a regular
//! file, never past the limit), then taken as SDP or Lync's multipart/alternative of SDP
//! parts; anything else is named for what it looks like.

use std::path::{Path, PathBuf};

use super::{Field, FieldError, MediaOffer, MEDIA_OFFER_MAX_BYTES};

/// `~` or `~/…` at the start of a path is the home directory (`$HOME`), as in a shell; a
/// path typed in the form or written `--media-offer=~/…` is not expanded by any shell.
pub fn expand_home(path: &Path) -> PathBuf {
    let Some(text) = path.to_str() else {
        return path.to_path_buf();
    };
    let rest = match text.strip_prefix('~') {
        Some("") => "",
        Some(rest) if rest.starts_with('/') => &rest[1..],
        _ => return path.to_path_buf(),
    };
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => PathBuf::from(home).join(rest),
        None => path.to_path_buf(),
    }
}

/// The media offer rule: the file exists, is UTF-8, at most 64 KiB, and is either SDP
/// (starting `v=0`) or a `multipart/alternative` body whose parts are all SDP, as Lync and
/// Skype for Business clients send their offer (RFC 2046 §5.1; the file may keep the
/// `Content-Type` header line that names the boundary). Anything else is refused with what
/// it looks like.
pub fn read_media_offer(path: &Path) -> Result<MediaOffer, FieldError> {
    let error = |message: String| FieldError {
        field: Field::MediaOffer,
        message,
    };
    let shown = path.display();
    let path = &expand_home(path);
    // Only a regular file is read, and never more than the limit: a directory, a FIFO,
    // `/dev/stdin` or `/dev/zero` would otherwise block the caller (the form checks this
    // field on every key) or fill memory. `metadata` follows links and opens nothing.
    let meta = std::fs::metadata(path).map_err(|e| error(format!("cannot read '{shown}': {e}")))?;
    if meta.is_dir() {
        return Err(error(format!(
            "'{shown}' is a directory (expected an SDP file)"
        )));
    }
    if !meta.is_file() {
        return Err(error(format!(
            "'{shown}' is not a regular file (a device, pipe or socket; expected an SDP file)"
        )));
    }
    if meta.len() > MEDIA_OFFER_MAX_BYTES as u64 {
        return Err(error(format!(
            "'{shown}' is {} bytes, the limit is {MEDIA_OFFER_MAX_BYTES}",
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(path).map_err(|e| error(format!("cannot read '{shown}': {e}")))?,
            MEDIA_OFFER_MAX_BYTES as u64 + 1,
        ),
        &mut bytes,
    )
    .map_err(|e| error(format!("cannot read '{shown}': {e}")))?;
    // The file may have grown since its size was read.
    if bytes.len() > MEDIA_OFFER_MAX_BYTES {
        return Err(error(format!(
            "'{shown}' is more than {MEDIA_OFFER_MAX_BYTES} bytes, the limit"
        )));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Err(error(format!(
                "'{shown}' is not an SDP offer: it looks like {} (expected SDP text starting v=0, or a multipart/alternative of SDP parts)",
                looks_like(e.as_bytes())
            )))
        }
    };
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with("v=0") {
        return Ok(MediaOffer {
            media_type: "application/sdp".into(),
            body: text,
        });
    }
    if let Some(offer) = multipart_offer(start).map_err(|why| error(format!("'{shown}': {why}")))? {
        return Ok(offer);
    }
    Err(error(format!(
        "'{shown}' does not look like SDP: it looks like {} (expected SDP text starting v=0, or a multipart/alternative of SDP parts)",
        looks_like(start.as_bytes())
    )))
}

/// Reads a `multipart/alternative` offer: `Ok(None)` if the text is not multipart at all,
/// `Err` naming the problem if it is but is not an offer of SDP parts.
pub(super) fn multipart_offer(text: &str) -> Result<Option<MediaOffer>, String> {
    let Some((boundary, body)) = boundary_and_body(text)? else {
        return Ok(None);
    };
    // RFC 2046 §5.1.1: 1–70 characters, no trailing space.
    let valid_boundary = (1..=70).contains(&boundary.len())
        && !boundary.ends_with(' ')
        && boundary
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c));
    if !valid_boundary {
        return Err(format!("'{boundary}' is not a valid multipart boundary"));
    }
    let parts = split_parts(body, &boundary)?;
    for (n, part) in parts.iter().enumerate() {
        check_part(n + 1, part)?;
    }
    Ok(Some(MediaOffer {
        media_type: format!("multipart/alternative;boundary={boundary}"),
        body: body.to_string(),
    }))
}

/// The boundary and the body: either the body alone (starting with its delimiter), or the
/// SIP message's Content-Type header (and maybe others), a blank line, then the body.
/// `Ok(None)` when the text is neither.
fn boundary_and_body(text: &str) -> Result<Option<(String, &str)>, String> {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    // A delimiter line is followed by the part's headers (or a blank line), which tells
    // it from a PEM block's "-----BEGIN …" or a text that happens to start with "--".
    let opens_part = first.starts_with("--")
        && !first.starts_with("-----BEGIN ")
        && lines
            .next()
            .is_some_and(|l| l.trim().is_empty() || l.contains(':'));
    if opens_part {
        return Ok(Some((first[2..].trim_end().to_string(), text)));
    }
    let Some((headers, body)) = text
        .split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
    else {
        return Ok(None);
    };
    let Some(content_type) = content_type(headers.lines()) else {
        return Ok(None);
    };
    let mut params = content_type.split(';').map(str::trim);
    let kind = params.next().unwrap_or_default();
    if !kind.eq_ignore_ascii_case("multipart/alternative") {
        return Ok(None);
    }
    let boundary = params
        .find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("boundary")
                .then(|| v.trim().trim_matches('"'))
        })
        .ok_or("a multipart/alternative Content-Type with no boundary")?;
    Ok(Some((
        boundary.to_string(),
        body.trim_start_matches(['\r', '\n']),
    )))
}

/// The value of the first `Content-Type` header among `lines`.
fn content_type<'a>(mut lines: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-type")
            .then(|| value.trim())
    })
}

/// The lines of each part between the delimiters; the body must start with a delimiter,
/// end with the close delimiter and hold at least one part.
fn split_parts<'a>(body: &'a str, boundary: &str) -> Result<Vec<Vec<&'a str>>, String> {
    let delimiter = format!("--{boundary}");
    let close = format!("--{boundary}--");
    let mut parts: Vec<Vec<&str>> = Vec::new();
    let mut closed = false;
    for line in body.lines() {
        let line_end = line.trim_end();
        if line_end == close {
            closed = true;
            break;
        }
        if line_end == delimiter {
            parts.push(Vec::new());
        } else if let Some(part) = parts.last_mut() {
            part.push(line);
        }
    }
    if !body.starts_with(&delimiter) {
        return Err(format!(
            "a multipart body must start with its delimiter line '{delimiter}'"
        ));
    }
    if !closed {
        return Err(format!(
            "the multipart body is not closed (no '{close}' line): the file may be cut short"
        ));
    }
    if parts.is_empty() {
        return Err("the multipart body has no parts".into());
    }
    Ok(parts)
}

/// Part `n` (from 1) is SDP: no Content-Type or `application/sdp`, content starting `v=0`.
fn check_part(n: usize, part: &[&str]) -> Result<(), String> {
    let blank = part.iter().position(|l| l.trim().is_empty());
    let (headers, content) = match blank {
        Some(i) => (&part[..i], &part[i + 1..]),
        None => (&part[..0], part),
    };
    let content_type = content_type(headers.iter().copied());
    let sdp_type = content_type.is_none_or(|ct| {
        ct.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .eq_ignore_ascii_case("application/sdp")
    });
    if !sdp_type {
        return Err(format!(
            "part {n} of the multipart body is {}, not application/sdp",
            content_type.unwrap_or_default()
        ));
    }
    if !content
        .first()
        .is_some_and(|l| l.trim_start().starts_with("v=0"))
    {
        return Err(format!(
            "part {n} of the multipart body is not SDP (it must start with v=0)"
        ));
    }
    Ok(())
}

/// What a file that is not an offer looks like, in a few words.
pub(super) fn looks_like(bytes: &[u8]) -> &'static str {
    let text = String::from_utf8_lossy(bytes);
    let start = text.trim_start_matches('\u{feff}').trim_start();
    let lower: String = start
        .chars()
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        "an empty file"
    } else if std::str::from_utf8(bytes).is_err() || bytes.contains(&0) {
        "binary data"
    } else if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        "an HTML page"
    } else if lower.starts_with("<?xml") || lower.starts_with('<') {
        "XML"
    } else if start.starts_with('{') || start.starts_with('[') {
        "JSON"
    } else if start.starts_with("-----BEGIN ") {
        "a PEM file (a certificate or key)"
    } else if lower.starts_with("invite ") || lower.starts_with("sip/2.0") {
        "a whole SIP message (save only its body, or its Content-Type line and body)"
    } else if start.lines().next().is_some_and(|l| {
        l.len() >= 2 && l.as_bytes()[1] == b'=' && l.as_bytes()[0].is_ascii_lowercase()
    }) {
        "SDP lines without the leading v=0 line"
    } else {
        "plain text"
    }
}
